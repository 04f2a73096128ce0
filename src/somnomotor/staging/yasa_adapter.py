"""Automatic sleep staging with YASA's shipped LightGBM classifier.

YASA (Vallat & Walker 2021, eLife 10:e70092) ships pre-trained LightGBM
classifiers inside its package, so staging runs offline.  This module picks the
channels from our montage, reads each one once from the :class:`Recording`,
brings them to YASA's 100 Hz, hands them to ``yasa.SleepStaging`` through an
in-memory MNE ``RawArray`` (MNE only because YASA's API takes one) and turns the
answer into our :class:`Hypnogram` with the per-epoch probabilities.

YASA, MNE and LightGBM are the optional ``staging`` extra; they are imported
only inside :func:`stage_automatically`, so the core install works without them.
"""

from __future__ import annotations

import logging
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from scipy.signal import resample_poly

from ..errors import MontageError, RecordingError, require_extra
from ..hypnogram import EPOCH_S, Hypnogram
from ..recording import ChannelInfo, Recording

#: Probability columns of :attr:`Hypnogram.probabilities` for automatic staging.
PROBABILITY_COLUMNS: tuple[str, ...] = ("W", "N1", "N2", "N3", "R")

#: Hypnogram source of automatic staging.
SOURCE = "automatic:yasa"

_FROM_YASA = {"WAKE": "W", "W": "W", "N1": "N1", "N2": "N2", "N3": "N3", "REM": "R", "R": "R"}


@dataclass(frozen=True)
class StagingParams:
    """Constants of automatic staging.

    ``model_fs`` — YASA's classifiers were trained on signals at 100 Hz (YASA
    ``SleepStaging`` resamples to 100 Hz; Vallat & Walker 2021).
    ``min_fs`` — lowest usable sampling rate (Hz): the features use the
    0.4–30 Hz band (Vallat & Walker 2021), so the Nyquist frequency must reach
    30 Hz; a 1-Hz EMG envelope (e.g. Sleep-EDF's "EMG submental") is unusable.
    ``max_gap_fraction`` — an epoch with more than this fraction of missing EEG
    (EDF+D gaps, NaN) is left unscored (``?``) rather than guessed.
    """

    model_fs: float = 100.0
    min_fs: float = 60.0
    max_gap_fraction: float = 0.5
    #: Plausible range (µV) of the night's median per-epoch EEG standard deviation;
    #: scalp EEG is typically 10–100 µV (Niedermeyer's Electroencephalography,
    #: 6th ed., 2011), so values far outside suggest a wrong unit (mV/V as µV).
    eeg_sd_range_uv: tuple[float, float] = (2.0, 300.0)


# Ranked label patterns (after _normalise_label); earlier is preferred.
_EEG_PREFERENCE: tuple[str, ...] = (r"^C4-M1$", r"^C3-M2$", r"^C4-M2$", r"^C3-M1$",
                                    r"^C4(-|$)", r"^C3(-|$)", r"CZ", r"C[34]")
_EOG_PREFERENCE: tuple[str, ...] = (r"^E1-M2$", r"^E1(-|$)", r"LOC", r"(^|[^A-Z])L($|[^A-Z])",
                                    r"LEFT", r"^E2-M1$", r"^E2(-|$)", r"ROC")
_CHIN_MUSCLES: tuple[str, ...] = ("mentalis", "submentalis", "masseter")


def _normalise_label(label: str) -> str:
    """Upper case, no 'EEG'/'EOG'/'EMG' prefix or blanks, A1/A2 read as M1/M2."""
    text = label.upper().replace(" ", "").replace(":", "-")
    text = re.sub(r"^(EEG|EOG|EMG)[-_]?", "", text)
    return text.replace("A1", "M1").replace("A2", "M2")


def _rank(label: str, patterns: Sequence[str]) -> int:
    norm = _normalise_label(label)
    for i, pattern in enumerate(patterns):
        if re.search(pattern, norm):
            return i
    return len(patterns)


def _usable(ch: ChannelInfo, params: StagingParams) -> bool:
    return ch.fs >= params.min_fs


