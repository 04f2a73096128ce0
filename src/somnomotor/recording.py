"""The in-memory view of one overnight recording.

A :class:`Recording` knows its header (start, duration, channels with inferred
kind, muscle and side), its annotations and its gaps, and reads signals lazily:
``rec.read(label, start=0.0, stop=None)`` returns float32 µV for one channel and
one time window, without touching the other channels.

Time is always seconds from the recording start on the *continuous* timeline.
In a discontinuous (EDF+D) recording, samples that fall into a gap are NaN and
the gap is listed in :attr:`Recording.gaps` — a gap is never silently closed up.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ._util import file_sha256
from .channels import CHANNEL_KINDS, ChannelInfo, infer_channel
from .errors import MontageError

__all__ = ["CHANNEL_KINDS", "ChannelInfo", "Gap", "Recording", "SampleReader"]

#: Reads samples [i0, i1) of channel number ``index`` in µV (float32, NaN in gaps).
SampleReader = Callable[[int, int, int], np.ndarray]


@dataclass(frozen=True)
class Gap:
    """A stretch without data in a discontinuous recording (seconds)."""

    onset: float
    duration: float


@dataclass
class Recording:
    """One recording: header, channels, annotations, gaps and lazy signals.

    Build one with :func:`somnomotor.io.read_recording` from a file, or with
    :meth:`Recording.from_arrays` from arrays already in memory.
    """

    path: Path | None
    start: _dt.datetime | None
    duration: float
    channels: tuple[ChannelInfo, ...]
    _reader: SampleReader = field(repr=False)
    annotations: pd.DataFrame = field(
        default_factory=lambda: pd.DataFrame({"onset": [], "duration": [], "text": []})
    )
    gaps: tuple[Gap, ...] = ()
    file_type: str = "memory"
    header: Mapping[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    _sha256: str | None = field(default=None, repr=False)

    # -- channels ---------------------------------------------------------
    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.channels]

    def channel(self, label: str) -> ChannelInfo:
        """The channel called ``label``; :class:`MontageError` when absent."""
        return self.channels[self._index(label)]

    def _index(self, label: str) -> int:
        for i, c in enumerate(self.channels):
            if c.label == label:
                return i
        raise MontageError(f"no channel labelled '{label}' (have: {', '.join(self.labels)})",
                           self.path)

    def channels_of_kind(self, kind: str) -> list[ChannelInfo]:
        return [c for c in self.channels if c.kind == kind]

    def emg_channels(self) -> list[ChannelInfo]:
        return self.channels_of_kind("emg")

    def with_channels(self, channels: Sequence[ChannelInfo]) -> Recording:
        """A copy whose channel metadata is replaced (e.g. after a montage override)."""
        if [c.label for c in channels] != self.labels:
            raise ValueError("with_channels must keep the channel order and labels")
        return replace(self, channels=tuple(channels))

    # -- signals ----------------------------------------------------------
    def _length(self, ch: ChannelInfo) -> int:
        """A channel's number of samples (its header's, else duration × rate)."""
        return ch.n_samples or int(round(self.duration * ch.fs))

    def read(self, label: str, start: float = 0.0, stop: float | None = None) -> np.ndarray:
        """Samples of one channel from ``start`` to ``stop`` seconds, float32 µV.

        The window is clipped to the recording.  Samples inside gaps are NaN.
        """
        i = self._index(label)
        ch = self.channels[i]
        n = self._length(ch)
        i0 = max(0, int(np.floor(start * ch.fs + 1e-9)))
        i1 = n if stop is None else min(n, int(np.ceil(stop * ch.fs - 1e-9)))
        if i1 <= i0:
            return np.zeros(0, dtype=np.float32)
        out = self._reader(i, i0, i1)
        return np.asarray(out, dtype=np.float32)

    def read_many(self, labels: Sequence[str]) -> list[np.ndarray]:
        """Whole channels, float32 µV, as :meth:`read` gives them, read together.

        A file reader that can (EDF/BDF without gaps) reads every data record
        once for all of them, so k channels cost one pass over the file, not k;
        otherwise each channel is read on its own.
        """
        many = getattr(self._reader, "many", None)
        if many is not None and labels:
            index = [self._index(label) for label in labels]
            got = many(index)
            if got is not None and all(x.size == self._length(self.channels[i])
                                       for i, x in zip(index, got, strict=True)):
                return [np.asarray(x, dtype=np.float32) for x in got]
        return [self.read(label) for label in labels]

    def times(self, label: str) -> np.ndarray:
        """Sample times (s) of a channel's full signal."""
        ch = self.channel(label)
        return np.arange(self._length(ch)) / ch.fs

    # -- identity ---------------------------------------------------------
    def sha256(self) -> str:
        """SHA-256 of the input file (read in blocks; cached), or of the arrays."""
        if self._sha256 is None:
            if self.path is not None and self.path.exists():
                self._sha256 = file_sha256(self.path)
            else:
                h = hashlib.sha256()
                for i, c in enumerate(self.channels):
                    h.update(c.label.encode())
                    h.update(np.ascontiguousarray(self._reader(i, 0, self._length(c))).tobytes())
                self._sha256 = h.hexdigest()
        return self._sha256

    @classmethod
    def from_arrays(
        cls,
        signals: Mapping[str, np.ndarray],
        fs: float | Mapping[str, float],
        *,
        channels: Sequence[ChannelInfo] | None = None,
        start: _dt.datetime | None = None,
        annotations: pd.DataFrame | None = None,
        path: str | Path | None = None,
    ) -> Recording:
        """A recording from in-memory arrays in µV (tests, notebooks, the simulator).

        Channel kinds/muscles/sides are inferred from the labels by the montage
        unless ``channels`` is given.
        """
        labels = list(signals)
        arrays = [np.asarray(signals[k], dtype=np.float32) for k in labels]
        rates = [float(fs[k]) if isinstance(fs, Mapping) else float(fs) for k in labels]
        if channels is None:
            channels = [
                replace(infer_channel(k), fs=r, unit="uV", n_samples=len(a))
                for k, a, r in zip(labels, arrays, rates, strict=True)
            ]
        else:
            channels = [replace(c, n_samples=len(a)) for c, a in zip(channels, arrays, strict=True)]
        duration = max((len(a) / r for a, r in zip(arrays, rates, strict=True)), default=0.0)

        def reader(i: int, i0: int, i1: int) -> np.ndarray:
            return arrays[i][i0:i1]

        ann = annotations if annotations is not None else pd.DataFrame(
            {"onset": pd.Series(dtype=float), "duration": pd.Series(dtype=float),
             "text": pd.Series(dtype=object)})
        return cls(
            path=Path(path) if path is not None else None,
            start=start,
            duration=duration,
            channels=tuple(channels),
            _reader=reader,
            annotations=ann,
        )
