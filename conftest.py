"""The doctests' namespace: a small simulated night and the files the examples name.

``make test`` runs every docstring example (``--doctest-modules`` over
``src/somnomotor``).  Examples that need a recording, an analysed night or a
scoring file run here too, none skipped: once per test session a 15-minute
simulated night is written to a temporary folder (``night.edf``), analysed, and
the files the examples open are put beside it (vendor exports copied from
``tests/data``).  Every doctest runs in that folder, with these names bound:

``somnomotor``, ``np``, ``pd``, ``Path``; ``rec`` (the night read back),
``result`` (``somnomotor.analyze(rec)``), ``hyp`` (its hypnogram), ``scored``
(the scored events in the EDF+ annotations), ``ecg`` (the ECG channel, µV),
``peaks`` (its R peaks, s), ``bandpassed_intercostal`` (the intercostal channel
band-passed 10–100 Hz), ``clean`` (the same with the ECG removed), ``x`` (the
left tibialis anterior channel, µV), ``channels`` (every non-leg EMG channel's
bursts, :class:`~somnomotor.detect.bursts.ChannelBursts`) and ``bursts`` (their
burst tables, staged).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

_TEST_DATA = Path(__file__).resolve().parent / "tests" / "data"
#: Minutes of the simulated night (short: the examples must stay fast).
DOC_NIGHT_MIN = 15


def _doc_folder(root: Path) -> dict[str, Any]:
    import numpy as np
    import pandas as pd

    import somnomotor
    from somnomotor.export import write_nsrr_xml
    from somnomotor.io.scorings import scorings_from_recording
    from somnomotor.pipeline import AnalysisParams, detect_channels, write_outputs
    from somnomotor.signal.ecg import detect_r_peaks, remove_ecg
    from somnomotor.signal.filters import bandpass
    from somnomotor.simulate import simulate_night, write_night
    from somnomotor.store import Store, file_night

    night = simulate_night("polio_mixed", hours=DOC_NIGHT_MIN / 60.0, seed=1)
    write_night(night, root / "night.edf")
    rec = somnomotor.read(root / "night.edf")
    result = somnomotor.analyze(rec)
    hyp = result.hypnogram
    scored = scorings_from_recording(rec).events
    # files the examples name, beside the night
    shutil.copy(root / "night.edf", root / "night3.edf")
    for sub in ("edfs", "annotations-events-nsrr"):  # the NSRR layout of a cohort
        (root / "cohort" / sub).mkdir(parents=True)
    shutil.copy(root / "night.edf", root / "cohort" / "edfs" / "shhs1-200001.edf")
    write_nsrr_xml(result.events,
                   root / "cohort" / "annotations-events-nsrr" / "shhs1-200001-nsrr.xml",
                   hypnogram=hyp, duration=rec.duration)
    write_nsrr_xml(result.events, root / "night.xml", hypnogram=hyp, duration=rec.duration)
    stages = "\n".join(f"{i + 1},{s}" for i, s in enumerate(hyp.stages))
    (root / "hypnogram.csv").write_text("epoch,stage\n" + stages + "\n", encoding="utf-8")
    (root / "night.csv").write_text("epoch,stage\n" + stages + "\n", encoding="utf-8")
    lms = result.events[result.events["kind"] == "lm"][["onset", "duration", "side"]]
    lms.to_csv(root / "lms.csv", index=False)
    (root / "montage.toml").write_text('["SCM L"]\nmuscle = "deltoid"\n', encoding="utf-8")
    for name, to in (("io/nox_like_header.edf", "nox.edf"),
                     ("io/events.csv", "events.csv"), ("io/hypnogram_yasa.txt", "hypnogram.txt"),
                     ("io/nsrr_sample.xml", "shhs1-200001-nsrr.xml"),
                     ("io/remlogic_export.txt", "night1-events.txt"),
                     ("labs/night-profusion.xml", "shhs1-200001-profusion.xml"),
                     ("labs/nox/noxturnal_en_utf8.csv", "noxturnal-events.csv")):
        shutil.copy(_TEST_DATA / name, root / to)
    (root / "exports").mkdir()
    shutil.copytree(_TEST_DATA / "labs" / "domino_night", root / "exports" / "night1")
    shutil.copy(_TEST_DATA / "labs" / "domino_night" / "Sleep profile - demo.txt",
                root / "Sleep profile - 0001.txt")
    write_outputs(result, root / "results" / "night1", recording=rec)
    (root / "diary.csv").write_text(
        "date,sleep_quality,alcohol_units,heating_pad\n"
        "2024-03-01,3,0,yes\n2024-03-02,4,2,no\n", encoding="utf-8")
    with Store(root / "clinic.db") as store:
        file_night(store, "P001", "2024-02-28", result)
    # signals for the signal-level examples
    ecg = rec.read("ECG II")
    fs = rec.channel("ECG II").fs
    peaks = detect_r_peaks(ecg, fs)
    bandpassed_intercostal, _ = bandpass(rec.read("Intercostal R"),
                                         rec.channel("Intercostal R").fs)
    clean = remove_ecg(bandpassed_intercostal, rec.channel("Intercostal R").fs, peaks)
    channels = detect_channels(rec, AnalysisParams.defaults(), peaks, legs=False).muscles
    bursts = pd.concat([c.bursts for c in channels], ignore_index=True)
    bursts["stage"] = hyp.stage_at(bursts["onset"].to_numpy(float))
    return {"somnomotor": somnomotor, "np": np, "pd": pd, "Path": Path, "rec": rec,
            "result": result, "hyp": hyp, "scored": scored, "ecg": ecg, "peaks": peaks,
            "bandpassed_intercostal": bandpassed_intercostal, "clean": clean,
            "x": rec.read("LAT"), "channels": channels, "bursts": bursts}


@pytest.fixture(scope="session")
def _doc_night(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    root = tmp_path_factory.mktemp("doc-night")
    return root, _doc_folder(root)


@pytest.fixture(autouse=True)
def _doctest_night(request: pytest.FixtureRequest, doctest_namespace: dict[str, Any],
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Binds the night's names for a doctest and runs it in the night's folder (only
    doctests: the test modules build their own data)."""
    if not isinstance(request.node, pytest.DoctestItem):
        return
    root, names = request.getfixturevalue("_doc_night")
    doctest_namespace.update(names)
    monkeypatch.chdir(root)
