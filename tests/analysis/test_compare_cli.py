"""``somnomotor compare``: terminal table, compare.json, a self-contained compare.html."""

from __future__ import annotations

import json
import re

import pytest

from somnomotor.apps.demo import run_month_demo
from somnomotor.apps.month import load_month_into_store, simulate_month
from somnomotor.cli import main
from somnomotor.store import Store


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("cmp") / "s.db"
    with Store(path) as st:
        load_month_into_store(st, simulate_month("P1", nights=35, seed=21))
    return path


def test_compare_writes_table_json_and_html(db, tmp_path, capsys):
    assert main(["compare", "P1", "--db", str(db), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "PLMS index (ratio; 35 nights)" in out
    assert "evening alcohol, per standard unit" in out and "alprazolam, 2 mg vs none" in out
    assert "do not recommend" in out
    data = json.loads((tmp_path / "compare.json").read_text())
    assert data["subject"] == "P1" and data["nights"]["recorded"] == 35
    assert {"effects", "dose_response", "tolerance", "confounding", "method"} <= set(data)
    plms_alcohol = [e for e in data["effects"] if e["outcome"] == "plms_index"
                    and e["factor"] == "alcohol_units"][0]
    assert plms_alcohol["ci_low"] < plms_alcohol["estimate"] < plms_alcohol["ci_high"]
    html = (tmp_path / "compare.html").read_text()
    assert html.count("data:image/png;base64,") == 3
    assert not re.search(r"(src|href)=\"(https?:)?//", html)  # nothing fetched from outside
    assert "they do not recommend" in html and "Tolerance check" in html


def test_compare_of_an_unknown_subject_is_one_line_exit_1(db, tmp_path, capsys):
    assert main(["compare", "NOBODY", "--db", str(db), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "unknown subject 'NOBODY'" in err[0]
    assert not (tmp_path / "compare.json").exists()


def test_plan_abab_prints_and_saves_a_schedule(db, tmp_path, capsys):
    assert main(["compare", "P1", "--db", str(db), "--out", str(tmp_path),
                 "--plan-abab", "hot_bath", "--seed", "3"]) == 0
    out = capsys.readouterr().out
    assert out.count("block ") == 4 and "hot bath before bed" in out
    lines = (tmp_path / "abab-hot_bath.csv").read_text().splitlines()
    assert lines[0] == "date,block,condition,description,factor" and len(lines) == 29
    assert lines[1].startswith("2024-02-05")  # the day after the last diary night


def test_plan_abab_with_an_unknown_factor_is_one_line_exit_1(db, tmp_path, capsys):
    assert main(["compare", "P1", "--db", str(db), "--plan-abab", "coffee"]) == 1
    assert "unknown factor 'coffee'" in capsys.readouterr().err


def test_month_demo_makes_a_fresh_store_and_a_comparison(tmp_path):
    paths = run_month_demo(tmp_path, nights=12, seed=2, fast=True)
    paths2 = run_month_demo(tmp_path, nights=12, seed=2, fast=True)  # a fresh store each time
    assert paths == paths2 and paths["html"].exists()
    with Store(paths["db"]) as st:
        assert len(st.nights("demo")) == 12 and len(st.diary("demo")) == 12


def test_compare_of_nights_without_a_diary_says_so(tmp_path, capsys):
    from somnomotor.store import file_night

    db = tmp_path / "s.db"
    for day in range(1, 6):
        file_night(db, "R1", f"2024-04-{day:02d}", {"plms_index": 10.0 + day, "tst_h": 7.0})
    assert main(["compare", "R1", "--db", str(db), "--out", str(tmp_path / "o")]) == 0
    out = capsys.readouterr().out
    assert "not enough nights to compare yet" in out
    assert "cannot be compared yet" in out
    assert (tmp_path / "o" / "compare.html").read_text().count("data:image/png") == 1
