"""Stage and event labels of the scoring formats → somnomotor's internal vocabulary.

Stages become ``W N1 N2 N3 R ?`` (R&K stage 4 becomes N3, as AASM merged
stages 3 and 4 into N3; movement time becomes unscored ``?``).  Events become
one of :data:`somnomotor.events.SCORED_KINDS`; a label we do not know becomes
``other`` and is reported by the readers — never dropped silently.

Numeric stage codes follow the R&K/YASA order W=0 N1=1 N2=2 N3=3 R=4 in text
hypnograms; NSRR XML numbers REM 5 (and stage 4 as 4), which only
:func:`stage_from_nsrr_concept` accepts.
"""

from __future__ import annotations

import re

#: Stage labels (lower case, single spaces) → stage.
_STAGE_WORDS: dict[str, str] = {}
for _stage, _words in {
    "W": ("w", "wake", "awake", "stage w", "sleep stage w", "sleep stage 0", "s0", "stage 0",
          "sleep-s0", "sleep stage wake", "wk", "0"),
    "N1": ("n1", "s1", "nrem1", "stage 1", "stage n1", "sleep stage 1", "sleep stage n1", "sleep-s1",
           "stage 1 sleep", "1"),
    "N2": ("n2", "s2", "nrem2", "stage 2", "stage n2", "sleep stage 2", "sleep stage n2", "sleep-s2",
           "stage 2 sleep", "2"),
    "N3": ("n3", "s3", "s4", "n4", "nrem3", "nrem4", "stage 3", "stage 4", "stage n3", "sleep stage 3",
           "sleep stage 4", "sleep stage n3", "sleep stage n4", "sleep-s3", "sleep-s4",
           "stage 3 sleep", "stage 4 sleep", "sws", "3"),
    "R": ("r", "rem", "stage r", "stage rem", "sleep stage r", "sleep stage rem", "sleep-rem",
          "rem sleep", "4"),
    "?": ("?", "-1", "-2", "u", "uns", "unscored", "unknown", "sleep stage ?", "sleep-unscored",
          "movement time", "mt", "sleep-mt", "sleep stage mt", "sleep stage movement time",
          "movement", "art", "artifact", "artefact", "a", "nan", "none", "stage ?",
          "sleep stage u", "9"),
}.items():
    for _w in _words:
        _STAGE_WORDS[_w] = _stage

#: Numbers that are stages only in NSRR XML (``REM sleep|5``, ``Stage 4 sleep|4``).
_NSRR_STAGE_NUMBERS: dict[str, str] = {"0": "W", "1": "N1", "2": "N2", "3": "N3", "4": "N3",
                                       "5": "R", "6": "?", "9": "?"}

#: Labels that mark movement time: an unscored epoch *and* a ``movement`` event.
_MOVEMENT_TIME = frozenset({"movement time", "mt", "sleep-mt", "sleep stage mt",
                            "sleep stage movement time", "movement|6", "movement"})

_SPACE = re.compile(r"\s+")


def _norm(label: str) -> str:
    return _SPACE.sub(" ", str(label).strip().lower())


def stage_from_label(label: str) -> str | None:
    """The stage a label names (``W N1 N2 N3 R ?``), or None when it is not a stage.

    Examples
    --------
    >>> stage_from_label("Sleep stage 4"), stage_from_label("SLEEP-REM")
    ('N3', 'R')
    >>> stage_from_label("Arousal") is None
    True
    """
    return _STAGE_WORDS.get(_norm(label))


# Words that are stages in a one-stage-per-epoch file but not as an annotation's text.
_NOT_STAGE_ANNOTATIONS = frozenset({"-1", "-2", "0", "1", "2", "3", "4", "9", "u", "uns",
                                    "unknown", "movement", "art", "artifact", "artefact", "a",
                                    "nan", "none", "l", "r", "w", "?"})

#: Single-letter stages (Luna-style ``W``, ``R``, ``?``): stages only as intervals.
_LETTER_STAGES = {"w": "W", "r": "R", "?": "?"}


