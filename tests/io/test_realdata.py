"""Real and odd files under ../shared/data/real/: every readable one opens and agrees
with an independent reader; every broken one gives a one-line error."""

from __future__ import annotations

import datetime as dt
import warnings
from pathlib import Path

import edfio
import numpy as np
import pandas as pd
import pytest

from somnomotor.errors import RecordingError
from somnomotor.io import read_recording

pytestmark = pytest.mark.realdata

READABLE = [
    "edfReader-pisca46/bdfPlusC.bdf", "edfReader-pisca46/edfAnnonC.edf",
    "edfReader-pisca46/edfPlusC.edf", "edfReader-pisca46/edfPlusD.edf",
    "edfize-nsrr/simulated-01.edf", "mne-testing-data/MB0400FU.EDF",
    "mne-testing-data/chtypes_edf.edf", "mne-testing-data/multiple_annotation_chans.bdf",
    "mne-testing-data/subsecond_starttime.edf", "mne-testing-data/test_bdf_stim_channel.bdf",
    "mne-testing-data/test_edf_overlapping_annotations.edf", "mne-testing-data/test_reduced.edf",
    "mne-testing-data/test_utf8_annotations.edf",
    "pyedflib-0.1.42/test_generator_datarec_generator_0_5.bdf",
    "pyedflib-0.1.42/test_generator_datarec_generator_2.bdf", "pyedflib-0.1.42/test_legacy.edf",
    "pyedflib-0.1.42/test_utf8.edf", "rsleep-nox/subject1.edf",
    "sleep-edf-via-edfio/SC4001EC-Hypnogram.edf",
    "sleep-edf-via-edfio/mne_test.edf", "sleep-edf-via-edfio/short_psg.bdf",
    "sleep-edf-via-edfio/short_psg.edf", "sleep-edf-via-edfio/test_subsecond.edf",
]
BROKEN = {
    "edfize-nsrr/zero-data-records.edf": "zero data records",
    "edfize-nsrr/invalid-date.edf": "zero data records",
    "mne-testing-data/test_1ch.gdf": "is a GDF file",
    "physionet-emgdb/emg_healthy.txt": "not an EDF or BDF file",
}
PISCA = ("edfPlusC.edf", "bdfPlusC.bdf")


def test_the_lists_cover_every_recording_like_file(real_data: Path) -> None:
    found = {str(p.relative_to(real_data)) for p in real_data.glob("*/*")
             if p.suffix.lower() in (".edf", ".bdf", ".gdf")}
    assert found == set(READABLE) | (set(BROKEN) - {"physionet-emgdb/emg_healthy.txt"})


@pytest.mark.parametrize("name", READABLE)
def test_every_readable_real_file_agrees_with_edfio(real_data: Path, name: str) -> None:
    """Signal by signal, our lazy reader equals edfio's whole-file read (in µV)."""
    rec = read_recording(real_data / name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = (edfio.read_bdf if name.lower().endswith(".bdf") else edfio.read_edf)(
            real_data / name)
    assert len(rec.channels) == len(ref.signals)
    for ch, sig in zip(rec.channels, ref.signals, strict=True):
        # edfio replaces non-ASCII header bytes; we decode them (UTF-8, else Latin-1).
        assert ch.label.startswith(sig.label) or (
            ch.label.encode("utf-8").decode("ascii", errors="replace") == sig.label)
        assert ch.fs == pytest.approx(sig.sampling_frequency)
        ours = rec.read(ch.label)
        assert ours.dtype == np.float32
        scale = 1.0 if np.isnan(ch.scale_to_uv) else ch.scale_to_uv
        expected = sig.data * scale
        if rec.gaps:
            ours = ours[~np.isnan(ours)]
        tol = 1e-5 * max(1.0, float(np.abs(expected).max(initial=0)))
        np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=tol)
    ref_ann = [a for a in ref.annotations if a.text]  # edfio may list empty time stamps
    assert len(rec.annotations) == len(ref_ann)


