"""Where a run's files go: safe names, checks before simulating, an atomic exclusive commit.

A *run directory* is a directory (not a symlink) holding a ``manifest.json`` whose
object has ``versions`` and ``command_line``: what ``gainsim run`` writes last.
``--force`` replaces only such a directory.

The files of a run are written into a hidden sibling ``.NAME.partial-PID`` that is
created (and probed with a write) *before* simulating, so an unwritable or impossible
location is reported at once. The finished folder is then renamed into place with
``renameat2(RENAME_NOREPLACE)`` (``RENAME_EXCHANGE`` for ``--force``) on Linux, so of
two runs writing the same ``-o`` one wins and the other is told, its results kept
beside it. Folders of dead processes (``.*.partial-PID``) are swept on the next run
into the same parent.

References
----------
``rename(2)``, ``renameat2(2)``: Linux man-pages (RENAME_NOREPLACE, RENAME_EXCHANGE).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import errno
import json
import os
import re
import shutil
import tempfile
import time
import unicodedata
from pathlib import Path

MANIFEST = "manifest.json"
MAX_NAME_BYTES = 100  # of a default folder name (file systems allow 255)
_PARTIAL = re.compile(r"^\..+\.partial-(\d+)$")
_RENAME_NOREPLACE, _RENAME_EXCHANGE = 1, 2
_AT_FDCWD = -100


class OutputError(Exception):
    """The output location cannot be used; the message is one line for the user."""


def safe_name(name: str) -> str:
    """A folder name from a scenario ``name``: no separators, no ``..``, at most 100 bytes.

    Path separators, control characters, runs of dots and characters other than
    letters, digits, ``-_.+=,()[]`` and spaces become ``_`` (repeats merged); dots,
    spaces and ``_`` at either end are dropped (no hidden folder, no ``..``); an empty
    result is ``scenario``: ``"../../escape"`` gives ``"escape"``.
    """
    name = unicodedata.normalize("NFC", name)
    cleaned = "".join(c if (c.isalnum() or c in "-_.+=,()[] ") and c.isprintable() else "_"
                      for c in name)
    cleaned = re.sub(r"_+", "_", re.sub(r"\.{2,}", "_", cleaned)).strip(" ._") or "scenario"
    data = cleaned.encode("utf-8")[:MAX_NAME_BYTES]
    return data.decode("utf-8", errors="ignore").rstrip(" ") or "scenario"


def default_dir(name: str, parent: Path = Path("runs")) -> Path:
    """``runs/NAME-YYYYmmdd-HHMMSS`` (``-2``, ``-3`` … if taken), NAME made safe."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = f"{safe_name(name)}-{stamp}"
    path, i = parent / base, 1
    while os.path.lexists(path):
        i += 1
        path = parent / f"{base}-{i}"
    return path


def is_run_dir(path: Path) -> bool:
    """True for a real directory whose ``manifest.json`` is one written by ``gainsim run``."""
    if path.is_symlink() or not path.is_dir():
        return False
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(manifest, dict) and {"versions", "command_line"} <= set(manifest)


def check_target(out: Path, force: bool) -> None:
    """Refuse ``out`` before simulating: taken without ``--force``, or not a run directory."""
    if not os.path.lexists(out):
        return
    if not force:
        raise OutputError(f"{out}: already exists (use --force to replace a run directory)")
    if not is_run_dir(out):
        what = ("a symlink" if out.is_symlink() else "a file" if not out.is_dir()
                else f"a directory without a gainsim {MANIFEST}")
        raise OutputError(f"{out}: is {what}, not a run directory; --force replaces only "
                          "run directories")


def prepare(out: Path) -> Path:
    """Create the hidden folder the run will be written into, beside ``out``; probe it.

    Stale ``.*.partial-PID`` folders of dead processes in the same parent are removed
    first. Raises :class:`OutputError` if the parent cannot be created or written.
    """
    parent = out.parent
    made = [p for p in (parent, *parent.parents) if not p.exists()]  # innermost first
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise OutputError(f"{out}: cannot create {parent}/ (a file of that name is in "
                          "the way)") from None
    except OSError as err:
        raise OutputError(f"{out}: cannot create {parent}/ ({_reason(err)})") from None
    sweep_stale(parent)
    tmp = parent / f".{out.name}.partial-{os.getpid()}"
    _MADE[tmp] = made
    try:
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        probe = tmp / ".probe"
        probe.write_bytes(b"0" * 4096)
        probe.unlink()
    except OSError as err:
        discard(tmp)
        raise OutputError(f"{out}: cannot write in {parent}/ ({_reason(err)})") from None
    return tmp


