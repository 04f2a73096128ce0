"""``somnomotor review``: the browser review application over analysed nights."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..errors import ParameterError, require_extra
from ._common import warn

#: The one line ``somnomotor --help`` shows for this command.
HELP = "the browser review application"


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "review",
        help=HELP,
        description="Serve the analysed nights under --root (folders with events.csv and "
                    "summary.json) for review in a browser: hypnogram, events by channel, "
                    "raw EMG around each event, accept/reject/add decisions saved to "
                    "review.json and exported as reviewed-events.csv.  Listens on "
                    "127.0.0.1 only unless --host says otherwise.",
    )
    p.add_argument("--root", metavar="DIR", default=".",
                   help="folder holding analysed nights (default: the current folder)")
    p.add_argument("--db", metavar="F",
                   help="somnomotor store; recordings filed there are found by checksum")
    p.add_argument("--recording", metavar="NIGHT=PATH", action="append", default=[],
                   help="recording of a night kept elsewhere (repeatable); NIGHT is the "
                        "night's folder relative to --root")
    p.add_argument("--recordings-dir", metavar="DIR", action="append", default=[],
                   help="another folder in which to look for recordings by file name "
                        "(repeatable)")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this computer only)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765)")
    p.set_defaults(func=run)


def parse_recordings(items: list[str]) -> dict[str, Path]:
    """``NIGHT=PATH`` items → {night: path}; :class:`ParameterError` when malformed."""
    out: dict[str, Path] = {}
    for item in items:
        night, sep, path = item.partition("=")
        if not sep or not night.strip() or not path.strip():
            raise ParameterError(f"--recording {item!r}: expected NIGHT=PATH")
        p = Path(path.strip())
        if not p.is_file():
            raise ParameterError(f"--recording {item!r}: no such file")
        out[night.strip().strip("/")] = p
    return out


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _check_port_free(host: str, port: int) -> None:
    """One clear line instead of a server log when the address cannot be used."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host.strip("[]"), port))
    except OSError as exc:
        raise ParameterError(f"--host {host} --port {port}: cannot listen there "
                             f"({exc.strerror or exc}); choose another --port") from None


def run(args: argparse.Namespace) -> int:
    require_extra("fastapi", "review", "the review application")
    uvicorn = require_extra("uvicorn", "review", "the review application")
    from ..web import create_app
    from ..web.app import LOOPBACK_HOSTS

    root = Path(args.root)
    if not root.is_dir():
        raise ParameterError(f"--root {args.root}: no such folder")
    if not 0 < args.port < 65536:
        raise ParameterError(f"--port {args.port}: must be between 1 and 65535")
    if args.db and not Path(args.db).is_file():
        raise ParameterError(f"--db {args.db}: no such store file")
    recordings = parse_recordings(args.recording)
    _check_port_free(args.host, args.port)
    hosts = list(LOOPBACK_HOSTS)
    if not _is_loopback(args.host):
        warn(f"listening on {args.host}: anyone who can reach this address can read and "
             "change the reviews (there is no login)")
        # Bound to every interface, the Host header is whatever name reached us.
        hosts.append("*" if args.host in ("0.0.0.0", "::", "[::]") else args.host)
    app = create_app(root, Path(args.db) if args.db else None,
                     recordings=recordings,
                     search_dirs=[Path(d) for d in args.recordings_dir], allowed_hosts=hosts)
    shown = f"[{args.host}]" if ":" in args.host else args.host
    print(f"somnomotor review: http://{shown}:{args.port}/  (nights under {root.resolve()}; "
          "Ctrl-C to stop)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
