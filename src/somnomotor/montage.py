"""The montage: a lab's own montage file over what the channel labels say.

The readers label every channel from its label alone
(:func:`somnomotor.channels.infer_channel`, re-exported here); a TOML montage
file overrides any of it, per label, with :func:`apply_montage`::

    ["EMG 3"]
    kind = "emg"
    muscle = "deltoid"
    side = "right"

This module sits above :mod:`somnomotor.io` (``read`` a recording, then apply
the montage) and below :mod:`somnomotor.signal`.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import replace
from typing import Any

from .channels import (
    AXIAL_REGIONS,
    CHANNEL_KINDS,
    CHANNEL_SIDES,
    MUSCLE_REGION,
    ChannelInfo,
    infer_channel,
)
from .errors import MontageError
from .recording import Recording

__all__ = ["AXIAL_REGIONS", "CHANNEL_KINDS", "CHANNEL_SIDES", "MUSCLE_REGION", "ChannelInfo",
           "apply_montage", "infer_channel"]


# -- montage files ----------------------------------------------------------------
_MONTAGE_KEYS = frozenset({"kind", "muscle", "side"})


def _load_toml(path: str | os.PathLike[str]) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise MontageError("montage file not found", path) from None
    except OSError as exc:
        raise MontageError(f"cannot read montage file ({exc.strerror})", path) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise MontageError(f"not a valid TOML montage file ({exc})", path) from None
    if isinstance(data.get("channels"), dict) and all(isinstance(v, dict)
                                                      for v in data["channels"].values()):
        data = data["channels"]
    return data


def _override(ch: ChannelInfo, spec: Any, path: str | os.PathLike[str]) -> ChannelInfo:
    where = f"channel '{ch.label}'"
    if not isinstance(spec, dict):
        raise MontageError(f"{where} must be a table with kind, muscle and side", path)
    unknown = sorted(set(spec) - _MONTAGE_KEYS)
    if unknown:
        raise MontageError(f"{where}: unknown key(s) {', '.join(unknown)} "
                           "(allowed: kind, muscle, side)", path)
    kind = str(spec.get("kind", ch.kind))
    if kind not in CHANNEL_KINDS:
        raise MontageError(f"{where}: kind '{kind}' is not one of {', '.join(CHANNEL_KINDS)}",
                           path)
    default_muscle = ch.muscle if kind == "emg" else ""
    muscle = str(spec.get("muscle", default_muscle))
    if muscle and muscle not in MUSCLE_REGION:
        raise MontageError(f"{where}: muscle '{muscle}' is not one of "
                           f"{', '.join(MUSCLE_REGION)}", path)
    if muscle and kind != "emg":
        raise MontageError(f"{where}: a muscle is given but kind is '{kind}', not 'emg'", path)
    side = str(spec.get("side", ch.side if kind == "emg" else ""))
    if side not in CHANNEL_SIDES:
        raise MontageError(f"{where}: side '{side}' is not one of left, right, midline, "
                           "bilateral", path)
    return replace(ch, kind=kind, muscle=muscle, side=side,
                   region=MUSCLE_REGION.get(muscle, ""))


def apply_montage(recording: Recording, toml_path: str | os.PathLike[str]) -> Recording:
    """A copy of ``recording`` whose channels follow the TOML montage file.

    Each table of the file is a channel label with any of ``kind``, ``muscle``
    and ``side`` (the tables may also sit under ``[channels]``).  A label the
    recording does not have, an unknown key or value raises
    :class:`~somnomotor.errors.MontageError` naming the file.

    Examples
    --------
    >>> print(open("montage.toml").read().strip())
    ["SCM L"]
    muscle = "deltoid"
    >>> rec = apply_montage(rec, "montage.toml")
    >>> rec.channel("SCM L").muscle
    'deltoid'
    """
    spec = _load_toml(toml_path)
    labels = recording.labels
    missing = [k for k in spec if k not in labels]
    if missing:
        raise MontageError(f"montage names channel(s) {', '.join(repr(m) for m in missing)} "
                           f"that the recording does not have (have: {', '.join(labels)})",
                           toml_path)
    channels = [(_override(c, spec[c.label], toml_path) if c.label in spec else c)
                for c in recording.channels]
    return recording.with_channels(channels)
