"""Reading EDF/EDF+/BDF recordings: values, units, windows, gaps, laziness, errors."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import edfio
import numpy as np
import pytest

import somnomotor
from somnomotor.errors import RecordingError
from somnomotor.io import read_recording
from somnomotor.io.edf import _SampleReader

from ._edfbuild import Sig, build_edf, ramp


def _expected(s: Sig, scale: float = 1.0) -> np.ndarray:
    gain = (s.pmax - s.pmin) / (s.dmax - s.dmin)
    return ((s.pmin + (np.asarray(s.digital) - s.dmin) * gain) * scale).astype(np.float32)


def test_values_are_float32_microvolts_whatever_the_stored_unit(tmp_path: Path) -> None:
    sigs = [Sig("LAT", ramp(512), 256, unit="uV"),
            Sig("RAT", ramp(512), 256, unit="mV", pmin=-3.2768, pmax=3.2767),
            Sig("Chin", ramp(200), 100, unit="V", pmin=-0.001, pmax=0.001),
            Sig("Arm L", ramp(200), 100, unit="nV", pmin=-100000, pmax=100000)]
    rec = read_recording(build_edf(tmp_path / "u.edf", sigs))
    for s, scale in zip(sigs, (1.0, 1e3, 1e6, 1e-3), strict=True):
        x = rec.read(s.label)
        assert x.dtype == np.float32
        np.testing.assert_allclose(x, _expected(s, scale), rtol=1e-5, atol=1e-3)
        assert rec.channel(s.label).scale_to_uv == scale
    assert rec.channel("LAT").fs == 256 and rec.channel("Chin").fs == 100
    assert rec.duration == 2.0 and rec.warnings == []


def test_unknown_or_missing_unit_is_assumed_microvolt_with_a_warning(tmp_path: Path) -> None:
    sigs = [Sig("LAT", ramp(100), 100, unit="furlong"), Sig("RAT", ramp(100), 100, unit="")]
    rec = read_recording(build_edf(tmp_path / "w.edf", sigs))
    assert np.isnan(rec.channel("LAT").scale_to_uv) and np.isnan(rec.channel("RAT").scale_to_uv)
    np.testing.assert_allclose(rec.read("LAT"), _expected(sigs[0]), atol=1e-3)
    assert any("'LAT'" in w and "furlong" in w for w in rec.warnings)
    assert any("'RAT'" in w and "no unit" in w for w in rec.warnings)


def test_a_time_window_equals_the_slice_of_the_whole_signal(tmp_path: Path) -> None:
    sigs = [Sig("LAT", ramp(1000 * 4), 500), Sig("ECG II", ramp(300 * 4), 150)]
    rec = read_recording(build_edf(tmp_path / "t.edf", sigs, record_duration=0.5))
    full = rec.read("LAT")
    assert full.size == 4000 and rec.duration == 4.0 and rec.channel("LAT").fs == 1000
    np.testing.assert_array_equal(rec.read("LAT", 0.7, 2.3), full[700:2300])
    np.testing.assert_array_equal(rec.read("ECG II", 1.0, 100.0), rec.read("ECG II")[300:])


def test_reading_one_channel_window_touches_only_its_records(tmp_path: Path, monkeypatch) -> None:
    """Laziness: one channel, one window → only that signal's bytes of the needed records."""
    sigs = [Sig(f"C{i}", ramp(100 * 60), 100) for i in range(4)]
    rec = read_recording(build_edf(tmp_path / "l.edf", sigs))
    calls: list[tuple[int, int, int]] = []
    original = _SampleReader._values

    def spy(self, k, index, r0, r1):  # type: ignore[no-untyped-def]
        calls.append((k, r0, r1))
        return original(self, k, index, r0, r1)

    monkeypatch.setattr(_SampleReader, "_values", spy)
    rec.read("C2", 10.5, 12.2)
    assert calls == [(2, 10, 13)]


def test_bdf_24_bit_samples_decode_with_sign(tmp_path: Path) -> None:
    dig = np.array([-8388608, -1, 0, 1, 8388607, -123456, 654321, 7] * 32)
    sigs = [Sig("LAT", dig, 128, pmin=-262144, pmax=262143.97, dmin=-8388608, dmax=8388607),
            Sig("RAT", ramp(256, -5_000_000, 5_000_000), 128, dmin=-8388608, dmax=8388607)]
    rec = read_recording(build_edf(tmp_path / "b.bdf", sigs, bdf=True))
    assert rec.file_type == "BDF"
    np.testing.assert_allclose(rec.read("LAT"), _expected(sigs[0]), rtol=1e-6, atol=0.05)
    np.testing.assert_allclose(rec.read("RAT", 0.5, 1.5), _expected(sigs[1])[64:192], rtol=1e-5)


def test_edf_plus_d_places_records_at_their_onsets_with_nan_gaps(tmp_path: Path) -> None:
    """EDF+D: gaps are explicit (Recording.gaps) and NaN, never closed up."""
    sigs = [Sig("LAT", ramp(4 * 50), 50)]
    path = build_edf(tmp_path / "d.edf", sigs, plus="D", record_onsets=[0, 1, 5, 6.5])
    rec = read_recording(path)
    assert rec.file_type == "EDF+D"
    assert [(g.onset, g.duration) for g in rec.gaps] == [(2.0, 3.0), (6.0, 0.5)]
    assert rec.duration == 7.5
    x = rec.read("LAT")
    exp = _expected(sigs[0])
    assert x.size == 375
    np.testing.assert_allclose(x[:100], exp[:100], atol=1e-3)
    assert np.isnan(x[100:250]).all()
    np.testing.assert_allclose(x[250:300], exp[100:150], atol=1e-3)
    assert np.isnan(x[300:325]).all()
    np.testing.assert_allclose(x[325:375], exp[150:200], atol=1e-3)
    np.testing.assert_allclose(rec.read("LAT", 4.0, 5.5)[50:], exp[100:125], atol=1e-3)
    assert np.isnan(rec.read("LAT", 2.5, 4.5)).all()


def test_overlapping_edf_plus_d_records_are_an_error(tmp_path: Path) -> None:
    path = build_edf(tmp_path / "o.edf", [Sig("LAT", ramp(100), 50)], plus="D",
                     record_onsets=[0, 0.5])
    with pytest.raises(RecordingError, match="record 2 starts at 0.5 s, before the previous"):
        read_recording(path)


def test_subsecond_start_and_annotations_are_relative_to_the_first_record(tmp_path: Path) -> None:
    path = build_edf(tmp_path / "s.edf", [Sig("LAT", ramp(200), 100)], plus="C",
                     record_onsets=[0.25, 1.25], annotations=[(0.75, 30.0, "Sleep stage W")])
    rec = read_recording(path)
    assert rec.start == dt.datetime(2020, 12, 24, 22, 30, 0, 250000)
    assert rec.annotations["onset"].tolist() == [0.5]
    assert rec.annotations["duration"].tolist() == [30.0]
    assert rec.annotations["text"].tolist() == ["Sleep stage W"]
    assert rec.gaps == ()


