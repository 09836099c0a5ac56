"""``coverbook doctor``: is this machine set up for coverbook in Excel?

One :class:`Finding` per check, ``PASS``, ``FAIL`` (with the fix in one sentence) or
``SKIP`` (the check does not apply here, e.g. the Excel checks on Linux):

1. Python version (3.11 or newer);
2. versions: the xlwings package equals the version of the xlwings VBA modules in the
   workbook and the add-in (xlwings' VBA and Python must match), and coverbook's;
3. pywin32 and the xlwings DLL (Windows only);
4. the interpreter the add-in is configured with (``coverbook.conf``) exists and
   imports ``udfs``, ``macros`` and ``xlwings``; which ``udfs`` module (its file) that
   Python would import for the add-in's UDFs, and whether the active workbook's
   folder could shadow it (``ADD_WORKBOOK_TO_PYTHONPATH``);
5. the data folder (``workbook.locations`` rule) validates: the one the UDFs and
   Refresh of a workbook use when doctor is given one (``coverbook doctor
   my.xlsm``); else, inside a project (``coverbook.toml`` here or above), the one the
   project's workbook uses; else the one UDFs called without a workbook use;
6. the add-in is installed in Excel's startup folder and is what this coverbook
   builds now;
7. the committed workbook is what its data builds now: inside a project (no workbook
   given) the project's workbook against the folder it uses, else the repository's
   ``workbook/coverbook.xlsm`` against the shipped data.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

import xlwings

from workbook import DATA_DIR, DEFAULT_OUTPUT, __version__
from workbook.addin import ADDIN_NAME, AddinError
from workbook.addin.install import default_xlstart, excel_platform
from workbook.addin.package import build_addin
from workbook.dataset import DataErrors, load_dataset
from workbook.locations import (ADD_WORKBOOK_KEY, DataFolderError, DataLocation, locate_data,
                                 read_config, recorded_text, resolve_data, synced_file,
                                 user_config_file)
from workbook.project import Project, ProjectError, find_project
from workbook.vba.vba_sources import ADDIN_XLWINGS, VBA_DIR

#: Oldest Python coverbook supports (``requires-python`` in pyproject.toml).
MIN_PYTHON = (3, 11)
#: Seconds the configured interpreter gets to import coverbook's packages.
INTERPRETER_TIMEOUT = 120

_VBA_VERSION = re.compile(r'^Public Const XLWINGS_VERSION As String = "([^"]+)"', re.M)


@dataclass(frozen=True)
class Finding:
    """One check's outcome: ``status`` PASS/FAIL/SKIP, what was found, the fix."""

    status: str
    name: str
    detail: str
    fix: str = ""

    def line(self) -> str:
        """``FAIL  name: what was found. Fix: what to do.`` (the fix only on a FAIL)."""
        text = f"{self.status}  {self.name}: {self.detail}"
        if self.status == "FAIL" and self.fix:
            end = "" if text.rstrip().endswith((".", "!", "?")) else "."
            return f"{text}{end} Fix: {self.fix}"
        return text


def command(*args: str | Path) -> str:
    """A command line to show in a fix, each argument with a space in double quotes
    (as cmd.exe, PowerShell and a POSIX shell all read it)."""
    return " ".join(f'"{a}"' if (" " in str(a) or not str(a)) else str(a) for a in args)


def install_command(xlstart: Path | None = None, config: Path | None = None) -> str:
    """``coverbook addin install`` with the ``--xlstart``/``--config`` doctor was given,
    so the fix acts on the same targets doctor checked."""
    args: list[str | Path] = ["coverbook", "addin", "install"]
    if xlstart is not None:
        args += ["--xlstart", xlstart]
    if config is not None:
        args += ["--config", config]
    return command(*args)


def _pass(name, detail):
    return Finding("PASS", name, detail)


def _fail(name, detail, fix):
    return Finding("FAIL", name, detail, fix)


def _skip(name, detail):
    return Finding("SKIP", name, detail)


def check_python(version=None, executable: str | None = None) -> Finding:
    version = tuple(sys.version_info[:3]) if version is None else tuple(version)
    shown = ".".join(map(str, version))
    where = executable or sys.executable
    if version[:2] >= MIN_PYTHON:
        return _pass("python", f"{shown} at {where}")
    return _fail("python", f"{shown} at {where} is older than "
                 f"{'.'.join(map(str, MIN_PYTHON))}",
                 f"install Python {'.'.join(map(str, MIN_PYTHON))} or newer from python.org "
                 "and recreate the virtual environment with it.")


