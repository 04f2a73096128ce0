"""One synthetic night: the model's events turned into 16 channels of signals."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import ndimage

from ..hypnogram import Hypnogram
from ..recording import ChannelInfo, Recording
from .control import ControlState, Evening
from .eeg import synthesize_eeg, synthesize_eog
from .emg import (
    ECG_BLEED,
    activation_envelope,
    ecg_bleed,
    ecg_signal,
    electrode_pop,
    heartbeats,
    motor_unit_signal,
    slow_curve,
    slow_drift,
    tissue_filtered_noise,
    upsample_seconds,
)
from .model import run_model
from .patterns import rest_factor
from .scenarios import ALL_CHANNELS, EMG_CHANNELS, OTHER_CHANNELS, resolve_settings

#: Base of the fixed start date: lights-off at 22:30 on a day fixed by the seed.
START_BASE = _dt.datetime(2024, 1, 1, 22, 30, 0)
_SIGNAL_STREAM = 100
_EEG_STREAM = 200
_ARTIFACT_STREAM = 300
_HEART_STREAM = 400
_NUISANCE_STREAM = 500


@dataclass
class SimulatedNight:
    """A synthetic night with its ground truth.

    Attributes
    ----------
    recording : Recording
        Signals in µV (float32) with annotations ``onset``/``duration``/``text``:
        ``Sleep stage W|N1|N2|N3|R`` per 30-s epoch, ``Arousal``,
        ``Obstructive apnea`` / ``Hypopnea``.
    hypnogram : Hypnogram
        The stages (source ``simulator``).
    truth : DataFrame
        Every generated event, events-table columns.
    scored : DataFrame
        Arousals and respiratory events (``events.SCORED_COLUMNS``).
    settings : dict
        The resolved settings.
    evening : Evening
        The modifiers of this night.
    artifacts : DataFrame
        Electrode pops, movement artefacts and loose-electrode episodes (onset,
        duration, channel, amplitude_uv, kind); not in the truth.
    inserted : DataFrame
        The leg movements as the model inserted them (``model.INSERTED_COLUMNS``:
        amplitude, envelope rise above rest, source, intended PLM series,
        boundary class); the truth's ``lm``/``clm``/``plm`` rows are the WASM
        2016 rules applied to those rising >= 8 µV.
    probes : DataFrame
        The boundary probes (onset, duration, boundary class, value, whether the
        value is within the rule's limit); empty at ``easy``.
    intended : DataFrame
        The generators' own episodes (``ModelNight.intended``), beside the
        truth the rules make from every activation.
    gaps : list of (onset, duration)
        Stretches without data in every channel (NaN; EDF+D gaps when written).
    dead : dict
        Channel label -> the time (s) it died (reads 0 from then on).
    control : ControlState
        The model's state per epoch (rate factors, alcohol, alprazolam), for teaching.
    seed : int
    """

    recording: Recording
    hypnogram: Hypnogram
    truth: pd.DataFrame
    scored: pd.DataFrame
    settings: dict[str, Any]
    evening: Evening
    artifacts: pd.DataFrame = field(default_factory=pd.DataFrame)
    control: ControlState | None = None
    seed: int = 0
    inserted: pd.DataFrame = field(default_factory=pd.DataFrame)
    probes: pd.DataFrame = field(default_factory=pd.DataFrame)
    intended: pd.DataFrame = field(default_factory=pd.DataFrame)
    gaps: list[tuple[float, float]] = field(default_factory=list)
    dead: dict[str, float] = field(default_factory=dict)


def start_datetime(seed: int) -> _dt.datetime:
    """The recording start: 22:30 on a date fixed by the seed (never the clock)."""
    return START_BASE + _dt.timedelta(days=int(seed) % 365)


def channel_info(label: str, fs: float, n: int) -> ChannelInfo:
    """Header of one simulated channel (kind, muscle, side, region as the montage names them)."""
    if label in EMG_CHANNELS:
        muscle, side, region = EMG_CHANNELS[label]
        return ChannelInfo(label=label, fs=fs, unit="uV", kind="emg", muscle=muscle, side=side,
                           region=region, n_samples=n, transducer="AgAgCl electrode")
    return ChannelInfo(label=label, fs=fs, unit="uV", kind=OTHER_CHANNELS[label], n_samples=n,
                       transducer="AgAgCl electrode")


def annotations_of(hypnogram: Hypnogram, scored: pd.DataFrame) -> pd.DataFrame:
    """The recording's annotations: one stage per epoch, then scored events, by onset."""
    st = pd.DataFrame({"onset": hypnogram.epoch_onsets().astype(float),
                       "duration": float(hypnogram.epoch),
                       "text": ["Sleep stage " + s for s in hypnogram.stages]})
    ev = pd.DataFrame({"onset": scored["onset"].astype(float),
                       "duration": scored["duration"].astype(float),
                       "text": scored["label"].astype(str)})
    out = pd.concat([st, ev], ignore_index=True)
    return out.sort_values("onset", kind="stable").reset_index(drop=True)


def channel_damage(label: str, s: Mapping[str, Any]) -> float:
    """The damage of the muscle under ``label``: its region's, shifted by the region's asymmetry."""
    _, side, region = EMG_CHANNELS[label]
    a = s.get(f"asymmetry.{region}", 0.0)
    sign = {"left": -1.0, "right": 1.0}.get(side, 0.0)
    return float(np.clip(s[f"damage.{region}"] * (1.0 + 0.5 * a * sign), 0.0, 1.0))


_TONE_RAMP_S = 8  # s: how long the chin's tone takes to change with stage


def _chin_tone(stages: np.ndarray, s: Mapping[str, Any], n: int, fs: float) -> np.ndarray:
    table = {"W": s["chin.tone_wake_uv"], "N1": s["chin.tone_nrem_uv"],
             "N2": s["chin.tone_nrem_uv"], "N3": s["chin.tone_nrem_uv"],
             "R": s["chin.tone_rem_uv"]}
    per_epoch = np.array([table.get(str(x), 0.0) for x in stages], dtype=np.float32)
    # Tone changes over seconds around the epoch boundary (a centred 8-s mean), not in a
    # step at it: muscle tone follows the state gradually, and the scorer's epochs are a
    # grid laid on it afterwards.
    per_s = np.repeat(per_epoch, 30)
    if per_s.size > _TONE_RAMP_S:
        per_s = ndimage.uniform_filter1d(per_s, _TONE_RAMP_S, mode="nearest")
    return upsample_seconds(per_s, fs, n)


def _chin_background(stages: np.ndarray, s: Mapping[str, Any], level: np.ndarray, n: int,
                     fs: float, rng: np.random.Generator) -> np.ndarray:
    """The chin at rest: electrode noise and stage-dependent tone, tissue-filtered.

    Both are Gaussian, so together they are one Gaussian noise whose mean
    rectified level (in the EMG band the analyser sees) is the root sum of
    squares of ``chin.rest_uv`` (wandering with the electrode, ``level``) and the
    stage's tone; its spectrum falls off above ``chin.noise_corner_hz`` as a
    relaxed chin's does (benchmarks/bench_realism.py compares it with a real
    surface chin EMG).
    """
    rest = upsample_seconds(np.float32(s["chin.rest_uv"]) * level.astype(np.float32), fs, n)
    tone = _chin_tone(stages, s, n, fs)
    amp = np.sqrt(rest * rest + tone * tone) * np.float32(np.sqrt(np.pi / 2))
    return amp * tissue_filtered_noise(n, fs, s["chin.noise_corner_hz"], rng)


def simulate_night(scenario: str = "polio_mixed", *, hours: float = 8.0, seed: int = 0,
                   fs: float = 256.0, mains_hz: float = 50.0,
                   settings: Mapping[str, Any] | None = None,
                   evening: Evening | None = None, difficulty: str = "easy") -> SimulatedNight:
    """Simulate one night: the model's stages and events, and 16 channels of signals.

    Parameters
    ----------
    scenario : str
        ``healthy``, ``polio_plms``, ``polio_grm``, ``polio_sleep_starts``, ``rbd``
        or ``polio_mixed`` (the demo); see :data:`SCENARIOS`.
    hours : float
        Length (h), rounded to whole 30-s epochs.
    seed : int
        Random seed; the same seed and settings give the same night.
    fs : float
        Sampling rate (Hz) of every channel, 200-512 (``settings["fs"]`` wins).
    mains_hz : float
        Mains hum frequency, 50 or 60 Hz (``settings["mains_hz"]`` wins).
    settings : mapping, optional
        Setting overrides, e.g. ``{"damage.leg": 0.8, "channels": "LAT,RAT"}``.
    evening : Evening, optional
        The evening's modifiers.
    difficulty : str
        ``easy`` (the model's own clean night), ``realistic`` or ``hard``: presets
        of settings adding movements at the rule limits and what real recordings
        carry (:data:`~somnomotor.simulate.scenarios.DIFFICULTY`); ``settings`` win.

    Returns
    -------
    SimulatedNight

    Examples
    --------
    >>> night = simulate_night("polio_plms", hours=0.5, seed=3)
    >>> night.recording.labels[:2], night.hypnogram.source
    (['LAT', 'RAT'], 'simulator')
    """
    s = resolve_settings(scenario, settings, difficulty=difficulty, fs=fs, mains_hz=mains_hz)
    model = run_model(scenario, hours=hours, seed=seed, evening=evening, resolved=s)
    fs = float(s["fs"])
    n = int(round(model.duration * fs))
    stages = model.hypnogram.stages
    arousals = model.scored[model.scored["kind"] == "arousal"]
    seed = model.seed
    labels = [c for c in ALL_CHANNELS if c in set(s["channels"])]

    heart = heartbeats(stages, arousals, model.duration, s["heart.rate_bpm"],
                       np.random.default_rng([seed, _HEART_STREAM]))
    ecg = ecg_signal(heart, n, fs)
    decg = np.gradient(ecg).astype(np.float32)
    decg *= np.float32(np.abs(ecg).max() / max(float(np.abs(decg).max()), 1e-9))
    t = np.arange(n, dtype=np.float64) / fs
    w = 2 * np.pi * s["mains_hz"]
    mains_sin, mains_cos = np.sin(w * t).astype(np.float32), np.cos(w * t).astype(np.float32)
    harm = 3 * s["mains_hz"] < 0.5 * fs
    mains3 = np.sin(3 * w * t).astype(np.float32) if harm else None
    del t

    # Electrode pops (sparse; recorded as artifacts, never as truth events).  Drawn
    # over all EMG channels so that a channel's signal does not depend on which
    # other channels are written.
    rng_a = np.random.default_rng([seed, _ARTIFACT_STREAM])
    all_emg = list(EMG_CHANNELS)
    n_pops = rng_a.poisson(s["artifacts.pops_per_h"] * model.duration / 3600.0)
    pop_t = rng_a.uniform(5.0, max(model.duration - 10.0, 6.0), size=n_pops)
    pop_ch = rng_a.integers(0, len(all_emg), size=n_pops)
    pop_amp = rng_a.choice([-1.0, 1.0], size=n_pops) * rng_a.uniform(150.0, 600.0, size=n_pops)
    pop_tau = rng_a.uniform(0.1, 0.5, size=n_pops)
    artifacts = pd.DataFrame({
        "onset": pop_t, "duration": 5 * pop_tau,
        "channel": pd.Series([all_emg[i] for i in pop_ch], dtype=object),
        "amplitude_uv": pop_amp, "kind": "electrode_pop",
    })
    artifacts = pd.concat([artifacts, _nuisance_events(s, model.duration, seed, all_emg)],
                          ignore_index=True)
    artifacts = artifacts[artifacts["channel"].isin(labels)].sort_values("onset", kind="stable")
    rest_per_s = np.repeat(rest_factor(stages, s["noise.rest_stage_gain"]), 30)

    signals: dict[str, np.ndarray] = {}
    eeg_needed = any(OTHER_CHANNELS.get(c) in ("eeg", "eog") for c in labels)
    if eeg_needed:
        rng_e = np.random.default_rng([seed, _EEG_STREAM])
        c4, c3, delta = synthesize_eeg(stages, arousals, n, fs, rng_e)
        e1, e2 = synthesize_eog(stages, delta, n, fs, rng_e)
        eeg = {"C4-M1": c4, "C3-M2": c3, "E1-M2": e1, "E2-M2": e2}
    for label in labels:
        ci = ALL_CHANNELS.index(label)
        rng = np.random.default_rng([seed, _SIGNAL_STREAM, ci])
        if label == "ECG II":
            signals[label] = ecg + 8.0 * rng.standard_normal(n, dtype=np.float32)
            continue
        if label in OTHER_CHANNELS:
            signals[label] = eeg[label] + (
                0.5 * mains_sin * rng.uniform(0.5, 1.5)).astype(np.float32)
            continue
        region = EMG_CHANNELS[label][2]
        bursts = model.bursts[model.bursts["channel"] == label]
        a, brief = activation_envelope(bursts, n, fs, rng)
        x = motor_unit_signal(a, brief, fs, channel_damage(label, s), rng)
        # Resting noise whose level wanders slowly (electrode impedance, ±20 %).
        level = np.clip(1.0 + 0.2 * slow_curve(int(model.duration) + 2, 300.0, rng), 0.6, 1.5)
        if s["noise.rest_stage_gain"] > 0:
            level = level * np.pad(rest_per_s, (0, max(0, level.size - rest_per_s.size)),
                                   mode="edge")[:level.size]
        if region == "chin":
            x += _chin_background(stages, s, level, n, fs, rng)
        else:
            sigma = s["noise.rest_uv"] * np.sqrt(np.pi / 2)
            x += upsample_seconds(sigma * level, fs, n) * rng.standard_normal(n, dtype=np.float32)
        x += ecg_bleed(ecg, decg, ECG_BLEED[label] * s["ecg_bleed"], fs, model.duration, rng)
        amp, ph = s["mains_uv"] * rng.uniform(0.5, 1.5), rng.uniform(0, 2 * np.pi)
        x += np.float32(amp * np.cos(ph)) * mains_sin + np.float32(amp * np.sin(ph)) * mains_cos
        if mains3 is not None:
            x += np.float32(0.2 * amp) * mains3
        x += slow_drift(n, fs, s["artifacts.drift_uv"], rng)
        for p in artifacts[artifacts["channel"] == label].itertuples(index=False):
            wave = electrode_pop(fs, p.amplitude_uv, p.duration / 5)
            i0 = int(p.onset * fs)
            i1 = min(n, i0 + wave.size)
            if i1 > i0:
                x[i0:i1] += wave[: i1 - i0]
        x = _add_nuisances(x, label, artifacts, s, fs, seed, ci, model.dead)
        signals[label] = x.astype(np.float32, copy=False)
    for g0, gd in model.gaps:  # EDF+D gaps: no data in any channel
        for label in signals:
            signals[label][int(round(g0 * fs)):int(round((g0 + gd) * fs))] = np.nan

    channels = [channel_info(lab, fs, n) for lab in labels]
    recording = Recording.from_arrays(
        signals, fs, channels=channels, start=start_datetime(seed),
        annotations=annotations_of(model.hypnogram, model.scored))
    return SimulatedNight(recording=recording, hypnogram=model.hypnogram, truth=model.truth,
                          scored=model.scored, settings=s, evening=model.evening,
                          artifacts=artifacts.reset_index(drop=True), control=model.control,
                          seed=seed, inserted=model.inserted, probes=model.probes,
                          intended=model.intended, gaps=model.gaps, dead=model.dead)


def _nuisance_events(s: Mapping[str, Any], duration: float, seed: int,
                     all_emg: list[str]) -> pd.DataFrame:
    """Movement artefacts and loose-electrode episodes over all EMG channels (seeded)."""
    rng = np.random.default_rng([seed, _NUISANCE_STREAM])
    rows = []
    n_mov = rng.poisson(s["artifacts.movement_per_h"] * duration / 3600.0)
    for _ in range(n_mov):
        rows.append({"onset": float(rng.uniform(5.0, max(duration - 10.0, 6.0))),
                     "duration": float(rng.uniform(1.0, 4.0)),
                     "channel": all_emg[int(rng.integers(len(all_emg)))],
                     "amplitude_uv": float(rng.uniform(30.0, 150.0)), "kind": "movement"})
    n_loose = rng.poisson(s["artifacts.loose_per_h"] * duration / 3600.0)
    for _ in range(n_loose):
        d = float(rng.uniform(60.0, 600.0))
        rows.append({"onset": float(rng.uniform(5.0, max(duration - d - 5.0, 6.0))),
                     "duration": d, "channel": all_emg[int(rng.integers(len(all_emg)))],
                     "amplitude_uv": float(s["artifacts.loose_hum_uv"] * rng.uniform(0.5, 1.5)),
                     "kind": "loose_electrode"})
    return pd.DataFrame(rows, columns=["onset", "duration", "channel", "amplitude_uv", "kind"])


def _add_nuisances(x: np.ndarray, label: str, artifacts: pd.DataFrame, s: Mapping[str, Any],
                   fs: float, seed: int, ci: int, dead: Mapping[str, float]) -> np.ndarray:
    """What real electrodes and amplifiers add to one EMG channel (nothing at ``easy``).

    Sweat (0.05-0.5 Hz swings waxing and waning over minutes), movement
    artefacts (0.5-4 Hz waves), loose-electrode hum with harmonics, a DC
    offset, saturation, quantisation and a channel's death (reads 0).
    Drawn from their own random stream, so a night at ``easy`` is unchanged.
    """
    n = x.size
    rng = np.random.default_rng([seed, _NUISANCE_STREAM, ci])
    if s["artifacts.sweat_uv"] > 0:
        from scipy.ndimage import gaussian_filter1d

        m = int(n / fs * 10) + 3  # made at 10 Hz
        w = rng.standard_normal(m)
        band = gaussian_filter1d(w, 3.0) - gaussian_filter1d(w, 30.0)
        band *= s["artifacts.sweat_uv"] / max(float(band.std()), 1e-9)
        wax = np.clip(slow_curve(m // 10 + 2, 240.0, rng), 0.0, None)
        sweat = band * np.repeat(wax, 10)[:m]
        x = x + np.interp(np.arange(n) / fs * 10.0, np.arange(m), sweat).astype(np.float32)
    mine = artifacts[(artifacts["channel"] == label) & artifacts["kind"].isin(
        ["movement", "loose_electrode"])]
    for a in mine.itertuples(index=False):
        i0 = int(a.onset * fs)
        i1 = min(n, i0 + int(a.duration * fs))
        if i1 <= i0:
            continue
        t = np.arange(i1 - i0) / fs
        if a.kind == "movement":
            f = rng.uniform(0.5, 4.0)
            wave = a.amplitude_uv * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
            wave *= np.hanning(t.size)
        else:
            w0 = 2 * np.pi * s["mains_hz"]
            wave = np.zeros(t.size)
            for h, g in ((1, 1.0), (2, 0.5), (3, 0.3), (5, 0.1)):
                if h * s["mains_hz"] < 0.5 * fs:
                    wave += g * np.sin(h * w0 * t + rng.uniform(0, 2 * np.pi))
            ramp = np.clip(np.minimum(t, t[-1] - t) / 2.0, 0.0, 1.0)
            wave *= a.amplitude_uv * ramp
        x[i0:i1] += wave.astype(np.float32)
    if s["adc.offset_uv"] > 0:
        x = x + np.float32(rng.normal(0.0, s["adc.offset_uv"]))
    if s["adc.clip_uv"] > 0:
        x = np.clip(x, -s["adc.clip_uv"], s["adc.clip_uv"])
    step = s["adc.step_uv"]
    if step > 0 and (not s["adc.step_channels"] or label in s["adc.step_channels"]):
        x = (np.round(x / step) * step).astype(np.float32)
    if label in dead:
        x = x.copy()
        x[int(dead[label] * fs):] = 0.0
    return x
