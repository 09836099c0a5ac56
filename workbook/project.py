"""A coverbook project: a folder whose ``coverbook.toml`` says where its data folder and
its workbook are.

``coverbook new DIR`` writes one; the repository checkout is one too (its
``coverbook.toml`` names ``workbook/data`` and ``workbook/coverbook.xlsm``). Standing in
a project folder, or any folder below it, the commands that read data or write a
workbook use that project's when no ``--data`` / ``--output`` is given
(:func:`find_project` walks up from the current folder to the first ``coverbook.toml``).

``coverbook.toml`` holds two keys, paths relative to the file's own folder (forward
slashes work on every OS)::

    data = "data"
    workbook = "coverbook.xlsm"
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workbook.dataset.toml_file import TomlProblem, parse_toml

#: The file that marks a project's root folder.
PROJECT_FILE = "coverbook.toml"
#: Its keys, with what each names and an example value.
PROJECT_KEYS = {"data": ("the data folder", "data"),
                "workbook": ("the workbook", "coverbook.xlsm")}


class ProjectError(Exception):
    """A ``coverbook.toml`` that cannot be used; the message names the file, the line
    where known, and what to write."""


@dataclass(frozen=True)
class Project:
    """A project found on disk: its root folder (where ``coverbook.toml`` is) and the
    absolute paths of its data folder and its workbook."""

    root: Path
    data: Path
    workbook: Path

    @property
    def file(self) -> Path:
        return self.root / PROJECT_FILE


def _line_of(text: str, key: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith(key) and "=" in line:
            return number
    return None


def load_project(file: Path) -> Project:
    """The :class:`Project` described by *file* (a ``coverbook.toml``). Raises
    :class:`ProjectError` for a file that cannot be read, is not TOML, lacks a key,
    has an unknown one, or gives a value that is not a relative path's text."""
    file = Path(file)
    try:
        text = file.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ProjectError(f"{file}: cannot be read ({exc})") from exc
    try:
        doc = parse_toml(text)
    except TomlProblem as exc:
        where = f"{file}:{exc.line}" if exc.line is not None else f"{file}"
        raise ProjectError(f"{where}: {exc.message}; a {PROJECT_FILE} holds two lines, "
                           'e.g. data = "data" and workbook = "coverbook.xlsm"') from None
    for key in doc:
        if key not in PROJECT_KEYS:
            raise ProjectError(f"{file}:{_line_of(text, key) or 1}:{key}: unknown key; "
                               f"{PROJECT_FILE} holds {' and '.join(PROJECT_KEYS)}")
    paths = {}
    for key, (what, example) in PROJECT_KEYS.items():
        value = doc.get(key)
        if value is None:
            raise ProjectError(f"{file}:{key}: missing; add the line {key} = \"{example}\" "
                               f"(the path of {what}, relative to this file)")
        if not isinstance(value, str) or not value.strip():
            raise ProjectError(f"{file}:{_line_of(text, key)}:{key}: {value!r} is not a "
                               f"path; write {key} = \"{example}\"")
        paths[key] = file.parent / value.strip()
    return Project(file.parent, paths["data"], paths["workbook"])


def find_project(start: Path | None = None) -> Project | None:
    """The project *start* (default: the current folder) is in: the nearest
    ``coverbook.toml`` in *start* or a folder above it, loaded (:func:`load_project`,
    which may raise :class:`ProjectError`); ``None`` outside any project."""
    here = Path.cwd() if start is None else Path(start)
    here = here.absolute()
    for folder in (here, *here.parents):
        file = folder / PROJECT_FILE
        if file.is_file():
            return load_project(file)
    return None