def vba_xlwings_version(path: Path) -> str | None:
    """The ``XLWINGS_VERSION`` constant of an xlwings VBA module file."""
    match = _VBA_VERSION.search(Path(path).read_bytes().decode("ascii", errors="replace"))
    return match.group(1) if match else None


def check_versions() -> Finding:
    found = {"workbook VBA": vba_xlwings_version(VBA_DIR / "xlwings.bas"),
             "add-in VBA": vba_xlwings_version(ADDIN_XLWINGS)}
    detail = (f"coverbook {__version__}, xlwings {xlwings.__version__} (Python), "
              + ", ".join(f"{v} ({k})" for k, v in found.items()))
    if all(v == xlwings.__version__ for v in found.values()):
        return _pass("versions", detail)
    return _fail("versions", detail + ": xlwings' VBA and Python package differ",
                 "in the coverbook folder run 'pip install -e .', which installs the "
                 "xlwings version the VBA modules were taken from.")


def check_windows_parts() -> Finding:
    if not sys.platform.startswith("win"):
        return _skip("pywin32 + xlwings DLL", "Windows only")
    missing = []
    try:
        import win32api  # noqa: F401 - pywin32, xlwings' COM layer
    except ImportError:
        missing.append("pywin32")
    bits = struct.calcsize("P") * 8
    dll = Path(sys.prefix) / f"xlwings{bits}-{xlwings.__version__}.dll"
    if not dll.exists():
        missing.append(str(dll))
    if not missing:
        return _pass("pywin32 + xlwings DLL", f"pywin32 importable, {dll}")
    return _fail("pywin32 + xlwings DLL", "missing: " + ", ".join(missing),
                 "in the coverbook folder run 'pip install --force-reinstall -e .' (pip "
                 "installs pywin32 and the DLL with xlwings on Windows).")


def check_interpreter(config: Path, explicit: bool, platform: str | None = None,
                      timeout: float = INTERPRETER_TIMEOUT, install: str | None = None
                      ) -> Finding:
    """The interpreter in *config* exists and imports coverbook's packages. *install*:
    the ``coverbook addin install`` command the fixes name (default: without flags)."""
    name = "configured interpreter"
    platform = sys.platform if platform is None else platform
    if not explicit and not excel_platform():
        return _skip(name, "Excel is not on this machine (give --config FILE to check one)")
    key = "INTERPRETER_MAC" if platform == "darwin" else "INTERPRETER_WIN"
    install = (f"run '{install or install_command()}' from the coverbook virtual "
               "environment.")
    if not Path(config).is_file():
        what = "is a folder, not a file" if Path(config).is_dir() else "does not exist"
        return _fail(name, f"{config} {what}", install)
    settings = read_config(config)
    interpreter = settings.get(key) or settings.get("INTERPRETER", "")
    if not interpreter:
        return _fail(name, f"no {key} in {config}", install)
    if "\\windowsapps\\" in interpreter.lower():
        return _fail(name, f"{interpreter} is the Microsoft Store's python.exe alias, which "
                     "Excel cannot start", "install Python from python.org, recreate the "
                     "virtual environment with it and " + install)
    if not Path(interpreter).is_file():
        return _fail(name, f"{interpreter} ({key} in {config}) does not exist", install)
    probe = ("import udfs, macros, xlwings, workbook; "
             "print(udfs.__file__); print(xlwings.__version__)")
    try:
        proc = subprocess.run([interpreter, "-c", probe], capture_output=True, text=True,
                              timeout=timeout, errors="replace")
    except (OSError, subprocess.TimeoutExpired) as exc:
        return _fail(name, f"{interpreter} does not run ({exc})", install)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return _fail(name, f"{interpreter} cannot import coverbook ({last})",
                     "install coverbook into that environment ('pip install -e .' in the "
                     "coverbook folder) or " + install)
    printed = [line.strip() for line in proc.stdout.splitlines() if line.strip()]
    if len(printed) < 2 or not printed[-2].endswith(".py"):
        shown = repr(proc.stdout.strip()[-200:]) if proc.stdout.strip() else "nothing"
        return _fail(name, f"{interpreter} ({key} in {config}) is not a Python that "
                     f"imports coverbook: asked for udfs' file and xlwings' version, it "
                     f"printed {shown} (exit code 0)", install)
    udfs_file, version = printed[-2:]
    ours = Path(__file__).resolve().parents[1]
    if Path(udfs_file).resolve().parent.parent != ours:
        return _fail(name, f"{interpreter} imports udfs from {udfs_file}, not from this "
                     f"coverbook ({ours})", install)
    return _pass(name, f"{interpreter} imports udfs, macros and xlwings {version}")


