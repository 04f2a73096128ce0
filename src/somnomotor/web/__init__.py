"""The browser review application (``somnomotor review``).

A sleep technologist checks an automatic scoring before a physician reads it:
the night list, a night's hypnogram and event raster, the raw EMG around each
event, and accept / reject / add decisions saved to ``<night>/review.json`` and
exported as ``<night>/reviewed-events.csv``.

>>> from somnomotor.web import create_app
>>> app = create_app(Path("results"))
>>> sorted(r.path for r in app.routes if r.path.startswith("/api/nights"))[0]
'/api/nights'
"""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
