"""The ``coverbook`` command (also ``python -m workbook``).

Each command imports what it needs when it runs: ``coverbook --help`` loads click and
this module only (no data layer, writer, UDFs or xlwings), so it answers about as
fast as Python starts.
"""

from __future__ import annotations

import os
import shlex
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from workbook import DEFAULT_OUTPUT, __version__
from workbook.exchanges import CAPACITY as SAMPLE_CAPACITY

if TYPE_CHECKING:
    from workbook.dataset import DataErrors

#: Help of every command's --data option (the rule: docs/data-folder.md).
DATA_HELP = ("Folder of the data files. Default: the folder the workbook records (the "
             "project's workbook for publish and export), else COVERBOOK_DATA, else the "
             "project you are in (coverbook.toml), else COVERBOOK_DATA in coverbook.conf, "
             "else the shipped example.")
#: Help of --data for the commands that add data files (prices import, prices fetch).
DATA_TO_WRITE_HELP = ("Folder of the data files to add to. Default: COVERBOOK_DATA, else "
                      "the project you are in (coverbook.toml), else COVERBOOK_DATA in "
                      "coverbook.conf; never the shipped example.")


@click.group()
@click.version_option(__version__, prog_name="coverbook")
def cli() -> None:
    """coverbook: a coverage workbook whose numbers Python computes."""


def _interactive() -> bool:
    """A person is watching: stderr is a terminal and this is not CI."""
    return sys.stderr.isatty() and os.environ.get("CI", "").lower() not in ("true", "1")


class _StageProgress:
    """A progress bar over the build's stages on stderr, shown only once a build has
    run for :attr:`DELAY` seconds (small builds print nothing) and only if *enabled*."""

    DELAY = 1.0

    def __init__(self, stages: tuple[str, ...], *, enabled: bool):
        self.stages, self.enabled = stages, enabled
        self.start = time.perf_counter()
        self.bar = None

    def __call__(self, stage: str) -> None:
        if not self.enabled:
            return
        if self.bar is None and time.perf_counter() - self.start >= self.DELAY:
            self.bar = click.progressbar(length=len(self.stages), label="building",
                                         file=sys.stderr, show_eta=False)
            self.bar.__enter__()
        if self.bar is not None:
            self.bar.label = f"building: {stage}"
            self.bar.update(self.stages.index(stage) - self.bar.pos)

    def finish(self) -> None:
        """The build succeeded: fill the bar."""
        if self.bar is not None:
            self.bar.update(len(self.stages) - self.bar.pos)

    def close(self) -> None:
        """End the bar's line (as far as it got, if the build failed)."""
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def _echo_data_errors(exc: DataErrors, data_dir: Path) -> None:
    """Print invalid data as ``build`` and ``export`` do: one ``<folder>/file:row:column:
    message`` line per problem (at most ``MAX_SHOWN``, then ``… and N more``) and the
    count line, on stderr."""
    from workbook.dataset import problem_lines

    def where(error) -> str:
        path = Path(data_dir) / error.file if error.file else Path(data_dir)
        return f"{path}{str(error)[len(error.file):]}"

    for line in problem_lines(exc.errors, where):
        click.echo(line, err=True)
    click.echo(f"{len(exc.errors)} problem(s) in the data; nothing was written.", err=True)


def _report_failed_checks(checks, lead: str = "The workbook was written, but") -> None:
    """Print each check that disagrees with the report (``FAIL 300308.SZ 中际旭创 P/E
    2023A: printed 56.13, computed 56.6495``) and what to do, on stderr; *lead* starts
    the last sentence (what happened to the workbook)."""
    from workbook.dataset import CLAIMS_FILE, REPORT_PE_FILE

    for check in checks:
        if not check.passed:
            computed = check.computed
            shown = f"{computed:.6g}" if isinstance(computed, float) else computed
            click.echo(f"FAIL {check.item}: printed {check.printed:g}, computed {shown}",
                       err=True)
    click.echo(f"{lead} the data no longer gives the figures the report printed. If "
               "you updated prices, EPS or token prices on purpose, update or delete "
               f"{REPORT_PE_FILE} / {CLAIMS_FILE} in the data folder.", err=True)


