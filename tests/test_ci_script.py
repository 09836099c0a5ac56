"""``.ci/run`` on a fresh Debian machine installs what it then calls: run on a copy of
the repository with a PATH where ``apt-get`` only records what it is asked for and
``node``/``npm`` do not exist, it must ask for them before it calls ``npm``."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

STUB = "#!/bin/sh\n{body}\n"


def _stub(folder: Path, name: str, body: str) -> None:
    path = folder / name
    path.write_text(STUB.format(body=body))
    path.chmod(0o755)


@pytest.mark.skipif(not Path("/usr/bin/python3").exists(), reason="needs /usr/bin/python3")
def test_ci_run_installs_node_and_npm_when_absent(tmp_path):
    repo = tmp_path / "repo"
    (repo / ".ci").mkdir(parents=True)
    shutil.copyfile(REPO / ".ci" / "run", repo / ".ci" / "run")  # no .ci/node here
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    asked = tmp_path / "apt-get.log"
    # The tools the script only probes for are there; apt-get records and succeeds;
    # npm is missing, so the script stops where it would call it.
    _stub(bin_dir, "apt-get", f'echo "$@" >> {asked}')
    _stub(bin_dir, "dpkg", "exit 0")
    _stub(bin_dir, "soffice", "exit 0")
    _stub(bin_dir, "pdftotext", "exit 0")
    for tool in ("bash", "dirname", "env"):
        os.symlink(shutil.which(tool), bin_dir / tool)
    proc = subprocess.run(["bash", str(repo / ".ci" / "run")], capture_output=True, text=True,
                          env={"PATH": str(bin_dir), "HOME": str(tmp_path)}, timeout=60)
    assert proc.returncode == 127, proc.stderr  # npm: command not found, as expected here
    installs = [line.split() for line in asked.read_text().splitlines()
                if line.startswith("install")]
    assert len(installs) == 1
    assert {"nodejs", "npm"} <= set(installs[0])
    assert "npm: command not found" in proc.stderr
