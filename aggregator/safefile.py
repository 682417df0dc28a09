"""Writing an output file without harming what is at its path (issue 11, finding 3).

An export runs under cron, often as root, into directories others can write
to. So a file is written only as a regular file this process creates: a
temporary made with ``O_EXCL`` and ``O_NOFOLLOW`` (``tempfile.mkstemp``) beside
the target, renamed over it once complete. What is at the path decides the rest:

- nothing: a new file, with the mode the umask gives;
- a regular file: replaced whole, keeping its permission bits (and its owner
  when this process may set it);
- a symbolic link: refused, never followed (the link may have been planted;
  give the path of the file itself);
- a character device or FIFO (``/dev/null``, a pipe to another program):
  written into as it is, never replaced;
- anything else (a directory, a block device, a socket): refused.

A killed export leaves the previous file in place (and at most a hidden
``.NAME.*.partial`` temporary), never half a file.

    >>> import pathlib, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "stories.csv"
    >>> with replacing(target) as out:
    ...     _ = out.write("story_id,title\\n")
    >>> target.read_text()
    'story_id,title\\n'
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from aggregator.errors import OutputPathError


def is_stream(path: str | os.PathLike[str]) -> bool:
    """Is ``path`` a character device or FIFO, written into as it is (no file beside it)?"""
    existing = _lstat(Path(path))
    return existing is not None and _streams(existing)


@contextmanager
def replacing(path: str | os.PathLike[str], binary: bool = False) -> Iterator[IO[Any]]:
    """A file object for ``path``, written as described above; the file is in place on exit."""
    target = Path(path)
    existing = _lstat(target)
    if existing is not None and _streams(existing):
        with _open_stream(target, binary) as out:
            yield out
        return
    _check_replaceable(target, existing)
    directory = target.parent
    if not directory.is_dir():
        raise OutputPathError(f"output directory {directory} does not exist")
    try:
        fd, temporary = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".partial", dir=directory
        )
    except OSError as exc:
        raise OutputPathError(f"cannot write {target}: {exc.strerror}") from None
    try:
        with _fdopen(fd, binary) as out:
            yield out
            out.flush()
            _copy_mode(out.fileno(), existing)
            os.fsync(out.fileno())
        os.replace(temporary, target)  # replaces the name, whatever it became meanwhile
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise


def _streams(existing: os.stat_result) -> bool:
    return stat.S_ISCHR(existing.st_mode) or stat.S_ISFIFO(existing.st_mode)


def _lstat(target: Path) -> os.stat_result | None:
    try:
        return target.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputPathError(f"cannot write {target}: {exc.strerror}") from None


def _check_replaceable(target: Path, existing: os.stat_result | None) -> None:
    if existing is None or stat.S_ISREG(existing.st_mode):
        return
    if stat.S_ISLNK(existing.st_mode):
        raise OutputPathError(
            f"{target} is a symbolic link; not following it "
            "(give the path of the file itself, or -o - for stdout)"
        )
    kind = "a directory" if stat.S_ISDIR(existing.st_mode) else "not a regular file"
    raise OutputPathError(f"{target} is {kind}; not writing over it")


@contextmanager
def _open_stream(target: Path, binary: bool) -> Iterator[IO[Any]]:
    """A device or FIFO is written into as it is: replacing /dev/null would break the system."""
    try:
        fd = os.open(target, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        reason = "is a symbolic link" if exc.errno == errno.ELOOP else exc.strerror
        raise OutputPathError(f"cannot write {target}: {reason}") from None
    with _fdopen(fd, binary) as out:
        yield out


def _fdopen(fd: int, binary: bool) -> IO[Any]:
    if binary:
        return os.fdopen(fd, "wb")
    return os.fdopen(fd, "w", encoding="utf-8", newline="")


def _copy_mode(fd: int, existing: os.stat_result | None) -> None:
    """The replaced file's permission bits and owner; a new file gets what the umask allows."""
    if existing is None:
        os.fchmod(fd, 0o666 & ~_umask())
        return
    os.fchmod(fd, stat.S_IMODE(existing.st_mode) & 0o777)
    mine = os.fstat(fd)
    if (mine.st_uid, mine.st_gid) != (existing.st_uid, existing.st_gid):
        with contextlib.suppress(PermissionError):  # only root may give a file away
            os.fchown(fd, existing.st_uid, existing.st_gid)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