@cli.command()
@click.option("--data", "data_opt", type=click.Path(file_okay=False, path_type=Path),
              default=None, help=DATA_HELP)
@click.option("--output", "output_opt", type=click.Path(dir_okay=False, path_type=Path),
              default=None,
              help="Workbook to write: .xlsm (with macros) or .xlsx (without). Default: "
                   "the project's workbook (coverbook.toml).")
@click.option("--force", is_flag=True,
              help="Overwrite the output even if it holds sheets coverbook does not own, "
                   "is read-only, or has Excel's lock file (~$NAME) beside it.")
@click.option("--check", "check_only", is_flag=True,
              help="Write nothing; exit 1 if the output is not what the data builds now "
                   "or the data no longer gives the report's figures.")
@click.option("--array-threshold", type=click.IntRange(min=0), default=None,
              help="Write the P/E block as one array formula per year column when there "
                   "are more stocks than this (default 200; 0 = always).")
def build(data_opt: Path | None, output_opt: Path | None, force: bool, check_only: bool,
          array_threshold: int | None) -> None:
    """Build the workbook from the data files and check it against the report."""
    from workbook.build import STAGES, BuildError, build as run_build
    from workbook.checks import summary
    from workbook.dataset import DataErrors
    from workbook.sheets.key_stocks import ARRAY_THRESHOLD

    if array_threshold is None:
        array_threshold = ARRAY_THRESHOLD
    from workbook.cli_locations import _data_location, _project, _workbook_output

    project = _project(data_opt, output_opt)
    output = _workbook_output(output_opt, project, check=check_only)
    data_dir = _data_location(data_opt, output, project).path
    if check_only:
        from workbook.staleness import STAGES as CHECK_STAGES, check as check_workbook
    progress = _StageProgress(CHECK_STAGES if check_only else STAGES, enabled=_interactive())
    try:
        if check_only:
            try:
                difference, result = check_workbook(data_dir, output,
                                                    array_threshold=array_threshold,
                                                    progress=progress)
                progress.finish()
            finally:
                progress.close()
            if difference:
                again = ["coverbook", "build"]
                if data_opt is not None:
                    again += ["--data", str(data_opt)]
                if output_opt is not None:
                    again += ["--output", str(output_opt)]
                if array_threshold != ARRAY_THRESHOLD:
                    again += ["--array-threshold", str(array_threshold)]
                again = shlex.join(again)
                committed = output_opt is None or Path(output) == DEFAULT_OUTPUT
                commit = " and commit the workbook" if committed else ""
                click.echo(f"{output} is stale: {difference}\nRun '{again}'{commit}.",
                           err=True)
                if not result.ok:
                    _report_failed_checks(result.checks, "The checks fail too:")
                sys.exit(1)
            if not result.ok:
                click.echo(f"{output} is current, but the checks fail "
                           f"({summary(result.checks)})", err=True)
                _report_failed_checks(result.checks, "The workbook is current, but")
                sys.exit(1)
            click.echo(f"{output} is current ({summary(result.checks)})")
            sys.exit(0)
        try:
            result = run_build(data_dir, output, force=force,
                               array_threshold=array_threshold, progress=progress)
            progress.finish()
        finally:
            progress.close()  # before any message, so the bar never cuts through one
    except DataErrors as exc:
        _echo_data_errors(exc, data_dir)
        sys.exit(2)
    except BuildError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(result.report())
    if not result.ok:
        _report_failed_checks(result.checks)
        sys.exit(1)


@cli.command()
@click.option("--data", "data_opt", type=click.Path(file_okay=False, path_type=Path),
              default=None, help=DATA_HELP)
