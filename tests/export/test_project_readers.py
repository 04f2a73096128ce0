"""The exports read back by somnomotor's own reader (``somnomotor.io.read_scorings``).

Acceptance (issue 6): every event's onset and duration within one sample, its
kind, and the hypnogram epoch for epoch.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import somnomotor.io as io
from somnomotor.export import write_nsrr_xml, write_scored_edf
from somnomotor.export._vocab import parse_event_text
from somnomotor.export.nsrr_xml import parse_event_concept

from ._builders import FS, every_kind_events, small_hypnogram


def _check(ev: pd.DataFrame, got: pd.DataFrame, parse) -> None:
    parsed = [parse(label) for label in got["label"]]
    assert all(p is not None for p in parsed)
    a = ev.assign(side=ev["side"]).sort_values(["onset", "kind", "side"]).reset_index(drop=True)
    b = pd.DataFrame({"onset": got["onset"].to_numpy(float),
                      "duration": got["duration"].to_numpy(float),
                      "kind": [p[0] for p in parsed], "side": [p[2] for p in parsed]}) \
        .sort_values(["onset", "kind", "side"]).reset_index(drop=True)
    assert len(a) == len(b)
    np.testing.assert_allclose(b["onset"], a["onset"], atol=1 / FS, rtol=0)
    np.testing.assert_allclose(b["duration"], a["duration"], atol=1 / FS, rtol=0)
    assert list(b["kind"]) == list(a["kind"]) and list(b["side"]) == list(a["side"])


@pytest.mark.parametrize("fmt", ["edf", "xml"])
def test_export_round_trips_through_read_scorings(tmp_path, fmt):
    ev = every_kind_events()
    hyp = small_hypnogram()
    path = tmp_path / f"scored.{fmt}"
    if fmt == "edf":
        write_scored_edf(ev, path, start=None, duration=3600.0, hypnogram=hyp)
    else:
        write_nsrr_xml(ev, path, hypnogram=hyp, duration=3600.0)
    sc = io.read_scorings(path)
    assert sc.hypnogram is not None
    assert list(sc.hypnogram.stages[:len(hyp)]) == list(hyp.stages)
    _check(ev, sc.events, parse_event_text if fmt == "edf" else parse_event_concept)
    # the project's own vocabulary recognises leg movements and PLMs as such
    kinds = dict(zip(sc.events["label"], sc.events["kind"], strict=False))
    lm_label = "LM left" if fmt == "edf" else "Limb movement - left|Limb Movement (Left)"
    plm_label = "PLM left" if fmt == "edf" else "Periodic leg movement - left|PLM (Left)"
    assert kinds[lm_label] == "lm" and kinds[plm_label] == "plm"


def test_nsrr_scored_inputs_keep_their_kind_through_read_scorings(tmp_path):
    scored = pd.DataFrame({"onset": [100.25, 200.5, 300.0, 400.0],
                           "duration": [3.0, 15.0, 12.0, 9.0],
                           "kind": ["arousal", "apnea", "hypopnea", "rera"],
                           "channel": ["", "", "", ""],
                           "label": ["Arousal", "Central Apnea", "Hypopnea", "RERA"]})
    path = tmp_path / "scored.xml"
    write_nsrr_xml(every_kind_events(1), path, hypnogram=small_hypnogram(), duration=3600.0,
                   scored_events=scored)
    got = io.read_scorings(path).events
    for _, row in scored.iterrows():
        hit = got[np.isclose(got["onset"], row["onset"])]
        assert list(hit["kind"]) == [row["kind"]]
        assert np.isclose(hit["duration"].item(), row["duration"])
