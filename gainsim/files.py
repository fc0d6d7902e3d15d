"""Reading an input file the user named: only a regular file, only up to a size limit.

The scenario loader (:mod:`gainsim.scenario.load`) and the data plant's reader
(:mod:`gainsim.signals.data_files`) read what a user points them at. A FIFO would
block, ``/dev/zero`` never ends and a directory is no file: each is refused before a
byte is read, with a phrase the caller puts after the file's name.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path


class FileRefused(Exception):
    """The file cannot be used; ``str(err)`` is the phrase (``file not found``, …)."""


def file_type(mode: int) -> str:
    """What a non-regular file is, in words (``a directory``, ``a FIFO``, …)."""
    for test, name in ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
                       (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return name
    return "not a plain file"


def read_regular(path: str | Path, limit: int, what: str = "file") -> bytes:
    """The bytes of the regular file ``path`` (at most ``limit`` of them).

    Raises :class:`FileRefused` for a missing, non-regular, unreadable or too large
    file; ``what`` names the kind of file in the size message (``a scenario``).
    """
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; fstat then decides
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise FileRefused(f"not a regular file ({file_type(info.st_mode)})")
            if info.st_size > limit:
                raise FileRefused(f"file too large ({info.st_size:,} bytes; {what} may have "
                                  f"at most {limit:,})")
            raw = fh.read(limit + 1)
    except FileNotFoundError:
        raise FileRefused("file not found") from None
    except IsADirectoryError:
        raise FileRefused("not a regular file (a directory)") from None
    except OSError as err:
        raise FileRefused(f"cannot read file ({err.strerror or err})") from None
    if len(raw) > limit:  # grew while being read
        raise FileRefused(f"file too large (over {limit:,} bytes)")
    return raw
