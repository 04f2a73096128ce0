"""The written EDF+ opens in our reader, edfio and MNE with the same samples and annotations."""

from __future__ import annotations

import numpy as np
import pytest

from somnomotor.cli import main
from somnomotor.errors import InputError
from somnomotor.simulate import simulate_night, truth_path, write_night
from somnomotor.simulate.writer import PHYSICAL_RANGE_UV

#: Half a digital step of the widest physical range (16-bit).
ATOL = 2 * max(PHYSICAL_RANGE_UV.values()) / 65535


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    night = simulate_night("polio_mixed", hours=0.25, seed=21)
    path = tmp_path_factory.mktemp("sim") / "night.edf"
    write_night(night, path)
    return night, path


def _stage_texts(texts) -> list[str]:
    return [t for t in texts if t.startswith("Sleep stage ")]


def test_file_is_edf_plus_c_with_1_s_records_and_uv(written):
    _, path = written
    head = path.read_bytes()[:256]
    assert head[192:197] == b"EDF+C"
    assert float(head[244:252].decode()) == 1.0
    from edfio import read_edf

    edf = read_edf(path)
    assert all(s.physical_dimension == "uV" for s in edf.signals)


def test_truth_file_sits_beside_the_edf(written):
    night, path = written
    assert truth_path(path) == path.with_name("night.truth.csv")
    assert truth_path(path).read_text().splitlines()[0].startswith("onset,duration,kind")
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temp files


def test_edfio_reads_the_same_samples_and_annotations(written):
    from edfio import read_edf

    night, path = written
    edf = read_edf(path)
    rec = night.recording
    assert [s.label for s in edf.signals] == rec.labels
    for s in edf.signals:
        np.testing.assert_allclose(s.data, rec.read(s.label), atol=ATOL)
    texts = [a.text for a in edf.annotations]
    assert _stage_texts(texts) == _stage_texts(rec.annotations["text"])
    assert texts.count("Arousal") == (rec.annotations["text"] == "Arousal").sum()
    assert edf.startdate == rec.start.date() and edf.starttime == rec.start.time()


def test_mne_reads_the_same_samples_and_annotations(written):
    import mne as mne
    night, path = written
    raw = mne.io.read_raw_edf(path, preload=True, verbose="error")
    rec = night.recording
    assert raw.ch_names == rec.labels
    assert raw.info["sfreq"] == 256.0
    data = raw.get_data() * 1e6  # V -> µV
    for i, label in enumerate(rec.labels):
        np.testing.assert_allclose(data[i], rec.read(label), atol=ATOL)
    desc = list(raw.annotations.description)
    assert _stage_texts(desc) == _stage_texts(rec.annotations["text"])
    ar = rec.annotations[rec.annotations["text"] == "Arousal"]
    mne_ar = raw.annotations.onset[np.array(desc) == "Arousal"]
    np.testing.assert_allclose(mne_ar, ar["onset"], atol=1e-3)


def test_project_reader_reads_the_same_samples_and_annotations(written):
    from somnomotor.io import read_recording

    night, path = written
    rec = read_recording(path)
    mem = night.recording
    assert rec.labels == mem.labels
    for c in rec.channels:
        np.testing.assert_allclose(rec.read(c.label), mem.read(c.label), atol=ATOL)
    ours = mem.annotations.reset_index(drop=True)
    theirs = rec.annotations.reset_index(drop=True)
    assert list(theirs["text"]) == list(ours["text"])
    np.testing.assert_allclose(theirs["onset"], ours["onset"], atol=1e-3)
    for c, m in zip(rec.channels, mem.channels, strict=True):
        assert (c.kind, c.muscle, c.side) == (m.kind, m.muscle, m.side)


def test_project_reader_finds_the_hypnogram_in_the_annotations(written):
    from somnomotor.io import read_recording, scorings_from_recording

    night, path = written
    sc = scorings_from_recording(read_recording(path))
    assert sc.hypnogram is not None
    assert list(sc.hypnogram.stages[: len(night.hypnogram)]) == list(night.hypnogram.stages)
    assert (sc.events["kind"] == "arousal").sum() == (night.scored["kind"] == "arousal").sum()


def test_write_refuses_a_name_without_edf(tmp_path):
    night = simulate_night("healthy", hours=0.05, seed=0, settings={"channels": "LAT"})
    with pytest.raises(InputError):
        write_night(night, tmp_path / "night.txt")


def test_cli_simulate_writes_the_files(tmp_path, capsys):
    out = tmp_path / "n.edf"
    rc = main(["simulate", "--scenario", "polio_plms", "--hours", "0.1", "--seed", "3",
               "--set", "damage.leg=0.9", "--set", "channels=LAT,RAT", "--out", str(out)])
    assert rc == 0
    assert out.exists() and out.with_name("n.truth.csv").exists()
    assert "n.truth.csv" in capsys.readouterr().out


