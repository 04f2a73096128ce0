"""Event generators: the movement patterns as consequences of failed inhibition.

Each generator turns the control state (rate factors per region and epoch,
:mod:`somnomotor.simulate.control`) into *bursts* — muscle activations with
onset (s), duration (s), channel and amplitude (µV of rectified envelope above
the resting level) — plus the episode rows of the truth table and the arousals
the movements cause.

Candidates are drawn at the pattern's maximal rate and kept by *thinning*
(Lewis & Shedler 1979): a candidate at time ``t`` survives when its own
uniform draw is below ``gate(stage) * f_region(t)``.  Every candidate's draws
are fixed by the seed whatever happens to the others, so with all else equal
a stronger drive (more alcohol, less alprazolam) keeps a superset of the
candidates: comparisons between evenings are paired, not noisy.

Rates and shapes:

* PLM: a spinal rhythm (central pattern generator) that starts trains of
  periodic leg movements, period ``plm.imi_mean_s`` ± ``plm.imi_sd_s`` (IMIs of
  about 15-40 s: Ferri 2006; WASM 2016), mainly N1-N2, fewer in N3, rare in R.
  A missed beat doubles an IMI; two in a row end the train.
* random myoclonus: brief (20-250 ms) jerks in any region (Bruno 1998).
* GRM: episodes of non-periodic jerks in >= 2 regions (Bruno 1998).
* sleep starts: brief jerks at wake -> sleep transitions (AASM: no rule).
* propriospinal myoclonus: jerks starting in the abdomen and spreading along
  the spine to the limbs at relaxed wake -> N1 (Montagna 2006).
* respiratory events with arousals and leg movements at their end.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .control import ControlState
from .emg import emg_band
from .scenarios import EMG_CHANNELS

#: Random streams (fixed numbers so that each pattern has its own stream).
STREAM = {
    "hypnogram": 1, "plm": 2, "myoclonus": 3, "grm": 4, "sleep_starts": 5, "propriospinal": 6,
    "resp": 7, "arousal": 8, "shift": 9, "rem": 10, "morning": 11, "fragmentary": 12,
    "rbd_limbs": 13, "start": 14, "boundary": 15, "faults": 16, "fm_background": 40,
    "neck_myoclonus": 41, "muscle_probes": 42,
}

#: Stage gates: how much a pattern's generator runs in each stage (relative).
PLM_GATE = {"W": 0.1, "N1": 1.0, "N2": 1.0, "N3": 0.5, "R": 0.15, "?": 0.0}
MYOCLONUS_GATE = {"W": 0.15, "N1": 1.0, "N2": 0.9, "N3": 0.5, "R": 0.4, "?": 0.0}
GRM_GATE = {"W": 0.1, "N1": 1.0, "N2": 1.0, "N3": 0.3, "R": 0.2, "?": 0.0}

#: Region -> its channels (in the order of the file).
REGION_CHANNELS: dict[str, tuple[str, ...]] = {}
for _label, (_m, _s, _r) in EMG_CHANNELS.items():
    REGION_CHANNELS.setdefault(_r, ())
    REGION_CHANNELS[_r] = (*REGION_CHANNELS[_r], _label)

#: Burst priorities for resolving overlaps in one channel (lower wins).
PRIORITY = {"boundary": 0, "plm": 0, "morning": 0, "rem": 0, "resp": 1, "grm": 2, "propriospinal": 3,
            "sleep_start": 4, "myoclonus": 5, "rbd_limb": 5, "neck_myoclonus": 5, "fragmentary": 6,
            # the AASM chapter (simulate/aasm_patterns.py): its trains win over random jerks
            "aasm_alma": 1, "aasm_hft": 1, "aasm_bruxism": 1, "aasm_rhythmic": 1, "aasm_large": 1}
#: Sources whose bursts of one group (one train) may sit closer than the channel gap.
TRAIN_SOURCES = frozenset({"boundary", "aasm_alma", "aasm_hft", "aasm_bruxism", "aasm_rhythmic"})

#: Minimal gap (s) between two bursts of one channel: legs 1 s so that truth LMs are
#: separable (WASM 2016 merges LMs < 0.5 s apart), other muscles 0.3 s.
LEG_GAP_S = 1.0
OTHER_GAP_S = 0.3
#: Non-periodic leg movements are kept this far (s) from periodic ones so that
#: they do not cut a PLM series (WASM 2016: an IMI < 10 s ends a series).
PLM_CLEARANCE_S = 12.0


@dataclass
class Generated:
    """Everything the generators produced, before overlaps are resolved."""

    bursts: list[dict[str, Any]] = field(default_factory=list)
    episodes: list[dict[str, Any]] = field(default_factory=list)
    arousals: list[dict[str, Any]] = field(default_factory=list)
    respiratory: list[dict[str, Any]] = field(default_factory=list)
    plm_spans: list[tuple[float, float]] = field(default_factory=list)
    probes: list[dict[str, Any]] = field(default_factory=list)


#: Resting EMG level by stage, relative to N2, at ``noise.rest_stage_gain`` = 1: tone
#: and movement are highest awake and lowest in REM atonia.
REST_STAGE_FACTOR = {"W": 1.6, "N1": 1.2, "N2": 1.0, "N3": 0.9, "R": 0.75, "?": 1.0}


def rest_factor(stages: np.ndarray, gain: float) -> np.ndarray:
    """Per epoch: the resting level relative to ``noise.rest_uv`` (1 when ``gain`` is 0)."""
    return np.array([1.0 + gain * (REST_STAGE_FACTOR.get(str(x), 1.0) - 1.0) for x in stages])


#: The envelope the onset rule reads peaks this much above the rectified mean of the
#: activation's peak: the 0.1-s mean of a rectified random signal fluctuates, and the
#: first crossing of the threshold reads its maximum.  Measured with the analyser's
#: own conditioning on bursts of 7-14 µV over 2.5-3.6 µV of rest at 200-512 Hz
#: (median envelope peak / sqrt(A² + r_b²): 1.05-1.19, 1.08-1.13 at the 8-µV limit).
ENVELOPE_PEAK_GAIN = 1.11
#: The analyser's resting level (a running median of the envelope) over the mean
#: rectified band-limited resting noise: the envelope's median lies below its mean.
REST_MEDIAN_RATIO = 0.97


def rest_seen_uv(rest_uv: np.ndarray | float, fs: float = 256.0) -> np.ndarray:
    """The resting level the analyser measures for white resting noise of ``rest_uv``.

    The model's resting noise is white up to the Nyquist frequency; the analyser
    looks at 10-100 Hz (:func:`~somnomotor.simulate.emg.emg_band`), which keeps
    ``(hi - lo) / (fs / 2)`` of its power, so its rectified mean falls by the root
    of that fraction (3 µV at 256 Hz reads as 2.5 µV).
    """
    lo, hi = emg_band(fs)
    return np.asarray(rest_uv, dtype=float) * np.sqrt((hi - lo) / (fs / 2.0))


def onset_excess_uv(amplitude: np.ndarray | float, rest_uv: np.ndarray | float,
                    fs: float = 256.0) -> np.ndarray:
    """The rise above the resting level that the WASM 2016 onset rule reads for a burst.

    A burst whose activation peaks at ``amplitude`` µV (rectified mean) over
    resting noise of ``rest_uv`` µV: the rectified mean of the two together is
    ``sqrt(A² + r_b²)`` (independent, roughly Gaussian signals: standard
    deviations add in quadrature), where ``r_b`` is the resting noise in the
    analyser's band (:func:`rest_seen_uv`); the 0.1-s envelope peaks
    :data:`ENVELOPE_PEAK_GAIN` above that, and the resting level it is compared
    with is the envelope's median at rest (:data:`REST_MEDIAN_RATIO` × ``r_b``).
    This is what the 8-µV onset rule sees at its median: a burst whose value is
    8 µV is found about half the time.
    """
    a = np.asarray(amplitude, dtype=float)
    rb = rest_seen_uv(rest_uv, fs)
    return ENVELOPE_PEAK_GAIN * np.sqrt(a * a + rb * rb) - REST_MEDIAN_RATIO * rb


def amplitude_for_excess(excess_uv: float, rest_uv: float, fs: float = 256.0) -> float:
    """The burst amplitude (µV) whose :func:`onset_excess_uv` is ``excess_uv``."""
    rb = float(rest_seen_uv(rest_uv, fs))
    return float(np.sqrt(max(((excess_uv + REST_MEDIAN_RATIO * rb) / ENVELOPE_PEAK_GAIN) ** 2
                             - rb * rb, 0.0)))


def _stage_at(stages: np.ndarray, t: np.ndarray, epoch_s: float = 30.0) -> np.ndarray:
    idx = np.clip((np.asarray(t) // epoch_s).astype(int), 0, len(stages) - 1)
    return stages[idx]


def _gate(table: Mapping[str, float], stages: np.ndarray) -> np.ndarray:
    return np.array([table.get(str(s), 0.0) for s in stages], dtype=float)


def _factor_at(control: ControlState, region: str, t: np.ndarray,
               epoch_s: float = 30.0) -> np.ndarray:
    f = control.drive_factor[region]
    idx = np.clip((np.asarray(t) // epoch_s).astype(int), 0, len(f) - 1)
    return f[idx]


def _lognormal(rng: np.random.Generator, median: float, sigma: float, size: Any,
               lo: float, hi: float) -> np.ndarray:
    return np.clip(rng.lognormal(np.log(median), sigma, size=size), lo, hi)


def side_weights(channels: tuple[str, ...], settings: Mapping[str, Any]) -> np.ndarray:
    """Probability of each channel of a region: left/right weighted by ``asymmetry.<region>``.

    Asymmetry -1 puts everything on the left, +1 on the right, 0 spreads evenly
    (polio often strikes one side more than the other).
    """
    region = EMG_CHANNELS[channels[0]][2]
    a = float(settings.get(f"asymmetry.{region}", 0.0))
    w = np.array([{"left": 1.0 - a, "right": 1.0 + a}.get(EMG_CHANNELS[c][1], 1.0)
                  for c in channels])
    return w / w.sum() if w.sum() > 0 else np.full(len(channels), 1.0 / len(channels))


def pick_channel(channels: tuple[str, ...], u: float, settings: Mapping[str, Any]) -> str:
    """The channel of a region that a uniform draw ``u`` falls on (see :func:`side_weights`)."""
    cum = np.cumsum(side_weights(channels, settings))
    return channels[min(int(np.searchsorted(cum, u, side="right")), len(channels) - 1)]


def _burst(onset: float, duration: float, channel: str, amplitude: float, shape: str,
           source: str, *, row: str = "", group: int = -1, series: int | None = None,
           side: str = "") -> dict[str, Any]:
    return {"onset": float(onset), "duration": float(duration), "channel": channel,
            "amplitude": float(amplitude), "shape": shape, "source": source, "row": row,
            "group": group, "series": series, "side": side or EMG_CHANNELS[channel][1]}


def generate_plm(seed: int, stages: np.ndarray, control: ControlState,
                 settings: Mapping[str, Any], total_s: float, out: Generated) -> None:
    """Periodic leg movements from a spinal rhythm gated by failed inhibition (see module doc)."""
    rng = np.random.default_rng([seed, STREAM["plm"]])
    n_cand = rng.poisson(settings["plm.trains_per_h"] * total_s / 3600.0)
    starts = np.sort(rng.uniform(0, total_s, size=n_cand))
    busy_until = -np.inf
    train_id = 0
    imi_mean = settings["plm.imi_mean_s"]
    for i, t0 in enumerate(starts):
        r = np.random.default_rng([seed, STREAM["plm"], i + 1])
        u0 = r.uniform()
        period = float(np.clip(r.normal(imi_mean, settings["plm.imi_sd_s"]),
                               max(11.0, 0.5 * imi_mean), min(44.0, 2.0 * imi_mean)))
        n_beats = 4 + int(r.poisson(max(settings["plm.beats_mean"] - 4.0, 0.0)))
        imis = np.clip(period * (1 + settings["plm.imi_jitter"] * r.standard_normal(n_beats)),
                       10.5, 44.0)
        beat_u = r.uniform(size=n_beats)
        side_u = r.uniform(size=n_beats)
        lead_u = r.uniform(size=n_beats)
        lag = r.uniform(0.0, 0.5, size=n_beats)
        dur = _lognormal(r, settings["plm.duration_median_s"], 0.45, (n_beats, 2), 0.6, 8.0)
        amp_med = settings["plm.amplitude_median_uv"]
        amp = _lognormal(r, amp_med, 0.35, (n_beats, 2), 14.0, 250.0)
        ar_u = r.uniform(size=n_beats)
        ar_on = r.uniform(0.2, 1.5, size=n_beats)
        ar_dur = r.uniform(3.0, 12.0, size=n_beats)
        shift_u = r.uniform(size=n_beats)
        if t0 < busy_until:
            continue
        st0 = _stage_at(stages, np.array([t0]))
        f0 = _factor_at(control, "leg", np.array([t0]))
        if not u0 < _gate(PLM_GATE, st0)[0] * f0[0]:
            continue
        times = t0 + np.concatenate([[0.0], np.cumsum(imis[:-1])])
        inside = times + 12.0 < total_s
        st = _stage_at(stages, times)
        p = _gate(PLM_GATE, st) * (0.6 + 0.4 * _factor_at(control, "leg", times))
        hit = (beat_u < p) & inside
        # Two consecutive misses end the train.
        miss2 = np.flatnonzero(~hit[1:] & ~hit[:-1])
        stop = miss2[0] if miss2.size else n_beats
        keep = np.flatnonzero(hit[:stop])
        if keep.size < 4:
            continue
        train_id += 1
        busy_until = times[keep[-1]] + 30.0
        out.plm_spans.append((float(times[keep[0]]), float(times[keep[-1]] + 10.0)))
        for k in keep:
            u = side_u[k]
            asym = settings["asymmetry.leg"]
            b = settings["plm.bilateral_prob"] * (1.0 - abs(asym))
            left = (1.0 - asym) / 2.0
            legs = ("LAT", "RAT") if u < b else (("LAT",) if u < b + (1 - b) * left else ("RAT",))
            side = "bilateral" if len(legs) == 2 else EMG_CHANNELS[legs[0]][1]
            onsets = {}
            for j, ch in enumerate(legs):
                leads = (lead_u[k] < 0.5) == (ch == "LAT")
                onsets[ch] = times[k] + (0.0 if leads or len(legs) == 1 else lag[k])
                bd = _burst(onsets[ch], dur[k, j], ch, amp[k, j], "lm", "plm", row="lm",
                            group=train_id, series=train_id)
                bd["beat"] = int(k)
                bd["plm_side"] = side
                out.bursts.append(bd)
            if ar_u[k] < settings["plm.arousal_prob"]:
                out.arousals.append({"onset": times[k] + ar_on[k], "duration": ar_dur[k],
                                     "movement": True, "shift_u": shift_u[k]})


def generate_myoclonus(seed: int, stages: np.ndarray, control: ControlState,
                       settings: Mapping[str, Any], total_s: float, out: Generated) -> None:
    """Random brief jerks (20-250 ms) per region, rate ∝ the region's rate factor."""
    for ri, region in enumerate(settings["myoclonus.regions"]):
        rng = np.random.default_rng([seed, STREAM["myoclonus"], ri])
        n = rng.poisson(settings["myoclonus.rate_per_h"] * total_s / 3600.0)
        t = np.sort(rng.uniform(0, max(total_s - 1.0, 1.0), size=n))
        u = rng.uniform(size=n)
        side_u = rng.uniform(size=n)
        dur = _lognormal(rng, 0.09, 0.45, n, 0.03, 0.25)
        amp = _lognormal(rng, settings["myoclonus.amplitude_median_uv"], 0.5, n, 15.0, 400.0)
        ar_u = rng.uniform(size=n)
        shift_u = rng.uniform(size=n)
        keep = u < _gate(MYOCLONUS_GATE, _stage_at(stages, t)) * _factor_at(control, region, t)
        chans = REGION_CHANNELS[region]
        for k in np.flatnonzero(keep):
            ch = pick_channel(chans, side_u[k], settings)
            out.bursts.append(_burst(t[k], dur[k], ch, amp[k], "brief", "myoclonus",
                                     row="myoclonus"))
            if ar_u[k] < settings["myoclonus.arousal_prob"]:
                out.arousals.append({"onset": t[k] + 0.3, "duration": 3.0 + 6.0 * ar_u[k],
                                     "movement": True, "shift_u": shift_u[k]})