@click.option("--pdf", "pdf", type=click.Path(dir_okay=False, path_type=Path),
              default=None,
              help="PDF file to write (must end in .pdf). Default: coverbook-key-stocks.pdf "
                   "in the project's folder (coverbook.toml), outside any project in the "
                   "current folder.")
@click.option("--force", is_flag=True,
              help="Replace the PDF even if it is read-only or has a lock file (~$NAME) "
                   "beside it.")
def export(data_opt: Path | None, pdf: Path | None, force: bool) -> None:
    """Export the key-stocks table as a PDF (needs LibreOffice)."""
    from workbook.build import BuildError
    from workbook.dataset import DataErrors
    from workbook.export import DEFAULT_PDF, ExportError, export as run_export

    from workbook.cli_locations import _project, _published_data, _published_target

    project = _project(data_opt, pdf)
    data_dir = _published_data(data_opt, project).path
    pdf = _published_target(pdf, project, DEFAULT_PDF)

    try:
        path = run_export(data_dir, pdf, force=force)
    except DataErrors as exc:
        _echo_data_errors(exc, data_dir)
        sys.exit(2)
    except (BuildError, ExportError) as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(f"wrote {path}")


@cli.command()
@click.option("--data", "data_opt", type=click.Path(file_okay=False, path_type=Path),
              default=None, help=DATA_HELP)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Values-only workbook to write (.xlsx). Default: coverbook-values.xlsx "
                   "in the project's folder (coverbook.toml), outside any project in the "
                   "current folder.")
@click.option("--pdf", "pdf", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also print it to this PDF (must end in .pdf; needs LibreOffice).")
@click.option("--force", is_flag=True,
              help="Overwrite the output even if it holds sheets coverbook does not own, "
                   "and the output or the PDF even if read-only or with a lock file "
                   "(~$NAME) beside it.")
def publish(data_opt: Path | None, output: Path | None, pdf: Path | None,
            force: bool) -> None:
    """Write the values-only workbook for recipients without Python (and a PDF)."""
    from workbook.build import BuildError
    from workbook.dataset import DataErrors
    from workbook.export import ExportError
    from workbook.publish import DEFAULT_PUBLISHED, STAGES, publish as run_publish

    from workbook.cli_locations import _project, _published_data, _published_target

    project = _project(data_opt, output)
    data_dir = _published_data(data_opt, project).path
    output = _published_target(output, project, DEFAULT_PUBLISHED)
    progress = _StageProgress(STAGES, enabled=_interactive())
    try:
        try:
            result = run_publish(data_dir, output, pdf=pdf, force=force, progress=progress)
            progress.finish()
        finally:
            progress.close()
    except DataErrors as exc:
        _echo_data_errors(exc, data_dir)
        sys.exit(2)
    except BuildError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except ExportError as exc:
        written = exc.written
        click.echo(f"wrote {written}\nerror: {exc}; the PDF was not written, the "
                   "workbook above was" if written else f"error: {exc}", err=True)
        sys.exit(2)
    click.echo(result.report())
    if not result.ok:
        _report_failed_checks(result.checks)
        sys.exit(1)


@cli.command("new")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--tokens", is_flag=True,
              help="Also write token_prices.csv, workloads.csv and fx.csv (a few shipped "
                   "models' prices, with their sources), for an AI-sector table.")
