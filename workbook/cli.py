"""The ``coverbook`` command (also ``python -m workbook``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from workbook import DATA_DIR, DEFAULT_OUTPUT, __version__
from workbook.checks import summary
from workbook.dataset import DataErrors


@click.group()
@click.version_option(__version__, prog_name="coverbook")
def cli() -> None:
    """coverbook: a coverage workbook whose numbers Python computes."""


@cli.command()
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              default=DATA_DIR, show_default=True, help="Folder of the data files.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              default=DEFAULT_OUTPUT, show_default=True, help="Workbook to write.")
@click.option("--force", is_flag=True,
              help="Overwrite the output even if it holds sheets coverbook does not own.")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 if the output is not what the data builds now.")
def build(data_dir: Path, output: Path, force: bool, check_only: bool) -> None:
    """Build the workbook from the data files and check it against the report."""
    from workbook.build import BuildError, build as run_build

    try:
        if check_only:
            from workbook.staleness import check as check_workbook

            difference, result = check_workbook(data_dir, output)
            if difference:
                click.echo(f"{output} is stale: {difference}\nRun 'coverbook build' and "
                           "commit the workbook.", err=True)
                sys.exit(1)
            click.echo(f"{output} is current ({summary(result.checks)})")
            sys.exit(0 if result.ok else 1)
        result = run_build(data_dir, output, force=force)
    except DataErrors as exc:
        for error in exc.errors:
            click.echo(f"{Path(data_dir) / error.file if error.file else data_dir}"
                       f"{str(error)[len(error.file):]}", err=True)
        click.echo(f"{len(exc.errors)} problem(s) in the data; nothing was written.", err=True)
        sys.exit(2)
    except BuildError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(result.report())
    if not result.ok:
        for check in result.checks:
            if not check.passed:
                click.echo(f"FAIL {check.item}: printed {check.printed}, computed "
                           f"{check.computed}", err=True)
        sys.exit(1)


@cli.command()
@click.option("--data", "data_dir", type=click.Path(file_okay=False, path_type=Path),
              default=DATA_DIR, show_default=True, help="Folder of the data files.")
@click.option("--pdf", "pdf", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("coverbook-key-stocks.pdf"), show_default=True,
              help="PDF file to write.")
def export(data_dir: Path, pdf: Path) -> None:
    """Export the key-stocks table as a PDF (needs LibreOffice)."""
    from workbook.dataset import load_dataset
    from workbook.export import ExportError, export_pdf

    try:
        path = export_pdf(load_dataset(data_dir), pdf)
    except DataErrors as exc:
        click.echo(str(exc), err=True)
        sys.exit(2)
    except ExportError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"wrote {path}")


def main() -> None:
    cli()


if __name__ == "__main__":
    main()
