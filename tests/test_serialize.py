"""Tensor summaries against torch's own statistics, and one summary per distinct content."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from chainrule.serialize import _Summaries, tensor_json


def _seeded(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


LARGE = [
    pytest.param(torch.randn(40, 40, generator=_seeded(0)), id="normal 40x40"),
    pytest.param(torch.rand(300, 300, generator=_seeded(1)) * 1e4 - 5e3, id="uniform 300x300"),
    pytest.param(torch.randint(-5, 5, (3000,), generator=_seeded(2)).float(),
                 id="integer-valued floats (many on bin edges)"),
    pytest.param(torch.arange(4096.0) / 7, id="arange / 7"),
    pytest.param(torch.ones(2000), id="constant"),
    pytest.param(torch.randn(64, 64, generator=_seeded(3)).t(), id="transposed view"),
]


@pytest.mark.parametrize("t", LARGE)
def test_large_float32_summary_is_torchs_statistics_in_float64(t: torch.Tensor) -> None:
    summary = tensor_json(t)["summary"]  # type: ignore[index]
    f = t.double()
    low, high = float(f.min()), float(f.max())
    assert summary["min"] == np.float32(t.min())
    assert summary["max"] == np.float32(t.max())
    assert summary["mean"] == np.float32(f.mean())
    assert summary["std"] == np.float32(f.std())
    assert summary["histogram"] == {
        "min": low, "max": high,
        "counts": [int(c) for c in torch.histc(f, bins=16, min=low, max=high).tolist()],
    }


def test_large_float64_summary_agrees_with_torch_to_the_last_bits() -> None:
    t = torch.rand(5000, dtype=torch.float64, generator=_seeded(4)) * 1e6
    summary = tensor_json(t)["summary"]  # type: ignore[index]
    assert (summary["min"], summary["max"]) == (float(t.min()), float(t.max()))
    # float64 sums in another order than torch's may differ in the last bit or two.
    assert summary["mean"] == pytest.approx(float(t.mean()), rel=1e-14)
    assert summary["std"] == pytest.approx(float(t.std()), rel=1e-14)
    assert summary["histogram"]["counts"] == [
        int(c) for c in torch.histc(t, 16, float(t.min()), float(t.max())).tolist()]


def test_large_integer_summary_is_in_float64() -> None:
    t = torch.arange(2000)
    summary = tensor_json(t)["summary"]  # type: ignore[index]
    assert summary["min"] == 0.0 and summary["max"] == 1999.0
    assert summary["mean"] == 999.5
    assert summary["std"] == float(t.double().std())
    assert summary["histogram"]["counts"] == [125] * 16


def test_large_summary_with_nan_and_inf_takes_the_histogram_over_finite_values() -> None:
    t = torch.arange(2000.0)
    t[0], t[1] = math.nan, math.inf
    summary = tensor_json(t)["summary"]  # type: ignore[index]
    assert [summary[k] for k in ("min", "max", "mean", "std")] == ["nan"] * 4
    finite = t[2:].double()
    assert summary["histogram"] == {
        "min": 2.0, "max": 1999.0,
        "counts": [int(c) for c in torch.histc(finite, 16, 2.0, 1999.0).tolist()],
    }


def test_a_tensor_and_its_transposed_copy_share_one_summary() -> None:
    summaries = _Summaries()
    w = torch.randn(64, 32, generator=_seeded(5))
    first = summaries.of(w)
    assert summaries.of(w.t().clone()) is first
    assert summaries.of(w.clone()) is first


def test_a_tensor_with_the_same_extremes_but_other_values_gets_its_own_summary() -> None:
    summaries = _Summaries()
    w = torch.randn(64, 32, generator=_seeded(6))
    other = w.clone()
    other[10, 10] = 0.0  # not an extreme: min and max stay
    assert (other.min(), other.max()) == (w.min(), w.max())
    first, second = summaries.of(w), summaries.of(other)
    assert second is not first
    assert second["mean"] == np.float32(other.double().mean())


def test_negative_zero_is_not_taken_for_zero() -> None:
    summaries = _Summaries()
    a = torch.zeros(2000)
    b = a.clone()
    b[5] = -0.0
    assert summaries.of(b) is not summaries.of(a)


EXTREME = [
    pytest.param([1.7e308, 0.0] * 600, [600] + [0] * 14 + [600], id="0 and 1.7e308"),
    pytest.param([-1.7e308, 1.7e308, 0.0, 1.0, -5e307, 5e307, 1.6e308, -1e-300] * 200,
                 [200, 0, 0, 0, 0, 200, 0, 0, 600, 0, 200, 0, 0, 0, 0, 400],
                 id="-1.7e308 to 1.7e308"),
    pytest.param([1.79e308] * 1100 + [-1.79e308] * 100, [100] + [0] * 14 + [1100],
                 id="near float64's largest"),
]


@pytest.mark.parametrize(("data", "counts"), EXTREME)
def test_histogram_near_float64s_largest_is_torchs_histc_of_the_data_scaled_exactly(
        data: list[float], counts: list[int]) -> None:
    # (high - low) * bins overflows here, and torch.histc itself then misplaces elements;
    # scaled by a power of two (exact) its bins are the same and nothing overflows.
    t = torch.tensor(data, dtype=torch.float64)
    summary = tensor_json(t)["summary"]  # type: ignore[index]
    low, high = float(t.min()), float(t.max())
    scale = 2.0 ** -8
    scaled = torch.histc(t * scale, bins=16, min=low * scale, max=high * scale)
    assert summary["histogram"] == {"min": low, "max": high, "counts": counts}
    assert counts == [int(c) for c in scaled.tolist()]
    assert [summary["mean"], summary["std"]] == [str(float(t.mean())), str(float(t.std()))]


@pytest.mark.parametrize(("data", "counts"), [
    pytest.param([1.7e308, -1.7e308, math.nan] * 600, [600] + [0] * 14 + [600], id="nan"),
    pytest.param([1.7e308, 0.0, math.inf] * 600, [600] + [0] * 14 + [600], id="inf"),
])
def test_histogram_of_the_finite_elements_beside_nan_or_inf_is_exact_near_the_top(
        data: list[float], counts: list[int]) -> None:
    t = torch.tensor(data, dtype=torch.float64)
    finite = t[torch.isfinite(t)]
    low, high = float(finite.min()), float(finite.max())
    scale = 2.0 ** -8
    scaled = torch.histc(finite * scale, bins=16, min=low * scale, max=high * scale)
    summary = tensor_json(t)["summary"]  # type: ignore[index]
    assert summary["histogram"] == {"min": low, "max": high, "counts": counts}
    assert counts == [int(c) for c in scaled.tolist()]


@pytest.mark.parametrize("value", [3.0, 1e16, 1e300, -1.7e308])
def test_histogram_of_a_constant_puts_everything_in_histcs_middle_bin(value: float) -> None:
    # histc widens an empty range by one on each side; at 1e300 that changes nothing.
    t = torch.full((2000,), value, dtype=torch.float64)
    counts = tensor_json(t)["summary"]["histogram"]["counts"]  # type: ignore[index]
    assert counts == [0] * 8 + [2000] + [0] * 7
    assert counts == [int(c) for c in torch.histc(t, 16, value, value).tolist()]
