"""The night report: every figure equals summary.json, robust to empty nights, self-contained."""

from __future__ import annotations

import base64
import json
import re

import pandas as pd
import pytest

from somnomotor.report import render_report, write_report
from somnomotor.report.context import (
    build_context,
    format_number,
    quality_table,
    summary_keys_shown,
)

from ._builders import empty_result, make_result
from ._html import expected_text, lookup, parse_report, shown

#: The summary keys interfaces.md promises; each must be on the page.
PROMISED = ["tib_h", "tst_h", "sleep_efficiency", "sol_min", "waso_min", "lm_count", "clm_count",
            "plm_count", "plms_count", "plmw_count", "lm_index", "plm_index", "plms_index",
            "plmw_index", "plms_arousal_index", "periodicity_index", "plm_series_count",
            "plms_index_by_stage.N1", "plms_index_by_stage.N2", "plms_index_by_stage.N3",
            "plms_index_by_stage.R", "myoclonus_index", "grm_episode_count",
            "hypnic_jerk_count", "fragmentary_myoclonus_minutes", "rem_atonia_index",
            "sinbar_any_percent", "rem_tonic_percent", "rem_phasic_percent",
            "morning_tonic_seconds", "plms_arousal_count", "plms_index_incl_resp"]


def test_every_displayed_summary_figure_equals_summary_json(night):
    result, rec = night
    summary = json.loads(json.dumps(result.summary))  # exactly what summary.json holds
    page = parse_report(render_report(result, recording=rec))
    assert len(page.cells) > 60
    for c in page.cells:
        value = lookup(summary, c["key"])
        assert c["value"] == value, c["key"]
        assert shown(c["text"], value) == expected_text(value, c["scale"], c["digits"]), c["key"]


def test_every_promised_summary_key_is_shown_in_the_main_tables(night):
    result, rec = night
    displayed = set(summary_keys_shown(build_context(result, rec)))
    assert set(PROMISED) <= displayed


def test_sleep_efficiency_shown_as_percent_of_the_fraction(night):
    result, rec = night
    page = parse_report(render_report(result, recording=rec))
    se = [c for c in page.cells if c["key"] == "sleep_efficiency"][0]
    assert se["text"] == "81.2 %"


def test_report_is_self_contained_no_external_resources(night, tmp_path):
    result, rec = night
    path = tmp_path / "report.html"
    write_report(result, path, recording=rec)
    html = path.read_text(encoding="utf-8")
    page = parse_report(html)
    for tag, attrs in page.tags:
        assert tag not in ("script", "link", "iframe", "object")
        for name in ("src", "href"):
            v = attrs.get(name)
            if v is not None:
                assert v.startswith(("data:image/svg+xml;base64,", "#")), (tag, v[:40])
    assert not re.search(r"url\((?!#)", html)
    assert "@import" not in html


def _svg(uri: str):
    import xml.etree.ElementTree as ET

    assert uri.startswith("data:image/svg+xml;base64,")
    return ET.fromstring(base64.b64decode(uri.split(",", 1)[1]))


def test_figures_are_real_self_contained_svgs(night):
    result, rec = night
    ctx = build_context(result, rec)
    ns = "{http://www.w3.org/2000/svg}"
    for name in ("hypnogram", "plm_timeline", "imi", "raster", "snippets"):
        uri = ctx["figures"][name]
        assert uri is not None, name
        root = _svg(uri)
        assert root.tag == f"{ns}svg" and float(root.get("width")) >= 1000, name
        paths = root.findall(f".//{ns}path")
        assert len(paths) >= 5, name
        # no external references: every url() points into the document itself
        text = base64.b64decode(uri.split(",", 1)[1]).decode("utf-8")
        assert not re.search(r"(href|src)=", text) and not re.search(r"url\((?!#)", text), name


def test_figure_colours_are_the_kind_registrys(night):
    from somnomotor import kinds

    result, rec = night
    raster = _svg(build_context(result, rec)["figures"]["raster"])
    ns = "{http://www.w3.org/2000/svg}"
    drawn = {p.get("stroke") for p in raster.iter(f"{ns}path")} | \
        {p.get("fill") for p in raster.iter(f"{ns}path")} | \
        {r.get("fill") for r in raster.iter(f"{ns}rect")}
    present = set(result.events["kind"])
    assert present
    for kind in present:
        assert kinds.get(kind).colour in drawn, kind
    labels = {t.text for t in raster.iter(f"{ns}text")}
    assert {kinds.get(k).label for k in present} <= labels


