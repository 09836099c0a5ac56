"""``coverbook addin build | install | remove``: the Excel add-in ``coverbook.xlam``
(``=PE()`` and a Coverbook ribbon in any workbook). Each command imports what it needs
when it runs, so ``coverbook --help`` loads click and this module only."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.group()
def addin() -> None:
    """The coverbook Excel add-in: =PE() and a Coverbook ribbon in any workbook."""


@addin.command("build")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Add-in to write (.xlam). Default: workbook/coverbook.xlam in a source "
                   "checkout; from an installed package, coverbook.xlam in the current "
                   "folder.")
@click.option("--force", is_flag=True,
              help="Replace the add-in even if it is read-only or has Excel's lock file "
                   "(~$NAME) beside it.")
def addin_build(output: Path | None, force: bool) -> None:
    """Write the add-in (coverbook.xlam)."""
    from workbook.addin import ADDIN_NAME, DEFAULT_ADDIN, AddinError
    from workbook.addin.package import build_addin
    from workbook.locations import installed_as_package

    if output is None:  # never into an installed package (as build): the current folder
        output = Path(ADDIN_NAME) if installed_as_package() else DEFAULT_ADDIN
    try:
        path = build_addin(output, force=force)
    except AddinError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"wrote {path}")


@addin.command("install")
@click.option("--xlstart", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Excel startup folder to put the add-in in (default: ask Excel).")
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Settings file the add-in reads (default: the user's coverbook.conf).")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Also set the data folder the add-in uses (COVERBOOK_DATA).")
def addin_install(xlstart: Path | None, config: Path | None, data_dir: Path | None) -> None:
    """Build the add-in into Excel's startup folder and set this Python for it."""
    from workbook.addin import AddinError
    from workbook.addin.install import install

    try:
        result = install(xlstart, config, data_dir)
    except AddinError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"wrote {result.addin}")
    for key, value in result.settings.items():
        click.echo(f"set {key} = {value} in {result.config}")
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    click.echo("Restart Excel to load the add-in, then check it: coverbook doctor")


@addin.command("remove")
@click.option("--xlstart", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Excel startup folder to remove the add-in from (default: ask Excel).")
def addin_remove(xlstart: Path | None) -> None:
    """Remove the add-in from Excel's startup folder (coverbook.conf stays)."""
    from workbook.addin import AddinError
    from workbook.addin.install import remove

    try:
        path = remove(xlstart)
    except AddinError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    if path is None:
        click.echo("the add-in is not installed there; nothing was removed")
    else:
        click.echo(f"removed {path} (restart Excel; coverbook.conf was left as it is)")