def select_staging_channels(recording: Recording, *, eeg: str | None = None,
                            eog: str | None = None, emg: str | None = None,
                            params: StagingParams | None = None
                            ) -> tuple[str, str | None, str | None, list[str]]:
    """Choose the EEG, EOG and chin-EMG channels for automatic staging.

    EEG: a central derivation (C4-M1, then C3-M2, other C4/C3/Cz) among the
    channels the montage calls ``eeg``; EOG: the left eye (E1-M2/LOC) first
    among ``eog`` channels; EMG: a chin muscle (mentalis, submentalis, then
    masseter).  Channels sampled below ``params.min_fs`` are passed over.
    A label given explicitly must exist and is used as is.

    Returns
    -------
    (eeg, eog, emg, notes)
        Labels (EOG/EMG may be None) and notes on channels passed over.

    Raises
    ------
    MontageError
        No usable EEG channel, or an override names a missing or too slowly
        sampled channel.

    Examples
    --------
    >>> select_staging_channels(rec)[:3]
    ('C4-M1', 'E1-M2', 'Chin1-Chin2')
    """
    params = params or StagingParams()
    notes: list[str] = []

    def check_override(label: str, what: str) -> str:
        ch = recording.channel(label)           # MontageError when absent
        if not _usable(ch, params):
            raise MontageError(f"{what} channel '{label}' is sampled at {ch.fs:g} Hz; automatic "
                               f"staging needs at least {params.min_fs:g} Hz", recording.path)
        return label

    def pick(what: str, candidates: list[ChannelInfo], key: Any) -> str | None:
        slow = [c.label for c in candidates if not _usable(c, params)]
        if slow:
            notes.append(f"{what} channel(s) {', '.join(slow)} sampled below "
                         f"{params.min_fs:g} Hz not used for automatic staging")
        usable = [c for c in candidates if _usable(c, params)]
        return min(usable, key=key).label if usable else None

    def by_label(patterns: Sequence[str]) -> Any:
        return lambda c: _rank(c.label, patterns)

    def by_muscle(c: ChannelInfo) -> int:
        return _CHIN_MUSCLES.index(c.muscle) if c.muscle in _CHIN_MUSCLES else len(_CHIN_MUSCLES)

    eeg_label = (check_override(eeg, "EEG") if eeg else
                 pick("EEG", recording.channels_of_kind("eeg"), by_label(_EEG_PREFERENCE)))
    if eeg_label is None:
        raise MontageError("no usable EEG channel for automatic sleep staging (need an EEG "
                           f"sampled at ≥ {params.min_fs:g} Hz, e.g. C4-M1); give a hypnogram, "
                           "name the EEG channel, or turn staging off", recording.path)
    eog_label = (check_override(eog, "EOG") if eog else
                 pick("EOG", recording.channels_of_kind("eog"), by_label(_EOG_PREFERENCE)))
    chin = [c for c in recording.channels_of_kind("emg")
            if c.muscle in _CHIN_MUSCLES or c.region == "chin"]
    emg_label = check_override(emg, "EMG") if emg else pick("chin EMG", chin, by_muscle)
    return eeg_label, eog_label, emg_label, notes


def _resample(x: np.ndarray, fs: float, target: float) -> np.ndarray:
    """``x`` at ``fs`` Hz → ``target`` Hz (polyphase, anti-aliased), NaN kept as gaps."""
    if fs == target:
        return x.astype(np.float64)
    ratio = Fraction(target / fs).limit_denominator(1000)
    nan = np.isnan(x)
    filled = np.where(nan, 0.0, x).astype(np.float64)
    y = resample_poly(filled, ratio.numerator, ratio.denominator)
    if nan.any():
        # a resampled sample is missing when its source position was missing
        src = np.minimum((np.arange(y.size) * fs / target).astype(np.int64), x.size - 1)
        y[nan[src]] = np.nan
    return y


def staging_confidence(hypnogram: Hypnogram) -> float | None:
    """Mean over scored epochs of the highest stage probability (0–1), or None.

    The figure YASA's authors suggest for judging automatic stages (Vallat &
    Walker 2021): near 1 the classifier was sure, near 0.2 it was guessing.

    Examples
    --------
    >>> 0.2 <= staging_confidence(stage_automatically(rec)) <= 1.0
    True
    """
    p = hypnogram.probabilities
    if p is None or not len(p):
        return None
    top = np.nanmax(np.where(np.isnan(p), -np.inf, p), axis=1)
    top = top[np.isfinite(top)]
    return float(top.mean()) if top.size else None