def _jerk_bursts(region: str, t: float, r: np.random.Generator, amp_med: float,
                 source: str, group: int, leg_ballistic: bool) -> list[dict[str, Any]]:
    """Bursts of one jerk in every channel of ``region`` (leg jerks brief or ballistic)."""
    bursts = []
    for ch in REGION_CHANNELS[region]:
        lag = float(r.uniform(0.0, 0.03))
        a = float(np.clip(r.lognormal(np.log(amp_med), 0.4), 20.0, 400.0))
        if region == "leg" and leg_ballistic:
            d = float(r.uniform(0.6, 1.5))
            bursts.append(_burst(t + lag, d, ch, a, "lm", source, row="lm", group=group))
        else:
            d = float(r.uniform(0.06, 0.22))
            bursts.append(_burst(t + lag, d, ch, a, "brief", source, row="myoclonus",
                                 group=group))
    return bursts


def generate_grm(seed: int, stages: np.ndarray, control: ControlState,
                 settings: Mapping[str, Any], total_s: float, out: Generated) -> None:
    """Generalized random myoclonus: non-periodic jerks in >= 2 regions (Bruno 1998)."""
    regions = tuple(settings["grm.regions"])
    if settings["grm.episodes_per_h"] <= 0 or len(regions) < 2:
        return
    rng = np.random.default_rng([seed, STREAM["grm"]])
    n = rng.poisson(settings["grm.episodes_per_h"] * total_s / 3600.0)
    starts = np.sort(rng.uniform(0, total_s, size=n))
    for i, t0 in enumerate(starts):
        r = np.random.default_rng([seed, STREAM["grm"], i + 1])
        u0 = r.uniform()
        f = np.mean([_factor_at(control, g, np.array([t0]))[0] for g in regions])
        if not u0 < _gate(GRM_GATE, _stage_at(stages, np.array([t0])))[0] * f:
            continue
        n_b = 3 + int(r.poisson(max(settings["grm.bursts_mean"] - 3.0, 0.0)))
        gaps = 0.8 + r.exponential(5.0, size=n_b)
        times = t0 + np.concatenate([[0.0], np.cumsum(gaps[:-1])])
        times = times[times < total_s - 3.0]
        first_two = r.choice(len(regions), size=2, replace=False)
        rest = r.integers(0, len(regions), size=max(len(times) - 2, 0))
        order = np.concatenate([first_two, rest])[:len(times)]
        group = 10_000 + i
        for t, gi in zip(times, order, strict=True):
            out.bursts.extend(_jerk_bursts(regions[gi], float(t), r,
                                           settings["myoclonus.amplitude_median_uv"] * 1.3,
                                           "grm", group, leg_ballistic=True))
        out.episodes.append({"kind": "grm", "source": "grm", "group": group, "side": "bilateral"})
        if r.uniform() < settings["grm.arousal_prob"]:
            out.arousals.append({"onset": float(times[0]) + 0.5, "duration": 8.0,
                                 "movement": True, "shift_u": float(r.uniform())})