def new(folder: Path, tokens: bool) -> None:
    """Start a coverage project in FOLDER (new or empty): data files with example
    stocks, the workbook built from them, .gitignore and a CI workflow."""
    from workbook.build import STAGES, BuildError
    from workbook.dataset import DataErrors
    from workbook.new_project import NewProjectError, create_project

    progress = _StageProgress(STAGES, enabled=_interactive())
    try:
        try:
            made = create_project(folder, tokens=tokens, progress=progress)
            progress.finish()
        finally:
            progress.close()
    except NewProjectError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(2)
    except DataErrors as exc:  # the templates themselves: a defect, said as such
        _echo_data_errors(exc, folder / "data")
        click.echo("coverbook's own project templates do not build: please report it.",
                   err=True)
        sys.exit(2)
    except BuildError as exc:
        click.echo(f"error: {exc}; nothing was written", err=True)
        sys.exit(2)
    shown = folder / made.workbook.name
    click.echo(f"made {folder}: " + ", ".join(p for p in made.files if p != made.workbook.name))
    click.echo(made.build.report().replace(str(made.build.path), str(shown), 1))
    click.echo(f"CI ({Path('.github', 'workflows', 'coverbook.yml')}) installs "
               f"{made.requirement[0]}: {made.requirement[1]}")
    click.echo(f"Next: replace the example stocks in {folder / 'data' / 'coverage.csv'}, "
               f"set as_of and source in {folder / 'data' / 'settings.toml'}, then in "
               f"{folder}: coverbook build, and commit the folder with its workbook "
               "(git init; git add -A; git commit).")


@cli.command()
@click.option("--stocks", type=click.IntRange(1, SAMPLE_CAPACITY), required=True,
              help=f"Number of stocks, at most {SAMPLE_CAPACITY:,} (unique tickers across "
                   ".SH/.SZ/.BJ).")