@pytest.mark.parametrize("name", PISCA)
def test_pisca_files_match_the_reference_dumps(real_data: Path, name: str) -> None:
    """edfReader (R) dumps: header, signals table and every sample value."""
    folder = real_data / "edfReader-pisca46"
    stem = name.rsplit(".", 1)[0]
    rec = read_recording(folder / name)
    header = pd.read_csv(folder / f"{stem}_header.txt", dtype=str)
    assert rec.header["n_records"] == header["NumRec"][0].strip()
    assert rec.duration == int(header["NumRec"][0]) * float(header["Duration"][0])
    d, t = header["Startdate"][0], header["Startime"][0]
    assert rec.start == dt.datetime.strptime(f"{d} {t}", "%d.%m.%y %H.%M.%S")
    signals = pd.read_csv(folder / f"{stem}_signals.txt", dtype=str)
    signals = signals.apply(lambda col: col.str.strip())
    ordinary = signals[signals["Label"] != "EDF Annotations"]
    assert rec.labels == ordinary["Label"].tolist()
    assert [c.unit for c in rec.channels] == ordinary["Units"].tolist()
    assert [c.fs for c in rec.channels] == [float(x) / float(header["Duration"][0])
                                            for x in ordinary["Smp/Rec"]]
    data = pd.read_csv(folder / f"{stem}_data.txt")
    for i, ch in enumerate(rec.channels, start=1):
        np.testing.assert_allclose(rec.read(ch.label), data[str(i)].to_numpy(), atol=2e-6 * 1000)
    ann = pd.read_csv(folder / f"{stem}_annotations.txt")
    assert rec.annotations["text"].tolist() == ann["Annotation"].tolist()
    np.testing.assert_allclose(rec.annotations["onset"], ann["Onset"])


def test_edf_plus_d_matches_the_continuous_file_where_it_has_data(real_data: Path) -> None:
    """edfPlusD.edf holds 11 of edfPlusC's 20 records; gaps are NaN and listed."""
    folder = real_data / "edfReader-pisca46"
    cont, disc = read_recording(folder / "edfPlusC.edf"), read_recording(folder / "edfPlusD.edf")
    assert disc.duration == cont.duration == 20.0
    gap_s = sum(g.duration for g in disc.gaps)
    assert gap_s == 9.0
    for label in cont.labels:
        a, b = cont.read(label), disc.read(label)
        have = ~np.isnan(b)
        assert have.sum() == 11 * 200
        np.testing.assert_array_equal(a[have], b[have])
    for g in disc.gaps:
        assert np.isnan(disc.read(disc.labels[0], g.onset, g.onset + g.duration)).all()


def test_annotation_only_with_two_signals_and_subsecond_start(real_data: Path) -> None:
    """edfAnnonC: two annotation signals (one first), 0.1-s records, 30 kHz."""
    folder = real_data / "edfReader-pisca46"
    rec = read_recording(folder / "edfAnnonC.edf")
    ref = pd.read_csv(folder / "edfAnnonC_annotations.txt")
    assert rec.start == dt.datetime(2000, 1, 1, 14, 15, 16, 700000)
    assert sorted(rec.annotations["text"]) == sorted(ref["Annotation"])
    merged = rec.annotations.merge(ref, left_on="text", right_on="Annotation")
    np.testing.assert_allclose(merged["onset"] + 0.7, merged["Onset"], atol=1e-9)
    assert [c.fs for c in rec.channels] == [30000.0, 20000.0]


@pytest.mark.parametrize("name", sorted(BROKEN))
def test_broken_real_files_give_a_one_line_error(real_data: Path, name: str) -> None:
    with pytest.raises(RecordingError) as err:
        read_recording(real_data / name)
    assert BROKEN[name] in str(err.value) and str(real_data / name) in str(err.value)
    assert "\n" not in str(err.value)


def test_real_files_are_not_modified(real_data: Path) -> None:
    path = real_data / "edfReader-pisca46" / "bdfPlusC.bdf"
    before, mtime = path.read_bytes(), path.stat().st_mtime_ns
    rec = read_recording(path)
    for label in rec.labels:
        rec.read(label)
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime
