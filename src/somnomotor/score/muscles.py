"""Every muscle: myoclonus in arms, trunk, back and neck; the named patterns; REM
sleep without atonia; the morning.

:func:`score_muscles` is the entry point. It reads every EMG channel of a
recording one at a time (float32), conditions it (band-pass 10–100 Hz, mains
notch, ECG template subtraction where the beat-locked artefact is measurable),
finds its bursts (:func:`somnomotor.detect.bursts.detect_bursts`) and keeps
only the small burst table and the chin's 1-s amplitudes. The classifiers then
run on the burst table of all channels:

* :mod:`.myoclonus` — every brief burst outside the legs (``myoclonus`` rows),
  indices per muscle and stage;
* :mod:`.patterns` — fragmentary myoclonus (AASM), propriospinal myoclonus,
  hypnic jerks, generalized random myoclonus (legs included as a region),
  periodic arm movements;
* :mod:`.rem` — AASM tonic/phasic REM epochs, SINBAR, Ferri's atonia index;
* :mod:`.morning` — tonic activity after the final awakening.

Leg channels (tibialis anterior) are read and burst-detected too: their jerks
too short to be leg movements (< 0.5 s) are ``myoclonus`` rows, and legs are
one region for GRM. Chin bursts feed the REM rules only.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import signal

from ..detect.bursts import (
    BurstParams,
    burst_envelope,
    burst_frequency,
    detect_bursts,
    estimate_resting_level,
)
from ..events import concat_events, make_events
from ..hypnogram import Hypnogram
from ..params import from_mapping
from ..recording import ChannelInfo, Recording
from ..signal.ecg import find_r_peaks_in_emg, remove_ecg, residual_ecg
from ..signal.filters import (
    bandpass_sos,
    block_mean,
    detect_mains,
    filter_zero_phase,
    notch_sos,
)
from .base import ScoreResult
from .morning import MorningParams, score_morning
from .myoclonus import myoclonus_indices, myoclonus_rows
from .patterns import (
    PatternParams,
    score_fragmentary_myoclonus,
    score_grm,
    score_hypnic_jerks,
    score_periodic_arm_movements,
    score_propriospinal_myoclonus,
)
from .rem import (
    RemParams,
    classify_rai,
    excluded_seconds,
    mini_epochs_with_bursts,
    rem_atonia_index,
    score_aasm_epochs,
    sinbar_percentages,
)

__all__ = ["MuscleParams", "score_muscles", "condition_channel", "SUMMARY_KEYS"]

#: The promised summary keys this scorer always sets (interfaces.md).
SUMMARY_KEYS: tuple[str, ...] = (
    "myoclonus_index", "myoclonus_index_by_muscle", "grm_episode_count", "hypnic_jerk_count",
    "fragmentary_myoclonus_minutes", "rem_atonia_index", "sinbar_any_percent",
    "rem_tonic_percent", "rem_phasic_percent", "morning_tonic_seconds",
)

_SUB = {"bursts": BurstParams, "patterns": PatternParams, "rem": RemParams,
        "morning": MorningParams}


@dataclass(frozen=True)
class MuscleParams:
    """Parameters of the muscle scorer (TOML section ``[muscles]``).

    Sub-tables ``[muscles.bursts]``, ``[muscles.patterns]``, ``[muscles.rem]``,
    ``[muscles.morning]`` override :class:`~somnomotor.detect.bursts.BurstParams`,
    :class:`~somnomotor.score.patterns.PatternParams`,
    :class:`~somnomotor.score.rem.RemParams` and
    :class:`~somnomotor.score.morning.MorningParams`.
    """

    band_low_hz: float = 10.0  # WASM 2016 / AASM EMG band 10–100 Hz
    band_high_hz: float = 100.0
    analysis_min_fs_factor: float = 2.2  # analyse at the lowest integer fraction of fs ≥ 2.2 × 100 Hz
    notch_mains: bool = True  # WASM 2016: notch at the mains frequency when it is present
    ecg_removal: str = "auto"  # auto: subtract where the beat-locked artefact is measurable; never
    ecg_min_artefact_uv: float = 1.0  # subtract when the median-beat RMS over the QRS ≥ 1 µV (≈ resting level)
    ecg_self_detect_regions: tuple[str, ...] = ("chest", "abdomen", "back", "shoulder", "neck")
    myoclonus_exclude_muscles: tuple[str, ...] = ("mentalis", "submentalis", "masseter")  # REM rules
    myoclonus_max_s: float = 0.4  # jerks are brief (< 250 ms typical); legs ≥ 0.5 s are LMs (WASM 2016)
    chin_muscles: tuple[str, ...] = ("mentalis", "submentalis")  # AASM RSWA: chin EMG
    sinbar_arm_muscles: tuple[str, ...] = ("fds",)  # SINBAR: flexor digitorum superficialis
    high_rest_uv: float = 16.0  # flag seconds with resting level > 16 µV (as Luna does)
    artefact_max_freq_hz: float = 15.0  # brief "bursts" with mean frequency < 15 Hz are electrode
    # pops / movement artefacts, not EMG (surface EMG: 50–150 Hz mean frequency, De Luca 1997)
    bursts: BurstParams = field(default_factory=BurstParams)
    patterns: PatternParams = field(default_factory=PatternParams)
    rem: RemParams = field(default_factory=RemParams)
    morning: MorningParams = field(default_factory=MorningParams)

    def __post_init__(self) -> None:
        for name, cls in _SUB.items():
            value = getattr(self, name)
            if isinstance(value, Mapping):
                object.__setattr__(self, name, from_mapping(cls, value, section=f"muscles.{name}"))
        if self.ecg_removal not in ("auto", "never"):
            raise ValueError(f"ecg_removal must be 'auto' or 'never', not {self.ecg_removal!r}")


@dataclass
class _Channel:
    """What one channel leaves behind after its samples are dropped."""

    info: ChannelInfo
    bursts: pd.DataFrame
    quality: dict[str, Any]
    amp_1s: np.ndarray | None = None


def _analysis_threads() -> int:
    """Channels analysed at once: the CPUs this process may use, at most 4."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cpus = os.cpu_count() or 1
    return max(1, min(4, cpus))