def generate_sleep_starts(seed: int, stages: np.ndarray, transitions: np.ndarray,
                          control: ControlState, settings: Mapping[str, Any], total_s: float,
                          out: Generated) -> None:
    """Sleep starts: brief (< 250 ms) jerks around wake -> sleep transitions."""
    regions = tuple(settings["sleep_starts.regions"])
    if not regions or settings["sleep_starts.prob"] <= 0:
        return
    for j, e in enumerate(transitions):
        r = np.random.default_rng([seed, STREAM["sleep_starts"], int(e)])
        u0 = r.uniform()
        t_tr = e * 30.0
        f = np.mean([_factor_at(control, g, np.array([t_tr]))[0] for g in regions])
        if not u0 < settings["sleep_starts.prob"] * (0.35 + 0.65 * f):
            continue
        n_jerks = 1 + int(r.uniform() < 0.35)
        t = t_tr + r.uniform(-15.0, 40.0)
        for m in range(n_jerks):
            tj = float(np.clip(t + m * r.uniform(3.0, 12.0), 1.0, total_s - 2.0))
            involved = [g for g in regions if r.uniform() < 0.75] or [regions[0]]
            group = 20_000 + 10 * j + m
            for g in involved:
                out.bursts.extend(_jerk_bursts(g, tj, r, 90.0, "sleep_start", group,
                                               leg_ballistic=False))
            out.episodes.append({"kind": "hypnic_jerk", "source": "sleep_start",
                                 "group": group, "side": ""})
            if r.uniform() < settings["sleep_starts.arousal_prob"]:
                out.arousals.append({"onset": tj + 0.3, "duration": float(r.uniform(3, 10)),
                                     "movement": True, "shift_u": float(r.uniform())})


