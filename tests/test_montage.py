"""Montage: channel labels → kind, muscle, side, region; TOML overrides."""

from __future__ import annotations

import numpy as np
import pytest

from somnomotor.errors import MontageError
from somnomotor.montage import MUSCLE_REGION, apply_montage, infer_channel
from somnomotor.recording import Recording

# (label, kind, muscle, side): the aliases and every simulator label.
CASES = [
    ("LAT", "emg", "tibialis_anterior", "left"),
    ("RAT", "emg", "tibialis_anterior", "right"),
    ("Leg L", "emg", "tibialis_anterior", "left"),
    ("EMG Tib R", "emg", "tibialis_anterior", "right"),
    ("PLM l", "emg", "tibialis_anterior", "left"),
    ("LLEG", "emg", "tibialis_anterior", "left"),
    ("RLEG", "emg", "tibialis_anterior", "right"),
    ("Tib L+R", "emg", "tibialis_anterior", "bilateral"),
    ("Chin1-Chin2", "emg", "mentalis", "midline"),
    ("EMG Ment", "emg", "mentalis", "midline"),
    ("EMG submental", "emg", "submentalis", "midline"),
    ("EMG MFD-r", "emg", "fds", "right"),
    ("EMG MFD-l", "emg", "fds", "left"),
    ("Arm L", "emg", "fds", "left"),
    ("Deltoid R", "emg", "deltoid", "right"),
    ("Deltoid L", "emg", "deltoid", "left"),
    ("Pectoral R", "emg", "pectoralis", "right"),
    ("Intercostal R", "emg", "intercostal", "right"),
    ("Intercostal", "emg", "intercostal", ""),
    ("Rectus Abd", "emg", "rectus_abdominis", "midline"),
    ("EMG Abd", "emg", "rectus_abdominis", "midline"),
    ("Paraspinal", "emg", "paraspinal", "midline"),
    ("SCM L", "emg", "scm", "left"),
    ("EMG", "emg", "", ""),
    ("ECG II", "ecg", "", ""),
    ("EKG", "ecg", "", ""),
    ("ECG ECG1", "ecg", "", ""),
    ("C4-M1", "eeg", "", ""),
    ("C3-M2", "eeg", "", ""),
    ("EEG Fpz-Cz", "eeg", "", ""),
    ("E1-M2", "eog", "", ""),
    ("E2-M2", "eog", "", ""),
    ("EOG(L)", "eog", "", ""),
    ("Abd", "resp", "", ""),
    ("Thor", "resp", "", ""),
    ("Chest", "resp", "", ""),
    ("THOR RES", "resp", "", ""),
    ("SaO2", "resp", "", ""),
    ("Resp oro-nasal", "resp", "", ""),
    ("Temp rectal", "other", "", ""),
    ("Status", "other", "", ""),
]


@pytest.mark.parametrize(("label", "kind", "muscle", "side"), CASES)
def test_infer_channel_reads_label_aliases(label: str, kind: str, muscle: str, side: str) -> None:
    c = infer_channel(label)
    assert (c.kind, c.muscle, c.side) == (kind, muscle, side)
    assert c.region == MUSCLE_REGION.get(muscle, "")
    assert c.label == label and c.fs == 0.0


def test_belt_words_alone_are_respiration_not_emg() -> None:
    """`Abd`/`Thor`/`Chest` are effort belts; only with `EMG` are they muscles."""
    assert [infer_channel(x).kind for x in ("Abd", "Thor", "Chest")] == ["resp"] * 3
    assert infer_channel("EMG Chest").muscle == "intercostal"


def test_muscle_region_covers_the_documented_regions() -> None:
    assert MUSCLE_REGION["tibialis_anterior"] == "leg"
    assert {MUSCLE_REGION[m] for m in ("fds", "biceps")} == {"arm"}
    assert {MUSCLE_REGION[m] for m in ("mentalis", "submentalis", "masseter")} == {"chin"}
    assert MUSCLE_REGION["paraspinal"] == "back" and MUSCLE_REGION["scm"] == "neck"


def _rec() -> Recording:
    z = np.zeros(100, dtype=np.float32)
    return Recording.from_arrays({"EMG 3": z, "LAT": z, "Abd": z}, 100.0)


def test_apply_montage_overrides_inference(tmp_path) -> None:
    f = tmp_path / "m.toml"
    f.write_text('["EMG 3"]\nkind = "emg"\nmuscle = "deltoid"\nside = "left"\n'
                 '[Abd]\nkind = "emg"\nmuscle = "rectus_abdominis"\nside = "midline"\n')
    rec = apply_montage(_rec(), f)
    assert (rec.channel("EMG 3").muscle, rec.channel("EMG 3").side) == ("deltoid", "left")
    assert rec.channel("EMG 3").region == "shoulder"
    assert rec.channel("Abd").kind == "emg" and rec.channel("Abd").region == "abdomen"
    assert rec.channel("LAT").muscle == "tibialis_anterior"  # untouched


def test_apply_montage_accepts_a_channels_table(tmp_path) -> None:
    f = tmp_path / "m.toml"
    f.write_text('[channels.LAT]\nkind = "other"\n')
    rec = apply_montage(_rec(), f)
    assert rec.channel("LAT").kind == "other" and rec.channel("LAT").muscle == ""


@pytest.mark.parametrize(("text", "needle"), [
    ('[RAT]\nkind = "emg"\n', "'RAT'"),
    ('[LAT]\nkind = "muscle"\n', "kind 'muscle'"),
    ('[LAT]\nmuscle = "quadriceps"\n', "muscle 'quadriceps'"),
    ('[LAT]\nside = "up"\n', "side 'up'"),
    ('[LAT]\ncolour = "red"\n', "unknown key(s) colour"),
    ('[LAT\n', "not a valid TOML"),
])
def test_apply_montage_rejects_bad_files_with_one_line(tmp_path, text: str, needle: str) -> None:
    f = tmp_path / "bad.toml"
    f.write_text(text)
    with pytest.raises(MontageError) as err:
        apply_montage(_rec(), f)
    msg = str(err.value)
    assert needle in msg and str(f) in msg and "\n" not in msg


@pytest.mark.parametrize("label", ["C3 Impédance", "C3-M2 (Imp)", "E1 Impedance",
                                   "Jambe droite Imp", "ECG Impédance"])
def test_impedance_channels_are_not_the_signal_their_electrode_names(label: str) -> None:
    """A Nox A1 writes one 1-Hz impedance channel (Ohm) per electrode."""
    assert infer_channel(label).kind == "other"
