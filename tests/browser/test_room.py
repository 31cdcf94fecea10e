"""A class follows its teacher: two browser contexts, the teacher's and a student's, on one
server. The teacher starts a class; the student opens its link (/r/CODE) and the student's
page shows the teacher's program at the teacher's step, its step card the teacher's, as
the teacher steps; the student wanders (steps alone, the teacher's steps wait) and catches
up; the student's page cannot drive the room (its controls are out of use, and the API
refuses it the teacher's part); in predict mode the student answers the teacher's question
from their own page, the teacher sees the class's answers counted before revealing, and
both pages then show torch's number.

Every number is torch's: the traces the pages received, checked against plain torch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import torch
from pages import (
    TRACE_ROUTE,
    TRACE_TIMEOUT_MS,
    card_lines,
    expect_position,
    go_to,
    in_torch,
    losses_in_torch,
    open_page,
    position,
    program_path,
    traced,
    wait_done,
)
from playwright.sync_api import Browser, Page, Route, expect
from tests.conftest import wait_for

from chainrule.content.lessons import LESSONS

EVENT_WAIT_S = 30.0  # a safety net for an awaited event, never a measure of speed

SOURCE = """import torch
w = torch.tensor(1.3, requires_grad=True)
x = torch.tensor(2.0)
y = w * x
z = y + 1.0
loss = z * z
loss.backward()
"""


@pytest.fixture
def student(browser: Browser, base_url: str) -> Iterator[Page]:
    """A second browser context: another person's browser, sharing nothing with the teacher's."""
    context = browser.new_context(base_url=base_url)
    try:
        yield context.new_page()
    finally:
        context.close()


def start_class(teacher: Page) -> tuple[str, str]:
    """Start a class from the teacher's page; return its code and the students' link."""
    teacher.locator("#room-toggle").click()
    expect(teacher.locator("#room-panel")).to_be_visible()
    expect(teacher.locator("#room-bar-status")).to_have_text("Students follow every step you take.")
    expect(teacher.locator("#room-code")).to_have_text(re.compile(r"^[0-9A-Z]{5}-[0-9A-Z]{5}$"))
    code = teacher.locator("#room-code").inner_text().replace("-", "")
    link = teacher.locator("#room-link").get_attribute("href") or ""
    # The QR code carries the same link: it is drawn, one path of dark modules.
    expect(teacher.locator("#room-qr svg path")).to_have_count(1)
    expect(teacher.locator("#room-qr svg")).to_have_attribute("aria-label", f"QR code of {link}")
    teacher.keyboard.press("Escape")  # the link's panel closes; the class goes on
    expect(teacher.locator("#room-panel")).to_be_hidden()
    return code, link


def join(student: Page, link: str) -> dict[str, Any]:
    """Open the class's link on the student's page; return the trace it received."""
    with student.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS) as answer:
        student.goto(link)
    wait_done(student)
    return traced(answer.value)


def at(step: int) -> str:
    """The player's name of a position of SOURCE's timeline (5 forward steps, 4 backward)."""
    return f"Forward {step + 1} / 5" if step < 5 else f"Backward {step - 4} / 4"


def following(student: Page, step: int) -> None:
    expect(student.locator("#room-bar-status")).to_have_text(f"Following the teacher: {at(step)}")
    expect_position(student, step)


def wandering(student: Page, teacher_step: int, step: int) -> None:
    expect(student.locator("#room-bar-status")).to_have_text(
        f"Wandering on your own: the teacher is at {at(teacher_step)}"
    )
    expect_position(student, step)


def refuse_once(page: Page, url: str, status: int, code: str, message: str) -> list[str]:
    """Answer the page's first request to `url` with `status` and an ErrorOut, Retry-After
    1 s, as a busy server does; let the others through. The list holds the refused one."""
    refused: list[str] = []

    def once(route: Route) -> None:
        if refused:
            route.continue_()
            return
        refused.append(route.request.url)
        error = {"error": {"code": code, "message": message, "line": None, "col": None}}
        route.fulfill(status=status, json=error, headers={"Retry-After": "1"})

    page.route(url, once)
    return refused


def step_next(page: Page) -> None:
    before = position(page)
    page.locator("#step-next").click()
    expect_position(page, before + 1)


def test_student_follows_the_teachers_steps_wanders_and_catches_up(
    page: Page, student: Page, base_url: str
) -> None:
    teacher_trace = open_page(page, program_path(SOURCE))
    code, link = start_class(page)
    assert link == f"{base_url}/r/{code}"

    student_trace = join(student, link)
    steps = student_trace["steps"]
    assert (len(steps["forward"]), len(steps["backward"])) == (5, 4)
    assert student.url == f"{base_url}/#room={code}"
    # The student's page ran the teacher's program: the same graph, torch's numbers.
    assert student_trace["nodes"] == teacher_trace["nodes"]
    expected = in_torch(SOURCE)
    leaf = next(n for n in student_trace["nodes"] if n["name"] == "w")
    assert leaf["grad"]["data"] == pytest.approx(expected["w"].grad.item())
    expect(student.locator("#room-bar-code")).to_have_text(f"Class {code[:5]}-{code[5:]}")
    following(student, 0)

    # The student's card follows the teacher's steps.
    for step in (1, 2, 3):
        step_next(page)
        following(student, step)
        node = page.locator("#stepcard").get_attribute("data-node")
        expect(student.locator("#stepcard")).to_have_attribute("data-node", node or "")
        assert card_lines(student) == card_lines(page)

    # The student cannot drive: the program and Run are the teacher's...
    expect(student.locator("#run")).to_be_disabled()
    expect(student.locator("#source")).to_have_attribute("readonly", "")
    expect(student.locator("#predict-toggle")).to_be_disabled()
    expect(student.locator("#room-toggle")).to_be_disabled()
    expect(student.locator("#training-show")).to_be_disabled()
    assert student.locator("#variables").evaluate("(table) => table.inert") is True
    # ...and the room refuses a state from anyone but the teacher.
    refused = student.request.put(
        f"/api/v2/rooms/{code}/state", data={"source": "import torch\n", "step": 0}
    )
    assert refused.status == 403
    assert refused.json()["error"]["code"] == "forbidden"

    # Stepping alone wanders: the teacher's steps wait.
    step_next(student)
    wandering(student, 3, 4)
    expect(student.locator("#room-catch-up")).to_be_visible()
    expect(student.locator("#room-wander")).to_be_hidden()
    expect_position(page, 3)  # the teacher's page did not move
    step_next(page)
    step_next(page)
    wandering(student, 5, 4)

    # Catch up: back at the teacher's step, following again.
    student.locator("#room-catch-up").click()
    following(student, 5)
    assert card_lines(student) == card_lines(page)

    # The Wander button does the same as stepping alone.
    student.locator("#room-wander").click()
    step_next(page)
    wandering(student, 6, 5)
    student.locator("#room-catch-up").click()
    following(student, 6)

    # The teacher ends the class: the student's page says so, and keeps what it shows.
    page.locator("#room-end").click()
    expect(student.locator("#room-bar-status")).to_have_text("The teacher ended the class.")
    expect(page.locator("#room-toggle")).to_have_text("Start a class")
    gone = page.request.get(f"/api/v2/rooms/{code}")
    assert gone.status == 404
    # A new class starts from the same button, with a new code.
    new_code, _ = start_class(page)
    assert new_code != code


def test_the_class_answers_a_prediction_and_the_teacher_reveals_it(
    page: Page, student: Page
) -> None:
    teacher_trace = open_page(page, program_path(SOURCE))
    code, link = start_class(page)
    join(student, link)
    following(student, 0)

    # The student checks the gradients while nothing is concealed...
    with student.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS):
        student.locator("#check").click()
    expect(student.locator("#check-panel")).to_be_visible()
    # ...then predict mode on the teacher's page: the first step that asks (y = w * x) is
    # open, and the check, which shows every gradient, goes from the student's page.
    asked = predict_at_y(page, teacher_trace)
    expect(student.locator("#check-panel")).to_be_hidden()
    nodes = {n["id"]: n for n in teacher_trace["nodes"]}
    y = nodes[teacher_trace["steps"]["forward"][asked]["node"]]
    torch_y = in_torch(SOURCE)["y"].item()
    assert y["value"]["data"] == pytest.approx(torch_y)

    # The student is asked the teacher's question; the number is "?" on their page too.
    following(student, asked)
    form = student.locator("#room-answer")
    expect(form).to_be_visible()
    expect(student.locator("#room-answer-prompt")).to_have_text("What is y?")
    expect(student.locator("#stepcard")).to_contain_text("y = ?")
    expect(page.locator("#room-prompt")).to_have_text("What is y?")
    expect(page.locator("#room-count")).to_have_text("0 students have answered")

    # The student answers; the teacher sees one answer, unmarked until the reveal. The
    # first try is refused as past the class's answer rate: the page sends it again itself.
    assert torch_y == pytest.approx(2.6)
    limited = refuse_once(student, "**/api/v2/rooms/*/answers", 429, "rate_limited",
                          "too many answers")
    student.locator("#room-answer-input").fill("2.6")
    student.locator("#room-answer-send").click()
    expect(student.locator("#room-answer-note")).to_have_text(
        re.compile(r"^The class is answering at once: sending again in [12] s…$")
    )
    expect(student.locator("#room-answer-note")).to_have_text(
        "Sent: 2.6. Waiting for the teacher to reveal the answer.", timeout=15_000
    )
    assert len(limited) == 1
    expect(page.locator("#room-count")).to_have_text("1 student has answered")
    expect(page.locator("#room-bars li")).to_have_count(1)
    expect(page.locator("#room-bars li .room-bar-count")).to_have_text("1")
    expect(page.locator("#room-bars li.is-right")).to_have_count(0)
    expect(page.locator("#room-right")).to_be_hidden()
    # One answer per student and question.
    expect(student.locator("#room-answer-send")).to_be_disabled()

    # The teacher reveals: both pages show torch's number, the student's answer marked.
    page.locator("#room-reveal").click()
    expect(page.locator("#room-right")).to_have_text("1 right · 0 wrong")
    expect(page.locator("#room-bars li.is-right")).to_have_count(1)
    expect(student.locator("#room-answer-note")).to_have_text("✓ Right: 2.6 (torch: 2.6)")
    expect(student.locator("#room-answer")).to_have_attribute("data-state", "revealed")
    page.locator("#room-end").click()
    expect(student.locator("#room-bar-status")).to_have_text("The teacher ended the class.")
    assert code


def test_a_lessons_choice_question_is_answered_by_the_class(page: Page, student: Page) -> None:
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS):
        page.goto("/#lesson=sequential")
    wait_done(page)
    _, link = start_class(page)
    join(student, link)
    expect(student.locator("#room-bar-status")).to_have_text(
        re.compile(r"^Following the teacher: Forward 1 / \d+$")
    )
    # The student's page opened the teacher's lesson, and is asked its question.
    expect(student.locator(".lesson-title")).to_have_text(
        "7. nn.Sequential: layers, and a dead ReLU"
    )
    expect(student.locator("#room-answer-prompt")).to_have_text(
        "Which op inside a Linear layer transposes the weight?"
    )
    # The student cannot give the answer away on their own page: presenter mode's R
    # (reveal) does nothing there, and the output waits for the class.
    student.locator("#present").click()
    expect(student.locator("body")).to_have_attribute("data-mode", "present")
    student.keyboard.press("r")
    expect(student.locator("#lesson")).not_to_contain_text("Torch's answer")
    student.keyboard.press("Escape")
    expect(student.locator("body")).to_have_attribute("data-mode", "edit")
    expect(student.locator("#show-output")).to_be_disabled()
    options = student.locator("#room-answer-options button")
    expect(options).to_have_text(["TBackward0", "AddmmBackward0", "ReluBackward0"])
    expect(student.locator("#room-answer-input")).to_be_hidden()
    options.filter(has_text="TBackward0").click()
    expect(student.locator("#room-answer-note")).to_have_text(
        "Sent: TBackward0. Waiting for the teacher to reveal the answer."
    )

    # The teacher sees a count per option, the right one unmarked until the reveal.
    expect(page.locator("#room-count")).to_have_text("1 student has answered")
    bars = page.locator("#room-bars li")
    expect(bars.locator(".room-bar-label")).to_have_text(
        ["TBackward0", "AddmmBackward0", "ReluBackward0"]
    )
    expect(bars.locator(".room-bar-count")).to_have_text(["1", "0", "0"])
    expect(page.locator("#room-bars li.is-right")).to_have_count(0)
    page.locator("#room-reveal").click()
    expect(page.locator("#room-right")).to_have_text("1 right · 0 wrong")
    expect(page.locator("#room-bars li.is-right .room-bar-label")).to_have_text("TBackward0")
    expect(student.locator("#room-answer-note")).to_have_text("✓ Right: TBackward0")


def test_a_reloaded_teacher_page_keeps_its_class(page: Page, student: Page) -> None:
    open_page(page, program_path(SOURCE))
    code, link = start_class(page)
    join(student, link)
    step_next(page)
    following(student, 1)
    # The reload opens the page's own link (step 1) and teaches the same class again.
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS):
        page.reload()
    wait_done(page)
    expect(page.locator("#room-toggle")).to_have_text(f"Class {code[:5]}-{code[5:]}")
    expect(page.locator("#room-bar-status")).to_have_text("Students follow every step you take.")
    step_next(page)
    following(student, position(page))


def test_a_mistyped_code_says_there_is_no_such_class(student: Page, base_url: str) -> None:
    student.goto(f"{base_url}/r/0000000000")
    expect(student.locator("#room-bar-status")).to_have_text(
        "There is no class 0000000000: it has ended, or the code is mistyped."
    )
    # Leaving gives the student the page back: their own program and Run.
    student.locator("#room-leave").click()
    expect(student.locator("#room-bar")).to_be_hidden()
    expect(student.locator("#run")).to_be_enabled()
    expect(student.locator("#source")).not_to_have_attribute("readonly", "")
    assert student.locator("#variables").evaluate("(table) => table.inert") is False


def predict_at_y(page: Page, teacher_trace: dict[str, Any]) -> int:
    """Turn Predict on on the teacher's page and step to SOURCE's first question (y = w * x);
    return its position."""
    page.locator("#predict-toggle").click()
    expect_position(page, 0)
    nodes = {n["id"]: n for n in teacher_trace["nodes"]}
    asked = next(
        k for k, s in enumerate(teacher_trace["steps"]["forward"])
        if nodes[s["node"]]["kind"] == "op" and s["edges"]
    )
    go_to(page, asked)  # the teacher steps to it; no further: it is owed
    return asked


def test_a_program_run_again_asks_its_questions_again(page: Page, student: Page) -> None:
    teacher_trace = open_page(page, program_path(SOURCE))
    _, link = start_class(page)
    join(student, link)
    asked = predict_at_y(page, teacher_trace)
    following(student, asked)
    student.locator("#room-answer-input").fill("2.6")
    student.locator("#room-answer-send").click()
    expect(page.locator("#room-count")).to_have_text("1 student has answered")
    page.locator("#room-reveal").click()
    expect(student.locator("#room-answer-note")).to_have_text("✓ Right: 2.6 (torch: 2.6)")
    expect(student.locator("#stepcard")).to_contain_text("y = 2.6")

    # The teacher runs the same program again and steps to the same question: it is asked
    # afresh, concealed on the student's page and open to an answer.
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS):
        page.locator("#run").click()
    wait_done(page)
    go_to(page, asked)
    following(student, asked)
    expect(student.locator("#stepcard")).to_contain_text("y = ?")
    expect(student.locator("#room-answer-send")).to_be_enabled()
    expect(student.locator("#room-answer-note")).to_have_text(
        "Your answer is anonymous: the teacher sees only how the class answered."
    )
    expect(page.locator("#room-count")).to_have_text("0 students have answered")


def test_a_reloaded_teacher_page_keeps_predict_mode_the_open_question_and_its_answers(
    page: Page, student: Page
) -> None:
    teacher_trace = open_page(page, program_path(SOURCE))
    _, link = start_class(page)
    join(student, link)
    asked = predict_at_y(page, teacher_trace)
    following(student, asked)
    expect(student.locator("#stepcard")).to_contain_text("y = ?")
    student.locator("#room-answer-input").fill("2.5")
    student.locator("#room-answer-send").click()
    expect(page.locator("#room-count")).to_have_text("1 student has answered")
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS):
        page.reload()
    wait_done(page)
    # The teacher's page is back where the class is: predict mode, the question open, the
    # class's answer to it still counted.
    expect(page.locator("#predict-toggle")).to_have_attribute("aria-pressed", "true")
    expect_position(page, asked)
    expect(page.locator("#room-prompt")).to_have_text("What is y?")
    expect(page.locator("#room-count")).to_have_text("1 student has answered")
    # The class never saw the answer; the student's stays sent.
    following(student, asked)
    expect(student.locator("#stepcard")).to_contain_text("y = ?")
    expect(student.locator("#room-answer-note")).to_have_text(
        "Sent: 2.5. Waiting for the teacher to reveal the answer."
    )
    page.locator("#room-reveal").click()
    expect(page.locator("#room-right")).to_have_text("0 right · 1 wrong")
    expect(student.locator("#room-answer-note")).to_have_text("✗ You said 2.5; torch says 2.6.")


def test_a_class_that_expired_makes_way_for_a_new_one(page: Page) -> None:
    open_page(page, program_path(SOURCE))
    code, _ = start_class(page)
    # The room goes (as one does 4 hours after the last step): the next step finds it gone.
    secret = page.evaluate("JSON.parse(sessionStorage.getItem('chainrule.room')).secret")
    gone = page.request.delete(f"/api/v2/rooms/{code}",
                               headers={"Authorization": f"Bearer {secret}"})
    assert gone.status == 204
    step_next(page)
    expect(page.locator("#room-bar-status")).to_have_text(
        "The class has ended (it expired): start a new one."
    )
    expect(page.locator("#room-toggle")).to_have_text("Start a class")
    new_code, _ = start_class(page)
    assert new_code != code
    step_next(page)
    expect(page.locator("#room-bar-status")).to_have_text("Students follow every step you take.")
    # The new room has the teacher's step (published as it was taken).
    def published() -> int | None:
        state = page.request.get(f"/api/v2/rooms/{new_code}").json()["state"]
        return state["step"] if state else None

    assert wait_for(lambda: published() == position(page), EVENT_WAIT_S)


def test_a_student_whose_trace_is_refused_runs_it_again(
    page: Page, student: Page
) -> None:
    open_page(page, program_path(SOURCE))
    _, link = start_class(page)
    refused = refuse_once(student, TRACE_ROUTE, 503, "overloaded", "the server is busy")
    student.goto(link)
    # A class's pages trace at once: the server may be busy; the page runs it again itself.
    wait_done(student)
    assert len(refused) == 1
    following(student, 0)
    step_next(page)
    following(student, 1)


def test_a_lessons_answer_stays_concealed_while_the_next_lesson_is_traced(
    page: Page, student: Page
) -> None:
    with page.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS) as answer:
        page.goto("/#lesson=chain-rule")
    wait_done(page)
    chain = traced(answer.value)
    _, link = start_class(page)
    join(student, link)
    # At the end every number is shown but the lesson's question: dy/dx, x's gradient.
    page.locator("#jump-end").click()
    expect_position(student, position(page))
    source = next(lesson.source for lesson in LESSONS if lesson.id == "chain-rule")
    x_grad = in_torch(source)["x"].grad.item()
    dydx = f"{x_grad:.3f}"
    assert [n["grad"]["data"] for n in chain["nodes"] if n["name"] == "x"] == [
        pytest.approx(x_grad)]
    assert dydx not in student.locator("body").inner_text()

    # The teacher opens the next lesson; the student's page traces it (held here): until
    # its graph is drawn, the last lesson's answer stays concealed on the graph before.
    held: list[Route] = []

    def hold(route: Route) -> None:
        held.append(route)

    student.route(TRACE_ROUTE, hold)
    page.goto("/#lesson=accumulation")
    expect(student.locator("body")).to_have_attribute("data-status", "running")
    assert len(held) == 1
    assert dydx not in student.locator("body").inner_text()
    held[0].continue_()
    student.unroute(TRACE_ROUTE)
    wait_done(student)
    expect(student.locator(".lesson-title")).to_have_text("4. Gradients accumulate")


TRAINING = """import torch
import torch.nn as nn
torch.manual_seed(1)
model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
X = torch.randn(8, 2)
Y = X[:, :1] - X[:, 1:]
for step in range(5):
    opt.zero_grad()
    loss = nn.functional.mse_loss(model(X), Y)
    loss.backward()
    opt.step()