def stage_automatically(recording: Recording, *, eeg: str | None = None,
                        eog: str | None = None, emg: str | None = None,
                        params: StagingParams | None = None) -> Hypnogram:
    """Stage a night in 30-s epochs with YASA's bundled LightGBM classifier.

    Parameters
    ----------
    recording : Recording
        The night; each chosen channel is read once (µV).
    eeg, eog, emg : str, optional
        Channel labels overriding the choice of :func:`select_staging_channels`.
    params : StagingParams, optional

    Returns
    -------
    Hypnogram
        ``source="automatic:yasa"``; ``probabilities`` of shape (epochs, 5),
        columns :data:`PROBABILITY_COLUMNS` (W, N1, N2, N3, R); ``warnings``
        name the channels used and the mean confidence.  Epochs with more than
        half their EEG missing are ``?`` (probabilities NaN).  A trailing part
        shorter than 30 s is not staged (``Hypnogram.fit_to`` pads it).

    Raises
    ------
    MissingExtraError
        ``somnomotor[staging]`` is not installed.
    MontageError
        No usable EEG channel.
    RecordingError
        The recording is shorter than one 30-s epoch or its EEG is all missing.

    Examples
    --------
    >>> hyp = stage_automatically(somnomotor.read("night.edf"))
    >>> hyp.source, hyp.probabilities.shape            # 15 min: 30 epochs
    ('automatic:yasa', (30, 5))
    """
    params = params or StagingParams()
    yasa = require_extra("yasa", "staging", "automatic sleep staging")
    mne = require_extra("mne", "staging", "automatic sleep staging")
    require_extra("lightgbm", "staging", "automatic sleep staging")

    eeg_label, eog_label, emg_label, notes = select_staging_channels(
        recording, eeg=eeg, eog=eog, emg=emg, params=params)
    picked: list[tuple[str, str]] = [
        (label, kind) for label, kind in ((eeg_label, "eeg"), (eog_label, "eog"),
                                          (emg_label, "emg")) if label is not None]

    fs = params.model_fs
    signals = [_resample(recording.read(label), recording.channel(label).fs, fs)
               for label, _ in picked]
    n = min(s.size for s in signals)
    n_epochs = int(n // (EPOCH_S * fs))
    if n_epochs < 1:
        raise RecordingError("too short for automatic sleep staging: at least one 30-s epoch "
                             "of EEG is needed", recording.path)
    n = int(n_epochs * EPOCH_S * fs)
    data = np.vstack([s[:n] for s in signals])
    eeg_missing = np.isnan(data[0]).reshape(n_epochs, -1).mean(axis=1)
    gap_epochs = eeg_missing > params.max_gap_fraction
    if gap_epochs.all():
        raise RecordingError(f"EEG channel '{eeg_label}' holds no data to stage",
                             recording.path)
    amplitude_note = _check_eeg_amplitude(data[0].reshape(n_epochs, -1)[~gap_epochs],
                                          eeg_label, params)
    # YASA's features cannot take NaN: gaps become flat (their epochs are set to '?' below)
    data = np.nan_to_num(data, nan=0.0) * 1e-6          # µV → V, MNE's unit

    info = mne.create_info([label for label, _ in picked], fs,
                           ch_types=[kind for _, kind in picked], verbose=False)
    raw = mne.io.RawArray(data, info, verbose=False)
    quiet = [logging.getLogger(name) for name in ("yasa", "mne", "lightgbm")]
    levels = [lg.level for lg in quiet]
    try:
        for lg in quiet:
            lg.setLevel(logging.ERROR)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sls = yasa.SleepStaging(raw, eeg_name=eeg_label, eog_name=eog_label,
                                    emg_name=emg_label)
            predicted = sls.predict()
    finally:
        for lg, level in zip(quiet, levels, strict=True):
            lg.setLevel(level)

    stages = _stages_from_yasa(predicted)
    proba = _probabilities_from_yasa(predicted)
    stages[gap_epochs[:stages.size]] = "?"
    proba[gap_epochs[:stages.size]] = np.nan
    hyp = Hypnogram(stages, epoch=EPOCH_S, offset=0.0, source=SOURCE, probabilities=proba)
    confidence = staging_confidence(hyp)
    used = f"EEG '{eeg_label}'" + (f", EOG '{eog_label}'" if eog_label else "") + \
        (f", chin EMG '{emg_label}'" if emg_label else "")
    message = (f"sleep stages were scored automatically by YASA {yasa.__version__} "
               f"(LightGBM; {used}); mean confidence "
               f"{'n/a' if confidence is None else f'{confidence:.2f}'}; "
               "review them before relying on per-stage figures")
    extra = notes + ([f"{int(gap_epochs.sum())} epoch(s) with missing EEG left unscored"]
                     if gap_epochs.any() else []) + ([amplitude_note] if amplitude_note else [])
    return Hypnogram(hyp.stages, epoch=EPOCH_S, offset=0.0, source=SOURCE,
                     probabilities=proba, warnings=(message, *extra))


def _check_eeg_amplitude(epochs: np.ndarray, label: str, params: StagingParams) -> str | None:
    """A note when the EEG's typical amplitude is implausible for scalp EEG in µV."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sd = float(np.nanmedian(np.nanstd(epochs, axis=1)))
    low, high = params.eeg_sd_range_uv
    if low <= sd <= high:
        return None
    return (f"EEG channel '{label}' has a median epoch standard deviation of {sd:.3g} µV, "
            f"outside the {low:g}–{high:g} µV expected of scalp EEG; check its unit — "
            "automatic stages from it are unreliable")


def _stages_from_yasa(predicted: Any) -> np.ndarray:
    values = np.asarray(predicted.hypno if hasattr(predicted, "hypno") else predicted,
                        dtype=object)
    return np.array([_FROM_YASA[str(v).upper()] for v in values], dtype="<U2")


def _probabilities_from_yasa(predicted: Any) -> np.ndarray:
    proba = predicted.proba
    columns = {str(c).upper(): c for c in proba.columns}
    out = np.full((len(proba), len(PROBABILITY_COLUMNS)), np.nan)
    for j, stage in enumerate(PROBABILITY_COLUMNS):
        for name in {"W": ("WAKE", "W"), "R": ("REM", "R")}.get(stage, (stage,)):
            if name in columns:
                out[:, j] = proba[columns[name]].to_numpy(dtype=float)
                break
    return out
