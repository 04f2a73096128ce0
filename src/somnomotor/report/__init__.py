"""The night report: one self-contained HTML file a sleep physician reads in two minutes.

:func:`write_report` turns a :class:`~somnomotor.result.NightResult` into
``report.html``: header and provenance, sleep architecture, the standard
leg-movement table with IMI histograms and the PLM timeline, every muscle
(raster, table, named patterns, raw-EMG snippets), REM atonia and morning
activity, signal quality, and the statement that it is a measurement to be
interpreted by a clinician.  Figures are embedded SVGs, CSS is inline: the file
needs no network and opens from an e-mail attachment.
"""

from __future__ import annotations

import os
from functools import lru_cache

import jinja2

from .._atomic import atomic_write
from ..recording import Recording
from ..result import NightResult
from .context import build_context

__all__ = ["render_report", "write_report"]


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("somnomotor.report", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_report(result: NightResult, *, recording: Recording | None = None,
                  include_identity: bool = False) -> str:
    """The report as an HTML string (see :func:`write_report`)."""
    context = build_context(result, recording, include_identity=include_identity)
    return _environment().get_template("night.html").render(**context)


def write_report(result: NightResult, path: str | os.PathLike[str], *,
                 recording: Recording | None = None, include_identity: bool = False) -> None:
    """Write the night report as one self-contained HTML file (whole or not at all).

    Parameters
    ----------
    result : NightResult
        The analysed night (``somnomotor.analyze``).
    path : path
        Output file, e.g. ``out/report.html``.
    recording : Recording, optional
        The recording, for raw-EMG snippets around representative events;
        without it the snippets are skipped.
    include_identity : bool
        Print the patient/recording identification of the file header.  Off by
        default: reports carry no name unless asked.

    Examples
    --------
    >>> rec = somnomotor.read("night.edf")
    >>> write_report(somnomotor.analyze(rec), "report.html", recording=rec)
    """
    html = render_report(result, recording=recording, include_identity=include_identity)
    with atomic_write(path, "w", encoding="utf-8") as fh:
        fh.write(html)
