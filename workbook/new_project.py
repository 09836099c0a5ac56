"""``coverbook new DIR``: a coverage project of the analyst's own, which builds at once.

What it writes (the templates are package data in ``workbook/templates/project/``,
read through :mod:`importlib.resources`, so a wheel install has them):

==================================  ====================================================
``coverbook.toml``                  marks the project: its data folder and its workbook
                                    (:mod:`workbook.project`)
``data/settings.toml``              every setting, each explained in a comment; the
                                    ``source`` line names the figures as the analyst's
                                    own estimates
``data/coverage.csv``               three illustrative stocks (made-up names and
                                    figures) the analyst replaces
``.gitignore``, ``.gitattributes``  keep the workbook in git, ignore Excel's lock files,
                                    keep the data files byte for byte (the workbook
                                    records their hash)
``.github/workflows/coverbook.yml`` CI: installs this very coverbook
                                    (:func:`install_requirement`) and runs
                                    ``coverbook build --check``
``<DIR>.xlsm``                      the workbook, built from the files above, so the
                                    committed project is current from the first push
==================================  ====================================================

``--tokens`` adds ``token_prices.csv``, ``workloads.csv`` and ``fx.csv`` for an
AI-sector table: the shipped rows of :data:`TOKEN_MODELS` (each with its source), all
shipped FX rows (the CNY prices need them) and the shipped illustrative workloads.
No ``report_pe.csv`` or ``claims.csv``: those pin a broker report's printed figures.

Everything is written into a staging folder and moved into place only once the
workbook is built (:func:`create_project`): a failure leaves no half-made project.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import secrets
import shutil
import sys
from dataclasses import dataclass, replace
from importlib import metadata, resources
from pathlib import Path
from typing import Any, Callable

from workbook import DATA_DIR, __version__
from workbook.project import PROJECT_FILE

#: The distribution name (``pip install coverbook``).
DISTRIBUTION = "coverbook"
#: Where each file of a new project comes from: its path in the project (POSIX) and
#: its template's name in ``workbook/templates/project/`` (stored under other names so
#: that the package's folder is neither a project nor ignored by git itself).
TEMPLATES = {
    PROJECT_FILE: "project.toml",
    "data/settings.toml": "settings.toml",
    "data/coverage.csv": "coverage.csv",
    ".gitignore": "gitignore",
    ".gitattributes": "gitattributes",
    ".github/workflows/coverbook.yml": "workflow.yml",
}
#: The models whose shipped price rows ``--tokens`` copies (USD and CNY prices, one
#: reasoning model, price changes over time).
TOKEN_MODELS = ("gpt-4o", "gpt-4o-mini", "o1-mini", "deepseek-chat")
#: The files ``--tokens`` adds to ``data/`` and what of the shipped file each keeps
#: (``None``: every row).
TOKEN_FILES = {"token_prices.csv": TOKEN_MODELS, "workloads.csv": None, "fx.csv": None}
#: The workbook's name when the folder's own name cannot be one (Excel refuses ``[``
#: and ``]`` in a file name; a name starting with ``.`` or ``~$`` would be hidden or
#: taken for a lock file; quotes and backslashes would need escaping in TOML).
FALLBACK_WORKBOOK = "coverbook.xlsm"
_SAFE_NAME = re.compile(r'[^\x00-\x1f"\\\[\]/:*?<>|]+')
_PLACEHOLDER = re.compile(r"(?<!\$)\{\{(\w+)\}\}")  # {{name}}; never GitHub's ${{ }}


class NewProjectError(Exception):
    """A project that cannot be made where asked; the message says what to do.
    Nothing was written."""


@dataclass(frozen=True)
class NewProject:
    """A project :func:`create_project` made: its folder, the files written (paths
    relative to it, POSIX), the workbook's path, the build's result (``None`` when
    not built), and the CI's install line with where it comes from."""

    folder: Path
    files: tuple[str, ...]
    workbook: Path
    build: Any = None
    requirement: tuple[str, str] = ("", "")


def workbook_name(folder: Path) -> str:
    """The workbook's file name for a project in *folder*: ``<folder name>.xlsm``
    (Excel opens only one workbook of a name at a time, so two projects'
    ``coverbook.xlsm`` could not be open together), else :data:`FALLBACK_WORKBOOK`."""
    name = Path(os.path.abspath(folder)).name
    if _SAFE_NAME.fullmatch(name) and not name.startswith((".", "~$")) \
            and name == name.strip():
        return f"{name}.xlsm"
    return FALLBACK_WORKBOOK


