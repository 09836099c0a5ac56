"""Replacing a file in one step: the one way every command writes its output.

``build``, ``publish`` (workbook and PDF), ``export``, ``addin build`` and ``addin
install`` (the add-in and ``coverbook.conf``) all write through :class:`Replacement`:

- the new file is written in a private *work folder* beside the target, named
  ``.coverbook-XXXXXXXX.tmp`` (a fixed prefix and 8 random characters, whatever the
  target is called, so a target name as long as the file system allows still has
  room: the temporary names never grow with it); the writer's own temporary files go
  inside it too;
- it replaces the target with one ``os.replace`` (atomic on POSIX and on NTFS), only
  after it is complete, and keeps the target's permission bits;
- the work folder is removed afterwards, whatever happened (an error, Ctrl+C, or
  SIGTERM: the command turns it into an exit that runs the same clean-up);
- a process killed outright (``kill -9``, a power cut) cannot clean up: the next
  command writing into the same folder removes the work folders of processes that
  are gone (:func:`remove_leftovers`), never one whose process is still writing.

Which work folders are still in use is told by a lock, not by a process id (ids are
reused, and mean nothing to another machine writing on the same network share): the
work folder holds a file ``lock`` that its process keeps open while it writes. On
Linux and macOS it holds an exclusive ``flock`` on it (released by the system when
the process dies, however it dies); a clean-up that cannot take that lock leaves the
folder alone. On Windows an open file cannot be deleted by another process, so a
clean-up that cannot delete ``lock`` leaves the folder alone.

A target that is a symbolic link is written through: the file the link points to is
replaced (its work folder beside it, so the final rename stays on one file system)
and the link is kept. A link to nothing, and a link whose target has another
extension (``values.xlsx`` pointing at a live ``.xlsm``), are refused.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from pathlib import Path
from typing import Callable

#: The work folder's name: ``.coverbook-`` + 8 characters of ``tempfile`` + ``.tmp``.
WORK_PREFIX, WORK_SUFFIX = ".coverbook-", ".tmp"
_WORK_NAME = re.compile(r"\.coverbook-[a-z0-9_]{8}\.tmp\Z")
#: The file of a work folder its process keeps open (and, on POSIX, locked).
LOCK_NAME = "lock"
#: A work folder without its ``lock`` is either a few microseconds old (``lock`` is
#: created right after it) or was left by a process killed in between; it is removed
#: once it is older than this many seconds.
UNLOCKED_GRACE = 60.0

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]


def _hold(lock: Path):
    """Create *lock* and keep it open (and flock-ed on POSIX); returns the open file."""
    handle = open(lock, "wb")
    if fcntl is not None:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    return handle


#: What :func:`_claim` answers for a work folder that a running process holds.
IN_USE = None


def _claim(work: Path) -> int | None:
    """Claim the work folder *work* for removal if no running process holds it (see
    the module doc): ``IN_USE`` (``None``) if one does or it cannot be told, else a
    file descriptor to close once the folder is removed (on POSIX its lock, held
    meanwhile so that two clean-ups do not race), or -1 (nothing to close)."""
    lock = work / LOCK_NAME
    if fcntl is None:
        try:
            lock.unlink()
            return -1
        except FileNotFoundError:
            pass
        except OSError:  # open in the process writing it (or not ours to delete)
            return IN_USE
    else:
        try:
            fd = os.open(lock, os.O_RDONLY)
        except FileNotFoundError:
            pass
        except OSError:
            return IN_USE
        else:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                return IN_USE
            return fd
    try:  # no lock file: being created just now, or left by a process killed then
        return -1 if time.time() - work.stat().st_mtime > UNLOCKED_GRACE else IN_USE
    except OSError:
        return IN_USE


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove the work folders in *folder* that no running process holds (left by a
    command killed outright); returns those removed. Never raises: what cannot be
    read or removed is left."""
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        try:
            if not (_WORK_NAME.match(entry.name) and entry.is_dir(follow_symlinks=False)):
                continue
        except OSError:
            continue
        work = Path(entry.path)
        claim = _claim(work)
        if claim is IN_USE:
            continue
        try:
            shutil.rmtree(work, ignore_errors=True)
        finally:
            if claim >= 0:
                os.close(claim)
        removed.append(work)
    return removed


def lock_file(path: Path) -> Path:
    """Excel's owner file of the workbook *path* while it is open: ``~$`` + its name,
    in the same folder (Windows, macOS and network shares)."""
    return path.with_name("~$" + path.name)


def lock_exists(path: Path) -> bool:
    """Whether Excel's lock file (:func:`lock_file`) is beside *path*. A name within
    two bytes of the file system's limit has no room for ``~$``: no lock file then
    (``Path.exists`` would raise "File name too long")."""
    try:
        return lock_file(path).exists()
    except OSError:
        return False


def replace_refused(path: Path, reason: str = "Permission denied", *,
                    opened_in: str = "Excel", again: str = "build again") -> str:
    """The message for a target that cannot or must not be replaced: the same on every
    OS (Windows gives it when ``os.replace`` fails on an open or read-only file).
    *opened_in* names what may hold the file open, *again* what to do once it is closed
    (``export again`` for a PDF)."""
    lock = lock_file(path)
    return (f"{path}: cannot replace it ({reason}); it is probably open in {opened_in}"
            + (f" ({lock.name} exists)" if lock_exists(path) else "")
            + f" or read-only: close it in {opened_in} and {again}; the previous file is "
            "unchanged")


