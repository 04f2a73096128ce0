"""The report reads what the real scorers write (details and quality shapes)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import somnomotor.score.legs as legs
from somnomotor.events import concat_events, empty_scored
from somnomotor.hypnogram import Hypnogram
from somnomotor.report import render_report
from somnomotor.report.context import build_context, imi_counts, imi_histograms
from somnomotor.result import NightResult


@pytest.fixture(scope="module")
def scored_night():
    """Leg movements every 20 s in N2 scored by the real WASM 2016 scorer."""
    hyp = Hypnogram.from_labels(["W"] * 4 + ["N2"] * 100 + ["W"] * 6, source="file:h.csv")
    onsets = np.arange(300.0, 2700.0, 20.0)
    lms = pd.DataFrame({"onset": onsets, "duration": 1.2, "side": "left", "channel": "LAT",
                        "amplitude_uv": 25.0})
    res = legs.score_leg_movements(lms, hypnogram=hyp, scored_events=empty_scored(),
                                   recording_duration=hyp.end, params=legs.LegParams())
    summary = dict(res.summary)
    summary["provenance"] = {"hypnogram_source": "file:h.csv"}
    quality = pd.DataFrame([{"channel": "Chin1-Chin2", "muscle": "mentalis", "side": "midline",
                             "resting_level_uv": 3.2, "mains_hz": 50.0, "flagged_s": 0.0,
                             "excluded_s": 60.0, "notes": ""}])
    return NightResult(events=concat_events([res.events]), summary=summary, hypnogram=hyp,
                       quality=quality, details={"legs": res.details},
                       recording_duration=hyp.end)


def test_imi_histogram_from_the_legs_scorer_is_drawn_from_its_details(scored_night):
    """WASM 2016: IMI histogram in 2-s bins 0–90 s and ln(IMI) in 0.1 bins."""
    lin, ln, source = imi_histograms(scored_night)
    assert source == "from the leg-movement scorer"
    assert lin.edges[0] == 0 and lin.edges[-1] == 90 and len(lin.counts) == 45
    assert lin.counts[10] == lin.counts.sum() > 100          # every IMI is 20 s: bin 20–22 s
    assert ln.counts.sum() == lin.counts.sum()
    counts = dict((k, c.value) for k, c in imi_counts(scored_night))
    assert counts["IMI 10–90 s"] == lin.counts.sum() and counts["IMI < 10 s"] == 0


def test_series_lengths_and_plm_figures_come_from_the_scorer(scored_night):
    ctx = build_context(scored_night)
    assert ctx["series_lengths"] == scored_night.details["legs"]["series_lengths"]
    plms = [c for r in ctx["legs_rows"] for c in r.cells if c.key == "plms_index"][0]
    assert plms.value == scored_night.summary["plms_index"] and plms.value > 0


def test_quality_tables_keyed_by_channel_are_read(scored_night):
    ctx = build_context(scored_night)
    assert [r.label for r in ctx["quality_rows"]] == ["Chin1-Chin2 (mentalis)"]
    assert ctx["excluded_min"].value == pytest.approx(1.0)
    assert "Chin1-Chin2" in render_report(scored_night)
