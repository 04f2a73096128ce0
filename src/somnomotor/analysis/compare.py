"""What changed with which factor, across one person's nights.

For every outcome, one regression on all factors jointly (alcohol units,
exertion, stretching, hot bath, heat at night, capsaicin, and each alprazolam
dose as its own level against none), with 95 % intervals that respect small
samples and autocorrelation (:mod:`somnomotor.analysis.stats`).  Then the
alprazolam dose–response (level estimates and an Emax fit), a tolerance check
(is the dose creeping up; does the effect fade at a stable dose), and
plain-language notes on confounding.  Everything here measures associations in
one person's nights for discussion with a clinician; nothing here recommends.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize

from .._util import json_ready
from .data import DOSE_COLUMN, FACTORS, OUTCOMES, Factor, Outcome
from .stats import ConvergenceWarning, Fit, fit_regression

#: Fewest nights a factor level must have (exposed and unexposed) to be compared.
MIN_NIGHTS = 3
#: A log ratio beyond this (×22 000) means a level without events: not estimable.
MAX_LOG_RATIO = 10.0
#: Fewest nights at one stable dose before a fading effect is looked for.
MIN_STABLE_NIGHTS = 10
#: A dose held this many nights in a row counts as "found and stable".
STABLE_RUN_NIGHTS = 14
#: Factors whose pairwise correlation reaches this are flagged as entangled.
ENTANGLED_R = 0.5
#: Outcomes whose fading at a stable dose is checked.
TOLERANCE_OUTCOMES = ("plms_index", "myoclonus_index", "grm_episode_count", "morning_stiffness",
                      "penn_frequency")

DISCLAIMER = ("These figures describe associations in one person's own nights and diary. They "
              "measure; they do not recommend. Discuss them with a clinician before changing "
              "anything, medication above all.")

CONFOUNDING_NOTE = (
    "Nights were not randomised unless a plan (e.g. ABAB) was followed: on nights with alcohol "
    "the person may also have been more active, later to bed or more stressed, and a dose that "
    "rose over the weeks shares those weeks with everything else that changed. The regression "
    "holds the other recorded factors fixed, but not what the diary does not record. A "
    "difference here is a lead to discuss, not proof of cause.")


@dataclass
class Comparison:
    """The result of :func:`compare_nights`; ``to_dict()`` is what ``compare.json`` holds."""

    subject: str
    effects: pd.DataFrame
    dose_response: list[dict[str, Any]]
    tolerance: dict[str, Any]
    notes: list[str]
    n_nights: int
    n_recorded: int
    n_diary: int
    first_date: str | None
    last_date: str | None
    fits: dict[str, Fit] = field(default_factory=dict, repr=False)
    method: str = ""
    n_simulated: int = 0
    data: pd.DataFrame | None = field(default=None, repr=False)
    #: Fits that did not converge (their effects are shown as not estimable).
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        eff = self.effects.replace({np.nan: None}).to_dict("records")
        return json_ready({
            "subject": self.subject, "disclaimer": DISCLAIMER,
            "nights": {"total": self.n_nights, "recorded": self.n_recorded,
                       "with_diary": self.n_diary, "simulated": self.n_simulated,
                       "first": self.first_date,
                       "last": self.last_date},
            "method": self.method, "effects": eff, "dose_response": self.dose_response,
            "tolerance": self.tolerance, "confounding": CONFOUNDING_NOTE, "notes": self.notes,
            "warnings": self.warnings})


METHOD = ("Each outcome is regressed on all factors jointly (alprazolam doses as separate "
          "levels against none). Counts and seconds use a Poisson quasi-likelihood with a log link "
          "(effects are ratios; indices use hours of sleep as exposure); ratings and sleep "
          "efficiency use least squares (effects are differences). 95 % intervals: "
          "Newey–West (Bartlett) covariance over calendar-day lags, leverage-adjusted residuals "
          "(HC2), n/(n−p) scaling and Student's t with n−p degrees of freedom.")


def _dose_name(dose: float) -> str:
    return f"dose_{dose:g}"


def _usable_factors(rows: pd.DataFrame, notes: list[str], outcome: Outcome) -> list[Factor]:
    usable = []
    for f in FACTORS:
        col = rows[f.name]
        if col.notna().mean() < 0.5:
            continue
        vals = col.dropna()
        if f.binary:
            n1 = int((vals > 0).sum())
            enough = n1 >= MIN_NIGHTS and len(vals) - n1 >= MIN_NIGHTS
        else:
            mode = vals.mode().iloc[0] if len(vals) else 0.0
            enough = int((vals != mode).sum()) >= MIN_NIGHTS
        if enough:
            usable.append(f)
        elif outcome is OUTCOMES[0] or outcome.source == "diary" and outcome is OUTCOMES[5]:
            notes.append(f"{f.label}: too few nights with and without it to compare "
                         f"(needs {MIN_NIGHTS} of each)")
    return usable


def _design(rows: pd.DataFrame, factors: list[Factor], doses: list[float]
            ) -> tuple[np.ndarray, tuple[str, ...]]:
    cols = [np.ones(len(rows))]
    names = ["intercept"]
    for f in factors:
        cols.append(rows[f.name].to_numpy(dtype=float))
        names.append(f.name)
    dose = rows[DOSE_COLUMN].to_numpy(dtype=float)
    for d in doses:
        cols.append((dose == d).astype(float))
        names.append(_dose_name(d))
    return np.column_stack(cols), tuple(names)


def _effect_row(fit: Fit, outcome: Outcome, name: str, factor: str, label: str, contrast: str,
                n_exposed: int, level: float) -> dict[str, Any]:
    b, lo, hi = fit.interval(name, level)
    ratio = outcome.family == "log"
    estimable = bool(fit.converged and np.all(np.isfinite([b, lo, hi]))
                     and (not ratio or abs(b) < MAX_LOG_RATIO))
    if not estimable:  # e.g. no events at all on the exposed nights: the ratio is 0 or ∞;
        # or a fit that did not converge (a warning says so)
        b = lo = hi = float("nan")
    with np.errstate(over="ignore"):
        est, low, high = (np.exp(b), np.exp(lo), np.exp(hi)) if ratio else (b, lo, hi)
    null = 1.0 if ratio else 0.0
    return {"estimable": estimable, "outcome": outcome.name, "outcome_label": outcome.label, "unit": outcome.unit,
            "factor": factor, "factor_label": label, "contrast": contrast,
            "scale": "ratio" if ratio else "difference", "estimate": float(est),
            "ci_low": float(low), "ci_high": float(high), "coef": b, "coef_low": lo,
            "coef_high": hi, "clear": bool(low > null or high < null),
            "n_nights": fit.n, "n_exposed": n_exposed, "df": fit.df}


def compare_nights(data: pd.DataFrame, *, subject: str = "", level: float = 0.95
                   ) -> Comparison:
    """Compare one person's nights factor by factor (see the module docstring).

    Parameters
    ----------
    data : DataFrame
        From :func:`somnomotor.analysis.data.assemble_nights`.
    level : float
        Interval coverage (0.95).

    Returns
    -------
    Comparison
        ``effects``: one row per outcome × factor (× dose level) with
        ``estimate``, ``ci_low``, ``ci_high`` on the ratio or difference scale,
        ``clear`` (the interval excludes no change) and the nights used.

    Examples
    --------
    >>> from somnomotor.apps.month import simulate_month
    >>> from somnomotor.analysis.data import assemble_nights
    >>> m = simulate_month("P1", nights=40, seed=1)
    >>> nights = m.nights.rename(columns={"date": "night_date"})
    >>> c = compare_nights(assemble_nights(m.diary, nights), subject="P1")
    >>> row = c.effects.query("outcome == 'plms_index' and factor == 'alcohol_units'")
    >>> float(row["estimate"].iloc[0]) > 1.0
    True
    """
    notes: list[str] = []
    rows_out: list[dict[str, Any]] = []
    fits: dict[str, Fit] = {}
    too_few: dict[tuple[int, int], list[str]] = {}  # (nights, coefficients) → outcomes
    rare_doses: dict[tuple[float, ...], set[str]] = {}  # doses left out → outcome sources
    fit_warnings: list[str] = []
    data = data.sort_values("date").reset_index(drop=True)
    for outcome in OUTCOMES:
        y_all = data[outcome.name]
        ok = y_all.notna() & data["diary"]
        if outcome.exposure:
            ok &= data[outcome.exposure].fillna(0) > 0
        rows = data[ok]
        if len(rows) < MIN_NIGHTS * 2:
            if outcome.source == "night" and outcome is OUTCOMES[0]:
                notes.append(f"only {len(rows)} recorded nights with a diary: the objective "
                             "outcomes cannot be compared yet")
            continue
        factors = _usable_factors(rows, notes, outcome)
        rows = rows.dropna(subset=[f.name for f in factors] + [DOSE_COLUMN])
        counts = rows[DOSE_COLUMN].value_counts()
        levels = sorted(float(d) for d, c in counts.items() if c >= MIN_NIGHTS)
        rare = sorted(float(d) for d, c in counts.items() if c < MIN_NIGHTS)
        if rare:
            rows = rows[~rows[DOSE_COLUMN].isin(rare)]
            rare_doses.setdefault(tuple(rare), set()).add(outcome.source)
        reference = 0.0 if 0.0 in levels else (levels[0] if levels else 0.0)
        doses = [d for d in levels if d != reference]
        X, names = _design(rows, factors, doses)
        # Drop factors (least varied first) until the design has full rank.
        while np.linalg.matrix_rank(X) < X.shape[1] and factors:
            factors.pop()
            X, names = _design(rows, factors, doses)
        if len(rows) - X.shape[1] < 3:
            too_few.setdefault((len(rows), X.shape[1]), []).append(outcome.label)
            continue
        y = rows[outcome.name].to_numpy(dtype=float)
        offset = None
        if outcome.exposure:
            exposure = rows[outcome.exposure].to_numpy(dtype=float)
            y = y * exposure if outcome.name.endswith("_index") else y
            offset = np.log(exposure)
        fit = _fit_quietly(y, X, names, rows["day"].to_numpy(), family=outcome.family,
                           offset=offset)
        if not fit.converged:
            fit_warnings.append(f"{outcome.label}: {fit.warning}; its effects are shown as "
                                "not estimable")
        fits[outcome.name] = fit
        for f in factors:
            vals = rows[f.name].to_numpy(dtype=float)
            rows_out.append(_effect_row(fit, outcome, f.name, f.name, f.label, f.contrast,
                                        int((vals > 0).sum()), level))
        dose_vals = rows[DOSE_COLUMN].to_numpy(dtype=float)
        ref_text = "none" if reference == 0 else f"{reference:g} mg"
        for d in doses:
            r = _effect_row(fit, outcome, _dose_name(d), DOSE_COLUMN, "alprazolam",
                            f"{d:g} mg vs {ref_text}", int((dose_vals == d).sum()), level)
            r["dose_mg"] = d
            r["reference_mg"] = reference
            rows_out.append(r)
    for left_out, sources in rare_doses.items():  # one note per set of doses left out
        which = {"night": "recorded-night", "diary": "morning-rating"}
        what = " and ".join(which[src] for src in ("night", "diary") if src in sources)
        notes.append(f"alprazolam {', '.join(f'{d:g}' for d in left_out)} mg: fewer than "
                     f"{MIN_NIGHTS} nights each; those nights were left out of the {what} "
                     "comparisons")
    for (n_rows, n_coef), labels in too_few.items():  # one note per shortfall, not per outcome
        notes.append(f"{_join(labels)}: {n_rows} nights are too few for {n_coef} coefficients "
                     f"(at least {n_coef + 3} nights are needed)")
    effects = pd.DataFrame(rows_out)
    if len(effects) and "dose_mg" not in effects:
        effects["dose_mg"] = np.nan
        effects["reference_mg"] = np.nan
    dose_response = [dr for o in OUTCOMES if o.name in fits
                     for dr in [_dose_response(fits[o.name], o, effects, level)] if dr]
    fit_warnings += [dr.pop("warning") for dr in dose_response if "warning" in dr]
    tolerance = check_tolerance(data, level=level)
    fit_warnings += tolerance.pop("warnings", [])
    notes += confounding_notes(data)
    used = data[data["diary"]]
    return Comparison(
        subject=subject, effects=effects, dose_response=dose_response, tolerance=tolerance,
        notes=list(dict.fromkeys(notes)), n_nights=len(data),
        n_recorded=int(data["recorded"].sum()), n_diary=int(data["diary"].sum()),
        n_simulated=int(data["simulated"].sum()) if "simulated" in data else 0,
        first_date=None if not len(used) else used["date"].min().date().isoformat(),
        last_date=None if not len(used) else used["date"].max().date().isoformat(),
        fits=fits, method=METHOD, data=data, warnings=fit_warnings)


def _fit_quietly(*args: Any, **kwargs: Any) -> Fit:
    """:func:`fit_regression` with its :class:`ConvergenceWarning` turned into ``Fit.warning``.

    The comparison reports non-convergence in its own ``warnings`` (JSON, page and
    command line) rather than as a Python warning on stderr.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return fit_regression(*args, **kwargs)