def install_requirement(direct_url: str | None = None, repository: str | None = None,
                        version: str = __version__) -> tuple[str, str]:
    """The pip requirement that installs exactly this coverbook in CI, and a comment
    saying where it comes from.

    Decided by how this copy was installed (``direct_url.json`` of the installed
    distribution, PEP 610; *direct_url* its text, ``None`` when it has none):

    - none: installed from a package index, so ``coverbook==<version>`` from it;
    - from a remote git URL: that URL at the exact commit installed;
    - from a remote wheel or archive URL: that URL;
    - otherwise (a checkout, editable or not, or a local wheel file, as before the
      first release): the project's repository (*repository*, the ``Repository``
      URL of ``pyproject.toml``'s ``[project.urls]``) at the tag ``v<version>``; with
      no such URL (coverbook names none until it has a public home), the package
      index as above, with a comment saying to change the line until it is there.
    """
    info = json.loads(direct_url) if direct_url else None
    if info is None:
        return (f"{DISTRIBUTION}=={version}",
                "from the package index (PyPI), where this coverbook was installed from")
    url = info.get("url", "")
    remote = url.startswith(("https://", "http://", "ssh://", "git@"))
    vcs = info.get("vcs_info") or {}
    if remote and vcs.get("vcs") == "git" and vcs.get("commit_id"):
        return (f"{DISTRIBUTION} @ git+{url}@{vcs['commit_id']}",
                "from the git repository and commit this coverbook was installed from")
    if remote and "archive_info" in info:
        return (f"{DISTRIBUTION} @ {url}", "from the file this coverbook was installed from")
    if not repository:
        # No public repository is known (coverbook's metadata names none): the index is
        # the only place CI could get this version from; say that it must be there.
        return (f"{DISTRIBUTION}=={version}",
                f"from the package index: this coverbook was installed from a local "
                f"checkout or file, which CI cannot reach; until coverbook {version} is "
                "published there, change this line to your copy's git URL at the commit "
                "that built the workbook (coverbook @ git+https://...@COMMIT)")
    return (f"{DISTRIBUTION} @ git+{repository.rstrip('/')}@v{version}",
            f"from the repository at the tag of version {version} (this coverbook was "
            "installed from a checkout or a wheel file, not from the package index)")


def installed_requirement() -> tuple[str, str]:
    """:func:`install_requirement` for the coverbook installed here, read from its
    installed metadata (``direct_url.json`` and the ``Project-URL`` named
    ``Repository``). Raises :class:`NewProjectError` when no installer installed it."""
    # The first one an installer (pip, uv) wrote: a source tree's coverbook.egg-info,
    # a by-product of building there, is on sys.path when Python runs in the tree.
    dist = next((d for d in metadata.distributions(name=DISTRIBUTION)
                 if d.read_text("INSTALLER")), None)
    if dist is None:
        raise NewProjectError("coverbook is not installed (run from a source tree?); "
                              "install it: pip install -e . in the checkout")
    repository = None
    for entry in dist.metadata.get_all("Project-URL") or []:
        label, _, url = entry.partition(",")
        if label.strip().lower() == "repository":
            repository = url.strip()
    return install_requirement(dist.read_text("direct_url.json"), repository)


def _template(name: str) -> str:
    return (resources.files("workbook") / "templates" / "project" / name).read_text(
        encoding="utf-8")


def render(text: str, values: dict[str, str]) -> str:
    """*text* with each ``{{name}}`` replaced by ``values[name]``; ``KeyError`` for a
    name not in *values* (a template and its values must agree)."""
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], text)


def _shipped_rows(name: str, keep: tuple[str, ...] | None, data_dir: Path) -> bytes:
    """The shipped data file *name*: its header and the rows whose first column is in
    *keep* (every row if ``None``), as CSV (UTF-8, LF)."""
    with open(data_dir / name, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0])
    writer.writerows(r for r in rows[1:] if keep is None or r[0] in keep)
    return out.getvalue().encode("utf-8")


def project_files(workbook: str, *, tokens: bool = False, requirement: tuple[str, str]
                  | None = None, data_dir: Path = DATA_DIR) -> dict[str, bytes]:
    """The files of a new project whose workbook is named *workbook*: path in the
    project (POSIX) -> bytes. *requirement*: the CI's install line and its comment
    (default: :func:`installed_requirement`); *data_dir*: where ``--tokens`` copies
    rows from (the shipped data)."""
    requirement, origin = requirement or installed_requirement()
    values = {"workbook": workbook, "version": __version__, "requirement": requirement,
              "origin": origin, "python": f"{sys.version_info.major}.{sys.version_info.minor}"}
    files = {path: render(_template(name), values).encode("utf-8")
             for path, name in TEMPLATES.items()}
    if tokens:
        for name, keep in TOKEN_FILES.items():
            files[f"data/{name}"] = _shipped_rows(name, keep, data_dir)
    return files