#: What the add-in's Python is asked (:func:`check_udfs_module`): the file of the
#: ``udfs`` module it would import, with the ``PYTHONPATH`` setting's folders first on
#: its path (as xlwings' ``prepare_sys_path`` puts them), found without importing it.
_UDFS_PROBE = ("import importlib.util, sys; sys.path[0:0] = sys.argv[1:]; "
               "spec = importlib.util.find_spec('udfs'); "
               "print('udfs=' + (spec.origin or '' if spec else ''))")


def coverbook_udfs() -> Path:
    """The file of this coverbook's ``udfs`` package (``udfs/__init__.py``)."""
    return Path(__file__).resolve().parents[1] / "udfs" / "__init__.py"


def check_udfs_module(config: Path, explicit: bool, platform: str | None = None,
                      timeout: float = INTERPRETER_TIMEOUT, install: str | None = None
                      ) -> Finding:
    """Which ``udfs`` module the add-in's Python would import: the interpreter in
    *config* is asked for the file of ``udfs`` with the ``PYTHONPATH`` setting's
    folders first (run in an empty folder, so the folder doctor runs in counts for
    nothing). FAIL when that file is not this coverbook's ``udfs/__init__.py``, or
    when ``ADD_WORKBOOK_TO_PYTHONPATH`` is not ``false`` in *config* (xlwings' default
    is true: a ``udfs.py`` beside the active workbook would be imported first).
    SKIP when there is no interpreter to ask (see ``configured interpreter``)."""
    name = "udfs module"
    platform = sys.platform if platform is None else platform
    if not explicit and not excel_platform():
        return _skip(name, "Excel is not on this machine (give --config FILE to check one)")
    settings = read_config(config) if Path(config).is_file() else {}
    key = "INTERPRETER_MAC" if platform == "darwin" else "INTERPRETER_WIN"
    interpreter = settings.get(key) or settings.get("INTERPRETER", "")
    if not interpreter or not Path(interpreter).is_file():
        return _skip(name, "no interpreter to ask (see configured interpreter)")
    extra = [p for p in settings.get("PYTHONPATH", "").split(";") if p.strip()]
    try:
        with tempfile.TemporaryDirectory() as empty:
            proc = subprocess.run([interpreter, "-c", _UDFS_PROBE, *extra], cwd=empty,
                                  capture_output=True, text=True, timeout=timeout,
                                  errors="replace")
    except (OSError, subprocess.TimeoutExpired) as exc:
        return _skip(name, f"{interpreter} does not run ({exc}; see configured interpreter)")
    answer = [line[len("udfs="):] for line in proc.stdout.splitlines()
              if line.startswith("udfs=")]
    if proc.returncode != 0 or not answer:
        return _skip(name, f"{interpreter} did not answer (see configured interpreter)")
    found, ours = answer[-1].strip(), coverbook_udfs()
    install = f"run '{install or install_command()}'."
    if not found:
        return _fail(name, f"{interpreter} finds no udfs module (coverbook's is {ours})",
                     "install coverbook into that environment ('pip install -e .' in the "
                     "coverbook folder) or " + install)
    if Path(found).resolve() != ours:
        return _fail(name, f"{interpreter} would import udfs from {found}, not coverbook's "
                     f"{ours}", f"rename or remove {found} (or the PYTHONPATH entry in "
                     f"{config} that holds it).")
    add_workbook = settings.get(ADD_WORKBOOK_KEY, "")
    if add_workbook.strip().lower() != "false":
        shown = f"is {add_workbook}" if add_workbook else "is not set (xlwings: true)"
        return _fail(name, f"{interpreter} imports udfs from {found}, but "
                     f"{ADD_WORKBOOK_KEY} {shown} in {config}: a udfs.py beside the active "
                     "workbook would be imported instead", install)
    return _pass(name, f"{interpreter} imports udfs from {found} (coverbook's); "
                 f"{ADD_WORKBOOK_KEY} is false")




