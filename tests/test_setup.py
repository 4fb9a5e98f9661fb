"""The set-up finds a Python 3.10 by itself, or says clearly what to install."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

FIND_PYTHON = REPO / "scripts" / "find-python.sh"


def _run(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(FIND_PYTHON)], capture_output=True, text=True, env=env, timeout=60)


def test_finds_a_python_310() -> None:
    result = _run({**os.environ})
    assert result.returncode == 0, result.stderr
    found = result.stdout.strip()
    version = subprocess.run([found, "-c", "import sys; print(sys.version_info[:2])"], capture_output=True, text=True)
    assert version.stdout.strip() == "(3, 10)"


def test_explicit_python_310_is_used(tmp_path: Path) -> None:
    result = _run({**os.environ, "PYTHON": sys.executable})
    assert result.returncode == 0
    assert Path(result.stdout.strip()).resolve() == Path(sys.executable).resolve()


def test_explicit_wrong_python_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "python3.11"
    fake.write_text("#!/bin/sh\nexit 1\n")
    fake.chmod(0o755)
    result = _run({**os.environ, "PYTHON": str(fake)})
    assert result.returncode == 1
    assert "not a working CPython 3.10" in result.stderr


def test_no_python_310_anywhere_names_what_to_install(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYENV_ROOT": str(tmp_path / "pyenv")}
    if any(Path(d, "python3.10").exists() for d in ("/usr/bin", "/bin", "/usr/local/bin")):
        pytest.skip("this machine has a system python3.10")
    result = _run(env)
    assert result.returncode == 1
    assert "needs Python 3.10" in result.stderr
    assert "pyenv install 3.10" in result.stderr