#: Spread order and latency (s) of propriospinal myoclonus along the spine (Montagna 2006).
PROPRIOSPINAL_SPREAD: tuple[tuple[str, float], ...] = (
    ("abdomen", 0.0), ("chest", 0.03), ("back", 0.05), ("neck", 0.12), ("shoulder", 0.14),
    ("arm", 0.18), ("leg", 0.25),
)


def generate_propriospinal(seed: int, stages: np.ndarray, transitions: np.ndarray,
                           settings: Mapping[str, Any], total_s: float, out: Generated) -> None:
    """Propriospinal myoclonus at sleep onset: axial jerks spreading to the limbs."""
    if settings["propriospinal.prob"] <= 0:
        return
    for j, e in enumerate(transitions):
        r = np.random.default_rng([seed, STREAM["propriospinal"], int(e)])
        if not r.uniform() < settings["propriospinal.prob"]:
            continue
        n_j = int(r.integers(3, 8))
        t0 = e * 30.0 - r.uniform(60.0, 120.0)
        times = t0 + np.concatenate([[0.0], np.cumsum(r.uniform(4.0, 12.0, size=n_j - 1))])
        times = times[(times > 1.0) & (times < total_s - 5.0)]
        if len(times) < 2:
            continue
        group = 30_000 + j
        for t in times:
            for region, latency in PROPRIOSPINAL_SPREAD:
                for ch in REGION_CHANNELS[region]:
                    d = float(r.uniform(0.5, 1.5))
                    a = float(r.uniform(25.0, 80.0))
                    row = "lm" if region == "leg" else ""
                    out.bursts.append(_burst(t + latency, d, ch, a, "lm", "propriospinal",
                                             row=row, group=group))
        out.episodes.append({"kind": "propriospinal_myoclonus", "source": "propriospinal",
                             "group": group, "side": "bilateral"})


