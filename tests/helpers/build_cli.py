"""``coverbook build`` run in-process, and what a build refused for bad data must
print and leave: exactly the expected ``file:row:column: message`` lines, exit 2,
the previous workbook byte for byte and nothing else in its folder."""

from __future__ import annotations

import shutil
from pathlib import Path


def previous_copy(workbook: Path, tmp_path: Path) -> tuple[Path, bytes]:
    """*workbook* copied to ``out/coverbook.xlsm`` under *tmp_path* (a folder holding
    nothing else), and its bytes: what a failed build must leave exactly as it was."""
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "coverbook.xlsm"
    shutil.copyfile(workbook, path)
    return path, path.read_bytes()


def cli_build(data, output, *extra):
    """``coverbook build --data DATA --output OUTPUT`` in-process: the click result
    (``exit_code``, ``stdout``, ``stderr``)."""
    from click.testing import CliRunner

    from workbook.cli import cli

    return CliRunner().invoke(cli, ["build", "--data", str(data), "--output", str(output),
                                    *extra])


def assert_rejected(data, previous, expected):
    """The CLI prints exactly the *expected* errors, exits 2 and writes nothing."""
    path, before = previous
    result = cli_build(data, path)
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith(str(data))]
    assert len(lines) == len(expected), result.stderr
    for file, row, column, fragment in expected:
        prefix = f"{data / file}" + (f":{row}" if row is not None else "") + \
                 (f":{column}" if column is not None else "") + ": "
        hits = [line for line in lines if line.startswith(prefix)]
        assert len(hits) == 1, (prefix, result.stderr)
        assert fragment in hits[0][len(prefix):], hits[0]
    assert result.stderr.splitlines()[-1] == \
        f"{len(expected)} problem(s) in the data; nothing was written."
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
