"""Cross-check of ``analysis/stats.py`` against statsmodels on random data (dev-only test).

statsmodels is in the ``dev`` extra only: the library does not import it.  What
is textbook — least-squares and Poisson coefficients, leverages, the HC2
covariance and the Newey–West (Bartlett) sandwich — must agree with it to
numerical precision.  What is ours (documented in stats.py) is checked through
its definition: the HC2-adjusted residuals inside the HAC sandwich, the
``n / (n - p)`` scaling and calendar-day lags (a missing day is a zero score).
The AR(1) inflation has no statsmodels counterpart and is tested in test_stats.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from somnomotor.analysis.stats import ConvergenceWarning, fit_regression

sm = pytest.importorskip("statsmodels.api")
sandwich = pytest.importorskip("statsmodels.stats.sandwich_covariance")

SEEDS = (0, 1, 2, 3, 4)


def _design(rng: np.random.Generator, n: int) -> np.ndarray:
    """Intercept, a continuous factor, a yes/no factor and a three-level dose."""
    dose = rng.integers(0, 3, n)
    return np.column_stack([np.ones(n), rng.normal(size=n), rng.integers(0, 2, n),
                            dose == 1, dose == 2]).astype(float)


def _ours_from_parts(X: np.ndarray, resid: np.ndarray, h: np.ndarray, bread: np.ndarray,
                     lags: int) -> np.ndarray:
    """Our documented covariance built from statsmodels' pieces.

    Scores with HC2-adjusted residuals, statsmodels' own Bartlett meat
    (``S_hac_simple``), statsmodels' bread, times n/(n-p).
    """
    n, p = X.shape
    scores = X * (resid / np.sqrt(1.0 - h))[:, None]
    meat = sandwich.S_hac_simple(scores, nlags=lags)  # the Bartlett-weighted sum
    return bread @ meat @ bread * (n / (n - p))


@pytest.mark.parametrize("seed", SEEDS)
def test_ols_coefficients_and_hc2_match_statsmodels(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(25, 80))
    X = _design(rng, n)
    y = X @ rng.normal(size=X.shape[1]) + rng.standard_t(5, n)
    ours = fit_regression(y, X, tuple(f"b{i}" for i in range(X.shape[1])), np.arange(n), lags=0)
    ref = sm.OLS(y, X).fit(cov_type="HC2")
    np.testing.assert_allclose(ours.coef, ref.params, rtol=1e-10, atol=1e-12)
    # lags = 0: our covariance is statsmodels' HC2 times the n/(n-p) small-sample factor.
    n_, p = X.shape
    np.testing.assert_allclose(ours.cov, ref.cov_params() * n_ / (n_ - p), rtol=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("lags", [1, 2, 4])
def test_ols_newey_west_matches_statsmodels(seed, lags):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(30, 90))
    X = _design(rng, n)
    e = np.empty(n)
    e[0] = rng.normal()
    for i in range(1, n):  # autocorrelated errors, as nights are
        e[i] = 0.5 * e[i - 1] + rng.normal()
    y = X @ rng.normal(size=X.shape[1]) + e
    names = tuple(f"b{i}" for i in range(X.shape[1]))
    ours = fit_regression(y, X, names, np.arange(n), lags=lags)
    ref = sm.OLS(y, X).fit()
    h = ref.get_influence().hat_matrix_diag
    expected = _ours_from_parts(X, ref.resid, h, ref.normalized_cov_params, lags)
    np.testing.assert_allclose(ours.cov, expected, rtol=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("lags", [1, 3])
def test_constant_leverage_design_equals_statsmodels_hac_end_to_end(seed, lags):
    """With equal leverage everywhere (intercept only), HC2 is one known factor.

    Then our covariance is statsmodels' own HAC covariance (``cov_type="HAC"``)
    times n/(n-p) / (1 - 1/n), with nothing of ours rebuilt in the test.
    """
    rng = np.random.default_rng(200 + seed)
    n = int(rng.integers(20, 60))
    y = rng.normal(3.0, 1.0, n).cumsum() * 0.1 + rng.normal(size=n)
    X = np.ones((n, 1))
    ours = fit_regression(y, X, ("c",), np.arange(n), lags=lags)
    ref = sm.OLS(y, X).fit(cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": False})
    np.testing.assert_allclose(ours.coef, ref.params, rtol=1e-12)
    factor = n / (n - 1) / (1.0 - 1.0 / n)
    np.testing.assert_allclose(ours.cov, ref.cov_params() * factor, rtol=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
def test_calendar_day_gaps_are_zero_scores_in_statsmodels_kernel(seed):
    """Our calendar-day lags equal statsmodels' row lags on a series with zero rows in the gaps."""
    rng = np.random.default_rng(300 + seed)
    span = 60
    days = np.sort(rng.choice(span, size=40, replace=False))
    n = days.size
    X = _design(rng, n)
    y = X @ rng.normal(size=X.shape[1]) + rng.normal(size=n)
    lags = 3
    ours = fit_regression(y, X, tuple(f"b{i}" for i in range(X.shape[1])), days, lags=lags)
    ref = sm.OLS(y, X).fit()
    h = ref.get_influence().hat_matrix_diag
    scores = X * (ref.resid / np.sqrt(1.0 - h))[:, None]
    full = np.zeros((days[-1] - days[0] + 1, X.shape[1]))
    full[days - days[0]] = scores
    meat = sandwich.S_hac_simple(full, nlags=lags)
    bread = ref.normalized_cov_params
    p = X.shape[1]
    np.testing.assert_allclose(ours.cov, bread @ meat @ bread * n / (n - p), rtol=1e-9)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("lags", [1, 2])
