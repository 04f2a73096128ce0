"""Write one scored night in the formats somnomotor reads (test builders).

A night is a start time, one stage per 30-s epoch and a list of events; the
writers put the same night into EDF+ annotations, NSRR XML, an Embla RemLogic
export, a CSV hypnogram and CSV events, each with its own vocabulary.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import edfio
import numpy as np

EPOCH = 30.0


@dataclass(frozen=True)
class Ev:
    onset: float
    duration: float
    kind: str  # internal kind
    channel: str = ""


@dataclass(frozen=True)
class Night:
    start: dt.datetime
    stages: tuple[str, ...]  # W N1 N2 N3 R per epoch
    events: tuple[Ev, ...]
    stage4: frozenset[int] = frozenset()  # epochs of N3 written as R&K stage 4

    @property
    def duration(self) -> float:
        return len(self.stages) * EPOCH


def make_night(seed: int = 0, hours: float = 1.0,
               start: dt.datetime = dt.datetime(2020, 12, 24, 23, 40, 0)) -> Night:
    rng = np.random.default_rng(seed)
    n = int(hours * 3600 / EPOCH)
    runs = []
    while sum(len(r) for r in runs) < n:
        runs.append([str(rng.choice(["W", "N1", "N2", "N3", "R"]))] * int(rng.integers(1, 8)))
    stages = tuple(s for r in runs for s in r)[:n]
    stage4 = frozenset(i for i, s in enumerate(stages) if s == "N3" and i % 2)
    kinds = ["arousal", "apnea", "hypopnea", "rera", "lm", "lm"]
    events = []
    for k in range(40):
        kind = kinds[k % len(kinds)]
        onset = round(float(rng.uniform(5, n * EPOCH - 60)), 3)
        duration = round(float(rng.uniform(0.5, 10) if kind == "lm" else rng.uniform(3, 40)), 3)
        channel = ("LAT" if k % 2 else "RAT") if kind == "lm" else ""
        events.append(Ev(onset, duration, kind, channel))
    events.sort(key=lambda e: e.onset)
    return Night(start, stages, tuple(events), stage4)


def _runs(night: Night, label: dict[str, str], stage4: str) -> list[tuple[float, float, str]]:
    texts = [stage4 if i in night.stage4 else label[s] for i, s in enumerate(night.stages)]
    out: list[tuple[float, float, str]] = []
    for i, t in enumerate(texts):
        if out and out[-1][2] == t:
            out[-1] = (out[-1][0], out[-1][1] + EPOCH, t)
        else:
            out.append((i * EPOCH, EPOCH, t))
    return out


EDF_EVENT = {"arousal": "Arousal", "apnea": "Obstructive Apnea", "hypopnea": "Hypopnea",
             "rera": "RERA", "lm": "LM"}


def write_edf_annotations(night: Night, path: Path) -> Path:
    stage_text = {"W": "Sleep stage W", "N1": "Sleep stage 1", "N2": "Sleep stage 2",
                  "N3": "Sleep stage 3", "R": "Sleep stage R"}
    anns = [edfio.EdfAnnotation(o, d, t) for o, d, t in _runs(night, stage_text,
                                                              "Sleep stage 4")]
    anns += [edfio.EdfAnnotation(e.onset, e.duration, EDF_EVENT[e.kind]) for e in night.events]
    edf = edfio.Edf([], annotations=anns, starttime=night.start.time(),
                    recording=edfio.Recording(startdate=night.start.date()))
    edf.write(path)
    return path


NSRR_EVENT = {"arousal": ("Arousals|Arousals", "Arousal|Arousal ()"),
              "apnea": ("Respiratory|Respiratory", "Obstructive apnea|Obstructive Apnea"),
              "hypopnea": ("Respiratory|Respiratory", "Hypopnea|Hypopnea"),
              "rera": ("Respiratory|Respiratory", "Respiratory effort related arousal|RERA"),
              "lm": ("Limb Movement|Limb Movement", "Limb movement - left|Limb Movement (Left)")}


def write_nsrr_xml(night: Night, path: Path) -> Path:
    concept = {"W": "Wake|0", "N1": "Stage 1 sleep|1", "N2": "Stage 2 sleep|2",
               "N3": "Stage 3 sleep|3", "R": "REM sleep|5"}
    clock = night.start.strftime("%d.%m.%y %H.%M.%S")
    parts = ['<?xml version="1.0" encoding="UTF-8" standalone="no"?>', "<PSGAnnotation>",
             "<SoftwareVersion>Compumedics</SoftwareVersion>", "<EpochLength>30</EpochLength>",
             "<ScoredEvents>",
             f"<ScoredEvent><EventType/><EventConcept>Recording Start Time</EventConcept>"
             f"<Start>0</Start><Duration>{night.duration}</Duration>"
             f"<ClockTime>{clock}</ClockTime></ScoredEvent>"]
    for o, d, t in _runs(night, concept, "Stage 4 sleep|4"):
        parts.append(f"<ScoredEvent><EventType>Stages|Stages</EventType><EventConcept>{t}"
                     f"</EventConcept><Start>{o}</Start><Duration>{d}</Duration></ScoredEvent>")
    for e in night.events:
        etype, c = NSRR_EVENT[e.kind]
        loc = f"<SignalLocation>{e.channel}</SignalLocation>" if e.channel else ""
        parts.append(f"<ScoredEvent><EventType>{etype}</EventType><EventConcept>{c}"
                     f"</EventConcept><Start>{e.onset}</Start><Duration>{e.duration}</Duration>"
                     f"{loc}</ScoredEvent>")
    parts += ["</ScoredEvents>", "</PSGAnnotation>"]
    path.write_text("\n".join(parts), encoding="utf-8")
    return path


REMLOGIC_EVENT = {"arousal": "AROUSAL-SPONT", "apnea": "APNEA-OBSTRUCTIVE",
                  "hypopnea": "HYPOPNEA-OBSTRUCTIVE", "rera": "RERA", "lm": "PLM-LM"}


def write_remlogic(night: Night, path: Path, iso: bool = False) -> Path:
    code = {"W": "SLEEP-S0", "N1": "SLEEP-S1", "N2": "SLEEP-S2", "N3": "SLEEP-S3",
            "R": "SLEEP-REM"}
    short = {"W": "W", "N1": "N1", "N2": "N2", "N3": "N3", "R": "REM"}

    def clock(t: float) -> str:
        when = night.start + dt.timedelta(seconds=t)
        return when.isoformat(timespec="milliseconds") if iso else \
            when.strftime("%H:%M:%S.") + f"{when.microsecond // 1000:03d}"

    rows = []
    for i, s in enumerate(night.stages):
        ev = "SLEEP-S4" if i in night.stage4 else code[s]
        rows.append((i * EPOCH, f"{short[s]}\tSupine\t{clock(i * EPOCH)}\t{ev}\t30\tSLEEP"))
    for e in night.events:
        stage = short[night.stages[int(e.onset // EPOCH)]]
        rows.append((e.onset, f"{stage}\tSupine\t{clock(e.onset)}\t{REMLOGIC_EVENT[e.kind]}\t"
                              f"{e.duration:g}\t{e.channel or 'SUM'}"))
    rows.sort(key=lambda r: r[0])
    head = ["Patient ID:\tSUBJ01", "Patient Name:\tX", f"Recording Date:\t"
            f"{night.start:%d/%m/%Y}", "Events Included:", "SLEEP-S0", "PLM-LM",
            "Scoring Session:\tNight 1", "",
            "Sleep Stage\tPosition\tTime [hh:mm:ss.xxx]\tEvent\tDuration[s]\tLocation"]
    path.write_text("\n".join(head + [r[1] for r in rows]) + "\n", encoding="utf-8")
    return path


def write_csv_hypnogram(night: Night, path: Path, numeric: bool = True) -> Path:
    num = {"W": "0", "N1": "1", "N2": "2", "N3": "3", "R": "4"}
    lines = ["# one stage per 30-s epoch"] + [num[s] if numeric else s for s in night.stages]
    path.write_text("\n".join(lines) + "\n")
    return path


def write_csv_events(night: Night, path: Path) -> Path:
    lines = ["onset,duration,kind,channel"] + [f"{e.onset},{e.duration},{e.kind},{e.channel}"
                                               for e in night.events]
    path.write_text("\n".join(lines) + "\n")
    return path
