"""Where numba caches gainsim's compiled kernels: a folder keyed by their source code.

numba checks a cached function against its own source file only, so a kernel that
inlines a law from another file (the per-law loops of ``general`` → the laws) would
keep running stale code after that file changed. Keying the cache folder on a hash
of every module that holds compiled code makes any change start a fresh cache.
The folder is ``$NUMBA_CACHE_DIR`` (if set) or the user's cache folder, plus
``gainsim-<hash>``. Folders of other source versions stay (two checkouts or
versions sharing a cache do not recompile each other's kernels): each use touches
its folder, and when a new folder is made, the ones unused for :data:`MAX_AGE_DAYS`
are removed, and beyond the :data:`KEEP` most recently used, the rest.
"""
from __future__ import annotations

import hashlib
import importlib.abc
import importlib.util
import os
import shutil
import sys
import time
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
KEEP = 8            # cache folders (source versions) kept at most, the most recently used
MAX_AGE_DAYS = 30   # a folder unused this long is removed


def source_digest() -> str:
    """Hash of every gainsim module that contains numba-compiled code."""
    h = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        text = path.read_bytes()
        if b"@njit" in text:
            h.update(str(path.relative_to(_PACKAGE)).encode())
            h.update(text)
    return h.hexdigest()[:16]


def configure() -> Path | None:
    """Point numba's cache at the folder for the current sources; return it (or None).

    numba itself is not imported here (0.2 s that ``gainsim --help`` and ``import
    gainsim`` alone do not need): its cache folder is set as soon as it is
    imported (:func:`when_imported`), before any gainsim kernel is defined.
    """
    base = os.environ.get("NUMBA_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"), "gainsim")
    folder = Path(base) / f"gainsim-{source_digest()}"
    try:
        if folder.exists():
            os.utime(folder)  # last use, for pruning
        else:
            folder.mkdir(parents=True, exist_ok=True)
            prune(Path(base), keep=folder)
    except OSError:  # no writable cache folder: numba compiles in every process instead
        return None
    when_imported("numba", lambda numba: setattr(numba.config, "CACHE_DIR", str(folder)))
    return folder


def when_imported(name: str, then) -> None:
    """Call ``then(module)`` once top-level module ``name`` is imported: now, if it is."""
    module = sys.modules.get(name)
    if module is not None:
        then(module)
    else:
        sys.meta_path.insert(0, _AfterImport(name, then))


class _AfterImport(importlib.abc.MetaPathFinder):
    """Finds nothing itself: when module ``name`` is first imported, it lets the other
    finders find it and makes its loader call ``then(module)`` right after running it."""

    def __init__(self, name: str, then):
        self.name, self.then = name, then

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)  # once; and the search below is the usual one
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            run, then = spec.loader.exec_module, self.then

            def exec_module(module):
                run(module)
                then(module)

            spec.loader.exec_module = exec_module
        return spec


def prune(base: Path, keep: Path, now: float | None = None) -> list[Path]:
    """Remove the ``gainsim-*`` folders of ``base`` that are stale; return them.

    Stale: unused (folder mtime) for more than :data:`MAX_AGE_DAYS`, or not among the
    :data:`KEEP` most recently used. ``keep`` (the folder in use) always stays.
    """
    now = time.time() if now is None else now
    aged = []
    for path in base.glob("gainsim-*"):
        try:
            if path != keep and path.is_dir():
                aged.append((path.stat().st_mtime, path))
        except OSError:  # removed by another process meanwhile
            continue
    aged.sort(reverse=True)  # most recently used first
    stale = [p for k, (mtime, p) in enumerate(aged)
             if k >= KEEP - 1 or now - mtime > MAX_AGE_DAYS * 86400]
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)
    return stale