def _decimate(x: np.ndarray, fs: float, params: MuscleParams) -> tuple[np.ndarray, float]:
    """Down by an integer factor d to ≥ 2.2 × the band edge; linear-phase FIR, NaN kept.

    The FIR has 8·d + 1 taps (cut-off 0.47 × the new rate): its delay of 4·d input
    samples is exactly 4 output samples, removed, so output sample m is input time m·d.
    """
    d = max(1, int(fs // (params.analysis_min_fs_factor * params.band_high_hz)))
    x = np.asarray(x, dtype=np.float32)
    if d == 1 or x.size < 16 * d:
        return x, fs
    bad = ~np.isfinite(x)
    has_bad = bool(bad.any())
    xf = np.where(bad, np.float32(0.0), x) if has_bad else x
    fs_out = fs / d
    h = signal.firwin(8 * d + 1, 0.47 * fs_out, fs=fs).astype(np.float32)
    m = -(-x.size // d)
    y = signal.upfirdn(h, xf, 1, d)[4:4 + m].astype(np.float32)
    if has_bad:
        pad = np.zeros(m * d, dtype=bool)
        pad[: bad.size] = bad
        y[pad.reshape(m, d).any(axis=1)] = np.nan
    return y, fs_out


def condition_channel(x: np.ndarray, fs: float, info: ChannelInfo, params: MuscleParams,
                      r_peaks: np.ndarray | None, r_peaks_source: str = "ecg-channel"
                      ) -> tuple[np.ndarray, float, dict[str, Any]]:
    """Band-pass, mains notch and ECG removal of one EMG channel; float32 µV and quality figures.

    Channels sampled well above the band (e.g. 512 Hz for a 10–100 Hz band) are
    first brought down to the analysis rate, ≥ 2.2 × the band's upper edge
    (512 → 256 Hz), by a short linear-phase anti-alias FIR (delay compensated, so
    times do not move): the band is kept whole and every later step costs half.

    Returns
    -------
    (y, fs_analysis, quality)
        Conditioned signal at ``fs_analysis`` Hz, and ``mains_hz``,
        ``ecg_artefact_uv`` (beat-locked RMS before removal), ``residual_ecg``
        (µV after; NaN when no beats), ``ecg_source`` (``ecg-channel``,
        ``self``, ``none``), ``fs_analysis`` and ``notes``.
    """
    notes: list[str] = []
    mains = detect_mains(x, fs) if params.notch_mains else None
    x, fs = _decimate(x, fs, params)
    sos, note = bandpass_sos(fs, params.band_low_hz, params.band_high_hz)
    if note:
        notes.append(note)
    if mains is not None:
        # Harmonics above the band edge are already removed by the band-pass.
        sos = np.concatenate([sos, notch_sos(fs, mains, up_to=params.band_high_hz + 5.0)])
    # One zero-phase pass of band-pass and notch sections together.
    y = filter_zero_phase(x, sos)
    q: dict[str, Any] = {"mains_hz": mains, "ecg_artefact_uv": np.nan, "residual_ecg": np.nan,
                         "ecg_source": "none", "fs_analysis": fs}
    if params.ecg_removal != "never":
        peaks, source = (r_peaks, r_peaks_source) \
            if r_peaks is not None and len(r_peaks) >= 3 else (None, "none")
        if peaks is None and info.region in params.ecg_self_detect_regions:
            peaks, self_note = find_r_peaks_in_emg(y, fs)
            notes.append(self_note)
            source = "self" if peaks is not None else "none"
        if peaks is not None:
            before = residual_ecg(y, fs, peaks)
            q["ecg_artefact_uv"] = before
            if np.isfinite(before) and before >= params.ecg_min_artefact_uv:
                y = remove_ecg(y, fs, peaks)
                q["residual_ecg"] = residual_ecg(y, fs, peaks)
                q["ecg_source"] = source
                via = f" with R peaks from '{source[5:]}' (no ECG channel)" \
                    if source.startswith("self:") else ""
                notes.append(f"ECG removed{via} ({before:.1f} µV → {q['residual_ecg']:.1f} µV "
                             f"beat-locked RMS)")
            else:
                q["residual_ecg"] = before
                q["ecg_source"] = source
    q["notes"] = notes
    return y, fs, q


def _process_channel(recording: Recording, info: ChannelInfo, params: MuscleParams,
                     r_peaks: np.ndarray | None, want_amp: bool,
                     r_peaks_source: str = "ecg-channel") -> _Channel:
    x = recording.read(info.label)
    nan_s = float(np.count_nonzero(~np.isfinite(x))) / info.fs
    y, fs, q = condition_channel(x, info.fs, info, params, r_peaks, r_peaks_source)
    del x
    env, fs_env = burst_envelope(y, fs, params.bursts)
    rest = estimate_resting_level(env, fs_env, params.bursts)
    b = detect_bursts(None, fs, params=params.bursts, rest=rest, env=(env, fs_env))
    del env
    brief = ~b["tonic"].to_numpy(bool)
    n_artefacts = 0
    if brief.any() and params.artefact_max_freq_hz > 0:
        freq = burst_frequency(y, fs, b["onset"].to_numpy()[brief], b["duration"].to_numpy()[brief])
        bad = np.zeros(len(b), dtype=bool)
        bad[np.flatnonzero(brief)] = freq < params.artefact_max_freq_hz
        n_artefacts = int(bad.sum())
        b = b[~bad].reset_index(drop=True)
    amp = None
    if want_amp:
        amp = block_mean(np.abs(y), max(1, int(round(fs))))
    del y
    notes = list(q.pop("notes"))
    high = rest > params.high_rest_uv
    flagged = float(high.sum()) * params.bursts.rest_block_s
    if flagged > 0:
        notes.append(f"resting level above {params.high_rest_uv:g} µV for {flagged:.0f} s")
    if nan_s > 0:
        notes.append(f"{nan_s:.0f} s without data (gaps) excluded")
    if n_artefacts:
        notes.append(f"{n_artefacts} artefact transient(s) (mean frequency < "
                     f"{params.artefact_max_freq_hz:g} Hz) not counted as bursts")
    quality = {"channel": info.label, "muscle": info.muscle, "side": info.side,
               "region": info.region, "fs": info.fs,
               "resting_level_uv": float(np.median(rest)) if rest.size else np.nan,
               **q, "flagged_s": flagged, "excluded_s": nan_s,
               "bursts": int((~b["tonic"]).sum()), "tonic_episodes": int(b["tonic"].sum()),
               "artefacts": n_artefacts,
               "notes": "; ".join(notes)}
    b = b.assign(channel=info.label, muscle=info.muscle, side=info.side, region=info.region)
    return _Channel(info, b, quality, amp)


def _empty_bursts() -> pd.DataFrame:
    return pd.DataFrame({"onset": pd.Series(dtype=float), "duration": pd.Series(dtype=float),
                         "amplitude_uv": pd.Series(dtype=float), "tonic": pd.Series(dtype=bool),
                         "rest_uv": pd.Series(dtype=float), "channel": pd.Series(dtype=object),
                         "muscle": pd.Series(dtype=object), "side": pd.Series(dtype=object),
                         "region": pd.Series(dtype=object), "stage": pd.Series(dtype=object)})


def _epoch_rows(mask: np.ndarray, hyp: Hypnogram, kind: str, info: ChannelInfo) -> pd.DataFrame:
    idx = np.flatnonzero(mask)
    return pd.DataFrame({"onset": hyp.offset + idx * hyp.epoch, "duration": hyp.epoch,
                         "kind": kind, "channel": info.label, "muscle": info.muscle,
                         "side": info.side, "stage": hyp.stages[idx]})


def _score_rem(chin: _Channel | None, fds: list[_Channel], hyp: Hypnogram,
               scored: pd.DataFrame | None, duration: float, p: RemParams
               ) -> tuple[list[pd.DataFrame], dict[str, Any], dict[str, Any]]:
    rem_epochs = int((hyp.stages == "R").sum())
    per_epoch = int(round(hyp.epoch / p.mini_epoch_s))
    n_mini = len(hyp) * per_epoch
    rem_mini = np.repeat(hyp.stages == "R", per_epoch)
    excl_mini = excluded_seconds(scored, n_mini, p.mini_epoch_s, hyp.offset, p)
    summary: dict[str, Any] = {
        "rem_atonia_index": None, "rem_atonia_class": None, "sinbar_any_percent": None,
        "sinbar_combined_percent": None, "sinbar_any_abnormal": None,
        "sinbar_combined_abnormal": None, "rem_tonic_percent": None, "rem_phasic_percent": None,
        "rem_tonic_epochs": 0, "rem_phasic_epochs": 0, "rem_epochs": rem_epochs,
        "rem_time_min": rem_epochs * hyp.epoch / 60.0,
        "rem_time_excluded_min": float((rem_mini & excl_mini).sum()) * p.mini_epoch_s / 60.0,
    }
    details: dict[str, Any] = {"chin_channel": None, "fds_channels": [c.info.label for c in fds]}
    if chin is None or chin.amp_1s is None:
        details["note"] = "no chin EMG channel: REM atonia not scored"
        return [], summary, details
    details["chin_channel"] = chin.info.label
    amp = chin.amp_1s.astype(np.float64)
    n_sec = amp.size
    sec_t = np.arange(n_sec) + 0.5
    rem_bins = hyp.stage_at(sec_t) == "R"
    excl_1s = excluded_seconds(scored, n_sec, 1.0, 0.0, p)
    amp_x = np.where(excl_1s, np.nan, amp)
    rai = rem_atonia_index(amp_x, rem_bins, p) if rem_bins.any() else None
    aasm = score_aasm_epochs(amp, chin.bursts, hyp, p)
    # Mini-epochs with no data count as excluded.
    nan_mini = np.zeros(n_mini, dtype=bool)
    k = (np.flatnonzero(~np.isfinite(amp)) - hyp.offset) // p.mini_epoch_s
    k = k[(k >= 0) & (k < n_mini)].astype(np.int64)
    nan_mini[k] = True
    excl_all = excl_mini | nan_mini
    chin_phasic = mini_epochs_with_bursts(chin.bursts, hyp, min_s=p.phasic_min_s,
                                          max_s=p.phasic_max_s,
                                          background_factor=p.sinbar_background_factor,
                                          mini_epoch_s=p.mini_epoch_s)
    any_chin = chin_phasic | np.repeat(aasm["tonic"], per_epoch)
    fds_mini = None
    if fds:
        fds_mini = np.zeros(n_mini, dtype=bool)
        for c in fds:
            fds_mini |= mini_epochs_with_bursts(c.bursts, hyp, min_s=p.phasic_min_s,
                                                max_s=p.phasic_max_s,
                                                background_factor=p.sinbar_background_factor,
                                                mini_epoch_s=p.mini_epoch_s)
    sin = sinbar_percentages(any_chin, fds_mini, rem_mini, excl_all, p)
    summary.update({k: v for k, v in sin.items() if k in summary})
    summary.update(
        rem_atonia_index=rai, rem_atonia_class=classify_rai(rai, p),
        rem_tonic_epochs=int(aasm["tonic"].sum()), rem_phasic_epochs=int(aasm["phasic"].sum()),
        rem_tonic_percent=float(100.0 * aasm["tonic"].sum() / rem_epochs) if rem_epochs else None,
        rem_phasic_percent=float(100.0 * aasm["phasic"].sum() / rem_epochs) if rem_epochs else None,
        rem_time_excluded_min=float((rem_mini & excl_all).sum()) * p.mini_epoch_s / 60.0,
    )
    details.update(nrem_min_uv=aasm["nrem_min_uv"], sinbar_mini_epochs=sin["sinbar_mini_epochs"])
    if aasm["nrem_min_uv"] is None:
        details["note"] = "no NREM sleep: the AASM tonic floor is undefined; tonic epochs not scored"
    rows = [_epoch_rows(aasm["tonic"], hyp, "rem_tonic", chin.info),
            _epoch_rows(aasm["phasic"], hyp, "rem_phasic", chin.info)]
    return rows, summary, details


def _heartbeat_from_trunk(recording: Recording, p: MuscleParams, why: str = "no ECG channel"
                          ) -> tuple[np.ndarray | None, str, str]:
    """No usable ECG (``why``): R peaks from the first trunk channel whose heartbeat is clear.

    Trunk channels are tried in the order chest, shoulder, abdomen, back, neck
    (where the QRS is usually largest); the beats found are then used for every
    channel. Returns (peaks or None, source, one-line note).
    """
    order = {r: i for i, r in enumerate(("chest", "shoulder", "abdomen", "back", "neck"))}
    trunk = sorted((c for c in recording.emg_channels()
                    if c.region in p.ecg_self_detect_regions and c.fs > 0),
                   key=lambda c: order.get(c.region, 99))
    for info in trunk:
        sos, _ = bandpass_sos(info.fs, p.band_low_hz, p.band_high_hz)
        y = filter_zero_phase(recording.read(info.label), sos)
        peaks, _note = find_r_peaks_in_emg(y, info.fs)
        if peaks is not None:
            return peaks, f"self:{info.label}", (
                f"{why}: {peaks.size} R peaks found in '{info.label}' and used to "
                "remove the ECG artefact from every channel")
    return None, "none", (f"{why} and no clear heartbeat in any trunk channel: "
                          "the ECG artefact is not removed (trunk bursts may include QRS "
                          "complexes)")


def score_muscles(recording: Recording, hypnogram: Hypnogram | None, *,
                  scored_events: pd.DataFrame | None = None, params: MuscleParams | None = None,
                  r_peaks: np.ndarray | None = None) -> ScoreResult:
    """Score every EMG channel's bursts and the patterns across muscles for one night.

    Parameters
    ----------
    recording : Recording
        Its EMG channels (montage-inferred muscle, side, region) are read one at a time.
    hypnogram : Hypnogram or None
        Stages per 30-s epoch; None or unscored → indices per hour of recording.
    scored_events : DataFrame, optional
        Scored arousals, artefacts and respiratory events (``SCORED_COLUMNS``):
        arousal links and REM exclusions.
    params : MuscleParams
    r_peaks : ndarray, optional
        R-peak times (s) from the ECG channel. Without them the beats are sought
        in the clearest trunk channel and used for every channel; ``quality.notes``
        and ``details["notes"]`` say where they came from, or that none was found.

    Returns
    -------
    ScoreResult
        ``events`` (kinds ``myoclonus``, ``fragmentary_myoclonus``,
        ``hypnic_jerk``, ``propriospinal_myoclonus``, ``grm``, ``rem_tonic``,
        ``rem_phasic``, ``morning_tonic``), ``summary`` (the promised keys, always
        present, null when undefined, plus per-muscle/per-stage extras),
        ``details``, ``quality`` (one row per EMG channel).

    Examples
    --------
    >>> res = score_muscles(rec, hyp, scored_events=scored, params=MuscleParams(),
    ...                     r_peaks=peaks)                          # doctest: +SKIP
    >>> res.summary["myoclonus_index_by_muscle"]                    # doctest: +SKIP
    {'fds': 12.5, 'intercostal': 3.1, ...}
    """
    p = params or MuscleParams()
    duration = float(recording.duration)
    hyp = hypnogram if hypnogram is not None else Hypnogram.unscored(duration)
    if hyp.end < duration - hyp.epoch or hyp.end > duration + hyp.epoch:
        hyp = hyp.fit_to(duration)
    scored = scored_events if scored_events is not None and len(scored_events) else None

    notes: list[str] = []
    source = "ecg-channel"
    why = "no ECG channel"
    if (r_peaks is None or len(r_peaks) < 3) and p.ecg_removal != "never":
        ecg = recording.channels_of_kind("ecg")  # R peaks sought there, too few found
        why = (f"too few R peaks in the ECG channel '{ecg[0].label}' ({len(r_peaks)})"
               if ecg and r_peaks is not None else "no ECG channel")
        r_peaks, source, note = _heartbeat_from_trunk(recording, p, why)
        notes.append(note)

    jobs: list[tuple[ChannelInfo, bool]] = []
    chin_done = False
    for info in recording.emg_channels():
        if not info.fs > 0:
            continue
        want_amp = info.muscle in p.chin_muscles and not chin_done
        chin_done = chin_done or want_amp
        jobs.append((info, want_amp))

    def run(job: tuple[ChannelInfo, bool]) -> _Channel:
        return _process_channel(recording, job[0], p, r_peaks, job[1], source)

    # One channel per thread (scipy's filters and numpy release the GIL): memory stays
    # bounded by the number of threads, not by the number of channels.
    threads = min(_analysis_threads(), len(jobs))
    if threads > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            channels = list(pool.map(run, jobs))
    else:
        channels = [run(job) for job in jobs]

    tables = [c.bursts for c in channels if len(c.bursts)]
    bursts = pd.concat(tables, ignore_index=True) if tables else _empty_bursts()
    bursts["stage"] = hyp.stage_at(bursts["onset"].to_numpy(float)) if len(bursts) else \
        pd.Series(dtype=object)

    # Patterns: propriospinal first (slow spreading jerks), then GRM (runs of jerks),
    # then hypnic jerks among the bursts left.
    pp = p.patterns
    pb = bursts[~bursts["region"].isin(pp.exclude_regions)].reset_index(drop=True)
    prop, used_prop = score_propriospinal_myoclonus(pb, hyp, pp)
    grm, used_grm = score_grm(pb, hyp, pp, exclude=used_prop)
    hyp_rows, _ = score_hypnic_jerks(pb, hyp, pp, exclude=used_prop | used_grm)
    frag, frag_fig = score_fragmentary_myoclonus(pb, hyp, pp)
    arm = score_periodic_arm_movements(pb, hyp, pp)

    # Myoclonus: every brief burst (jerk), except the chin and propriospinal jerks.
    myo = myoclonus_rows(pd.concat([bursts[bursts["region"].isin(pp.exclude_regions)],
                                    pb[~used_prop]], ignore_index=True),
                         scored, exclude_muscles=p.myoclonus_exclude_muscles,
                         max_s=p.myoclonus_max_s)
    analysed = sorted({c.info.muscle for c in channels if c.info.muscle
                       and c.info.muscle not in p.myoclonus_exclude_muscles})
    summary: dict[str, Any] = myoclonus_indices(myo if len(myo) else pd.DataFrame(
        columns=["stage", "muscle", "arousal"]), hyp, duration, analysed)
    tst_h = float(hyp.is_sleep().sum()) * hyp.epoch / 3600.0 if hyp.is_scored else duration / 3600.0
    summary.update(
        grm_episode_count=len(grm),
        grm_index=(len(grm) / tst_h) if tst_h > 0 else None,
        hypnic_jerk_count=len(hyp_rows),
        propriospinal_myoclonus_count=len(prop),
        **frag_fig,
        arm_pm_count=arm["arm_pm_count"], arm_pms_count=arm["arm_pms_count"],
        arm_pm_series_count=arm["arm_pm_series_count"],
        arm_pm_index=(arm["arm_pms_count"] / tst_h) if tst_h > 0 else None,
        arm_periodicity_index=arm["arm_periodicity_index"],
    )

    # REM sleep without atonia.
    chin = next((c for c in channels if c.amp_1s is not None), None)
    fds = [c for c in channels if c.info.muscle in p.sinbar_arm_muscles]
    rem_rows, rem_summary, rem_details = _score_rem(chin, fds, hyp, scored, duration, p.rem)
    summary.update(rem_summary)

    # Morning.
    morning_rows, morning_summary = score_morning(bursts, hyp, duration, p.morning)
    summary.update(morning_summary)

    events = concat_events([make_events(t) for t in
                            [myo, frag, hyp_rows, prop, grm, *rem_rows, morning_rows] if len(t)])
    quality = pd.DataFrame([c.quality for c in channels])
    if len(quality) and why != "no ECG channel":  # the per-channel notes say it the same way
        quality["notes"] = quality["notes"].str.replace("no ECG channel", why, regex=False)
    details = {
        "channels": {c.info.label: {"muscle": c.info.muscle, "region": c.info.region,
                                    "bursts": int((~c.bursts["tonic"]).sum()),
                                    "tonic_episodes": int(c.bursts["tonic"].sum())}
                     for c in channels},
        "arm_periodic": arm, "rem": rem_details, "notes": notes,
        "parameters": dataclasses.asdict(p),
    }
    for key in SUMMARY_KEYS:
        summary.setdefault(key, None)
    return ScoreResult(events=events, summary=summary, details=details, quality=quality)
