"""One table per subject: a row per night, the diary's factors beside the night's outcomes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..diary.csvio import diary_frame
from ..diary.entry import DiaryEntry


@dataclass(frozen=True)
class Factor:
    """Something the person did, as it enters the comparison."""

    name: str
    label: str
    contrast: str  # how the effect is expressed, e.g. "per standard unit", "yes vs no"
    binary: bool


@dataclass(frozen=True)
class Outcome:
    """A night's figure or a morning rating compared across nights.

    ``family``: ``"log"`` (effects are ratios) or ``"linear"`` (differences);
    ``exposure``: a column whose log is the offset (the count is then
    ``value × exposure``, e.g. an index per hour × hours of sleep).
    """

    name: str
    label: str
    unit: str
    family: str
    source: str  # "night" (from a recording) or "diary" (morning rating)
    exposure: str | None = None


FACTORS: tuple[Factor, ...] = (
    Factor("alcohol_units", "evening alcohol", "per standard unit", False),
    Factor("exertion", "daytime exertion", "per point (0–10)", False),
    Factor("stretching_10min", "stretching", "per 10 minutes", False),
    Factor("hot_bath", "hot bath before bed", "yes vs no", True),
    Factor("heat_at_night", "heat at night (pad or warm clothing)", "yes vs no", True),
    Factor("capsaicin", "topical capsaicin", "yes vs no", True),
)
FACTOR_BY_NAME: dict[str, Factor] = {f.name: f for f in FACTORS}
#: The medicine whose dose–response and tolerance are followed.
DOSE_DRUG = "alprazolam"
DOSE_COLUMN = "alprazolam_mg"
#: Doses are grouped to this step (mg) before comparing levels.
DOSE_STEP_MG = 0.25

OUTCOMES: tuple[Outcome, ...] = (
    Outcome("plms_index", "PLMS index", "/h of sleep", "log", "night", "tst_h"),
    Outcome("myoclonus_index", "myoclonus index", "/h of sleep", "log", "night", "tst_h"),
    Outcome("grm_episode_count", "GRM episodes", "per hour of sleep", "log", "night", "tst_h"),
    Outcome("morning_tonic_seconds", "morning tonic activity", "s", "log", "night"),
    Outcome("sleep_efficiency", "sleep efficiency", "fraction", "linear", "night"),
    Outcome("morning_stiffness", "morning stiffness", "0–10", "linear", "diary"),
    Outcome("stretch_before_rising_minutes", "stretching needed before rising", "min",
            "linear", "diary"),
    Outcome("penn_frequency", "night spasms (Penn frequency)", "0–4", "linear", "diary"),
    Outcome("sleep_quality", "sleep quality", "1–5", "linear", "diary"),
    Outcome("awakenings", "awakenings", "count", "log", "diary"),
)
OUTCOME_BY_NAME: dict[str, Outcome] = {o.name: o for o in OUTCOMES}
#: A filed night whose recording path starts so came from the simulator, not from a person.
SIMULATED_PREFIX = "simulated:"
_NIGHT_COLUMNS = ("tst_h", "tib_h", *(o.name for o in OUTCOMES if o.source == "night"))


def assemble_nights(diary: list[DiaryEntry], nights: pd.DataFrame) -> pd.DataFrame:
    """Join the diary and the recorded nights by date into one table.

    ``nights``: as :meth:`somnomotor.store.Store.nights` returns (``night_date``
    plus summary columns).  The result has ``date``, ``day`` (days since the
    first night), the factor columns of :data:`FACTORS`, ``alprazolam_mg`` and
    every outcome of :data:`OUTCOMES` (NaN where not recorded), ``recorded`` and
    ``simulated`` (the night was filed from the simulator: its recording path
    starts with :data:`SIMULATED_PREFIX`), sorted by date.
    """
    d = diary_frame(diary, drugs=(DOSE_DRUG,))
    fac = pd.DataFrame({"date": d["date"]})
    fac["alcohol_units"] = d["alcohol_units"]
    fac["exertion"] = d["exertion"]
    fac["stretching_10min"] = d["stretching_minutes"] / 10.0
    fac["hot_bath"] = np.where(d["hot_bath_minutes"].isna(), np.nan,
                               (d["hot_bath_minutes"] > 0).astype(float))
    fac["heat_at_night"] = np.fmax(d["heating_pad"].to_numpy(), d["warm_clothing"].to_numpy())
    fac["capsaicin"] = d["capsaicin"]
    fac[DOSE_COLUMN] = (d[DOSE_COLUMN] / DOSE_STEP_MG).round() * DOSE_STEP_MG
    for o in OUTCOMES:
        if o.source == "diary":
            fac[o.name] = d[o.name]
    n = pd.DataFrame({"date": pd.to_datetime(nights["night_date"])}) if len(nights) else \
        pd.DataFrame({"date": pd.Series(dtype="datetime64[ns]")})
    for col in _NIGHT_COLUMNS:
        n[col] = pd.to_numeric(nights[col], errors="coerce") if col in nights else np.nan
    n["recorded"] = True
    paths = nights["recording_path"] if "recording_path" in nights else pd.Series(dtype=object)
    n["simulated"] = (paths.astype("string").str.startswith(SIMULATED_PREFIX).fillna(False)
                      .to_numpy(dtype=bool) if len(paths) == len(n) else False)
    out = fac.merge(n, on="date", how="outer").sort_values("date").reset_index(drop=True)
    out["recorded"] = out["recorded"].astype("boolean").fillna(False).astype(bool)
    out["simulated"] = out["simulated"].astype("boolean").fillna(False).astype(bool)
    out["diary"] = out["date"].isin(fac["date"])
    first = out["date"].min() if len(out) else pd.Timestamp("1970-01-01")
    out["day"] = ((out["date"] - first).dt.days).astype("int64")
    return out