def workbook_location(workbook: str, environ: Mapping[str, str] | None,
                      config: Path) -> tuple[DataLocation, str]:
    """The data folder the UDFs and Refresh of *workbook* (a path, or the
    OneDrive/SharePoint URL Excel gives as its full name) use, and a note on how it was
    found. Raises ``DataFolderError`` for a recorded folder that does not exist."""
    note = ""
    path: Path | None = Path(workbook)
    if "://" in workbook:
        try:
            path = synced_file(workbook)
            note = f"{workbook} is the synced file {path}; "
        except ValueError as exc:
            path = None
            note = (f"{workbook} is a web address xlwings cannot map to a local file "
                    f"({exc}), so its recorded folder cannot be read and the UDFs use "
                    "the next rule; ")
    if path is not None and not path.is_file():
        note += f"{path} does not exist, so nothing recorded is read; "
    elif path is not None and recorded_text(path) is None:
        note += (f"{path} records no data folder (built before coverbook recorded it: "
                 "build it again to record one); ")
    where = resolve_data(None, path, environ=environ, config_file=config)
    return where, note


def project_location(project: Project, environ: Mapping[str, str] | None,
                     config: Path) -> DataLocation:
    """The data folder of *project*: the one its workbook records (when the workbook
    exists and records one), else by the rule from ``COVERBOOK_DATA`` on, the project
    being rule 4. Raises ``DataFolderError`` for a recorded folder that is gone."""
    book = project.workbook if project.workbook.is_file() else None
    return resolve_data(None, book, project, environ=environ, config_file=config)


_MOVED_FIX = ("move the data folder back, or build the workbook again with "
              "'coverbook build --data FOLDER --output WORKBOOK'.")


def check_data(environ: Mapping[str, str] | None, config: Path,
               workbook: str | None = None, project: Project | None = None) -> Finding:
    """The data folder validates: the one *workbook*'s UDFs and Refresh use (if
    given), else the one *project*'s workbook uses (if given), else the one UDFs
    called without a workbook use."""
    note = ""
    if workbook is None and project is not None:
        try:
            where = project_location(project, environ, config)
        except DataFolderError as exc:
            return _fail("data folder", str(exc), _MOVED_FIX)
        users = (f"UDFs and Refresh in {project.workbook} use " if project.workbook.is_file()
                 else f"project {project.file} uses ")
    elif workbook is not None:
        try:
            where, note = workbook_location(workbook, environ, config)
        except DataFolderError as exc:
            return _fail("data folder", str(exc), _MOVED_FIX)
        users = f"UDFs and Refresh in {workbook} use "
    else:
        where = locate_data(environ, config)
        users = ""
    try:
        data = load_dataset(where.path)
    except DataErrors as exc:
        first = exc.errors[0] if exc.errors else ""
        return _fail("data folder", f"{len(exc.errors)} problem(s) in {where.path} "
                     f"({where.source}); first: {first}",
                     f"correct what 'coverbook build --data {where.path} --output "
                     "check.xlsx' lists (file:row:column), or point COVERBOOK_DATA at a "
                     "valid folder.")
    tokens = (f"{len(data.prices.models)} models" if data.has_tokens
              else "no token prices (equity-only)")
    return _pass("data folder", f"{note}{users}{where.path} ({where.source}): "
                 f"{len(data.coverage.stocks)} stocks, {tokens}")