def _join(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def _exp(v: float) -> float:
    with np.errstate(over="ignore"):
        return float(np.exp(v))


def _emax(d: np.ndarray, emax: float, ed50: float) -> np.ndarray:
    return emax * d / (ed50 + d)


def _dose_response(fit: Fit, outcome: Outcome, effects: pd.DataFrame, level: float
                   ) -> dict[str, Any] | None:
    """Level estimates and, with two or more doses, an Emax fit and the top-step contrast."""
    rows = effects[(effects["outcome"] == outcome.name) & (effects["factor"] == DOSE_COLUMN)]
    if not len(rows) or float(rows["reference_mg"].iloc[0]) != 0.0:
        return None
    rows = rows[rows["estimable"]]
    if not len(rows):
        return None
    doses = rows["dose_mg"].to_numpy(dtype=float)
    b = rows["coef"].to_numpy(dtype=float)
    se = np.array([fit.se[fit.names.index(_dose_name(d))] for d in doses])
    ratio = outcome.family == "log"
    out: dict[str, Any] = {
        "outcome": outcome.name, "outcome_label": outcome.label,
        "scale": "ratio" if ratio else "difference",
        "levels": [{"dose_mg": 0.0, "estimate": 1.0 if ratio else 0.0,
                    "ci_low": None, "ci_high": None}] + [
            {"dose_mg": float(d), "estimate": float(r.estimate), "ci_low": float(r.ci_low),
             "ci_high": float(r.ci_high), "n_nights": int(r.n_exposed)}
            for d, r in zip(doses, rows.itertuples(), strict=True)],
    }
    if len(doses) >= 2:
        top, prev = doses[-1], doses[-2]
        c, lo, hi = fit.contrast({_dose_name(top): 1.0, _dose_name(prev): -1.0}, level)
        tr = _exp if ratio else (lambda v: v)
        out["top_step"] = {"from_mg": float(prev), "to_mg": float(top), "estimate": float(tr(c)),
                           "ci_low": float(tr(lo)), "ci_high": float(tr(hi)),
                           "clear": bool(lo > 0 or hi < 0)}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                p0 = (float(b[np.argmax(np.abs(b))]) or 1e-3, 0.5)
                popt, pcov = optimize.curve_fit(_emax, doses, b, p0=p0, sigma=se,
                                                absolute_sigma=True,
                                                bounds=([-np.inf, 0.01], [np.inf, 20.0]),
                                                maxfev=5000)
            perr = np.sqrt(np.clip(np.diag(pcov), 0, None))
            out["emax_fit"] = {"emax": float(tr(popt[0])), "ed50_mg": float(popt[1]),
                               "ed50_se_mg": float(perr[1]), "emax_coef": float(popt[0]),
                               "emax_coef_se": float(perr[0]),
                               "note": "Emax model d·Emax/(ED50 + d) fitted to the level "
                                       "estimates, weighted by their standard errors"}
        except (RuntimeError, ValueError) as exc:
            out["emax_fit"] = None
            out["warning"] = (f"{outcome.label}: the Emax dose-response fit did not converge "
                              f"({str(exc).splitlines()[0]}); only the level estimates are shown")
    return out


def _runs(values: np.ndarray) -> list[tuple[int, int, float]]:
    """Runs of equal values as (start index, length, value)."""
    if not len(values):
        return []
    change = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.concatenate([[0], change])
    ends = np.concatenate([change, [len(values)]])
    return [(int(s), int(e - s), float(values[s])) for s, e in zip(starts, ends, strict=True)]


def check_tolerance(data: pd.DataFrame, *, level: float = 0.95) -> dict[str, Any]:
    """Is the alprazolam dose creeping up, and does its effect fade at a stable dose?

    Dose course: doses over the diary nights, the number of increases after the
    first run of :data:`STABLE_RUN_NIGHTS` nights at one dose, and the slope
    (mg per 30 days) over the last 60 days on the medicine.  Fading: within the
    longest run at one non-zero dose (≥ :data:`MIN_STABLE_NIGHTS` nights), each
    outcome's change per week on that dose (ratio or difference, 95 % interval,
    same small-sample HAC method).
    """
    diary = data[data["diary"]].sort_values("date")
    dose = diary[DOSE_COLUMN].fillna(0.0).to_numpy(dtype=float)
    out: dict[str, Any] = {"drug": "alprazolam", "nights_on_drug": int((dose > 0).sum())}
    if not (dose > 0).any():
        out["summary"] = "no alprazolam recorded in the diary"
        return out
    runs = _runs(dose)
    stable = next((r for r in runs if r[1] >= STABLE_RUN_NIGHTS and r[2] > 0), None)
    increases = [(s, v) for (s, _n, v), (_s0, _n0, v0) in zip(runs[1:], runs[:-1], strict=True)
                 if v > v0]
    after = [s for s, _v in increases if stable is not None and s > stable[0]]
    on = diary[diary[DOSE_COLUMN] > 0]
    recent = on[on["date"] >= on["date"].max() - pd.Timedelta(days=60)]
    slope = float("nan")
    if recent["day"].nunique() >= 3:
        slope = float(np.polyfit(recent["day"].to_numpy(float),
                                 recent[DOSE_COLUMN].to_numpy(float), 1)[0] * 30.0)
    out["dose_course"] = {
        "first_mg": float(dose[dose > 0][0]), "last_mg": float(dose[-1]),
        "max_mg": float(dose.max()), "increases": len(increases),
        "stable_dose_found": None if stable is None else {
            "dose_mg": stable[2], "from": diary["date"].iloc[stable[0]].date().isoformat(),
            "nights": stable[1]},
        "increases_after_stable": len(after),
        "slope_mg_per_30_days_last_60_days": slope,
        "creeping": bool(len(after) > 0),
    }
    longest = max((r for r in runs if r[2] > 0), key=lambda r: r[1])
    fading: list[dict[str, Any]] = []
    if longest[1] >= MIN_STABLE_NIGHTS:
        seg = diary.iloc[longest[0]:longest[0] + longest[1]]
        weeks = (seg["day"] - seg["day"].iloc[0]).to_numpy(float) / 7.0
        for name in TOLERANCE_OUTCOMES:
            o = next(x for x in OUTCOMES if x.name == name)
            y = seg[name].to_numpy(dtype=float)
            ok = np.isfinite(y)
            if o.exposure:
                expo = seg[o.exposure].to_numpy(dtype=float)
                ok &= np.isfinite(expo) & (expo > 0)
            if ok.sum() < MIN_STABLE_NIGHTS:
                continue
            X = np.column_stack([np.ones(ok.sum()), weeks[ok]])
            offset = None
            yy = y[ok]
            if o.exposure:
                offset = np.log(expo[ok])
                yy = yy * expo[ok] if name.endswith("_index") else yy
            if o.family == "log" and yy.sum() <= 0:
                continue
            fit = _fit_quietly(yy, X, ("intercept", "weeks"), seg["day"].to_numpy()[ok],
                               family=o.family, offset=offset)
            if not fit.converged:
                out.setdefault("warnings", []).append(
                    f"{o.label} week by week at the stable dose: {fit.warning}; left out")
                continue
            b, lo, hi = fit.interval("weeks", level)
            tr = _exp if o.family == "log" else (lambda v: v)
            worse = (lo > 0) if name != "sleep_quality" else (hi < 0)
            fading.append({"outcome": name, "outcome_label": o.label,
                           "scale": "ratio" if o.family == "log" else "difference",
                           "change_per_week": float(tr(b)), "ci_low": float(tr(lo)),
                           "ci_high": float(tr(hi)), "nights": int(ok.sum()),
                           "rising": bool(worse), "clear": bool(lo > 0 or hi < 0)})
    out["stable_period"] = {"dose_mg": longest[2], "nights": longest[1],
                            "from": diary["date"].iloc[longest[0]].date().isoformat()}
    out["fading"] = fading
    course = out["dose_course"]
    levels = sorted({float(v) for v in dose[dose > 0]})
    parts = [f"alprazolam on {out['nights_on_drug']} nights, first {course['first_mg']:g} mg, "
             f"last {course['last_mg']:g} mg"
             + (f", from {levels[0]:g} to {levels[-1]:g} mg over the nights"
                if len(levels) > 1 else "")]
    if stable is not None:
        parts.append(f"{stable[2]:g} mg held {stable[1]} nights from "
                     f"{out['dose_course']['stable_dose_found']['from']}; "
                     f"{len(after)} increase(s) after that")
    if fading:
        rising = [f["outcome_label"] for f in fading if f["rising"]]
        parts.append("at the stable dose " + (f"{', '.join(rising)} rose week by week"
                                              if rising else "no outcome clearly rose "
                                              "week by week"))
    out["summary"] = "; ".join(parts)
    return out


def confounding_notes(data: pd.DataFrame) -> list[str]:
    """Plain-language notes on factors that went together and on doses that tracked time."""
    notes = []
    d = data[data["diary"]]
    cols = [f.name for f in FACTORS] + [DOSE_COLUMN]
    labels = {f.name: f.label for f in FACTORS} | {DOSE_COLUMN: "alprazolam dose"}
    sub = d[cols].astype(float)
    varying = [c for c in cols if sub[c].nunique(dropna=True) > 1]
    if len(varying) >= 2:
        corr = sub[varying].corr().to_numpy()
        for i in range(len(varying)):
            for j in range(i + 1, len(varying)):
                r = corr[i, j]
                if np.isfinite(r) and abs(r) >= ENTANGLED_R:
                    notes.append(f"{labels[varying[i]]} and {labels[varying[j]]} went together "
                                 f"(r = {r:.2f}); their separate effects are uncertain")
    if DOSE_COLUMN in varying and len(d) >= 5:
        r = np.corrcoef(d["day"].to_numpy(float), sub[DOSE_COLUMN].to_numpy())[0, 1]
        if np.isfinite(r) and abs(r) >= ENTANGLED_R:
            notes.append(f"the alprazolam dose {'rose' if r > 0 else 'fell'} over the weeks "
                         f"(r = {r:.2f} with time): anything else that changed over the same "
                         "weeks is mixed into the dose comparison; a planned ABAB schedule "
                         "would separate them")
    return notes


def simulated_note(comparison: Comparison) -> str:
    """What the page says when nights came from the simulator ("" when none did)."""
    n, total = comparison.n_simulated, comparison.n_recorded
    if not n:
        return ""
    which = "All" if n == total else f"{n} of the"
    return (f"Simulated: {which} {total} recorded nights were generated by the somnomotor "
            "physiological model, not recorded from a person. The figures show what the "
            "method finds, not anyone's sleep.")


def _fmt(value: float, scale: str) -> str:
    return f"×{value:.2f}" if scale == "ratio" else f"{value:+.2f}"


def format_effects_table(comparison: Comparison, *, only_clear: bool = False) -> str:
    """A plain-text table of the effects for the terminal."""
    eff = comparison.effects
    header = (f"{comparison.subject}: {comparison.n_diary} diary nights, "
              f"{comparison.n_recorded} recorded ({comparison.first_date} to "
              f"{comparison.last_date})")
    lines = [header, ""]
    if comparison.n_simulated:
        lines[1:1] = [simulated_note(comparison)]
    if not len(eff):
        lines.append("not enough nights to compare yet")
        return "\n".join(lines)
    w = max(len(f"{r.factor_label}, {r.contrast}") for r in eff.itertuples()) + 2
    for outcome in OUTCOMES:
        part = eff[eff["outcome"] == outcome.name]
        if only_clear:
            part = part[part["clear"]]
        if not len(part):
            continue
        scale = part["scale"].iloc[0]
        how = "ratio" if scale == "ratio" else f"difference, {outcome.unit}"
        lines.append(f"{outcome.label} ({how}; {int(part['n_nights'].iloc[0])} nights)")
        for r in part.itertuples():
            mark = " *" if r.clear else ""
            if not r.estimable:
                lines.append(f"  {f'{r.factor_label}, {r.contrast}':<{w}}"
                             "not estimable (no events on those nights, or too few)")
                continue
            lines.append(f"  {f'{r.factor_label}, {r.contrast}':<{w}}"
                         f"{_fmt(r.estimate, scale):>8}  (95% CI {_fmt(r.ci_low, scale)} to "
                         f"{_fmt(r.ci_high, scale)}){mark}")
        lines.append("")
    lines.append("* the 95 % interval excludes no change.")
    lines.append(DISCLAIMER)
    return "\n".join(lines)
