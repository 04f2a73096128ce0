"""The allocator setting (glibc mallopt) is the command line's choice, never the library's.

:func:`somnomotor._util.reuse_freed_memory` changes the C allocator of the whole
process; a program that imports somnomotor must not have it changed behind its
back.  The library's analysis never calls it; ``somnomotor analyze`` and
``somnomotor batch`` (its worker processes) do.
"""

import subprocess
import sys

import pytest

from somnomotor import _util


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    from somnomotor.simulate import simulate_night, write_night

    path = tmp_path_factory.mktemp("alloc") / "n.edf"
    # A trunk channel and no ECG: the R peaks are sought in the trunk (ecg.py) too.
    write_night(simulate_night("polio_mixed", hours=0.2, seed=3,
                               settings={"channels": "LAT,RAT,Chin1-Chin2,Intercostal R,C3-M2"}),
                path)
    return path


def _spy(monkeypatch):
    calls = []
    monkeypatch.setattr(_util, "reuse_freed_memory", lambda: calls.append(1) or True)
    return calls


def test_library_analysis_does_not_touch_the_allocator(night, monkeypatch):
    import somnomotor
    from somnomotor.signal.ecg import detect_r_peaks

    calls = _spy(monkeypatch)
    rec = somnomotor.read(night)
    res = somnomotor.analyze(rec, staging="none")
    detect_r_peaks(rec.read("Intercostal R"), rec.channel("Intercostal R").fs)
    assert len(res.events) > 0  # the analysis ran through every channel
    assert calls == []


def test_a_fresh_process_importing_and_analysing_keeps_its_allocator(night):
    code = ("import sys, somnomotor, somnomotor._util as u; "
            "somnomotor.analyze(somnomotor.read(sys.argv[1]), staging='none'); "
            "print(u._done)")
    out = subprocess.run([sys.executable, "-c", code, str(night)], capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_the_command_line_analysis_opts_in(night, tmp_path, monkeypatch):
    from somnomotor.cli import main

    calls = _spy(monkeypatch)
    assert main(["analyze", str(night), "--out", str(tmp_path / "out"), "--no-report",
                 "--no-staging"]) == 0
    assert calls == [1]


def test_batch_opts_in_only_when_asked(night, tmp_path, monkeypatch):
    from somnomotor.batch import runner

    calls = []
    monkeypatch.setattr(runner, "reuse_freed_memory", lambda: calls.append(1) or True)
    runner.run_batch([night], tmp_path / "a", workers=1, staging="none", report=False)
    assert calls == []
    runner.run_batch([night], tmp_path / "b", workers=1, staging="none", report=False,
                     reuse_memory=True)
    assert calls == [1]
