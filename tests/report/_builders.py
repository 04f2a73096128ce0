"""Hand-made NightResults for the report tests (no simulator or scorer needed).

The summary holds the promised keys (interfaces.md) with values that are easy
to recognise on the page; the events table, hypnogram, quality table and a
small in-memory recording agree with each other.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from somnomotor.events import make_events
from somnomotor.hypnogram import Hypnogram
from somnomotor.recording import ChannelInfo, Recording
from somnomotor.result import NightResult

FS = 256.0
EMG = [("LAT", "tibialis_anterior", "left"), ("RAT", "tibialis_anterior", "right"),
       ("EMG MFD-l", "fds", "left"), ("Chin1-Chin2", "mentalis", "midline"),
       ("Paraspinal", "paraspinal", "midline")]


def _hypnogram(hours: float) -> Hypnogram:
    n = int(hours * 120)
    cycle = ["W"] * 6 + ["N1"] * 4 + ["N2"] * 30 + ["N3"] * 16 + ["N2"] * 10 + ["R"] * 14
    stages = (cycle * (n // len(cycle) + 1))[:n]
    stages[-4:] = ["W"] * 4
    return Hypnogram.from_labels(stages, source="file:night-hypnogram.csv")


def make_recording(hours: float, events: pd.DataFrame, seed: int = 0) -> Recording:
    """Quiet EMG (≈ 2 µV) with bursts where the events are."""
    rng = np.random.default_rng(seed)
    n = int(hours * 3600 * FS)
    signals = {}
    for label, _muscle, _side in EMG:
        x = rng.normal(0.0, 2.0, n).astype(np.float32)
        sel = events[(events["channel"] == label)]
        for onset, dur in zip(sel["onset"], sel["duration"], strict=True):
            i0, i1 = int(onset * FS), min(n, int((onset + dur) * FS))
            x[i0:i1] += rng.normal(0.0, 25.0, max(0, i1 - i0)).astype(np.float32)
        signals[label] = x
    channels = [ChannelInfo(label=lab, fs=FS, unit="uV", kind="emg", muscle=m, side=s)
                for lab, m, s in EMG]
    return Recording.from_arrays(signals, FS, channels=channels,
                                 start=dt.datetime(2025, 2, 3, 22, 47, 11), path="night-07.edf")


def _events(hyp: Hypnogram, hours: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    onsets = np.arange(900.0, hours * 3600 - 300, 27.5)
    for i, t in enumerate(onsets):
        side = "left" if i % 3 else "right"
        stage = str(hyp.stage_at(t)[0])
        rows.append(dict(onset=t, duration=1.5, kind="lm", side=side,
                         channel="LAT" if side == "left" else "RAT",
                         muscle="tibialis_anterior", stage=stage, amplitude_uv=30 + i % 7))
        rows.append(dict(onset=t, duration=1.5, kind="clm", side=side, stage=stage,
                         respiratory=i % 10 == 0))
        if i % 10:
            rows.append(dict(onset=t, duration=1.5, kind="plm", side=side, stage=stage,
                             series=1 + i // 20, arousal=i % 4 == 0))
    for t in rng.uniform(600, hours * 3600 - 600, 40):
        rows.append(dict(onset=float(t), duration=0.12, kind="myoclonus", channel="EMG MFD-l",
                         muscle="fds", side="left", stage=str(hyp.stage_at(t)[0]),
                         amplitude_uv=float(rng.uniform(20, 60))))
    rows.append(dict(onset=200.0, duration=0.2, kind="hypnic_jerk", channel="Paraspinal",
                     muscle="paraspinal", side="midline", stage="N1", amplitude_uv=44.0))
    rows.append(dict(onset=1300.0, duration=60.0, kind="grm", stage="N2"))
    end = hyp.end
    rows.append(dict(onset=end - 100, duration=45.0, kind="morning_tonic", channel="Paraspinal",
                     muscle="paraspinal", side="midline", stage="W", amplitude_uv=18.0))
    return make_events(rows)


def promised_summary(events: pd.DataFrame, hours: float) -> dict:
    """A summary with every promised key (interfaces.md), values recognisable on the page."""
    plm = events[events["kind"] == "plm"]
    return {
        "tib_h": hours, "tst_h": hours * 0.8123, "sleep_efficiency": 0.8123, "sol_min": 3.0,
        "waso_min": 11.5, "rem_latency_min": 71.0, "awakening_count": 5, "stage_shift_count": 41,
        "wake_min": 20.0, "n1_min": 10.5, "n2_min": 90.25, "n3_min": 40.0, "rem_min": 35.0,
        "n1_percent": 6.1, "n2_percent": 51.4, "n3_percent": 22.6, "rem_percent": 19.9,
        "lm_count": int((events["kind"] == "lm").sum()),
        "clm_count": int((events["kind"] == "clm").sum()),
        "plm_count": int(len(plm)), "plms_count": int(len(plm)) - 3, "plmw_count": 3,
        "lm_index": 61.37, "plm_index": 55.55, "plms_index": 52.34, "plmw_index": 16.2,
        "plms_arousal_index": 12.06, "plms_arousal_count": int(plm["arousal"].sum()),
        "periodicity_index": 0.8712, "plm_series_count": int(plm["series"].nunique()),
        "plms_index_by_stage": {"N1": 10.0, "N2": 60.25, "N3": 33.3, "R": 4.44},
        "plms_index_incl_resp": 57.89, "plm_count_incl_resp": int(len(plm)) + 5,
        "plms_index_by_stage_incl_resp": {"N1": 11.0, "N2": 66.6, "N3": 36.6, "R": 5.5},
        "myoclonus_index": 77.7, "myoclonus_index_by_muscle": {"fds": 99.9, "paraspinal": 1.25},
        "grm_episode_count": 1, "hypnic_jerk_count": 1, "fragmentary_myoclonus_minutes": 0.0,
        "rem_atonia_index": 0.7345, "sinbar_any_percent": 23.4, "rem_tonic_percent": 8.25,
        "rem_phasic_percent": 14.75, "morning_tonic_seconds": 45.0,
        "recording_duration_h": hours,
        "provenance": {"software_version": "0.1.0", "input_sha256": "ab" * 32,
                       "input_file": "night-07.edf",
                       "parameters": {"legs": {"rule_set": "wasm2016"}, "conditioning": {}},
                       "parameters_digest": "0123456789ab",
                       "hypnogram_source": "file:night-hypnogram.csv",
                       # what the traces are drawn with (default conditioning, as analysed)
                       "conditioning": {"mains_hz": None, "r_peaks_source": "none"}},
        "warnings": [],
    }


def make_result(hours: float = 0.5, seed: int = 0, *, source: str | None = None):
    """(NightResult, Recording) for a short night with legs, arm, trunk and chin events."""
    hyp = _hypnogram(hours)
    if source is not None:
        hyp = Hypnogram(hyp.stages, source=source)
    events = _events(hyp, hours, seed)
    summary = promised_summary(events, hours)
    if source is not None:
        summary["provenance"]["hypnogram_source"] = source
    rec = make_recording(hours, events, seed)
    channels = pd.DataFrame([{"label": c.label, "kind": c.kind, "muscle": c.muscle,
                              "side": c.side, "region": "", "fs": c.fs, "unit": c.unit}
                             for c in rec.channels])
    quality = pd.DataFrame([
        {"label": lab, "muscle": m, "side": s, "fs": FS,
         "resting_level_uv": 17.5 if lab == "Paraspinal" else 2.1,
         "mains_hz": 50.0, "residual_ecg": 0.05, "flagged_s": 12.0, "excluded_s": 30.0,
         "notes": "ECG removed" if lab == "Paraspinal" else ""} for lab, m, s in EMG])
    result = NightResult(events=events, summary=summary, hypnogram=hyp, channels=channels,
                         quality=quality, details={"legs": {}}, warnings=[],
                         recording_path="/data/night-07.edf",
                         recording_start=rec.start.isoformat(),
                         recording_duration=rec.duration)
    return result, rec


def empty_result(hours: float = 0.25):
    """A night with no events, no stages, no quality table and a sparse summary."""
    hyp = Hypnogram.unscored(hours * 3600, source="none")
    summary = {"tib_h": None, "tst_h": None, "sleep_efficiency": None, "sol_min": None,
               "waso_min": None, "lm_count": 0, "plm_count": 0, "plms_index": None,
               "periodicity_index": None, "rem_atonia_index": None,
               "provenance": {"hypnogram_source": "none"}}
    return NightResult(events=make_events([]), summary=summary, hypnogram=hyp,
                       recording_duration=hours * 3600)
