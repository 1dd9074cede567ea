"""A maintainer releases the template with `scripts/release`: it tags the version the newest
CHANGELOG entry names, only from a clean tree, and pushes nothing."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from helpers import TEMPLATE_ROOT, git, git_commit_all, git_init, run

CHANGELOG_HEAD = "# Changelog\n\nWhat each release changes.\n\n## [Unreleased]\n\n"


@pytest.fixture
def clone(tmp_path) -> Path:
    """This repository's files in a git repository with no tags, as this one is before its
    first release."""
    root = tmp_path / "python-package-template"
    ignore = shutil.ignore_patterns(".git", ".venv", ".tools", "__pycache__", ".pytest_cache", "dist")
    shutil.copytree(TEMPLATE_ROOT, root, ignore=ignore)
    git_init(root)
    git_commit_all(root, "The template")
    return root


def release(clone: Path, *args: str):
    return run(clone / "scripts" / "release", *args, cwd=clone, check=False)


def write_release(clone: Path, version: str, unreleased: str = "") -> None:
    (clone / "CHANGELOG.md").write_text(
        CHANGELOG_HEAD + unreleased + f"## [{version}] - 2026-12-01\n\n- A change.\n\n"
        "## [0.1.0] - 2026-11-25\n\nFirst release.\n"
    )
    pyproject = clone / "pyproject.toml"
    pyproject.write_text(
        re.sub(r'^version = ".*"$', f'version = "{version}"', pyproject.read_text(), count=1, flags=re.M)
    )
    git_commit_all(clone, f"Release {version}")


def test_release_tags_the_version_the_newest_changelog_entry_names(clone):
    write_release(clone, "0.2.0")
    result = release(clone)
    assert result.returncode == 0, result.stderr
    assert git("tag", "--list", cwd=clone) == "v0.2.0"
    assert git("rev-list", "-n", "1", "v0.2.0", cwd=clone) == git("rev-parse", "HEAD", cwd=clone)
    assert "git push origin v0.2.0" in result.stdout  # said, not done


def test_release_refuses_a_dirty_tree_and_tags_nothing(clone):
    (clone / "README.md").write_text("edited\n")
    result = release(clone)
    assert result.returncode == 1 and "uncommitted changes" in result.stderr
    assert git("tag", "--list", cwd=clone) == ""


def test_release_refuses_a_version_tagged_already_or_older(clone):
    write_release(clone, "0.2.0")
    assert release(clone).returncode == 0
    again = release(clone)
    assert again.returncode == 1 and "tagged already" in again.stderr
    write_release(clone, "0.0.9")
    older = release(clone)
    assert older.returncode == 1 and "not newer" in older.stderr


def test_release_wants_unreleased_notes_moved_under_the_version(clone):
    write_release(clone, "0.2.0", unreleased="- Something not yet under a version.\n\n")
    result = release(clone)
    assert result.returncode == 1 and "[Unreleased]" in result.stderr
    assert git("tag", "--list", cwd=clone) == ""


def test_release_checks_the_requested_version_and_pyproject_agree(clone):
    write_release(clone, "0.2.0")
    wrong = release(clone, "v9.0.0")
    assert wrong.returncode == 1 and "not v9.0.0" in wrong.stderr
    (clone / "pyproject.toml").write_text((clone / "pyproject.toml").read_text().replace("0.2.0", "0.1.5", 1))
    git_commit_all(clone, "Out of step")
    mismatch = release(clone, "v0.2.0")
    assert mismatch.returncode == 1 and "pyproject.toml says version 0.1.5" in mismatch.stderr
