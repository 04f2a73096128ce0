"""The report never crashes on odd nights: any subset of summary keys, any events table."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from somnomotor.events import EVENT_KINDS, make_events
from somnomotor.hypnogram import Hypnogram
from somnomotor.report import render_report
from somnomotor.result import NightResult

from ._builders import make_result, promised_summary
from ._html import expected_text, lookup, parse_report, shown

_BASE, _ = make_result(0.5, seed=5)
_FULL = promised_summary(_BASE.events, 0.5)
_KEYS = sorted(k for k in _FULL if k != "provenance")

values = st.one_of(st.none(), st.integers(0, 10_000),
                   st.floats(allow_nan=False, allow_infinity=False, min_value=-1e6, max_value=1e6))
event_rows = st.lists(st.fixed_dictionaries({
    "onset": st.floats(0, 1799, allow_nan=False), "duration": st.floats(0, 120, allow_nan=False),
    "kind": st.sampled_from(EVENT_KINDS),
    "channel": st.sampled_from(["", "LAT", "RAT", "EMG MFD-l", "Chin1-Chin2", "NOPE"]),
    "muscle": st.sampled_from(["", "tibialis_anterior", "fds", "mentalis", "unknown_muscle"]),
    "side": st.sampled_from(["", "left", "right", "bilateral", "midline"]),
    "amplitude_uv": st.one_of(st.just(float("nan")), st.floats(0, 500, allow_nan=False)),
    "series": st.one_of(st.none(), st.integers(1, 30)),
    "arousal": st.booleans(), "respiratory": st.booleans()}), max_size=40)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(keep=st.lists(st.sampled_from(_KEYS), unique=True), overrides=st.dictionaries(
    st.sampled_from(_KEYS), values, max_size=6), rows=event_rows,
    stages=st.lists(st.sampled_from(["W", "N1", "N2", "N3", "R", "?"]), min_size=0, max_size=60))
def test_any_summary_subset_and_events_render_consistently(keep, overrides, rows, stages):
    summary = {k: _FULL[k] for k in keep}
    summary.update({k: v for k, v in overrides.items() if not isinstance(_FULL[k], dict)})
    hyp = Hypnogram.from_labels(stages, source="file:x") if stages else \
        Hypnogram.unscored(1800.0)
    result = NightResult(events=make_events(rows), summary=summary, hypnogram=hyp,
                         channels=_BASE.channels, quality=_BASE.quality,
                         recording_duration=1800.0)
    page = parse_report(render_report(result))
    assert "statement" in page.ids
    for c in page.cells:
        value = lookup(summary, c["key"])
        assert shown(c["text"], value) == expected_text(value, c["scale"], c["digits"])
