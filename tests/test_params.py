"""Parameter files are validated in one place (params.from_mapping): one line per error.

Every kind of error names the file, the [section], the key and what is allowed:
ranges (no negative thresholds), choices, cross-field rules, types (a string
where a list belongs; a fraction where a count belongs), sub-tables.
"""

from __future__ import annotations

import dataclasses

import pytest

from somnomotor.cli import main
from somnomotor.errors import ParameterError
from somnomotor.params import allowed
from somnomotor.pipeline import AnalysisParams, parameter_classes


def _error(tmp_path, text: str) -> str:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    with pytest.raises(ParameterError) as info:
        AnalysisParams.from_toml(path)
    message = str(info.value)
    assert "\n" not in message and message.startswith(f"{path}: ")
    return message.removeprefix(f"{path}: ")


@pytest.mark.parametrize("text, expected", [
    # Ranges: thresholds and durations are never negative (WASM 2016 onset 8 µV above rest).
    ("[leg_detection]\nonset_threshold_uv = -8.0\n",
     "[leg_detection] onset_threshold_uv = -8.0: allowed a number ≥ 0"),
    ("[muscles.rem]\ntonic_fraction = 1.5\n",
     "[muscles.rem] tonic_fraction = 1.5: allowed a number from 0 to 1"),
    ("[muscles.bursts]\nenvelope_s = 0\n",
     "[muscles.bursts] envelope_s = 0.0: allowed a number > 0"),
    ("[legs]\nmin_series_length = 1\n",
     "[legs] min_series_length = 1: allowed an integer ≥ 2"),
    ("[legs]\nimi_max_s = nan\n", "[legs] imi_max_s = nan: allowed a number ≥ 0"),
    # Choices.
    ("[legs]\nrule_set = \"wasm\"\n",
     "[legs] rule_set = 'wasm': allowed one of 'wasm2016', 'aasm'"),
    ("[conditioning]\nmains = \"55\"\n",
     "[conditioning] mains = '55': allowed one of 'auto', '50', '60', 'none'"),
    ("[muscles.patterns]\nhypnic_stages = [\"W\", \"REM\"]\n",
     "[muscles.patterns] hypnic_stages = ['W', 'REM']: allowed a list of items from "
     "'W', 'N1', 'N2', 'N3', 'R'"),
    # Cross-field rules (WASM 2016: IMI 10-90 s; band edges).
    ("[legs]\nimi_min_s = 95\n",
     "[legs] imi_min_s = 95.0: allowed < imi_max_s (which is 90.0)"),
    ("[legs]\nimi_max_s = 5\n",
     "[legs] imi_max_s = 5.0: allowed > imi_min_s (which is 10.0)"),
    ("[conditioning]\nband_low_hz = 120\n",
     "[conditioning] band_low_hz = 120.0: allowed < band_high_hz (which is 100.0)"),
    ("[leg_detection]\noffset_threshold_uv = 9\n",
     "[leg_detection] offset_threshold_uv = 9.0: allowed ≤ onset_threshold_uv (which is 8.0)"),
    # Types.
    ("[muscles]\nchin_muscles = \"mentalis\"\n",
     "[muscles] chin_muscles = 'mentalis': allowed a list of text"),
    ("[muscles]\nchin_muscles = [\"mentalis\", 3]\n",
     "[muscles] chin_muscles = ['mentalis', 3]: allowed a list of text"),
    ("[legs]\nmin_series_length = 4.0\n",
     "[legs] min_series_length = 4.0: allowed an integer ≥ 2"),
    ("[legs]\nimi_min_s = true\n", "[legs] imi_min_s = True: allowed a number ≥ 0"),
    ("[legs]\nimi_min_s = \"10\"\n", "[legs] imi_min_s = '10': allowed a number ≥ 0"),
    ("[conditioning]\nnoise_adaptive = 1\n",
     "[conditioning] noise_adaptive = 1: allowed true or false"),
    ("[muscles]\nbursts = 3\n", "[muscles] bursts = 3: allowed a table"),
])
def test_each_kind_of_bad_value_is_one_line_naming_file_section_key_and_range(
        tmp_path, text, expected):
    assert _error(tmp_path, text) == expected


def test_unknown_key_in_a_sub_table_names_file_and_section(tmp_path):
    message = _error(tmp_path, "[muscles.rem]\ntonic_fractoin = 0.4\n")
    assert "unknown parameter(s) tonic_fractoin in [muscles.rem]" in message


def test_good_values_are_accepted_and_converted_honestly(tmp_path):
    path = tmp_path / "ok.toml"
    path.write_text("[legs]\nimi_min_s = 5\nimi_max_s = 60\nrule_set = \"aasm\"\n"
                    "[muscles]\nchin_muscles = [\"mentalis\"]\n[muscles.rem]\ntonic_fraction = 0.4\n")
    params = AnalysisParams.from_toml(path)
    assert params["legs"].imi_min_s == 5.0 and isinstance(params["legs"].imi_min_s, float)
    assert params["muscles"].chin_muscles == ("mentalis",)
    assert params["muscles"].rem.tonic_fraction == 0.4


def _all_parameter_classes() -> list[type]:
    seen: list[type] = []
    todo = list(parameter_classes().values())
    while todo:
        cls = todo.pop()
        seen.append(cls)
        default = cls()
        todo += [type(getattr(default, f.name)) for f in dataclasses.fields(cls)
                 if dataclasses.is_dataclass(getattr(default, f.name))]
    return seen


@pytest.mark.parametrize("cls", _all_parameter_classes(), ids=lambda c: c.__name__)
def test_defaults_satisfy_their_own_constraints_and_rules_name_real_fields(cls):
    names = {f.name for f in dataclasses.fields(cls)}
    default = cls()
    for f in dataclasses.fields(cls):
        for rule in ("below", "at_most"):
            if rule in f.metadata:
                assert f.metadata[rule] in names, (cls.__name__, f.name)
        assert allowed(f, getattr(default, f.name))  # every field can say what it allows
    AnalysisParams.defaults()  # validates every section's defaults


@pytest.fixture(scope="module")
def small_night(tmp_path_factory):
    from somnomotor.simulate import simulate_night, write_night

    path = tmp_path_factory.mktemp("night") / "night.edf"
    write_night(simulate_night("healthy", hours=0.1, seed=1), path)
    return path


def test_analyze_with_a_bad_parameters_file_is_one_line_exit_1(small_night, tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[legs]\nimi_min_s = -10\n")
    code = main(["analyze", str(small_night), "--params", str(bad), "--out",
                 str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 1
    assert err == [f"somnomotor: {bad}: [legs] imi_min_s = -10.0: allowed a number ≥ 0"]
    assert not (tmp_path / "out").exists()  # nothing written
