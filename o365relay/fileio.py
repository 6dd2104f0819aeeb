"""Files a person names on the command line: bounded reads and safe, all-or-nothing writes.

Reading: at most ``limit`` bytes are ever read (a size from ``stat()`` proves nothing for
``/dev/zero`` or a FIFO), and only regular files or standard input are read at all; opening is
non-blocking, so a FIFO with no writer is refused instead of hanging.

Writing: the target may not be a symlink (dangling or not), a directory or any other non-regular
file, and its directory must exist; the text goes to a temporary file in that directory which is
renamed over the target, so a failed or interrupted run leaves the old file (or none), never half a
file. ``private`` files (those describing a tenant's security posture, or holding secrets) are
created readable by their owner only. Callers check the target with :func:`check_writable` before
any slow work (a tenant read), and write with :func:`write_text` at the end.

Every failure is a :class:`~o365relay.errors.UsageError` (exit 2) naming the file and what to do.
"""

from __future__ import annotations

import contextlib
import io
import os
import stat
import sys
import tempfile
from pathlib import Path
from typing import BinaryIO

from o365relay.errors import FileRefused, UsageError

_KINDS = {stat.S_IFDIR: "a directory", stat.S_IFIFO: "a FIFO (named pipe)", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket", stat.S_IFLNK: "a symlink"}


def kind_of(mode: int) -> str:
    """A file type in words, e.g. "a FIFO (named pipe)"."""
    return _KINDS.get(stat.S_IFMT(mode), "not a regular file")


def read_bytes(path: str | Path, limit: int, what: str = "the file") -> bytes:
    """At most ``limit`` bytes of the regular file ``path`` ("-" is standard input); larger is refused."""
    data, more = read_head(path, limit, what)
    if more:
        raise FileRefused("standard input" if str(path) == "-" else path,
                          f"it is larger than {limit:,} bytes, the limit for {what}")
    return data


def read_head(path: str | Path, limit: int, what: str = "the file") -> tuple[bytes, bool]:
    """The first ``limit`` bytes of the regular file ``path`` ("-" is standard input), and whether
    there is more: for inputs where only a leading part matters (a message's header block)."""
    if str(path) == "-":
        stream = getattr(sys.stdin, "buffer", None)  # None when stdin was replaced by a text stream
        return _head(stream, limit) if stream else _head(io.BytesIO(sys.stdin.read(limit + 1).encode()), limit)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        raise FileRefused(path, error.strerror or str(error)) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise FileRefused(path, f"it is {kind_of(mode)}; {what} must be a regular file")
    with os.fdopen(fd, "rb") as handle:
        try:
            return _head(handle, limit)
        except OSError as error:
            raise FileRefused(path, error.strerror or str(error)) from None


def read_text(path: str | Path, limit: int, what: str = "the file") -> str:
    """:func:`read_bytes` decoded as UTF-8, refusing binary files with the offset of the bad byte."""
    data = read_bytes(path, limit, what)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FileRefused(path, f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start}); "
                                f"{what} must be a UTF-8 text file") from None


def _head(handle: BinaryIO, limit: int) -> tuple[bytes, bool]:
    data = handle.read(limit + 1)
    return data[:limit], len(data) > limit


def check_writable(path: str | Path, *, overwrite: bool = True) -> Path:
    """Refuse, before any slow work, a target that :func:`write_text` could not replace safely."""
    target = Path(path)
    try:
        info = target.lstat()
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise _unwritable(target, str(error.strerror)) from None
    if info is not None:
        if stat.S_ISLNK(info.st_mode):
            raise _unwritable(target, "it is a symlink; give the real path (nothing is written through links)")
        if not stat.S_ISREG(info.st_mode):
            raise _unwritable(target, f"it is {kind_of(info.st_mode)}; give a file name")
        if not overwrite:
            raise UsageError(f"{target} exists; pass --force to overwrite it")
    parent = target.parent
    if not parent.is_dir():
        raise _unwritable(target, f"the directory {parent} does not exist; create it first")
    try:  # the one sure test, as root too and on read-only file systems: create the temp file
        fd, temp = tempfile.mkstemp(dir=parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise _unwritable(target, f"cannot create files in {parent}: {error.strerror}") from None
    os.close(fd)
    os.unlink(temp)
    return target


def write_text(path: str | Path, text: str, *, private: bool = False, overwrite: bool = True) -> None:
    """Write ``text`` to ``path`` all-or-nothing (temp file + rename); ``private`` means mode 0600."""
    target = check_writable(path, overwrite=overwrite)
    data = text.encode("utf-8")
    try:
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as error:
        raise _unwritable(target, str(error.strerror)) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600 if private else 0o666 & ~_umask())
        if overwrite:
            os.replace(temp, target)
        else:
            os.link(temp, target)  # fails if the target appeared meanwhile: never clobber
            os.unlink(temp)
    except FileExistsError:
        _discard(temp)
        raise UsageError(f"{target} exists; pass --force to overwrite it") from None
    except OSError as error:
        _discard(temp)
        raise _unwritable(target, error.strerror or str(error)) from None
    except BaseException:
        _discard(temp)
        raise


def _unwritable(target: Path, reason: str) -> FileRefused:
    return FileRefused(target, reason, "write")


def _discard(temp: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(temp)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
