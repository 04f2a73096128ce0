"""Library pieces of the review application: envelopes, windows with gaps, concurrent saves."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from somnomotor.events import make_events
from somnomotor.pipeline import AnalysisParams
from somnomotor.recording import Recording
from somnomotor.web.data import RequestError, find_nights, minmax_envelope, read_signal_window
from somnomotor.web.review import event_keys, load_review, set_decision


@settings(max_examples=60, deadline=None)
@given(x=arrays(np.float32, st.integers(1, 3000),
                elements=st.floats(-1e4, 1e4, width=32) | st.just(np.nan)),
       n_bins=st.integers(1, 500))
def test_envelope_never_exceeds_its_bins_and_bounds_every_sample(x: np.ndarray,
                                                                 n_bins: int) -> None:
    lo, hi, size = minmax_envelope(x, n_bins)
    assert len(lo) == len(hi) <= n_bins
    assert len(lo) * size >= x.size > (len(lo) - 1) * size
    owner = np.arange(x.size) // size
    ok = np.isfinite(x)
    assert np.all(x[ok] >= lo[owner[ok]]) and np.all(x[ok] <= hi[owner[ok]])


def _gappy_recording() -> Recording:
    fs = 100.0
    x = np.sin(np.arange(int(60 * fs)) / 3.0).astype(np.float32) * 20
    x[int(20 * fs):int(30 * fs)] = np.nan      # an EDF+D gap: no data, not zero
    return Recording.from_arrays({"LAT": x}, fs)


def test_samples_in_gaps_are_null_not_zero() -> None:
    w = read_signal_window(_gappy_recording(), "LAT", 15.0, 35.0, points=4000, filtered=False)
    assert w["mode"] == "samples"
    v = w["values"]
    assert v[int(5 * 100) + 10] is None and v[int(15 * 100) - 10] is None
    assert v[10] is not None and v[-10] is not None


#: What an analysis records about its conditioning (summary["provenance"]).
PROVENANCE = {"parameters": AnalysisParams.defaults().to_dict(),
              "conditioning": {"mains_hz": None, "r_peaks_source": "none"}}


def test_envelope_bins_inside_gaps_are_null() -> None:
    w = read_signal_window(_gappy_recording(), "LAT", 0.0, 60.0, points=120,
                           provenance=PROVENANCE)
    assert w["mode"] == "minmax" and len(w["min"]) <= 60
    t = w["t0"] + np.arange(len(w["min"])) * w["dt"]
    inside = (t >= 21.0) & (t + w["dt"] <= 29.0)
    assert inside.any()
    assert all(w["min"][i] is None for i in np.flatnonzero(inside))
    assert w["max"][0] is not None


def test_filtered_trace_is_the_analysis_conditioning_and_needs_its_record() -> None:
    """The review draws what the detectors saw (one conditioning), never a guess."""
    from somnomotor.signal.condition import condition_emg

    x = np.random.default_rng(2).normal(0, 20, 256 * 120).astype(np.float32)
    rec = Recording.from_arrays({"LAT": x}, 512.0)
    w = read_signal_window(rec, "LAT", 40.0, 50.0, points=4000, provenance=PROVENANCE)
    full = condition_emg(x, 512.0, mains=None)
    i0 = int(round(w["t0"] * full.fs))
    ref = full.filtered[i0:i0 + len(w["values"])]
    got = np.array([np.nan if v is None else v for v in w["values"]])
    assert w["fs"] == full.fs == 256.0  # the analysis rate the detectors work at
    assert np.nanmax(np.abs(got - ref)) < 0.01 * np.nanmax(np.abs(ref))
    with pytest.raises(RequestError, match="conditioning"):
        read_signal_window(rec, "LAT", 40.0, 50.0)
    with pytest.raises(RequestError, match="older version"):
        read_signal_window(rec, "LAT", 40.0, 50.0, provenance={"parameters": {}})


def test_window_is_clipped_to_the_recording() -> None:
    w = read_signal_window(_gappy_recording(), "LAT", 55.0, 70.0, filtered=False)
    assert w["end"] == pytest.approx(60.0) and len(w["values"]) == 500
    with pytest.raises(RequestError):
        read_signal_window(_gappy_recording(), "LAT", float("nan"), 10.0)


def test_repeated_events_get_numbered_keys() -> None:
    ev = make_events([{"onset": 5.0, "duration": 1, "kind": "lm", "channel": "LAT"}] * 3)
    assert event_keys(ev) == ["lm|LAT|5000", "lm|LAT|5000#2", "lm|LAT|5000#3"]


def test_concurrent_decisions_are_all_kept(results: Path) -> None:
    """Two tabs (threads) deciding at once: no decision is lost by interleaved writes."""
    from somnomotor.web.data import load_events

    night = results / "night"
    ev = load_events(night)
    keys = event_keys(ev)
    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(lambda k: set_decision(night, ev, k, "accept", "T"), keys))
    saved = load_review(night)
    assert set(saved["decisions"]) == set(keys)
    assert len(saved["log"]) == len(keys)
    json.loads((night / "review.json").read_text())  # whole, valid JSON
    assert not [p for p in night.iterdir() if p.name.endswith(".part")]


def test_hidden_and_too_deep_folders_are_not_searched(results: Path) -> None:
    hidden = results / ".trash" / "old"
    hidden.mkdir(parents=True)
    for name in ("events.csv", "summary.json"):
        (hidden / name).write_bytes((results / "night" / name).read_bytes())
    deep = results / "a" / "b" / "c" / "d" / "e"
    deep.mkdir(parents=True)
    for name in ("events.csv", "summary.json"):
        (deep / name).write_bytes((results / "night" / name).read_bytes())
        (deep.parent / name).write_bytes((results / "night" / name).read_bytes())
    assert find_nights(results) == ["a/b/c/d", "batch/b1", "night"]
