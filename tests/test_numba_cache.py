"""Cache folders of different source versions coexist; stale ones are pruned by age and count."""
import os
import time

import numba
import pytest

from gainsim import _numba_cache as cache


@pytest.fixture
def base(tmp_path, monkeypatch):
    monkeypatch.setenv("NUMBA_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(numba.config, "CACHE_DIR", numba.config.CACHE_DIR)  # restored after
    return tmp_path


def _folder(base, name, days_ago):
    path = base / name
    path.mkdir()
    (path / "kernel.nbi").write_text("x")
    stamp = time.time() - days_ago * 86400
    os.utime(path, (stamp, stamp))
    return path


def test_other_versions_survive_a_new_folder(base):
    other = _folder(base, "gainsim-0123456789abcdef", days_ago=1)   # another checkout
    unrelated = _folder(base, "not-gainsim", days_ago=400)
    folder = cache.configure()
    assert folder == base / f"gainsim-{cache.source_digest()}" and folder.is_dir()
    assert numba.config.CACHE_DIR == str(folder)
    assert other.is_dir() and (other / "kernel.nbi").exists()
    assert unrelated.is_dir()                                        # not ours: never touched


def test_folders_unused_for_a_month_are_removed(base):
    old = _folder(base, "gainsim-old", days_ago=cache.MAX_AGE_DAYS + 1)
    recent = _folder(base, "gainsim-recent", days_ago=cache.MAX_AGE_DAYS - 1)
    cache.configure()
    assert not old.exists() and recent.is_dir()


def test_at_most_keep_folders_the_most_recently_used(base):
    others = [_folder(base, f"gainsim-v{k:02d}", days_ago=k) for k in range(cache.KEEP + 3)]
    folder = cache.configure()
    left = sorted(p.name for p in base.glob("gainsim-*"))
    assert len(left) == cache.KEEP and folder.name in left
    assert left == sorted([folder.name] + [p.name for p in others[:cache.KEEP - 1]])


def test_using_a_folder_marks_it_recent_and_removes_nothing(base):
    current = _folder(base, f"gainsim-{cache.source_digest()}", days_ago=cache.MAX_AGE_DAYS + 5)
    old = _folder(base, "gainsim-old", days_ago=cache.MAX_AGE_DAYS + 1)
    assert cache.configure() == current
    assert time.time() - current.stat().st_mtime < 60
    assert old.is_dir()  # pruning happens when a new version's folder is made, not on every import
    assert (current / "kernel.nbi").exists()


def test_import_gainsim_leaves_numba_for_later_and_sets_its_cache_folder_then(tmp_path):
    # `gainsim --help` need not pay for numba; a kernel module importing numba later
    # still finds the cache folder of these sources before its first @njit
    import subprocess
    import sys

    code = ("import sys, gainsim\n"
            "print('numba' in sys.modules)\n"
            "import gainsim.estimators.lms, numba\n"
            "from gainsim._numba_cache import source_digest\n"
            "print(numba.config.CACHE_DIR.endswith('gainsim-' + source_digest()))\n")
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True).stdout.split()
    assert out == ["False", "True"]