@click.option("--years", type=click.IntRange(1, 20), default=4, show_default=True,
              help="Fiscal years of EPS, ending 2026E.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Random seed; the same seed writes the same bytes.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              required=True, help="Folder to write the data files to.")
def sample(stocks: int, years: int, seed: int, out_dir: Path) -> None:
    """Write a synthetic coverage universe (for benchmarks and large-table tests)."""
    from workbook.sample import write_sample

    try:
        write_sample(out_dir, stocks, years, seed)
    except ValueError as exc:  # more stocks than there are distinct tickers
        raise click.BadParameter(str(exc), param_hint="--stocks") from exc
    except OSError as exc:
        raise click.ClickException(f"cannot write {out_dir}: {exc}") from exc
    click.echo(f"wrote {out_dir}: {stocks:,} stock{'s' * (stocks != 1)} x {years} fiscal "
               f"year{'s' * (years != 1)} (seed {seed})")


class _PricesGroup(click.Group):
    """The ``prices`` group, whose ``fetch`` (opt in: ``pip install
    'coverbook[fetch]'``) lives in ``workbook.prices.fetch_cli`` and is imported only
    when asked for, so ``coverbook --help`` loads nothing of it."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), "fetch"])

    def get_command(self, ctx: click.Context, name: str):
        if name == "fetch":
            from workbook.prices.fetch_cli import fetch

            return fetch
        return super().get_command(ctx, name)


@cli.group(cls=_PricesGroup)
def prices() -> None:
    """Close prices: the history prices.csv in the data folder."""


@prices.command("import")
@click.argument("files", nargs=-1, required=True,
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--data", "data_opt", type=click.Path(file_okay=False, path_type=Path),
              default=None, help=DATA_TO_WRITE_HELP)
@click.option("--date", "date_opt", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The trading day of an export whose header names none (最新收盘日).")
@click.option("--unadjusted", is_flag=True,
              help="Assert that an export without an adjustment tag (iFinD) holds "
                   "unadjusted (不复权) closes.")
@click.option("--replace", is_flag=True,
              help="Replace a close already held for a code and day by a different one.")
@click.option("--all", "keep_all", is_flag=True,
              help="Keep every code of the exports, not only the coverage's.")
def prices_import(files: tuple[Path, ...], data_opt: Path | None, date_opt,
                  unadjusted: bool, replace: bool, keep_all: bool) -> None:
    """Add the closes of terminal exports (Wind, Choice, iFinD) to prices.csv."""
    from workbook.prices.importer import ImportRefused, import_exports

    from workbook.cli_locations import _data_to_write

    data_dir = _data_to_write(data_opt).path
    try:
        result = import_exports(data_dir, list(files),
                                date=date_opt.date() if date_opt else None,
                                unadjusted=unadjusted, replace=replace, keep_all=keep_all)
    except ImportRefused as exc:
        for line in exc.problems:
            click.echo(line, err=True)
        click.echo(f"refused {len(exc.problems)} problem(s); nothing was written "
                   "(the data folder is unchanged).", err=True)
        sys.exit(2)
    click.echo(result.report())


@cli.command()
@click.option("--xlstart", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Excel startup folder to look for the add-in in (default: ask Excel).")
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Settings file the add-in reads (default: the user's coverbook.conf).")
@click.option("--workbook", "workbook_opt", default=None, metavar="WORKBOOK",
              help="Say which data folder this workbook's UDFs and Refresh use, and why "
                   "(a path, or the OneDrive/SharePoint URL Excel shows).")
@click.argument("workbook_arg", required=False, default=None, metavar="[WORKBOOK]")
def doctor(xlstart: Path | None, config: Path | None, workbook_opt: str | None,
           workbook_arg: str | None) -> None:
    """Check Python, xlwings, the add-in and the data folder; one line per check.
    Given a WORKBOOK, the data folder checked is the one its UDFs and Refresh use."""
    from workbook.doctor import doctor as run_doctor

    if workbook_opt and workbook_arg and workbook_opt != workbook_arg:
        raise click.UsageError("give the workbook once: as --workbook or as an argument")
    findings = run_doctor(xlstart=xlstart, config=config,
                          workbook=workbook_opt or workbook_arg)
    for finding in findings:
        click.echo(finding.line())
    failed = sum(f.status == "FAIL" for f in findings)
    click.echo(f"{failed} check(s) failed." if failed else "No check failed.")
    sys.exit(1 if failed else 0)


def _replace_unprintable() -> None:
    """Let stdout and stderr print what their encoding cannot hold as ``?``.

    A console or a redirect in a code page other than UTF-8 (``PYTHONIOENCODING=cp1252``,
    an English Windows console piped to a file, latin-1) cannot hold the Chinese of
    the sheet names and the data: without this, the first such character raises
    ``UnicodeEncodeError`` after the work is done, and the rest of the output is lost."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)  # None under pythonw
        if reconfigure is not None:
            try:
                reconfigure(errors="replace")
            except (OSError, ValueError):  # a closed or detached stream
                pass


class _Terminated(SystemExit):
    """The process was asked to stop (SIGTERM, or SIGHUP when its terminal closed)."""


def _stop_cleanly_on_terminate() -> None:
    """Make SIGTERM (and SIGHUP) stop the command as Ctrl+C does: an exception that
    unwinds it, so every temporary file is removed on the way out (see
    ``workbook/replacing.py``), instead of the default of dying on the spot. The exit
    status is the shell's for a signal, 128 + its number (143 for SIGTERM)."""
    import signal

    def stop(signum, frame):
        raise _Terminated(128 + signum)

    for name in ("SIGTERM", "SIGHUP"):
        number = getattr(signal, name, None)
        if number is not None and signal.getsignal(number) == signal.SIG_DFL:
            signal.signal(number, stop)


# The add-in's commands (`coverbook addin build|install|remove`): workbook/addin/commands.py.
from workbook.addin.commands import addin  # noqa: E402 - after the group they join

cli.add_command(addin)


def main() -> None:
    """The ``coverbook`` command: its output never fails on the console's encoding,
    and a stop signal cleans up as Ctrl+C does."""
    _replace_unprintable()
    _stop_cleanly_on_terminate()
    try:
        cli()
    except _Terminated as exc:
        try:
            click.echo("coverbook: stopped by a signal; its temporary files were removed",
                       err=True)
        except OSError:  # SIGHUP: the terminal may be gone
            pass
        raise SystemExit(exc.code) from None


if __name__ == "__main__":
    main()
