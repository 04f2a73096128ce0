"""The report in headless Chromium (Debian's chromium, driven by Playwright).

Acceptance (issue 6): renders with no console errors and no network requests;
sections and key figures present and equal to summary.json; prints on A4 and
Letter without figures cut across pages.
"""

from __future__ import annotations

import json
import re

import pytest

from somnomotor.report import write_report

from ._html import expected_text, lookup, shown

MM = 96 / 25.4  # CSS px per mm


@pytest.fixture(scope="module", params=["hand-made", "demo-analysis"])
def report(request, tmp_path_factory):
    """A folder with report.html and summary.json: a hand-made night, and the demo
    scenario (polio_mixed, 0.5 h) through the real analysis and write_outputs."""
    if request.param == "demo-analysis":
        _, paths = request.getfixturevalue("analysed")
        return paths["report.html"].parent
    result, rec = request.getfixturevalue("night")
    out = tmp_path_factory.mktemp("report")
    write_report(result, out / "report.html", recording=rec)
    (out / "summary.json").write_text(json.dumps(result.summary, indent=2), encoding="utf-8")
    return out


def test_report_renders_with_no_console_errors_and_no_network(browser, report):
    page = browser.new_page()
    requests, problems = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    url = (report / "report.html").as_uri()
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    assert requests == [url]
    assert problems == []
    # every figure decoded and drawn
    sizes = page.eval_on_selector_all("img", "els => els.map(e => [e.complete, e.naturalWidth])")
    assert len(sizes) == 8 and all(ok and w > 500 for ok, w in sizes)
    page.close()


def test_sections_and_key_figures_equal_summary_json(browser, report):
    summary = json.loads((report / "summary.json").read_text(encoding="utf-8"))
    page = browser.new_page()
    page.goto((report / "report.html").as_uri())
    for sid in ("header", "sleep", "legs", "muscles", "rem", "quality", "statement"):
        assert page.locator(f"#{sid}").is_visible(), sid
    headings = page.locator("h2").all_inner_texts()
    assert headings[:5] == ["Sleep architecture", "Leg movements (WASM 2016 / AASM)",
                            "Every muscle", "REM sleep atonia", "Signal quality"]
    cells = page.eval_on_selector_all(
        "[data-key]", "els => els.map(e => [e.dataset.key, e.dataset.scale, e.dataset.digits,"
                      " e.textContent.trim()])")
    keys = {c[0] for c in cells}
    for key in ("plms_index", "plmw_index", "periodicity_index", "tst_h", "sleep_efficiency",
                "plms_index_by_stage.N2", "myoclonus_index", "rem_atonia_index",
                "morning_tonic_seconds"):
        assert key in keys, key
    for key, scale, digits, text in cells:
        value = lookup(summary, key)
        assert shown(text, value) == expected_text(value, float(scale), int(digits)), key
    assert page.locator("#parameters-digest").inner_text() == \
        summary["provenance"]["parameters_digest"]
    page.close()


@pytest.mark.parametrize("paper, width_mm, height_mm", [("A4", 210, 297), ("Letter", 216, 279)])
def test_prints_without_cut_figures(browser, report, paper, width_mm, height_mm):
    margin_mm = 12  # the template's @page margin (top/bottom 12 mm, sides 11 mm)
    page = browser.new_page(viewport={"width": int((width_mm - 22) * MM), "height": 900})
    page.goto((report / "report.html").as_uri())
    page.emulate_media(media="print")
    boxes = page.eval_on_selector_all(
        "figure:not(.raw-view) img",
        "els => els.map(e => e.getBoundingClientRect()).map(r => [r.width, r.height])")
    printable_h = (height_mm - 2 * margin_mm) * MM
    printable_w = (width_mm - 22) * MM
    for w, h in boxes:
        assert 0 < h < printable_h and w <= printable_w + 1
    avoid = page.eval_on_selector_all(
        "figure", "els => els.map(e => getComputedStyle(e).breakInside)")
    assert set(avoid) == {"avoid"}
    pdf = page.pdf(format=paper, print_background=True)
    assert pdf[:5] == b"%PDF-"
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    assert 2 <= pages <= 12
    page.close()


# ------------------------------------------------- issue 13: every figure from the run
def _row_cells(page, table_label: str) -> list[str]:
    """The texts of the cells of the first table row whose first cell starts with the label."""
    return page.evaluate(
        """label => { for (const tr of document.querySelectorAll('tr')) {
               const td = tr.querySelectorAll('td');
               if (td.length && td[0].textContent.trim().startsWith(label))
                 return Array.from(td).slice(1).map(e => e.textContent.trim()); }
             return null; }""", table_label)