def test_poisson_coefficients_and_newey_west_match_statsmodels(seed, lags):
    rng = np.random.default_rng(400 + seed)
    n = int(rng.integers(30, 80))
    X = _design(rng, n)
    hours = rng.uniform(4.0, 8.5, n)
    beta = np.array([1.5, 0.3, -0.4, 0.2, 0.5])
    y = rng.poisson(np.exp(X @ beta) * hours).astype(float)
    names = tuple(f"b{i}" for i in range(X.shape[1]))
    ours = fit_regression(y, X, names, np.arange(n), family="log", offset=np.log(hours),
                          lags=lags)
    assert ours.converged
    ref = sm.GLM(y, X, family=sm.families.Poisson(), offset=np.log(hours)).fit(tol=1e-12)
    np.testing.assert_allclose(ours.coef, ref.params, rtol=1e-7, atol=1e-9)
    h = ref.get_hat_matrix_diag()
    expected = _ours_from_parts(X, y - ref.mu, h, ref.normalized_cov_params, lags)
    np.testing.assert_allclose(ours.cov, expected, rtol=1e-6)
    # Without leverage adjustment and scaling, statsmodels' own GLM HAC is the same sandwich.
    ref_hac = sm.GLM(y, X, family=sm.families.Poisson(), offset=np.log(hours)).fit(
        tol=1e-12, cov_type="HAC", cov_kwds={"maxlags": lags, "use_correction": False})
    plain = _ours_from_parts(X, y - ref.mu, np.zeros(n), ref.normalized_cov_params, lags)
    np.testing.assert_allclose(plain * (n - X.shape[1]) / n, ref_hac.cov_params(), rtol=1e-6)


def test_poisson_separation_warns_and_says_not_converged():
    """An outcome that is zero on every exposed night sends the coefficient to −∞."""
    rng = np.random.default_rng(7)
    n = 30
    x = (np.arange(n) % 2).astype(float)
    y = np.where(x == 1, 0.0, rng.poisson(5, n)).astype(float)
    X = np.column_stack([np.ones(n), x])
    with pytest.warns(ConvergenceWarning, match="did not converge"):
        fit = fit_regression(y, X, ("c", "x"), np.arange(n), family="log")
    assert not fit.converged and "infinity" in fit.warning
    # statsmodels agrees that there is no finite estimate: its fit also runs away.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = sm.GLM(y, X, family=sm.families.Poisson()).fit()
    assert ref.params[1] < -15


def test_poisson_iteration_limit_warns():
    rng = np.random.default_rng(8)
    n = 40
    x = rng.normal(size=n)
    y = rng.poisson(np.exp(1.0 + 0.8 * x)).astype(float)
    X = np.column_stack([np.ones(n), x])
    with pytest.warns(ConvergenceWarning, match="stopped after 2 iterations"):
        fit = fit_regression(y, X, ("c", "x"), np.arange(n), family="log", max_iter=2)
    assert not fit.converged
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a converging fit warns nothing
        assert fit_regression(y, X, ("c", "x"), np.arange(n), family="log").converged
