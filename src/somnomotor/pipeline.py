"""One night, end to end: recording → hypnogram → legs → every muscle → summary.

This is the Python API behind ``somnomotor analyze``::

    import somnomotor
    rec = somnomotor.read("night.edf")
    result = somnomotor.analyze(rec, hypnogram="night-hypnogram.csv")
    result.events        # the events table (pandas DataFrame)
    result.summary       # the summary dict written to summary.json

Each step is a plain function call on plain data; no step re-reads the file.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ._util import analysis_threads, json_ready
from ._version import __version__
from .errors import MontageError, ParameterError
from .events import concat_events, empty_scored
from .hypnogram import Hypnogram
from .params import from_mapping, load_toml, to_dict
from .recording import Recording
from .result import NightResult

#: Parameter sections: the TOML tables of a parameters file, in the order results list them.
PARAMETER_SECTIONS: tuple[str, ...] = ("conditioning", "leg_detection", "legs", "muscles")


def parameter_classes() -> dict[str, type]:
    """TOML table name → the frozen dataclass that holds that section's parameters.

    Imported here, when first needed, so that reading a recording does not load
    the detectors and scorers (and SciPy with them).
    """
    from .detect.legs import LegDetectParams
    from .score.legs import LegParams
    from .score.muscles import MuscleParams
    from .signal.condition import ConditionParams

    return {"conditioning": ConditionParams, "leg_detection": LegDetectParams, "legs": LegParams,
            "muscles": MuscleParams}


def _move_aliases(tables: dict[str, dict[str, Any]], where: str | None
                  ) -> dict[str, dict[str, Any]]:
    """Keys that moved to their one section, still accepted where they used to be.

    ``[leg_detection]``'s conditioning keys (band, mains, resting level…) and
    ``[muscles]``'s (band, notch, ECG removal…) now live in ``[conditioning]``,
    one conditioning for every channel; ``[leg_detection] same_leg_gap_s`` is
    ``[legs] same_leg_gap_s``.  The same key given twice with different values
    is an error.  ``[leg_detection]`` is then built with ``[conditioning]``'s
    values, so the leg detector's inherited constants are the ones used.
    """
    from .score.muscles import CONDITIONING_ALIASES
    from .signal.condition import ConditionParams

    cond_keys = set(ConditionParams.__dataclass_fields__)
    moves: list[tuple[str, str, str, str, Any]] = []
    for key in list(tables["leg_detection"]):
        if key in cond_keys:
            moves.append(("leg_detection", key, "conditioning", key, None))
        elif key == "same_leg_gap_s":
            moves.append(("leg_detection", key, "legs", key, None))
    for key in list(tables["muscles"]):
        if key in CONDITIONING_ALIASES:
            new, translate = CONDITIONING_ALIASES[key]
            moves.append(("muscles", key, "conditioning", new, translate))
    for old_sec, old_key, new_sec, new_key, translate in moves:
        value = tables[old_sec].pop(old_key)
        if translate is not None:
            value = translate(value)
        if new_key in tables[new_sec] and tables[new_sec][new_key] != value:
            raise ParameterError(
                f"[{old_sec}] {old_key} = {value!r} disagrees with [{new_sec}] {new_key} = "
                f"{tables[new_sec][new_key]!r} (the key now lives in [{new_sec}])", where)
        tables[new_sec][new_key] = value
    tables["leg_detection"] = {**tables["conditioning"], **tables["leg_detection"]}
    return tables


@dataclass(frozen=True)
class AnalysisParams:
    """Every scorer's parameters, one frozen dataclass per section.

    Build with :meth:`defaults` or :meth:`from_toml`; every result records them.
    """

    sections: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def defaults(cls) -> AnalysisParams:
        return cls.from_mapping({})

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any], *, where: str | None = None) -> AnalysisParams:
        unknown = sorted(set(values) - set(PARAMETER_SECTIONS))
        if unknown:
            raise ParameterError(f"unknown parameter section(s) {', '.join(unknown)} "
                                 f"(known: {', '.join(PARAMETER_SECTIONS)})", where)
        classes = parameter_classes()
        tables: dict[str, dict[str, Any]] = {}
        for name in PARAMETER_SECTIONS:
            table = values.get(name, {})
            if not isinstance(table, Mapping):
                raise ParameterError(f"[{name}] must be a table", where)
            tables[name] = dict(table)
        tables = _move_aliases(tables, where)
        sections: dict[str, Any] = {}
        for name in PARAMETER_SECTIONS:
            sections[name] = from_mapping(classes[name], tables[name], where=where,
                                          section=name)
        return cls(sections)

    @classmethod
    def from_toml(cls, path: str | os.PathLike[str]) -> AnalysisParams:
        return cls.from_mapping(load_toml(path), where=str(path))

    def __getitem__(self, name: str) -> Any:
        return self.sections[name]

    def to_dict(self) -> dict[str, Any]:
        return {name: to_dict(p) for name, p in self.sections.items()}

    def digest(self) -> str:
        """Short SHA-256 of the parameters as JSON: equal digests, equal parameters."""
        text = json.dumps(self.to_dict(), sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:12]


def read(path: str | os.PathLike[str], *, montage: str | os.PathLike[str] | None = None
         ) -> Recording:
    """Open a recording (EDF, EDF+C/D, BDF/BDF+) lazily; signals are read on demand.

    Channel kinds, muscles and sides come from the labels; ``montage`` is a TOML
    montage file that overrides them (:func:`somnomotor.montage.apply_montage`).

    Examples
    --------
    >>> rec = somnomotor.read("night.edf")
    >>> rec.read("LAT", 0, 30).dtype
    dtype('float32')

    An annotation-only EDF+ (a scoring, no signals) is refused with
    :class:`~somnomotor.errors.InputError`: it is a hypnogram, not a recording.
    """
    from .errors import InputError
    from .io import read_recording

    recording = read_recording(path)
    if not recording.channels:
        raise InputError("no signals here — is this a hypnogram? use --hypnogram", path)
    if montage is not None:
        from .montage import apply_montage

        recording = apply_montage(recording, montage)
    return recording


def _scoring_inputs(hypnogram: Any, events: Iterable[Any] | None) -> list[Any]:
    """The event files of a night: each file once; a hypnogram file's own events when no
    event file is given (an export holds stages, arousals and respiratory events)."""
    items: list[Any] = list(events or ())
    if not items and isinstance(hypnogram, str | os.PathLike):
        items = [hypnogram]
    seen, out = set(), []
    for item in items:
        key = str(Path(item).resolve()) if isinstance(item, str | os.PathLike) else id(item)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def _collect_scored(recording: Recording, events: Iterable[Any] | None,
                    hypnogram: Any = None) -> tuple[pd.DataFrame, list[str], Any, Hypnogram | None]:
    """Scored events (arousals, respiratory events…) from files and the recording itself.

    Returns the events, warnings about labels outside the vocabulary, the
    recording's own scorings (which may hold its hypnogram) and, when those hold
    no stages, the first event file's hypnogram (an export's), else None.
    """
    from .io import read_scorings, scorings_from_recording

    tables, warnings = [], []
    own = scorings_from_recording(recording)
    export_hypnogram = None
    if len(own.events):
        tables.append(own.events)
    for item in events or ():
        if isinstance(item, pd.DataFrame):
            tables.append(item)
            continue
        # a file given as events must hold events; the hypnogram file, read here for its
        # events when no event file is given, may be a bare hypnogram
        is_hyp = isinstance(hypnogram, str | os.PathLike) and \
            Path(hypnogram).resolve() == Path(item).resolve()
        sc = read_scorings(item, recording=recording, expect="any" if is_hyp else "events")
        if export_hypnogram is None and sc.hypnogram is not None and sc.hypnogram.is_scored:
            export_hypnogram = sc.hypnogram
        tables.append(sc.events)
        if is_hyp:
            continue  # the hypnogram's reader reports its unknown labels
        if sc.unknown_labels:
            listed = ", ".join(f"'{k}' ×{v}" for k, v in sorted(sc.unknown_labels.items()))
            warnings.append(f"{item}: labels not in the vocabulary kept as 'other': {listed}")
    if own.unknown_labels:
        listed = ", ".join(f"'{k}' ×{v}" for k, v in sorted(own.unknown_labels.items()))
        warnings.append(f"recording annotations not in the vocabulary kept as 'other': {listed}")
    if own.hypnogram is not None and own.hypnogram.is_scored:
        export_hypnogram = None
    tables = [t for t in tables if len(t)]
    if not tables:
        return empty_scored(), warnings, own, export_hypnogram
    scored = pd.concat(tables, ignore_index=True).sort_values("onset", kind="stable")
    return scored.reset_index(drop=True), warnings, own, export_hypnogram



@dataclass
class ChannelTables:
    """The contraction tables of a night's EMG channels, each conditioned once.

    ``legs``/``leg_quality``: the LM table (with its ``attrs``) and leg
    quality table of :func:`somnomotor.detect.legs.detect_leg_movements`;
    ``muscles``: one :class:`~somnomotor.detect.bursts.ChannelBursts` per EMG
    channel; ``notes``: where the R peaks came from.
    """

    legs: pd.DataFrame
    leg_quality: pd.DataFrame
    muscles: list[Any]
    notes: list[str]
    r_peaks_source: str
    mains_hz: float | None = None


class _EitherSet(threading.Event):
    """Set when it is, or when any of ``others`` is (read through :meth:`is_set`)."""

    def __init__(self, *others: threading.Event | None) -> None:
        super().__init__()
        self._others = [e for e in others if e is not None]

    def is_set(self) -> bool:
        return super().is_set() or any(e.is_set() for e in self._others)


def detect_channels(recording: Recording, params: AnalysisParams,
                    r_peaks: np.ndarray | Callable[[], np.ndarray | None] | None,
                    *, legs: bool = True, muscles: bool = True,
                    stop: threading.Event | None = None,
                    preread: dict[str, np.ndarray] | None = None) -> ChannelTables:
    """Condition every EMG channel once and turn it into contraction tables.

    Each channel is read and conditioned once
    (:func:`~somnomotor.signal.condition.condition_recording`, a channel per
    thread); a tibialis channel then goes through the leg detector *and* the
    burst detector on that one :class:`~somnomotor.signal.condition.ConditionedEMG`,
    every other channel through the burst detector.  Only the tables are kept.
    Without ECG R peaks, the beats are sought in a trunk channel first and used
    for every channel.  ``stop`` (set by a caller that failed meanwhile) ends the work
    early; the tables are then incomplete and not to be used.

    ``r_peaks`` may be a function that waits for the beats (found meanwhile, as
    :func:`analyze` does): with an ECG channel, the channels are then read and
    filtered at once and each waits for the beats only once filtered.  Should the
    ECG give fewer than 3 beats, that work is stopped and done again with the beats
    of a trunk channel (the same tables as when the beats are passed).

    ``preread``: channels already read whole (label → raw signal, as
    :meth:`~somnomotor.recording.Recording.read_many` gives them), conditioned
    first and taken out of the mapping as they are.
    """
    if callable(r_peaks):
        later = r_peaks
        if not recording.channels_of_kind("ecg"):
            r_peaks = later()  # nothing to wait for: no ECG, the trunk is searched first
        else:
            too_few = threading.Event()
            halt = _EitherSet(too_few, stop)

            def beats() -> np.ndarray | None:
                peaks = later()
                if params["conditioning"].ecg_removal and (peaks is None or len(peaks) < 3):
                    too_few.set()  # the trunk's beats are needed: stop, and start again
                return peaks

            tables = _detect_channels(recording, params, beats, legs=legs, muscles=muscles,
                                      stop=halt, optimistic=True, preread=preread)
            if not too_few.is_set() or (stop is not None and stop.is_set()):
                return tables
            r_peaks = later()
    return _detect_channels(recording, params, r_peaks, legs=legs, muscles=muscles, stop=stop,
                            preread=preread)


def _detect_channels(recording: Recording, params: AnalysisParams, r_peaks: Any, *,
                     legs: bool, muscles: bool, stop: threading.Event | None,
                     optimistic: bool = False,
                     preread: dict[str, np.ndarray] | None = None) -> ChannelTables:
    """:func:`detect_channels` once the beats are known, or (``optimistic``) a function
    that returns ≥ 3 of them or sets ``stop``."""
    from .detect.bursts import channel_bursts
    from .detect.legs import (
        assemble_leg_movements,
        detect_leg_channel,
        find_leg_channels,
        usable_leg_channels,
    )
    from .signal.condition import (
        condition_recording,
        heartbeat_from_trunk,
        room_mains_meanwhile,
    )

    cp = params["conditioning"]
    lp = params["leg_detection"]
    gap = params["legs"].same_leg_gap_s
    mp = params["muscles"]
    emg = [c for c in recording.emg_channels() if c.fs > 0] if muscles else []
    notes: list[str] = []
    source = "ecg-channel"
    why = "no ECG channel"
    # Channels read already, and the trunk channel the beats came from: each read once.
    preread = preread if preread is not None else {}
    if not optimistic and (r_peaks is None or len(r_peaks) < 3) and cp.ecg_removal:
        ecg = recording.channels_of_kind("ecg")  # R peaks sought there, too few found
        why = (f"too few R peaks in the ECG channel '{ecg[0].label}' ({len(r_peaks)})"
               if ecg and r_peaks is not None else "no ECG channel")
        r_peaks, source, note = heartbeat_from_trunk(recording, recording.emg_channels(), cp,
                                                     why, keep=preread if muscles else None)
        notes.append(note)
    leg_infos = find_leg_channels(recording) if legs else []
    usable, sides, notes_by = usable_leg_channels(leg_infos)
    leg_labels = {c.label for c in usable}
    burst_labels = {c.label for c in emg}
    chin = next((c.label for c in emg if c.muscle in mp.chin_muscles), None)
    channels = emg + [c for c in usable if c.label not in burst_labels]

    def then(info: Any, cond: Any) -> tuple[Any, Any]:
        leg = (detect_leg_channel(info, cond, lp, sides[info.label], notes_by[info.label],
                                  same_leg_gap_s=gap)
               if info.label in leg_labels else None)
        mus = (channel_bursts(info, cond, mp.bursts, artefact_max_freq_hz=mp.artefact_max_freq_hz,
                              want_amp=info.label == chin, high_rest_uv=cp.high_rest_uv,
                              contraction_params=mp.contractions)
               if info.label in burst_labels else None)
        return leg, mus

    if cp.mains == "auto":  # the room's line, found while the first channels are filtered
        line: Any = room_mains_meanwhile(recording, channels) if channels else None
    else:
        line = None if cp.mains == "none" else float(cp.mains)
    results = condition_recording(recording, channels, cp, r_peaks=r_peaks,
                                  r_peaks_source=source, then=then, mains=line,
                                  envelope=lambda info: info.label in leg_labels,
                                  preread=preread, stop=stop)
    mains = line() if callable(line) else line
    if stop is not None and stop.is_set():
        return ChannelTables(legs=pd.DataFrame(), leg_quality=pd.DataFrame(), muscles=[],
                             notes=notes, r_peaks_source=source, mains_hz=mains)
    if not optimistic and cp.ecg_removal and (r_peaks is None or len(r_peaks) < 3):
        # Trunk channels, where the cardiac artefact is largest, say it stays in them.
        for _leg, mus in results:
            if mus is not None and mus.info.region in cp.ecg_self_detect_regions:
                mus.quality["notes"] = "; ".join(
                    n for n in (str(mus.quality["notes"]),
                                f"{why} and no heartbeat found in the trunk channels: "
                                "ECG artefact not removed") if n)
    if why != "no ECG channel":  # the per-channel notes say it the same way
        for leg, mus in results:
            for q in (leg.quality if leg is not None else None,
                      mus.quality if mus is not None else None):
                if q is not None:
                    q["notes"] = str(q["notes"]).replace("no ECG channel", why)
    done = {c.label: r[0] for c, r in zip(channels, results, strict=True) if r[0] is not None}
    lms, leg_quality = assemble_leg_movements(leg_infos, sides, notes_by, done, recording.duration)
    return ChannelTables(legs=lms, leg_quality=leg_quality,
                         muscles=[r[1] for r in results if r[1] is not None],
                         notes=notes, r_peaks_source=source, mains_hz=mains)


def score_recording_muscles(recording: Recording, hypnogram: Hypnogram | None, *,
                            scored_events: pd.DataFrame | None = None,
                            params: AnalysisParams | None = None,
                            r_peaks: np.ndarray | None = None) -> Any:
    """Every muscle of a recording alone: :func:`detect_channels` then :func:`score_muscles`.

    Examples
    --------
    >>> res = score_recording_muscles(rec, hyp, r_peaks=peaks)
    >>> isinstance(res.summary["grm_episode_count"], int)
    True
    """
    from .score.muscles import score_muscles

    params = params or AnalysisParams.defaults()
    tables = detect_channels(recording, params, r_peaks, legs=False)
    return score_muscles(tables.muscles, hypnogram, duration=recording.duration,
                         scored_events=scored_events, params=params["muscles"],
                         notes=tables.notes)


def _ecg_r_peaks(recording: Recording) -> tuple[np.ndarray | None, str | None]:
    """:func:`~somnomotor.signal.condition.ecg_r_peaks`, imported in the calling thread."""
    from .signal.condition import ecg_r_peaks

    return ecg_r_peaks(recording)


def analyze(
    recording: Recording,
    *,
    hypnogram: Hypnogram | str | os.PathLike[str] | None = None,
    events: Iterable[str | os.PathLike[str] | pd.DataFrame] | None = None,
    params: AnalysisParams | None = None,
    staging: str = "auto",
    progress: Callable[[str], None] | None = None,
) -> NightResult:
    """Analyse one night: legs (LM, PLM), every other muscle, REM atonia, morning.

    Parameters
    ----------
    recording : Recording
        From :func:`read` (or ``Recording.from_arrays``).
    hypnogram : Hypnogram, path or None
        A hypnogram, or a file holding one (CSV/text, EDF+, NSRR XML, RemLogic).
        When None, the recording's own stage annotations are used, else the night
        is staged automatically (``staging="auto"``, needs ``somnomotor[staging]``)
        or left unstaged (``staging="none"``: indices per hour of recording).
    events : iterable of paths or DataFrames
        Scored arousals and respiratory events (EDF+, NSRR XML, CSV, RemLogic).
    params : AnalysisParams
        Every scorer's parameters; defaults when None.

    Returns
    -------
    NightResult
        ``.events`` (events table), ``.summary`` (the ``summary.json`` dict).

    Examples
    --------
    >>> result = somnomotor.analyze(somnomotor.read("night.edf"))
    >>> result.summary["index_basis"], result.summary["plms_index"] >= 0
    ('sleep', True)
    """
    say = progress or (lambda _msg: None)
    if staging not in ("auto", "none"):
        raise ParameterError(f"staging must be 'auto' or 'none', not {staging!r}")
    warnings: list[str] = list(recording.warnings)
    if not recording.emg_channels():
        raise MontageError(
            "no EMG channel recognised among the labels "
            f"({', '.join(c.label for c in recording.channels[:12])}"
            f"{', …' if len(recording.channels) > 12 else ''}); "
            "name the muscles in a montage file (--montage)", recording.path)

    # The channels do not depend on the scorings or the stages: they are conditioned and
    # detected from the start, in the background (numpy and scipy release the GIL), while
    # this thread imports the scorers and reads the scorings and the hypnogram (Python).
    # The input's checksum (provenance; hashlib releases the GIL) and the ECG's R peaks,
    # which the conditioning needs, are begun even before the parameters' classes (and
    # SciPy with them) are imported: that import holds one core, the other is free.
    # A failure here stops the channels early.
    from concurrent.futures import ThreadPoolExecutor

    stop = threading.Event()
    background = ThreadPoolExecutor(max_workers=4, thread_name_prefix="somnomotor-night")
    checksum = background.submit(recording.sha256)
    r_peaks_job = background.submit(_ecg_r_peaks, recording)
    # The first channels the conditioning takes (a thread's worth) are read then too.
    first = [c.label for c in recording.emg_channels() if c.fs > 0][:analysis_threads()]
    first_job = background.submit(lambda: dict(zip(first, recording.read_many(first),
                                                   strict=True)))
    try:
        params = params or AnalysisParams.defaults()
    except BaseException:
        background.shutdown(wait=False, cancel_futures=True)
        raise
    tables_job = background.submit(
        lambda: detect_channels(recording, params, lambda: r_peaks_job.result()[0], stop=stop,
                                preread=first_job.result()))
    background.shutdown(wait=False)
    try:
        from .resolution import resolution_findings
        from .score.legs import score_leg_movements
        from .score.muscles import score_muscles
        from .score.yardsticks import healthy_comparison
        from .staging import (
            find_lights,
            resolve_hypnogram,
            sleep_statistics,
            staging_confidence,
        )
        from .staging.statistics import indices_interpretability

        leg_rules = params["leg_detection"]
        resolution = resolution_findings(recording, onset_uv=leg_rules.onset_threshold_uv,
                                         offset_uv=leg_rules.offset_threshold_uv)
        warnings += resolution.warnings

        say("reading scorings")
        events = _scoring_inputs(hypnogram, events)
        scored, scored_warnings, own, export_hyp = _collect_scored(recording, events, hypnogram)
        warnings += scored_warnings
        if hypnogram is None and export_hyp is not None:
            hypnogram = export_hyp  # the stages of an export given as an events file

        say("sleep stages")
        hyp = resolve_hypnogram(recording, hypnogram_path=hypnogram, staging=staging,
                                scorings=own)
        warnings += list(hyp.warnings)
        stats = sleep_statistics(hyp, **find_lights(scored))

        say("ECG R peaks")
        r_peaks, ecg_label = r_peaks_job.result()

        say("conditioning every EMG channel once: leg movements and bursts")
        tables = tables_job.result()
    except BaseException:
        stop.set()
        raise
    lms, leg_quality = tables.legs, tables.leg_quality
    if not lms.attrs.get("leg_channels"):
        warnings.append("no tibialis anterior (leg) EMG channel: leg-movement and PLM figures "
                        "are zero because nothing could be scored, not because the legs were still")
    legs = score_leg_movements(lms, hypnogram=hyp, scored_events=scored,
                               recording_duration=recording.duration, params=params["legs"])

    say("every other muscle")
    muscles = score_muscles(tables.muscles, hyp, duration=recording.duration,
                            scored_events=scored, params=params["muscles"], notes=tables.notes)

    warnings += [f"muscles: {n}" for n in muscles.details.get("notes", ())]
    events_table = concat_events([legs.events, muscles.events])
    summary: dict[str, Any] = {}
    summary.update({k: v for k, v in stats.items() if not isinstance(v, Mapping | list)})
    summary.update(legs.summary)
    summary.update(muscles.summary)
    summary["recording_duration_h"] = recording.duration / 3600.0
    summary.update(healthy_comparison(summary))  # Frauscher 2014's healthy 90th percentiles
    summary.update(indices_interpretability(stats, str(summary.get("index_basis")),
                                            recording.duration))
    if summary["indices_note"]:
        warnings.append(summary["indices_note"])
    summary["signal_quality"] = resolution.summary
    summary["provenance"] = {
        "software_version": __version__,
        "input_sha256": checksum.result(),
        "input_file": recording.path.name if recording.path else None,
        "recording_start": recording.start.isoformat() if recording.start else None,
        "parameters": params.to_dict(),
        "parameters_digest": params.digest(),
        "hypnogram_source": hyp.source,
        "events_files": [Path(e).name for e in events if isinstance(e, str | os.PathLike)],
        "staging_confidence": staging_confidence(hyp),
        "ecg_channel": ecg_label,
        # What the report and the review need to draw the signal the detectors saw
        # (somnomotor.signal.condition.trace_for_result).
        "conditioning": {
            "mains_hz": tables.mains_hz,
            "r_peaks_source": (tables.r_peaks_source if tables.r_peaks_source != "ecg-channel"
                               else f"ecg-channel:{ecg_label}" if ecg_label and r_peaks is not None
                               and len(r_peaks) >= 3 else "none"),
        },
    }
    summary["warnings"] = warnings
    summary = json_ready(summary)

    channels = pd.DataFrame([
        {"label": c.label, "kind": c.kind, "muscle": c.muscle, "side": c.side,
         "region": c.region, "fs": c.fs, "unit": c.unit}
        for c in recording.channels if c.kind != "annotation"
    ])
    quality = pd.concat([q for q in (leg_quality, muscles.quality) if len(q)],
                        ignore_index=True) if (len(leg_quality) or len(muscles.quality)) \
        else pd.DataFrame()
    quality = resolution.annotate(quality)
    return NightResult(
        events=events_table,
        summary=summary,
        hypnogram=hyp,
        channels=channels,
        quality=quality,
        details={"sleep": stats, "legs": legs.details, "muscles": muscles.details,
                 "r_peaks_count": 0 if r_peaks is None else int(len(r_peaks))},
        warnings=warnings,
        scored=scored,
        recording_path=str(recording.path) if recording.path else None,
        recording_start=recording.start.isoformat() if recording.start else None,
        recording_duration=recording.duration,
    )


#: Optional exports ``write_outputs`` writes on request.
EXTRA_EXPORTS: tuple[str, ...] = ("bids", "luna")


def write_outputs(result: NightResult, out_dir: str | os.PathLike[str], *,
                  recording: Recording | None = None, report: bool = True,
                  extra: Iterable[str] = (), bids_subject: str = "01") -> dict[str, Path]:
    """Write events.csv, summary.json, report.html, scored.edf and scored.xml to ``out_dir``.

    ``extra`` may name ``"bids"`` (a BIDS ``*_events.tsv`` and ``*_channels.tsv``
    with ``target_muscle`` under ``out_dir/bids``) and ``"luna"`` (``scored.annot``).
    Each file is written whole or not at all (temporary name, then rename).
    """
    from ._atomic import atomic_write
    from .events import write_events_csv
    from .export import write_bids, write_luna_annot, write_nsrr_xml, write_scored_edf

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {name: out / name for name in
             ("events.csv", "summary.json", "report.html", "scored.edf", "scored.xml")}
    write_events_csv(result.events, paths["events.csv"])
    with atomic_write(paths["summary.json"], "w", encoding="utf-8") as fh:
        json.dump(result.summary, fh, indent=2, allow_nan=False)
        fh.write("\n")
    start = recording.start if recording is not None else None
    write_scored_edf(result.events, paths["scored.edf"], start=start,
                     duration=result.recording_duration, hypnogram=result.hypnogram)
    write_nsrr_xml(result.events, paths["scored.xml"], hypnogram=result.hypnogram,
                   duration=result.recording_duration,
                   scored_events=result.scored if len(result.scored) else None)
    extra = set(extra)
    unknown = sorted(extra - set(EXTRA_EXPORTS))
    if unknown:
        raise ParameterError(f"unknown export(s) {', '.join(unknown)} "
                             f"(known: {', '.join(EXTRA_EXPORTS)})")
    if "luna" in extra:
        paths["scored.annot"] = out / "scored.annot"
        write_luna_annot(result.events, paths["scored.annot"])
    if "bids" in extra:
        written = write_bids(result.events, out / "bids", subject=bids_subject,
                             channels=result.channels)
        paths.update({f"bids:{k}": v for k, v in written.items()})
    if report:
        from .report import write_report

        write_report(result, paths["report.html"], recording=recording)
    else:
        del paths["report.html"]
    return paths