def generate_respiratory(seed: int, stages: np.ndarray, settings: Mapping[str, Any],
                         total_s: float, out: Generated) -> None:
    """Apneas and hypopneas in sleep, with arousals and leg movements at their end."""
    if settings["resp.index_per_h"] <= 0:
        return
    rng = np.random.default_rng([seed, STREAM["resp"]])
    n = rng.poisson(settings["resp.index_per_h"] * total_s / 3600.0 * 1.4)
    t = np.sort(rng.uniform(0, max(total_s - 60.0, 1.0), size=n))
    dur = rng.uniform(12.0, 40.0, size=n)
    apnea = rng.uniform(size=n) < 0.35
    ar_u, lm_u = rng.uniform(size=n), rng.uniform(size=n)
    lm_on = rng.uniform(-1.0, 1.5, size=(n, 2))
    lm_dur = rng.uniform(0.8, 3.0, size=(n, 2))
    lm_amp = _lognormal(rng, settings["plm.amplitude_median_uv"], 0.3, (n, 2), 14.0, 200.0)
    shift_u = rng.uniform(size=n)
    st_on, st_end = _stage_at(stages, t), _stage_at(stages, t + dur)
    spans = np.array(out.plm_spans, dtype=float).reshape(-1, 2)
    last_end = -np.inf
    for k in range(n):
        if st_on[k] in ("W", "?") or st_end[k] in ("W", "?") or t[k] < last_end + 20.0:
            continue
        if spans.size and np.any((t[k] < spans[:, 1] + 30.0) & (t[k] + dur[k] > spans[:, 0] - 30.0)):
            continue
        end = t[k] + dur[k]
        last_end = end
        label = "Obstructive apnea" if apnea[k] else "Hypopnea"
        out.respiratory.append({"onset": t[k], "duration": dur[k],
                                "kind": "apnea" if apnea[k] else "hypopnea", "label": label})
        if ar_u[k] < settings["resp.arousal_prob"]:
            out.arousals.append({"onset": end - 1.0, "duration": 3.0 + 7.0 * ar_u[k],
                                 "movement": False, "shift_u": shift_u[k]})
        if lm_u[k] < settings["resp.lm_prob"]:
            for j, ch in enumerate(("LAT", "RAT")):
                out.bursts.append(_burst(end + lm_on[k, j], lm_dur[k, j], ch, lm_amp[k, j],
                                         "lm", "resp", row="lm"))


def generate_spontaneous_arousals(seed: int, stages: np.ndarray, settings: Mapping[str, Any],
                                  total_s: float, out: Generated) -> None:
    """Arousals not caused by any event (AASM: >= 3 s shift of EEG frequency)."""
    rng = np.random.default_rng([seed, STREAM["arousal"]])
    n = rng.poisson(settings["arousal.spontaneous_per_h"] * total_s / 3600.0)
    t = rng.uniform(0, max(total_s - 20.0, 1.0), size=n)
    d = rng.uniform(3.0, 14.0, size=n)
    sleep = ~np.isin(_stage_at(stages, t), ("W", "?"))
    for k in np.flatnonzero(sleep):
        out.arousals.append({"onset": t[k], "duration": d[k], "movement": False, "shift_u": 1.0})


