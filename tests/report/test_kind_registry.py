"""The event-kind registry: each kind declared once, and read by report, exports, web and batch.

The central test registers a kind that no other file knows (``palatal_tremor``)
and finds it in the report's tables and figures, every export (and read back),
the review application's kind list and colours, and batch.csv's columns.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from somnomotor import kinds as K
from somnomotor.events import EVENT_KINDS, make_events

from ._builders import make_result
from ._html import parse_report

#: The kinds interfaces.md promises for events.csv (a promise: never fewer).
PROMISED_KINDS = ("contraction", "lm", "clm", "plm", "myoclonus", "grm", "hypnic_jerk",
                  "fragmentary_myoclonus", "propriospinal_myoclonus", "alma",
                  "hypnagogic_foot_tremor", "bruxism", "rhythmic_movement", "large_movement",
                  "rem_tonic", "rem_phasic", "morning_tonic", "neck_myoclonus")
#: The kinds a detector produces today (a kind without one is marked ``detector=None``).
PRODUCED_TODAY = ("lm", "clm", "plm", "myoclonus", "grm", "hypnic_jerk",
                  "fragmentary_myoclonus", "propriospinal_myoclonus", "rem_tonic", "rem_phasic",
                  "morning_tonic", "contraction", "alma", "hypnagogic_foot_tremor", "bruxism",
                  "rhythmic_movement", "large_movement", "neck_myoclonus")

NEW = K.EventKind(
    "palatal_tremor", "Palatal tremor", "#123456", "Palatal tremor",
    "rhythmic palatal muscle jerks (test kind)", "tests.fake_detector",
    summary_keys=("palatal_tremor_count",),
    headlines=(K.Headline("palatal_tremor_count", "palatal tremor", 0, review=True),),
    report_rows=(K.ReportRow("patterns", "Palatal tremor episodes", "palatal_tremor_count", 0),),
    per_muscle=("palatal tremor", "count"), match_on=("muscle",))


@pytest.fixture
def new_kind() -> Iterator[K.EventKind]:
    """The registry with :data:`NEW` added for one test."""
    K.register(NEW)
    try:
        yield NEW
    finally:
        K.unregister(NEW.name)


def test_every_promised_kind_is_declared_once_in_the_documented_order():
    names = K.names()
    assert len(names) == len(set(names))
    assert set(PROMISED_KINDS) == set(names)
    assert EVENT_KINDS == names
    assert K.produced() == PRODUCED_TODAY
    assert K.leg_kinds() == {"lm", "clm", "plm", "alma"}


def test_one_palette_distinct_colours():
    colours = K.colours()
    assert set(colours) == set(K.names())
    assert all(re.fullmatch(r"#[0-9A-Fa-f]{6}", c) for c in colours.values())
    assert len(set(colours.values())) == len(colours)


def test_a_kind_is_registered_once_and_builtin_kinds_stay():
    with pytest.raises(ValueError, match="already registered"):
        K.register(K.get("lm"))
    with pytest.raises(ValueError, match="built-in"):
        K.unregister("lm")
    with pytest.raises(ValueError, match="colour"):
        replace(K.get("lm"), colour="red")


def test_report_rows_keep_the_standard_leg_table_order():
    keys = [r.key for r in K.report_rows("legs")]
    assert keys == ["lm_count", "clm_count", "clm_respiratory_count", "plm_count", "plms_count",
                    "plmw_count", "plms_arousal_count", "plm_series_count", "lm_index",
                    "plm_index", "plms_index", "plmw_index", "plms_arousal_index",
                    "periodicity_index"]


def test_batch_and_the_review_list_show_the_registry_headlines():
    from somnomotor.batch import runner
    from somnomotor.web import data

    keys = K.headline_keys()
    assert keys[:2] == ("tst_h", "sleep_efficiency")
    assert runner.BATCH_FIGURES == data.LIST_FIGURES == keys
    assert {"plms_index", "plmw_index", "myoclonus_index", "rem_atonia_index"} <= set(keys)


def test_without_a_registered_kind_events_are_refused(new_kind):
    rows = [{"onset": 1.0, "duration": 2.0, "kind": "palatal_tremor"}]
    assert list(make_events(rows)["kind"]) == ["palatal_tremor"]
    K.unregister(new_kind.name)
    with pytest.raises(ValueError, match="somnomotor.kinds"):
        make_events(rows)
    K.register(new_kind)  # the fixture removes it again


# ---------------------------------------------------------------- a new kind everywhere
def _night_with_new_kind():
    result, rec = make_result(0.5, seed=3)
    extra = pd.DataFrame([{"onset": 600.0 + 40 * i, "duration": 8.0, "kind": "palatal_tremor",
                           "channel": "Chin1-Chin2", "muscle": "mentalis", "side": "midline",
                           "stage": "N2"} for i in range(3)])
    events = make_events(pd.concat([result.events, extra], ignore_index=True))
    summary = dict(result.summary, palatal_tremor_count=3)
    return replace(result, events=events, summary=summary), rec


@pytest.fixture
def night_with_new_kind(new_kind):
    return _night_with_new_kind()


def test_a_new_kind_appears_in_the_report_tables(night_with_new_kind):
    from somnomotor.report import render_report
    from somnomotor.report.context import build_context

    result, rec = night_with_new_kind
    ctx = build_context(result, rec)
    row = [r for r in ctx["pattern_rows"] if r.label == "Palatal tremor episodes"][0]
    assert row.cells[0].key == "palatal_tremor_count" and row.cells[0].value == 3
    assert row.note == "found"
    assert "palatal tremor" in ctx["muscle_headings"]
    col = ctx["muscle_headings"].index("palatal tremor") - 1  # the label is no cell
    chin = [r for r in ctx["muscle_rows"] if r.label == "Chin1-Chin2"][0]
    assert chin.cells[col].value == 3
    page = parse_report(render_report(result, recording=rec))
    shown = {c["key"]: c["text"] for c in page.cells}
    assert shown["palatal_tremor_count"] == "3"
    # the raster draws it in its registry colour, with its registry label in the legend
    raster = base64.b64decode(ctx["figures"]["raster"].split(",", 1)[1]).decode("utf-8")
    assert 'stroke="#123456"' in raster and ">Palatal tremor</text>" in raster


def test_a_new_kind_goes_into_every_export_and_reads_back(night_with_new_kind, tmp_path):
    from somnomotor.export import write_bids, write_luna_annot, write_nsrr_xml, write_scored_edf
    from somnomotor.export._vocab import parse_event_text
    from somnomotor.export.nsrr_xml import parse_event_concept
    from somnomotor.io import read_scorings

    result, rec = night_with_new_kind
    ev = result.events
    n_new = int((ev["kind"] == "palatal_tremor").sum())
    write_scored_edf(ev, tmp_path / "s.edf", start=dt.datetime(2024, 1, 1, 22, 0),
                     duration=rec.duration, hypnogram=result.hypnogram)
    write_nsrr_xml(ev, tmp_path / "s.xml", hypnogram=result.hypnogram, duration=rec.duration)
    write_luna_annot(ev, tmp_path / "s.annot")
    paths = write_bids(ev, tmp_path / "bids", subject="01", channels=result.channels)

    import edfio

    texts = [a.text for a in edfio.read_edf(tmp_path / "s.edf").annotations]
    assert texts.count("Palatal tremor mentalis midline") == n_new
    assert parse_event_text("Palatal tremor mentalis midline") == ("palatal_tremor", "mentalis",
                                                                  "midline")
    xml = (tmp_path / "s.xml").read_text(encoding="utf-8")
    concept = "palatal_tremor|Palatal tremor mentalis midline"
    assert xml.count(f"<EventConcept>{concept}</EventConcept>") == n_new
    assert parse_event_concept(concept) == ("palatal_tremor", "mentalis", "midline")
    annot = (tmp_path / "s.annot").read_text(encoding="utf-8")
    assert "# palatal_tremor | Palatal tremor (somnomotor) |" in annot
    assert sum(line.startswith("palatal_tremor\t") for line in annot.splitlines()) == n_new
    tsv = pd.read_csv(paths["events"], sep="\t")
    assert (tsv["trial_type"] == "Palatal tremor mentalis midline").sum() == n_new
    sidecar = json.loads(paths["events_json"].read_text(encoding="utf-8"))
    assert sidecar["kind"]["Levels"]["palatal_tremor"] == NEW.description
    # our own readers still read every event of both files back
    for name in ("s.edf", "s.xml"):
        assert len(read_scorings(tmp_path / name).events) == len(ev)


def test_a_new_kind_is_served_to_the_review_page_with_its_colour(new_kind, tmp_path):
    from fastapi.testclient import TestClient

    from somnomotor.web import create_app

    c = TestClient(create_app(tmp_path), base_url="http://127.0.0.1")
    served = {k["name"]: k for k in c.get("/api/kinds").json()["kinds"]}
    assert served["palatal_tremor"]["colour"] == "#123456"
    assert served["palatal_tremor"]["headlines"][0]["key"] == "palatal_tremor_count"
    assert {n: k["colour"] for n, k in served.items()} == K.colours()
    assert "palatal_tremor" in c.get("/api/nights").json()["kinds"]
    assert "palatal_tremor_count" in K.headline_keys()


def test_the_review_page_has_no_palette_or_kind_list_of_its_own():
    js = (Path(K.__file__).parent / "web" / "static" / "app.js").read_text(encoding="utf-8")
    for name, colour in K.colours().items():
        assert colour.lower() not in js.lower(), (name, colour)
    for name in K.produced():
        assert f'"{name}"' not in js and f"{name}:" not in js, name


def test_evaluation_matches_a_new_kind_on_its_registry_columns(new_kind):
    from somnomotor.evaluate import evaluate

    truth = pd.DataFrame({"onset": [10.0], "duration": [5.0], "kind": ["palatal_tremor"],
                          "muscle": ["mentalis"]})
    other = truth.assign(muscle="masseter")
    assert evaluate(truth, truth)["kinds"]["palatal_tremor"]["tp"] == 1
    assert evaluate(truth, other)["kinds"]["palatal_tremor"]["tp"] == 0
    assert np.isfinite(evaluate(truth, truth)["kinds"]["palatal_tremor"]["recall"])


def test_declared_summary_keys_are_in_the_summary_of_an_analysis(analysed):
    """Each produced kind's documented summary keys are written (present even when zero)."""
    result, paths = analysed
    summary = json.loads(paths["summary.json"].read_text(encoding="utf-8"))
    for k in K.all_kinds():
        if k.produced:
            missing = [key for key in k.summary_keys if key not in summary]
            assert not missing, (k.name, missing)
        for row in k.report_rows:
            assert row.key in summary or not row.always, (k.name, row.key)
    assert set(K.headline_keys()) <= set(summary)
