"""The words our events carry in other tools' files, and their inverse.

One place decides how an events-table row is named in an EDF+ annotation, a
Luna ``.annot`` class, a BIDS ``trial_type`` and an NSRR XML ``EventConcept``,
so the exports agree with each other and can be read back.  The words of each
kind are declared in the kind registry (:mod:`somnomotor.kinds`, ``EventKind.text``
and ``EventKind.leg``); this module only composes and parses them.

EDF+ / BIDS text: ``"<Kind> [<muscle>] [<side>]"``, e.g. ``"LM left"``,
``"PLM bilateral"``, ``"Myoclonus fds right"``, ``"Morning tonic paraspinal midline"``.
Leg kinds (``lm``, ``clm``, ``plm``: ``EventKind.leg``) never repeat the muscle (it is always
tibialis anterior).  Stages: ``"Sleep stage W"``, ``"Sleep stage N1"`` …
``"Sleep stage R"``, ``"Sleep stage ?"``.
"""

from __future__ import annotations

import pandas as pd

from .. import kinds as K
from ..events import SIDES

#: Hypnogram stage → EDF+ annotation text.
STAGE_TEXT: dict[str, str] = {
    "W": "Sleep stage W",
    "N1": "Sleep stage N1",
    "N2": "Sleep stage N2",
    "N3": "Sleep stage N3",
    "R": "Sleep stage R",
    "?": "Sleep stage ?",
}


def _text_kinds() -> list[tuple[str, str]]:
    """(annotation words, kind) of every registered kind, longest words first."""
    return sorted(((k.text, k.name) for k in K.all_kinds()), key=lambda p: -len(p[0]))


def event_text(kind: str, muscle: str = "", side: str = "") -> str:
    """Annotation text of one event, e.g. ``event_text("myoclonus", "fds", "left")``.

    >>> event_text("lm", "tibialis_anterior", "left")
    'LM left'
    >>> event_text("myoclonus", "fds", "right")
    'Myoclonus fds right'
    """
    k = K.get(kind)
    words = [k.text]
    if muscle and not k.leg:
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
    legs = K.leg_kinds()
    for words, kind in _text_kinds():
        if text == words or text.startswith(words + " "):
            rest = text[len(words):].split()
            side = rest.pop() if rest and rest[-1] in SIDES else ""
            if kind in legs:
                return (kind, "tibialis_anterior", side) if not rest else None
            if len(rest) > 1:
                return None
            return kind, (rest[0] if rest else ""), side
    return None
