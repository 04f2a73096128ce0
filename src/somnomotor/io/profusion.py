"""Compumedics Profusion XML (``CMPStudyConfig``) → scorings.

The NSRR cohorts ship these as ``NAME-profusion.xml`` beside ``NAME.edf``::

    <CMPStudyConfig>
      <EpochLength>30</EpochLength>
      <ScoredEvents>
        <ScoredEvent><Name>Arousal (ASDA)</Name><Start>1234.5</Start>
                     <Duration>12.0</Duration><Input>C3</Input></ScoredEvent> …
      </ScoredEvents>
      <SleepStages><SleepStage>0</SleepStage><SleepStage>1</SleepStage> …</SleepStages>
    </CMPStudyConfig>

``Start`` and ``Duration`` are seconds from the recording start, so no clock
is needed; ``SleepStages`` holds one number per epoch from the start
(0 W, 1–3 N1–N3, 4 R&K stage 4 → N3, 5 REM, 9 unscored).  Event names are
mapped with the Profusion table of :mod:`somnomotor.io.vendor_vocab`.
"""

from __future__ import annotations

import os

from ..errors import AnnotationError
from ..hypnogram import EPOCH_S
from .nsrr import _seconds, _text
from .scorings import RawScorings, vendor_items
from .text import read_xml
from .vendor_vocab import PROFUSION, PROFUSION_STAGES


def read_profusion_xml(path: str | os.PathLike[str]) -> RawScorings:
    """Read a Profusion XML annotation file into :class:`RawScorings`.

    >>> raw = read_profusion_xml("shhs1-200001-profusion.xml")
    """
    root = read_xml(path)
    if root.tag != "CMPStudyConfig":
        raise AnnotationError(f"not a Profusion XML file (root <{root.tag}>, expected "
                              "<CMPStudyConfig>)", path)
    epoch_text = _text(root, "EpochLength")
    epoch = _seconds(epoch_text, "EpochLength", 0, path) if epoch_text else EPOCH_S
    if not epoch == epoch or epoch <= 0:
        raise AnnotationError(f"EpochLength must be a positive number of seconds, not "
                              f"{epoch_text!r}", path)
    onset, duration, label, channel = [], [], [], []
    events = root.find("ScoredEvents")
    for i, ev in enumerate(events.findall("ScoredEvent") if events is not None else [], start=1):
        name = _text(ev, "Name")
        start = _seconds(_text(ev, "Start"), "Start", i, path)
        if start != start:
            raise AnnotationError(f"ScoredEvent {i} ('{name}') has no <Start>", path)
        onset.append(start)
        duration.append(_seconds(_text(ev, "Duration"), "Duration", i, path))
        label.append(name)
        channel.append(_text(ev, "Input"))
    items = vendor_items(PROFUSION, onset, duration, label, channel)
    # Profusion names no stage as an event; a name that looks like one is an event here.
    items["stage"] = ""
    stages_node = root.find("SleepStages")
    epoch_stages: list[str] | None = None
    unknown: dict[str, int] = {}
    if stages_node is not None:
        epoch_stages = []
        for node in stages_node.findall("SleepStage"):
            code = (node.text or "").strip()
            stage = PROFUSION_STAGES.get(code)
            if stage is None:
                unknown[f"SleepStage {code!r}"] = unknown.get(f"SleepStage {code!r}", 0) + 1
                stage = "?"
            epoch_stages.append(stage)
        if not epoch_stages:
            epoch_stages = None
    if events is None and epoch_stages is None:
        raise AnnotationError("a Profusion XML file without <ScoredEvents> or <SleepStages>",
                              path)
    return RawScorings(items, epoch_stages=epoch_stages, epoch=epoch,
                       unknown_stage_labels=unknown)