_MADE: dict = {}  # hidden folder -> the parent folders prepare() created for it


def discard(tmp: Path) -> None:
    """Remove the hidden folder of a run that did not commit, and the parent folders
    :func:`prepare` created for it if they are still empty: a command that fails or is
    interrupted leaves nothing behind."""
    shutil.rmtree(tmp, ignore_errors=True)
    for folder in _MADE.pop(tmp, ()):
        try:
            folder.rmdir()
        except OSError:  # not empty (another run's files) or gone: keep the rest
            break


def sweep_stale(parent: Path) -> list[Path]:
    """Remove ``.*.partial-PID`` folders in ``parent`` whose process no longer runs."""
    removed = []
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return removed
    for entry in entries:
        match = _PARTIAL.match(entry.name)
        if match and entry.is_dir(follow_symlinks=False) and not _alive(int(match[1])):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # ours from an earlier run of this process: stale too
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def commit(tmp: Path, out: Path, force: bool) -> Path:
    """Move the finished folder ``tmp`` to ``out``, atomically; return where it went.

    Without ``force`` an existing ``out`` is never touched: the run goes to the first
    free ``out-2``, ``out-3`` … and :class:`Taken` says where. With ``force`` ``out``
    must still be a run directory; it is swapped out in one step and then removed.
    """
    if force and os.path.lexists(out):
        if not is_run_dir(out):
            raise OutputError(f"{out}: is no longer a run directory; not replaced")
        if _rename2(tmp, out, _RENAME_EXCHANGE):
            shutil.rmtree(tmp, ignore_errors=True)  # tmp now holds the old run
            return out
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        os.rename(out, old)
        _place(tmp, out)
        shutil.rmtree(old, ignore_errors=True)
        return out
    try:
        _place(tmp, out)
        return out
    except FileExistsError:
        pass
    i = 1
    while True:
        i += 1
        beside = out.with_name(f"{out.name}-{i}")
        try:
            _place(tmp, beside)
        except FileExistsError:
            continue
        raise Taken(out, beside)


class Taken(Exception):
    """Another run took ``out`` first; this run's files are in ``beside``."""

    def __init__(self, out: Path, beside: Path):
        self.out, self.beside = out, beside
        super().__init__(f"{out}: another gainsim command wrote it while this one ran; "
                         f"this one's files are in {beside}/")


def _place(tmp: Path, out: Path) -> None:
    """Rename ``tmp`` to ``out`` only if ``out`` does not exist (FileExistsError if it does)."""
    if _rename2(tmp, out, _RENAME_NOREPLACE):
        return
    # no renameat2 here: an exclusive mkdir claims the name, then rename onto it
    os.mkdir(out)
    os.rename(tmp, out)


def _rename2(src: Path, dst: Path, flags: int) -> bool:
    """``renameat2``; False where the system call or the flag is not available."""
    fn = _renameat2()
    if fn is None:
        return False
    if fn(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dst), flags) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    if err in (errno.EEXIST, errno.ENOTEMPTY):
        raise FileExistsError(err, os.strerror(err), str(dst))
    raise OSError(err, os.strerror(err), str(dst))


_LIBC: list = []


def _renameat2():
    if not _LIBC:
        fn = None
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
            fn = getattr(libc, "renameat2", None)
            if fn is not None:
                fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                               ctypes.c_uint]
                fn.restype = ctypes.c_int
        except OSError:
            fn = None
        _LIBC.append(fn)
    return _LIBC[0]


def rescue_dir(name: str) -> Path:
    """A fresh folder in the system's temporary directory for results that could not be
    written where asked."""
    return Path(tempfile.mkdtemp(prefix=f"gainsim-{safe_name(name)[:40]}-"))


def _reason(err: OSError) -> str:
    return err.strerror or str(err)