def test_cli_bad_set_value_is_one_line_and_exit_1(tmp_path, capsys):
    rc = main(["simulate", "--hours", "0.1", "--set", "damage.leg=lots",
               "--out", str(tmp_path / "n.edf")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 1 and len(err) == 1 and "damage.leg" in err[0]
    assert not (tmp_path / "n.edf").exists()


@pytest.mark.parametrize("argv", [["simulate"], ["simulate", "--out", "x.edf", "--hours", "x"],
                                  ["simulate", "--out", "x.edf", "--scenario", "nope"]])
def test_cli_bad_usage_exits_2(argv):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2


def test_files_are_byte_identical_across_processes_and_hash_seeds(tmp_path):
    """Determinism does not hang on Python's per-process string hashing or the clock."""
    import hashlib
    import os
    import subprocess
    import sys

    digests = []
    for hash_seed in ("1", "2"):
        out = tmp_path / hash_seed / "n.edf"
        env = {**os.environ, "PYTHONHASHSEED": hash_seed}
        code = "import sys; from somnomotor.cli import main; sys.exit(main(sys.argv[1:]))"
        subprocess.run([sys.executable, "-c", code, "simulate", "--hours", "0.1",
                        "--seed", "8", "--set", "channels=LAT,RAT,Chin1-Chin2",
                        "--out", str(out)], check=True, env=env, capture_output=True)
        digests.append(tuple(hashlib.sha256(p.read_bytes()).hexdigest()
                             for p in (out, out.with_name("n.truth.csv"))))
    assert digests[0] == digests[1]


def test_cli_lists_the_settings_of_a_scenario(capsys):
    assert main(["simulate", "--scenario", "polio_plms", "--list-settings"]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("damage.leg "))
    assert line.split()[1] == "0.8"


def test_cli_evening_options_reach_the_model(tmp_path):
    from somnomotor.events import read_events_csv
    from somnomotor.simulate import Evening, simulate_events

    out = tmp_path / "n.edf"
    rc = main(["simulate", "--scenario", "polio_plms", "--hours", "1", "--seed", "2",
               "--evening", "alprazolam_mg=2", "--evening", "heat_at_night=true",
               "--set", "channels=LAT", "--out", str(out)])
    assert rc == 0
    truth = read_events_csv(out.with_name("n.truth.csv"))
    _, expected, _ = simulate_events("polio_plms", hours=1, seed=2, settings={"channels": "LAT"},
                                     evening=Evening(alprazolam_mg=2.0, heat_at_night=True))
    assert len(truth) == len(expected)
    np.testing.assert_allclose(truth["onset"], expected["onset"], atol=1e-3)
    _, untreated, _ = simulate_events("polio_plms", hours=1, seed=2, settings={"channels": "LAT"})
    assert len(untreated) > len(truth)


@pytest.mark.parametrize("bad", ["beer=3", "alprazolam_mg=lots", "heat_at_night=maybe",
                                 "exertion=2.5"])
def test_cli_bad_evening_is_one_line_and_exit_1(tmp_path, capsys, bad):
    rc = main(["simulate", "--hours", "0.1", "--evening", bad, "--out", str(tmp_path / "n.edf")])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 1 and len(err) == 1


def test_cli_plot_draws_the_model_figure(tmp_path):
    out, fig = tmp_path / "n.edf", tmp_path / "model.png"
    rc = main(["simulate", "--scenario", "polio_plms", "--hours", "0.5", "--set", "channels=LAT",
               "--out", str(out), "--plot", str(fig)])
    assert rc == 0
    assert fig.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_refuses_an_unknown_format(tmp_path):
    from somnomotor.simulate.figure import plot_model

    night = simulate_night("healthy", hours=0.05, seed=0, settings={"channels": "LAT"})
    with pytest.raises(InputError):
        plot_model(night, tmp_path / "model.txt")


@pytest.mark.parametrize("fs", [200, 333, 512])
def test_any_whole_sampling_rate_round_trips(tmp_path, fs):
    from edfio import read_edf

    night = simulate_night("polio_mixed", hours=0.05, seed=2, fs=fs, mains_hz=60,
                           settings={"channels": "LAT,Chin1-Chin2,ECG II,C4-M1,E1-M2"})
    write_night(night, tmp_path / "n.edf")
    edf = read_edf(tmp_path / "n.edf")
    for s in edf.signals:
        assert s.sampling_frequency == fs
        np.testing.assert_allclose(s.data, night.recording.read(s.label), atol=ATOL)


def test_pyedflib_reads_the_same_samples(written):
    import pyedflib as pyedflib
    night, path = written
    with pyedflib.EdfReader(str(path)) as f:
        assert f.getSignalLabels() == night.recording.labels
        for i, label in enumerate(f.getSignalLabels()):
            np.testing.assert_allclose(f.readSignal(i), night.recording.read(label), atol=ATOL)
        onsets, _, texts = f.readAnnotations()
    assert _stage_texts(list(texts)) == _stage_texts(night.recording.annotations["text"])


def test_the_model_figure_legends_cover_no_trace():
    """Issue 13: plot_model's legends sat over the traces they explain."""
    import matplotlib.pyplot as plt

    from somnomotor.simulate import simulate_night
    from somnomotor.simulate.figure import model_figure

    fig = model_figure(simulate_night("polio_mixed", hours=1, seed=3))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legends = [a.get_legend() for a in fig.axes if a.get_legend() is not None]
    assert len(legends) == 3
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for ax in fig.axes:
            assert not box.overlaps(ax.get_window_extent(renderer))
    plt.close(fig)
