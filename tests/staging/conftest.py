"""Builders for the staging tests: a deterministic synthetic night and the real Sleep-EDF excerpt."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from somnomotor.recording import ChannelInfo, Recording

#: The stage plan of the synthetic night (30-s epochs, 30 minutes).
SYNTHETIC_PLAN: tuple[str, ...] = tuple(
    ["W"] * 8 + ["N1"] * 4 + ["N2"] * 12 + ["N3"] * 12 + ["N2"] * 6 + ["R"] * 12 + ["W"] * 6
)
SYNTHETIC_FS = 128.0
SYNTHETIC_SEED = 7


def _coloured_noise(rng: np.random.Generator, n: int, fs: float, exponent: float) -> np.ndarray:
    """Unit-variance noise with a 1/f**exponent power spectrum."""
    f = np.fft.rfftfreq(n, 1.0 / fs)
    f[0] = f[1]
    spectrum = (rng.standard_normal(f.size) + 1j * rng.standard_normal(f.size)) / f ** (exponent / 2)
    x = np.fft.irfft(spectrum, n)
    return x / x.std()


def build_synthetic_night(plan: tuple[str, ...] = SYNTHETIC_PLAN, fs: float = SYNTHETIC_FS,
                          seed: int = SYNTHETIC_SEED) -> Recording:
    """EEG/EOG/chin EMG with textbook features per stage (µV), deterministic for a seed.

    W: alpha (10 Hz) over 1/f background, high chin tone, irregular eye signal;
    N1: theta, slow eye movements; N2: steeper 1/f with 13-Hz spindles;
    N3: large slow waves (0.9 Hz); R: low-voltage theta, atonia, rapid eye movements.
    """
    rng = np.random.default_rng(seed)
    n = int(30 * fs)
    t = np.arange(n) / fs
    eeg, eog, emg = [], [], []
    for stage in plan:
        def noise(exponent: float) -> np.ndarray:
            return _coloured_noise(rng, n, fs, exponent)

        if stage == "W":
            e = 12 * noise(1.0) + 15 * np.sin(2 * np.pi * 10 * t + rng.uniform(0, 6))
            m = 20 * rng.standard_normal(n)
            o = 60 * noise(2.0)
        elif stage == "N1":
            e = 18 * noise(1.5) + 8 * np.sin(2 * np.pi * 6 * t)
            m = 8 * rng.standard_normal(n)
            o = 50 * np.sin(2 * np.pi * 0.15 * t) + 5 * noise(1.0)
        elif stage == "N2":
            spindles = 20 * np.sin(2 * np.pi * 13 * t) * (np.sin(2 * np.pi * t / 7) > 0.92)
            e = 30 * noise(1.8) + spindles
            m = 5 * rng.standard_normal(n)
            o = 8 * noise(1.8)
        elif stage == "N3":
            e = 80 * noise(2.2) + 60 * np.sin(2 * np.pi * 0.9 * t)
            m = 4 * rng.standard_normal(n)
            o = 0.5 * e + 5 * noise(1.0)
        else:
            e = 15 * noise(1.4) + 6 * np.sin(2 * np.pi * 5 * t)
            m = 1.5 * rng.standard_normal(n)
            o = 70 * np.sign(np.sin(2 * np.pi * 0.7 * t)) * (np.sin(2 * np.pi * t / 9) > 0.3) \
                + 6 * noise(1.0)
        eeg.append(e)
        eog.append(o)
        emg.append(m)
    signals = {"C4-M1": np.concatenate(eeg), "E1-M2": np.concatenate(eog),
               "Chin1-Chin2": np.concatenate(emg)}
    channels = [ChannelInfo("C4-M1", fs, kind="eeg"), ChannelInfo("E1-M2", fs, kind="eog"),
                ChannelInfo("Chin1-Chin2", fs, kind="emg", muscle="mentalis", side="midline",
                            region="chin")]
    return Recording.from_arrays(signals, fs, channels=channels)


@pytest.fixture(scope="session")
def synthetic_night() -> Recording:
    return build_synthetic_night()


_SLEEP_EDF_KINDS = {"EEG Fpz-Cz": ("eeg", ""), "EEG Pz-Oz": ("eeg", ""),
                    "EOG horizontal": ("eog", ""), "EMG submental": ("emg", "submentalis")}


def read_sleep_edf_excerpt(path: Path) -> Recording:
    """The Sleep-EDF excerpt through somnomotor.io when it exists, else edfio directly."""
    try:
        from somnomotor.io import read_recording
    except ImportError:
        read_recording = None
    if read_recording is not None:
        return read_recording(path)
    import edfio

    edf = edfio.read_edf(path)
    picked = [s for s in edf.signals if s.label in _SLEEP_EDF_KINDS]
    channels = [ChannelInfo(s.label, s.sampling_frequency, kind=_SLEEP_EDF_KINDS[s.label][0],
                            muscle=_SLEEP_EDF_KINDS[s.label][1],
                            region="chin" if _SLEEP_EDF_KINDS[s.label][1] else "")
                for s in picked]
    return Recording.from_arrays({s.label: s.data for s in picked},
                                 {s.label: s.sampling_frequency for s in picked},
                                 channels=channels, path=path)


@pytest.fixture(scope="session")
def sleep_edf_dir(real_data: Path) -> Path:
    folder = real_data / "sleep-edf-via-edfio"
    if not (folder / "short_psg.edf").is_file():
        pytest.skip("the Sleep-EDF excerpt is not present")
    return folder
