"""De-identification (HIPAA Safe Harbor): no identifying header value or free text survives,
signals stay bit-identical, the input is never touched."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import edfio
import numpy as np
import pytest

from somnomotor.anonymize import anonymize_recording, is_scoring_text
from somnomotor.errors import RecordingError

IDENTIFYING = [b"MCH-0234567", b"Haagse_Harry", b"02-MAY-1951", b"PSG-1234/2002", b"Dr_Jansen",
               b"Telemetry03-SN8841", b"03.02.25", b"03-FEB-2025", b"John Smith", b"MRN 998877",
               b"called at 02:14", b"1951"]
FREE_TEXT = ["John Smith woke, called at 02:14", "MRN 998877", "Bathroom - Haagse_Harry"]
SCORING = ["Sleep stage W", "Sleep stage N2", "Obstructive Apnea", "Lights off",
           "SpO2 desaturation 4%", "LM left"]


def _make(path, fmt: str = "edf", n_seconds: int = 120):
    rng = np.random.default_rng(1)
    sig_cls, file_cls = (edfio.EdfSignal, edfio.Edf) if fmt == "edf" else (edfio.BdfSignal,
                                                                            edfio.Bdf)
    signals = [sig_cls(rng.normal(0, 20, n_seconds * 256), 256, label="LAT",
                       physical_dimension="uV", physical_range=(-500, 500)),
               sig_cls(rng.normal(0, 50, n_seconds * 128), 128, label="C3-M2",
                       physical_dimension="uV", physical_range=(-800, 800))]
    texts = SCORING + FREE_TEXT
    annotations = [edfio.EdfAnnotation(3.0 + 9.5 * i, 1.0 if i % 2 else None, t)
                   for i, t in enumerate(texts)]
    edf = file_cls(
        signals,
        patient=edfio.Patient(code="MCH-0234567", sex="F", birthdate=dt.date(1951, 5, 2),
                              name="Haagse_Harry", additional=["John", "Smith"]),
        recording=edfio.Recording(startdate=dt.date(2025, 2, 3),
                                  hospital_administration_code="PSG-1234/2002",
                                  investigator_technician_code="Dr_Jansen",
                                  equipment_code="Telemetry03-SN8841"),
        starttime=dt.time(22, 47, 11), annotations=annotations)
    edf.write(path)
    return edf


@pytest.fixture
def identified(tmp_path):
    path = tmp_path / "harry-night.edf"
    _make(path)
    return path


def test_no_identifying_header_value_or_free_text_survives(identified, tmp_path):
    out = tmp_path / "subject07.edf"
    rep = anonymize_recording(identified, out)
    data = out.read_bytes()
    for needle in IDENTIFYING:
        assert needle not in data, needle
    assert rep.annotations_redacted == len(FREE_TEXT)
    assert rep.annotations_kept == len(SCORING)


def test_scoring_annotations_are_kept_with_their_timing(identified, tmp_path):
    out = tmp_path / "subject07.edf"
    anonymize_recording(identified, out)
    before = edfio.read_edf(identified).annotations
    after = edfio.read_edf(out).annotations
    assert [(a.onset, a.duration) for a in after] == [(a.onset, a.duration) for a in before]
    kept = [a.text for a in after if a.text != "redacted"]
    assert kept == SCORING
    assert sum(a.text == "redacted" for a in after) == len(FREE_TEXT)


def test_header_follows_the_edfplus_anonymisation_convention(identified, tmp_path):
    out = tmp_path / "subject07.edf"
    anonymize_recording(identified, out)
    head = out.read_bytes()[:256]
    assert head[8:88].decode().strip() == "X F X X"          # sex kept, the rest removed
    assert head[88:168].decode().strip() == "Startdate X X X X"
    assert head[168:176] == b"01.01.85"
    assert head[176:184] == b"22.47.11"                        # clock time kept by default
    edf = edfio.read_edf(out)
    assert edf.patient.name == "X" and edf.patient.code == "X"


def test_keep_year_keeps_only_the_year_and_drop_time_clears_the_clock(identified, tmp_path):
    out = tmp_path / "subject07.edf"
    rep = anonymize_recording(identified, out, keep_year=True, drop_time=True)
    head = out.read_bytes()[:256]
    assert head[168:176] == b"01.01.25" and rep.start_date == "01.01.25"
    assert head[88:168].decode().strip() == "Startdate 01-JAN-2025 X X X"
    assert head[176:184] == b"00.00.00"
    assert edfio.read_edf(out).startdate == dt.date(2025, 1, 1)


def test_signals_are_bit_identical(identified, tmp_path):
    out = tmp_path / "subject07.edf"
    anonymize_recording(identified, out)
    a, b = edfio.read_edf(identified), edfio.read_edf(out)
    for sa, sb in zip(a.signals, b.signals, strict=True):
        assert sa.label == sb.label
        np.testing.assert_array_equal(sa.digital, sb.digital)
    assert len(out.read_bytes()) == len(identified.read_bytes())
    # byte for byte, every data record outside the annotation signal
    src, dst = identified.read_bytes(), out.read_bytes()
    hdr = 256 * (a.num_signals + 2)                     # + the annotation signal
    signal_bytes = sum(s.samples_per_data_record for s in a.signals) * 2
    record = (len(src) - hdr) // a.num_data_records
    for i in range(a.num_data_records):
        at = hdr + i * record
        assert src[at:at + signal_bytes] == dst[at:at + signal_bytes]


def test_input_is_never_touched(identified, tmp_path):
    before = hashlib.sha256(identified.read_bytes()).hexdigest()
    mtime = identified.stat().st_mtime_ns
    anonymize_recording(identified, tmp_path / "copy.edf")
    assert hashlib.sha256(identified.read_bytes()).hexdigest() == before
    assert identified.stat().st_mtime_ns == mtime


def test_refuses_to_overwrite_the_input(identified):
    with pytest.raises(RecordingError, match="overwrite the input"):
        anonymize_recording(identified, identified)


def test_bdf_plus_is_handled_too(tmp_path):
    path = tmp_path / "night.bdf"
    _make(path, "bdf", 60)
    out = tmp_path / "anon.bdf"
    rep = anonymize_recording(path, out)
    assert rep.file_type == "BDF+"
    data = out.read_bytes()
    for needle in (b"Haagse_Harry", b"MCH-0234567", b"MRN 998877", b"John Smith"):
        assert needle not in data
    a, b = edfio.read_bdf(path), edfio.read_bdf(out)
    np.testing.assert_array_equal(a.signals[0].digital, b.signals[0].digital)


def test_plain_edf_fields_become_x(tmp_path):
    path = tmp_path / "plain.edf"
    edfio.Edf([edfio.EdfSignal(np.zeros(256 * 4), 256, label="LAT")]).write(path)
    raw = bytearray(path.read_bytes())
    raw[8:88] = b"Harry Haagse 02-05-1951 ward 4".ljust(80)
    raw[88:168] = b"Night study St Elsewhere".ljust(80)
    raw[192:236] = b" " * 44                                      # plain EDF, not EDF+
    path.write_bytes(bytes(raw))
    out = tmp_path / "anon.edf"
    rep = anonymize_recording(path, out)
    head = out.read_bytes()[:256]
    assert rep.file_type == "EDF"
    assert head[8:88].strip() == b"X" and head[88:168].strip() == b"X"
    assert out.read_bytes()[256 * 2:] == path.read_bytes()[256 * 2:]


@pytest.mark.parametrize("damage, message", [
    (lambda b: b[:100], "too short to be EDF"),
    (lambda b: b"HELLO   " + b[8:], "not an EDF or BDF"),
    (lambda b: b[:-5000], "truncated"),
])
def test_broken_files_raise_one_clear_error(identified, tmp_path, damage, message):
    bad = tmp_path / "bad.edf"
    bad.write_bytes(damage(identified.read_bytes()))
    with pytest.raises(RecordingError, match=message) as err:
        anonymize_recording(bad, tmp_path / "out.edf")
    assert "bad.edf" in str(err.value)
    assert not (tmp_path / "out.edf").exists()


def test_scoring_vocabulary_whitelist():
    assert all(is_scoring_text(t) for t in SCORING + ["Arousal (ASDA)", "PLM (Left)",
                                                       "Sleep stage ?", "Myoclonus fds right"])
    assert not any(is_scoring_text(t) for t in FREE_TEXT + ["12.03.2021", "Pt. de Vries"])
    assert is_scoring_text("Bathroom break", extra_words=["bathroom", "break"])


def test_non_ascii_names_in_the_header_are_removed_too(identified, tmp_path):
    """EDF asks for ASCII, but files in the wild carry accented names: remove them anyway."""
    raw = bytearray(identified.read_bytes())
    raw[8:88] = "MCH-1 M 02-MAY-1951 Jürgen_Müller".encode("latin-1").ljust(80)
    bad = tmp_path / "latin1.edf"
    bad.write_bytes(bytes(raw))
    out = tmp_path / "anon.edf"
    anonymize_recording(bad, out)
    head = out.read_bytes()[:256]
    assert head[8:88].strip() == b"X M X X"
    assert "Müller".encode("latin-1") not in out.read_bytes()


@pytest.mark.realdata
def test_real_files_anonymized_with_identical_samples_and_annotation_timing(real_data, tmp_path):
    """Every EDF/BDF in ../shared/data/real: same size, every byte outside the header and
    the annotation signals identical, the same annotations at the same times."""
    from somnomotor.anonymize import _read_layout
    from somnomotor.io import read_recording

    files = sorted(p for p in real_data.rglob("*") if p.suffix.lower() in (".edf", ".bdf"))
    assert files
    for src in files:
        out = tmp_path / f"anon-{src.name}"
        try:
            read_recording(src)
        except RecordingError as exc:  # one header parser: refused alike, nothing written
            with pytest.raises(RecordingError, match=re.escape(exc.problem)):
                anonymize_recording(src, out)
            assert not out.exists()
            continue
        rep = anonymize_recording(src, out)
        a, b = src.read_bytes(), out.read_bytes()
        assert len(a) == len(b), src.name
        layout = _read_layout(src)
        keep = np.ones(len(a), dtype=bool)
        keep[:256] = False
        base = layout.header_bytes
        for i in range(layout.n_records):
            for s0, s1 in layout.annotation_slices:
                keep[base + i * layout.record_bytes + s0: base + i * layout.record_bytes + s1] = False
        diff = np.frombuffer(a, np.uint8) != np.frombuffer(b, np.uint8)
        assert not (diff & keep).any(), src.name
        assert b[8:88].split()[0] == b"X" and b[168:176] == b"01.01.85", src.name
        if layout.annotation_slices:
            try:
                before = edfio.read_bdf(src) if layout.file_type.startswith("BDF") else \
                    edfio.read_edf(src)
            except Exception:  # noqa: BLE001 - a file edfio refuses is checked bytewise only
                continue
            after = (edfio.read_bdf if layout.file_type.startswith("BDF") else edfio.read_edf)(out)
            assert [(x.onset, x.duration) for x in after.annotations] == \
                [(x.onset, x.duration) for x in before.annotations], src.name
            assert rep.annotations_kept + rep.annotations_redacted == len(
                [x for x in before.annotations if x.text])  # edfio lists empty time stamps too
