"""``coverbook addin install`` / ``remove``: the add-in in Excel's startup folder, the
interpreter in ``coverbook.conf``.

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
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from workbook.addin import ADDIN_NAME, AddinError
from workbook.addin.package import build_addin
from workbook.locations import DATA_KEY, config_encoding, parse_config_line, user_config_file


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


def merge_config(path: Path, settings: dict[str, str]) -> list[str]:
    """Write *settings* into the config file *path* (created with its folder if
    missing), keeping every other line; returns the file's lines as written. Atomic:
    the file is replaced in one step, or left as it was."""
    path = Path(path)
    encoding = config_encoding()
    try:
        old = path.read_bytes().decode(encoding, errors="surrogateescape").splitlines()
    except FileNotFoundError:
        old = []
    except OSError as exc:
        raise AddinError(f"{path}: cannot read it ({exc.strerror}); nothing was changed") \
            from exc
    wanted = {k.upper() for k in settings}
    kept = [line for line in old if line.strip()
            and (parse_config_line(line) or ("",))[0] not in wanted]
    lines = kept + [_config_line(k, v) for k, v in settings.items()]
    text = "".join(line + "\n" for line in lines)
    tmp = None
    try:
        text.encode(encoding, errors="surrogateescape")  # fails before any file exists
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "w", encoding=encoding, errors="surrogateescape") as f:
            f.write(text)  # text mode: CRLF on Windows, as xlwings writes it
        os.chmod(tmp, path.stat().st_mode & 0o7777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except UnicodeEncodeError as exc:
        raise AddinError(f"{path}: {exc.object[exc.start:exc.end]!r} cannot be written in "
                         f"{encoding}, the code page the add-in's VBA reads; nothing was "
                         "changed. Move coverbook (or the data) to a folder whose path "
                         "this code page can write, e.g. C:\\coverbook") from exc
    except OSError as exc:
        raise AddinError(f"{path}: cannot write it ({exc.strerror}); nothing was changed"
                         ) from exc
    finally:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
    return lines


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
    interpreter setting (and ``COVERBOOK_DATA`` = *data*, if given) into *config*
    (default: the add-in's ``coverbook.conf``). Raises :class:`AddinError` before
    changing anything when a target cannot be found."""
    missing = [flag for flag, given in (("--xlstart DIR", xlstart), ("--config FILE", config))
               if given is None]
    if missing and not excel_platform():
        raise _no_excel(missing)
    if data is not None:
        data = Path(data).resolve()
        if not data.is_dir():
            raise AddinError(f"--data {data}: no such folder; nothing was changed")
    key, value = interpreter_setting()
    settings = {key: value}
    if data is not None:
        settings[DATA_KEY] = str(data)
    xlstart = default_xlstart() if xlstart is None else Path(xlstart)
    config = user_config_file() if config is None else Path(config)
    if not xlstart.is_dir():
        raise AddinError(f"--xlstart {xlstart}: no such folder; nothing was changed")
    for k, v in settings.items():
        _config_line(k, v)  # refuse before anything is written
    addin = build_addin(xlstart / ADDIN_NAME)
    merge_config(config, settings)
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
