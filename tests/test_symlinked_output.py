"""An output that is a symbolic link is written through: the file it points to is
replaced in one step and the link stays a link; a link to nothing is refused (issue
20, item 9; docs/files-and-safety.md)."""

from __future__ import annotations

import os
import shutil

import pytest

from conftest import WRITERS, run_writer, writer_params

pytestmark = pytest.mark.skipif(not hasattr(os, "symlink") or os.name == "nt",
                                reason="symbolic links need privileges on Windows")

COMMANDS = writer_params("build", "publish", "addin build", "export")


def write_stale(name, path, tmp_path):
    """An older *path* to be replaced: for a workbook, one built from other data (5
    sample stocks; a command refuses to replace a file that is not a workbook);
    other files are not read before they are replaced."""
    if name in ("build", "publish"):
        from workbook.sample import write_sample

        other = tmp_path / "other-data"
        if not other.exists():
            write_sample(other, 5)
        assert run_writer(name, path, "--data", str(other)).exit_code == 0
    else:
        path.write_bytes(b"an older file")


@pytest.fixture
def folders(tmp_path):
    """Three empty folders: where the link is, where its target is, and one for a
    plain write of the same command to compare with (builds are reproducible)."""
    made = [tmp_path / name for name in ("links", "real", "plain")]
    for folder in made:
        folder.mkdir()
    return made


def listing(*folders):
    return [sorted(p.name for p in folder.iterdir()) for folder in folders]


@pytest.mark.parametrize("name", COMMANDS)
def test_a_linked_output_replaces_the_linked_file_and_keeps_the_link(name, folders,
                                                                    tmp_path):
    links, real, plain = folders
    suffix = WRITERS[name][0]
    target, link = real / ("workbook" + suffix), links / ("link" + suffix)
    assert run_writer(name, plain / target.name).exit_code == 0
    expected = (plain / target.name).read_bytes()
    write_stale(name, target, tmp_path)
    assert target.read_bytes() != expected
    os.chmod(target, 0o640)
    link.symlink_to(os.path.relpath(target, links))
    result = run_writer(name, link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == os.path.join("..", "real",
                                                                   target.name)
    if suffix != ".pdf":  # LibreOffice's PDFs carry the time they were made
        assert target.read_bytes() == expected
    else:
        assert target.read_bytes().startswith(b"%PDF-")
    assert oct(target.stat().st_mode & 0o777) == oct(0o640)  # the target's mode kept
    assert listing(links, real) == [[link.name], [target.name]]  # no temporary file


def test_a_chain_of_links_is_followed_to_its_end(folders, tmp_path):
    links, real, plain = folders
    target = real / "coverbook.xlsm"
    write_stale("build", target, tmp_path)
    assert run_writer("build", plain / "coverbook.xlsm").exit_code == 0
    (links / "second.xlsm").symlink_to(target)
    (links / "first.xlsm").symlink_to(links / "second.xlsm")
    result = run_writer("build", links / "first.xlsm")
    assert result.exit_code == 0, result.output
    assert [p.is_symlink() for p in (links / "first.xlsm", links / "second.xlsm")] == [
        True, True]
    assert target.read_bytes() == (plain / "coverbook.xlsm").read_bytes()


@pytest.mark.parametrize("name", ["build", "publish", "addin build"])
def test_a_link_to_nothing_is_refused(name, folders):
    links, real, _ = folders
    suffix = WRITERS[name][0]
    link = links / ("link" + suffix)
    link.symlink_to(real / ("gone" + suffix))
    result = run_writer(name, link)
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {link}: is a symbolic link to "
                                    f"{real / ('gone' + suffix)}, which does not exist")
    assert link.is_symlink() and listing(links, real) == [[link.name], []]


def test_excels_lock_file_beside_the_linked_file_refuses_the_build(folders, shipped):
    """Excel opened the file the link points to: its owner file ~$NAME is there."""
    links, real, _ = folders
    target = real / "coverbook.xlsm"
    shutil.copyfile(shipped, target)
    (real / "~$coverbook.xlsm").write_bytes(b"owner")
    (links / "link.xlsm").symlink_to(target)
    result = run_writer("build", links / "link.xlsm")
    assert result.exit_code == 2
    assert "it is probably open in Excel" in result.output
    assert target.read_bytes() == shipped.read_bytes()


@pytest.mark.parametrize("name", ["publish", "build .xlsx"])
def test_a_link_to_a_file_of_another_kind_is_refused(name, folders, shipped):
    """values.xlsx -> a live .xlsm: writing through would put a values-only (or
    macro-free) file under the .xlsm's name; refused, the .xlsm unchanged."""
    links, real, _ = folders
    target = real / "live.xlsm"
    shutil.copyfile(shipped, target)
    link = links / "values.xlsx"
    link.symlink_to(target)
    result = run_writer(name, link)
    assert result.exit_code == 2, result.output
    assert result.stderr.startswith(
        f"error: {link}: is a symbolic link to {target}, a file of another kind (.xlsm, "
        "not .xlsx)"), result.stderr
    assert target.read_bytes() == shipped.read_bytes()
    assert link.is_symlink() and listing(links, real) == [[link.name], [target.name]]
