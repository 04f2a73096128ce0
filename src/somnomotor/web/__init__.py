"""The browser review application (``somnomotor review``).

A sleep technologist checks an automatic scoring before a physician reads it:
the night list, a night's hypnogram and event raster, the raw EMG around each
event, and accept / reject / add decisions saved to ``<night>/review.json`` and
exported as ``<night>/reviewed-events.csv``.

>>> from somnomotor.web import create_app        # doctest: +SKIP
>>> app = create_app(Path("results"))            # doctest: +SKIP
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
