"""Every module imports without the optional extras, so doctest collection never depends on them.

``make test`` collects the doctests of every module (``--doctest-modules`` over
``src/somnomotor``); a core install (no YASA, MNE, Dask, FastAPI, …) must be
able to import each module too, or a user's ``pytest --doctest-modules`` and
the library itself would fail on import.  The extras are blocked in a fresh
interpreter and every module is imported.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

_SCRIPT = r"""
import importlib, pkgutil, sys
BLOCKED = {"yasa", "mne", "lightgbm", "numba", "dask", "distributed", "fastapi", "uvicorn",
           "starlette", "httpx", "playwright", "pyedflib", "statsmodels", "hypothesis"}

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"blocked optional extra: {name}")
        return None

sys.meta_path.insert(0, Block())
import somnomotor
failed = []
for mod in pkgutil.walk_packages(somnomotor.__path__, "somnomotor."):
    try:
        importlib.import_module(mod.name)
    except Exception as exc:
        failed.append(f"{mod.name}: {type(exc).__name__}: {exc}")
print("\n".join(failed) if failed else "ok")
"""


def test_every_module_imports_without_optional_extras():
    out = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True,
                         env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin"}, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok", out.stdout
