"""Time to write the night report and the exports for a simulated 8-hour night (512 Hz).

Acceptance (issue 6): reporting an 8-hour night adds under 2 s to the analysis;
issue 11: report + exports (``write_outputs``) clearly below 0.5 s, the
figures a small part of it.  Prints the analysis time, ``write_outputs`` the
first time in the process (as ``somnomotor analyze`` runs it: the analysis'
modules loaded, the report's not yet) and warm, the figures alone, each
export's time and the ratio to the analysis.
When the analysis pipeline cannot run (a part missing), the report is timed on
a NightResult built from the simulator's ground truth instead, and it says so.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _util import timed  # noqa: E402

HOURS = 8.0
FS = 512.0


def _truth_result(night):  # type: ignore[no-untyped-def]
    """A NightResult from the simulator's truth (fallback when analyze() fails)."""
    import pandas as pd

    from somnomotor.events import make_events
    from somnomotor.result import NightResult
    from somnomotor.staging import sleep_statistics

    ev = make_events(night.truth)
    summary = {k: v for k, v in sleep_statistics(night.hypnogram).items()
               if not isinstance(v, dict | list)}
    for kind in ("lm", "clm", "plm"):
        summary[f"{kind}_count"] = int((ev["kind"] == kind).sum())
    summary["provenance"] = {"hypnogram_source": night.hypnogram.source,
                             "software_version": "bench"}
    rec = night.recording
    channels = pd.DataFrame([{"label": c.label, "kind": c.kind, "muscle": c.muscle,
                              "side": c.side, "fs": c.fs, "unit": c.unit}
                             for c in rec.channels])
    return NightResult(events=ev, summary=summary, hypnogram=night.hypnogram,
                       channels=channels, recording_duration=rec.duration,
                       recording_start=rec.start.isoformat() if rec.start else None)


def _figures(result, rec):  # type: ignore[no-untyped-def]
    """Draw the report's five figures as build_context does (snippets read from ``rec``)."""
    from somnomotor.report import context as C
    from somnomotor.report import figures as F

    duration = float(result.recording_duration)
    lin, ln, _ = C.imi_histograms(result)
    rows = [(c.label, c.muscle, c.side) for c in rec.channels if c.kind == "emg"]
    snippets = C.build_snippets(result, rec)
    return (F.figure_hypnogram(result.hypnogram, duration),
            F.figure_plm_timeline(result.events, duration), F.figure_imi_histograms(lin, ln),
            F.figure_muscle_raster(result.events, duration, rows),
            F.figure_snippets(snippets) if snippets else None)


def main() -> None:
    from somnomotor.export import write_bids, write_luna_annot, write_nsrr_xml, write_scored_edf
    from somnomotor.report import write_report
    from somnomotor.simulate import simulate_night

    t_sim, night = timed(lambda: simulate_night("polio_mixed", hours=HOURS, seed=7, fs=FS))
    rec = night.recording
    print(f"simulated {HOURS:g} h night at {FS:g} Hz ({len(rec.channels)} channels): "
          f"{t_sim:.1f} s")
    try:
        from somnomotor.pipeline import analyze

        t_an, result = timed(lambda: analyze(rec, hypnogram=night.hypnogram))
        what = "analyze()"
    except Exception as exc:  # noqa: BLE001 - a bench reports, it does not stop
        print(f"analysis unavailable ({type(exc).__name__}: {exc}); timing the report on "
              "the simulator's truth instead")
        t_an, result = float("nan"), _truth_result(night)
        what = "truth"
    print(f"analysis ({what}): {t_an:.2f} s; {len(result.events)} events")
    from somnomotor.pipeline import write_outputs

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        every = ("bids", "luna")
        c0 = time.process_time()
        t_first, _ = timed(lambda: write_outputs(result, out / "first", recording=rec,
                                                 extra=every))
        c_first = time.process_time() - c0
        t_warm, _ = timed(lambda: write_outputs(result, out / "again", recording=rec,
                                                extra=every), repeat=3)
        t_figs, _ = timed(lambda: _figures(result, rec), repeat=3)
        # CPU time too: on a shared machine the wall time includes waiting for a core
        print(f"write_outputs (report + events.csv, summary.json, scored.edf, scored.xml, BIDS, "
              f"Luna): first {t_first:.3f} s (CPU {c_first:.3f} s), warm {t_warm:.3f} s "
              f"(target < 0.5 s)")
        print(f"figures alone (5 SVGs incl. the raw-EMG snippets): {t_figs * 1e3:.0f} ms")
        t_rep, _ = timed(lambda: write_report(result, out / "report.html", recording=rec),
                         repeat=3)
        t_rep_norec, _ = timed(lambda: write_report(result, out / "r2.html"), repeat=3)
        t_edf, _ = timed(lambda: write_scored_edf(result.events, out / "scored.edf",
                                                  start=rec.start, duration=rec.duration,
                                                  hypnogram=result.hypnogram), repeat=3)
        t_xml, _ = timed(lambda: write_nsrr_xml(result.events, out / "scored.xml",
                                                hypnogram=result.hypnogram,
                                                duration=rec.duration), repeat=3)
        t_bids, _ = timed(lambda: write_bids(result.events, out / "bids", subject="01",
                                             channels=result.channels), repeat=3)
        t_luna, _ = timed(lambda: write_luna_annot(result.events, out / "n.annot"), repeat=3)
        size = (out / "report.html").stat().st_size / 1e6
    total = t_rep + t_edf + t_xml
    print(f"report.html with snippets: {t_rep:.2f} s ({size:.2f} MB); without recording: "
          f"{t_rep_norec:.2f} s")
    print(f"scored.edf {t_edf * 1e3:.0f} ms, scored.xml {t_xml * 1e3:.0f} ms, "
          f"BIDS {t_bids * 1e3:.0f} ms, Luna .annot {t_luna * 1e3:.0f} ms")
    print(f"report + scored.edf + scored.xml: {total:.2f} s (target < 2 s)")
    if t_an == t_an:
        print(f"ratio to the analysis: {total / t_an:.2f}")


if __name__ == "__main__":
    main()
