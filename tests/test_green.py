"""A new package is green out of the box: Poetry checks, builds and installs it, twine accepts
what PyPI would be sent, and its own tests and README example run.

Slow: each answer set here costs a Poetry build (and for two of them an install).
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest

from conftest import ANSWER_SETS
from helpers import git_commit_all, git_init, poetry, poetry_install, run, tool

pytestmark = pytest.mark.slow


def fresh_copy(copie_session, tmp_path: Path, answer_set: str) -> Path:
    """A render of its own, so that building or installing it leaves the shared renders alone."""
    result = copie_session.copy(extra_answers=ANSWER_SETS[answer_set])
    assert result.exception is None, result.exception
    package = tmp_path / "package"
    shutil.copytree(result.project_dir, package)
    return package


def test_package_for_the_newest_python_passes_poetry_check(copie_session, tmp_path):
    # Building it needs that Python, which CI's machine does not have.
    poetry("check", "--strict", cwd=fresh_copy(copie_session, tmp_path, "newest"))


@pytest.mark.parametrize("answer_set", ["defaults", "awkward"])
def test_new_package_passes_poetry_check_builds_and_passes_twine_check(copie_session, tmp_path, answer_set):
    package = fresh_copy(copie_session, tmp_path, answer_set)
    poetry("check", "--strict", cwd=package)
    poetry("build", cwd=package)
    dist = sorted((package / "dist").iterdir())
    assert sorted(p.suffix for p in dist) == [".gz", ".whl"]
    run(tool("twine"), "check", "--strict", *dist, cwd=package)

    with zipfile.ZipFile(next(p for p in dist if p.suffix == ".whl")) as wheel:
        names = wheel.namelist()
        metadata = wheel.read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert any(n.endswith(".dist-info/licenses/LICENSE.txt") for n in names)
    assert any(n.endswith("/py.typed") for n in names)
    assert "Description-Content-Type: text/markdown" in metadata
    assert "License-Expression: MIT" in metadata
    assert "## What it does" in metadata  # the README is the long description


@pytest.mark.parametrize("answer_set", ["defaults", "awkward"])
def test_new_package_installs_and_its_own_tests_and_readme_example_pass(copie_session, tmp_path, answer_set):
    package = fresh_copy(copie_session, tmp_path, answer_set)
    git_init(package)  # as a user would, and so that pre-commit can be installed
    git_commit_all(package, "New package from the template")

    poetry_install(package)
    poetry("run", "pytest", "-q", "-p", "no:cacheprovider", cwd=package)

    readme = (package / "README.md").read_text()
    example = re.search(r"## Usage\n.*?```python\n(.*?)```", readme, flags=re.S).group(1)
    version = poetry("version", "--short", cwd=package).stdout.strip()
    assert poetry("run", "python", "-c", example, cwd=package).stdout.strip() == version
