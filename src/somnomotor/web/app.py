"""The review application: a small FastAPI server and one self-contained page.

``create_app(root)`` serves the analysed nights under ``root`` (see
:mod:`somnomotor.web.data`) as JSON and the page in ``static/``.  Everything
is local: the page loads nothing from elsewhere, the server refuses requests
whose ``Host`` is not a loopback name (a guard against DNS rebinding) and
cross-site writes, and a night name never leads outside ``root``.

JSON API (``NIGHT`` is the night's folder relative to ``root``)::

    GET  /api/kinds                                  the kind registry (labels, colours, headlines)
    GET  /api/nights                                 nights with key figures
    GET  /api/nights/NIGHT/summary                   summary.json, channels, signal source
    GET  /api/nights/NIGHT/hypnogram                 stages per epoch
    GET  /api/nights/NIGHT/events?kind=&channel=&start=&end=&status=
    GET  /api/nights/NIGHT/signal?channel=&start=&end=&points=&filtered=
    GET  /api/nights/NIGHT/review                    review.json
    POST /api/nights/NIGHT/review/decisions          {key, decision, reviewer, note}
    POST /api/nights/NIGHT/review/added              {onset, duration, kind, channel, reviewer}
    DELETE /api/nights/NIGHT/review/added/ID?reviewer=
    POST /api/nights/NIGHT/review/export             {reviewer} → reviewed-events.csv

Errors are JSON ``{"error": "one clear line"}`` with status 400 (bad
request), 403 (refused), 404 (unknown night or route), 409 (a file in the
night folder is broken or cannot be written) or 500.
"""

# No "from __future__ import annotations": FastAPI reads the endpoint annotations at
# definition time, and Query/Body are imported inside create_app (optional extra).
import contextlib
import os
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from .. import kinds as K
from ..errors import InputError, MontageError, RecordingError, SomnomotorError, require_extra
from . import data, review

STATIC_DIR = Path(__file__).resolve().parent / "static"
#: Host names the server answers to by default (loopback only).
LOOPBACK_HOSTS: tuple[str, ...] = ("127.0.0.1", "localhost", "::1", "[::1]")
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                               "form-action 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def _warm_imports() -> None:
    import importlib

    for module in ("somnomotor.io", "somnomotor.signal.filters", "somnomotor.io.scorings"):
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - a failure shows up, clearly, on first real use
            pass