#: JavaScript: a per-channel table's columns as "kind|heading" from its two heading rows.
_HEAD_COLUMNS = """const headColumns = (thead) => {
    const [top, sub] = thead.querySelectorAll('tr');
    const subs = Array.from(sub.querySelectorAll('th')).map(e => e.textContent.trim());
    const cols = []; let k = 0;
    for (const th of top.querySelectorAll('th')) {
      const x = th.textContent.trim();
      if (th.rowSpan === 2) { cols.push(x); continue; }
      for (let i = 0; i < th.colSpan; i++) cols.push(x + '|' + subs[k++]); }
    return cols; };"""


def _per_channel_columns(page) -> list[str]:
    """The per-channel table's columns as "kind|heading" from its two heading rows."""
    return page.evaluate("() => { " + _HEAD_COLUMNS
                         + " return headColumns(document.querySelector('#per-channel thead')); }")


def test_issue13_figures_agree_with_summary_json(browser, analysed):
    """Issue 13: each figure's text (value, digits, unit) as written here, from
    summary.json and events.csv of a real analysis (polio_mixed, 0.5 h: 23.5 min of
    sleep, under the 30-min minimum; the simulated scorings hold hypopneas and arousals)."""
    import pandas as pd

    result, paths = analysed
    out = paths["report.html"].parent
    s = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    ev = pd.read_csv(out / "events.csv", keep_default_na=False)
    page = browser.new_page()
    page.goto((out / "report.html").as_uri())
    # Indices over < 30 min of sleep are shown but marked not interpretable.
    assert s["indices_interpretable"] is False
    assert "not interpretable" in page.locator("#indices-warning").inner_text()
    plms = _row_cells(page, "PLMS index (/h sleep)")
    assert plms[0] == f"{s['plms_index']:.1f} (not interpretable)"
    # PLMW: its denominator is on the page.
    assert _row_cells(page, "PLMW index (/h wake after sleep onset)")[0].startswith(
        f"{s['plmw_index']:.1f}")
    assert _row_cells(page, "Wake after sleep onset under the PLMW index")[0] == \
        f"{s['plmw_denominator_min']:.1f} min"
    assert _row_cells(page, "Hours of sleep under the indices")[0] == \
        f"{s['leg_index_hours']:.2f} h"
    # The scorings read (the simulator's hypopneas and arousals) and their indices.
    assert s["scored_events_read"] is True and s["respiratory_event_count"] > 0
    assert _row_cells(page, "Respiratory events read")[0] == str(s["respiratory_event_count"])
    assert _row_cells(page, "Arousals read")[0] == str(s["arousal_count"])
    assert _row_cells(page, "Apnea–hypopnea index")[0] == f"{s['ahi']:.1f} (not interpretable)"
    assert _row_cells(page, "Arousal index")[0] == \
        f"{s['arousal_index']:.1f} (not interpretable)"
    assert _row_cells(page, "CLMs not counted as PLM")[0] == \
        str(s["lm_excluded_respiratory_count"])
    # Indices by stage: a stage the night did not have (no N3 here) is null in
    # summary.json, for every by-stage index, and shown as unknown.
    assert s["n3_min"] == 0
    for key, label in (("myoclonus_index_by_stage", "myoclonus index (/h of the stage)"),
                       ("plms_index_by_stage", "PLMS index (/h of the stage)"),
                       ("contraction_index_by_stage", "contraction index (/h of the stage)")):
        cells = _row_cells(page, label)
        if "W" in s["contraction_index_by_stage"]:  # then a wake column comes first
            wake, cells = cells[0], cells[1:]
            assert wake == ("" if "W" not in s[key] else f"{s[key]['W']:.1f} (not interpretable)")
        for st, text in zip(("N1", "N2", "N3", "R"), cells, strict=True):
            v = s[key][st]
            no_time = s[{"N1": "n1_min", "N2": "n2_min", "N3": "n3_min", "R": "rem_min"}[st]] == 0
            name = {"R": "REM"}.get(st, st)
            if no_time:
                assert v is None, (key, st)
                want = f"— (no {name} in this night: unknown)"
            else:
                want = f"{v:.1f} (not interpretable)"
            assert text == want, (key, st)
    # Morning tonic says it is a sum over the muscles, each muscle listed.
    n = len(s["morning_tonic_seconds_by_muscle"])
    label = f"Tonic activity after the final awakening, summed over {n} muscle"
    assert _row_cells(page, label)[0] == f"{s['morning_tonic_seconds']:.0f} s"
    # Per channel: each channel's own counts and index (its LMs in sleep / hours).
    heads = _per_channel_columns(page)
    i_lm, i_lm_h = heads.index("Leg movement|n") - 1, heads.index("Leg movement|/h sleep") - 1
    asleep = ev["stage"].isin(["N1", "N2", "N3", "R"])
    for ch in ("LAT", "RAT"):
        cells = _row_cells(page, ch)
        mine = (ev["channel"] == ch) & (ev["kind"] == "lm")
        assert cells[i_lm] == str(int(mine.sum())), ch
        own = (mine & asleep).sum() / s["leg_index_hours"]
        assert cells[i_lm_h] == f"{own:.1f} (not interpretable)", ch
    # Clock time on the night axes (the simulated night starts at a known time).
    start = result.recording_start
    assert start
    svg = page.eval_on_selector("#fig-hypnogram img", "e => atob(e.src.split(',')[1])")
    assert "clock time" in svg and re.search(r">\d\d:\d\d<", svg)
    # An example trace for every kind found on a channel, titled with its clock time.
    from somnomotor.kinds import get

    snip = page.eval_on_selector("#fig-snippets img", "e => atob(e.src.split(',')[1])")
    snip = snip.encode("latin-1").decode("utf-8")
    for kind in set(ev.loc[ev["channel"] != "", "kind"]):
        assert f">{get(kind).label} · " in snip, kind
    assert re.search(r" · \d\d:\d\d:\d\d · ", snip)
    page.close()