def test_snippet_traces_are_reduced_to_display_columns_keeping_their_extremes():
    import numpy as np

    from somnomotor.report.figures import SNIPPET_COLUMNS, decimate_for_display

    rng = np.random.default_rng(0)
    t = np.arange(60 * 512) / 512.0
    x = rng.normal(0, 5, len(t))
    x[12345] = 400.0
    td, xd = decimate_for_display(t, x)
    assert len(td) <= 4 * SNIPPET_COLUMNS + 2
    assert xd.max() == 400.0 and xd.min() == x.min()
    assert td[0] >= t[0] and td[-1] <= t[-1] and np.all(np.diff(td) >= 0)


def test_sections_and_the_clinician_statement_are_present(night):
    result, rec = night
    page = parse_report(render_report(result, recording=rec))
    assert {"header", "sleep", "legs", "muscles", "rem", "quality", "statement",
            "fig-hypnogram", "fig-imi", "fig-plm-timeline", "fig-raster",
            "fig-snippets", "parameters-digest"} <= page.ids
    html = render_report(result, recording=rec)
    assert "not advice" in html and "interpreted by a clinician" in html
    assert "0123456789ab" in html


def test_snippets_are_skipped_cleanly_without_the_recording(night):
    result, _ = night
    html = render_report(result)
    page = parse_report(html)
    assert "fig-snippets" not in page.ids and "no-snippets" in page.ids
    assert "need the recording" in html


def test_snippet_thresholds_sit_above_the_resting_level_by_the_wasm_margins(night):
    """WASM 2016: LM onset 8 µV, offset 2 µV above the resting level."""
    from somnomotor.report.context import build_snippets

    result, rec = night
    snippets = build_snippets(result, rec)
    leg = [s for s in snippets if s.title.startswith("Periodic leg movement")][0]
    assert leg.resting_uv == pytest.approx(2.1)
    assert leg.onset_threshold_uv == pytest.approx(2.1 + 8.0)
    assert leg.offset_threshold_uv == pytest.approx(2.1 + 2.0)
    assert all(len(s.raw) == len(s.times) == len(s.envelope) for s in snippets)


def test_an_example_of_every_kind_found_each_drawn_whole(night):
    """Issue 13: an example trace for every kind found, not only three; the trace
    covers the whole event (it once stopped at +16 s under a 143-s event)."""
    from somnomotor.kinds import get
    from somnomotor.report.context import SNIPPET_PAD_S, build_snippets

    result, rec = night
    snippets = build_snippets(result, rec)
    on_channel = {k for k in set(result.events["kind"])
                  if ((result.events["kind"] == k) & ((result.events["channel"] != "")
                      | (result.events["muscle"] != ""))).any() or get(k).leg}
    titles = {s.title.split(" · ")[0] for s in snippets}
    assert titles == {get(k).label for k in on_channel}
    for s in snippets:
        end = min(rec.duration, s.onset + s.duration + SNIPPET_PAD_S)
        assert s.times[-1] >= end - 0.05, s.title


def test_snippet_thresholds_follow_the_noise_adaptive_parameters(night):
    """Issue 13: with noise-adaptive thresholds the lines are the detector's
    (rest 12 µV: onset 12 + max(8, 1.0 × 12) = 24, offset 12 + max(2, 0.4 × 12) = 16.8),
    not the fixed WASM margins (20 / 14)."""
    from somnomotor.report.context import _thresholds

    summary = {"provenance": {"parameters": {"leg_detection": {
        "onset_threshold_uv": 8.0, "offset_threshold_uv": 2.0, "noise_adaptive": True,
        "noise_onset_factor": 1.0, "noise_offset_factor": 0.4}}}}
    assert _thresholds(summary, True, 12.0) == pytest.approx((24.0, 16.8))
    summary["provenance"]["parameters"]["leg_detection"]["noise_adaptive"] = False
    assert _thresholds(summary, True, 12.0) == pytest.approx((20.0, 14.0))


def test_empty_night_renders_with_dashes_and_none_found(tmp_path):
    result = empty_result()
    path = tmp_path / "report.html"
    write_report(result, path)
    html = path.read_text(encoding="utf-8")
    page = parse_report(html)
    assert "staging-warning" in page.ids
    assert "No sleep stages" in html
    assert "none found" in html
    tst = [c for c in page.cells if c["key"] == "tst_h"][0]
    assert tst["text"] == "—"
    missing = [c for c in page.cells if c["key"] == "plms_index_by_stage.N2"][0]
    assert missing["text"] == "—" and missing["value"] is None


def test_automatic_staging_shows_a_visible_warning():
    result, rec = make_result(0.5, source="automatic:yasa")
    html = render_report(result, recording=rec)
    assert 'id="staging-warning"' in html and "scored automatically" in html


