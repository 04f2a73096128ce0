"""Channel vocabulary: what a channel is, and what its label says it is.

:class:`ChannelInfo` is one signal's header with its kind, muscle, side and
body region; :func:`infer_channel` reads these from a label with an explicit
alias table (no fuzzy guessing).  Sleep labs name the same electrode in many
ways (``LAT``, ``Leg L``, ``EMG Tib R``, ``PLM l``, ``LLEG``…).

A bare ``Abd``, ``Thor`` or ``Chest`` is a respiratory-effort belt, not EMG; it
becomes a muscle only when the label also says ``EMG`` (``EMG Abd``) or names the
muscle (``Rectus Abd``).  A bare ``EMG`` names no muscle: its muscle stays empty
until a montage file (:mod:`somnomotor.montage`) says which one it is.

This module sits at the bottom of the layers with the other shared types: the
readers (:mod:`somnomotor.io`), :meth:`Recording.from_arrays
<somnomotor.recording.Recording.from_arrays>` and the simulator all label their
channels with it; the montage layer above applies a lab's own montage file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Channel kinds the montage knows.
CHANNEL_KINDS: tuple[str, ...] = ("emg", "eeg", "eog", "ecg", "resp", "other", "annotation")


@dataclass(frozen=True)
class ChannelInfo:
    """One signal's header, with what the montage inferred from its label.

    ``fs`` is the sampling rate in Hz; ``unit`` the physical dimension as stored
    (``uV``, ``mV``, ``V``…); ``scale_to_uv`` the factor applied to reach µV
    (``nan`` when the unit was missing or unknown and was assumed to be µV).
    ``resolution_uv`` is the amplitude of one digital step in µV (physical
    range / digital range, from the file header; ``nan`` when the unit is not a
    known voltage or the signal was not read from a file).
    ``region`` is the body region used by cross-muscle classifiers
    (``leg``, ``arm``, ``shoulder``, ``chest``, ``abdomen``, ``back``, ``neck``, ``chin``).
    """

    label: str
    fs: float
    unit: str = "uV"
    kind: str = "other"
    muscle: str = ""
    side: str = ""
    region: str = ""
    scale_to_uv: float = 1.0
    resolution_uv: float = float("nan")
    transducer: str = ""
    prefilter: str = ""
    n_samples: int = 0

    @property
    def is_emg(self) -> bool:
        return self.kind == "emg"


#: Muscle → body region used by the cross-muscle classifiers.
MUSCLE_REGION: dict[str, str] = {
    "tibialis_anterior": "leg",
    "fds": "arm",
    "biceps": "arm",
    "deltoid": "shoulder",
    "pectoralis": "shoulder",
    "intercostal": "chest",
    "rectus_abdominis": "abdomen",
    "paraspinal": "back",
    "scm": "neck",
    "mentalis": "chin",
    "submentalis": "chin",
    "masseter": "chin",
}

#: Regions of the trunk and neck (propriospinal spread, axial myoclonus).
AXIAL_REGIONS: frozenset[str] = frozenset({"chest", "abdomen", "back", "neck"})

#: Sides a channel can have.
CHANNEL_SIDES: tuple[str, ...] = ("left", "right", "midline", "bilateral", "")

#: Muscles recorded on the midline when the label names no side.
_MIDLINE_MUSCLES = frozenset({"mentalis", "submentalis", "rectus_abdominis", "paraspinal"})

# -- the alias table -----------------------------------------------------------
# Whole tokens (after lower-casing, splitting on separators and dropping trailing
# digits) that name a muscle on their own.
_MUSCLE_TOKENS: dict[str, str] = {
    "tib": "tibialis_anterior",
    "tibialis": "tibialis_anterior",
    "tibant": "tibialis_anterior",
    "leg": "tibialis_anterior",
    "legs": "tibialis_anterior",
    "plm": "tibialis_anterior",
    "lm": "tibialis_anterior",
    "at": "tibialis_anterior",
    "chin": "mentalis",
    "ment": "mentalis",
    "mentalis": "mentalis",
    "mental": "mentalis",
    "submental": "submentalis",
    "submentalis": "submentalis",
    "subment": "submentalis",
    "masseter": "masseter",
    "mass": "masseter",
    "mfd": "fds",
    "fds": "fds",
    "flexor": "fds",
    "arm": "fds",
    "arms": "fds",
    "forearm": "fds",
    "biceps": "biceps",
    "bicep": "biceps",
    "deltoid": "deltoid",
    "delt": "deltoid",
    "pectoral": "pectoralis",
    "pectoralis": "pectoralis",
    "pect": "pectoralis",
    "intercostal": "intercostal",
    "intercostals": "intercostal",
    "rectus": "rectus_abdominis",
    "paraspinal": "paraspinal",
    "paraspinals": "paraspinal",
    "erector": "paraspinal",
    "scm": "scm",
    "sternocleidomastoid": "scm",
}

# Longer words recognised by their beginning (``Intercostals``, ``Tibialis-ant``).
_MUSCLE_PREFIXES: tuple[tuple[str, str], ...] = (
    ("intercost", "intercostal"),
    ("paraspin", "paraspinal"),
    ("sternocleid", "scm"),
    ("tibiali", "tibialis_anterior"),
    ("submental", "submentalis"),
    ("deltoid", "deltoid"),
    ("pectoral", "pectoralis"),
)

# Stems that may carry the side as a one-letter prefix: LAT, RAT, LLEG, RTIB, LARM.
_SIDE_PREFIXED_STEMS: dict[str, str] = {
    "at": "tibialis_anterior",
    "tib": "tibialis_anterior",
    "leg": "tibialis_anterior",
    "arm": "fds",
    "delt": "deltoid",
    "scm": "scm",
}

# Belt words: respiration unless the label also says EMG (then the muscle below).
_BELT_TOKENS: dict[str, str] = {
    "abd": "rectus_abdominis",
    "abdo": "rectus_abdominis",
    "abdomen": "rectus_abdominis",
    "abdominal": "rectus_abdominis",
    "thor": "intercostal",
    "thorax": "intercostal",
    "thoracic": "intercostal",
    "chest": "intercostal",
}

_LEFT = frozenset({"l", "left", "li", "lt", "sin"})
_RIGHT = frozenset({"r", "right", "re", "rt", "dx"})

_RESP_TOKENS = frozenset({
    "resp", "respiration", "flow", "airflow", "cflow", "nasal", "oronasal", "oro", "nas",
    "cannula", "therm", "thermistor", "pressure", "ptaf", "pap", "cpap", "spo2", "sao2",
    "snore", "snoring", "effort", "belt", "pleth", "etco2", "co2", "res", "rip", "sum",
})
_EEG_ELECTRODE = re.compile(r"^(fp|af|f|fc|ft|c|cp|tp|t|p|po|o|a|m|i)(\d{1,2}|z)h?$")
_EOG_TOKENS = frozenset({"eog", "e1", "e2", "loc", "roc", "heog", "veog"})
_SPLIT = re.compile(r"[\s\-_./():,;+|\[\]*]+")


def _tokens(label: str) -> list[str]:
    return [t for t in _SPLIT.split(label.strip().lower()) if t]


def _stem(token: str) -> str:
    """A token without trailing digits (``chin1`` → ``chin``)."""
    return token.rstrip("0123456789") or token


def _side_of(tokens: list[str]) -> str:
    left = any(t in _LEFT for t in tokens)
    right = any(t in _RIGHT for t in tokens)
    if left and right:
        return "bilateral"
    return "left" if left else "right" if right else ""


def _muscle_of(tokens: list[str], says_emg: bool) -> tuple[str, str]:
    """(muscle, side from a compact token like ``LAT``), or ("", "")."""
    for tok in tokens:
        stem = _stem(tok)
        if stem in _MUSCLE_TOKENS:
            return _MUSCLE_TOKENS[stem], ""
        if says_emg and stem in _BELT_TOKENS:
            return _BELT_TOKENS[stem], ""
        if len(stem) > 2 and stem[0] in "lr" and stem[1:] in _SIDE_PREFIXED_STEMS:
            return _SIDE_PREFIXED_STEMS[stem[1:]], "left" if stem[0] == "l" else "right"
        for prefix, muscle in _MUSCLE_PREFIXES:
            if stem.startswith(prefix):
                return muscle, ""
    if says_emg and "rectus" in tokens:
        return "rectus_abdominis", ""
    return "", ""


#: Label words of electrode-impedance channels (English, French, German).
_IMPEDANCE_TOKENS = frozenset({"imp", "impedance", "impédance", "impedanz"})


def infer_channel(label: str) -> ChannelInfo:
    """Kind, muscle, side and region of a channel from its label alone.

    ``fs`` is left at 0 (the reader fills it).  Kinds are ``emg``, ``eeg``,
    ``eog``, ``ecg``, ``resp``, ``other`` and ``annotation``.

    Examples
    --------
    >>> c = infer_channel("EMG Tib R")
    >>> c.kind, c.muscle, c.side, c.region
    ('emg', 'tibialis_anterior', 'right', 'leg')
    >>> infer_channel("Abd").kind, infer_channel("C3 Impédance").kind
    ('resp', 'other')
    """
    tokens = _tokens(label)
    if label.strip() in ("EDF Annotations", "BDF Annotations"):
        return ChannelInfo(label=label, fs=0.0, kind="annotation")
    if not tokens or any(t in _IMPEDANCE_TOKENS for t in tokens):
        # Electrode-impedance channels (a Nox A1 writes one per electrode, 'C3 Impédance',
        # 'C3-M2 (Imp)') carry Ohms at 1 Hz, not the signal their electrode names.
        return ChannelInfo(label=label, fs=0.0, kind="other")
    stems = [_stem(t) for t in tokens]
    if any(s in ("ecg", "ekg") or t.startswith(("ecg", "ekg")) for s, t in zip(stems, tokens,
                                                                                 strict=True)):
        return ChannelInfo(label=label, fs=0.0, kind="ecg")
    if any(t in _EOG_TOKENS or t.startswith("eog") for t in tokens):
        return ChannelInfo(label=label, fs=0.0, kind="eog")
    says_emg = any(t.startswith("emg") for t in tokens)
    muscle, compact_side = _muscle_of(tokens, says_emg)
    if muscle:
        side = compact_side or _side_of(tokens)
        if not side and muscle in _MIDLINE_MUSCLES:
            side = "midline"
        return ChannelInfo(label=label, fs=0.0, kind="emg", muscle=muscle, side=side,
                           region=MUSCLE_REGION[muscle])
    if any(t.startswith("eeg") for t in tokens) or _EEG_ELECTRODE.match(tokens[0]):
        return ChannelInfo(label=label, fs=0.0, kind="eeg")
    if says_emg:
        return ChannelInfo(label=label, fs=0.0, kind="emg", side=_side_of(tokens))
    if any(x in _RESP_TOKENS or x in _BELT_TOKENS for x in (*tokens, *stems)):
        return ChannelInfo(label=label, fs=0.0, kind="resp")
    return ChannelInfo(label=label, fs=0.0, kind="other")
