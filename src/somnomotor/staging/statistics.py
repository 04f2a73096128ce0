"""Sleep statistics from a hypnogram, to the AASM definitions.

Every index somnomotor reports "per hour of sleep" rests on these figures, so
each one is defined here once, in words and in code.

Definitions (AASM Manual for the Scoring of Sleep and Associated Events,
v2.6, 2020, chapter II.B "Sleep scoring data"; Iber et al. 2007):

* **Time in bed (TIB)** — lights off → lights on (the AASM "total recording
  time", TRT).  When ``lights_off``/``lights_on`` are not given, the scored
  span of the hypnogram: from the start of the first scored epoch to the end of
  the last scored epoch.  Unscored (``?``) epochs at the ends are therefore
  outside TIB; unscored epochs inside it count as time in bed that is not sleep.
* **Sleep onset** — the start of the first epoch of any sleep stage
  (N1, N2, N3 or R) within TIB.
* **Sleep-onset latency (SOL)** — lights off → sleep onset (min).
* **Final awakening** — the end of the last sleep epoch, in seconds from the
  recording start (``final_awakening_s``).  When the last sleep epoch is the
  last epoch of the hypnogram, the final awakening is the hypnogram's end.
* **Sleep period time (SPT)** — sleep onset → final awakening (min).
* **Total sleep time (TST)** — minutes of N1 + N2 + N3 + R within TIB.
* **Sleep efficiency** — TST / TIB as a *fraction* 0–1 (not a percentage).
* **Sleep maintenance efficiency** — TST / SPT, fraction 0–1.
* **REM latency** — sleep onset → the first R epoch (min), AASM item 6.
* **WASO** (AASM item 7) — minutes of stage W from sleep onset to lights on
  ("stage W during TRT minus SL"); this includes wake after the final
  awakening.  ``waso_spt_min`` is the narrower, also common, definition:
  stage W between sleep onset and the final awakening only.  Unscored epochs
  count in neither (they are reported as ``unscored_min``).
* **Stage minutes** (``wake_min``, ``n1_min``, ``n2_min``, ``n3_min``,
  ``rem_min``) within TIB, and **stage percentages of TST**
  (``n1_percent`` … ``rem_percent``, 0–100).
* **Awakenings** (``awakening_count``) — the number of times sleep gives way
  to stage W after sleep onset, within TIB (a run of W epochs counts once;
  unscored epochs between sleep and W are skipped over).  The final awakening
  counts when stage W follows it within TIB.
* **Stage shifts** (``stage_shift_count``) — the number of changes of stage
  between consecutive scored epochs within TIB (unscored epochs skipped over).

Values that do not exist for a night are ``None`` (JSON ``null``), never NaN:
e.g. SOL, SPT, WASO and REM latency when there is no sleep, stage percentages
when TST is 0, everything but TIB when no epoch is scored.

How these differ from YASA's ``yasa.Hypnogram.sleep_statistics()`` (v0.8):
YASA's TIB is the whole hypnogram, unscored ends included, and its SOL counts
from the hypnogram's first epoch; YASA's ``Lat_REM`` counts from the start of
the hypnogram (AASM: from sleep onset, i.e. ``Lat_REM - SOL``); YASA's
``WASO`` is wake within SPT (our ``waso_spt_min``); YASA's ``SE`` and stage
percentages are percentages, our ``sleep_efficiency`` is a fraction; YASA
returns NaN and 0 where we return None (SOL, SPT with no sleep).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from ..errors import AnnotationError, ParameterError
from ..hypnogram import SLEEP_STAGES, Hypnogram

#: Stage code → the key prefix used in the statistics.
_STAGE_KEYS: dict[str, str] = {"W": "wake", "N1": "n1", "N2": "n2", "N3": "n3", "R": "rem"}

#: Every key :func:`sleep_statistics` returns, in order.
STATISTICS_KEYS: tuple[str, ...] = (
    "tib_h", "tst_h", "sleep_efficiency", "sol_min", "waso_min",
    "tib_min", "tst_min", "spt_min", "waso_spt_min", "rem_latency_min",
    "sleep_maintenance_efficiency", "unscored_min",
    "wake_min", "n1_min", "n2_min", "n3_min", "rem_min",
    "n1_percent", "n2_percent", "n3_percent", "rem_percent",
    "awakening_count", "stage_shift_count",
    "lights_off_s", "lights_on_s", "sleep_onset_s", "final_awakening_s",
)


_LIGHTS_OFF = re.compile(r"\b(?:off|out)\b")
_LIGHTS_ON = re.compile(r"\bon\b")


def find_lights(scored_events: pd.DataFrame) -> dict[str, float | None]:
    """Lights off and lights on (s from the recording start) from scored events.

    Looks at rows of kind ``lights`` (``somnomotor.events.SCORED_KINDS``) whose
    label reads like "Lights off"/"Lights out" or "Lights on"; takes the first
    lights-off and the last lights-on after it.  Missing ones are None.

    Returns
    -------
    dict
        ``{"lights_off": s or None, "lights_on": s or None}``, ready to pass
        as keyword arguments to :func:`sleep_statistics`.

    Raises
    ------
    AnnotationError
        Lights on is scored only before lights off.

    Examples
    --------
    >>> ev = pd.DataFrame({"onset": [12.0, 28800.0], "duration": [0.0, 0.0],
    ...                    "kind": ["lights", "lights"], "channel": ["", ""],
    ...                    "label": ["Lights off", "Lights on"]})
    >>> find_lights(ev)
    {'lights_off': 12.0, 'lights_on': 28800.0}
    """
    out: dict[str, float | None] = {"lights_off": None, "lights_on": None}
    if scored_events is None or not len(scored_events) or "kind" not in scored_events:
        return out
    rows = scored_events[scored_events["kind"] == "lights"]
    labels = rows["label"].astype(str).str.lower().str.replace(r"[_\-]", " ", regex=True)
    onsets = rows["onset"].to_numpy(dtype=float)
    off = onsets[labels.str.contains(_LIGHTS_OFF).to_numpy()]
    on = onsets[labels.str.contains(_LIGHTS_ON).to_numpy()]
    if off.size:
        out["lights_off"] = float(off.min())
    if on.size:
        later = on[on > off.min()] if off.size else on
        if not later.size:
            raise AnnotationError(f"lights on ({on.max():g} s) is scored only before lights "
                                  f"off ({off.min():g} s)")
        out["lights_on"] = float(later.max())
    return out


def _time_window(hypnogram: Hypnogram, lights_off: float | None,
                 lights_on: float | None) -> tuple[float, float] | None:
    """TIB as (start s, end s) from the recording start, or None when undefined."""
    scored = np.flatnonzero(hypnogram.stages != "?")
    onsets = hypnogram.epoch_onsets()
    start: float | None = lights_off
    end: float | None = lights_on
    if start is None and scored.size:
        start = float(onsets[scored[0]])
    if end is None and scored.size:
        end = float(onsets[scored[-1]] + hypnogram.epoch)
    if start is None or end is None:
        return None
    for name, value in (("lights_off", start), ("lights_on", end)):
        if not np.isfinite(value):
            raise ParameterError(f"{name} must be a finite time in seconds, not {value!r}")
    if end <= start:
        raise ParameterError(f"lights on ({end:g} s) must come after lights off ({start:g} s)")
    return float(start), float(end)


def _scored_sequence(stages: np.ndarray) -> np.ndarray:
    """The stages with unscored epochs removed (for shifts and awakenings)."""
    return stages[stages != "?"]


def sleep_statistics(hypnogram: Hypnogram, *, lights_off: float | None = None,
                     lights_on: float | None = None) -> dict[str, Any]:
    """Sleep statistics of one night to the AASM definitions (see the module docstring).

    Parameters
    ----------
    hypnogram : Hypnogram
        Stages per epoch (``W N1 N2 N3 R ?``).
    lights_off, lights_on : float, optional
        Seconds from the recording start.  Default: the scored span of the
        hypnogram.  An epoch belongs to time in bed when its midpoint lies in
        ``[lights_off, lights_on)``; time in bed itself is ``lights_on -
        lights_off`` (time not covered by the hypnogram counts as unscored).

    Returns
    -------
    dict
        Keys :data:`STATISTICS_KEYS`: durations in minutes (``*_min``) or hours
        (``*_h``), times in seconds from the recording start (``*_s``),
        efficiencies as fractions 0–1, stage percentages of TST 0–100, counts
        as int; ``None`` where a value is undefined for this night.

    Examples
    --------
    >>> hyp = Hypnogram.from_labels(["W", "W", "N1", "N2", "N2", "W", "N2", "R", "W"])
    >>> s = sleep_statistics(hyp)
    >>> s["tst_min"], s["sol_min"], s["waso_min"], s["waso_spt_min"], s["final_awakening_s"]
    (2.5, 1.0, 1.0, 0.5, 240.0)
    >>> round(s["sleep_efficiency"], 3)
    0.556
    """
    out: dict[str, Any] = dict.fromkeys(STATISTICS_KEYS)
    window = _time_window(hypnogram, lights_off, lights_on)
    if window is None:
        return out
    start, end = window
    tib_s = end - start
    out.update(lights_off_s=start, lights_on_s=end, tib_min=tib_s / 60.0, tib_h=tib_s / 3600.0)

    ep = float(hypnogram.epoch)
    mids = hypnogram.epoch_onsets() + ep / 2.0
    inside = (mids >= start) & (mids < end)
    idx = np.flatnonzero(inside)
    stages = hypnogram.stages[idx]
    scored = stages != "?"
    if not scored.any():
        return out

    minutes = ep / 60.0
    for code, key in _STAGE_KEYS.items():
        out[f"{key}_min"] = float(np.count_nonzero(stages == code) * minutes)
    tst_min = float(sum(out[f"{_STAGE_KEYS[c]}_min"] for c in SLEEP_STAGES))
    out["tst_min"] = tst_min
    out["tst_h"] = tst_min / 60.0
    out["sleep_efficiency"] = tst_min / out["tib_min"]
    out["unscored_min"] = max(0.0, out["tib_min"] - float(np.count_nonzero(scored)) * minutes)

    seq = _scored_sequence(stages)
    out["stage_shift_count"] = int(np.count_nonzero(seq[1:] != seq[:-1]))

    sleep = np.isin(stages, SLEEP_STAGES)
    if not sleep.any():
        out["awakening_count"] = 0
        return out
    first, last = np.flatnonzero(sleep)[[0, -1]]
    onset_s = float(hypnogram.epoch_onsets()[idx[first]])
    final_s = float(hypnogram.epoch_onsets()[idx[last]] + ep)
    out["sleep_onset_s"] = onset_s
    out["final_awakening_s"] = final_s
    out["sol_min"] = max(0.0, onset_s - start) / 60.0
    out["spt_min"] = (final_s - onset_s) / 60.0
    out["sleep_maintenance_efficiency"] = tst_min / out["spt_min"]
    wake = stages == "W"
    out["waso_min"] = float(np.count_nonzero(wake[first:]) * minutes)
    out["waso_spt_min"] = float(np.count_nonzero(wake[first:last + 1]) * minutes)
    rem = np.flatnonzero(stages == "R")
    if rem.size:
        out["rem_latency_min"] = float(hypnogram.epoch_onsets()[idx[rem[0]]] - onset_s) / 60.0
    after_onset = _scored_sequence(stages[first:])
    out["awakening_count"] = int(np.count_nonzero((after_onset[1:] == "W")
                                                  & (after_onset[:-1] != "W")))
    for code in SLEEP_STAGES:
        key = _STAGE_KEYS[code]
        out[f"{key}_percent"] = 100.0 * out[f"{key}_min"] / tst_min
    return out


#: Indices per hour rest on at least this much time (min): over less sleep (or, without
#: stages, less recording) a handful of events makes any rate (1 PLM in 1 min = 60/h).
MIN_SLEEP_FOR_INDICES_MIN = 30.0


def indices_interpretability(stats: dict[str, Any], index_basis: str,
                             recording_duration_s: float) -> dict[str, Any]:
    """Whether a night's indices per hour can be read, and why not.

    The denominator of every index is TST (``index_basis == "sleep"``) or, with
    no stages, the recording (``"recording"``).  Under
    :data:`MIN_SLEEP_FOR_INDICES_MIN` minutes of it, the indices are still
    reported but marked not interpretable.

    Returns the summary keys ``indices_interpretable`` (bool),
    ``min_sleep_for_indices_min`` and ``indices_note`` (None, or one line why not).

    Examples
    --------
    >>> r = indices_interpretability({"tst_min": 1.0}, "sleep", 7200.0)
    >>> r["indices_interpretable"], r["indices_note"]
    (False, 'only 1 min of sleep (fewer than 30 min): the indices per hour of sleep are not interpretable')
    """
    if index_basis == "sleep":
        minutes = stats.get("tst_min") or 0.0
        what, per = "of sleep", "per hour of sleep"
    else:
        minutes = recording_duration_s / 60.0
        what, per = "of recording", "per hour of recording"
    ok = minutes >= MIN_SLEEP_FOR_INDICES_MIN
    note = None if ok else (f"only {minutes:.3g} min {what} (fewer than "
                            f"{MIN_SLEEP_FOR_INDICES_MIN:g} min): the indices {per} are not "
                            "interpretable")
    return {"indices_interpretable": ok, "min_sleep_for_indices_min": MIN_SLEEP_FOR_INDICES_MIN,
            "indices_note": note}