def test_scored_hypnogram_shows_no_staging_warning(night):
    result, rec = night
    assert 'id="staging-warning"' not in render_report(result, recording=rec)


def test_report_carries_no_name_unless_asked():
    result, rec = make_result(0.5)
    rec.header = {"patient": "MCH-0234567 F 02-MAY-1951 Haagse_Harry",
                  "recording": "Startdate 02-MAR-2002 PSG-1234/2002 NN Telemetry03"}
    assert "Haagse_Harry" not in render_report(result, recording=rec)
    assert "MCH-0234567" not in render_report(result, recording=rec)
    assert "Haagse_Harry" in render_report(result, recording=rec, include_identity=True)


def test_high_resting_level_is_flagged_in_the_quality_table(night):
    result, rec = night
    html = render_report(result, recording=rec)
    assert "resting level above 16 µV" in html
    ctx = build_context(result, rec)
    flagged = [r.label for r in ctx["quality_rows"] if r.flag]
    assert flagged == ["Paraspinal (paraspinal)"]
    assert ctx["excluded_min"].value == pytest.approx(5 * 30.0 / 60.0)


def test_every_quality_column_names_its_unit(night):
    # A physician reading "residual ECG 0.59" could not tell µV from a ratio; each
    # figure of the signal-quality table says what it is in (µV, Hz, s).
    result, rec = night
    cols = build_context(result, rec)["quality_columns"]
    assert "residual ECG (µV, beat-locked RMS)" in cols
    assert all(c.endswith(")") and "(" in c for c in cols), cols


def test_failed_render_leaves_the_previous_report_untouched(night, tmp_path, monkeypatch):
    result, rec = night
    path = tmp_path / "report.html"
    path.write_text("previous", encoding="utf-8")
    import somnomotor.report as report

    def boom(*a, **k):
        raise RuntimeError("render failed")

    monkeypatch.setattr(report, "render_report", boom)
    with pytest.raises(RuntimeError):
        report.write_report(result, path, recording=rec)
    assert path.read_text(encoding="utf-8") == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_format_number_rounds_and_dashes():
    assert format_number(0.8123, 1, 100.0) == "81.2"
    assert format_number(float("nan")) == "—"
    assert format_number(None) == "—"
    assert format_number(7) == "7"


def test_imi_histogram_details_in_left_edges_form_are_accepted(night):
    """WASM 2016 IMI histogram: 2-s bins 0–90 s, as the legs scorer may store it."""
    import numpy as np

    from somnomotor.report.context import imi_histograms

    result, _ = night
    counts = np.zeros(45)
    counts[5] = 7
    result.details = {"legs": {"imi_hist": {"edges": list(np.arange(0, 90, 2.0)),
                                            "counts": counts.tolist()}}}
    lin, ln, source = imi_histograms(result)
    assert source == "from the leg-movement scorer" and ln is None
    assert len(lin.edges) == 46 and lin.edges[-1] == 90.0 and lin.counts[5] == 7


def test_figures_escape_text_from_files_and_survive_empty_input():
    """Channel labels come from the recording's header: any text must stay text."""
    from somnomotor.events import make_events
    from somnomotor.hypnogram import Hypnogram
    from somnomotor.report import figures as F

    ns = "{http://www.w3.org/2000/svg}"
    ev = make_events([{"onset": 10.0, "duration": 1.0, "kind": "myoclonus", "muscle": "fds",
                       "side": "left", "channel": "<b>&"}])
    raster = _svg(F.figure_muscle_raster(ev, 3600.0, [('<script>"x"&</script>', "fds", "left")]))
    assert '<script>"x"&</script>' in {t.text for t in raster.iter(f"{ns}text")}
    empty = make_events([])
    for uri in (F.figure_hypnogram(Hypnogram.from_labels([], source="none"), 0.0),
                F.figure_plm_timeline(empty, 0.0), F.figure_imi_histograms(None, None),
                F.figure_muscle_raster(empty, 0.0, [])):
        texts = {t.text for t in _svg(uri).iter(f"{ns}text")}
        assert texts & {"no hypnogram", "no leg movements found", "no intermovement intervals",
                        "patterns (all muscles)"}


