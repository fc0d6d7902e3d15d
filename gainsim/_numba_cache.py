"""Where numba caches gainsim's compiled kernels: a folder keyed by their source code.

numba checks a cached function against its own source file only, so a kernel that
inlines a law from another file (the per-law loops of ``general`` → the laws) would
keep running stale code after that file changed. Keying the cache folder on a hash
of every module that holds compiled code makes any change start a fresh cache.
The folder is ``$NUMBA_CACHE_DIR`` (if set) or the user's cache folder, plus
``gainsim-<hash>``; older ``gainsim-*`` folders there are removed.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


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
    """Point numba's cache at the folder for the current sources; return it (or None)."""
    import numba

    base = os.environ.get("NUMBA_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"), "gainsim")
    folder = Path(base) / f"gainsim-{source_digest()}"
    try:
        if not folder.exists():
            folder.mkdir(parents=True, exist_ok=True)
            for old in Path(base).glob("gainsim-*"):
                if old != folder:
                    shutil.rmtree(old, ignore_errors=True)
    except OSError:  # no writable cache folder: numba compiles in every process instead
        return None
    numba.config.CACHE_DIR = str(folder)
    return folder
