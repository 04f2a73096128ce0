"""compare.html in headless Chromium (Debian's chromium, driven by Playwright), against compare.json.

Issue 13: every figure on the page is checked.  The expected text of each figure
(value, digits, unit) is formatted here, in the test, from compare.json; nothing
is read back from the page's own attributes.  A bold row's interval excludes no
change and a plain row's does not.
"""

from __future__ import annotations

import json

import pytest

from somnomotor.apps.demo import run_month_demo

LABELS = {"plms_index": "PLMS index", "myoclonus_index": "myoclonus index",
          "grm_episode_count": "GRM episodes", "morning_tonic_seconds": "morning tonic activity",
          "sleep_efficiency": "sleep efficiency", "morning_stiffness": "morning stiffness",
          "stretch_before_rising_minutes": "stretching needed before rising",
          "penn_frequency": "night spasms (Penn frequency)", "sleep_quality": "sleep quality",
          "awakenings": "awakenings"}
#: How each outcome's effect is expressed: a ratio, or a difference in its unit.
HOW = {"plms_index": "ratio", "myoclonus_index": "ratio", "grm_episode_count": "ratio",
       "morning_tonic_seconds": "ratio", "sleep_efficiency": "difference in fraction",
       "morning_stiffness": "difference in 0–10",
       "stretch_before_rising_minutes": "difference in min",
       "penn_frequency": "difference in 0–4", "sleep_quality": "difference in 1–5",
       "awakenings": "ratio"}


def _effect(value: float | None, ratio: bool, digits: int = 2) -> str:
    """Two decimals; ratios with ×, differences signed (the page's minus is '-')."""
    if value is None:
        return "–"
    return f"×{value:.{digits}f}" if ratio else f"{value:+.{digits}f}"


def _digits(e: dict, null: float) -> int:
    """Two decimals, more (up to 4) where two would round a clear interval onto no change."""
    for d in (2, 3, 4):
        if not e["clear"] or (round(e["ci_low"], d) != null and round(e["ci_high"], d) != null):
            return d
    return 4


def _number(text: str) -> float:
    return float(text.replace("×", "").replace("−", "-"))


@pytest.fixture(scope="module")
def month(tmp_path_factory):
    return run_month_demo(tmp_path_factory.mktemp("month"), nights=35, seed=21, fast=True)


@pytest.fixture(scope="module")
def page(browser, month):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    requests, problems = [], []
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning")
            else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(month["html"].as_uri(), wait_until="load")
    page.wait_for_load_state("networkidle")
    assert problems == []
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    yield page
    page.close()


def test_every_effect_row_shows_compare_json_and_bold_means_the_interval_excludes_no_change(
        page, month):
    data = json.loads(month["json"].read_text())
    by_outcome: dict[str, list[dict]] = {}
    for e in data["effects"]:
        by_outcome.setdefault(e["outcome"], []).append(e)
    assert len(by_outcome) == 10
    n_bold = 0
    for outcome, effects in by_outcome.items():
        table = page.locator(f"#effects-{outcome}")
        heading = table.locator("xpath=preceding-sibling::h3[1]").inner_text()
        assert heading == f"{LABELS[outcome]} ({HOW[outcome]}; 35 nights)"
        rows = table.locator("tr").all()[1:]
        assert len(rows) == len(effects)
        ratio = HOW[outcome] == "ratio"
        null = 1.0 if ratio else 0.0
        for row, e in zip(rows, effects, strict=True):
            cells = [c.inner_text() for c in row.locator("td").all()]
            assert cells[0] == e["factor_label"] and cells[1] == e["contrast"]
            d = _digits(e, null)
            assert cells[2] == _effect(e["estimate"], ratio, d)
            assert cells[3] == (f"{_effect(e['ci_low'], ratio, d)} to "
                                f"{_effect(e['ci_high'], ratio, d)}")
            assert cells[4] == str(e["n_exposed"])
            low, high = (_number(x) for x in cells[3].split(" to "))
            # the interval as shown (two decimals): excludes no change, or not
            excludes = low > null or high < null
            weight = int(row.locator("td").first.evaluate(
                "td => getComputedStyle(td).fontWeight"))
            bold = weight >= 600
            n_bold += bold
            assert bold == e["clear"], (outcome, cells)
            if bold:
                assert excludes, (outcome, cells)
            else:  # a plain row's shown interval contains no change (or touches it after rounding)
                assert low <= null <= high, (outcome, cells)
    assert 0 < n_bold < len(data["effects"])


