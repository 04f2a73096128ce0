"""The words our events carry in other tools' files, and their inverse.

One place decides how an events-table row is named in an EDF+ annotation, a
Luna ``.annot`` class, a BIDS ``trial_type`` and an NSRR XML ``EventConcept``,
so the exports agree with each other and can be read back.

EDF+ / BIDS text: ``"<Kind> [<muscle>] [<side>]"``, e.g. ``"LM left"``,
``"PLM bilateral"``, ``"Myoclonus fds right"``, ``"Morning tonic paraspinal midline"``.
Leg kinds (``lm``, ``clm``, ``plm``) never repeat the muscle (it is always
tibialis anterior).  Stages: ``"Sleep stage W"``, ``"Sleep stage N1"`` …
``"Sleep stage R"``, ``"Sleep stage ?"``.
"""

from __future__ import annotations

import pandas as pd

from ..events import EVENT_KINDS, SIDES

#: Events-table kind → the words that start its annotation text.
KIND_TEXT: dict[str, str] = {
    "lm": "LM",
    "clm": "CLM",
    "plm": "PLM",
    "myoclonus": "Myoclonus",
    "grm": "Generalized random myoclonus",
    "hypnic_jerk": "Hypnic jerk",
    "fragmentary_myoclonus": "Fragmentary myoclonus",
    "propriospinal_myoclonus": "Propriospinal myoclonus",
    "rem_tonic": "REM tonic activity",
    "rem_phasic": "REM phasic activity",
    "morning_tonic": "Morning tonic activity",
}
assert set(KIND_TEXT) == set(EVENT_KINDS), "every event kind needs annotation words"

LEG_KINDS: frozenset[str] = frozenset({"lm", "clm", "plm"})

#: Hypnogram stage → EDF+ annotation text.
STAGE_TEXT: dict[str, str] = {
    "W": "Sleep stage W",
    "N1": "Sleep stage N1",
    "N2": "Sleep stage N2",
    "N3": "Sleep stage N3",
    "R": "Sleep stage R",
    "?": "Sleep stage ?",
}

_TEXT_KIND = sorted(((t, k) for k, t in KIND_TEXT.items()), key=lambda p: -len(p[0]))


def event_text(kind: str, muscle: str = "", side: str = "") -> str:
    """Annotation text of one event, e.g. ``event_text("myoclonus", "fds", "left")``.

    >>> event_text("lm", "tibialis_anterior", "left")
    'LM left'
    >>> event_text("myoclonus", "fds", "right")
    'Myoclonus fds right'
    """
    words = [KIND_TEXT[kind]]
    if muscle and kind not in LEG_KINDS:
        words.append(muscle.replace(" ", "_"))
    if side:
        words.append(side)
    return " ".join(words)


def event_texts(events: pd.DataFrame) -> list[str]:
    """:func:`event_text` for every row of an events table."""
    return [event_text(k, m, s) for k, m, s in
            zip(events["kind"], events["muscle"], events["side"], strict=True)]


def parse_event_text(text: str) -> tuple[str, str, str] | None:
    """Inverse of :func:`event_text`: ``(kind, muscle, side)``, or None when not ours.

    >>> parse_event_text("PLM bilateral")
    ('plm', 'tibialis_anterior', 'bilateral')
    """
    text = text.strip()
    for words, kind in _TEXT_KIND:
        if text == words or text.startswith(words + " "):
            rest = text[len(words):].split()
            side = rest.pop() if rest and rest[-1] in SIDES else ""
            if kind in LEG_KINDS:
                return (kind, "tibialis_anterior", side) if not rest else None
            if len(rest) > 1:
                return None
            return kind, (rest[0] if rest else ""), side
    return None
