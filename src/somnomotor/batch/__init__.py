"""Many nights: local processes by default, a Dask cluster on request."""

from .runner import BatchRow, find_recordings, run_batch

__all__ = ["BatchRow", "find_recordings", "run_batch"]
