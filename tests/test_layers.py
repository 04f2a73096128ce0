"""The layering is a contract the build checks (architecture.md, docs/internal-api.md).

Each import-linter contract in ``pyproject.toml`` is run with ``lint-imports``
on the sources under test; its own exit status decides.  A copy of the package
with one deliberate violation shows that the contracts bite.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
SRC = ROOT / "src"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

CONTRACTS = [c["id"] for c in tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
             ["contracts"]]

#: Contracts the sources do not keep yet, with the reason; remove an entry when it holds
#: (strict: a contract that starts holding while listed here fails the suite).
NOT_YET: dict[str, str] = {}


def _lint(src: Path, *contracts: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(src)}
    args = [str(LINT_IMPORTS), "--no-cache", "--no-logo", str(PYPROJECT)]
    for c in contracts:
        args += ["--contract", c]
    return subprocess.run(args, cwd=src.parent, env=env, capture_output=True, text=True,
                          timeout=120)


def test_every_contract_is_named() -> None:
    assert {"layers", "no-cli-or-apps-in-library", "analysis-blind-to-simulator",
            "score-takes-tables", "no-circles"} <= set(CONTRACTS)


@pytest.mark.parametrize("contract", [
    pytest.param(c, marks=pytest.mark.xfail(reason=NOT_YET[c], strict=True)) if c in NOT_YET
    else c for c in CONTRACTS])
def test_contract_holds(contract: str) -> None:
    done = _lint(SRC, contract)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "KEPT" in done.stdout


VIOLATIONS = {
    # io reaching up to montage was one of the circles of issue 11.
    "layers": ("io/vocab.py", "from ..montage import apply_montage",
               "somnomotor.io.vocab -> somnomotor.montage"),
    # the library reaching for the month demo.
    "no-cli-or-apps-in-library": ("store/schema.py", "from ..apps import demo",
                                  "somnomotor.store.schema -> somnomotor.apps.demo"),
    # web.data and web.review importing each other again.
    "no-circles": ("web/data.py", "from . import review", "No cycles are allowed in somnomotor.web"),
}


@pytest.mark.parametrize("contract", sorted(VIOLATIONS))
def test_a_deliberate_violation_breaks_the_contract(contract: str, tmp_path: Path) -> None:
    where, line, shown = VIOLATIONS[contract]
    copy = tmp_path / "src"
    shutil.copytree(SRC / "somnomotor", copy / "somnomotor",
                    ignore=shutil.ignore_patterns("__pycache__"))
    module = copy / "somnomotor" / where
    module.write_text(module.read_text() + f"\n{line}  # noqa\n")
    done = _lint(copy, contract)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "BROKEN" in done.stdout
    assert shown in done.stdout
