"""``somnomotor review``: options, defaults and one-line errors (the server is not started)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from somnomotor.cli import main


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Capture what would be handed to uvicorn.run instead of serving."""
    import uvicorn

    seen: dict[str, Any] = {}

    def fake_run(app: Any, **kwargs: Any) -> None:
        seen["app"] = app
        seen.update(kwargs)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    return seen


def test_help_lists_the_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["review", "--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for option in ("--root", "--db", "--host", "--port", "--recording"):
        assert option in out


def test_serves_on_loopback_port_8765_by_default(served: dict[str, Any], results: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", "--root", str(results)]) == 0
    assert served["host"] == "127.0.0.1" and served["port"] == 8765
    assert "http://127.0.0.1:8765/" in capsys.readouterr().out
    from fastapi.testclient import TestClient

    c = TestClient(served["app"], base_url="http://127.0.0.1:8765")
    assert [n["id"] for n in c.get("/api/nights").json()["nights"]] == ["batch/b1", "night"]


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_every_interface_warns_and_accepts_any_host_name(served: dict[str, Any], results: Path,
                                                        capsys: pytest.CaptureFixture[str]
                                                        ) -> None:
    port = _free_port()
    assert main(["review", "--root", str(results), "--host", "0.0.0.0", "--port", str(port)]) == 0
    assert served["host"] == "0.0.0.0"
    assert "no login" in capsys.readouterr().err
    from fastapi.testclient import TestClient

    c = TestClient(served["app"], base_url=f"http://sleeplab-pc.local:{port}")
    assert c.get("/api/nights").status_code == 200


def test_unusable_address_is_one_line(served: dict[str, Any], results: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["review", "--root", str(results), "--host", "192.0.2.1"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith("somnomotor: --host 192.0.2.1 --port 8765: cannot listen there")
    assert "app" not in served


def test_recording_mapping_makes_the_signal_available(served: dict[str, Any], tmp_path: Path,
                                                      recording_file: Path) -> None:
    from _nights import write_night
    from fastapi.testclient import TestClient

    out = tmp_path / "results"
    write_night(out / "n1", recording=recording_file)
    assert main(["review", "--root", str(out), "--recording", f"n1={recording_file}"]) == 0
    c = TestClient(served["app"], base_url="http://127.0.0.1")
    assert c.get("/api/nights/n1/summary").json()["signal"]["available"] is True


@pytest.mark.parametrize(("args", "needle"), [
    (["--root", "/no/such/folder"], "--root /no/such/folder: no such folder"),
    (["--recording", "n1"], "expected NIGHT=PATH"),
    (["--recording", "n1=/no/such.edf"], "no such file"),
    (["--port", "70000"], "--port 70000"),
    (["--db", "/no/such.db"], "--db /no/such.db: no such store file"),
])
def test_bad_options_exit_1_with_one_line(served: dict[str, Any], results: Path, args: list[str],
                                          needle: str, capsys: pytest.CaptureFixture[str]) -> None:
    full = ["review", "--root", str(results), *args] if args[0] != "--root" else ["review", *args]
    assert main(full) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and needle in err[0]
    assert "app" not in served


def test_port_in_use_is_one_line(served: dict[str, Any], results: Path,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["review", "--root", str(results), "--port", str(port)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and f"--port {port}: cannot listen there" in err[0]
    assert "app" not in served


def test_without_the_review_extra_the_message_names_it(monkeypatch: pytest.MonkeyPatch,
                                                       results: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "fastapi", None)  # import fastapi → ImportError
    assert main(["review", "--root", str(results)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "needs the optional 'review' extra" in err[0] and "somnomotor[review]" in err[0]
