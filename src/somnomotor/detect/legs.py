"""Leg movements (LM) in the tibialis anterior EMG, per leg, to WASM 2016.

WASM 2016 (Ferri et al., Sleep Med 26:86–95; Table 3 of PMC9619152):

- onset: the EMG rises 8 µV above the resting level;
- offset: the start of a period of at least 0.5 s during which the EMG stays
  no more than 2 µV above the resting level;
- minimum duration 0.5 s;
- computer detection: the event must hold a 0.5-s window whose median is at
  least 2 µV above the resting level (the morphology rule of Skeba et al.,
  Sleep Breath 2016;20:1293, adopted by WASM 2016 for computer scoring);
- LMs of the same leg less than 0.5 s apart are one LM.

"EMG" here is the envelope (moving mean of the rectified, band-passed,
mains-notched, ECG-cleaned signal; :mod:`somnomotor.signal.condition`); the
resting level is its running robust baseline.  Everything is vectorised over
the envelope at ~100 Hz.  :func:`detect_leg_channel` works on a channel
conditioned once (:func:`somnomotor.signal.condition.condition_recording`,
which the whole analysis shares with the burst detector);
:func:`detect_leg_movements` is the same for a recording's legs alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._util import range_max, runs
from ..errors import MontageError
from ..params import param
from ..recording import ChannelInfo, Recording
from ..signal.baseline import detection_thresholds
from ..signal.condition import ConditionedEMG, ConditionParams, RPeaks, condition_recording

__all__ = ["LegDetectParams", "LM_COLUMNS", "QUALITY_COLUMNS", "SAME_LEG_GAP_S", "LegChannel",
           "assemble_leg_movements", "detect_leg_channel", "detect_leg_movements",
           "detect_lms_in_channel", "find_leg_channels", "usable_leg_channels"]

#: WASM 2016: LMs of the same leg less than 0.5 s apart (offset to onset) are one LM.  The
#: one source of this constant: the scorer's ``[legs] same_leg_gap_s`` defaults to it and
#: the analysis hands that value to the detector.
SAME_LEG_GAP_S = 0.5

#: Columns of the LM table returned by :func:`detect_leg_movements`.
LM_COLUMNS: tuple[str, ...] = ("onset", "duration", "side", "channel", "amplitude_uv")
#: Columns of the per-channel quality table.
QUALITY_COLUMNS: tuple[str, ...] = (
    "label", "muscle", "side", "fs", "resting_level_uv", "mains_hz", "flagged_s",
    "excluded_s", "lm_count", "ecg_removed", "residual_ecg", "notes",
)

#: Below this sampling rate (Hz) a channel cannot carry surface EMG; it is skipped.
_MIN_EMG_FS = 40.0
#: A resting level (µV) outside this range suggests a wrong unit (e.g. mV read as µV).
_PLAUSIBLE_REST_UV = (0.05, 200.0)


@dataclass(frozen=True)
class LegDetectParams(ConditionParams):
    """Constants of leg-movement detection (TOML section ``[leg_detection]``).

    Inherits conditioning and resting-level constants (band 10–100 Hz, mains,
    envelope, 60-s resting level, 16-µV flag, Moore 2014 noise-adaptive option).
    """

    onset_threshold_uv: float = 8.0  # WASM 2016: onset 8 µV above resting
    offset_threshold_uv: float = param(2.0, at_most="onset_threshold_uv")  # WASM 2016: offset ≤ 2 µV above resting …
    offset_quiet_s: float = 0.5  # … held for ≥ 0.5 s; offset at its start
    min_duration_s: float = 0.5  # WASM 2016 / AASM: minimum LM duration
    morphology_rule: bool = True  # WASM 2016 computer detection (Skeba 2016)
    morphology_window_s: float = 0.5  # a 0.5-s window …
    morphology_median_uv: float = 2.0  # … whose median is ≥ 2 µV above resting
    threads: int = param(2, lo=1)  # legs conditioned in parallel (detect_leg_movements alone)


def find_leg_channels(recording: Recording, channels: list[str] | None = None
                      ) -> list[ChannelInfo]:
    """The tibialis anterior channels of a recording (by the montage), or those named.

    An empty list means the recording has no leg channel; a named channel
    that does not exist raises :class:`MontageError`.

    Examples
    --------
    >>> [c.label for c in find_leg_channels(rec)]
    ['LAT', 'RAT']
    """
    if channels:
        return [recording.channel(label) for label in channels]
    return [c for c in recording.channels if c.muscle == "tibialis_anterior"]


def detect_lms_in_channel(cond: ConditionedEMG, params: LegDetectParams | None = None, *,
                          same_leg_gap_s: float = SAME_LEG_GAP_S
                          ) -> tuple[pd.DataFrame, dict[str, Any]]:
    """LMs (onset s, duration s, amplitude_uv) in one conditioned tibialis channel.

    Returns the LMs and counts of what was rejected (``short``,
    ``morphology``, ``flagged``).  ``amplitude_uv`` is the peak of the
    envelope above the resting level, µV.

    Examples
    --------
    >>> from somnomotor.signal.condition import condition_emg
    >>> cond = condition_emg(x, 256.0, params=LegDetectParams())
    >>> lms, rejected = detect_lms_in_channel(cond)
    >>> list(lms.columns), sorted(rejected)
    (['onset', 'duration', 'amplitude_uv'], ['flagged', 'merged', 'morphology', 'short'])
    """
    p = params or LegDetectParams()
    env, rest, fs = cond.envelope, cond.rest, cond.fs_envelope
    n = env.size
    counts = {"short": 0, "morphology": 0, "flagged": 0, "merged": 0}
    empty = pd.DataFrame({"onset": pd.Series(dtype=float), "duration": pd.Series(dtype=float),
                          "amplitude_uv": pd.Series(dtype=float)})
    if n == 0 or cond.flat:
        return empty, counts
    valid = ~cond.no_data
    on_thr, off_thr = detection_thresholds(rest, p.onset_threshold_uv, p.offset_threshold_uv, p)
    with np.errstate(invalid="ignore"):
        above = (env >= on_thr) & valid
        quiet = (env <= off_thr) | ~valid  # no data ends an event, never starts one
    idx_on = np.flatnonzero(above)
    if idx_on.size == 0:
        return empty, counts
    qs, qe = runs(quiet)
    long = (qe - qs) >= int(round(p.offset_quiet_s * fs))
    qs, qe = qs[long], qe[long]
    # Non-quiet segments between long quiet runs; an LM starts at the first onset crossing
    # in a segment and ends where the next long quiet run starts (WASM 2016 offset rule).
    seg_a = np.concatenate([[0], qe])
    seg_b = np.concatenate([qs, [n]])
    j = np.searchsorted(idx_on, seg_a)
    has = (j < idx_on.size)
    has[has] = idx_on[j[has]] < seg_b[has]
    a = idx_on[j[has]]
    b = seg_b[has]
    # Same leg: LMs less than 0.5 s apart (offset → onset) are one LM.
    if a.size > 1:
        close = (a[1:] - b[:-1]) < same_leg_gap_s * fs
        counts["merged"] = int(close.sum())
        if close.any():
            first = np.concatenate([[True], ~close])
            last = np.concatenate([~close, [True]])
            a, b = a[first], b[last]
    # Minimum duration.
    ok = (b - a) >= int(np.ceil(p.min_duration_s * fs - 1e-9))
    counts["short"] = int((~ok).sum())
    a, b = a[ok], b[ok]
    excess = np.where(valid, env - rest, np.float32(-np.inf)).astype(np.float32, copy=False)
    if p.morphology_rule and a.size:
        w = max(1, int(round(p.morphology_window_s * fs)))
        w = w if w % 2 == 1 else w - 1 if w > 1 else 1
        c = np.zeros(n + 1, dtype=np.int32)  # running count of hits (a night < 2**31 samples)
        np.cumsum(excess >= p.morphology_median_uv, dtype=np.int32, out=c[1:])
        win = c[w:] - c[:-w]  # hits in the window starting at i (length n - w + 1)
        last_start = np.maximum(a + 1, b - w + 1)  # windows fully inside the LM
        best = range_max(win, np.minimum(a, win.size - 1), np.minimum(last_start, win.size))
        good = best >= (w + 1) // 2
        counts["morphology"] = int((~good).sum())
        a, b = a[good], b[good]
    if cond.flagged and a.size:
        t_on = a / fs
        inside = np.zeros(a.size, dtype=bool)
        for f_on, f_dur in cond.flagged:  # few flagged stretches
            inside |= (t_on >= f_on) & (t_on < f_on + f_dur)
        counts["flagged"] = int(inside.sum())
        a, b = a[~inside], b[~inside]
    amp = range_max(excess, a, b) if a.size else np.zeros(0, np.float32)
    out = pd.DataFrame({"onset": a / fs, "duration": (b - a) / fs,
                        "amplitude_uv": amp.astype(float)})
    return out, counts


def _side_of(ch: ChannelInfo, k: int, notes: list[str]) -> str:
    if ch.side in ("left", "right"):
        return ch.side
    side = ("left", "right")[k % 2]
    notes.append(f"side of '{ch.label}' unknown; treated as {side}")
    return side


def usable_leg_channels(legs: list[ChannelInfo]
                        ) -> tuple[list[ChannelInfo], dict[str, str], dict[str, list[str]]]:
    """The leg channels that can carry EMG, each leg's side, and notes per channel."""
    notes_by: dict[str, list[str]] = {c.label: [] for c in legs}
    sides = {c.label: _side_of(c, k, notes_by[c.label]) for k, c in enumerate(legs)}
    usable = []
    for c in legs:
        if c.fs < _MIN_EMG_FS:
            notes_by[c.label].append(f"sampling rate {c.fs:g} Hz is too low for EMG; skipped")
        else:
            usable.append(c)
    return usable, sides, notes_by


