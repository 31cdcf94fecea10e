"""Answers counted: the histogram, option counts, right and wrong."""

from __future__ import annotations

from chainrule.rooms.tally import (
    Bin,
    Distribution,
    Question,
    Tally,
    distribution,
    histogram,
    is_right,
)

NUMBER = Question("q1", "number")
CHOICE = Question("q2", "choice", ("up", "down", "same"))


def test_a_question_survives_its_stored_form() -> None:
    assert Question.from_json(CHOICE.to_json()) == CHOICE
    assert CHOICE.to_json() == '["q2","choice",["up","down","same"]]'


def test_a_question_refuses_values_of_the_wrong_kind() -> None:
    assert NUMBER.refusal(1.5) is None
    assert NUMBER.refusal("up") == "this question asks for a number"
    assert CHOICE.refusal("down") is None
    assert CHOICE.refusal("left") == "this question asks for one of its options"
    assert CHOICE.refusal(2.0) == "this question asks for one of its options"


def test_the_histogram_has_ten_equal_bins_from_the_smallest_to_the_largest() -> None:
    bins = histogram([0.0, 1.0, 2.5, 9.99, 10.0])
    assert [b.count for b in bins] == [1, 1, 1, 0, 0, 0, 0, 0, 0, 2]
    assert (bins[0].low, bins[0].high, bins[-1].low, bins[-1].high) == (0.0, 1.0, 9.0, 10.0)


def test_the_histogram_spans_the_largest_finite_answers() -> None:
    bins = histogram([-1e308, 0.0, 1e308])
    assert [b.count for b in bins] == [1, 0, 0, 0, 0, 1, 0, 0, 0, 1]
    assert (bins[0].low, bins[5].low, bins[-1].high) == (-1e308, 0.0, 1e308)


def test_equal_answers_make_one_bin_and_none_make_none() -> None:
    assert histogram([-0.56, -0.56, -0.56]) == (Bin(-0.56, -0.56, 3),)
    assert histogram([]) == ()


def test_right_means_what_the_lesson_page_means() -> None:
    assert is_right(-0.5656, -0.56, 0.01) is True  # within 1 %
    assert is_right(-0.57, -0.56, 0.01) is False
    assert is_right(-3.0, -0.56, 0) is True  # tolerance 0: the sign only
    assert is_right(0.0, -0.56, 0) is False
    assert is_right(0.0, 0.0, 0) is True


def test_a_number_distribution_counts_right_and_wrong_only_when_told_the_answer() -> None:
    tally = Tally(values=(-0.56, -0.56, 0.56, -0.561))
    told = distribution(NUMBER, tally, expected=-0.56, tolerance=0.01)
    untold = distribution(NUMBER, tally)
    assert (told.count, told.right, told.wrong) == (4, 3, 1)
    assert (untold.right, untold.wrong) == (None, None)
    assert [b.count for b in told.bins] == [3, 0, 0, 0, 0, 0, 0, 0, 0, 1]


def test_a_choice_distribution_lists_every_option_in_order() -> None:
    tally = Tally(choices=(("down", 4), ("up", 1)))
    assert distribution(CHOICE, tally, expected_option="down") == Distribution(
        5, (), (("up", 1), ("down", 4), ("same", 0)), 4, 1)


def test_the_histogram_of_answers_a_subnormal_apart_has_bins_and_no_division_by_zero() -> None:
    bins = histogram([0.0, 5e-324])
    assert [b.count for b in bins] == [1, 0, 0, 0, 0, 0, 0, 0, 0, 1]
    assert (bins[0].low, bins[-1].high) == (0.0, 5e-324)


def test_the_histogram_spans_answers_at_both_ends_of_the_float_range() -> None:
    bins = histogram([-1.7e308, 0.0, 1.7e308, 1.7e308])
    assert [b.count for b in bins] == [1, 0, 0, 0, 0, 1, 0, 0, 0, 2]
    assert (bins[0].low, bins[-1].high) == (-1.7e308, 1.7e308)
    assert histogram([1.7e308, 1.7e308]) == (Bin(1.7e308, 1.7e308, 2),)
