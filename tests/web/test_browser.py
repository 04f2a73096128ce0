"""The review page in a real browser (Debian's Chromium driven by Playwright).

A uvicorn server is started on 127.0.0.1 with a free port; the page is loaded,
a night opened, an event clicked, rejected and the next one accepted with the
keyboard, and review.json is checked on disk.  The page must make no request
outside 127.0.0.1 and log no console error.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server(results: Path) -> Iterator[str]:
    import uvicorn

    from somnomotor.web import create_app

    port = _free_port()
    config = uvicorn.Config(create_app(results), host="127.0.0.1", port=port, log_level="warning")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the review server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)


def test_review_page_rejects_and_accepts_events_into_review_json(server: str,
                                                                 results: Path) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium (or make browser)")
    from playwright.sync_api import sync_playwright

    requests: list[str] = []
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.on("request", lambda r: requests.append(r.url))
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))

            page.goto(server + "/")
            row = page.locator("#nights-table tbody tr[data-night='night']")
            row.wait_for()
            assert "66.7" in row.inner_text()
            row.click()

            target = page.locator("#events-table tbody tr[data-key='lm|LAT|145000']")
            target.wait_for()
            # kind colours are the registry's (one palette with the report)
            from somnomotor.kinds import get

            swatch = page.locator("#kind-filters label:has(input[data-kind='lm']) .kind-swatch")
            hexa = get("lm").colour
            rgb = f"rgb({int(hexa[1:3], 16)}, {int(hexa[3:5], 16)}, {int(hexa[5:7], 16)})"
            assert swatch.evaluate("e => getComputedStyle(e).backgroundColor") == rgb
            with page.expect_response(lambda r: "/signal?" in r.url and r.ok):
                target.click()
            assert "lm" in page.locator("#event-detail").inner_text()
            assert "145.000 s" in page.locator("#event-detail").inner_text()
            # the raw EMG was drawn: the signal canvas holds dark trace pixels
            page.wait_for_function(
                "() => { const c = document.getElementById('signal');"
                " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
                " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 200) n++;"
                " return n > 500; }")

            page.fill("#reviewer", "Ana T.")
            page.locator("#reject-btn").focus()
            with page.expect_response(lambda r: "/review/decisions" in r.url and r.ok):
                page.click("#reject-btn")
            # the page moves on to the next event; 'k' returns, 'j' moves on, 'a' accepts
            page.locator("#events-table tbody tr.selected").wait_for()
            page.locator("body").click(position={"x": 5, "y": 990})
            page.keyboard.press("k")
            assert "145.000 s" in page.locator("#event-detail").inner_text()
            page.keyboard.press("j")
            selected = page.locator("#events-table tbody tr.selected").get_attribute("data-key")
            with page.expect_response(lambda r: "/review/decisions" in r.url and r.ok):
                page.keyboard.press("a")

            saved = json.loads((results / "night" / "review.json").read_text())
            assert saved["decisions"]["lm|LAT|145000"]["decision"] == "rejected"
            assert saved["decisions"]["lm|LAT|145000"]["reviewer"] == "Ana T."
            assert saved["decisions"][selected]["decision"] == "accepted"
            page.wait_for_function(
                "() => document.getElementById('review-progress').textContent"
                ".startsWith('2/26 reviewed')")
            status = page.locator("#events-table tbody tr[data-key='lm|LAT|145000'] td").last
            assert status.inner_text() == "rejected"

            # a missed event: drag across the trace, then add it
            box = page.locator("#signal").bounding_box()
            assert box is not None
            y = box["y"] + box["height"] / 3
            page.mouse.move(box["x"] + 0.2 * box["width"], y)
            page.mouse.down()
            page.mouse.move(box["x"] + 0.3 * box["width"], y, steps=5)
            page.mouse.up()
            onset = float(page.input_value("#add-onset"))
            duration = float(page.input_value("#add-duration"))
            assert duration > 0.5
            page.select_option("#add-kind", "myoclonus")
            with page.expect_response(lambda r: "/review/added" in r.url and r.ok):
                page.click("#add-btn")
            added = json.loads((results / "night" / "review.json").read_text())["added"]
            assert len(added) == 1
            assert added[0]["kind"] == "myoclonus" and added[0]["reviewer"] == "Ana T."
            assert added[0]["onset"] == pytest.approx(onset, abs=0.01)
            assert added[0]["duration"] == pytest.approx(duration, abs=0.01)
            assert added[0]["channel"] == page.input_value("#add-channel") != ""
        finally:
            browser.close()

    assert problems == []
    outside = [u for u in requests if not u.startswith(server + "/") and not u.startswith("data:")]
    assert outside == []


def test_clock_time_caveats_epoch_view_and_raw_toggle(server: str, results: Path) -> None:
    """Issue 13: clock time in the review table and on the axes; indices name their
    denominator and say when they are not interpretable; a 30-s epoch view with every
    channel; the raw signal on a toggle (conditioned by default)."""
    if not CHROMIUM.exists():
        pytest.fail("Debian's chromium is missing: apt-get install -y chromium (or make browser)")
    from playwright.sync_api import sync_playwright

    path = results / "night" / "summary.json"
    summary = json.loads(path.read_text())
    summary["provenance"]["recording_start"] = "2024-01-02T22:30:00"
    summary.update(index_basis="sleep", indices_interpretable=False)
    path.write_text(json.dumps(summary))
    problems: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(server + "/#/night/night")
            row = page.locator("#events-table tbody tr[data-key='lm|LAT|145000']")
            row.wait_for()
            # clock time: 22:30:00 + 145 s
            assert row.locator("td").first.inner_text() == "22:32:25.0"
            figures = page.locator("#night-figures").inner_text()
            assert "PLMS 66.7 /h sleep (not interpretable)" in figures
            assert "PLMW 0.0 /h wake after sleep onset (not interpretable)" in figures
            # the 30-s epoch view: the selected event's epoch, every channel
            with page.expect_response(lambda r: "/signal?" in r.url and r.ok):
                row.click()
            channels = set()
            page.on("request", lambda r: channels.add(r.url.split("channel=")[1].split("&")[0])
                    if "/signal?" in r.url else None)
            with page.expect_response(lambda r: "/signal?" in r.url and "start=120.000" in r.url
                                      and "end=150.000" in r.url):
                page.check("#epoch-mode")
            assert page.locator("#epoch-label").inner_text() == \
                "epoch 5 of 20 · 22:32:00 · stage N2"
            with page.expect_response(lambda r: "start=150.000" in r.url):
                page.click("#epoch-next")
            assert page.locator("#epoch-label").inner_text() == \
                "epoch 6 of 20 · 22:32:30 · stage N2"
            assert {"LAT", "RAT", "Chin1-Chin2"} <= channels
            # raw on the toggle
            with page.expect_response(lambda r: "/signal?" in r.url
                                      and "filtered=false" in r.url) as resp:
                page.uncheck("#signal-filtered")
            assert resp.value.json()["filtered"] is False
        finally:
            browser.close()
    assert problems == []


# ------------------------------------ issue 13: every figure of the page, from the files
def _clock(start_s: float, seconds: float, decimals: int = 1) -> str:
    """HH:MM:SS.s of ``seconds`` after a start at ``start_s`` s after midnight, truncated."""
    import math

    scale = 10 ** decimals
    units = math.floor(((start_s + seconds) % 86400) * scale + 1e-6)
    whole, frac = divmod(units, scale)
    text = f"{whole // 3600:02d}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    return text + (f".{frac:0{decimals}d}" if decimals else "")


def test_every_figure_of_the_review_page_equals_summary_and_events(server, results, browser):
    """Issue 13: the night list, the night's headline figures, every row of the events
    table and the detail of an event, each as text written here from summary.json and
    events.csv (values, digits, units), not from the page's own attributes.  The night
    starts 10 s before midnight (the clock wraps), a figure is unknown (null → "—") and
    an event over several channels names them."""
    import pandas as pd

    from somnomotor.events import make_events, read_events_csv, write_events_csv

    night = results / "night"
    s = json.loads((night / "summary.json").read_text())
    s.update(tst_h=0.145833333, plms_index=66.66666667, plmw_index=None,
             myoclonus_index=6.649, index_basis="sleep", indices_interpretable=True)
    s["provenance"]["recording_start"] = "2024-01-02T23:59:50"
    (night / "summary.json").write_text(json.dumps(s))
    ev = read_events_csv(night / "events.csv")
    jerk = make_events([{"onset": 333.37, "duration": 0.25, "kind": "hypnic_jerk",
                         "stage": "N1", "amplitude_uv": 80.04, "channels": "LAT;RAT"}])
    ev = pd.concat([ev, jerk], ignore_index=True)
    write_events_csv(ev, night / "events.csv")
    # the table's order: onset, then the event's key (kind|channel|ms)
    ev = read_events_csv(night / "events.csv").sort_values(["onset", "kind", "channel"])
    start_s = 23 * 3600 + 59 * 60 + 50

    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    try:
        page.goto(server + "/")
        row = page.locator("#nights-table tbody tr[data-night='night']")
        row.wait_for()
        heads = page.locator("#nights-table thead th").all_inner_texts()
        assert heads == ["Night", "Recording", "Subject · date", "TST h", "PLMS /h",
                         "PLMW /h", "Myoclonus /h", "Events", "Review"]
        n = len(ev)
        assert row.locator("td").all_inner_texts() == [
            "night", "night.edf", "—", f"{s['tst_h']:.2f}", f"{s['plms_index']:.1f}", "—",
            f"{s['myoclonus_index']:.1f}", str(n), f"0/{n} reviewed (0 accepted, 0 rejected)"]

        page.goto(server + "/#/night/night")
        page.locator("#events-table tbody tr").first.wait_for()
        figures = page.locator("#night-figures > span").all_inner_texts()
        assert figures == [f"TST {s['tst_h']:.2f} h", f"PLMS {s['plms_index']:.1f} /h sleep",
                           "PLMW —", f"Myoclonus {s['myoclonus_index']:.1f} /h sleep",
                           f"stages {s['provenance']['hypnogram_source']}"]
        shown = page.eval_on_selector_all(
            "#events-table tbody tr",
            "rows => rows.map(r => Array.from(r.cells).map(c => c.textContent))")
        want = []
        for r in ev.itertuples():
            channel = r.channel or ", ".join(c for c in r.channels.split(";") if c) or "—"
            amp = "—" if pd.isna(r.amplitude_uv) else f"{r.amplitude_uv:.1f}"
            want.append([_clock(start_s, r.onset), f"{r.onset:.2f}", r.kind, channel,
                         f"{r.duration:.2f}", r.stage, amp, "pending"])
        assert shown == want
        assert ["00:05:23.3", "333.37", "hypnic_jerk", "LAT, RAT", "0.25", "N1", "80.0",
                "pending"] in shown
        # the detail of the event over several channels
        target = page.locator("#events-table tbody tr", has_text="hypnic_jerk")
        target.click()
        detail = dict(zip(page.locator("#event-detail dt").all_inner_texts(),
                          page.locator("#event-detail dd").all_inner_texts(), strict=True))
        assert detail["channel"] == "LAT, RAT"
        assert detail["time"] == _clock(start_s, 333.37)
        assert detail["onset"] == f"{333.37:.3f} s" and detail["duration"] == f"{0.25:.3f} s"
        assert detail["amplitude"] == f"{80.04:.1f} µV" and detail["stage"] == "N1"
    finally:
        page.close()
    assert problems == []


def test_clock_time_never_shows_sixty_seconds(server, results, browser):
    """An onset 0.04 s before a whole minute once read "…:60.0" (each part rounded on
    its own); the clock time is truncated once, as the report's is."""
    path = results / "night" / "summary.json"
    s = json.loads(path.read_text())
    s["provenance"]["recording_start"] = "2024-01-02T22:30:59.96"  # LAT at 120 s: 22:32:59.96
    path.write_text(json.dumps(s))
    page = browser.new_page()
    try:
        page.goto(server + "/#/night/night")
        row = page.locator("#events-table tbody tr[data-key='lm|LAT|145000']")
        row.wait_for()
        assert row.locator("td").first.inner_text() == "22:33:24.9"
        row = page.locator("#events-table tbody tr[data-key='lm|LAT|120000']")
        assert row.locator("td").first.inner_text() == "22:32:59.9"
    finally:
        page.close()
