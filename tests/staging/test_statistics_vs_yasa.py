"""Our sleep statistics against YASA's ``Hypnogram.sleep_statistics()`` on the same nights.

Where the definitions agree the numbers must be equal (YASA rounds to 4
decimals).  Where they differ, the test states how and checks the relation:

* TIB — YASA: the whole hypnogram; ours: the scored span (unscored ends out).
  Equal when the hypnogram has no unscored ends.
* SOL — YASA: from the first epoch of the hypnogram; ours: from lights off
  (default the first scored epoch).  Equal without unscored leading epochs.
* REM latency — YASA ``Lat_REM``: from the start of the hypnogram; ours, as the
  AASM defines it: from sleep onset, i.e. ``Lat_REM - SOL``.
* WASO — YASA: W within SPT = our ``waso_spt_min``; our ``waso_min`` is the AASM
  "W from sleep onset to lights on", adding the wake after the final awakening.
* SE and stage percentages — YASA in %, our ``sleep_efficiency`` a fraction.
* Undefined values — YASA NaN (SOL) or 0 (SPT without sleep); ours None.
"""

from __future__ import annotations

import pytest
import yasa
from hypothesis import given, settings
from hypothesis import strategies as st

from somnomotor.hypnogram import Hypnogram
from somnomotor.staging import sleep_statistics

_TO_YASA = {"W": "WAKE", "N1": "N1", "N2": "N2", "N3": "N3", "R": "REM", "?": "UNS"}


def yasa_stats(labels: list[str]) -> dict[str, float]:
    return {k: float(v) for k, v in
            yasa.Hypnogram([_TO_YASA[x] for x in labels], freq="30s").sleep_statistics().items()}


def assert_agrees_with_yasa(labels: list[str]) -> None:
    ours = sleep_statistics(Hypnogram.from_labels(labels))
    theirs = yasa_stats(labels)
    close = {"abs": 1e-4}
    # Agreeing definitions (hypnograms here start and end with a scored epoch).
    assert ours["tib_min"] == pytest.approx(theirs["TIB"], **close)
    assert ours["tst_min"] == pytest.approx(theirs["TST"], **close)
    assert 100 * ours["sleep_efficiency"] == pytest.approx(theirs["SE"], **close)
    for ours_key, yasa_key in (("wake_min", "WAKE"), ("n1_min", "N1"), ("n2_min", "N2"),
                               ("n3_min", "N3"), ("rem_min", "REM")):
        assert ours[ours_key] == pytest.approx(theirs[yasa_key], **close), ours_key
    if ours["sol_min"] is None:
        # No sleep: YASA SOL NaN, SPT 0; ours None for both.
        assert theirs["SOL"] != theirs["SOL"]
        assert theirs["SPT"] == 0 and ours["spt_min"] is None
        return
    assert ours["sol_min"] == pytest.approx(theirs["SOL"], **close)
    assert ours["spt_min"] == pytest.approx(theirs["SPT"], **close)
    assert 100 * ours["sleep_maintenance_efficiency"] == pytest.approx(theirs["SME"], **close)
    # WASO: YASA's is within SPT.
    assert ours["waso_spt_min"] == pytest.approx(theirs["WASO"], **close)
    assert ours["waso_min"] >= ours["waso_spt_min"]
    # REM latency: YASA from the recording start, AASM from sleep onset.
    if ours["rem_latency_min"] is None:
        assert theirs["Lat_REM"] != theirs["Lat_REM"]
    else:
        assert ours["rem_latency_min"] == pytest.approx(theirs["Lat_REM"] - theirs["SOL"],
                                                        **close)
    for ours_key, yasa_key in (("n1_percent", "%N1"), ("n2_percent", "%N2"),
                               ("n3_percent", "%N3"), ("rem_percent", "%REM")):
        assert ours[ours_key] == pytest.approx(theirs[yasa_key], abs=1e-3), ours_key