def test_the_counts_the_dose_step_and_the_tolerance_figures_match_compare_json(page, month):
    data = json.loads(month["json"].read_text())
    text = page.locator("body").inner_text()
    n = data["nights"]
    assert (f"{n['with_diary']} nights with a diary, {n['recorded']} with a recording, from "
            f"{n['first']} to {n['last']}.") in text
    assert n["with_diary"] == 35 and n["first"] == "2024-01-01" and n["last"] == "2024-02-04"
    assert "Simulated: All 35 recorded nights were generated by the somnomotor physiological " \
           "model, not recorded from a person." in text
    steps = [dr for dr in data["dose_response"] if dr.get("top_step")]
    assert steps
    for dr in steps:
        ratio = dr["scale"] == "ratio"
        st = dr["top_step"]
        sentence = (f"{LABELS[dr['outcome']]}: going from {st['from_mg']:g} to {st['to_mg']:g} mg "
                    f"changed it by {_effect(st['estimate'], ratio)} (95 % interval "
                    f"{_effect(st['ci_low'], ratio)} to {_effect(st['ci_high'], ratio)})")
        assert sentence in text
        said = sentence + " — no clear further change at the highest step."
        assert (said in text) == (not st["clear"])
    tol = data["tolerance"]
    assert tol["dose_course"]["max_mg"] == 2.0
    assert "alprazolam on 28 nights, first 0.5 mg, last 2 mg, from 0.5 to 2 mg" in text
    assert f"Dose increases: {tol['dose_course']['increases']}." in text
    assert tol["dose_course"]["increases"] == 4


def test_the_fading_table_of_a_longer_month_matches_compare_json(browser, tmp_path):
    """Sixty nights: 12 at each dose, so each outcome's weekly change at the first dose held
    that long (0.5 mg) is shown."""
    paths = run_month_demo(tmp_path, nights=60, seed=5, fast=True)
    tol = json.loads(paths["json"].read_text())["tolerance"]
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(paths["html"].as_uri(), wait_until="load")
    text = page.locator("body").inner_text()
    assert "alprazolam on 48 nights, first 0.5 mg, last 2 mg, from 0.5 to 2 mg over the nights; " \
           "at the stable dose no outcome clearly rose week by week." in text
    assert tol["stable_period"]["dose_mg"] == 0.5 and tol["stable_period"]["nights"] == 12
    assert page.locator("#fading th").first.inner_text() == "outcome at 0.5 mg"
    rows = page.locator("#fading tr").all()[1:]
    assert len(rows) == len(tol["fading"]) == 5
    for row, f in zip(rows, tol["fading"], strict=True):
        ratio = f["scale"] == "ratio"
        cells = [c.inner_text() for c in row.locator("td").all()]
        assert cells[0] == LABELS[f["outcome"]]
        assert cells[1] == _effect(f["change_per_week"], ratio)
        assert cells[2] == f"{_effect(f['ci_low'], ratio)} to {_effect(f['ci_high'], ratio)}"
        assert cells[4] == str(f["nights"])
        weight = int(row.locator("td").first.evaluate("td => getComputedStyle(td).fontWeight"))
        assert (weight >= 600) == f["clear"]
        low, high = (_number(x) for x in cells[2].split(" to "))
        null = 1.0 if ratio else 0.0
        assert (low > null or high < null) == f["clear"]
        assert cells[3] == ("worse week by week" if f["rising"] else
                            "better week by week" if f["clear"] else "no clear change")
    page.close()


def test_the_three_figures_load_and_are_shown_at_their_own_size(page):
    """Axis text is drawn at ≥ 10 pt (test_compare_page); shown unscaled it stays readable."""
    imgs = page.locator("img").all()
    assert len(imgs) == 3
    for img in imgs:
        natural, shown = img.evaluate("i => [i.naturalWidth, i.getBoundingClientRect().width]")
        assert natural > 300
        assert shown == pytest.approx(natural, rel=0.01)


def test_a_few_nights_page_says_why_there_are_no_effects(browser, tmp_path):
    paths = run_month_demo(tmp_path, nights=12, seed=2, fast=True)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(paths["html"].as_uri(), wait_until="load")
    reason = page.locator("#no-effects").inner_text()
    assert reason.startswith("Not enough nights to compare any factor yet: ")
    assert "6 nights are too few for 6 coefficients (at least 9 nights are needed)" in reason
    assert page.locator("table.effects").count() == 0
    notes = [li.inner_text() for li in page.locator("li").all()]
    assert len(notes) == len(set(notes))
    page.close()