def test_without_stages_every_index_label_says_per_hour_of_recording(analysed):
    """Issue 13: a run without stages printed "per hour of recording" in the banner but
    "/h sleep" in the tables; the tables now say what the run divided by."""
    from dataclasses import replace

    from somnomotor.hypnogram import Hypnogram
    from somnomotor.report import render_report

    result, _ = analysed
    summary = dict(result.summary, index_basis="recording")
    unstaged = replace(result, summary=summary,
                       hypnogram=Hypnogram.unscored(result.recording_duration or 1800.0))
    html = render_report(unstaged)
    assert "/h sleep" not in html
    assert "PLMS index (/h recording)" in html and "LM index (/h recording)" in html
    assert "Hours of recording under the indices" in html


def test_per_channel_figures_are_each_channels_own(analysed):
    """Issue 12 item 7 / issue 13: the per-channel table once repeated a combined
    figure in each row (LAT and RAT both 35.2); each row now counts its own events."""
    from somnomotor.report.context import build_context

    result, _ = analysed
    ctx = build_context(result)
    heads = ctx["muscle_headings"]
    rows = {r.label: r for r in ctx["muscle_rows"]}
    ev = result.events
    col = heads.index("Leg movement") - 1
    for ch in ("LAT", "RAT"):
        own = int(((ev["channel"] == ch) & (ev["kind"] == "lm")).sum())
        assert rows[ch].cells[col].value == own
    # the LM counts per channel add up to the summary's LM count
    assert sum(rows[ch].cells[col].value for ch in ("LAT", "RAT")) == result.summary["lm_count"]


def test_an_event_over_several_channels_counts_in_each(analysed):
    """Issue 13: the per-channel table showed 0 hypnic jerks for every channel while the
    patterns section counted them; an event naming its channels counts in each."""
    from dataclasses import replace

    from somnomotor.report.context import muscle_headings, muscle_rows

    result, _ = analysed
    ev = result.events.copy()
    ev["channels"] = ""  # the column the patterns scorer adds (issue 12)
    jerk = {"onset": 100.0, "duration": 0.2, "kind": "hypnic_jerk", "channel": "",
            "muscle": "", "side": "", "stage": "N1", "amplitude_uv": 50.0, "series": None,
            "arousal": False, "respiratory": False, "channels": "LAT;Deltoid L"}
    ev = pd.concat([ev, pd.DataFrame([jerk])], ignore_index=True)
    night = replace(result, events=ev)
    col = muscle_headings(night).index("hypnic jerks") - 1
    rows = {r.label: r for r in muscle_rows(night)}
    n_before = int(((result.events["kind"] == "hypnic_jerk")
                    & (result.events["channel"] == "LAT")).sum())
    assert rows["LAT"].cells[col].value == n_before + 1
    assert rows["Deltoid L"].cells[col].value >= 1
    assert rows["RAT"].cells[col].value == int(
        ((result.events["kind"] == "hypnic_jerk") & (result.events["channel"] == "RAT")).sum())


def test_waso_and_the_plmw_denominator_say_which_wake_they_count(night):
    """WASO runs to the end of the recording; the PLMW index divides by the wake
    within the sleep period (to the last sleep epoch). Each label says which."""
    result, rec = night
    result.summary["waso_spt_min"] = 7.0  # the night's waso_min is 11.5: they differ
    context = build_context(result, rec)
    sleep = {r.label: r for r in context["sleep_rows"]}
    assert sleep["Wake after sleep onset (WASO)"].note == \
        "from sleep onset to the end of the recording"
    cell = sleep["Wake within the sleep period"].cells[0]
    assert (cell.text, cell.unit) == ("7.0", "min")
    plmw = [r for r in context["denominator_rows"]
            if r.label == "Wake after sleep onset under the PLMW index"][0]
    assert "to the last sleep epoch" in plmw.note
    assert "end of the recording" not in plmw.note.split(";")[0]


def test_neck_myoclonus_rows_say_whole_night_and_in_rem(night):
    """The count is over the night, the index over REM only (Frauscher 2014): a night
    whose neck jerks all fall outside REM must not read as a contradiction."""
    result, rec = night
    result.summary.update({"neck_myoclonus_count": 44, "neck_myoclonus_index_rem": 0.0})
    rows = {r.label: r for r in build_context(result, rec)["pattern_rows"]}
    assert rows["Neck myoclonus (brief neck bursts, whole night)"].cells[0].text == "44"
    assert rows["Neck myoclonus in REM"].cells[0].unit == "/h REM"