def check_target(folder: Path) -> None:
    """Raise :class:`NewProjectError` unless *folder* can take a new project: it does
    not exist (its parent does) or is an empty folder."""
    if folder.is_dir():
        entries = sorted(p.name for p in folder.iterdir())
        if entries:
            shown = ", ".join(entries[:3]) + (", ..." if len(entries) > 3 else "")
            raise NewProjectError(
                f"{folder}: not empty ({shown}); coverbook new makes a project in a new "
                "or empty folder: give a new folder's name (coverbook new my-coverage). "
                f"To make an existing data folder a project, write a {PROJECT_FILE} "
                "beside it instead (docs/new-project.md)")
    elif folder.exists():
        raise NewProjectError(f"{folder}: is a file; give the name of a new folder")
    elif not folder.parent.is_dir():
        raise NewProjectError(f"{folder.parent}: no such folder; create it first, or "
                              "give a folder in one that exists")


def _staging(parent: Path, name: str) -> Path:
    """A new, empty, hidden folder in *parent* (created with the default permissions,
    as the project folder should be; ``mkdtemp`` would make it private)."""
    while True:
        path = parent / f".{name}.coverbook-new-{secrets.token_hex(4)}"
        try:
            path.mkdir()
            return path
        except FileExistsError:
            continue


def _build(staging: Path, target: Path, name: str,
           progress: Callable[[str], None] | None) -> Any:
    """Build the workbook *name* in *staging*; its result and any error name the
    project's folder *target*, where the files will be, not *staging*."""
    from workbook.build import BuildError, build as run_build
    from workbook.dataset import DataErrors

    def where(text: str) -> str:
        return text.replace(str(staging), str(target))

    try:
        result = run_build(staging / "data", staging / name, progress=progress)
    except DataErrors as exc:
        raise DataErrors([replace(e, message=where(e.message)) for e in exc.errors]
                         ) from None
    except BuildError as exc:
        raise BuildError(where(str(exc))) from None
    result.path = target / name
    return result


def create_project(folder: Path | str, *, tokens: bool = False, build: bool = True,
                   requirement: tuple[str, str] | None = None,
                   progress: Callable[[str], None] | None = None) -> NewProject:
    """Make a coverage project in *folder* (new, or an existing empty folder).

    Writes :func:`project_files` and, if *build* (as ``coverbook new`` always does),
    builds the workbook from them, all in a staging folder, then moves the result
    into place: *folder* itself renamed from the staging folder when it did not exist,
    else each top-level entry moved into it. On any failure nothing is left behind.

    Raises :class:`NewProjectError` (a folder that cannot take a project, a write the
    OS refuses), and from the build ``DataErrors`` / ``BuildError`` (naming the
    project's files, where they would have been). *requirement*: CI's install line and
    where it comes from (default: :func:`installed_requirement`). *progress*: the
    build's.
    """
    target = Path(os.path.abspath(folder))
    check_target(target)
    name = workbook_name(target)
    requirement = requirement or installed_requirement()
    files = project_files(name, tokens=tokens, requirement=requirement)
    existed = target.is_dir()
    try:
        staging = _staging(target if existed else target.parent, target.name)
    except OSError as exc:
        raise NewProjectError(f"{target if existed else target.parent}: cannot write "
                              f"there ({exc.strerror}); choose a folder you can write to"
                              ) from exc
    moved: list[Path] = []
    try:
        try:
            for path, content in files.items():
                (staging / path).parent.mkdir(parents=True, exist_ok=True)
                (staging / path).write_bytes(content)
            result = None
            if build:
                result = _build(staging, target, name, progress)
            if existed:
                for entry in sorted(staging.iterdir()):
                    os.rename(entry, target / entry.name)
                    moved.append(target / entry.name)
                staging.rmdir()
            else:
                os.rename(staging, target)  # refused if target appeared, not empty
        except BaseException:
            for path in moved:
                shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
            shutil.rmtree(staging, ignore_errors=True)
            raise
    except OSError as exc:
        raise NewProjectError(f"{target}: cannot write the project ({exc}); nothing was "
                              "written") from exc
    written = tuple(sorted(files)) + ((name,) if build else ())
    return NewProject(target, written, target / name, result, requirement)