def resolve_overlaps(bursts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep bursts so that each channel's bursts are separable; higher priority wins.

    Leg bursts keep :data:`LEG_GAP_S` between them, other channels
    :data:`OTHER_GAP_S`; non-periodic leg bursts stay :data:`PLM_CLEARANCE_S`
    away from every periodic one.
    """
    if not bursts:
        return []
    order = sorted(range(len(bursts)),
                   key=lambda i: (PRIORITY.get(bursts[i]["source"], 9), bursts[i]["onset"]))
    plm_onsets = np.sort([b["onset"] for b in bursts if b["source"] == "plm"])
    # Boundary probes: their own bursts may sit closer than the gap (that is what they
    # probe); every other leg burst keeps PLM_CLEARANCE_S away from a probe's span.
    spans: dict[int, list[float]] = {}
    for b in bursts:
        if b["source"] == "boundary":
            sp = spans.setdefault(b["group"], [np.inf, -np.inf])
            sp[0] = min(sp[0], b["onset"])
            sp[1] = max(sp[1], b["onset"] + b["duration"])
    probe_spans = np.array(sorted(spans.values()), dtype=float).reshape(-1, 2)
    # Per channel, kept intervals sorted by start; they never overlap (with the
    # gap), so a candidate need only be checked against its two neighbours.
    starts: dict[str, list[float]] = {}
    ends: dict[str, list[float]] = {}
    groups: dict[str, list[int | None]] = {}
    out = []
    for i in order:
        b = bursts[i]
        ch = b["channel"]
        leg = EMG_CHANNELS[ch][2] == "leg"
        gap = LEG_GAP_S if leg else OTHER_GAP_S
        s, e = b["onset"], b["onset"] + b["duration"]
        if leg and b["source"] != "plm" and plm_onsets.size:
            j = np.searchsorted(plm_onsets, s)
            near = [plm_onsets[m] for m in (j - 1, j) if 0 <= m < plm_onsets.size]
            if any(abs(s - p) < PLM_CLEARANCE_S for p in near):
                continue
        probe = b["source"] in TRAIN_SOURCES
        if leg and b["source"] != "boundary" and probe_spans.size and np.any(
                (s < probe_spans[:, 1] + PLM_CLEARANCE_S) & (e > probe_spans[:, 0] - PLM_CLEARANCE_S)):
            continue
        ks, ke = starts.setdefault(ch, []), ends.setdefault(ch, [])
        kg = groups.setdefault(ch, [])
        j = bisect.bisect_left(ks, s)
        if any(s < ke[m] + gap and ks[m] < e + gap and not (probe and kg[m] == b["group"])
               for m in (j - 1, j) if 0 <= m < len(ks)):
            continue
        ks.insert(j, s)
        ke.insert(j, e)
        kg.insert(j, b["group"] if probe else None)
        out.append(b)
    out.sort(key=lambda b: (b["onset"], b["channel"]))
    return out


def generate_rem_content(seed: int, stages: np.ndarray, settings: Mapping[str, Any],
                         out: Generated) -> list[dict[str, Any]]:
    """Chin activity in REM epochs: AASM tonic / phasic epochs for RBD, normal twitches.

    Returns the truth rows (``rem_tonic`` / ``rem_phasic``, one per qualifying
    30-s epoch) and appends the bursts.  Tonic epochs: one sustained segment
    covering 60-100 % of the epoch (AASM: >= 50 %) at 6-14 µV above the NREM
    tone.  Phasic epochs: bursts of 0.3-1.5 s in 5-8 of the 10 3-s mini-epochs
    at >= 5x the REM background (AASM: >= 5 mini-epochs, bursts 0.1-5 s, >= 4x).
    Non-qualifying REM epochs get at most two twitches.
    """
    rows: list[dict[str, Any]] = []
    rem_epochs = np.flatnonzero(stages == "R")
    rest = settings["noise.rest_uv"]
    background = rest + settings["chin.tone_rem_uv"]
    for e in rem_epochs:
        r = np.random.default_rng([seed, STREAM["rem"], int(e)])
        u_t, u_p, u_tw = r.uniform(size=3)
        t0 = e * 30.0
        if u_t < settings["rbd.tonic_prob"]:
            cover = r.uniform(0.6, 1.0)
            start = t0 + r.uniform(0.0, 30.0 * (1.0 - cover))
            amp = settings["chin.tone_nrem_uv"] + r.uniform(6.0, 14.0)
            out.bursts.append(_burst(start, 30.0 * cover, "Chin1-Chin2", amp, "tonic", "rem"))
            rows.append({"onset": t0, "duration": 30.0, "kind": "rem_tonic",
                         "channel": "Chin1-Chin2", "muscle": "mentalis", "side": "midline",
                         "amplitude_uv": amp})
        elif u_p < settings["rbd.phasic_prob"]:
            k = int(r.integers(5, 9))
            minis = np.sort(r.choice(10, size=k, replace=False))
            amps = []
            for m in minis:
                d = float(r.uniform(0.3, 1.5))
                s = t0 + 3.0 * m + 0.15 + r.uniform(0.0, 2.7 - d)
                a = float(max(20.0, 5.0 * background) * r.uniform(1.0, 2.5))
                amps.append(a)
                out.bursts.append(_burst(s, d, "Chin1-Chin2", a, "phasic", "rem"))
            rows.append({"onset": t0, "duration": 30.0, "kind": "rem_phasic",
                         "channel": "Chin1-Chin2", "muscle": "mentalis", "side": "midline",
                         "amplitude_uv": max(amps)})
        elif u_tw < settings["rem.twitch_prob"]:
            n_tw = int(r.integers(1, 3))
            for m in r.choice(10, size=n_tw, replace=False):
                d = float(r.uniform(0.3, 0.6))
                s = t0 + 3.0 * m + 0.15 + r.uniform(0.0, 2.7 - d)
                out.bursts.append(_burst(s, d, "Chin1-Chin2", float(r.uniform(12.0, 30.0)),
                                         "phasic", "rem"))
    return rows


def generate_rbd_limbs(seed: int, stages: np.ndarray, settings: Mapping[str, Any],
                       out: Generated) -> None:
    """Brief FDS twitches in REM (REM sleep without atonia in the arms, SINBAR)."""
    rate = settings["rbd.limb_twitches_per_min"]
    if rate <= 0:
        return
    rng = np.random.default_rng([seed, STREAM["rbd_limbs"]])
    rem = np.flatnonzero(stages == "R")
    n = rng.poisson(rate * len(rem) / 2.0)
    if not n or not rem.size:
        return
    e = rng.choice(rem, size=n)
    t = e * 30.0 + rng.uniform(0.2, 29.5, size=n)
    ch = rng.integers(0, 2, size=n)
    d = rng.uniform(0.1, 0.24, size=n)
    a = _lognormal(rng, 50.0, 0.4, n, 20.0, 200.0)
    for k in range(n):
        out.bursts.append(_burst(t[k], d[k], REGION_CHANNELS["arm"][ch[k]], a[k], "brief",
                                 "rbd_limb", row="myoclonus"))


def generate_morning(seed: int, stages: np.ndarray, settings: Mapping[str, Any],
                     total_s: float, out: Generated) -> None:
    """Sustained (tonic) activity after the final awakening, per region and channel.

    Each region of ``morning.regions`` is active with probability
    ``morning.prob * (0.2 + 0.8 * damage)``; each of its channels then holds one
    20-150 s contraction starting 5-90 s after the final awakening.
    """
    if settings["morning.prob"] <= 0:
        return
    sleep = np.flatnonzero(stages != "W")
    if not sleep.size:
        return
    t_fa = (sleep[-1] + 1) * 30.0
    for ri, region in enumerate(settings["morning.regions"]):
        r = np.random.default_rng([seed, STREAM["morning"], ri])
        d_r = settings[f"damage.{region}"]
        u = r.uniform()
        if not u < settings["morning.prob"] * (0.2 + 0.8 * d_r):
            continue
        for ch in REGION_CHANNELS[region]:
            onset = t_fa + r.uniform(5.0, 90.0)
            dur = min(r.uniform(20.0, 150.0), total_s - 3.0 - onset)
            amp = float(np.clip(r.lognormal(np.log(settings["morning.amplitude_uv"]), 0.3),
                                10.0, 80.0))
            if dur < 8.0:
                continue
            out.bursts.append(_burst(onset, dur, ch, amp, "tonic", "morning",
                                     row="morning_tonic"))


def generate_fragmentary(seed: int, stages: np.ndarray, settings: Mapping[str, Any],
                         out: Generated) -> None:
    """Fragmentary myoclonus: >= 5 brief (<= 150 ms) potentials a minute over >= 20 min of NREM.

    Potentials are placed only in runs of >= 40 consecutive NREM epochs (AASM:
    >= 20 min of NREM), each run an episode.
    """
    rate = settings["fragmentary.rate_per_min"]
    if rate <= 0:
        return
    nrem = np.isin(stages, ("N1", "N2", "N3")).astype(int)
    edges = np.diff(np.concatenate([[0], nrem, [0]]))
    run_s, run_e = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    rng = np.random.default_rng([seed, STREAM["fragmentary"]])
    chans = [c for g in settings["myoclonus.regions"] for c in REGION_CHANNELS[g]]
    if not chans:
        return
    for k, (a, b) in enumerate(zip(run_s, run_e, strict=True)):
        if b - a < 40:
            continue
        t0, t1 = a * 30.0, b * 30.0
        n = rng.poisson(max(rate, 5.5) * (t1 - t0) / 60.0)
        times = np.sort(rng.uniform(t0 + 0.5, t1 - 0.5, size=n))
        chs = rng.integers(0, len(chans), size=n)
        d = rng.uniform(0.03, 0.15, size=n)
        amp = rng.uniform(20.0, 50.0, size=n)
        group = 40_000 + k
        for m in range(n):
            out.bursts.append(_burst(times[m], d[m], chans[chs[m]], amp[m], "brief",
                                     "fragmentary", row="myoclonus", group=group))
        out.episodes.append({"kind": "fragmentary_myoclonus", "source": "fragmentary",
                             "group": group, "side": "", "onset": t0, "duration": t1 - t0})


#: Boundary classes, in the order probes cycle through them, with the rule each probes.
BOUNDARY_CLASSES: dict[str, str] = {
    "same_leg_gap": "same-leg LMs < 0.5 s apart are one LM (WASM 2016)",
    "onset_amplitude": "onset 8 µV above the resting level (WASM 2016)",
    "min_duration": "an LM lasts >= 0.5 s (WASM 2016, AASM)",
    "max_duration": "a monolateral CLM lasts <= 10 s (WASM 2016)",
    "imi_10s": "IMI >= 10 s in a PLM series (WASM 2016)",
    "imi_90s": "IMI <= 90 s in a PLM series (WASM 2016, AASM)",
    "bilateral_gap": "LMs of the two legs < 0.5 s apart are one bilateral LM (WASM 2016)",
}
#: Half-width of the band left out around each limit: values inside it are decided by
#: the noise of the recording rather than by the movement (onset jitter of a detected
#: LM is ~0.02-0.05 s, the 100-ms envelope of 3-µV noise wanders by ~1 µV).
BOUNDARY_DEAD_BAND = {"same_leg_gap": 0.06, "onset_amplitude": 1.0, "min_duration": 0.04,
                      "max_duration": 0.15, "imi_10s": 0.2, "imi_90s": 0.2,
                      "bilateral_gap": 0.06}


def _probe_amp(r: np.random.Generator) -> float:
    """Amplitude (µV) of a probe movement whose amplitude is not what it probes."""
    return float(r.uniform(20.0, 60.0))


def _near(r: np.random.Generator, limit: float, lo: float, hi: float, dead: float) -> float:
    """A value in [lo, limit - dead] or [limit + dead, hi], either side with probability 1/2."""
    if r.uniform() < 0.5:
        return float(r.uniform(lo, limit - dead))
    return float(r.uniform(limit + dead, hi))


def generate_boundary(seed: int, stages: np.ndarray, settings: Mapping[str, Any],
                      total_s: float, out: Generated) -> None:
    """Leg movements placed deliberately just inside and just outside each rule's limit.

    ``boundary.per_h`` probes an hour, cycling through :data:`BOUNDARY_CLASSES`,
    each at a random NREM time more than 100 s from periodic trains and other
    probes (so no IMI of 90 s or less links it to them):

    * ``same_leg_gap``: two LMs of one leg 0.30-0.70 s apart (merge below 0.5 s);
    * ``onset_amplitude``: one LM rising 6-12 µV above the resting level;
    * ``min_duration``: one LM of 0.40-0.60 s;
    * ``max_duration``: a train of 4 LMs (IMIs 18-26 s), one of 9.5-10.5 s;
    * ``imi_10s`` / ``imi_90s``: a train of 4 LMs, one IMI of 9-11 s or 88-92 s;
    * ``bilateral_gap``: one LM per leg, the second starting 0.30-0.70 s after
      the first ends.

    Values within :data:`BOUNDARY_DEAD_BAND` of the limit are not drawn.  The
    probe (class, window, value, whether the value is within the rule's limit)
    goes to ``out.probes``; what the rules make of the movements is the truth.
    """
    rate = settings["boundary.per_h"]
    if rate <= 0:
        return
    rng = np.random.default_rng([seed, STREAM["boundary"]])
    n = int(round(rate * total_s / 3600.0))
    classes = list(BOUNDARY_CLASSES)
    first = int(rng.integers(len(classes)))
    busy = [(a - 100.0, b + 100.0) for a, b in out.plm_spans]
    rest = settings["noise.rest_uv"] * rest_factor(stages, settings["noise.rest_stage_gain"])
    nrem = np.flatnonzero(np.isin(stages, ("N1", "N2", "N3")))
    if not nrem.size:
        return
    for k in range(n):
        cls = classes[(first + k) % len(classes)]
        r = np.random.default_rng([seed, STREAM["boundary"], k + 1])
        legs = ("LAT", "RAT") if r.uniform() < 0.5 else ("RAT", "LAT")
        dead = BOUNDARY_DEAD_BAND[cls]
        bursts: list[tuple[float, float, str, float]] = []  # rel. onset, duration, channel, amp
        if cls in ("same_leg_gap", "bilateral_gap"):
            # the second movement on the same leg (merge rule) or the other (bilateral rule)
            second = legs[0] if cls == "same_leg_gap" else legs[1]
            value = _near(r, 0.5, 0.30, 0.70, dead)
            d1 = float(r.uniform(0.8, 2.0))
            bursts = [(0.0, d1, legs[0], _probe_amp(r)), (d1 + value, float(r.uniform(0.8, 2.0)),
                                                  second, _probe_amp(r))]
            inside = value < 0.5
        elif cls == "onset_amplitude":
            value = _near(r, 8.0, 6.0, 12.0, dead)
            bursts = [(0.0, float(r.uniform(1.0, 3.0)), legs[0], np.nan)]  # amplitude below
            inside = value >= 8.0
        elif cls == "min_duration":
            value = _near(r, 0.5, 0.40, 0.60, dead)
            bursts = [(0.0, value, legs[0], _probe_amp(r))]
            inside = value >= 0.5
        else:
            imis = list(r.uniform(18.0, 26.0, size=3))
            durs = list(r.uniform(1.0, 2.5, size=4))
            pos = int(r.integers(3 if cls != "max_duration" else 4))
            if cls == "max_duration":
                value = _near(r, 10.0, 9.5, 10.5, dead)
                durs[pos] = value
                inside = value <= 10.0
            else:
                lim, lo, hi = (10.0, 9.0, 11.0) if cls == "imi_10s" else (90.0, 88.0, 92.0)
                value = _near(r, lim, lo, hi, dead)
                imis[pos] = value
                inside = value >= 10.0 if cls == "imi_10s" else value <= 90.0
            on = np.concatenate([[0.0], np.cumsum(imis)])
            bursts = [(float(on[j]), float(durs[j]), legs[0], _probe_amp(r)) for j in range(4)]
        span = max(b[0] + b[1] for b in bursts)
        placed = None
        for _ in range(40):
            e = int(r.choice(nrem))
            t0 = e * 30.0 + float(r.uniform(0.0, 30.0))
            if t0 < 60.0 or t0 + span > total_s - 60.0:
                continue
            if any(t0 - 30.0 < b and t0 + span + 30.0 > a for a, b in busy):
                continue
            placed = t0
            break
        if placed is None:
            continue
        busy.append((placed - 100.0, placed + span + 100.0))  # no IMI <= 90 s to a neighbour
        group = 50_000 + k
        if cls == "onset_amplitude":
            rr = float(rest[min(int(placed // 30.0), len(rest) - 1)])
            # The amplitude whose envelope rises ``value`` µV above this resting level.
            a_in = amplitude_for_excess(value, rr, float(settings["fs"]))
            bursts = [(b[0], b[1], b[2], a_in) for b in bursts]
        for rel, d, ch, a in bursts:
            out.bursts.append(_burst(placed + rel, d, ch, a, "lm", "boundary", row="lm",
                                     group=group))
        out.probes.append({"onset": placed, "duration": span, "boundary": cls,
                           "value": value, "inside": bool(inside), "group": group,
                           "side": EMG_CHANNELS[legs[0]][1]})


#: Relative rate of fragmentary myoclonus potentials by stage in healthy sleepers
#: (Frauscher et al. 2014 FM data: medians R 38, N1 34.4, N2 22.3/h; N3 lowest; none
#: counted in wake here, the index is per hour of sleep).
FM_STAGE_WEIGHT = {"W": 0.0, "N1": 1.5, "N2": 1.0, "N3": 0.5, "R": 1.7, "?": 0.0}
#: Potentials come in bursts of minutes: the rate of each 5-min block is multiplied by
#: a log-normal factor (mean 1) of this spread; high-rate sleepers then reach the AASM
#: "excessive" pattern (>= 5/min for >= 20 min of NREM) in some stretches (9 % of
#: healthy sleepers did in Frauscher 2014).
FM_BLOCK_S = 300.0
FM_BLOCK_SIGMA = 0.5


def generate_fm_background(seed: int, stages: np.ndarray, settings: Mapping[str, Any],
                           out: Generated) -> None:
    """Fragmentary myoclonus potentials throughout sleep at ``fragmentary.background_per_h``.

    Brief (75-150 ms), > 50 µV potentials (Lins' definition as used by Frauscher
    2014) in the channels of ``myoclonus.regions``, at a stage-weighted rate whose
    mean over the night's sleep is the setting, modulated in 5-min blocks.
    """
    rate = settings["fragmentary.background_per_h"]
    chans = [c for g in settings["myoclonus.regions"] for c in REGION_CHANNELS[g]]
    if rate <= 0 or not chans or not len(stages):
        return
    w = _gate(FM_STAGE_WEIGHT, stages)
    if w.sum() <= 0:
        return
    rng = np.random.default_rng([seed, STREAM["fm_background"]])
    per_block = int(FM_BLOCK_S // 30.0)
    n_blocks = -(-len(stages) // per_block)
    mult = np.exp(FM_BLOCK_SIGMA * rng.standard_normal(n_blocks) - 0.5 * FM_BLOCK_SIGMA ** 2)
    sleep_epochs = float(np.count_nonzero(w > 0))
    lam = rate * (sleep_epochs * 30.0 / 3600.0) * w / w.sum() * np.repeat(mult, per_block)[
        : len(stages)]
    counts = rng.poisson(lam)
    n = int(counts.sum())
    epochs = np.repeat(np.arange(len(stages)), counts)
    times = epochs * 30.0 + rng.uniform(0.2, 29.8, size=n)
    chs = rng.integers(0, len(chans), size=n)
    dur = rng.uniform(0.075, 0.15, size=n)
    amp = _lognormal(rng, 70.0, 0.35, n, 50.0, 300.0)
    for m in range(n):
        out.bursts.append(_burst(times[m], dur[m], chans[chs[m]], amp[m], "brief",
                                 "fragmentary", row="myoclonus"))


def generate_neck_myoclonus(seed: int, stages: np.ndarray, settings: Mapping[str, Any],
                            out: Generated) -> None:
    """Neck myoclonus in REM: brief jerks of the neck muscles (Frauscher et al. 2010).

    ``neck_myoclonus.rate_per_h_rem`` jerks per hour of REM, 100-250 ms (brief jerks), in the
    channels of the neck region.
    """
    rate = settings["neck_myoclonus.rate_per_h_rem"]
    rem = np.flatnonzero(stages == "R")
    chans = REGION_CHANNELS["neck"]
    if rate <= 0 or not rem.size:
        return
    rng = np.random.default_rng([seed, STREAM["neck_myoclonus"]])
    n = int(rng.poisson(rate * rem.size * 30.0 / 3600.0))
    t = np.sort(rng.choice(rem, size=n) * 30.0 + rng.uniform(0.3, 29.5, size=n))
    dur = rng.uniform(0.1, 0.25, size=n)
    amp = _lognormal(rng, 80.0, 0.4, n, 30.0, 400.0)
    for k in range(n):
        out.bursts.append(_burst(t[k], dur[k], chans[int(rng.integers(0, len(chans)))], amp[k],
                                 "brief", "neck_myoclonus", row="myoclonus"))
