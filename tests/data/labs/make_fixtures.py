"""Write the synthetic lab fixtures of this folder (and ../io/nox_like_header.edf).

Run from the repository root: ``python tests/data/labs/make_fixtures.py``.
No real data is copied: the files follow the *structure* of real exports
(Noxturnal CSV, Compumedics Profusion XML, SOMNOmedics DOMINO text, a Nox A1
EDF header) with one invented night.

The night: 40 epochs from 23:50:00 (W×4 N1×4 N2×16 N3×6 R×6 W×4); five leg
movements 20 s apart from 250 s (a PLM series in N2); an arousal at 291 s;
an obstructive apnea at 605 s and a hypopnea at 783 s (after midnight); a
desaturation; a software notice; one label no vendor table knows.
"""

from __future__ import annotations

import codecs
import datetime as dt
import sys
from pathlib import Path

HERE = Path(__file__).parent
START = dt.datetime(2016, 1, 15, 23, 50, 0)
STAGES = ["W"] * 4 + ["N1"] * 4 + ["N2"] * 16 + ["N3"] * 6 + ["R"] * 6 + ["W"] * 4
LMS = [(8 * 30 + 20 * k + 10, 1.5) for k in range(5)]
AROUSAL = (8 * 30 + 20 * 2 + 11, 6.0)
APNEA = (20 * 30 + 5, 14.0)
HYPOPNEA = (26 * 30 + 3, 12.0)
DESAT = (20 * 30 + 18, 9.0)


def _nox_rows(fmt, stage_name, names, marker):  # type: ignore[no-untyped-def]
    rows = []
    if marker:
        t = START - dt.timedelta(seconds=7)  # the analysis starts 7 s before the first epoch
        rows.append((t, t, marker, 0.0))
    for i, s in enumerate(STAGES):
        t = START + dt.timedelta(seconds=30 * i)
        rows.append((t, t + dt.timedelta(seconds=30), stage_name[s], 30.0))
    events = [*((lm, names["lm"]) for lm in LMS), (AROUSAL, names["arousal"]),
              (APNEA, names["apnea"]), (HYPOPNEA, names["hypopnea"]), (DESAT, names["desat"]),
              ((61.0, 1.0), names["note"]), ((95.0, 0.0), names["unknown"])]
    for (on, du), name in events:
        t = START + dt.timedelta(seconds=on)
        rows.append((t, t + dt.timedelta(seconds=du), name, du))
    rows.sort(key=lambda r: r[0])
    return [f"{fmt(a)},{fmt(b)},{n},{d:g}," for a, b, n, d in rows]


def noxturnal() -> None:
    fr = ["Heure de début,Heure de fin,Événement,Durée,", "[],[],[],[s],"] + _nox_rows(
        lambda t: t.strftime("%d/%m/%Y %H:%M:%S"),
        {"W": "Éveil", "N1": "N1", "N2": "N2", "N3": "N3", "R": "REM"},
        {"lm": "MJ", "arousal": "Micro-éveil", "apnea": "A. Obstructive",
         "hypopnea": "Hypopnée", "desat": "Désat", "note": "Notification", "unknown": "Rapide"},
        "Début de l'analyse")
    (HERE / "nox").mkdir(exist_ok=True)
    (HERE / "nox" / "noxturnal_fr_utf16.csv").write_bytes(  # Noxturnal's UTF-16 LE + BOM
        codecs.BOM_UTF16_LE + ("\r\n".join(fr) + "\r\n").encode("utf-16-le"))
    en = ["Start Time,End Time,Event,Duration,", "[],[],[],[s],"] + _nox_rows(
        lambda t: t.strftime("%m/%d/%Y %I:%M:%S %p"),
        {"W": "Wake", "N1": "N1", "N2": "N2", "N3": "N3", "R": "REM"},
        {"lm": "Limb Movement", "arousal": "Arousal", "apnea": "Obstructive Apnea",
         "hypopnea": "Hypopnea", "desat": "Desat", "note": "Notification", "unknown": "Spindle"},
        None)
    (HERE / "nox" / "noxturnal_en_utf8.csv").write_text("\n".join(en) + "\n", encoding="utf-8")