def check_addin(xlstart: Path | None, install: str | None = None) -> Finding:
    """The add-in in *xlstart* (default: Excel's startup folder) is what this coverbook
    builds. *install*: the command the fixes name (default: without flags)."""
    name = "add-in installed"
    install = install or install_command()
    if xlstart is None:
        if not excel_platform():
            return _skip(name, "Excel is not on this machine (give --xlstart DIR to check "
                         "a folder)")
        try:
            xlstart = default_xlstart()
        except AddinError as exc:
            return _fail(name, str(exc), f"start Excel once, then run '{install}'.")
    path = Path(xlstart) / ADDIN_NAME
    if not path.is_file():
        return _fail(name, f"{path} does not exist", f"run '{install}'.")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            fresh = build_addin(Path(tmp) / ADDIN_NAME).read_bytes()
        installed = path.read_bytes()
    except AddinError as exc:
        return _fail(name, f"cannot build the add-in to compare ({exc})",
                     "correct what the message names, then run doctor again.")
    except OSError as exc:
        return _fail(name, f"{path} cannot be read ({exc.strerror or exc})",
                     f"quit Excel and run '{install}' again.")
    if installed != fresh:
        return _fail(name, f"{path} is not what this coverbook {__version__} builds",
                     f"quit Excel and run '{install}' again.")
    return _pass(name, f"{path}, current")


def check_project_workbook(project: Project, environ: Mapping[str, str] | None,
                           config: Path) -> Finding:
    """*project*'s workbook is what the folder it uses (:func:`project_location`)
    builds now."""
    from workbook.build import BuildError
    from workbook.staleness import check

    name, book = "committed workbook", project.workbook
    again = f"run 'coverbook build' in {project.root}"
    if not book.is_file():
        return _fail(name, f"{book} (the workbook {project.file} names) does not exist",
                     f"{again}.")
    try:
        where = project_location(project, environ, config)
        difference, _ = check(where.path, book)
    except DataFolderError as exc:
        return _fail(name, str(exc), _MOVED_FIX)
    except DataErrors as exc:
        return _fail(name, f"its data folder has {len(exc.errors)} problem(s); first: "
                     f"{exc.errors[0]}", "correct what the data folder line lists.")
    except (BuildError, OSError) as exc:
        return _fail(name, f"cannot build it to compare ({exc})",
                     "correct what the message names, then run doctor again.")
    if difference is None:
        return _pass(name, f"{book} is current ({where.path}, {where.source})")
    return _fail(name, f"{book} is stale: {difference}",
                 f"{again} and commit the workbook.")


def check_workbook() -> Finding:
    """The repository's ``workbook/coverbook.xlsm`` is what the shipped data builds."""
    from workbook.build import BuildError
    from workbook.staleness import check

    try:
        difference, _ = check(DATA_DIR, DEFAULT_OUTPUT)
    except DataErrors as exc:
        return _fail("committed workbook", f"the shipped data ({DATA_DIR}) has "
                     f"{len(exc.errors)} problem(s); first: {exc.errors[0]}",
                     "restore the shipped data ('git checkout workbook/data' in a clone).")
    except (BuildError, OSError) as exc:
        return _fail("committed workbook", f"cannot build it to compare ({exc})",
                     "correct what the message names, then run doctor again.")
    if difference is None:
        return _pass("committed workbook", f"{DEFAULT_OUTPUT} is current")
    return _fail("committed workbook", f"{DEFAULT_OUTPUT} is stale: {difference}",
                 "run 'coverbook build' (in a clone, commit the workbook).")


def doctor(*, xlstart: Path | None = None, config: Path | None = None,
           environ: Mapping[str, str] | None = None,
           workbook: str | None = None, start: Path | None = None) -> list[Finding]:
    """Run every check; *xlstart*/*config* as for ``coverbook addin install``;
    *workbook*: check the data folder that workbook's UDFs and Refresh use. Without
    one, inside a project (*start*, default the current folder, or a folder above it
    has ``coverbook.toml``) the project's workbook and the folder it uses are
    checked; a ``coverbook.toml`` that cannot be read is a FAIL of its own."""
    config_file = user_config_file() if config is None else Path(config)
    install = install_command(xlstart, config)
    project, broken = None, []
    if workbook is None:
        try:
            project = find_project(start)
        except ProjectError as exc:
            broken = [_fail("project", str(exc), "correct the file as the message says.")]
    committed = (check_workbook() if project is None
                 else check_project_workbook(project, environ, config_file))
    return broken + [
        check_python(),
        check_versions(),
        check_windows_parts(),
        check_interpreter(config_file, explicit=config is not None, install=install),
        check_udfs_module(config_file, explicit=config is not None, install=install),
        check_data(environ, config_file, workbook, project),
        check_addin(xlstart, install),
        committed,
    ]
