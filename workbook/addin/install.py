"""``coverbook addin install`` / ``remove``: the add-in in Excel's startup folder, the
interpreter in ``coverbook.conf`` (and ``ADD_WORKBOOK_TO_PYTHONPATH`` false there: the
active workbook's folder is not put first on Python's path, so nothing beside an
analyst's workbook shadows coverbook's ``udfs``, ``macros`` or ``workbook``).

Targets. ``--xlstart DIR`` and ``--config FILE`` name them explicitly (that is how the
tests place files on Linux). Without them:

- the startup folder is the one ``xlwings addin install`` uses: xlwings'
  ``get_addin_dir()`` (``xlwings/cli.py``), i.e. Excel's ``Application.StartupPath``,
  asked of a running Excel or of a hidden one it starts (user XLSTART, typically
  ``%APPDATA%\\Microsoft\\Excel\\XLSTART``; on macOS Excel's sandboxed startup folder);
- the config file is the one the add-in's VBA reads (``workbook.locations.
  user_config_file``: ``%USERPROFILE%\\.coverbook\\coverbook.conf`` or the macOS
  sandbox equivalent).

Both need Excel to be meaningful: on a machine without Excel, a command missing an
explicit target says so and changes nothing. xlwings' own commands do not fit the
rest: ``xlwings addin install`` copies a file it did not build and ``xlwings config
create`` writes only ``xlwings.conf`` (skipping or overwriting an existing file),
and its ``update_user_config`` is bound to that one path. So the merge is here, in
xlwings' format: one ``"KEY","VALUE"`` line per setting; the keys written replace
their old lines (compared case-insensitively, as the VBA reads them), every other line
a user has stays as it was, and empty lines are dropped as xlwings drops them (VBA's
``Input #`` stops with error 62 on them).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from workbook.addin import ADDIN_NAME, AddinError
from workbook.addin.package import (check_addin_target, commit_addin, replacing_addin,
                                    write_addin_file)
from workbook.locations import (ADD_WORKBOOK_KEY, DATA_KEY, config_encoding, parse_config_line,
                                user_config_file)
from workbook.replacing import Replacement


def excel_platform() -> bool:
    """This is a platform Excel runs on (Windows or macOS)."""
    return sys.platform.startswith("win") or sys.platform == "darwin"


def _no_excel(missing: list[str]) -> AddinError:
    return AddinError(
        f"Excel is not on this machine ({sys.platform}), so there is no startup folder or "
        f"add-in settings file to find; nothing was changed. Give the targets explicitly: "
        + " and ".join(missing) + ".")


def default_xlstart() -> Path:
    """Excel's startup folder as ``xlwings addin install`` finds it (needs Excel)."""
    if not excel_platform():
        raise _no_excel(["--xlstart DIR"])
    try:
        from xlwings.cli import get_addin_dir

        return Path(get_addin_dir())
    except Exception as exc:  # no Excel installed, or it cannot be started
        raise AddinError(f"cannot ask Excel for its startup folder ({exc}); nothing was "
                         "changed. Start Excel once and try again, or pass --xlstart DIR "
                         "(File > Options > Trust Center > Trusted Locations shows the "
                         "user startup folder).") from exc


def interpreter_setting(executable: str | None = None, platform: str | None = None
                        ) -> tuple[str, str]:
    """``(key, value)`` naming this Python for the add-in: ``INTERPRETER_MAC`` on macOS,
    else ``INTERPRETER_WIN`` (as xlwings' ``config create`` chooses), value
    ``sys.executable``. Refuses the Microsoft Store's ``python.exe`` alias."""
    executable = sys.executable if executable is None else executable
    platform = sys.platform if platform is None else platform
    if "\\windowsapps\\" in executable.lower():
        raise AddinError(f"{executable} is the Microsoft Store's python.exe alias, which "
                         "Excel cannot start; nothing was changed. Install Python from "
                         "python.org, create the virtual environment with it "
                         "(py -m venv .venv), install coverbook into it and run this "
                         "command with that environment's python.")
    return ("INTERPRETER_MAC" if platform == "darwin" else "INTERPRETER_WIN"), executable


