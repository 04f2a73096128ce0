"""NSRR XML annotations (``PSGAnnotation`` / ``ScoredEvents``) → scorings.

Stages are the events whose ``EventType`` is ``Stages|Stages``; their
``EventConcept`` uses the NSRR numbering (``Wake|0`` … ``Stage 4 sleep|4``,
``REM sleep|5``).  ``Start`` and ``Duration`` are seconds from the recording
start; ``SignalLocation`` becomes the event's channel.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET

from ..errors import AnnotationError
from ..hypnogram import EPOCH_S
from .scorings import RawScorings, make_items
from .text import read_xml
from .vocab import stage_from_nsrr_concept


def _text(node: ET.Element, tag: str) -> str:
    child = node.find(tag)
    return (child.text or "").strip() if child is not None else ""


def _seconds(value: str, what: str, index: int, path: str | os.PathLike[str]) -> float:
    try:
        return float(value) if value else float("nan")
    except ValueError:
        raise AnnotationError(f"ScoredEvent {index}: {what} is not a number ({value!r})",
                              path) from None


def read_nsrr_xml(path: str | os.PathLike[str]) -> RawScorings:
    """Read an NSRR XML annotation file into :class:`RawScorings`.

    >>> raw = read_nsrr_xml("shhs1-200001-nsrr.xml")
    """
    root = read_xml(path)
    events = root.find("ScoredEvents")
    if events is None:
        raise AnnotationError(f"not an NSRR XML annotation file (root <{root.tag}> has no "
                              "<ScoredEvents>)", path)
    epoch = _seconds(_text(root, "EpochLength"), "EpochLength", 0, path)
    onset, duration, label, channel, stage = [], [], [], [], []
    unknown_stages: dict[str, int] = {}
    for i, ev in enumerate(events.findall("ScoredEvent"), start=1):
        concept = _text(ev, "EventConcept")
        kind = _text(ev, "EventType")
        start = _seconds(_text(ev, "Start"), "Start", i, path)
        if start != start:  # NaN: no Start
            raise AnnotationError(f"ScoredEvent {i} ('{concept}') has no <Start>", path)
        code = ""
        if kind.lower().startswith("stages"):
            code = stage_from_nsrr_concept(concept) or "?"
            if stage_from_nsrr_concept(concept) is None:
                unknown_stages[concept] = unknown_stages.get(concept, 0) + 1
        onset.append(start)
        duration.append(_seconds(_text(ev, "Duration"), "Duration", i, path))
        label.append(concept)
        channel.append(_text(ev, "SignalLocation"))
        stage.append(code)
    return RawScorings(make_items(onset, duration, label, channel, stage),
                       epoch=epoch if epoch == epoch and epoch > 0 else EPOCH_S,
                       unknown_stage_labels=unknown_stages)
