"""The command line's promises (interfaces.md): --help, exit 2 on bad usage,
exit 1 with one line on standard error for a user's problem."""

import pytest

from somnomotor.cli import main
from somnomotor.errors import MissingExtraError, SomnomotorError


def test_help_exits_zero(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    assert exc.value.code == 0
    assert "analyze" in capsys.readouterr().out


def test_unknown_option_is_bad_usage_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["analyze", "--no-such-option"])
    assert exc.value.code == 2


def test_user_error_is_one_line_naming_the_file(tmp_path, capsys):
    broken = tmp_path / "broken.edf"
    broken.write_bytes(b"0       not an edf at all")
    assert main(["analyze", str(broken), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "broken.edf" in err[0] and "Traceback" not in err[0]
    assert not (tmp_path / "out" / "summary.json").exists()


def test_error_message_names_path_and_problem():
    e = SomnomotorError("channel 'LAT' has sampling rate 0 in its header", "night3.edf")
    assert str(e) == "night3.edf: channel 'LAT' has sampling rate 0 in its header"


def test_missing_extra_names_the_extra():
    e = MissingExtraError("staging", "automatic sleep staging", "yasa")
    assert "somnomotor[staging]" in str(e) and "yasa" in str(e)


def test_unwritable_output_folder_is_one_line_exit_1(tmp_path, capsys):
    from somnomotor.simulate import simulate_night, write_night

    night = tmp_path / "n.edf"
    write_night(simulate_night("healthy", hours=0.25, seed=1), night)
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert main(["analyze", str(night), "--out", str(blocker / "out"), "--no-report"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "file" in err[0] and "internal error" not in err[0]


def _parsers(parser, name="somnomotor"):
    import argparse

    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from _parsers(sub, f"{name} {sub_name}")


def test_every_argument_of_every_command_has_help_and_the_help_reads_cleanly():
    """Issue 13: '95%%' in compare --help; batch --help arguments without help."""
    import argparse

    from somnomotor.cli import build_parser

    seen = 0
    for name, parser in _parsers(build_parser()):
        text = parser.format_help()
        assert "%%" not in text and "%(" not in text, name
        for action in parser._actions:
            if isinstance(action, argparse._HelpAction | argparse._SubParsersAction) or \
                    action.help == argparse.SUPPRESS:
                continue
            assert action.help, f"{name}: {action.dest} has no help"
            seen += 1
    assert seen > 50