@dataclass
class LegChannel:
    """What leg detection leaves of one conditioned channel (its samples dropped).

    ``lms``: the channel's LMs (:data:`LM_COLUMNS`); ``quality``: its row of
    :data:`QUALITY_COLUMNS`; ``unscorable``: per second, True where the channel
    holds no usable data or its resting level is flagged as too high.
    """

    lms: pd.DataFrame
    quality: dict[str, Any]
    unscorable: np.ndarray


def _unscorable_seconds(cond: ConditionedEMG) -> np.ndarray:
    """Per second, True where ≥ half the second has no data or lies in a flagged stretch."""
    fs = cond.fs_envelope
    bad = cond.no_data.copy()
    for f_on, f_dur in cond.flagged:
        bad[int(f_on * fs):int(np.ceil((f_on + f_dur) * fs))] = True
    per_s = int(round(fs))
    m = -(-bad.size // per_s)
    pad = m * per_s - bad.size
    b = np.concatenate([bad, np.ones(max(pad, 0), bool)])[:m * per_s].reshape(m, per_s)
    return b.mean(axis=1) >= 0.5


def detect_leg_channel(info: ChannelInfo, cond: ConditionedEMG, params: LegDetectParams,
                       side: str, notes: list[str], *, same_leg_gap_s: float = SAME_LEG_GAP_S
                       ) -> LegChannel:
    """LMs, quality row and unscorable seconds of one conditioned tibialis channel."""
    found, counts = detect_lms_in_channel(cond, params, same_leg_gap_s=same_leg_gap_s)
    found = found.assign(side=side, channel=info.label)
    notes = list(notes)
    rest_med = cond.resting_level_uv
    if np.isfinite(rest_med) and not cond.flat:
        if rest_med < _PLAUSIBLE_REST_UV[0]:
            notes.append(f"resting level {rest_med:.3g} µV is implausibly low for surface "
                         "EMG (check the channel's unit)")
        elif rest_med > _PLAUSIBLE_REST_UV[1]:
            notes.append(f"resting level {rest_med:.3g} µV is implausibly high for surface "
                         "EMG (check the channel's unit and electrodes)")
    if counts["morphology"]:
        notes.append(f"{counts['morphology']} event(s) failed the 0.5-s median rule")
    row = {"label": info.label, "muscle": info.muscle, "side": side, "fs": info.fs,
           "resting_level_uv": rest_med, "mains_hz": cond.mains_hz,
           "flagged_s": cond.flagged_s, "excluded_s": cond.no_data_s,
           "lm_count": int(len(found)), "ecg_removed": cond.ecg_removed,
           "residual_ecg": cond.residual_ecg_uv, "notes": "; ".join(cond.notes + notes)}
    return LegChannel(found, row, _unscorable_seconds(cond))


def assemble_leg_movements(legs: list[ChannelInfo], sides: dict[str, str],
                           notes_by: dict[str, list[str]], done: dict[str, LegChannel],
                           duration: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The LM and quality tables of :func:`detect_leg_movements` from its channels' results."""
    tables, rows = [], []
    for c in legs:
        if c.label not in done:
            rows.append({"label": c.label, "muscle": c.muscle, "side": sides[c.label],
                         "fs": c.fs, "resting_level_uv": np.nan, "mains_hz": None,
                         "flagged_s": 0.0, "excluded_s": duration, "lm_count": 0,
                         "ecg_removed": False, "residual_ecg": np.nan,
                         "notes": "; ".join(notes_by[c.label])})
            continue
        tables.append(done[c.label].lms)
        rows.append(done[c.label].quality)
    if tables:
        lms = pd.concat(tables, ignore_index=True)
    else:
        lms = pd.DataFrame({"onset": pd.Series(dtype=float), "duration": pd.Series(dtype=float),
                            "side": pd.Series(dtype=object), "channel": pd.Series(dtype=object),
                            "amplitude_uv": pd.Series(dtype=float)})
    lms = lms.loc[:, list(LM_COLUMNS)].sort_values("onset", kind="stable").reset_index(drop=True)
    quality = pd.DataFrame(rows, columns=list(QUALITY_COLUMNS))
    lms.attrs["leg_channels"] = [c.label for c in legs]
    lms.attrs["quality"] = quality.to_dict(orient="records")
    lms.attrs["unscorable"] = _unscorable(duration, [done[c.label].unscorable for c in legs
                                                     if c.label in done])
    return lms, quality


def detect_leg_movements(
    recording: Recording,
    params: LegDetectParams | None = None,
    r_peaks: RPeaks = None,
    channels: list[str] | None = None,
    *,
    same_leg_gap_s: float = SAME_LEG_GAP_S,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Monolateral leg movements in every tibialis anterior channel of a recording.

    The legs alone: each leg channel is conditioned once
    (:func:`~somnomotor.signal.condition.condition_recording`, with the
    conditioning constants ``params`` inherits) and detected by
    :func:`detect_leg_channel`.  The whole analysis
    (:func:`somnomotor.analyze`) does the same while conditioning every EMG
    channel, sharing each leg channel's conditioning with the burst detector.

    Parameters
    ----------
    recording : Recording
        Channels whose montage says ``muscle == "tibialis_anterior"`` are used
        (or the labels in ``channels``).
    params : LegDetectParams
        Detection constants (WASM 2016 defaults).
    r_peaks : ndarray or callable, optional
        R-peak times (s) of the ECG; when given, the cardiac artefact is
        removed from the leg channels first.  Or
        :func:`~somnomotor.signal.condition.r_peaks_meanwhile`'s function:
        the beats are then found while the legs are read and filtered.
    channels : list of str, optional
        Channel labels to use instead of the montage's choice.
    same_leg_gap_s : float
        Same-leg LMs closer than this are one LM (``[legs] same_leg_gap_s``).

    Returns
    -------
    lms : DataFrame
        ``onset`` (s), ``duration`` (s), ``side`` (``left``/``right``),
        ``channel``, ``amplitude_uv`` (µV above resting), sorted by onset.
        ``lms.attrs["leg_channels"]`` lists the labels used (empty: the
        recording has no leg channel), ``lms.attrs["quality"]`` the quality
        table as a list of records and ``lms.attrs["unscorable"]`` the
        stretches (onset s, duration s) where no leg channel could be scored.
    quality : DataFrame
        One row per leg channel: :data:`QUALITY_COLUMNS` (resting level µV
        median, mains Hz, seconds flagged for a high resting level, seconds
        without usable data, whether the ECG was removed and the beat-locked
        residual, µV, notes).

    Examples
    --------
    >>> lms, quality = detect_leg_movements(somnomotor.read("night.edf"))
    >>> sorted(set(lms["side"])), list(quality["label"])
    (['left', 'right'], ['LAT', 'RAT'])
    """
    p = params or LegDetectParams()
    legs = find_leg_channels(recording, channels)
    usable, sides, notes_by = usable_leg_channels(legs)

    def then(info: ChannelInfo, cond: ConditionedEMG) -> LegChannel:
        return detect_leg_channel(info, cond, p, sides[info.label], notes_by[info.label],
                                  same_leg_gap_s=same_leg_gap_s)

    results = condition_recording(recording, usable, p, r_peaks=r_peaks, then=then,
                                  threads=p.threads)
    done = {c.label: r for c, r in zip(usable, results, strict=True)}
    return assemble_leg_movements(legs, sides, notes_by, done, recording.duration)


def _unscorable(duration: float, channels: list[np.ndarray]) -> list[tuple[float, float]]:
    """Stretches (onset s, duration s) where no leg channel could be scored.

    A second is unscorable in a channel when it holds no usable data or lies in
    a stretch flagged for a high resting level (``LegChannel.unscorable``); it
    is unscorable for the legs when it is so in every usable leg channel (a
    channel skipped for its sampling rate never is).  Without any usable leg
    channel the whole recording is unscorable.  The scorer takes these
    stretches out of the time the indices are divided by.
    """
    n = int(np.ceil(duration - 1e-9))
    if n <= 0:
        return []
    if not channels:  # no leg channel, or none usable: nothing could be scored
        return [(0.0, float(duration))]
    everywhere = np.ones(n, dtype=bool)
    for per_second in channels:
        m = min(n, per_second.size)
        sec = np.ones(n, dtype=bool)
        sec[:m] = per_second[:m]
        everywhere &= sec
    starts, ends = runs(everywhere)
    return [(float(a), float(min(float(e), duration) - float(a)))
            for a, e in zip(starts, ends, strict=True)]


def require_leg_channels(recording: Recording) -> list[ChannelInfo]:
    """The leg channels, or :class:`MontageError` naming the file when there is none."""
    legs = find_leg_channels(recording)
    if not legs:
        raise MontageError("no tibialis anterior (leg EMG) channel found (channels: "
                           f"{', '.join(recording.labels)})", recording.path)
    return legs