def test_fragmentary_myoclonus_rows_show_the_potentials_and_the_aasm_minutes_apart(night):
    """AASM v2.6: fragmentary myoclonus potentials are ≤ 150 ms; *excessive* FM needs
    ≥ 20 min of NREM with ≥ 5 a minute.  A night with potentials below that reads
    them as found, and the excessive-FM minutes as 0, not "fragmentary myoclonus
    0.0 min — none found" (the demo night: 31/h)."""
    result, rec = night
    result.summary.update({"fragmentary_index": 31.1, "fragmentary_myoclonus_minutes": 0.0})
    rows = {r.label: r for r in build_context(result, rec)["pattern_rows"]}
    fm = rows["Fragmentary myoclonus potentials (≤ 150 ms, AASM)"]
    assert (fm.cells[0].text, fm.cells[0].unit, fm.note) == ("31.1", "/h sleep", "found")
    efm = rows["Excessive fragmentary myoclonus (AASM: ≥ 20 min of NREM with ≥ 5 potentials "
               "a minute)"]
    assert (efm.cells[0].text, efm.cells[0].unit, efm.note) == ("0.0", "min", "none found")


def test_healthy_yardsticks_compare_the_nights_own_figures_with_units(night):
    """The fragmentary myoclonus yardstick (Frauscher 2014: potentials per hour of sleep)
    compared a summary key no night has, so it was never shown; it now reads the
    night's ``fragmentary_index``, and every figure beside a yardstick has its unit."""
    from somnomotor.score.yardsticks import healthy_comparison

    result, rec = night
    result.summary.update(fragmentary_index=150.04, neck_myoclonus_index_rem=0.0,
                          rem_phasic_percent=14.75)
    result.summary.update(healthy_comparison(result.summary))
    assert result.summary["above_healthy_p90"]["fragmentary_myoclonus_index"] is True
    rows = {r.label: r for r in build_context(result, rec)["healthy_rows"]}
    frag = rows["Fragmentary myoclonus (potentials)"]
    assert (frag.cells[0].key, frag.cells[0].text, frag.cells[0].unit) == \
        ("fragmentary_index", "150.0", "/h sleep")
    assert frag.flag and "143.7 /h sleep" in frag.note
    assert rows["Neck myoclonus"].cells[0].unit == "/h REM"
    assert rows["Phasic mentalis activity (AASM 30-s epochs)"].cells[0].unit == "%"


def test_per_channel_clm_counts_are_one_legs_and_the_note_says_so(analysed):
    """The note under the per-channel table said CLMs and PLMs name no channel while
    the table counted some under LAT and RAT: those of one leg name their channel,
    those of both legs none; the note now says which, and the counts agree with it."""
    from somnomotor.report import render_report

    result, _ = analysed
    ev = result.events
    clm = ev[ev["kind"] == "clm"]
    one_leg = clm[clm["channel"] != ""]
    assert set(one_leg["channel"]) <= {"LAT", "RAT"}
    ctx = build_context(result)
    heads = ctx["muscle_headings"]
    rows = {r.label: r for r in ctx["muscle_rows"]}
    col = heads.index("Candidate leg movement") - 1
    assert sum(rows[c].cells[col].value for c in ("LAT", "RAT")) == len(one_leg)
    html = render_report(result)
    assert "one of both legs names no channel and is counted only under Leg movements" in html
    assert "events naming no channel (PLM, CLM)" not in html


def test_indices_by_stage_show_wake_where_an_index_gives_it(night):
    """The contraction index is given for wake too (summary key W) but the by-stage
    table had no wake column; it has one now, blank for indices without wake."""
    result, rec = night
    result.summary["contraction_index_by_stage"] = {"W": 72.79, "N1": 202.5, "N2": 95.55,
                                                   "N3": 52.71, "R": 50.3}
    ctx = build_context(result, rec)
    assert ctx["stage_table_heads"] == ["index", "W", "N1", "N2", "N3", "REM"]
    rows = {r.label: r for r in ctx["stage_table_rows"]}
    assert [c.text for c in rows["contraction index (/h of the stage)"].cells] == \
        ["72.8", "202.5", "95.5", "52.7", "50.3"]
    plms = rows["PLMS index (/h of the stage)"].cells
    assert (plms[0].key, plms[0].text) == ("", "")
    assert plms[1].key == "plms_index_by_stage.N1"


def test_signal_quality_says_why_a_leg_channel_s_two_resting_levels_differ(analysed):
    """A leg channel has a leg-detector and a burst-detector row in the signal-quality
    table, with one ECG residual but two resting levels (1.6 and 1.4 µV on the demo):
    the caption says why."""
    from somnomotor.report import render_report

    result, _ = analysed
    _cols, rows, _excluded = quality_table(result)
    names = [r.label for r in rows]
    assert any(n.endswith("— leg detector") for n in names)
    assert any(n.endswith("— burst detector") for n in names)
    html = render_report(result)
    assert "A leg channel has a row per detector" in html
    assert "each detector's own resting level" in html
