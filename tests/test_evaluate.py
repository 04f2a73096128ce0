"""Event-level evaluation: one-to-one overlap matching, per-kind figures, index differences."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

from somnomotor import evaluate as evaluate_module
from somnomotor.evaluate import evaluate, format_table, index_differences, match_events


def ev(rows: list[tuple]) -> pd.DataFrame:
    cols = ["onset", "duration", "kind", "side"]
    return pd.DataFrame([r + ("",) * (4 - len(r)) for r in rows], columns=cols)


def test_perfect_agreement_gives_f1_one_and_zero_onset_error() -> None:
    t = ev([(10.0, 1.0, "lm", "left"), (30.0, 2.0, "lm", "right")])
    m = evaluate(t, t.copy())["kinds"]["lm"]
    assert (m["precision"], m["recall"], m["f1"]) == (1.0, 1.0, 1.0)
    assert m["onset_error_median_abs_s"] == 0.0


def test_counts_false_positives_and_negatives() -> None:
    t = ev([(10.0, 1.0, "lm"), (30.0, 1.0, "lm"), (50.0, 1.0, "lm")])
    e = ev([(10.2, 1.0, "lm"), (70.0, 1.0, "lm")])
    m = evaluate(t, e)["kinds"]["lm"]
    assert (m["tp"], m["fp"], m["fn"]) == (1, 1, 2)
    assert m["precision"] == 0.5 and m["recall"] == pytest.approx(1 / 3)
    assert m["f1"] == pytest.approx(2 * 1 / (3 + 2))
    assert m["onset_error_mean_s"] == pytest.approx(0.2)


def test_matching_is_one_to_one_largest_overlap_first() -> None:
    # One long detection overlapping two truth events matches only the better one.
    t = pd.DataFrame({"onset": [0.0, 2.0], "duration": [1.0, 3.0]})
    e = pd.DataFrame({"onset": [0.5], "duration": [4.0]})
    assert match_events(t, e) == [(1, 0, 2.5)]


def test_leg_movements_must_be_on_the_same_leg_to_match() -> None:
    t = ev([(10.0, 1.0, "lm", "left")])
    e = ev([(10.0, 1.0, "lm", "right")])
    assert evaluate(t, e)["kinds"]["lm"]["tp"] == 0
    assert evaluate(t, e, match_on={})["kinds"]["lm"]["tp"] == 1


def test_min_overlap_is_respected() -> None:
    t = ev([(10.0, 1.0, "plm")])
    e = ev([(10.8, 1.0, "plm")])
    assert evaluate(t, e)["kinds"]["plm"]["tp"] == 1
    assert evaluate(t, e, min_overlap=0.5)["kinds"]["plm"]["tp"] == 0


def test_touching_intervals_do_not_match_but_a_point_inside_does() -> None:
    t = pd.DataFrame({"onset": [10.0, 20.0], "duration": [1.0, 1.0]})
    e = pd.DataFrame({"onset": [11.0, 20.5], "duration": [1.0, 0.0]})
    assert match_events(t, e) == [(1, 1, 0.0)]


def test_kinds_evaluated_separately_and_undefined_ratios_are_none() -> None:
    t = ev([(10.0, 1.0, "lm"), (10.0, 1.0, "myoclonus")])
    res = evaluate(t, ev([(10.0, 1.0, "lm")]))
    assert res["kinds"]["lm"]["f1"] == 1.0
    my = res["kinds"]["myoclonus"]
    assert my["recall"] == 0.0 and my["precision"] is None and my["onset_error_mean_s"] is None


def test_index_differences_of_two_summaries() -> None:
    a = {"plms_index": 20.0, "plms_index_by_stage": {"N2": 10.0}, "index_basis": "sleep"}
    b = {"plms_index": 22.5, "plms_index_by_stage": {"N2": 9.0}, "index_basis": "sleep"}
    d = index_differences(a, b)
    assert d["plms_index"]["difference"] == 2.5
    assert d["plms_index_by_stage.N2"]["difference"] == -1.0
    assert "index_basis" not in d


def test_many_events_match_fast_and_exactly() -> None:
    rng = np.random.default_rng(0)
    on = np.sort(rng.uniform(0, 28800, 3000))
    t = pd.DataFrame({"onset": on, "duration": 1.0, "kind": "lm"})
    e = pd.DataFrame({"onset": on + rng.normal(0, 0.05, on.size), "duration": 1.0, "kind": "lm"})
    m = evaluate(t, e)["kinds"]["lm"]
    assert m["tp"] >= 2990


def test_format_table_lists_every_kind() -> None:
    text = format_table(evaluate(ev([(1.0, 1.0, "lm"), (5.0, 1.0, "plm")]),
                                 ev([(1.0, 1.0, "lm")])))
    assert "lm" in text and "plm" in text and "—" in text


def test_docstring_examples_run() -> None:
    res = doctest.testmod(evaluate_module, extraglobs={"pd": pd})
    assert res.failed == 0 and res.attempted > 0


def test_evaluate_reports_each_body_region_of_a_kind():
    t = pd.DataFrame({"onset": [1.0, 5.0, 9.0], "duration": 1.0, "kind": "contraction",
                      "channel": ["A", "B", "B"], "muscle": ["fds", "scm", "scm"]})
    e = pd.DataFrame({"onset": [1.2, 5.1, 20.0], "duration": 1.0, "kind": "contraction",
                      "channel": ["A", "B", "B"], "muscle": ["fds", "scm", "scm"]})
    out = evaluate(t, e)
    assert out["regions"]["contraction"]["arm"]["f1"] == 1.0
    neck = out["regions"]["contraction"]["neck"]
    assert (neck["tp"], neck["fp"], neck["fn"]) == (1, 1, 1)
    assert "  neck" in format_table(out)


def test_a_classification_in_the_pattern_column_is_compared_as_its_own_kind() -> None:
    # Neck myoclonus is no events kind: the analysis writes it as the pattern of
    # contraction rows, the truth as rows of its own. Both must meet in evaluate.
    truth = pd.DataFrame({"onset": [5.0, 50.0], "duration": 0.2,
                          "kind": "neck_myoclonus", "channel": "SCM L"})
    found = pd.DataFrame({"onset": [5.01, 30.0, 80.0], "duration": 0.2,
                          "kind": "contraction", "channel": "SCM L",
                          "pattern": ["neck_myoclonus", "neck_myoclonus", ""]})
    m = evaluate(truth, found)["kinds"]["neck_myoclonus"]
    assert (m["tp"], m["fp"], m["fn"]) == (1, 1, 1)
    # A table that already holds rows of the kind is not counted twice.
    both = pd.concat([found, found.iloc[:1].assign(kind="neck_myoclonus")], ignore_index=True)
    m = evaluate(truth, both)["kinds"]["neck_myoclonus"]
    assert (m["n_detected"], m["tp"]) == (1, 1)
    # The contraction rows themselves are still compared as contractions.
    assert evaluate(found, found)["kinds"]["contraction"]["n_detected"] == 3