def profusion() -> None:
    code = {"W": 0, "N1": 1, "N2": 2, "N3": 3, "R": 5}
    stages = [code[s] for s in STAGES]
    stages[26] = 4  # R&K stage 4
    ev = []

    def add(name: str, on: float, du: float, inp: str) -> None:
        ev.append(f"<ScoredEvent><Name>{name}</Name><Start>{on:g}</Start>"
                  f"<Duration>{du:g}</Duration><Input>{inp}</Input></ScoredEvent>")

    for k, (on, du) in enumerate(LMS):
        add(f"Limb Movement ({'Left' if k % 2 == 0 else 'Right'})", on, du,
            "Leg/L" if k % 2 == 0 else "Leg/R")
    add("Arousal (ASDA)", *AROUSAL, "C3")
    add("Obstructive Apnea", *APNEA, "Airflow")
    add("Hypopnea", *HYPOPNEA, "Nasal Pressure")
    add("SpO2 desaturation", *DESAT, "SpO2")
    add("Recording Start Time", 0, 0, "")
    add("Unsure", 700, 10, "Airflow")
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n<CMPStudyConfig>\n'
           '<EpochLength>30</EpochLength>\n<StepChannels />\n<ScoredEvents>\n'
           + "\n".join(ev) + "\n</ScoredEvents>\n<SleepStages>\n"
           + "\n".join(f"<SleepStage>{c}</SleepStage>" for c in stages)
           + "\n</SleepStages>\n</CMPStudyConfig>\n")
    (HERE / "night-profusion.xml").write_text(xml, encoding="utf-8")


def domino() -> None:
    folder = HERE / "domino_night"
    folder.mkdir(exist_ok=True)
    de = {"W": "Wach", "N1": "N1", "N2": "N2", "N3": "N3", "R": "Rem"}

    def clock(sec: float) -> str:
        t = START + dt.timedelta(seconds=sec)
        return t.strftime("%H:%M:%S") + f",{t.microsecond // 1000:03d}"

    prof = ["Signal ID: SchlafProfil\\profil", "Start Time: 15.01.2016 23:50:00", "Unit:",
            "Signal Type: Discret", "Events list: N4,N3,N2,N1,Rem,Wach,Bewegung", "Rate: 30 s",
            ""] + [f"{clock(30 * i)}; {de[s]}" for i, s in enumerate(STAGES)]
    (folder / "Sleep profile - demo.txt").write_text("\n".join(prof) + "\n", encoding="utf-8")

    def impulse(sig: str, unit: str, rows: list[str]) -> str:
        head = [f"Signal ID: {sig}", "Start Time: 15.01.2016 23:50:00", f"Unit: {unit}",
                "Signal Type: Impuls", ""]
        return "\n".join(head + rows) + "\n"

    flow = [f"{clock(on)}-{clock(on + du)}; {du:g};{lab}"
            for (on, du), lab in [(APNEA, "Obstruktive Apnoe"), (HYPOPNEA, "Hypopnoe")]]
    (folder / "Flow Events - demo.txt").write_text(impulse("FlowD\\flow", "s", flow),
                                                   encoding="utf-8")
    aro = [f"{clock(AROUSAL[0])}-{clock(AROUSAL[0] + AROUSAL[1])}; {AROUSAL[1]:g};Arousal"]
    (folder / "Classification Arousals - demo.txt").write_text(
        impulse("Arousal\\arousal", "s", aro), encoding="utf-8")
    plm = [f"{clock(on)}-{clock(on + du)}; {int(du * 1000)};"
           f"{'LM links' if k % 2 == 0 else 'LM rechts'}" for k, (on, du) in enumerate(LMS)]
    (folder / "PLM Events - demo.txt").write_bytes(  # with a UTF-8 BOM
        codecs.BOM_UTF8 + impulse("PLM\\plm", "ms", plm).encode())


def nox_like_header() -> None:
    """A tiny EDF+C with a Nox A1's header quirks: '°' (UTF-8) in a unit, 'é' (Latin-1) in a
    label and the patient field, legs in volts at 31.25 µV per step, a 0.1-µV chin."""
    sys.path.insert(0, str(HERE.parent.parent / "io"))
    from _edfbuild import Sig, build_edf, ramp

    n = 100 * 4
    leg = dict(unit="V", pmin=-1.024, pmax=1.023999, dmin=-32767, dmax=32767)
    sigs = [Sig("Left Leg", ramp(n, -300, 300), 100, **leg),  # type: ignore[arg-type]
            Sig("Right Leg", ramp(n, -300, 300), 100, **leg),  # type: ignore[arg-type]
            Sig("Chin1-Chin2", ramp(n), 100, unit="uV", pmin=-3276.8, pmax=3276.7),
            Sig("PosAngle", ramp(20), 5, unit="x", pmin=-180, pmax=180,
                overrides={"unit": "°".encode()}),
            Sig("Jambe droite Imp", ramp(4), 1, unit="x", pmin=0, pmax=327680,
                overrides={"unit": b"Ohm",
                           "label": "Jambe droite Impédance".encode("latin-1")[:16]})]
    build_edf(HERE.parent / "io" / "nox_like_header.edf", sigs, record_duration=1.0, plus="C",
              main_overrides={"patient": "X M X Ren\xe9e"})


if __name__ == "__main__":
    noxturnal()
    profusion()
    domino()
    nox_like_header()
