"""The regression behind ``compare``: coefficients, intervals, calendar-day autocorrelation."""

from __future__ import annotations

import numpy as np
import pytest

from somnomotor.analysis.stats import _hac_meat, fit_regression, newey_west_lags


def test_linear_fit_recovers_coefficients():
    rng = np.random.default_rng(1)
    n = 200
    x = rng.normal(size=n)
    y = 1.0 + 2.0 * x + rng.normal(0, 0.3, n)
    fit = fit_regression(y, np.column_stack([np.ones(n), x]), ("c", "x"), np.arange(n))
    b, lo, hi = fit.interval("x")
    assert b == pytest.approx(2.0, abs=0.1) and lo < 2.0 < hi
    assert hi - lo < 0.3


def test_log_fit_with_offset_recovers_a_rate_ratio():
    rng = np.random.default_rng(2)
    n = 300
    hours = rng.uniform(5, 8, n)
    x = rng.integers(0, 2, n).astype(float)
    counts = rng.poisson(10.0 * np.exp(0.4 * x) * hours)
    fit = fit_regression(counts, np.column_stack([np.ones(n), x]), ("c", "x"), np.arange(n),
                         family="log", offset=np.log(hours))
    b, lo, hi = fit.interval("x")
    assert np.exp(fit.coef[0]) == pytest.approx(10.0, rel=0.05)
    assert lo < 0.4 < hi and b == pytest.approx(0.4, abs=0.05)


def test_ar1_correlation_is_estimated_from_residuals():
    rng = np.random.default_rng(3)
    n, rho = 400, 0.6
    e = np.empty(n)
    e[0] = rng.normal()
    for i in range(1, n):
        e[i] = rho * e[i - 1] + rng.normal() * np.sqrt(1 - rho ** 2)
    x = rng.normal(size=n)
    fit = fit_regression(2.0 + x + e, np.column_stack([np.ones(n), x]), ("c", "x"),
                         np.arange(n))
    assert fit.rho == pytest.approx(rho, abs=0.1)


def test_persistent_regressor_gets_a_wider_interval_under_autocorrelation():
    """A dose held for blocks of nights: AR(1) errors must widen its interval."""
    rng = np.random.default_rng(4)
    n = 60
    x = np.repeat([0.0, 1.0, 0.0, 1.0, 0.0, 1.0], 10)
    e = np.empty(n)
    e[0] = rng.normal()
    for i in range(1, n):
        e[i] = 0.7 * e[i - 1] + rng.normal() * np.sqrt(1 - 0.49)
    X = np.column_stack([np.ones(n), x])
    fit = fit_regression(x * 0.5 + e, X, ("c", "x"), np.arange(n))
    iid_se = np.sqrt(np.sum((x * 0.5 + e - X @ fit.coef) ** 2) / (n - 2)
                     * np.linalg.inv(X.T @ X)[1, 1])
    assert fit.se[1] > 1.3 * iid_se


def test_nights_far_apart_are_not_treated_as_neighbours():
    scores = np.array([[1.0], [1.0], [1.0]])
    near = _hac_meat(scores, np.array([0, 1, 2]), lags=2)
    far = _hac_meat(scores, np.array([0, 10, 20]), lags=2)
    assert far[0, 0] == pytest.approx(3.0)
    assert near[0, 0] > far[0, 0]


def test_lag_window_grows_slowly_with_nights():
    assert newey_west_lags(30) == 3 and newey_west_lags(365) == 5 and newey_west_lags(3) == 1


def test_too_few_nights_for_the_coefficients_is_refused():
    with pytest.raises(ValueError, match="cannot fit"):
        fit_regression(np.ones(2), np.ones((2, 2)), ("a", "b"), np.arange(2))