"""


def test_a_reloaded_teacher_page_goes_back_to_the_call_the_class_sees(
    page: Page, student: Page, base_url: str
) -> None:
    losses = losses_in_torch(TRAINING)
    open_page(page, program_path(TRAINING))
    code, link = start_class(page)
    assert traced_loss(join(student, link)) == losses[4]  # the last call, at first

    # The teacher shows call 2 of 5: the class's pages trace it too.
    page.locator("#tab-training").click()
    page.locator("#training-call").fill("1")
    with student.expect_response(TRACE_ROUTE, timeout=TRACE_TIMEOUT_MS) as answer:
        page.locator("#training-show").click()
    assert traced_loss(traced(answer.value)) == losses[1]
    wait_done(student)
    expect(student.locator("#training-shown")).to_have_text("The graph shows call 2.")
    step_next(page)
    expect(student.locator("#room-bar-status")).to_contain_text("Following the teacher")
    expect_position(student, position(page))

    # A reload opens the page's link, which keeps no call: the page traces its last call,
    # then the class's, and teaches on from there; the students' pages trace nothing.
    student_traces: list[str] = []
    student.on("request", lambda r: student_traces.append(r.url) if "/trace" in r.url else None)
    teacher_traces: list[Any] = []
    page.on("response", lambda r: teacher_traces.append(r) if "/api/v2/trace" in r.url else None)
    page.reload()
    expect(page.locator("#training-shown")).to_have_text("The graph shows call 2.")
    wait_done(page)
    assert [traced_call(r) for r in teacher_traces] == [4, 1]
    assert traced_loss(traced(teacher_traces[1])) == losses[1]
    expect(page.locator("#room-bar-status")).to_have_text("Students follow every step you take.")
    step_next(page)
    expect_position(student, position(page))
    state = page.request.get(f"{base_url}/api/v2/rooms/{code}").json()["state"]
    assert (state["call"], state["step"]) == (1, position(page))
    expect(student.locator("#training-shown")).to_have_text("The graph shows call 2.")
    assert student_traces == []


def traced_call(response: Any) -> int:
    """The call of backward() a trace response shows (its index, from 0)."""
    return int(traced(response)["training"]["shown_call"])


def traced_loss(trace: dict[str, Any]) -> float:
    """The loss value a trace's graph ends at."""
    output = next(n for n in trace["nodes"] if n["id"] == trace["output"])
    return torch.tensor(output["value"]["data"], dtype=torch.float32).item()
