"""The review application's JSON API, through FastAPI's TestClient."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from _nights import DURATION_S, FS, write_night
from fastapi.testclient import TestClient

from somnomotor.events import EVENT_COLUMNS, read_events_csv
from somnomotor.web import create_app
from somnomotor.web.data import NightNotFoundError, minmax_envelope, resolve_night

LM_LEFT_120 = "lm|LAT|120000"


# ------------------------------------------------------------------ listing
def test_lists_every_analysed_night_with_key_figures(client: TestClient) -> None:
    r = client.get("/api/nights")
    assert r.status_code == 200
    nights = {n["id"]: n for n in r.json()["nights"]}
    assert sorted(nights) == ["batch/b1", "night"]
    n = nights["night"]
    assert n["input_file"] == "night.edf"
    assert n["figures"]["plms_index"] == pytest.approx(66.7)
    assert n["events"] == 26
    assert n["review"] == {"accepted": 0, "rejected": 0, "pending": 26, "added": 0,
                           "orphaned": 0}


def test_folder_lacking_summary_or_events_is_not_listed(client: TestClient,
                                                        results: Path) -> None:
    half = results / "half"
    half.mkdir()
    (half / "events.csv").write_text((results / "night" / "events.csv").read_text())
    ids = [n["id"] for n in client.get("/api/nights").json()["nights"]]
    assert "half" not in ids
    assert client.get("/api/nights/half/summary").status_code == 404


def test_broken_summary_is_listed_with_its_error(client: TestClient, results: Path) -> None:
    (results / "night" / "summary.json").write_text("{not json", encoding="utf-8")
    nights = {n["id"]: n for n in client.get("/api/nights").json()["nights"]}
    assert "cannot read the summary" in nights["night"]["error"]
    r = client.get("/api/nights/night/summary")
    assert r.status_code == 409
    assert r.json()["error"].startswith("night/summary.json: cannot read the summary")


def test_unknown_night_is_404_with_json_error(client: TestClient) -> None:
    r = client.get("/api/nights/nosuch/events")
    assert r.status_code == 404
    assert r.json() == {"error": "no analysed night named 'nosuch' (a night folder holds "
                                 "events.csv and summary.json)"}
    assert client.get("/api/nope").status_code == 404


# ------------------------------------------------------------------ path safety
@pytest.mark.parametrize("raw", ["/api/nights/%2e%2e/summary",
                                 "/api/nights/night/%2e%2e/%2e%2e/summary",
                                 "/api/nights/%2e%2e%2fout%2fnight/summary",
                                 "/api/nights/%2fetc/summary",
                                 "/api/nights/night%5c..%5c..%5cx/summary"])
def test_traversal_out_of_the_root_is_refused(client: TestClient, raw: str) -> None:
    r = client.get(raw)
    assert r.status_code == 404
    assert r.json()["error"].startswith("no analysed night named")


def test_symlink_leading_outside_the_root_is_refused(results: Path, tmp_path: Path) -> None:
    outside = write_night(tmp_path / "elsewhere", recording=None)
    os.symlink(outside, results / "link")
    c = TestClient(create_app(results), base_url="http://127.0.0.1")
    assert "link" not in [n["id"] for n in c.get("/api/nights").json()["nights"]]
    assert c.get("/api/nights/link/summary").status_code == 404
    with pytest.raises(NightNotFoundError):
        resolve_night(results, "link")


@pytest.mark.parametrize("name", ["..", "../out/night", "/etc", "night/../../data", "", "a\\b",
                                  "night//", "night\x00", ".", "./night"])
def test_resolve_night_refuses_names_leaving_the_root(results: Path, name: str) -> None:
    with pytest.raises(NightNotFoundError):
        resolve_night(results, name)


def test_foreign_host_header_is_refused(results: Path) -> None:
    """DNS rebinding: a page on another name must not reach the loopback server."""
    c = TestClient(create_app(results), base_url="http://evil.example")
    r = c.get("/api/nights")
    assert r.status_code == 403
    assert "not served" in r.json()["error"]


def test_cross_site_write_is_refused(client: TestClient, results: Path) -> None:
    r = client.post("/api/nights/night/review/decisions",
                    json={"key": LM_LEFT_120, "decision": "reject", "reviewer": "x"},
                    headers={"Origin": "http://evil.example"})
    assert r.status_code == 403
    assert not (results / "night" / "review.json").exists()


# ------------------------------------------------------------------ night data
def test_summary_names_channels_and_finds_the_recording_above(client: TestClient) -> None:
    j = client.get("/api/nights/night/summary").json()
    assert j["signal"] == {"available": True, "reason": "", "file": "night.edf"}
    assert j["duration"] == pytest.approx(DURATION_S)
    assert [c["label"] for c in j["channels"]] == ["LAT", "RAT", "Chin1-Chin2"]
    assert j["kinds"] == ["clm", "lm", "myoclonus"]


def test_hypnogram_comes_from_scored_xml(client: TestClient) -> None:
    j = client.get("/api/nights/night/hypnogram").json()
    assert j["available"] is True
    assert j["stages"][:4] == ["W", "W", "N1", "N1"]
    assert len(j["stages"]) == 20
    assert client.get("/api/nights/batch/b1/hypnogram").json()["available"] is False


def test_events_filter_by_kind_channel_and_window(client: TestClient) -> None:
    base = "/api/nights/night/events"
    assert client.get(base).json()["total"] == 26
    lms = client.get(base, params={"kind": "lm"}).json()
    assert lms["total"] == 15 and {e["kind"] for e in lms["events"]} == {"lm"}
    right = client.get(base, params={"kind": "lm", "channel": "RAT"}).json()["events"]
    assert [e["onset"] for e in right] == [300.0, 330.0, 360.0, 390.0, 420.0]
    both = client.get(base, params=[("kind", "lm"), ("kind", "myoclonus")]).json()
    assert both["total"] == 16
    window = client.get(base, params={"kind": "lm", "start": 299.0, "end": 340.0}).json()
    # overlap: LAT 295–296.5 s ends before 299 s and is left out
    assert [e["onset"] for e in window["events"]] == [300.0, 320.0, 330.0]
    assert client.get(base, params={"status": "pending"}).json()["total"] == 26
    assert client.get(base, params={"status": "accepted"}).json()["total"] == 0


def test_events_with_unknown_kind_or_status_are_400(client: TestClient) -> None:
    r = client.get("/api/nights/night/events", params={"kind": "plmx"})
    assert r.status_code == 400 and "plmx" in r.json()["error"]
    assert client.get("/api/nights/night/events", params={"status": "maybe"}).status_code == 400
    r = client.get("/api/nights/night/events", params={"start": "soon"})
    assert r.status_code == 400 and "start" in r.json()["error"]


# ------------------------------------------------------------------ signal
def test_long_window_is_decimated_to_a_min_max_envelope_within_bounds(client: TestClient) -> None:
    r = client.get("/api/nights/night/signal",
                   params={"channel": "LAT", "start": 0, "end": 600, "points": 1000})
    j = r.json()
    assert r.status_code == 200 and j["mode"] == "minmax"
    assert len(j["min"]) + len(j["max"]) <= 1000
    assert len(j["min"]) == len(j["max"]) >= 450
    # the 50-µV bursts survive the decimation: a bin over the burst at 120 s is wide
    t = j["t0"] + np.arange(len(j["max"])) * j["dt"]
    hi = np.array(j["max"], dtype=float)
    lo = np.array(j["min"], dtype=float)
    burst = (t >= 120.0) & (t < 121.4)
    quiet = (t >= 20.0) & (t < 100.0)
    assert hi[burst].max() > 35.0 and lo[burst].min() < -35.0
    assert np.abs(np.concatenate([hi[quiet], lo[quiet]])).max() < 15.0


def test_short_window_returns_every_sample(client: TestClient) -> None:
    j = client.get("/api/nights/night/signal",
                   params={"channel": "RAT", "start": 299, "end": 303}).json()
    assert j["mode"] == "samples"
    assert len(j["values"]) == int(4 * FS)
    assert j["dt"] == pytest.approx(1 / FS) and j["start"] == pytest.approx(299.0)
    v = np.array(j["values"], dtype=float)
    assert np.abs(v[: int(FS)]).max() < 15.0          # 299–300 s: rest
    assert np.abs(v[int(FS): int(3 * FS)]).max() > 35.0   # 300–302 s: the burst


def test_unfiltered_window_is_the_raw_signal(client: TestClient, recording_file: Path) -> None:
    from somnomotor.io import read_recording

    raw = read_recording(recording_file).read("LAT", 10.0, 11.0)
    j = client.get("/api/nights/night/signal", params={"channel": "LAT", "start": 10, "end": 11,
                                                        "filtered": "false"}).json()
    assert j["filtered"] is False
    np.testing.assert_allclose(j["values"], np.round(raw, 2), atol=0.006)


@pytest.mark.parametrize(("params", "needle"), [
    ({"channel": "LAT", "start": 0, "end": 4000}, "longer than"),
    ({"channel": "LAT", "start": 50, "end": 40}, "start < end"),
    ({"channel": "LAT", "start": 0, "end": 10, "points": 1}, "points"),
    ({"channel": "LAT", "start": 0, "end": 10, "points": 10 ** 6}, "points"),
    ({"channel": "XYZ", "start": 0, "end": 10}, "no channel labelled 'XYZ'"),
    ({"channel": "LAT", "start": 700, "end": 710}, "outside the recording"),
])
def test_bad_signal_requests_are_400_with_a_reason(client: TestClient, params: dict,
                                                   needle: str) -> None:
    r = client.get("/api/nights/night/signal", params=params)
    assert r.status_code == 400
    assert needle in r.json()["error"]


def test_minmax_envelope_keeps_every_sample_inside_its_bin() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=10_007).astype(np.float32)
    x[500:900] = np.nan
    lo, hi, size = minmax_envelope(x, 100)
    assert len(lo) <= 100
    for i in range(len(lo)):
        block = x[i * size:(i + 1) * size]
        if np.isnan(block).all():
            assert np.isnan(lo[i]) and np.isnan(hi[i])
        else:
            assert lo[i] == np.nanmin(block) and hi[i] == np.nanmax(block)


def test_signal_not_available_when_checksum_differs(results: Path) -> None:
    write_night(results / "other", recording=None, sha="f" * 64)
    c = TestClient(create_app(results), base_url="http://127.0.0.1")
    j = c.get("/api/nights/other/summary").json()
    assert j["signal"]["available"] is False
    assert "SHA-256 mismatch" in j["signal"]["reason"]
    r = c.get("/api/nights/other/signal", params={"channel": "LAT", "start": 0, "end": 5})
    assert r.status_code == 409 and r.json()["error"].startswith("signal not available")


def test_signal_not_available_when_recording_is_missing(results: Path) -> None:
    write_night(results / "lost", recording=None, input_file="lost.edf")
    c = TestClient(create_app(results), base_url="http://127.0.0.1")
    j = c.get("/api/nights/lost/summary").json()
    assert j["signal"]["available"] is False
    assert "lost.edf was not found" in j["signal"]["reason"]


def test_recording_kept_elsewhere_is_found_by_mapping_or_search_folder(
        tmp_path: Path, recording_file: Path) -> None:
    out = tmp_path / "results"
    write_night(out / "n1", recording=recording_file)
    c = TestClient(create_app(out), base_url="http://127.0.0.1")
    assert c.get("/api/nights/n1/summary").json()["signal"]["available"] is False
    for app in (create_app(out, recordings={"n1": recording_file}),
                create_app(out, search_dirs=[recording_file.parent])):
        c = TestClient(app, base_url="http://127.0.0.1")
        assert c.get("/api/nights/n1/summary").json()["signal"]["available"] is True
        r = c.get("/api/nights/n1/signal", params={"channel": "LAT", "start": 0, "end": 1})
        assert r.status_code == 200


# ------------------------------------------------------------------ review
def _decide(c: TestClient, key: str, decision: str, reviewer: str = "Ana T.") -> dict:
    r = c.post("/api/nights/night/review/decisions",
               json={"key": key, "decision": decision, "reviewer": reviewer})
    assert r.status_code == 200, r.text
    return r.json()


def test_decisions_are_saved_with_reviewer_and_time(client: TestClient, results: Path) -> None:
    j = _decide(client, LM_LEFT_120, "reject")
    assert j["decision"]["decision"] == "rejected"
    assert j["counts"]["rejected"] == 1 and j["counts"]["pending"] == 25
    _decide(client, "lm|RAT|300000", "accept", reviewer="Ben")
    saved = json.loads((results / "night" / "review.json").read_text())
    d = saved["decisions"][LM_LEFT_120]
    assert d["decision"] == "rejected" and d["reviewer"] == "Ana T."
    assert d["time"].endswith("Z") and d["time"][:2] == "20"
    assert saved["decisions"]["lm|RAT|300000"]["reviewer"] == "Ben"
    assert [e["action"] for e in saved["log"]] == ["reject", "accept"]
    ev = client.get("/api/nights/night/events", params={"channel": "LAT", "kind": "lm"}).json()
    assert ev["events"][0]["status"] == "rejected" and ev["events"][1]["status"] == "pending"


def test_clearing_a_decision_makes_the_event_pending_and_keeps_the_log(
        client: TestClient, results: Path) -> None:
    _decide(client, LM_LEFT_120, "reject")
    j = _decide(client, LM_LEFT_120, "clear")
    assert j["decision"]["decision"] == "pending"
    saved = json.loads((results / "night" / "review.json").read_text())
    assert LM_LEFT_120 not in saved["decisions"]
    assert [e["action"] for e in saved["log"]] == ["reject", "clear"]


def test_decisions_survive_a_restart(client: TestClient, results: Path) -> None:
    _decide(client, LM_LEFT_120, "reject")
    fresh = TestClient(create_app(results), base_url="http://127.0.0.1")
    counts = fresh.get("/api/nights/night/review").json()["counts"]
    assert counts["rejected"] == 1


@pytest.mark.parametrize(("body", "needle"), [
    ({"key": LM_LEFT_120, "decision": "reject", "reviewer": ""}, "reviewer name"),
    ({"key": LM_LEFT_120, "decision": "reject"}, "reviewer name"),
    ({"key": "lm|LAT|1", "decision": "reject", "reviewer": "A"}, "no event"),
    ({"key": LM_LEFT_120, "decision": "maybe", "reviewer": "A"}, "accept, reject or clear"),
])
def test_bad_decisions_are_400_and_not_saved(client: TestClient, results: Path, body: dict,
                                             needle: str) -> None:
    r = client.post("/api/nights/night/review/decisions", json=body)
    assert r.status_code == 400 and needle in r.json()["error"]
    assert not (results / "night" / "review.json").exists()


@pytest.mark.parametrize(("ctype", "content"), [
    ("application/x-www-form-urlencoded", f"key={LM_LEFT_120}&decision=reject&reviewer=x"),
    ("text/plain", json.dumps({"key": LM_LEFT_120, "decision": "reject", "reviewer": "x"})),
])
def test_non_json_body_is_refused(client: TestClient, results: Path, ctype: str,
                                  content: str) -> None:
    """Cross-site forms and no-CORS fetches can only send these types; they must not write."""
    r = client.post("/api/nights/night/review/decisions", content=content,
                    headers={"Content-Type": ctype})
    assert r.status_code == 400
    assert "must be a JSON object" in r.json()["error"]
    assert not (results / "night" / "review.json").exists()


@pytest.mark.parametrize(("body", "needle"), [
    ({"onset": 10, "duration": 1, "kind": "nope", "channel": "LAT"}, "unknown event kind"),
    ({"onset": -1, "duration": 1, "kind": "lm", "channel": "LAT"}, "onset"),
    ({"onset": 10, "duration": 0, "kind": "lm", "channel": "LAT"}, "duration > 0"),
    ({"onset": 599.5, "duration": 2, "kind": "lm", "channel": "LAT"}, "after the recording"),
    ({"duration": 2, "kind": "lm", "channel": "LAT"}, "numeric onset"),
])
def test_bad_added_events_are_400(client: TestClient, body: dict, needle: str) -> None:
    r = client.post("/api/nights/night/review/added", json={**body, "reviewer": "A"})
    assert r.status_code == 400 and needle in r.json()["error"]


def test_review_export_round_trip(client: TestClient, results: Path) -> None:
    """Rejected events leave the table, added ones join it, the rest stay as scored."""
    _decide(client, LM_LEFT_120, "reject")
    _decide(client, "lm|RAT|300000", "accept")
    r = client.post("/api/nights/night/review/added",
                    json={"onset": 200.5, "duration": 0.8, "kind": "lm", "channel": "RAT",
                          "reviewer": "Ana T."})
    assert r.status_code == 200
    added = r.json()["added"]
    assert added["id"] == "added-1" and added["side"] == "right"
    assert added["muscle"] == "tibialis_anterior"
    listed = client.get("/api/nights/night/events", params={"status": "added"}).json()
    assert [e["key"] for e in listed["events"]] == ["added-1"]

    r = client.post("/api/nights/night/review/export", json={"reviewer": "Ana T."})
    assert r.status_code == 200
    assert r.json() == {"file": "reviewed-events.csv", "rows": 26, "rejected": 1,
                        "accepted": 1, "added": 1, "pending": 24}
    path = results / "night" / "reviewed-events.csv"
    assert path.read_text().splitlines()[0] == ",".join(EVENT_COLUMNS)
    table = read_events_csv(path)
    assert len(table) == 26
    lat = table[(table["kind"] == "lm") & (table["channel"] == "LAT")]
    assert 120.0 not in lat["onset"].tolist() and len(lat) == 9
    new = table[(table["channel"] == "RAT") & np.isclose(table["onset"], 200.5)]
    assert len(new) == 1 and new["stage"].iloc[0] == "N2"  # epoch 6 of the hypnogram
    assert table["onset"].is_monotonic_increasing
    saved = json.loads((results / "night" / "review.json").read_text())
    assert saved["log"][-1]["action"] == "export" and saved["log"][-1]["rows"] == 26


def test_withdrawing_an_added_event(client: TestClient, results: Path) -> None:
    client.post("/api/nights/night/review/added",
                json={"onset": 50, "duration": 1, "kind": "myoclonus", "channel": "Chin1-Chin2",
                      "reviewer": "A"})
    r = client.delete("/api/nights/night/review/added/added-1", params={"reviewer": "A"})
    assert r.status_code == 200 and r.json()["counts"]["added"] == 0
    assert client.delete("/api/nights/night/review/added/added-1",
                         params={"reviewer": "A"}).status_code == 400
    again = client.post("/api/nights/night/review/added",
                        json={"onset": 60, "duration": 1, "kind": "myoclonus",
                              "channel": "Chin1-Chin2", "reviewer": "A"}).json()
    assert again["added"]["id"] == "added-2"  # ids are never reused


def test_export_of_a_night_without_hypnogram_marks_added_stage_unknown(
        client: TestClient, results: Path) -> None:
    client.post("/api/nights/batch/b1/review/added",
                json={"onset": 200, "duration": 1, "kind": "lm", "channel": "LAT",
                      "reviewer": "A"})
    assert client.post("/api/nights/batch/b1/review/export",
                       json={"reviewer": "A"}).status_code == 200
    table = read_events_csv(results / "batch" / "b1" / "reviewed-events.csv")
    assert table.loc[np.isclose(table["onset"], 200.0), "stage"].tolist() == ["?"]


def test_corrupt_review_file_is_a_clear_409(client: TestClient, results: Path) -> None:
    (results / "night" / "review.json").write_text("[]", encoding="utf-8")
    r = client.post("/api/nights/night/review/decisions",
                    json={"key": LM_LEFT_120, "decision": "accept", "reviewer": "A"})
    assert r.status_code == 409
    assert r.json()["error"] == ("night/review.json: not a somnomotor review file "
                                 "(format is not 'somnomotor-review')")


def test_decisions_on_a_reanalysed_night_are_reported_orphaned(client: TestClient,
                                                               results: Path) -> None:
    _decide(client, LM_LEFT_120, "reject")
    ev = read_events_csv(results / "night" / "events.csv")
    ev.loc[ev["onset"] == 120.0, "onset"] = 121.0
    from somnomotor.events import write_events_csv

    write_events_csv(ev, results / "night" / "events.csv")
    counts = client.get("/api/nights/night/review").json()["counts"]
    assert counts["orphaned"] == 1 and counts["rejected"] == 0


def test_store_finds_the_recording_and_names_subject_and_date(tmp_path: Path,
                                                              recording_file: Path) -> None:
    from somnomotor.store import Store

    out = tmp_path / "results"
    night = write_night(out / "n1", recording=recording_file)
    summary = json.loads((night / "summary.json").read_text())
    db = tmp_path / "clinic.db"
    with Store(db) as st:
        st.file_night("P001", "2024-03-01", summary, recording_path=str(recording_file))
    plain = TestClient(create_app(out), base_url="http://127.0.0.1")
    assert plain.get("/api/nights/n1/summary").json()["signal"]["available"] is False
    c = TestClient(create_app(out, db), base_url="http://127.0.0.1")
    assert c.get("/api/nights/n1/summary").json()["signal"]["available"] is True
    listed = c.get("/api/nights").json()["nights"][0]
    assert (listed["subject"], listed["night_date"]) == ("P001", "2024-03-01")


def test_a_root_that_is_itself_a_night_is_served_as_tilde(results: Path) -> None:
    c = TestClient(create_app(results / "night"), base_url="http://127.0.0.1")
    assert [n["id"] for n in c.get("/api/nights").json()["nights"]] == ["~"]
    j = c.get("/api/nights/~/summary").json()
    assert j["signal"]["available"] is True
    assert c.get("/api/nights/~/events", params={"kind": "lm"}).json()["total"] == 15
    assert c.get("/api/nights/./summary").status_code == 404
