"""Where a command reads and writes when ``--data`` / ``--output`` are not given: the
command-line side of the data-folder rule (``workbook.locations.resolve_data``; the
whole rule: docs/data-folder.md) and of projects (``workbook.project``). Each helper
prints what the analyst must know (the ``data: FOLDER (why)`` line) or ends the
command with exit 2 and one line saying what to do.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from workbook import DEFAULT_OUTPUT


def _project(*options: Path | None):
    """The project the current folder is in (``None`` outside any, or when every one
    of *options*, the command's --data/--output, is given: then no project decides
    anything, and a broken ``coverbook.toml`` nearby must not stop the command); a
    broken ``coverbook.toml`` ends the command with exit 2 naming it."""
    from workbook.project import ProjectError, find_project

    if options and all(option is not None for option in options):
        return None
    try:
        return find_project()
    except ProjectError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)


def _workbook_output(option: Path | None, project, *, check: bool = False) -> Path:
    """The workbook a command writes or (*check*) checks: ``--output``, else the
    project's, else (outside any project) the repository's ``workbook/coverbook.xlsm``
    when coverbook runs from a source checkout; from an installed package, exit 2
    saying what to give (never a default inside the installed package)."""
    from workbook import PACKAGE_DIR
    from workbook.locations import installed_as_package

    if option is not None:
        return option
    if project is not None:
        return project.workbook
    if not installed_as_package():
        return DEFAULT_OUTPUT
    if check:  # --check writes nothing: say what to check, not where not to write
        click.echo(f"error: no --output given and {Path.cwd()} is in no coverbook project "
                   "(no coverbook.toml there or above), so there is no workbook to check: "
                   "give --output WORKBOOK to check that workbook, or run the command "
                   "inside a project folder (one 'coverbook new DIR' made).", err=True)
        sys.exit(2)
    click.echo(f"error: no --output given and {Path.cwd()} is in no coverbook project (no "
               f"coverbook.toml there or above); coverbook is installed as a package "
               f"({PACKAGE_DIR}) and never writes into it. Start a project with "
               "'coverbook new DIR' and run the command inside DIR, or give "
               "--output FILE.xlsm; nothing was written.", err=True)
    sys.exit(2)


def _data_location(option: Path | None, workbook: Path | None, project):
    """The data folder by the rule (``workbook.locations.resolve_data``), announced in
    one line on stdout (``data: my/data (recorded in my.xlsm)``); a recorded folder
    that no longer exists ends the command with exit 2 naming it."""
    from workbook.locations import DataFolderError, resolve_data

    try:
        location = resolve_data(option, workbook, project)
    except DataFolderError as exc:
        click.echo(f"error: {exc}; nothing was written.", err=True)
        sys.exit(2)
    click.echo(location.line())
    return location


def _data_to_write(option: Path | None):
    """The data folder a command adds data files to (``prices import``, ``prices
    fetch``): the rule's folder (announced as :func:`_data_location` does), never the
    example coverbook ships: with no --data, no ``COVERBOOK_DATA`` (environment or
    coverbook.conf) and no project, exit 2 saying what to give."""
    from workbook.locations import DATA_KEY

    location = _data_location(option, None, _project(option))
    if location.source == "shipped data":
        click.echo(f"error: no --data given, no {DATA_KEY} set and {Path.cwd()} is in no "
                   "coverbook project (no coverbook.toml there or above); coverbook never "
                   "writes into the example it ships. Run the command inside your project, "
                   "or give --data FOLDER; nothing was written.", err=True)
        sys.exit(2)
    return location


def _published_data(option: Path | None, project):
    """The data folder of ``publish`` and ``export``: as :func:`_data_location`, with
    the project's workbook (inside a project, without ``--data``) as the workbook in
    question, so the values copy is made from the folder that workbook records and
    always matches it (``data: … (recorded in proj.xlsm)``)."""
    workbook = None
    if option is None and project is not None and project.workbook.is_file():
        workbook = project.workbook
    return _data_location(option, workbook, project)


def _published_target(option: Path | None, project, name: Path) -> Path:
    """Where ``publish``/``export`` write: the option, else *name* in the project's
    root folder (from any folder below it), else *name* in the current folder."""
    if option is not None:
        return option
    return project.root / name if project is not None else name