def _config_line(key: str, value: str) -> str:
    if '"' in key or '"' in value:
        raise AddinError(f"{key}: {value!r} holds a double quote, which the add-in's "
                         "settings file cannot store; nothing was changed")
    return f'"{key}","{value}"'


@dataclass
class ConfigPlan:
    """The config file as it is and as it will be: computed (read, merged, encoded)
    before anything is written (:func:`plan_config`)."""

    path: Path
    lines: list[str]
    new: bytes
    old: bytes | None  # None: the file does not exist yet


def plan_config(path: Path, settings: dict[str, str]) -> ConfigPlan:
    """Read the config file *path*, merge *settings* into it (keeping every other
    line) and encode the result; raises :class:`AddinError` ("nothing was changed")
    when the file cannot be read or the result cannot be encoded. Writes nothing."""
    path = Path(path)
    encoding = config_encoding()
    try:
        old_bytes = path.read_bytes()
    except OSError as exc:
        from workbook.replacing import not_a_folder

        blocker = not_a_folder(path.parent)
        if blocker is not None:
            raise AddinError(f"{path}: {blocker} is a file, not a folder; nothing was "
                             "changed. Choose another --config") from exc
        if not isinstance(exc, FileNotFoundError):
            raise AddinError(f"{path}: cannot read it ({exc.strerror}); nothing was "
                             "changed. Choose another --config") from exc
        old_bytes = None
    old = (old_bytes or b"").decode(encoding, errors="surrogateescape").splitlines()
    wanted = {k.upper() for k in settings}
    kept = [line for line in old if line.strip()
            and (parse_config_line(line) or ("",))[0] not in wanted]
    lines = kept + [_config_line(k, v) for k, v in settings.items()]
    # Text mode on Windows writes CRLF, as xlwings writes the file.
    text = "".join(line + os.linesep for line in lines)
    try:
        new = text.encode(encoding, errors="surrogateescape")
    except UnicodeEncodeError as exc:
        raise AddinError(f"{path}: {exc.object[exc.start:exc.end]!r} cannot be written in "
                         f"{encoding}, the code page the add-in's VBA reads; nothing was "
                         "changed. Move coverbook (or the data) to a folder whose path "
                         "this code page can write, e.g. C:\\coverbook") from exc
    return ConfigPlan(path, lines, new, old_bytes)


def _write_bytes_atomic(path: Path, content: bytes, mode: int) -> None:
    """Replace *path* by *content* in one step (:class:`~workbook.replacing.Replacement`:
    a temporary file beside it). Raises ``OSError``."""
    with Replacement(path) as new:
        new.tmp.write_bytes(content)
        new.commit(mode)


def write_config(plan: ConfigPlan) -> list[Path]:
    """Write the planned config file (its folders created if missing); returns the
    folders it created, for :func:`undo_config`. Raises :class:`AddinError`
    ("nothing was changed": folders it created are removed again)."""
    path = plan.path
    created = [d for d in reversed((path.parent, *path.parent.parents)) if not d.exists()]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = path.stat().st_mode & 0o7777 if plan.old is not None else 0o644
        _write_bytes_atomic(path, plan.new, mode)
    except OSError as exc:
        _remove_folders(created)
        raise AddinError(f"{path}: cannot write it ({exc.strerror or exc}); nothing was "
                         "changed") from exc
    return created


def _remove_folders(created: list[Path]) -> None:
    for folder in reversed(created):
        try:
            folder.rmdir()
        except OSError:
            break


def undo_config(plan: ConfigPlan, created: list[Path]) -> None:
    """Put the config file back as :func:`plan_config` found it (or delete it, and the
    folders :func:`write_config` created, if there was none). Raises ``OSError``."""
    if plan.old is None:
        plan.path.unlink(missing_ok=True)
        _remove_folders(created)
    else:
        _write_bytes_atomic(plan.path, plan.old, plan.path.stat().st_mode & 0o7777)


def merge_config(path: Path, settings: dict[str, str]) -> list[str]:
    """Write *settings* into the config file *path* (created with its folder if
    missing), keeping every other line; returns the file's lines as written. Atomic:
    the file is replaced in one step, or left as it was."""
    plan = plan_config(path, settings)
    write_config(plan)
    return plan.lines


