"""A month (or any run) of evenings with a diary, and the nights the model implies.

Two modes:

* ``fast=True`` — the **outcome-level model**: each night's figures are drawn
  directly from expected values.  Rate outcomes (PLMS index, myoclonus index,
  GRM episodes, morning tonic seconds, awakenings) follow
  ``log E[y] = log(base) + Σ β_f x_f + Emax·d/(ED50 + d) + u_t`` with Poisson
  (counts) or gamma (seconds) noise around it; the other outcomes (sleep
  efficiency, morning ratings) are linear in the same factors with normal
  noise, rounded and clipped to their scales.  ``u_t`` is a night-to-night AR(1)
  disturbance (a bad night tends to follow a bad night).  The coefficients
  (:class:`MonthEffects`) are therefore the *true effects* on exactly the scale
  ``somnomotor compare`` estimates — what the acceptance tests check against.
* ``fast=False`` — each night is drawn from the physiological model
  (:func:`somnomotor.simulate.simulate_events` with an
  :class:`~somnomotor.simulate.Evening` built from the diary); the night's
  figures are counted from its ground truth.  Effects then emerge from the
  mechanism (alcohol weakens descending inhibition, alprazolam damps
  excitability with a saturating Emax, warmth calms) with the same directions as
  the fast model but without a closed-form size.  Morning ratings come from the
  rating part of the outcome-level model in both modes.

The diary is a plausible person's: alcohol on some evenings (more at weekends),
varying exertion, stretching, a hot bath or heat at night on some nights, and
alprazolam titrated 0 → 0.5 → 1 → 1.5 → 2 mg in equal blocks (or any plan).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .._version import __version__
from ..diary.csvio import write_diary_csv
from ..diary.entry import DiaryEntry, validate_entry

if TYPE_CHECKING:  # pragma: no cover
    from ..store import Store

#: Factors of the outcome-level model, as ``somnomotor.analysis`` names them.
MONTH_FACTORS: tuple[str, ...] = ("alcohol_units", "exertion", "stretching_10min", "hot_bath",
                                  "heat_at_night", "capsaicin")
#: Plan keys that may override the generated diary night by night.
PLAN_KEYS: tuple[str, ...] = ("alcohol_units", "exertion", "stretching_minutes",
                              "hot_bath_minutes", "heat_at_night", "capsaicin", "alprazolam_mg")
#: Default titration (mg), in equal blocks over the run.
TITRATION_MG: tuple[float, ...] = (0.0, 0.5, 1.0, 1.5, 2.0)


def _default_effects() -> dict[str, dict[str, float]]:
    # Model scale: log ratio for rate outcomes, difference for linear ones.
    return {
        "plms_index": {"alcohol_units": 0.10, "exertion": 0.04, "stretching_10min": -0.03,
                       "hot_bath": -0.08, "heat_at_night": -0.10},
        "myoclonus_index": {"alcohol_units": 0.08, "exertion": 0.05, "heat_at_night": -0.08},
        "grm_episode_count": {"alcohol_units": 0.12, "exertion": 0.06},
        "morning_tonic_seconds": {"exertion": 0.05, "heat_at_night": -0.35, "hot_bath": -0.15,
                                  "stretching_10min": -0.05},
        "sleep_efficiency": {"alcohol_units": -0.012, "exertion": -0.003},
        "morning_stiffness": {"heat_at_night": -1.5, "hot_bath": -0.7, "stretching_10min": -0.3,
                              "exertion": 0.25, "alcohol_units": 0.1},
        "stretch_before_rising_minutes": {"heat_at_night": -4.0, "hot_bath": -2.0,
                                          "exertion": 1.0},
        "penn_frequency": {"alcohol_units": 0.12, "exertion": 0.06, "heat_at_night": -0.3},
        "sleep_quality": {"alcohol_units": -0.15, "heat_at_night": 0.25},
        "awakenings": {"alcohol_units": 0.08},
    }


def _default_emax() -> dict[str, float]:
    return {"plms_index": -0.8, "myoclonus_index": -0.9, "grm_episode_count": -1.0,
            "morning_tonic_seconds": -0.4, "sleep_efficiency": 0.06, "morning_stiffness": -1.2,
            "stretch_before_rising_minutes": -3.0, "penn_frequency": -1.2, "sleep_quality": 0.6,
            "awakenings": -0.3}


#: Per outcome: family ('log' or 'linear'), baseline, night-to-night sd, scale limits.
OUTCOME_MODEL: dict[str, dict[str, Any]] = {
    "plms_index": {"family": "log", "base": 25.0, "sd": 0.15, "noise": "poisson_rate"},
    "myoclonus_index": {"family": "log", "base": 40.0, "sd": 0.15, "noise": "poisson_rate"},
    "grm_episode_count": {"family": "log", "base": 0.5, "sd": 0.2, "noise": "poisson_count"},
    "morning_tonic_seconds": {"family": "log", "base": 120.0, "sd": 0.1, "noise": "gamma",
                              "cv": 0.3},
    "awakenings": {"family": "log", "base": 3.0, "sd": 0.1, "noise": "poisson"},
    "sleep_efficiency": {"family": "linear", "base": 0.84, "sd": 0.04, "limits": (0.3, 1.0)},
    "morning_stiffness": {"family": "linear", "base": 5.5, "sd": 1.0, "limits": (0, 10),
                          "round": True},
    "stretch_before_rising_minutes": {"family": "linear", "base": 14.0, "sd": 4.0,
                                      "limits": (0, 600), "round": True},
    "penn_frequency": {"family": "linear", "base": 2.0, "sd": 0.5, "limits": (0, 4),
                       "round": True},
    "sleep_quality": {"family": "linear", "base": 3.0, "sd": 0.6, "limits": (1, 5),
                      "round": True},
}


@dataclass(frozen=True)
class MonthEffects:
    """The true effects of the outcome-level model.

    ``effects[outcome][factor]``: per unit of the factor (alcohol per standard
    unit, exertion per point, stretching per 10 min, the rest yes vs no), a log
    ratio for rate outcomes and a difference for linear ones.  Alprazolam acts
    as ``emax[outcome] · d / (ed50_mg + d)`` at dose ``d`` mg (a ceiling).
    ``ar1``: night-to-night correlation of the disturbance.
    """

    effects: Mapping[str, Mapping[str, float]] = field(default_factory=_default_effects)
    emax: Mapping[str, float] = field(default_factory=_default_emax)
    ed50_mg: float = 0.5
    ar1: float = 0.3

    @classmethod
    def none(cls) -> MonthEffects:
        """No factor changes anything (to check that ``compare`` claims no effect)."""
        return cls(effects={o: {} for o in OUTCOME_MODEL}, emax={o: 0.0 for o in OUTCOME_MODEL})

    def true_effect(self, outcome: str, factor: str, dose_mg: float | None = None) -> float:
        """The model-scale effect of ``factor`` (or of ``dose_mg`` alprazolam vs none)."""
        if factor == "alprazolam_mg":
            d = float(dose_mg or 0.0)
            return float(self.emax.get(outcome, 0.0) * d / (self.ed50_mg + d))
        return float(self.effects.get(outcome, {}).get(factor, 0.0))


@dataclass
class Month:
    """Simulated nights with their diary.

    ``diary``: validated :class:`DiaryEntry` per night; ``nights``: one row per
    night — ``date`` and the summary figures (``plms_index``, ``myoclonus_index``,
    ``grm_episode_count``, ``morning_tonic_seconds``, ``sleep_efficiency``,
    ``tst_h``, ``tib_h`` …); ``events``: per date, the truth events table (full
    mode only); ``effects``: the fast model's true effects.
    """

    subject: str
    diary: list[DiaryEntry]
    nights: pd.DataFrame
    effects: MonthEffects
    fast: bool
    seed: int
    events: dict[str, pd.DataFrame] = field(default_factory=dict)
    #: Full mode: per date, what :func:`simulate_events` was called with (scenario,
    #: hours, seed, evening, lights-out clock time), so the same nights can be
    #: simulated again with their signals (:func:`write_month`).
    night_inputs: dict[str, dict[str, Any]] = field(default_factory=dict)

    def summaries(self) -> list[tuple[dt.date, dict[str, Any]]]:
        """(date, summary dict) per night, ready for :func:`somnomotor.store.file_night`."""
        out = []
        for row in self.nights.to_dict("records"):
            d = pd.Timestamp(row.pop("date")).date()
            summary = {k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                       for k, v in row.items()}
            summary["provenance"] = {
                "software_version": __version__, "input_sha256": None,
                "parameters": {"simulate_month": {"fast": self.fast, "seed": self.seed}},
                "hypnogram_source": "simulator"}
            out.append((d, summary))
        return out


def _clock(minutes_after_noon: float) -> str:
    m = int(round(minutes_after_noon)) % (24 * 60)
    h, mm = divmod(m + 12 * 60, 60)
    return f"{h % 24:02d}:{mm:02d}"


def _ar1(rng: np.random.Generator, n: int, rho: float, sd: float) -> np.ndarray:
    """A stationary AR(1) series with marginal standard deviation ``sd``."""
    e = rng.normal(0.0, sd * np.sqrt(1.0 - rho ** 2), n)
    u = np.empty(n)
    u[0] = rng.normal(0.0, sd) if n else 0.0
    for i in range(1, n):  # n is nights (tens to hundreds), not samples
        u[i] = rho * u[i - 1] + e[i]
    return u


def _evenings(rng: np.random.Generator, dates: pd.DatetimeIndex,
              plan: Mapping[str, Sequence[float]] | None) -> pd.DataFrame:
    """What the person did each evening (before any plan overrides it)."""
    n = len(dates)
    weekend = np.isin(dates.day_of_week, (4, 5))  # Friday and Saturday evenings
    drinks = rng.random(n) < np.where(weekend, 0.55, 0.25)
    alcohol = np.where(drinks, 1 + rng.poisson(1.2, n), 0).astype(float)
    exertion = np.clip(np.round(rng.normal(4.0, 2.0, n) + weekend * 1.0), 0, 10)
    stretching = np.where(rng.random(n) < 0.6, rng.integers(1, 7, n) * 5, 0).astype(float)
    bath = np.where(rng.random(n) < 0.3, rng.integers(2, 6, n) * 5, 0).astype(float)
    heat = (rng.random(n) < 0.4).astype(float)
    capsaicin = (rng.random(n) < 0.15).astype(float)
    blocks = np.array_split(np.arange(n), len(TITRATION_MG))
    alpraz = np.zeros(n)
    for dose, idx in zip(TITRATION_MG, blocks, strict=True):
        alpraz[idx] = dose
    ev = pd.DataFrame({"alcohol_units": alcohol, "exertion": exertion,
                       "stretching_minutes": stretching, "hot_bath_minutes": bath,
                       "heat_at_night": heat, "capsaicin": capsaicin, "alprazolam_mg": alpraz})
    for key, values in (plan or {}).items():
        if key not in PLAN_KEYS:
            raise ValueError(f"plan key {key!r} is not one of {', '.join(PLAN_KEYS)}")
        arr = np.asarray(values, dtype=float)
        if arr.shape != (n,):
            raise ValueError(f"plan[{key!r}] has {arr.size} values for {n} nights")
        ev[key] = arr
    return ev


def _design(ev: pd.DataFrame) -> dict[str, np.ndarray]:
    return {"alcohol_units": ev["alcohol_units"].to_numpy(),
            "exertion": ev["exertion"].to_numpy(),
            "stretching_10min": ev["stretching_minutes"].to_numpy() / 10.0,
            "hot_bath": (ev["hot_bath_minutes"].to_numpy() > 0).astype(float),
            "heat_at_night": ev["heat_at_night"].to_numpy(),
            "capsaicin": ev["capsaicin"].to_numpy()}


def _linear_predictor(effects: MonthEffects, outcome: str, x: dict[str, np.ndarray],
                      dose: np.ndarray) -> np.ndarray:
    eta = np.zeros(len(dose))
    for factor, beta in effects.effects.get(outcome, {}).items():
        eta += beta * x[factor]
    eta += effects.emax.get(outcome, 0.0) * dose / (effects.ed50_mg + dose)
    return eta


def _draw_outcome(rng: np.random.Generator, outcome: str, eta: np.ndarray, u: np.ndarray,
                  tst_h: np.ndarray) -> np.ndarray:
    m = OUTCOME_MODEL[outcome]
    if m["family"] == "log":
        mean = m["base"] * np.exp(eta + u)
        if m["noise"] == "poisson_rate":
            return rng.poisson(mean * tst_h) / tst_h
        if m["noise"] == "poisson_count":
            return rng.poisson(mean * tst_h).astype(float)
        if m["noise"] == "poisson":
            return rng.poisson(mean).astype(float)
        shape = 1.0 / m["cv"] ** 2
        return rng.gamma(shape, mean / shape)
    y = m["base"] + eta + u
    if m.get("round"):
        y = np.round(y)
    return np.clip(y, *m["limits"])


def simulate_month(subject: str = "demo", nights: int = 30, seed: int = 0,
                   plan: Mapping[str, Sequence[float]] | None = None,
                   effects: MonthEffects | None = None, with_signals: bool = False, *,
                   fast: bool = True, start: dt.date | str = "2024-01-01",
                   scenario: str = "polio_mixed") -> Month:
    """Simulate ``nights`` consecutive nights of one person with a nightly diary.

    Parameters
    ----------
    subject : str
        Subject code written into every diary entry.
    nights : int
        Number of nights (consecutive evenings from ``start``).
    seed : int
        Random seed; the same seed gives the same month.
    plan : mapping, optional
        Per-night values overriding the generated diary, keys in
        :data:`PLAN_KEYS` (e.g. ``{"alprazolam_mg": [...]}`` for an ABAB plan).
    effects : MonthEffects, optional
        True effects of the outcome-level model (defaults: alcohol raises
        movements, alprazolam lowers them with a ceiling, heat lowers stiffness).
    fast : bool
        True: figures from the outcome-level model; False: each night from the
        physiological model's events (:func:`somnomotor.simulate.simulate_events`).
    with_signals : bool
        Not supported here (a month of EDF signals is what ``simulate`` per night
        is for); must be False.

    Examples
    --------
    >>> month = simulate_month("P1", nights=10, seed=3)
    >>> len(month.diary), round(float(month.nights["plms_index"].mean())) > 0
    (10, True)
    """
    if with_signals:
        raise ValueError("simulate_month writes no signals; use simulate_night per night")
    if nights < 1:
        raise ValueError("nights must be at least 1")
    effects = effects or MonthEffects()
    rng = np.random.default_rng(seed)
    dates = pd.date_range(pd.Timestamp(start), periods=nights, freq="D")
    ev = _evenings(rng, dates, plan)
    x = _design(ev)
    dose = ev["alprazolam_mg"].to_numpy()

    # Sleep timing (minutes after noon of the evening's date).
    bedtime = rng.normal(10.8 * 60, 25.0, nights)
    lights_out = bedtime + rng.uniform(5, 20, nights)
    period_h = np.clip(rng.normal(8.0, 0.4, nights), 6.5, 9.5)
    final_awakening = lights_out + period_h * 60.0
    rise = final_awakening + rng.uniform(5, 30, nights)

    last_drink = bedtime - rng.uniform(30, 180, nights)
    u = {o: _ar1(rng, nights, effects.ar1, m["sd"]) for o, m in OUTCOME_MODEL.items()}
    eta = {o: _linear_predictor(effects, o, x, dose) for o in OUTCOME_MODEL}
    se = _draw_outcome(rng, "sleep_efficiency", eta["sleep_efficiency"],
                       u["sleep_efficiency"], period_h)
    tst_h = period_h * se
    out: dict[str, np.ndarray] = {"tib_h": period_h, "sleep_efficiency": se, "tst_h": tst_h}
    events: dict[str, pd.DataFrame] = {}
    inputs: dict[str, dict[str, Any]] = {}
    if fast:
        for o in ("plms_index", "myoclonus_index", "grm_episode_count", "morning_tonic_seconds"):
            out[o] = _draw_outcome(rng, o, eta[o], u[o], tst_h)
    else:
        drink_hours = np.clip((lights_out - last_drink) / 60.0, 0.0, 12.0)
        inputs = _night_inputs(ev, dates, period_h, drink_hours, seed, scenario, lights_out)
        out, events = _nights_from_physiology(inputs)
    for o in ("awakenings", "morning_stiffness", "stretch_before_rising_minutes",
              "penn_frequency", "sleep_quality"):
        out[o] = _draw_outcome(rng, o, eta[o], u[o], out["tst_h"])

    diary = []
    for i, d in enumerate(dates):
        pf = int(out["penn_frequency"][i])
        severity = int(np.clip(round(1 + 0.5 * pf + rng.normal(0, 0.4)), 1, 3)) if pf else None
        meds = ""
        if dose[i] > 0:
            meds = f"alprazolam {dose[i]:g} mg at {_clock(lights_out[i] - 30)}"
        alc = float(ev["alcohol_units"].iat[i])
        values = {
            "date": d.date().isoformat(), "bedtime": _clock(bedtime[i]),
            "lights_out": _clock(lights_out[i]),
            "sol_minutes": round(float(rng.gamma(2.0, 8.0)), 0),
            "awakenings": int(out["awakenings"][i]),
            "waso_minutes": round(float((1 - out["sleep_efficiency"][i]) * period_h[i] * 60 * 0.6)),
            "final_awakening": _clock(final_awakening[i]), "rise_time": _clock(rise[i]),
            "sleep_quality": int(out["sleep_quality"][i]),
            "alcohol_units": alc,
            "last_drink_time": _clock(last_drink[i]) if alc > 0 else "",
            "exertion": float(ev["exertion"].iat[i]),
            "strenuous_minutes": float(max(0, round(ev["exertion"].iat[i] * 8
                                                     + rng.normal(0, 10)))),
            "stretching_minutes": float(ev["stretching_minutes"].iat[i]),
            "posture_breaks": int(rng.poisson(4)),
            "hot_bath_minutes": float(ev["hot_bath_minutes"].iat[i]),
            "hot_bath_time": _clock(bedtime[i] - 40) if ev["hot_bath_minutes"].iat[i] > 0 else "",
            "heating_pad": "yes" if ev["heat_at_night"].iat[i] > 0 else "no",
            "warm_clothing": "no", "capsaicin": "yes" if ev["capsaicin"].iat[i] > 0 else "no",
            "morning_stiffness": float(out["morning_stiffness"][i]),
            "stretch_before_rising_minutes": float(out["stretch_before_rising_minutes"][i]),
            "penn_frequency": pf, "penn_severity": severity if severity else "",
            "medications": meds,
        }
        diary.append(validate_entry(values, subject=subject, where="simulated diary"))

    nights_df = pd.DataFrame({"date": dates})
    for k in ("tib_h", "tst_h", "sleep_efficiency", "plms_index", "myoclonus_index",
              "grm_episode_count", "morning_tonic_seconds"):
        nights_df[k] = np.asarray(out[k], dtype=float)
    nights_df["plms_count"] = np.round(nights_df["plms_index"] * nights_df["tst_h"])
    return Month(subject, diary, nights_df, effects, fast, seed, events, inputs)


def _night_inputs(ev: pd.DataFrame, dates: pd.DatetimeIndex, period_h: np.ndarray,
                  drink_hours: np.ndarray, seed: int, scenario: str, lights_out: np.ndarray
                  ) -> dict[str, dict[str, Any]]:
    """Per date, the physiological model's inputs for that night."""
    from ..simulate import Evening

    inputs: dict[str, dict[str, Any]] = {}
    for i, d in enumerate(dates):
        evening = Evening(alcohol_units=float(ev["alcohol_units"].iat[i]),
                          alcohol_hours_before_bed=float(drink_hours[i]),
                          exertion=int(ev["exertion"].iat[i]),
                          exertion_minutes=int(ev["exertion"].iat[i] * 8),
                          stretching_minutes=int(ev["stretching_minutes"].iat[i]),
                          hot_bath_minutes=int(ev["hot_bath_minutes"].iat[i]),
                          heat_at_night=bool(ev["heat_at_night"].iat[i]),
                          alprazolam_mg=float(ev["alprazolam_mg"].iat[i]))
        inputs[d.date().isoformat()] = {
            "scenario": scenario, "hours": float(period_h[i]), "seed": seed * 100_003 + i,
            "evening": evening, "lights_out": _clock(lights_out[i])}
    return inputs


