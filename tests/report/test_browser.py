"""The report in headless Chromium (Debian's chromium, driven by Playwright).

Acceptance (issue 6): renders with no console errors and no network requests;
sections and key figures present and equal to summary.json; prints on A4 and
Letter without figures cut across pages.
"""

from __future__ import annotations

import json
import re
import shutil

import pytest

from somnomotor.report import write_report

from ._html import expected_text, lookup, shown

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
MM = 96 / 25.4  # CSS px per mm


@pytest.fixture(scope="module")
def browser():
    import playwright.sync_api as sync_api
    if not shutil.which("chromium"):
        pytest.fail("Debian's chromium is missing: run `make browser` (apt-get install chromium)")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


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
    assert len(sizes) == 7 and all(ok and w > 500 for ok, w in sizes)
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
        "figure img", "els => els.map(e => e.getBoundingClientRect()).map(r => [r.width, r.height])")
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
