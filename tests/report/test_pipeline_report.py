"""The report of a real analysis (simulated night → somnomotor.analyze → write_outputs)."""

from __future__ import annotations

import json

from ._html import expected_text, lookup, parse_report, shown


def test_every_number_on_the_page_equals_summary_json(analysed):
    _, paths = analysed
    summary = json.loads(paths["summary.json"].read_text(encoding="utf-8"))
    page = parse_report(paths["report.html"].read_text(encoding="utf-8"))
    assert len(page.cells) > 80
    for c in page.cells:
        value = lookup(summary, c["key"])
        assert c["value"] == value, c["key"]
        assert shown(c["text"], value) == expected_text(value, c["scale"], c["digits"]), c["key"]
    for key in ("plms_index", "plm_series_count", "myoclonus_index", "morning_tonic_seconds"):
        assert key in {c["key"] for c in page.cells}


def test_leg_channels_reported_by_both_detectors_are_told_apart(analysed):
    from somnomotor.report.context import build_context

    result, _ = analysed
    labels = [r.label for r in build_context(result)["quality_rows"]]
    assert len(labels) == len(set(labels))
    assert any(lbl.startswith("LAT") and "leg detector" in lbl for lbl in labels)


def test_exports_of_the_analysis_read_back_by_the_project(analysed):
    from somnomotor.io import read_scorings

    result, paths = analysed
    for name in ("scored.edf", "scored.xml"):
        sc = read_scorings(paths[name])
        # scored.xml also carries on the input scorings (arousals…) NSRR tools expect.
        carried = len(result.scored) if name == "scored.xml" else 0
        assert len(sc.events) == len(result.events) + carried
        if carried:
            assert (sc.events["kind"] == "arousal").sum() == (result.scored["kind"] == "arousal").sum()
        assert list(sc.hypnogram.stages[:len(result.hypnogram)]) == list(result.hypnogram.stages)
