"""ews.datasets.fetch: the public records through EWS_DATA_DIR, and through a download from a local HTTP
server (started here on 127.0.0.1) into the cache, with checksum and offline errors that leave nothing
half-written."""
import functools
import http.server
import shutil
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import ews
from ews import datasets

SHARED = Path(__file__).resolve().parents[2] / "shared" / "datasets"
pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason=f"the shared copies of the public records ({SHARED}) "
                                "are not on this machine")


@pytest.fixture
def env(monkeypatch, tmp_path):
    for var in ("EWS_DATA_DIR", "EWS_DATA_URL", "EWS_CACHE_DIR"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("EWS_CACHE_DIR", str(tmp_path / "cache"))
    return monkeypatch


@pytest.fixture
def server():
    """Serve a folder over HTTP on 127.0.0.1 (an ephemeral port); yields (set_root, base_url, stop)."""
    state = {"root": str(SHARED)}

    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path):
            return str(Path(state["root"]) / path.lstrip("/").split("?")[0])

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    stopped = []

    def stop():
        if not stopped:
            httpd.shutdown()
            httpd.server_close()
            stopped.append(True)

    yield functools.partial(state.__setitem__, "root"), url, stop
    stop()


def test_every_record_reads_through_EWS_DATA_DIR_with_its_checksum(env):
    env.setenv("EWS_DATA_DIR", str(SHARED))
    for name, rec in datasets.RECORDS.items():
        ts = datasets.fetch(name)
        assert ts.n > 10 and np.all(np.diff(ts.t) > 0), name
        assert ts.attrs["citation"] == rec.citation
    raw = pd.read_csv(SHARED / datasets.info("vostok").file)
    v = datasets.fetch("vostok")
    assert v.n == raw["ice_age_GT4_yrBP"].nunique()
    first = raw[raw["ice_age_GT4_yrBP"] == raw["ice_age_GT4_yrBP"].max()]["deuterium_permil"].mean()
    assert v.t[0] == -raw["ice_age_GT4_yrBP"].max() and v.values[0] == pytest.approx(first)  # oldest first
    w = datasets.fetch("vostok", window=True)
    assert w.t[0] >= -270000 and w.t[-1] <= -242000 and w.n > 100
    d = datasets.fetch("daphnia_deteriorating")
    assert d.shape == (30, 16) and d.row_lengths().min() == 15
    with pytest.raises(ews.InputError, match="window"):
        datasets.fetch("gisp2_temperature", window=True)
    with pytest.raises(ews.InputError, match="vostok"):
        datasets.fetch("vostock")


def test_download_into_the_cache_then_the_cache_without_the_server(env, server, tmp_path):
    _, url, stop = server
    env.setenv("EWS_DATA_URL", url)
    ts = datasets.fetch("ibm_critical")
    cached = tmp_path / "cache" / datasets.info("ibm_critical").file
    assert cached.is_file() and ts.n == 40
    stop()  # offline now: the cache serves
    again = datasets.fetch("ibm_critical")
    np.testing.assert_array_equal(again.values, ts.values)
    assert not [p for p in cached.parent.iterdir() if p.name.startswith(".part-")]


def test_a_corrupted_download_is_refused_and_nothing_is_kept(env, server, tmp_path):
    set_root, url, _ = server
    bad = tmp_path / "served"
    rec = datasets.info("ibm_critical")
    (bad / rec.file).parent.mkdir(parents=True)
    shutil.copy(SHARED / rec.file, bad / rec.file)
    with open(bad / rec.file, "a") as fh:
        fh.write("1000,1\n")
    set_root(str(bad))
    env.setenv("EWS_DATA_URL", url)
    with pytest.raises(ews.InputError, match="SHA-256"):
        datasets.fetch("ibm_critical")
    folder = tmp_path / "cache" / Path(rec.file).parent
    assert not folder.exists() or not any(folder.iterdir())


def test_offline_names_EWS_DATA_DIR(env, server):
    _, url, stop = server
    stop()
    env.setenv("EWS_DATA_URL", url)  # nothing listens there any more
    with pytest.raises(ews.InputError, match="EWS_DATA_DIR"):
        datasets.fetch("ibm_critical")
    env.delenv("EWS_DATA_URL")
    with pytest.raises(ews.InputError, match="EWS_DATA_DIR"):
        datasets.fetch("ibm_critical")


def test_a_damaged_local_copy_is_refused(env, tmp_path):
    rec = datasets.info("ibm_critical")
    (tmp_path / "local" / rec.file).parent.mkdir(parents=True)
    (tmp_path / "local" / rec.file).write_text("time,population\n0,1\n")
    env.setenv("EWS_DATA_DIR", str(tmp_path / "local"))
    with pytest.raises(ews.InputError, match="SHA-256"):
        datasets.fetch("ibm_critical")