def _nights_from_physiology(inputs: Mapping[str, Mapping[str, Any]]
                            ) -> tuple[dict[str, np.ndarray], dict[str, pd.DataFrame]]:
    """Each night from the physiological model; figures counted from its ground truth."""
    from ..simulate import simulate_events

    cols: dict[str, list[float]] = {k: [] for k in ("tib_h", "tst_h", "sleep_efficiency",
                                                    "plms_index", "myoclonus_index",
                                                    "grm_episode_count",
                                                    "morning_tonic_seconds")}
    events: dict[str, pd.DataFrame] = {}
    for date, night in inputs.items():
        hyp, truth, _scored = simulate_events(night["scenario"], hours=night["hours"],
                                              seed=night["seed"], evening=night["evening"])
        figures = night_figures_from_truth(hyp, truth)
        for k in cols:
            cols[k].append(figures[k])
        events[date] = truth
    return {k: np.asarray(v, dtype=float) for k, v in cols.items()}, events


def write_month(month: Month, out_dir: str | os.PathLike[str], *, fs: float = 256.0,
                progress: Callable[[str], None] | None = None) -> dict[str, Path]:
    """Write a full-mode month as files: one EDF+ (and truth) per night, and the diary.

    Each night is simulated again *with* its signals from the same inputs, so its
    truth equals :attr:`Month.events`; the recording starts at the diary's
    lights-out on the night's date (so ``analyze --subject`` files it under the
    right evening). Writes ``night-YYYY-MM-DD.edf`` (+ ``.truth.csv``) and
    ``diary.csv`` (importable with ``somnomotor diary import``).

    Examples
    --------
    >>> month = simulate_month("P1", nights=1, seed=1, fast=False)   # one 8-h night
    >>> write_month(month, "month-files")["diary"].name
    'diary.csv'
    """
    from ..simulate import simulate_night, write_night

    if month.fast or not month.night_inputs:
        raise ValueError("only a full-mode month (fast=False) can be written as recordings")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    for date, night in month.night_inputs.items():
        if progress:
            progress(f"night of {date}")
        sim = simulate_night(night["scenario"], hours=night["hours"], seed=night["seed"],
                             fs=fs, evening=night["evening"])
        hh, mm = (int(v) for v in night["lights_out"].split(":"))
        start = dt.datetime.combine(dt.date.fromisoformat(date), dt.time(hh, mm))
        if hh < 12:  # lights out after midnight: the next calendar day
            start += dt.timedelta(days=1)
        sim.recording = dataclasses.replace(sim.recording, start=start)
        paths[date] = write_night(sim, out / f"night-{date}.edf")
    paths["diary"] = out / "diary.csv"
    write_diary_csv(month.diary, paths["diary"])
    return paths


