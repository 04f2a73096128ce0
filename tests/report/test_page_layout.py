"""The report's figures and tables fit the page, in Chromium (issue 13).

The raster's event legend once ran off both ends of its figure (and a second
line off its bottom), and the per-channel table was twice as wide as the page.
Every example trace now has a time axis naming the clock time of its onset, and
an event over several channels (GRM, hypnic jerk, propriospinal myoclonus) is
drawn from the channels it names.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import replace

import pandas as pd
import pytest

from somnomotor import kinds as K
from somnomotor.events import make_events
from somnomotor.report import figures as F
from somnomotor.report import render_report, write_report
from somnomotor.report.context import build_context, build_snippets
from somnomotor.score.muscles import PATTERN_ORDER

MM = 96 / 25.4  # CSS px per mm


@pytest.fixture(scope="module")
def busy_night(night):
    """The hand-made night with an event of every kind in the registry on a channel,
    and a hypnic jerk and a GRM episode over several channels (``channels``)."""
    result, rec = night
    rows = []
    labels = ["LAT", "RAT", "EMG MFD-l", "Chin1-Chin2", "Paraspinal"]
    for i, k in enumerate(K.all_kinds()):
        ch = labels[i % len(labels)]
        info = rec.channel(ch)
        rows.append(dict(onset=400.0 + 37.0 * i, duration=3.0 if k.episode else 0.3,
                         kind=k.name, channel=ch, muscle=info.muscle, side=info.side,
                         stage="N2", amplitude_uv=30.0))
    for i, pat in enumerate(PATTERN_ORDER[1:]):  # a contraction of every pattern
        ch = labels[i % len(labels)]
        info = rec.channel(ch)
        rows.append(dict(onset=1500.0 + 13.0 * i, duration=0.2, kind="contraction",
                         channel=ch, muscle=info.muscle, side=info.side, stage="N2",
                         amplitude_uv=30.0, pattern=pat))
    rows.append(dict(onset=1111.25, duration=0.25, kind="hypnic_jerk", stage="N1",
                     amplitude_uv=80.0, channels="LAT;Paraspinal;EMG MFD-l"))
    rows.append(dict(onset=1400.5, duration=20.0, kind="grm", stage="N2",
                     amplitude_uv=60.0, channels="RAT;Chin1-Chin2"))
    ev = result.events.copy()
    ev["channels"] = ""
    extra = make_events(rows)
    if "channels" not in extra:
        extra["channels"] = [r.get("channels", "") for r in rows]
    events = pd.concat([ev, extra], ignore_index=True).sort_values("onset",
                                                                  ignore_index=True)
    return replace(result, events=events), rec


def _svg(uri: str) -> str:
    return base64.b64decode(uri.split(",", 1)[1]).decode("utf-8")


def test_raster_legend_stays_inside_its_figure(browser, busy_night):
    """Every legend label of the raster lies inside the figure, in Chromium's own text
    measure (the legend once ran off both ends, and its second line off the bottom)."""
    result, _ = busy_night
    ctx = build_context(result)
    svg = _svg(ctx["figures"]["raster"])
    page = browser.new_page()
    page.set_content(f"<!DOCTYPE html><body style='margin:0'>{svg}</body>")
    width, height, boxes = page.evaluate(
        """() => { const s = document.querySelector('svg');
               const vb = s.viewBox.baseVal;
               return [vb.width, vb.height, Array.from(s.querySelectorAll('text'))
                 .map(t => { const b = t.getBBox(); return [t.textContent, b.x, b.y,
                                                          b.x + b.width, b.y + b.height]; })]; }""")
    page.close()
    labels = {k.label for k in K.all_kinds()}
    legend = [b for b in boxes if b[0] in labels]
    assert len(legend) == len(list(K.all_kinds()))  # every kind found is in the legend
    for text, x0, y0, x1, y1 in boxes:
        assert x0 >= 0 and x1 <= width and y0 >= 0 and y1 <= height, text


@pytest.mark.parametrize("media, width", [("screen", 1366), ("screen", 1024),
                                          ("print", int((210 - 22) * MM))])
def test_per_channel_table_fits_the_page(browser, busy_night, tmp_path, media, width):
    """The per-channel table (every kind on a channel) is no wider than the page's text,
    on a laptop screen and printed on A4."""
    result, rec = busy_night
    path = tmp_path / "report.html"
    write_report(result, path, recording=rec)
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.emulate_media(media=media)
    page.goto(path.as_uri())
    tables, doc = page.evaluate(
        """() => [Array.from(document.querySelectorAll('table.per-channel')).map(t =>
                    [t.getBoundingClientRect().width, t.parentElement.clientWidth,
                     t.querySelectorAll('th.group').length]),
                  document.documentElement.scrollWidth]""")
    page.close()
    # every kind found on a channel has its columns, in one table or a further one
    # and every contraction pattern its count column
    n_cols = len(list(K.all_kinds())) + len(PATTERN_ORDER) - 1
    assert sum(n for _, _, n in tables) == n_cols and len(tables) >= 2
    for table, box, _ in tables:
        assert table <= box + 0.5
    assert doc <= width


def test_every_example_time_axis_names_its_clock_onset(busy_night):
    """Sub-second examples gave their clock time only in the title, to the second; every
    example's axis is now seconds from its onset, whose clock time (to 0.01 s) it names."""
    result, rec = busy_night
    snippets = build_snippets(result, rec)
    assert len(snippets) >= 10
    start = dt.datetime.fromisoformat(result.recording_start)
    svg = _svg(F.figure_snippets(snippets)).encode("latin-1", "ignore").decode("latin-1")
    for sn in snippets:
        at = start + dt.timedelta(seconds=sn.onset)
        want = at.strftime("%H:%M:%S") + f".{at.microsecond // 10000:02d}"
        assert sn.onset_clock == want
        assert f">s from the onset at {want}<" in svg
        # the title's clock time is the same second
        assert f" · {want[:8]} · " in sn.title
    axis_labels = re.findall(r">s from the onset at [0-9:.]+<", svg)
    assert len(axis_labels) == len(snippets)