def not_a_folder(folder: Path) -> Path | None:
    """The nearest existing ancestor of *folder* (itself included) if it is a file
    rather than a folder, so that *folder* cannot be created: ``None`` otherwise."""
    for candidate in (folder, *folder.parents):
        if candidate.exists() or candidate.is_symlink():
            return None if candidate.is_dir() else candidate
    return None


def folder_refused(path: Path, exc: OSError, option: str = "--output") -> str:
    """The message for a *path* whose folder cannot be created or written (*exc*):
    names a file standing where a folder should be, else the folder's permission."""
    blocker = not_a_folder(path.parent)
    if blocker is not None:
        return (f"{path}: cannot create its folder {path.parent}: {blocker} is a file, "
                f"not a folder; choose another {option}; nothing was written")
    return (f"{path}: cannot create a file in {path.parent} ({exc.strerror or exc}); "
            f"check that the folder exists and is writable, or choose another {option}")


def _file_mode(path: Path) -> int:
    """Permission bits the new file should get: the old file's, else the umask's default
    (``mkstemp`` creates 0600, which would make a shared workbook private)."""
    try:
        return path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def real_target(path: Path) -> Path:
    """The file a write to *path* replaces: *path*, or the file its symbolic link
    (or chain of links) points to. Raises ``FileNotFoundError`` for a link to
    nothing and ``OSError`` / ``RuntimeError`` for a loop of links."""
    if not path.is_symlink():
        return path
    return path.resolve(strict=True)


class Replacement:
    """A context manager that replaces *path* in one step (see the module doc)::

        with Replacement(path, error=BuildError) as new:
            write_the_file(new.tmp)
            new.commit()

    ``tmp`` is the file to write (``new`` + *path*'s suffix, in the work folder; the
    folder itself is ``tmp.parent``, for other temporary files). ``commit()`` moves
    it over the target; leaving the ``with`` block without it changes nothing. The
    work folder is removed when the block ends, whatever happened.

    Errors the user can act on raise *error* (an exception class taking the message)
    with the build's wording: a folder that cannot be created or written
    (``folder_refused``, naming *option*), a target that cannot be replaced
    (``replace_refused``, naming *opened_in* and *again*), a symbolic link to
    nothing. With *error* ``None`` they raise the ``OSError`` itself. Other
    ``OSError`` s (a full disk) are the caller's to word.
    """

    def __init__(self, path: Path | str, *, error: Callable[[str], Exception] | None = None,
                 option: str = "--output", opened_in: str = "Excel",
                 again: str = "build again"):
        self.path = Path(path)
        self.error, self.option = error, option
        self.opened_in, self.again = opened_in, again
        self.target = self.path
        self.work: Path | None = None
        self.tmp = Path()
        self._lock = None

    def _refuse(self, message: str, exc: BaseException):
        if self.error is None:
            raise exc
        raise self.error(message) from exc

    def __enter__(self) -> Replacement:
        try:
            self.target = real_target(self.path)
        except (OSError, RuntimeError) as exc:
            self._refuse(f"{self.path}: is a symbolic link to {os.readlink(self.path)}, "
                         "which does not exist (or is a loop of links); point the link at "
                         f"a file or remove it, or choose another {self.option}; nothing "
                         "was written", exc)
        if self.target.suffix.lower() != self.path.suffix.lower():
            # The name checked (.xlsx, .pdf) is the link's; the file replaced is its
            # target's: a values-only .xlsx must never land in a live .xlsm.
            self._refuse(f"{self.path}: is a symbolic link to {self.target}, a file of "
                         f"another kind ({self.target.suffix or 'no extension'}, not "
                         f"{self.path.suffix or 'no extension'}); writing through it "
                         f"would replace that file with this one: choose another "
                         f"{self.option}; nothing was written", ValueError(self.target))
        folder = self.target.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
            remove_leftovers(folder)
            self.work = Path(tempfile.mkdtemp(prefix=WORK_PREFIX, suffix=WORK_SUFFIX,
                                              dir=folder))
            self._lock = _hold(self.work / LOCK_NAME)
        except OSError as exc:
            self._remove()
            # The real file's folder: that of a link's target, where the work folder is.
            self._refuse(folder_refused(self.target, exc, self.option), exc)
        except BaseException:  # stopped (Ctrl+C, SIGTERM) between the two
            self._remove()
            raise
        self.tmp = self.work / ("new" + self.target.suffix)
        return self

    def commit(self, mode: int | None = None) -> None:
        """Move the written ``tmp`` over the target, with *mode* (default: the
        target's permission bits, else the umask's default)."""
        os.chmod(self.tmp, _file_mode(self.target) if mode is None else mode)
        try:
            os.replace(self.tmp, self.target)
        except PermissionError as exc:  # Windows: the target is open (in Excel)
            self._refuse(replace_refused(self.path, exc.strerror, opened_in=self.opened_in,
                                         again=self.again), exc)

    def _remove(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None and fcntl is None:
            lock.close()  # Windows deletes no open file
        if self.work is not None:
            shutil.rmtree(self.work, ignore_errors=True)
            self.work = None
        if lock is not None:
            lock.close()

    def __exit__(self, *exc_info) -> None:
        self._remove()
