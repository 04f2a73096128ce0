"""Automatic staging through YASA's bundled LightGBM classifier, and the channel choice."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from somnomotor.errors import MissingExtraError, MontageError, RecordingError
from somnomotor.recording import ChannelInfo, Recording
from somnomotor.staging import (
    PROBABILITY_COLUMNS,
    select_staging_channels,
    stage_automatically,
    staging_confidence,
)

from .conftest import (
    SYNTHETIC_FS,
    SYNTHETIC_PLAN,
    build_synthetic_night,
    read_sleep_edf_excerpt,
)

EXPECTED = Path(__file__).resolve().parents[1] / "data" / "staging" / \
    "synthetic_night_expected.json"


def montage_only(*channels: ChannelInfo, seconds: float = 60.0) -> Recording:
    """A recording with the given channels holding low noise (for channel choice)."""
    rng = np.random.default_rng(0)
    signals = {c.label: rng.standard_normal(int(seconds * c.fs)).astype(np.float32)
               for c in channels}
    return Recording.from_arrays(signals, {c.label: c.fs for c in channels}, channels=channels)


EEG = dict(kind="eeg")
EOG = dict(kind="eog")


# -- channel choice -------------------------------------------------------------

def test_central_eeg_c4_m1_is_preferred_over_c3_and_frontal() -> None:
    rec = montage_only(ChannelInfo("Fpz-Cz", 100.0, **EEG), ChannelInfo("C3-M2", 256.0, **EEG),
                       ChannelInfo("EEG C4-A1", 256.0, **EEG), ChannelInfo("O2-M1", 256.0, **EEG))
    assert select_staging_channels(rec)[0] == "EEG C4-A1"


def test_c3_m2_is_used_when_c4_is_absent() -> None:
    rec = montage_only(ChannelInfo("F4-M1", 256.0, **EEG), ChannelInfo("C3-M2", 256.0, **EEG))
    assert select_staging_channels(rec)[0] == "C3-M2"


def test_left_eog_and_chin_emg_are_chosen_and_leg_emg_is_not() -> None:
    rec = montage_only(
        ChannelInfo("C4-M1", 256.0, **EEG), ChannelInfo("E2-M1", 256.0, **EOG),
        ChannelInfo("E1-M2", 256.0, **EOG),
        ChannelInfo("LAT", 512.0, kind="emg", muscle="tibialis_anterior", region="leg"),
        ChannelInfo("Masseter", 512.0, kind="emg", muscle="masseter", region="chin"),
        ChannelInfo("Chin1-Chin2", 512.0, kind="emg", muscle="mentalis", region="chin"))
    eeg, eog, emg, notes = select_staging_channels(rec)
    assert (eeg, eog, emg) == ("C4-M1", "E1-M2", "Chin1-Chin2")
    assert notes == []


def test_channels_sampled_too_slowly_are_passed_over_with_a_note() -> None:
    """A 1-Hz EMG envelope (Sleep-EDF style) cannot feed the 0.4–30 Hz features."""
    rec = montage_only(ChannelInfo("C4-M1", 256.0, **EEG),
                       ChannelInfo("EMG submental", 1.0, kind="emg", muscle="submentalis",
                                   region="chin"))
    eeg, eog, emg, notes = select_staging_channels(rec)
    assert (eeg, eog, emg) == ("C4-M1", None, None)
    assert any("EMG submental" in n and "60 Hz" in n for n in notes)


def test_overrides_choose_the_channels() -> None:
    rec = montage_only(ChannelInfo("C4-M1", 256.0, **EEG), ChannelInfo("Fz-Cz", 256.0, **EEG),
                       ChannelInfo("E1-M2", 256.0, **EOG))
    eeg, eog, emg, _ = select_staging_channels(rec, eeg="Fz-Cz", eog="E1-M2")
    assert (eeg, eog, emg) == ("Fz-Cz", "E1-M2", None)


def test_override_naming_a_missing_channel_is_a_montage_error() -> None:
    rec = montage_only(ChannelInfo("C4-M1", 256.0, **EEG))
    with pytest.raises(MontageError, match="'Cz-Oz'"):
        select_staging_channels(rec, eeg="Cz-Oz")


def test_no_eeg_channel_is_a_clear_montage_error() -> None:
    rec = montage_only(ChannelInfo("LAT", 512.0, kind="emg", muscle="tibialis_anterior"),
                       ChannelInfo("E1-M2", 256.0, **EOG))
    with pytest.raises(MontageError, match="no usable EEG channel"):
        stage_automatically(rec)


def test_missing_staging_extra_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "yasa", None)      # makes `import yasa` fail
    rec = montage_only(ChannelInfo("C4-M1", 256.0, **EEG))
    with pytest.raises(MissingExtraError, match=r"somnomotor\[staging\]"):
        stage_automatically(rec)


def test_importing_staging_does_not_import_yasa() -> None:
    code = ("import sys, somnomotor.staging, somnomotor.pipeline; "
            "print(sorted(m for m in ('yasa', 'mne', 'lightgbm') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"


# -- the bundled model ----------------------------------------------------------

needs_yasa = pytest.mark.skipif(importlib.util.find_spec("yasa") is None,
                                reason="the 'staging' extra (yasa) is not installed")


@pytest.fixture(scope="module")
def staged(synthetic_night: Recording):
    return stage_automatically(synthetic_night)


@needs_yasa
def test_bundled_model_gives_the_stored_output_on_a_fixed_input(staged) -> None:
    """The shipped classifier still loads and answers as when the fixture was made."""
    expected = json.loads(EXPECTED.read_text())
    want = np.array(expected["stages"])
    want_p = np.array(expected["probabilities"])
    assert staged.probabilities.shape == want_p.shape
    assert np.abs(staged.probabilities - want_p).max() < 0.01
    # an epoch whose two best stages are near-tied may flip on float noise; others may not
    top2 = np.sort(want_p, axis=1)[:, -2:]
    clear = (top2[:, 1] - top2[:, 0]) > 0.05
    assert clear.sum() >= 50
    assert (staged.stages[clear] == want[clear]).all()
    assert len(set(want.tolist())) >= 4, "the fixed output must not be trivially constant"


@needs_yasa
def test_automatic_stages_follow_the_obvious_blocks_of_the_synthetic_night(staged) -> None:
    plan = np.array(SYNTHETIC_PLAN)
    assert (staged.stages[:8] == "W").mean() >= 0.75            # alpha, high chin tone
    assert (staged.stages[plan == "N3"] == "N3").mean() >= 0.75  # large slow waves
    assert (staged.stages == plan).mean() >= 0.6


@needs_yasa
def test_automatic_hypnogram_carries_probabilities_source_and_confidence(staged) -> None:
    assert staged.source == "automatic:yasa"
    assert len(staged) == len(SYNTHETIC_PLAN)
    p = staged.probabilities
    assert p.shape == (len(staged), len(PROBABILITY_COLUMNS))
    assert np.allclose(p.sum(axis=1), 1.0, atol=1e-6)
    # the stage is the most probable column
    assert (np.array(PROBABILITY_COLUMNS)[p.argmax(axis=1)] == staged.stages).all()
    conf = staging_confidence(staged)
    assert conf == pytest.approx(p.max(axis=1).mean())
    assert 0.2 < conf <= 1.0
    text = " ".join(staged.warnings)
    assert "automatically by YASA" in text and "'C4-M1'" in text and "'Chin1-Chin2'" in text
    assert f"{conf:.2f}" in text


@needs_yasa
def test_gaps_in_the_eeg_leave_their_epochs_unscored() -> None:
    plan = ("W",) * 4 + ("N2",) * 6 + ("N3",) * 6 + ("N2",) * 4
    full = build_synthetic_night(plan=plan, seed=3)
    eeg = full.read("C4-M1").copy()
    fs = full.channel("C4-M1").fs
    eeg[int(300 * fs):int(360 * fs)] = np.nan                   # epochs 10 and 11
    rec = Recording.from_arrays({"C4-M1": eeg, "E1-M2": full.read("E1-M2")}, fs,
                                channels=list(full.channels[:2]))
    hyp = stage_automatically(rec)
    assert (hyp.stages[[10, 11]] == "?").all()
    assert np.isnan(hyp.probabilities[[10, 11]]).all()
    assert (hyp.stages[:10] != "?").all() and (hyp.stages[12:] != "?").all()
    assert any("2 epoch(s) with missing EEG" in w for w in hyp.warnings)


@needs_yasa
def test_channels_at_different_sampling_rates_are_brought_to_100_hz() -> None:
    plan = ("W",) * 6 + ("N3",) * 6
    base = build_synthetic_night(plan=plan, fs=250.0, seed=5)
    slow = build_synthetic_night(plan=plan, fs=200.0, seed=5)
    rec = Recording.from_arrays({"C4-M1": base.read("C4-M1"), "E1-M2": slow.read("E1-M2")},
                                {"C4-M1": 250.0, "E1-M2": 200.0},
                                channels=[base.channels[0], ChannelInfo("E1-M2", 200.0, **EOG)])
    hyp = stage_automatically(rec)
    assert len(hyp) == 12
    assert (hyp.stages[6:] == "N3").mean() >= 0.5


@needs_yasa
def test_a_recording_shorter_than_one_epoch_cannot_be_staged() -> None:
    rec = montage_only(ChannelInfo("C4-M1", 128.0, **EEG), seconds=20.0)
    with pytest.raises(RecordingError, match="30-s epoch"):
        stage_automatically(rec)


@needs_yasa
@pytest.mark.realdata
def test_real_sleep_edf_excerpt_is_staged_as_the_expert_scored_it(sleep_edf_dir: Path) -> None:
    """Sleep-EDF SC4001 first 5 min: the expert scored wake (the night starts at 30630 s)."""
    rec = read_sleep_edf_excerpt(sleep_edf_dir / "short_psg.edf")
    hyp = stage_automatically(rec)
    assert len(hyp) == 10
    assert (hyp.stages == "W").all()
    # the 1-Hz EMG envelope is not usable and is said to be passed over
    assert any("EMG submental" in w for w in hyp.warnings)
    assert "Fpz-Cz" in hyp.warnings[0]


@needs_yasa
def test_each_chosen_channel_is_read_once_and_no_other_channel_is_read() -> None:
    plan = ("W",) * 6 + ("N2",) * 6
    night = build_synthetic_night(plan=plan, seed=11)
    leg = ChannelInfo("LAT", 128.0, kind="emg", muscle="tibialis_anterior", region="leg",
                      n_samples=int(len(plan) * 30 * 128))
    calls: list[int] = []

    def reader(i: int, i0: int, i1: int) -> np.ndarray:
        calls.append(i)
        if i == 3:
            return np.zeros(i1 - i0, dtype=np.float32)
        return night._reader(i, i0, i1)

    rec = replace(night, channels=(*night.channels, leg), _reader=reader)
    stage_automatically(rec)
    assert sorted(calls) == [0, 1, 2]


@needs_yasa
def test_eeg_in_the_wrong_unit_is_flagged() -> None:
    """An EEG stored in mV but labelled µV looks 1000× too small: say so."""
    night = build_synthetic_night(plan=("W",) * 4 + ("N2",) * 6, seed=2)
    rec = Recording.from_arrays({"C4-M1": night.read("C4-M1") / 1000.0}, SYNTHETIC_FS,
                                channels=[night.channels[0]])
    hyp = stage_automatically(rec)
    assert any("check its unit" in w and "'C4-M1'" in w for w in hyp.warnings)
    sane = stage_automatically(Recording.from_arrays({"C4-M1": night.read("C4-M1")},
                                                     SYNTHETIC_FS, channels=[night.channels[0]]))
    assert not any("check its unit" in w for w in sane.warnings)


@needs_yasa
def test_simulator_night_is_staged_offline_from_its_montage(monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """No network: the classifier ships inside the package."""
    import somnomotor.simulate as simulate
    night = simulate.simulate_night("polio_mixed", hours=0.5, seed=4)
    import socket

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("automatic staging tried to open a network connection")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    hyp = stage_automatically(night.recording)
    assert select_staging_channels(night.recording)[:3] == ("C4-M1", "E1-M2", "Chin1-Chin2")
    assert hyp.source == "automatic:yasa"
    assert len(hyp) == int(night.recording.duration // 30)
    assert hyp.is_scored
