"""Regression with autocorrelation-robust intervals for a few dozen nights.

One person's nights are neither independent nor many.  Every comparison is a
regression of one outcome on all factors jointly (so alcohol is compared with
the bath held fixed, and so on) with standard errors that respect both:

* **autocorrelation** — a Newey–West (Bartlett-kernel HAC) covariance whose
  lags are calendar days, so a gap in the diary is not mistaken for adjacency;
  the lag window is ``floor(4 (n/100)^(2/9))`` days, at least 1 (Newey & West
  1994 rule of thumb);
* **small samples** — residuals are leverage-adjusted before they enter the
  covariance (``e / sqrt(1 - h)``, the HC2 correction of MacKinnon & White 1985),
  the covariance is scaled by ``n / (n - p)``, and intervals use Student's *t*
  with ``n - p`` degrees of freedom rather than the normal.

HAC estimators are known to understate the uncertainty of *persistent*
regressors in short series (a dose held for a week: residuals inside the block
are forced to sum to zero, hiding their correlation).  So a second, model-based
covariance is computed as well: AR(1) errors over calendar days,
``corr(e_s, e_t) = ρ^|day_s − day_t|``, with ``ρ`` estimated by matching the
observed lag-1 residual autocorrelation to its expectation *given the fitted
design* (which removes the large downward bias of the raw estimate in short
series) and then taken one standard error (``1/√n``) higher, since its own
uncertainty is large in a month of nights; the dispersion is estimated from
the same residuals under that ``ρ``.  Every standard
error is the larger of the two (a conservative choice: intervals are wider
rather than overconfident).

What is ours and what is textbook.  The coefficients (least squares; Poisson
quasi-likelihood by IRLS), the leverages and the Newey–West (Bartlett) sandwich
are the textbook estimators and are cross-checked against statsmodels on random
data (``tests/analysis/test_stats_statsmodels.py``, a dev-only test; statsmodels
is not a dependency of the library).  Three parts are ours, deliberately:

* the **calendar-day lags** — statsmodels counts lags in rows; here a missing
  night is a zero score, so a gap in the diary breaks the neighbourhood (the
  cross-check fills the gaps with zero rows and agrees);
* the **HC2 scaling inside the HAC sandwich** together with ``n / (n - p)`` —
  statsmodels offers HC2 without lags and HAC without leverage adjustment, not
  both; a month of nights needs both (few nights, some with high leverage, e.g.
  the only three nights of a dose);
* the **AR(1) inflation** (below) — a model-based covariance that no library
  computes this way, because HAC alone is too narrow for factors held for a
  week in short series.

When the IRLS loop does not converge (for instance an outcome that is zero on
every night of one factor level: the coefficient runs off to −∞), the fit says
so: ``Fit.converged`` is False and a :class:`ConvergenceWarning` is issued,
which :func:`~somnomotor.analysis.compare.compare_nights` carries into its
``warnings``; the coefficient is never passed on silently.

Two families: ``"linear"`` (ordinary least squares; effects are differences)
and ``"log"`` (Poisson quasi-likelihood with a log link, fitted by iteratively
reweighted least squares; valid for any non-negative outcome, counts or
seconds; effects are ratios; an exposure such as hours of sleep enters as an
offset so a count becomes a rate per hour).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
from scipy import stats

#: Iterations and tolerance of the IRLS fit (log family).
_IRLS_MAX_ITER = 100
_IRLS_TOL = 1e-10
#: Bound of the linear predictor during IRLS (exp(±50) is far past any rate).
_ETA_CLIP = 50.0


class ConvergenceWarning(UserWarning):
    """The IRLS fit stopped at its iteration limit without converging."""


@dataclass(frozen=True)
class Fit:
    """Coefficients of one regression with their HAC covariance.

    ``coef`` and ``cov`` are on the model scale (log for ``family="log"``);
    ``df`` is the residual degrees of freedom ``n - p`` used for *t* intervals.
    """

    names: tuple[str, ...]
    coef: np.ndarray
    cov: np.ndarray
    df: int
    n: int
    family: str
    lags: int
    cov_ar1: np.ndarray | None = None
    rho: float = 0.0
    converged: bool = True
    iterations: int = 0
    warning: str = ""

    @property
    def se(self) -> np.ndarray:
        var = np.diag(self.cov)
        if self.cov_ar1 is not None:
            var = np.maximum(var, np.diag(self.cov_ar1))
        return np.sqrt(np.clip(var, 0.0, None))

    def interval(self, name: str, level: float = 0.95) -> tuple[float, float, float]:
        """(estimate, low, high) of one coefficient on the model scale."""
        i = self.names.index(name)
        t = stats.t.ppf(0.5 + level / 2.0, self.df)
        b, s = float(self.coef[i]), float(self.se[i])
        return b, b - t * s, b + t * s

    def contrast(self, weights: dict[str, float], level: float = 0.95
                 ) -> tuple[float, float, float]:
        """(estimate, low, high) of a linear combination of coefficients (model scale)."""
        w = np.zeros(len(self.names))
        for k, v in weights.items():
            w[self.names.index(k)] = v
        b = float(w @ self.coef)
        var = float(w @ self.cov @ w)
        if self.cov_ar1 is not None:
            var = max(var, float(w @ self.cov_ar1 @ w))
        s = float(np.sqrt(max(var, 0.0)))
        t = stats.t.ppf(0.5 + level / 2.0, self.df)
        return b, b - t * s, b + t * s


def newey_west_lags(n: int) -> int:
    """Lag window (days) of the Bartlett kernel: ``floor(4 (n/100)^(2/9))``, at least 1."""
    return max(1, int(np.floor(4.0 * (n / 100.0) ** (2.0 / 9.0))))


def _hac_meat(scores: np.ndarray, days: np.ndarray, lags: int) -> np.ndarray:
    """Σ over pairs of nights ≤ ``lags`` days apart of Bartlett-weighted score products."""
    meat = scores.T @ scores
    order = np.argsort(days, kind="stable")
    d, g = days[order], scores[order]
    for lag in range(1, lags + 1):
        j = np.searchsorted(d, d + lag)
        ok = (j < len(d))
        ok[ok] = d[j[ok]] == d[ok] + lag
        if not ok.any():
            continue
        a, b = g[ok], g[j[ok]]
        w = 1.0 - lag / (lags + 1.0)
        cross = a.T @ b
        meat += w * (cross + cross.T)
    return meat


#: Largest night-to-night correlation the AR(1) estimate may take.
_RHO_MAX = 0.95


def _ar1_covariance(Xw: np.ndarray, bread: np.ndarray, pearson: np.ndarray, days: np.ndarray
                    ) -> tuple[np.ndarray, float]:
    """Model-based covariance under AR(1) errors in calendar days; returns (cov, ρ)."""
    n = len(pearson)
    hat = Xw @ bread @ Xw.T
    M = np.eye(n) - hat
    lagd = np.abs(days[:, None] - days[None, :]).astype(float)
    adj = (lagd == 1.0).astype(float)
    if not adj.any():
        rho = 0.0
    else:
        # B = M A M with M = I - H and H of rank p: O(n² p) instead of O(n³).
        AX = adj @ Xw
        HA = Xw @ (bread @ AX.T)
        B = adj - HA - HA.T + Xw @ (bread @ (Xw.T @ AX) @ bread) @ Xw.T
        observed = float(pearson @ adj @ pearson) / float(pearson @ pearson)

        def expected(r: float) -> float:
            R = r ** lagd
            return float(np.sum(R * B) / np.sum(R * M))

        if observed <= expected(0.0):
            rho = 0.0
        elif observed >= expected(_RHO_MAX):
            rho = _RHO_MAX
        else:
            from scipy.optimize import brentq

            rho = float(brentq(lambda r: expected(r) - observed, 0.0, _RHO_MAX, xtol=1e-4))
    # ρ is uncertain (standard error about 1/√n); a value one standard error above
    # the estimate keeps intervals of persistent factors honest in short series.
    rho_used = min(rho + 1.0 / np.sqrt(n), _RHO_MAX) if adj.any() else 0.0
    R = rho_used ** lagd
    phi = float(pearson @ pearson) / float(np.sum(R * M))
    cov = phi * bread @ (Xw.T @ R @ Xw) @ bread
    return cov, rho


def fit_regression(y: np.ndarray, X: np.ndarray, names: tuple[str, ...], days: np.ndarray, *,
                   family: str = "linear", offset: np.ndarray | None = None,
                   lags: int | None = None, max_iter: int = _IRLS_MAX_ITER) -> Fit:
    """Fit ``y ~ X`` (X includes the intercept column) with small-sample HAC errors.

    Parameters
    ----------
    y : (n,) outcome per night; non-negative for ``family="log"``.
    X : (n, p) design matrix.
    days : (n,) integer day number of each night (for calendar-day lags).
    family : ``"linear"`` or ``"log"``.
    offset : (n,) log exposure (log family only), e.g. ``log(hours of sleep)``.
    lags : Bartlett lag window in days (default :func:`newey_west_lags`); 0 gives HC2.
    max_iter : iteration limit of the IRLS loop (log family); at the limit without
        convergence the fit warns (:class:`ConvergenceWarning`) and says ``converged=False``.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = rng.integers(0, 2, 40).astype(float)
    >>> y = 2.0 + 1.5 * x + rng.normal(0, 0.5, 40)
    >>> fit = fit_regression(y, np.column_stack([np.ones(40), x]), ("const", "x"),
    ...                      np.arange(40))
    >>> low, high = fit.interval("x")[1:]
    >>> bool(low < 1.5 < high)
    True
    """
    y = np.asarray(y, dtype=float)
    X = np.asarray(X, dtype=float)
    n, p = X.shape
    if n <= p:
        raise ValueError(f"{n} nights cannot fit {p} coefficients")
    days = np.asarray(days, dtype=np.int64)
    lags = newey_west_lags(n) if lags is None else lags
    if family == "linear":
        bread = np.linalg.inv(X.T @ X)
        coef = bread @ X.T @ y
        resid = y - X @ coef
        weights = np.ones(n)
        converged, iterations, warning = True, 0, ""
    elif family == "log":
        off = np.zeros(n) if offset is None else np.asarray(offset, dtype=float)
        coef = np.zeros(p)
        coef[0] = np.log(max(np.mean(y / np.exp(off)), 1e-9))
        converged, warning = False, ""
        for iterations in range(1, max_iter + 1):  # noqa: B007 - used after the loop
            eta = np.clip(X @ coef + off, -_ETA_CLIP, _ETA_CLIP)
            mu = np.exp(eta)
            z = eta - off + (y - mu) / mu
            XtW = X.T * mu
            try:
                new = np.linalg.solve(XtW @ X, XtW @ z)
            except np.linalg.LinAlgError:
                break
            converged = bool(np.max(np.abs(new - coef)) < _IRLS_TOL)
            coef = new
            if converged:
                break
        # A linear predictor held at the clip means a coefficient running off to ±∞
        # (the clip only stops the loop there): that is no convergence either.
        at_clip = bool(np.any(np.abs(X @ coef + off) >= _ETA_CLIP * (1.0 - 1e-9)))
        if not converged or at_clip:
            converged = False
            why = ("a coefficient runs off to infinity: the outcome is zero on every night of "
                   "a factor level" if at_clip else f"stopped after {iterations} iterations")
            warning = f"the Poisson fit did not converge ({why})"
            warnings.warn(warning, ConvergenceWarning, stacklevel=2)
        mu = np.exp(np.clip(X @ coef + off, -_ETA_CLIP, _ETA_CLIP))
        bread = np.linalg.inv((X.T * mu) @ X)
        resid = y - mu
        weights = mu
    else:
        raise ValueError(f"family must be 'linear' or 'log', not {family!r}")
    # Leverage of each night in the (weighted) fit: HC2 small-sample correction.
    h = np.einsum("ij,jk,ik->i", X * np.sqrt(weights)[:, None], bread,
                  X * np.sqrt(weights)[:, None])
    adj = resid / np.sqrt(np.clip(1.0 - h, 1e-3, None))
    meat = _hac_meat(X * adj[:, None], days, lags)
    cov = bread @ meat @ bread * (n / (n - p))
    Xw = X * np.sqrt(weights)[:, None]
    cov_ar1, rho = _ar1_covariance(Xw, bread, resid / np.sqrt(weights), days)
    return Fit(tuple(names), coef, cov, n - p, n, family, lags, cov_ar1, rho,
               converged=converged, iterations=iterations, warning=warning)