def test_an_event_over_several_channels_is_drawn_from_them(busy_night):
    """GRM and hypnic jerks name their channels (``channels``) and none of their own:
    their examples stack the traces of the channels listed, each labelled."""
    result, rec = busy_night
    ev = result.events
    only_multi = ev[~((ev["kind"].isin(["hypnic_jerk", "grm"])) & (ev["channel"] != ""))]
    night = replace(result, events=only_multi.reset_index(drop=True))
    snippets = {s.title.split(" · ")[0]: s for s in build_snippets(night, rec)}
    jerk = snippets["Hypnic jerk"]
    assert [t.label for t in jerk.stack] == ["LAT", "Paraspinal", "EMG MFD-l"]
    assert " · 3 channels · " in jerk.title and jerk.onset == 1111.25
    grm = snippets["Generalized random myoclonus"]
    assert [t.label for t in grm.stack] == ["RAT", "Chin1-Chin2"]
    for st in jerk.stack:  # each trace covers the event's window
        assert st.times[0] <= jerk.onset and st.times[-1] >= jerk.onset + jerk.duration
        assert st.unconditioned.size > 0 and st.raw_fs == rec.channel(st.label).fs
    svg = _svg(F.figure_snippets(list(snippets.values())))
    for label in ("LAT", "Paraspinal", "EMG MFD-l", "RAT", "Chin1-Chin2"):
        assert re.search(rf">{re.escape(label)} \(±\d+ µV\)<", svg), label
    raw = _svg(F.figure_snippets(list(snippets.values()), raw=True))
    assert re.search(r">Paraspinal \(±\d+ µV\)<", raw)
    # and the page says how the stacked traces are scaled
    assert "each scaled to its own largest excursion" in render_report(night, recording=rec)
