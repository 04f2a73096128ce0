"""The note on ECG removal tells the truth about the ECG channel (issue 13)."""

from __future__ import annotations

import numpy as np

from somnomotor.pipeline import analyze
from somnomotor.recording import Recording


def _recording(with_ecg: bool) -> Recording:
    rng = np.random.default_rng(0)
    fs, n = 256, 256 * 300
    sig = {"LAT": rng.normal(0, 2, n), "RAT": rng.normal(0, 2, n),
           "Pectoral R": rng.normal(0, 2, n)}
    if with_ecg:
        sig["ECG II"] = np.zeros(n)  # present, but no beats in it
    return Recording.from_arrays(sig, fs)


def test_an_ecg_channel_without_beats_is_not_called_missing():
    """Was 'no ECG channel' while provenance named the ECG channel."""
    result = analyze(_recording(True), staging="none")
    assert result.summary["provenance"]["ecg_channel"] == "ECG II"
    ecg_notes = [w for w in result.warnings if "ECG" in w]
    assert ecg_notes and not any("no ECG channel" in w for w in ecg_notes)
    assert any("too few R peaks in the ECG channel 'ECG II' (0)" in w for w in ecg_notes)
    channel_notes = result.quality["notes"].dropna().tolist()
    assert any("ECG" in n for n in channel_notes)
    assert not any("no ECG channel" in n for n in channel_notes)


def test_without_an_ecg_channel_the_note_says_so():
    result = analyze(_recording(False), staging="none")
    assert result.summary["provenance"]["ecg_channel"] is None
    assert any(w.startswith("muscles: no ECG channel") for w in result.warnings)
