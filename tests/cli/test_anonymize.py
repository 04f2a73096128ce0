"""``somnomotor anonymize IN OUT``: exit codes and messages."""

from __future__ import annotations

import hashlib

from somnomotor.cli import main

from ..test_anonymize import IDENTIFYING, _make


def test_anonymize_command_writes_a_clean_copy(tmp_path, capsys):
    src = tmp_path / "harry.edf"
    _make(src, n_seconds=30)
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    out = tmp_path / "anon" / "subject07.edf"
    assert main(["anonymize", str(src), str(out), "--keep-year"]) == 0
    printed = capsys.readouterr().out
    assert "3 redacted" in printed and "start date 01.01.25" in printed
    assert "Haagse_Harry" not in printed
    data = out.read_bytes()
    assert not any(n in data for n in IDENTIFYING if n not in (b"1951",))
    assert hashlib.sha256(src.read_bytes()).hexdigest() == digest


def test_anonymize_bad_input_is_one_line_and_exit_1(tmp_path, capsys):
    bad = tmp_path / "broken.edf"
    bad.write_bytes(b"0       " + b"x" * 50)
    assert main(["anonymize", str(bad), str(tmp_path / "o.edf")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "broken.edf" in err[0] and "too short to be EDF" in err[0]


def test_anonymize_usage_error_exits_2(capsys):
    import pytest

    with pytest.raises(SystemExit) as exc:
        main(["anonymize", "only-one-argument.edf"])
    assert exc.value.code == 2