def stage_from_annotation(label: str, duration: float | None = None) -> str | None:
    """Like :func:`stage_from_label`, for annotation texts among other events.

    Bare numbers and generic words (``Artifact``, ``Movement``) are events
    there, not stages; the letters ``W``, ``R`` and ``?`` are stages only when
    the annotation lasts at least one second (a scored interval).

    >>> stage_from_annotation("Sleep stage R"), stage_from_annotation("Artifact")
    ('R', None)
    >>> stage_from_annotation("W", 30.0), stage_from_annotation("W")
    ('W', None)
    """
    n = _norm(label)
    if n in _LETTER_STAGES and duration is not None and duration >= 1.0:
        return _LETTER_STAGES[n]
    if n in _NOT_STAGE_ANNOTATIONS:
        return None
    return _STAGE_WORDS.get(n)


def is_movement_time(label: str) -> bool:
    """True for R&K movement-time labels (``Movement time``, ``SLEEP-MT``)."""
    return _norm(label) in _MOVEMENT_TIME


def stage_from_nsrr_concept(concept: str) -> str | None:
    """Stage of an NSRR ``EventConcept`` such as ``Stage 1 sleep|1`` or ``REM sleep|5``.

    >>> stage_from_nsrr_concept("REM sleep|5"), stage_from_nsrr_concept("Wake|0")
    ('R', 'W')
    """
    name, _, number = concept.partition("|")
    if number.strip() in _NSRR_STAGE_NUMBERS:
        return _NSRR_STAGE_NUMBERS[number.strip()]
    return stage_from_label(name)


# Event kinds: (pattern on the normalised label, kind), first match wins.
_EVENT_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), k) for p, k in (
        (r"\brera\b|respiratory effort[- ]related arousal|^arousal-rera", "rera"),
        (r"arousal", "arousal"),
        (r"hypopn", "hypopnea"),
        (r"apn(o)?ea", "apnea"),
        (r"^plm(?!-lm)\b|periodic (leg|limb) movement", "plm"),
        (r"^plm-lm\b|^lm\b|limb movement|leg movement", "lm"),
        (r"^movement( time)?$|^mt$|^sleep-mt$|^movement\|6$|body movement", "movement"),
        (r"artifact|artefact", "artifact"),
        (r"lights?[- ]?(on|off)|^lights", "lights"),
    ))


def event_kind(label: str) -> str:
    """The scored-event kind of a label; ``other`` when the label is not known.

    Examples
    --------
    >>> event_kind("Arousal|Arousal ()"), event_kind("PLM-LM"), event_kind("APNEA-CENTRAL")
    ('arousal', 'lm', 'apnea')
    >>> event_kind("Periodic leg movement - left|PLM (Left)")
    'plm'
    >>> event_kind("Spindle")
    'other'
    """
    text = _norm(label)
    for pattern, kind in _EVENT_RULES:
        if pattern.search(text):
            return kind
    return "other"


def own_motor_kind(label: str) -> str | None:
    """The somnomotor event kind of one of our own event labels, or None.

    Our own labels are the registry's words (:mod:`somnomotor.kinds`): the
    EDF+/BIDS text (``"Myoclonus fds left"``, ``"CLM bilateral"``) or the NSRR
    concept ``<kind>|<text>``.  These events (myoclonus, hypnic jerks, REM and
    morning tonic activity, candidate leg movements restating the LMs beside
    them …) are what somnomotor scores, not inputs it uses, so their
    scored-event kind stays what :func:`event_kind` says (often ``other``); but
    they are known labels, not unknown ones.

    >>> own_motor_kind("Myoclonus fds left"), own_motor_kind("myoclonus|Myoclonus fds left")
    ('myoclonus', 'myoclonus')
    >>> own_motor_kind("Spindle") is None
    True
    """
    from .. import kinds

    name, bar, _text = label.partition("|")
    if bar and name.strip() in kinds.names():
        return name.strip()
    n = _norm(label)
    words = sorted(((_norm(k.text), k.name) for k in kinds.all_kinds()), key=lambda w: -len(w[0]))
    for text, kind in words:
        if n == text or n.startswith(text + " "):
            return kind
    return None


#: Labels that are markers of the file itself, not scorings: dropped on purpose.
FILE_MARKERS: frozenset[str] = frozenset({"recording start time", "recording start",
                                          "start recording", "record start"})


def is_file_marker(label: str) -> bool:
    """True for markers such as NSRR's ``Recording Start Time`` (not a scoring)."""
    return _norm(label.partition("|")[0]) in FILE_MARKERS
