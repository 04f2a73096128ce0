"""The command line starts light: its parser is built without NumPy, pandas, SciPy
or Matplotlib, which each command imports only when it runs (issue 11, start-up).

Each case runs in a fresh interpreter and reads ``sys.modules`` there; the
start-up time itself is measured by ``benchmarks/bench_startup.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
HEAVY = ("numpy", "pandas", "scipy", "matplotlib", "edfio", "jinja2")


def _loaded_after(code: str) -> dict[str, object]:
    probe = (
        "import contextlib, io, json, sys\n"
        "status = None\n"
        "with contextlib.redirect_stdout(io.StringIO()) as out, "
        "contextlib.redirect_stderr(io.StringIO()) as err:\n"
        "    try:\n"
        + "".join(f"        {line}\n" for line in code.splitlines())
        + "    except SystemExit as exc:\n"
        "        status = exc.code\n"
        f"heavy = sorted(m for m in {HEAVY!r} if m in sys.modules)\n"
        "print(json.dumps({'heavy': heavy, 'status': status, 'out': out.getvalue(), "
        "'err': err.getvalue()}))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=env, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_import_somnomotor_is_light() -> None:
    assert _loaded_after("import somnomotor")["heavy"] == []


def test_import_cli_is_light() -> None:
    assert _loaded_after("import somnomotor.cli")["heavy"] == []


def test_help_lists_every_command_without_heavy_imports() -> None:
    from somnomotor.cli import COMMANDS

    got = _loaded_after("from somnomotor.cli import main\nmain(['--help'])")
    assert got["status"] == 0
    assert got["heavy"] == []
    for name in COMMANDS:
        assert f"    {name.replace('_', '-')} " in str(got["out"]) or \
            f"    {name.replace('_', '-')}\n" in str(got["out"])


@pytest.mark.parametrize("argv", [["--version"], ["no-such-command"], ["info"],
                                  ["info", "--help"], ["diary", "--help"]])
def test_usage_answers_without_heavy_imports(argv: list[str]) -> None:
    got = _loaded_after(f"from somnomotor.cli import main\nmain({argv!r})")
    assert got["status"] in (0, 2)
    assert got["heavy"] == []


def test_a_command_imports_the_library_when_it_runs(tmp_path: Path) -> None:
    # The counterpart: running `info` does load the reader (and NumPy with it).
    got = _loaded_after(f"from somnomotor.cli import main\n"
                        f"main(['info', {str(tmp_path / 'missing.edf')!r}])")
    assert "numpy" in got["heavy"]
    assert "missing.edf" in str(got["err"])