@pytest.mark.parametrize("labels", [
    ["W"] * 6,                                                   # no sleep at all
    ["N2", "N2", "N3", "R", "W", "N2"],                          # sleep from the first epoch
    ["W", "N1", "?", "?", "N2", "W"],                            # unscored inside the night
    ["W", "W", "N1", "N2", "N3", "N3", "R", "W", "N2", "R"],    # final awakening at the end
    ["W", "N1", "N2", "W", "N2", "W", "W", "W"],                 # wake after final awakening
])
def test_statistics_equal_yasa_where_definitions_agree(labels: list[str]) -> None:
    assert_agrees_with_yasa(labels)


scored = st.sampled_from(["W", "N1", "N2", "N3", "R"])
any_stage = st.sampled_from(["W", "N1", "N2", "N3", "R", "?"])


@settings(max_examples=40, deadline=None)
@given(scored, st.lists(any_stage, max_size=120), scored)
def test_statistics_equal_yasa_on_random_nights(first: str, middle: list[str], last: str) -> None:
    assert_agrees_with_yasa([first, *middle, last])


def test_tib_and_sol_differ_from_yasa_only_by_the_unscored_ends() -> None:
    """YASA counts unscored leading/trailing epochs in TIB and SOL; we leave them out."""
    labels = ["?", "?", "W", "N2", "N2", "W", "?"]
    ours = sleep_statistics(Hypnogram.from_labels(labels))
    theirs = yasa_stats(labels)
    assert theirs["TIB"] - ours["tib_min"] == pytest.approx(1.5)     # three '?' epochs
    assert theirs["SOL"] - ours["sol_min"] == pytest.approx(1.0)     # two leading '?'
    assert ours["tst_min"] == pytest.approx(theirs["TST"])


_RK_TO_AASM = {"Sleep stage W": "W", "Sleep stage 1": "N1", "Sleep stage 2": "N2",
               "Sleep stage 3": "N3", "Sleep stage 4": "N3", "Sleep stage R": "R",
               "Sleep stage ?": "?", "Movement time": "?"}


def sleep_edf_stages(path) -> list[str]:
    """Stages per 30-s epoch from a Sleep-EDF hypnogram, decoded here with edfio."""
    import edfio

    stages: list[str] = []
    for ann in edfio.read_edf(path).annotations:
        assert ann.onset == pytest.approx(30.0 * len(stages))      # contiguous, epoch-aligned
        stages += [_RK_TO_AASM[ann.text]] * round(ann.duration / 30.0)
    return stages


@pytest.mark.realdata
def test_real_sleep_edf_night_statistics_against_yasa(sleep_edf_dir) -> None:
    """SC4001 (24 h, R&K stages 3+4 → N3): same TST/SOL/SPT/stages; TIB without the ? tail."""
    labels = sleep_edf_stages(sleep_edf_dir / "SC4001EC-Hypnogram.edf")
    ours = sleep_statistics(Hypnogram.from_labels(labels))
    theirs = yasa_stats(labels)
    last_scored = max(i for i, x in enumerate(labels) if x != "?")
    trailing_unscored = len(labels) - 1 - last_scored
    assert trailing_unscored == 230
    assert theirs["TIB"] - ours["tib_min"] == pytest.approx(trailing_unscored * 0.5)
    assert ours["tst_min"] == pytest.approx(theirs["TST"])
    assert ours["sol_min"] == pytest.approx(theirs["SOL"])
    assert ours["spt_min"] == pytest.approx(theirs["SPT"])
    assert ours["waso_spt_min"] == pytest.approx(theirs["WASO"])
    assert ours["rem_latency_min"] == pytest.approx(theirs["Lat_REM"] - theirs["SOL"])
    assert ours["n3_min"] == pytest.approx(theirs["N3"]) == (119 + 101) * 0.5
    # AASM WASO adds the wake after the final awakening (the long morning W run)
    assert ours["waso_min"] - ours["waso_spt_min"] == pytest.approx(27240.0 / 60.0)