@dataclass
class InstallResult:
    """What ``install`` did: the add-in file, the config file and its new settings."""

    addin: Path
    config: Path
    settings: dict[str, str]
    notes: list[str] = field(default_factory=list)


def install(xlstart: Path | None = None, config: Path | None = None,
            data: Path | None = None) -> InstallResult:
    """Build the add-in into *xlstart* (default: Excel's startup folder) and merge the
    interpreter setting, ``ADD_WORKBOOK_TO_PYTHONPATH`` = ``false`` (the active
    workbook's folder is not put on Python's path) and ``COVERBOOK_DATA`` = *data*, if
    given, into *config* (default: the add-in's ``coverbook.conf``). Raises :class:`AddinError`, with
    nothing changed: everything is checked and prepared before the first write (the
    targets exist, the add-in may be replaced by the build's rules, the config file
    reads and merges, the add-in is complete in a temporary file), then the config
    file is written and the add-in moved into place; if that move fails (Windows:
    Excel has the add-in loaded), the config file is put back as it was. Only if
    putting it back fails too does the message say what was left changed."""
    missing = [flag for flag, given in (("--xlstart DIR", xlstart), ("--config FILE", config))
               if given is None]
    if missing and not excel_platform():
        raise _no_excel(missing)
    if data is not None:
        data = Path(data).resolve()
        if not data.is_dir():
            raise AddinError(f"--data {data}: no such folder; nothing was changed")
    key, value = interpreter_setting()
    # The active workbook's folder stays off Python's path, so a udfs.py (or
    # macros.py, workbook.py) beside the analyst's workbook cannot shadow coverbook's.
    settings = {key: value, ADD_WORKBOOK_KEY: "false"}
    if data is not None:
        settings[DATA_KEY] = str(data)
    xlstart = default_xlstart() if xlstart is None else Path(xlstart)
    config = user_config_file() if config is None else Path(config)
    if not xlstart.is_dir():
        raise AddinError(f"--xlstart {xlstart}: no such folder; nothing was changed")
    # Everything that can be checked or prepared is, before anything is written: the
    # add-in's target may be replaced, the config file reads and merges, the add-in
    # is complete in a temporary file beside its target.
    addin = xlstart / ADDIN_NAME
    check_addin_target(addin, again="install again")
    plan = plan_config(config, settings)
    with replacing_addin(addin, again="install again") as new:
        write_addin_file(new.tmp, addin)
        created = write_config(plan)
        try:
            commit_addin(new)
        except AddinError as exc:
            try:
                undo_config(plan, created)
            except OSError as undo:
                raise AddinError(f"{exc}; but {config} was already updated and could not "
                                 f"be put back ({undo.strerror or undo}): remove the lines "
                                 f"{', '.join(settings)} from it, or run this again") \
                    from exc
            raise AddinError(f"{exc}; nothing was changed") from exc
    result = InstallResult(addin, config, settings)
    if sys.platform == "darwin":
        try:  # as xlwings addin install: the AppleScript RunPython needs on macOS
            from xlwings.cli import runpython_install

            runpython_install(None)
        except Exception as exc:  # noqa: BLE001 - reported, the install itself is done
            result.notes.append(f"could not install xlwings' AppleScript ({exc}): run "
                                "'xlwings runpython install' once")
    return result


def remove(xlstart: Path | None = None) -> Path | None:
    """Delete the add-in from *xlstart* (default: Excel's startup folder); returns the
    path removed, or ``None`` when it was not there. ``coverbook.conf`` is left: it
    may hold the user's other settings."""
    if xlstart is None and not excel_platform():
        raise _no_excel(["--xlstart DIR"])
    xlstart = default_xlstart() if xlstart is None else Path(xlstart)
    path = xlstart / ADDIN_NAME
    try:
        path.unlink()
    except FileNotFoundError:
        return None
    except PermissionError as exc:
        raise AddinError(f"{path}: cannot remove it ({exc.strerror}); it is probably "
                         "loaded in Excel: quit Excel and run this again") from exc
    except OSError as exc:
        raise AddinError(f"{path}: cannot remove it ({exc.strerror})") from exc
    return path
