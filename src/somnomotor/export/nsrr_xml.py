"""``scored.xml``: the events and stages as an NSRR XML annotation file.

The National Sleep Research Resource (NSRR) XML layout: ``PSGAnnotation`` →
``EpochLength`` and ``ScoredEvents`` → one ``ScoredEvent`` per event with
``EventType`` and ``EventConcept`` ("Name|Label" pairs), ``Start`` and
``Duration`` (seconds from the recording start) and, for channel-bound events,
``SignalLocation``.  Luna, the NSRR tools and ``somnomotor.io`` read it.

Names used (NSRR's own terms where NSRR has one), declared with each kind in
:mod:`somnomotor.kinds` (``EventKind.nsrr_type`` / ``nsrr_concept``; the scored
inputs in ``kinds.SCORED``):

============================  ======================================  ==============================================
event                         EventType                               EventConcept
============================  ======================================  ==============================================
stage W / N1 / N2 / N3 / R    ``Stages|Stages``                       ``Wake|0``, ``Stage 1 sleep|1``, ``Stage 2 sleep|2``,
                                                                      ``Stage 3 sleep|3``, ``REM sleep|5``; ``?`` → ``Unscored|9``
``lm`` left/right             ``Limb Movement|Limb Movement``         ``Limb movement - left|Limb Movement (Left)`` (… right)
``plm`` left/right            ``Limb Movement|Limb Movement``         ``Periodic leg movement - left|PLM (Left)`` (… right)
arousal (scored input)        ``Arousals|Arousals``                   ``Arousal|Arousal ()``
apnea / hypopnea / RERA       ``Respiratory|Respiratory``             ``Obstructive apnea|Obstructive Apnea``,
                                                                      ``Central apnea|Central Apnea``, ``Mixed apnea|Mixed Apnea``,
                                                                      ``Hypopnea|Hypopnea``, ``RERA|RERA``
============================  ======================================  ==============================================

Not in NSRR's vocabulary (added by somnomotor, documented here):

- ``lm``/``plm``/``clm`` with side ``bilateral``: ``Limb movement - bilateral|Limb Movement (Bilateral)``,
  ``Periodic leg movement - bilateral|PLM (Bilateral)``.
- ``clm`` (WASM 2016 candidate leg movement): EventType ``Limb Movement|Limb Movement``,
  EventConcept ``Candidate leg movement - <side>|CLM (<Side>)``.
- every other somnomotor kind (``myoclonus``, ``grm``, ``hypnic_jerk``,
  ``fragmentary_myoclonus``, ``propriospinal_myoclonus``, ``rem_tonic``,
  ``rem_phasic``, ``morning_tonic``): EventType ``Motor events|somnomotor``,
  EventConcept ``<kind>|<annotation text>`` e.g. ``myoclonus|Myoclonus fds left``.
- an apnea whose type is not known: ``Apnea|Apnea``; other scored inputs:
  ``Other|<original label>``.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET

import pandas as pd

from .. import kinds as K
from .._atomic import atomic_write
from .._version import __version__
from ..events import make_events
from ..hypnogram import Hypnogram
from ._vocab import event_text, parse_event_text

STAGE_CONCEPT: dict[str, str] = {
    "W": "Wake|0",
    "N1": "Stage 1 sleep|1",
    "N2": "Stage 2 sleep|2",
    "N3": "Stage 3 sleep|3",
    "R": "REM sleep|5",
    "?": "Unscored|9",
}
STAGES_TYPE = "Stages|Stages"
LIMB_TYPE = K.NSRR_LIMB_TYPE
OURS_TYPE = K.NSRR_OURS_TYPE


def event_concept(kind: str, muscle: str = "", side: str = "") -> tuple[str, str]:
    """``(EventType, EventConcept)`` of one events-table row.

    >>> event_concept("plm", "", "left")
    ('Limb Movement|Limb Movement', 'Periodic leg movement - left|PLM (Left)')
    """
    k = K.get(kind)
    if k.nsrr_concept is not None:
        s = side or "bilateral"
        name, label = k.nsrr_concept
        return k.nsrr_type, f"{name.format(side=s)}|{label.format(Side=s.capitalize())}"
    return k.nsrr_type, f"{kind}|{event_text(kind, muscle, side)}"


def parse_event_concept(concept: str) -> tuple[str, str, str] | None:
    """Inverse of :func:`event_concept`: ``(kind, muscle, side)``, or None when not ours.

    >>> parse_event_concept("Periodic leg movement - left|PLM (Left)")
    ('plm', 'tibialis_anterior', 'left')
    """
    name, _, label = concept.partition("|")
    patterned = {k.name: k.nsrr_concept for k in K.all_kinds() if k.nsrr_concept is not None}
    for kind, (pattern, _label) in patterned.items():
        prefix = pattern.split("{")[0]
        if name.startswith(prefix):
            side = name[len(prefix):].strip()
            return (kind, "tibialis_anterior", side) if side in ("left", "right",
                                                                 "bilateral") else None
    if name in K.names() and name not in patterned:
        parsed = parse_event_text(label)
        return parsed if parsed is not None and parsed[0] == name else None
    return None


def scored_concept(kind: str, label: str = "") -> tuple[str, str]:
    """``(EventType, EventConcept)`` of a scored input event (arousal, apnea…)."""
    sk = K.SCORED.get(kind)
    if sk is not None and sk.nsrr_concept:
        low = label.lower()
        concept = next((c for word, c in sk.subtypes if word in low), sk.nsrr_concept)
        return sk.nsrr_type, concept
    text = (label or kind).replace("|", "/")
    return "Other|Other", f"{kind}|{text}"


def _add_event(parent: ET.Element, etype: str, concept: str, start: float, duration: float,
               channel: str = "") -> None:
    ev = ET.SubElement(parent, "ScoredEvent")
    ET.SubElement(ev, "EventType").text = etype
    ET.SubElement(ev, "EventConcept").text = concept
    ET.SubElement(ev, "Start").text = repr(float(start))
    ET.SubElement(ev, "Duration").text = repr(float(duration))
    if channel:
        ET.SubElement(ev, "SignalLocation").text = channel


def build_nsrr_tree(events: pd.DataFrame, *, hypnogram: Hypnogram | None, duration: float,
                    scored_events: pd.DataFrame | None = None) -> ET.ElementTree:
    """The NSRR XML document as an element tree (see :func:`write_nsrr_xml`)."""
    events = make_events(events)
    root = ET.Element("PSGAnnotation")
    ET.SubElement(root, "SoftwareVersion").text = f"somnomotor {__version__}"
    epoch = hypnogram.epoch if hypnogram is not None else 30.0
    ET.SubElement(root, "EpochLength").text = f"{epoch:g}"
    scored = ET.SubElement(root, "ScoredEvents")
    ev = ET.SubElement(scored, "ScoredEvent")
    ET.SubElement(ev, "EventType")
    ET.SubElement(ev, "EventConcept").text = "Recording Start Time"
    ET.SubElement(ev, "Start").text = "0"
    ET.SubElement(ev, "Duration").text = repr(float(duration))
    if hypnogram is not None:
        for onset, stage in zip(hypnogram.epoch_onsets(), hypnogram.stages, strict=True):
            if duration > 0 and onset >= duration:
                break
            _add_event(scored, STAGES_TYPE, STAGE_CONCEPT[str(stage)], onset, hypnogram.epoch)
    if scored_events is not None and len(scored_events):
        labels = (scored_events["label"] if "label" in scored_events
                  else pd.Series([""] * len(scored_events)))
        channels = (scored_events["channel"] if "channel" in scored_events
                    else pd.Series([""] * len(scored_events)))
        for onset, dur, kind, label, ch in zip(scored_events["onset"], scored_events["duration"],
                                               scored_events["kind"], labels.fillna(""),
                                               channels.fillna(""), strict=True):
            etype, concept = scored_concept(str(kind), str(label))
            _add_event(scored, etype, concept, onset, dur, str(ch))
    for onset, dur, kind, ch, muscle, side in zip(
            events["onset"], events["duration"], events["kind"], events["channel"],
            events["muscle"], events["side"], strict=True):
        etype, concept = event_concept(kind, muscle, side)
        _add_event(scored, etype, concept, onset, dur, ch)
    ET.indent(root)
    return ET.ElementTree(root)


def write_nsrr_xml(events: pd.DataFrame, path: str | os.PathLike[str], *,
                   hypnogram: Hypnogram | None, duration: float,
                   scored_events: pd.DataFrame | None = None) -> None:
    """Write events, stages and (optionally) the scored inputs as NSRR XML.

    Parameters
    ----------
    events : DataFrame
        The events table; onsets/durations in seconds from the recording start.
    path : path
        Output file (``scored.xml``), written whole or not at all (UTF-8).
    hypnogram : Hypnogram or None
        One ``Stages|Stages`` event per 30-s epoch.
    duration : float
        Recording length (s): the ``Recording Start Time`` event's duration.
    scored_events : DataFrame, optional
        Scored inputs (``somnomotor.events.SCORED_COLUMNS``): arousals and
        respiratory events, written with NSRR's names.

    Examples
    --------
    >>> write_nsrr_xml(result.events, "out/scored.xml", hypnogram=result.hypnogram,
    ...                duration=result.recording_duration)
    """
    tree = build_nsrr_tree(events, hypnogram=hypnogram, duration=duration,
                           scored_events=scored_events)
    with atomic_write(path, "wb") as fh:
        tree.write(fh, encoding="UTF-8", xml_declaration=True)