def night_figures_from_truth(hypnogram: Any, truth: pd.DataFrame) -> dict[str, float]:
    """Summary figures of one simulated night counted from its ground-truth events.

    PLMS index = truth ``plm`` rows with onset in sleep per hour of total sleep
    time; myoclonus index likewise for ``myoclonus``; GRM episodes = ``grm``
    rows; morning tonic seconds = summed ``morning_tonic`` durations; sleep
    efficiency = sleep epochs / scored epochs.
    """
    sleep = hypnogram.is_sleep()
    scored = hypnogram.stages != "?"
    tst_h = float(sleep.sum() * hypnogram.epoch / 3600.0)
    tib_h = float(scored.sum() * hypnogram.epoch / 3600.0)
    stage = hypnogram.stage_at(truth["onset"].to_numpy()) if len(truth) else np.array([])
    in_sleep = np.isin(stage, ("N1", "N2", "N3", "R"))
    kind = truth["kind"].to_numpy() if len(truth) else np.array([])
    per_h = (lambda n: n / tst_h) if tst_h > 0 else (lambda n: float("nan"))
    return {
        "tib_h": tib_h, "tst_h": tst_h,
        "sleep_efficiency": tst_h / tib_h if tib_h > 0 else float("nan"),
        "plms_index": per_h(float(np.sum((kind == "plm") & in_sleep))),
        "myoclonus_index": per_h(float(np.sum((kind == "myoclonus") & in_sleep))),
        "grm_episode_count": float(np.sum(kind == "grm")),
        "morning_tonic_seconds": float(truth.loc[kind == "morning_tonic", "duration"].sum())
        if len(truth) else 0.0,
    }


def load_month_into_store(store: Store, month: Month) -> int:
    """Put a simulated month into ``store``: the diary (one transaction) and every night.

    Returns the number of nights filed.
    """
    from ..store import file_night

    store.add_diary_entries(month.diary, create_subject=True)
    n = 0
    for d, summary in month.summaries():
        file_night(store, month.subject, d, summary, events=month.events.get(d.isoformat()),
                   recording_path=f"simulated:{month.subject}/{d.isoformat()}")
        n += 1
    return n
