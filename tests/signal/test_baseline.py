"""Resting level: robust to activity, follows slow drift, flags high stretches."""

from __future__ import annotations

import doctest

import numpy as np
import pytest

from somnomotor.signal import baseline
from somnomotor.signal.baseline import (
    BaselineParams,
    detection_thresholds,
    flag_high_rest,
    resting_level,
)

FS = 100.0


def _env(seconds: float, rest: float = 2.0, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.abs(rest + rng.normal(0, 0.3, int(seconds * FS))).astype(np.float32)


def test_resting_level_ignores_dense_activity() -> None:
    env = _env(600)
    # 40 % of the time active at 40 µV: a plain running median would be pulled up.
    for k in range(0, 600, 10):
        env[int(k * FS):int((k + 4) * FS)] += 40.0
    rest = resting_level(env, FS)
    assert np.median(rest) == pytest.approx(2.0, abs=0.2)


def test_resting_level_follows_a_slow_change() -> None:
    env = np.concatenate([_env(600, 2.0), _env(600, 6.0, seed=1)])
    rest = resting_level(env, FS)
    assert rest[int(200 * FS)] == pytest.approx(2.0, abs=0.2)
    assert rest[int(1000 * FS)] == pytest.approx(6.0, abs=0.3)


def test_resting_level_tolerates_nan_gaps() -> None:
    env = _env(600)
    env[10000:30000] = np.nan
    rest = resting_level(env, FS)
    assert np.isfinite(rest).all()
    assert np.median(rest) == pytest.approx(2.0, abs=0.2)


def test_resting_level_all_nan_gives_nan_and_empty_gives_empty() -> None:
    assert np.isnan(resting_level(np.full(1000, np.nan, np.float32), FS)).all()
    assert resting_level(np.zeros(0, np.float32), FS).size == 0


def test_resting_level_robust_when_activity_fills_most_of_the_window() -> None:
    env = _env(600)
    for k in range(0, 600, 5):
        env[int(k * FS):int((k + 3) * FS)] += 30.0  # 60 % active
    naive = resting_level(env, FS, BaselineParams(rest_iterations=0, rest_initial_quantile=0.5))
    robust = resting_level(env, FS)
    assert np.median(naive) > 20.0
    assert np.median(robust) == pytest.approx(2.0, abs=0.3)


def test_luna_high_resting_level_above_16uv_flagged_with_minimum_length() -> None:
    rest = np.r_[np.full(6000, 3.0), np.full(6000, 20.0), np.full(1000, 3.0), np.full(500, 20.0)]
    assert flag_high_rest(rest, FS, 16.0, 30.0) == [(60.0, 60.0)]
    assert flag_high_rest(rest, FS, 16.0, 1.0) == [(60.0, 60.0), (130.0, 5.0)]


def test_wasm2016_thresholds_8uv_onset_2uv_offset_above_rest() -> None:
    on, off = detection_thresholds(np.array([2.0, 10.0]), 8.0, 2.0)
    assert on.tolist() == [10.0, 18.0] and off.tolist() == [4.0, 12.0]


def test_moore2014_noise_adaptive_thresholds_grow_with_the_noise_floor() -> None:
    p = BaselineParams(noise_adaptive=True)
    on, off = detection_thresholds(np.array([2.0, 10.0]), 8.0, 2.0, p)
    assert on.tolist() == [10.0, 20.0]  # max(8, 1.0 × rest) above rest
    assert off.tolist() == pytest.approx([4.0, 14.0])  # max(2, 0.4 × rest) above rest


def test_docstring_examples_run() -> None:
    res = doctest.testmod(baseline, extraglobs={"np": np})
    assert res.failed == 0 and res.attempted > 0