def test_example_traces_conditioned_by_default_raw_on_the_toggle(browser, analysed):
    """Issue 13: the report's example traces show the conditioned signal; a toggle
    shows the raw samples of the same windows."""
    _, paths = analysed
    page = browser.new_page()
    page.goto(paths["report.html"].as_uri())
    assert page.locator("#fig-snippets").is_visible()
    assert not page.locator("#fig-snippets-raw").is_visible()
    page.click("label[for=snippets-raw-toggle]")
    assert page.locator("#fig-snippets-raw").is_visible()
    assert not page.locator("#fig-snippets").is_visible()
    raw = page.eval_on_selector("#fig-snippets-raw img", "e => atob(e.src.split(',')[1])")
    assert ">raw EMG (µV)<".encode().decode("latin-1") in raw
    assert "onset threshold" not in raw
    page.close()


def _per_channel_cells(page) -> dict[tuple[str, str], str]:
    """Every cell of the per-channel tables (split by columns): (channel, "kind|heading")."""
    return {(ch, col): text for ch, col, text in page.evaluate(
        "() => { " + _HEAD_COLUMNS + """ const out = [];
               for (const t of document.querySelectorAll('table.per-channel')) {
                 const cols = headColumns(t.querySelector('thead'));
                 for (const tr of t.querySelectorAll('tbody tr')) {
                   const td = Array.from(tr.querySelectorAll('td')).map(e => e.textContent.trim());
                   td.forEach((v, i) => { if (i) out.push([td[0], cols[i], v]); }); } }
               return out; }""")}


def test_per_channel_tables_count_each_channels_contractions_by_pattern(browser, analysed):
    """Issue 12 item 7: per channel, the count of its contraction rows by ``pattern``
    (neck myoclonus has no rows of its own), as counted here from events.csv."""
    import pandas as pd

    from somnomotor.kinds import get

    _, paths = analysed
    out = paths["report.html"].parent
    ev = pd.read_csv(out / "events.csv", keep_default_na=False)
    con = ev[(ev["kind"] == "contraction") & (ev["channel"] != "")]
    patterns = sorted(set(con["pattern"]) - {""})
    assert "myoclonus" in patterns  # the night has classified contractions to count
    page = browser.new_page()
    page.goto(paths["report.html"].as_uri())
    cells = _per_channel_cells(page)
    page.close()
    channels = {ch for ch, _ in cells}
    assert set(con["channel"]) <= channels
    for pat in patterns:
        col = f"contractions: {get(pat).label}|n"
        for ch in channels:
            want = int(((con["channel"] == ch) & (con["pattern"] == pat)).sum())
            assert cells[(ch, col)] == str(want), (ch, pat)
    # no column for a pattern no contraction has
    heads = {c for _, c in cells if c.startswith("contractions: ")}
    assert len(heads) == len(patterns)
