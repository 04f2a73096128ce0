"""Exports of a night's events to the files other tools open.

- :func:`write_scored_edf` — EDF+ annotation-only file (EDFbrowser, MNE, Luna).
- :func:`write_nsrr_xml` — NSRR XML (NSRR tools, Luna).
- :func:`write_bids` — BIDS ``*_events.tsv`` and ``*_channels.tsv`` (``target_muscle``).
- :func:`write_luna_annot` — Luna ``.annot``.

Every writer takes the events table (``somnomotor.events``) and writes its file
whole or not at all.
"""

from __future__ import annotations

from .bids import write_bids
from .edf_annotations import write_scored_edf
from .luna import write_luna_annot
from .nsrr_xml import write_nsrr_xml

__all__ = ["write_bids", "write_luna_annot", "write_nsrr_xml", "write_scored_edf"]