def test_agrees_with_edfio_on_an_edfio_written_file(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    sigs = [edfio.EdfSignal(rng.normal(0, 50, 10 * 256), 256, label="LAT",
                            physical_dimension="uV"),
            edfio.EdfSignal(rng.normal(0, 0.2, 10 * 200), 200, label="C4-M1",
                            physical_dimension="mV")]
    edf = edfio.Edf(sigs, annotations=[edfio.EdfAnnotation(3.0, 30.0, "Sleep stage N2")])
    edf.write(tmp_path / "e.edf")
    ref = edfio.read_edf(tmp_path / "e.edf")
    rec = read_recording(tmp_path / "e.edf")
    np.testing.assert_allclose(rec.read("LAT"), ref.signals[0].data, rtol=1e-5, atol=1e-3)
    np.testing.assert_allclose(rec.read("C4-M1"), ref.signals[1].data * 1e3, rtol=1e-5,
                               atol=1e-3)
    assert rec.annotations["text"].tolist() == ["Sleep stage N2"]
    assert rec.channel("C4-M1").kind == "eeg" and rec.channel("LAT").side == "left"


def test_input_file_is_opened_read_only_and_unchanged(tmp_path: Path) -> None:
    path = build_edf(tmp_path / "r.edf", [Sig("LAT", ramp(300), 100)], plus="C")
    os.chmod(path, 0o444)
    before, mtime = path.read_bytes(), path.stat().st_mtime_ns
    rec = read_recording(path)
    rec.read("LAT")
    rec.sha256()
    assert path.read_bytes() == before and path.stat().st_mtime_ns == mtime


def test_duplicate_labels_are_renamed_with_a_warning(tmp_path: Path) -> None:
    rec = read_recording(build_edf(tmp_path / "dup.edf", [Sig("LAT", ramp(100), 100),
                                                          Sig("LAT", ramp(100), 100)]))
    assert rec.labels == ["LAT", "LAT (2)"]
    assert any("more than once" in w for w in rec.warnings)


def test_montage_file_is_applied(tmp_path: Path) -> None:
    path = build_edf(tmp_path / "m.edf", [Sig("EMG 3", ramp(100), 100)])
    (tmp_path / "m.toml").write_text('["EMG 3"]\nmuscle = "deltoid"\nside = "right"\n')
    rec = somnomotor.read(path, montage=tmp_path / "m.toml")
    assert (rec.channel("EMG 3").muscle, rec.channel("EMG 3").side) == ("deltoid", "right")


# -- errors: one line naming the file and the problem --------------------------------
def _one(tmp_path: Path, **kw) -> Sig:  # type: ignore[no-untyped-def]
    return Sig("LAT", ramp(300), 100, **kw)


BROKEN = {
    "truncated": (dict(truncate=50), "file is truncated: the header promises 3 data records"),
    "record count lies": (dict(main_overrides={"n_records": "2"}), "header fields do not match the file size"),
    "extra bytes": (dict(extra_bytes=10), "header fields do not match the file size"),
    "zero records": (dict(main_overrides={"n_records": "0"}),
                     "header says the file holds zero data records"),
    "header bytes lie": (dict(main_overrides={"header_bytes": "1024"}),
                         "'number of bytes in header' says 1024 but 1 signals need 512"),
    "non-ascii number": (dict(main_overrides={"n_records": "3\xb2"}),
                         "'number of data records' holds non-ASCII bytes"),
    "not a number": (dict(main_overrides={"record_duration": "one"}),
                     "'duration of a data record' is not a number ('one')"),
    "header cut": (dict(main_overrides={"n_signals": "9"}), "truncated inside its header"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_headers_give_one_line_errors(tmp_path: Path, case: str) -> None:
    kwargs, message = BROKEN[case]
    sigs = [Sig("LAT", ramp(300), 100)]
    path = build_edf(tmp_path / "x.edf", sigs, **kwargs)
    with pytest.raises(RecordingError) as err:
        read_recording(path)
    text = str(err.value)
    assert message in text and text.startswith(str(path)) and "\n" not in text


SIGNAL_BROKEN = {
    "physical min = max": ({"pmin": 5.0, "pmax": 5.0},
                           "channel 'LAT': physical minimum equals physical maximum (5)"),
    "digital min >= max": ({"dmin": 100, "dmax": 100},
                           "channel 'LAT': digital minimum (100) is not below digital maximum"),
    "sampling rate 0": ({"overrides": {"spr": "0"}}, "channel 'LAT' has sampling rate 0"),
    "samples per record lie": ({"overrides": {"spr": "80"}},
                               "header fields do not match the file size"),
}


@pytest.mark.parametrize("case", sorted(SIGNAL_BROKEN))
def test_broken_signal_headers_give_one_line_errors(tmp_path: Path, case: str) -> None:
    kw, message = SIGNAL_BROKEN[case]
    path = build_edf(tmp_path / "y.edf", [Sig("LAT", ramp(300), 100, **kw)], n_records=3)
    with pytest.raises(RecordingError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_recording(path)


@pytest.mark.parametrize(("content", "message"), [
    (b"", "file is too short to be EDF/BDF (0 bytes"),
    (b"onset,duration,kind\n" * 20, "not an EDF or BDF file"),
    (b"GDF 2.10" + b"\x00" * 300, "is a GDF file"),
])
def test_files_that_are_not_edf_are_rejected(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "n.edf"
    path.write_bytes(content)
    with pytest.raises(RecordingError) as err:
        read_recording(path)
    assert message in str(err.value)


def test_missing_file_is_a_recording_error(tmp_path: Path) -> None:
    with pytest.raises(RecordingError, match="file not found"):
        read_recording(tmp_path / "nothing.edf")


# -- property: any window equals the slice of the whole signal -------------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bdf=st.booleans(), gaps=st.lists(st.integers(0, 3), min_size=6, max_size=6),
       a=st.floats(-2, 40), b=st.floats(-2, 40))
def test_any_window_is_the_slice_of_the_whole_read(tmp_path_factory, bdf: bool, gaps: list[int],
                                                   a: float, b: float) -> None:
    """For EDF and BDF, continuous or with gaps, read(label, a, b) == read(label)[window]."""
    onsets = np.cumsum([0.5 * g + 0.5 for g in gaps]) - (0.5 * gaps[0] + 0.5)
    dig = ramp(6 * 20, -30000, 30000) if not bdf else ramp(6 * 20, -8000000, 8000000)
    sig = Sig("LAT", dig, 20, dmin=-8388608 if bdf else -32768,
              dmax=8388607 if bdf else 32767)
    path = tmp_path_factory.mktemp("w") / ("w.bdf" if bdf else "w.edf")
    build_edf(path, [sig], record_duration=0.5, bdf=bdf, plus="D",
              record_onsets=onsets.tolist())
    rec = read_recording(path)
    full = rec.read("LAT")
    assert full.size == round(rec.duration * 40)
    assert np.count_nonzero(~np.isnan(full)) == 120
    lo, hi = sorted((a, b))
    i0 = max(0, int(np.floor(lo * 40 + 1e-9)))
    i1 = min(full.size, int(np.ceil(hi * 40 - 1e-9)))
    np.testing.assert_array_equal(rec.read("LAT", lo, hi), full[i0:max(i0, i1)])
    assert sum(g.duration for g in rec.gaps) == pytest.approx(rec.duration - 3.0)


def test_recordings_pickle_for_worker_processes(tmp_path: Path) -> None:
    """Batch runs send recordings to other processes: the lazy reader must travel."""
    import pickle

    path = build_edf(tmp_path / "p.edf", [Sig("LAT", ramp(400), 100)], plus="D",
                     record_onsets=[0, 1, 3, 4])
    rec = read_recording(path)
    back = pickle.loads(pickle.dumps(rec))
    np.testing.assert_array_equal(back.read("LAT"), rec.read("LAT"))
    assert back.gaps == rec.gaps


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_corrupted_headers_raise_recording_errors_only(tmp_path_factory, data) -> None:  # type: ignore[no-untyped-def]
    """Any byte overwritten (header or records): the file reads, or a RecordingError."""
    folder = tmp_path_factory.mktemp("c")
    good = build_edf(folder / "g.edf", [Sig("LAT", ramp(200), 100), Sig("C4-M1", ramp(100), 50)],
                     plus="C", annotations=[(0.5, 30.0, "Sleep stage W")]).read_bytes()
    raw = bytearray(good)
    for _ in range(data.draw(st.integers(1, 4))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        raw[pos] = data.draw(st.integers(0, 255))
    bad = folder / "b.edf"
    bad.write_bytes(bytes(raw))
    try:
        rec = read_recording(bad)
        for label in rec.labels:
            assert rec.read(label).dtype == np.float32
    except RecordingError as exc:
        assert str(exc).startswith(str(bad)) and "\n" not in str(exc)


@pytest.mark.parametrize("unit", [b"\xb5V", b"\xc2\xb5V", b"\xce\xbcV"])
def test_micro_sign_in_the_unit_is_read_as_microvolt_with_a_warning(tmp_path: Path,
                                                                    unit: bytes) -> None:
    """The one non-ASCII character writers commonly use; any other is an error."""
    path = build_edf(tmp_path / "mu.edf", [Sig("LAT", ramp(100), 100, overrides={"unit": unit})])
    rec = read_recording(path)
    assert rec.channel("LAT").unit == "uV" and rec.channel("LAT").scale_to_uv == 1.0
    assert any("non-ASCII" in w and "µ read as 'u'" in w for w in rec.warnings)
    bad = build_edf(tmp_path / "bad.edf", [Sig("LAT", ramp(100), 100,
                                                overrides={"pmax": b"1\xb2"})])
    with pytest.raises(RecordingError, match="'physical maximum' signal 1 holds non-ASCII"):
        read_recording(bad)


def test_non_ascii_free_text_is_read_as_latin1_with_a_warning(tmp_path: Path) -> None:
    """Clinical software writes accented names and labels although EDF says ASCII:
    the file stays readable, the user is told, numbers are unaffected."""
    path = build_edf(tmp_path / "latin.edf", [Sig("Bein \xe4", ramp(100), 100)],
                     main_overrides={"patient": "Jos\xe9"})
    rec = read_recording(path)
    assert rec.labels == ["Bein \xe4"]
    note = [w for w in rec.warnings if "non-ASCII" in w]
    assert len(note) == 1  # one warning naming every field
    assert "local patient identification [Latin-1]" in note[0]
    assert "label of channel ('Bein \xe4') [Latin-1]" in note[0]
    assert np.array_equal(rec.read("Bein \xe4"), read_recording(
        build_edf(tmp_path / "plain.edf", [Sig("Bein a", ramp(100), 100)])).read("Bein a"))


# -- several channels in one pass ---------------------------------------------------------
@pytest.mark.parametrize("bdf", [False, True])
def test_read_many_equals_each_read_and_passes_over_the_records_once(tmp_path: Path,
                                                                     monkeypatch, bdf: bool
                                                                     ) -> None:
    from somnomotor.io import edf as edf_module

    top = 8388607 if bdf else 32767
    sigs = [Sig("LAT", ramp(8 * 64, -top, top), 64, dmin=-top - 1, dmax=top),
            Sig("Chin1-Chin2", ramp(8 * 32, top, -top), 32, dmin=-top - 1, dmax=top),
            Sig("RAT", ramp(8 * 64, -1000, 5000), 64, dmin=-top - 1, dmax=top)]
    rec = read_recording(build_edf(tmp_path / ("m.bdf" if bdf else "m.edf"), sigs, bdf=bdf))
    passes = []
    real = edf_module._record_blocks
    monkeypatch.setattr(edf_module, "_record_blocks",
                        lambda *a: passes.append(a[1:]) or real(*a))
    labels = ["RAT", "LAT", "Chin1-Chin2"]
    many = rec.read_many(labels)
    assert passes == [(0, 8)]  # one pass over the 8 records for the three channels
    for label, x in zip(labels, many, strict=True):
        assert x.dtype == np.float32
        np.testing.assert_array_equal(x, rec.read(label))


def test_read_many_with_gaps_reads_each_channel_as_read_does(tmp_path: Path) -> None:
    sigs = [Sig("LAT", ramp(4 * 50), 50), Sig("RAT", ramp(4 * 50, 100, -100), 50)]
    rec = read_recording(build_edf(tmp_path / "d.edf", sigs, plus="D",
                                   record_onsets=[0, 1, 5, 6.5]))
    for label, x in zip(["RAT", "LAT"], rec.read_many(["RAT", "LAT"]), strict=True):
        np.testing.assert_array_equal(x, rec.read(label))
        assert np.isnan(x[100:250]).all()