def create_app(root: Path, db: Path | None = None, *,
               recordings: Mapping[str, str | os.PathLike[str]] | None = None,
               search_dirs: Sequence[str | os.PathLike[str]] = (),
               allowed_hosts: Sequence[str] | None = None) -> Any:
    """The review application over the analysed nights under ``root``.

    Parameters
    ----------
    root : Path
        Folder holding analysed nights (folders with events.csv and summary.json).
    db : Path, optional
        A somnomotor store; recordings filed there are found by their SHA-256.
    recordings : mapping, optional
        Night name → recording path, for recordings kept elsewhere.
    search_dirs : sequence of paths
        More folders in which to look for recordings by file name.
    allowed_hosts : sequence of str, optional
        ``Host`` names accepted (default: loopback names; add the name you
        bind to when serving on another interface; ``"*"`` accepts any).

    Returns
    -------
    fastapi.FastAPI

    Examples
    --------
    >>> import uvicorn
    >>> server = uvicorn.Server(uvicorn.Config(create_app(Path("results")),
    ...                                        host="127.0.0.1", port=8765))
    >>> server.config.port                  # then server.run() serves until Ctrl-C
    8765
    """
    fastapi = require_extra("fastapi", "review", "the review application")
    from fastapi import Body, Query, Request
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import FileResponse, JSONResponse
    from fastapi.staticfiles import StaticFiles
    from starlette.exceptions import HTTPException as StarletteHTTPException

    root = Path(root).resolve()
    if not root.is_dir():
        raise InputError("review root is not a folder", root)
    locator = data.RecordingLocator(root, recordings=recordings, search_dirs=search_dirs, db=db)
    hosts = {h.lower() for h in (allowed_hosts or LOOPBACK_HOSTS)}

    @contextlib.asynccontextmanager
    async def lifespan(_app: Any) -> Any:
        # The first signal window would otherwise wait seconds for SciPy and the
        # EDF reader to import; import them while the reviewer opens the list.
        threading.Thread(target=_warm_imports, daemon=True).start()
        yield

    app = fastapi.FastAPI(title="somnomotor review", docs_url=None, redoc_url=None,
                          openapi_url=None, lifespan=lifespan)

    # -- errors as one JSON line --------------------------------------------
    def _error(status: int, message: str) -> Any:
        return JSONResponse({"error": message}, status_code=status, headers=_SECURITY_HEADERS)

    @app.exception_handler(data.NightNotFoundError)
    async def _not_found(_req: Request, exc: data.NightNotFoundError) -> Any:
        return _error(404, str(exc))

    @app.exception_handler(data.RequestError)
    async def _bad_request(_req: Request, exc: data.RequestError) -> Any:
        return _error(400, str(exc))

    @app.exception_handler(MontageError)
    async def _bad_channel(_req: Request, exc: MontageError) -> Any:
        return _error(400, exc.problem)

    @app.exception_handler(SomnomotorError)
    async def _broken_file(_req: Request, exc: SomnomotorError) -> Any:
        # Name the file relative to the root: the page need not see absolute paths.
        where = exc.path
        if where:
            try:
                where = Path(where).resolve().relative_to(root).as_posix()
            except ValueError:
                where = Path(where).name
        return _error(409, f"{where}: {exc.problem}" if where else exc.problem)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_req: Request, exc: RequestValidationError) -> Any:
        parts = []
        for err in exc.errors():
            if tuple(err.get("loc", ())) == ("body",):
                parts.append("the request body must be a JSON object "
                             "(Content-Type: application/json)")
                continue
            loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("body", "query"))
            parts.append(f"{loc}: {err.get('msg')}" if loc else str(err.get("msg")))
        return _error(400, "; ".join(parts) or "invalid request")

    @app.exception_handler(StarletteHTTPException)
    async def _http(_req: Request, exc: StarletteHTTPException) -> Any:
        message = exc.detail if isinstance(exc.detail, str) else "request refused"
        if exc.status_code == 404 and message == "Not Found":
            message = "no such page or API route"
        return _error(exc.status_code, message)

    @app.exception_handler(Exception)
    async def _internal(_req: Request, exc: Exception) -> Any:
        return _error(500, f"internal error ({type(exc).__name__}); please report it")

    # -- host, origin and headers --------------------------------------------
    @app.middleware("http")
    async def _guard(request: Request, call_next: Any) -> Any:
        host = (request.headers.get("host") or "").lower()
        name = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
        if "*" not in hosts and name not in hosts:
            return _error(403, f"host {host!r} is not served (allowed: {', '.join(sorted(hosts))})")
        origin = request.headers.get("origin")
        if request.method not in ("GET", "HEAD", "OPTIONS") and origin is not None:
            if urlsplit(origin).netloc.lower() != host:
                return _error(403, "cross-site request refused")
        response = await call_next(request)
        for k, v in _SECURITY_HEADERS.items():
            response.headers.setdefault(k, v)
        return response

    # -- helpers --------------------------------------------------------------
    def night_dir(night: str) -> Path:
        return data.resolve_night(root, night)

    def hypnogram_of(folder: Path) -> Any:
        return data.load_hypnogram(folder)

    def source_of(night: str, folder: Path) -> data.SignalSource:
        return locator.locate(night, folder, data.load_summary(folder))

    def recording_of(night: str, folder: Path) -> Any:
        src = source_of(night, folder)
        if src.path is None:
            return None
        try:
            return locator.open(src.path)
        except RecordingError:
            return None

    def recording_duration(folder: Path, rec: Any) -> float | None:
        if rec is not None:
            return float(rec.duration)
        s = data.load_summary(folder)
        hours = s.get("recording_duration_h") or s.get("tib_h")
        return float(hours) * 3600.0 if isinstance(hours, int | float) and hours > 0 else None

    def event_records(events: Any, folder: Path) -> list[dict[str, Any]]:
        rv = review.load_review(folder)
        keys = review.event_keys(events)
        df = events.copy()
        df["amplitude_uv"] = df["amplitude_uv"].astype(object).where(df["amplitude_uv"].notna(),
                                                                       None)
        df["series"] = df["series"].astype(object).where(df["series"].notna(), None)
        out = []
        for i, (key, row) in enumerate(zip(keys, df.to_dict("records"), strict=True)):
            d = rv["decisions"].get(key)
            row.update(id=i, key=key, status=d["decision"] if d else "pending",
                       reviewer=d["reviewer"] if d else None)
            out.append(row)
        for a in rv["added"]:
            out.append({"id": a["id"], "key": a["id"], "onset": a["onset"],
                        "duration": a["duration"], "kind": a["kind"], "channel": a["channel"],
                        "muscle": a.get("muscle", ""), "side": a.get("side", ""),
                        "stage": "?", "amplitude_uv": None, "series": None, "arousal": False,
                        "respiratory": False, "status": "added", "reviewer": a["reviewer"]})
        return out

    # -- page -----------------------------------------------------------------
    @app.get("/", include_in_schema=False)
    def index() -> Any:
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    # -- API ------------------------------------------------------------------
    @app.get("/api/nights")
    def list_nights() -> Any:
        filed = locator.filed_nights()
        nights = [review.night_overview(root, name, filed) for name in data.find_nights(root)]
        return {"root": root.name, "nights": nights, "kinds": list(K.names())}

    @app.get("/api/kinds")
    def event_kinds() -> Any:
        """The kind registry: name, label, colour, headline figures (one palette with the report)."""
        return {"kinds": K.registry_json()}

    @app.get("/api/nights/{night:path}/summary")
    def night_summary(night: str) -> Any:
        folder = night_dir(night)
        summary = data.load_summary(folder)
        events = data.load_events(folder)
        src = source_of(night, folder)
        rec, reason = None, src.reason
        if src.path is not None:
            try:
                rec = locator.open(src.path)
            except RecordingError as exc:
                reason = f"signal not available: {exc.problem}"
        return {
            "id": night,
            "summary": summary,
            "signal": {"available": rec is not None, "reason": reason,
                       "file": src.path.name if src.path else None},
            "duration": recording_duration(folder, rec),
            "channels": data.channel_list(events, rec),
            "kinds": sorted(set(events["kind"])),
            "review": review.review_counts(folder, events),
        }

    @app.get("/api/nights/{night:path}/hypnogram")
    def night_hypnogram(night: str) -> Any:
        folder = night_dir(night)
        hyp = hypnogram_of(folder)
        if hyp is None:
            return {"available": False, "epoch": 30.0, "offset": 0.0, "stages": [],
                    "source": None}
        return {"available": True, "epoch": float(hyp.epoch), "offset": float(hyp.offset),
                "stages": hyp.stages.tolist(),
                "source": data.load_summary(folder).get("provenance", {}).get(
                    "hypnogram_source", hyp.source)}

    @app.get("/api/nights/{night:path}/events")
    def night_events(night: str, kind: Annotated[list[str] | None, Query()] = None,
                     channel: Annotated[list[str] | None, Query()] = None,
                     start: float | None = None, end: float | None = None,
                     status: Annotated[list[str] | None, Query()] = None,
                     limit: Annotated[int, Query(ge=1, le=1000000)] = 100000) -> Any:
        folder = night_dir(night)
        events = data.load_events(folder)
        unknown = sorted(set(kind or ()) - set(K.names()))
        if unknown:
            raise data.RequestError(f"unknown event kind(s) {', '.join(unknown)}")
        bad_status = sorted(set(status or ()) - {"pending", "accepted", "rejected", "added"})
        if bad_status:
            raise data.RequestError(f"status must be pending, accepted, rejected or added, "
                                    f"not {', '.join(bad_status)}")
        records = event_records(events, folder)
        if kind:
            records = [r for r in records if r["kind"] in kind]
        if channel:
            # an event over several channels is on each channel it names
            records = [r for r in records if r["channel"] in channel
                       or set(str(r.get("channels") or "").split(";")) & set(channel)]
        if start is not None:
            records = [r for r in records if r["onset"] + r["duration"] >= start]
        if end is not None:
            records = [r for r in records if r["onset"] <= end]
        if status:
            records = [r for r in records if r["status"] in status]
        records.sort(key=lambda r: (r["onset"], str(r["key"])))
        # Straight to JSON: FastAPI's generic encoder is slow for tens of thousands of rows.
        return JSONResponse({"total": len(records), "events": records[:limit]})

    @app.get("/api/nights/{night:path}/signal")
    def night_signal(night: str, channel: str, start: float, end: float,
                     points: int = data.DEFAULT_POINTS, filtered: bool = True) -> Any:
        folder = night_dir(night)
        src = source_of(night, folder)
        if src.path is None:
            return _error(409, src.reason)
        rec = locator.open(src.path)
        provenance = data.load_summary(folder).get("provenance") if filtered else None
        return JSONResponse(data.read_signal_window(rec, channel, start, end, points=points,
                                                    filtered=filtered, provenance=provenance))

    @app.get("/api/nights/{night:path}/review")
    def night_review(night: str) -> Any:
        folder = night_dir(night)
        events = data.load_events(folder)
        return {"review": review.load_review(folder),
                "counts": review.review_counts(folder, events)}

    @app.post("/api/nights/{night:path}/review/decisions")
    def post_decision(night: str, body: Annotated[dict[str, Any], Body()]) -> Any:
        folder = night_dir(night)
        events = data.load_events(folder)
        state = review.set_decision(folder, events, str(body.get("key", "")),
                                    str(body.get("decision", "")), str(body.get("reviewer", "")),
                                    str(body.get("note", "") or ""))
        return {"decision": state, "counts": review.review_counts(folder, events)}

    @app.post("/api/nights/{night:path}/review/added")
    def post_added(night: str, body: Annotated[dict[str, Any], Body()]) -> Any:
        folder = night_dir(night)
        try:
            onset, duration = float(body["onset"]), float(body["duration"])
        except (KeyError, TypeError, ValueError):
            raise data.RequestError("an added event needs numeric onset and duration (s)") \
                from None
        rec = recording_of(night, folder)
        side = body.get("side")
        item = review.add_event(folder, onset=onset, duration=duration,
                                kind=str(body.get("kind", "")),
                                channel=str(body.get("channel", "") or ""),
                                reviewer=str(body.get("reviewer", "")),
                                recording_duration=recording_duration(folder, rec),
                                note=str(body.get("note", "") or ""),
                                side=None if side is None else str(side))
        return {"added": item,
                "counts": review.review_counts(folder, data.load_events(folder))}

    @app.delete("/api/nights/{night:path}/review/added/{added_id}")
    def delete_added(night: str, added_id: str, reviewer: str = "") -> Any:
        folder = night_dir(night)
        review.remove_added(folder, added_id, reviewer)
        return {"removed": added_id,
                "counts": review.review_counts(folder, data.load_events(folder))}

    @app.post("/api/nights/{night:path}/review/export")
    def post_export(night: str, body: Annotated[dict[str, Any], Body()]) -> Any:
        folder = night_dir(night)
        return review.export_reviewed(folder, data.load_events(folder), hypnogram_of(folder),
                                      str(body.get("reviewer", "")))

    @app.api_route("/api/{rest:path}", methods=["GET", "POST", "DELETE", "PUT", "PATCH"])
    def unknown_api(rest: str) -> Any:
        return _error(404, f"no API route /api/{rest}")

    return app
