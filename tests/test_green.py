"""A new package is green out of the box: Poetry checks, builds and installs it, twine accepts
what PyPI would be sent, and its own tests and README example run.

Slow: each answer set here costs a Poetry build (and for two of them an install).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tarfile
import zipfile
from pathlib import Path

import pytest
import yaml

from conftest import ANSWER_SETS
from helpers import git_commit_all, git_init, poetry, poetry_env, poetry_install, run, tool

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

    with tarfile.open(next(p for p in dist if p.suffix == ".gz")) as sdist:
        in_sdist = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    assert {"CHANGELOG.md", "tests/test_package.py", "tests/test_readme.py", "LICENSE.txt"} <= in_sdist


@pytest.mark.parametrize("answer_set", ["defaults", "awkward"])
def test_new_package_installs_and_its_own_tests_and_readme_example_pass(copie_session, tmp_path, answer_set):
    package = fresh_copy(copie_session, tmp_path, answer_set)
    git_init(package)  # as a user would, and so that pre-commit can be installed
    git_commit_all(package, "New package from the template")

    poetry_install(package)
    # The checks README.md's "Development" section lists, as CI and the pre-commit hooks run them.
    tests = poetry("run", "pytest", "-p", "no:cacheprovider", cwd=package).stdout
    assert "Required test coverage of 90.0% reached" in tests
    poetry("run", "mypy", cwd=package)
    poetry("run", "ruff", "check", "--no-cache", cwd=package)
    poetry("run", "ruff", "format", "--no-cache", "--check", cwd=package)

    readme = (package / "README.md").read_text()
    example = re.search(r"## Usage\n.*?```python\n(.*?)```", readme, flags=re.S).group(1)
    version = poetry("version", "--short", cwd=package).stdout.strip()
    assert poetry("run", "python", "-c", example, cwd=package).stdout.strip() == version


def run_tests_as_a_release_tag_pipeline(package: Path) -> subprocess.CompletedProcess:
    env = {**poetry_env(), "CI_COMMIT_TAG": "v0.1.0"}
    return run(
        shutil.which("poetry") or "poetry",
        "run",
        "pytest",
        "-p",
        "no:cacheprovider",
        cwd=package,
        check=False,
        env=env,
    )


def test_a_release_fails_while_the_readme_holds_placeholders_naming_the_sections(copie_session, tmp_path):
    package = fresh_copy(copie_session, tmp_path, "defaults")
    poetry_install(package)
    local = poetry("run", "pytest", "-p", "no:cacheprovider", cwd=package).stdout
    assert "SKIPPED" in local and "What it does, The problem it solves, Usage" in local

    release = run_tests_as_a_release_tag_pipeline(package)
    assert release.returncode != 0
    assert (
        "README.md still holds TODO(template) placeholders in: What it does, The problem it solves, Usage."
        in release.stdout
    )

    readme = package / "README.md"
    filled = [line for line in readme.read_text().splitlines() if not line.startswith("> TODO(template)")]
    readme.write_text("\n".join(filled) + "\n")
    assert run_tests_as_a_release_tag_pipeline(package).returncode == 0


def page_text(html_file: Path) -> str:
    """The words of a built page's article, without its markup."""
    import html

    page = html_file.read_text(encoding="utf-8")
    article = page[page.index("<article") : page.index("</article>")]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", article)).split())


@pytest.mark.parametrize("answer_set", ["defaults", "awkward"])
def test_the_documentation_site_builds_strict_with_the_readme_and_the_api_reference(
    copie_session, tmp_path, answer_set
):
    package = fresh_copy(copie_session, tmp_path, answer_set)
    git_init(package)
    git_commit_all(package, "New package from the template")
    # What the pipeline's mkdocs and pages jobs run (.gitlab-ci.yml).
    poetry_install(package, "--only", "docs")
    poetry("run", "mkdocs", "build", "--strict", "--site-dir", "public", cwd=package)

    home = page_text(package / "public" / "index.html")
    assert "What it does" in home and "poetry run mkdocs serve" in home  # the README
    package_name = yaml.safe_load((package / ".copier-answers.yml").read_text())["package_name"]
    api = page_text(package / "public" / "reference" / package_name / "index.html")
    version = poetry("version", "--short", cwd=package).stdout.strip()
    # The package's docstring, its inline Markdown (the awkward set's `code` and *stars*) rendered
    # as markup, which page_text turns into spaces.
    docstring = re.sub(r"[`*\s]", "", ANSWER_SETS[answer_set]["description"])
    assert docstring in re.sub(r"\s", "", api)
    assert f"The API of version {version} of" in api and "__version__" in api
    # A maintainer's own build (into site/) leaves the tree clean, so `copier update` still runs.
    poetry("run", "mkdocs", "build", "--strict", cwd=package)
    assert (package / "site" / "index.html").is_file()
    assert run("git", "status", "--porcelain", "--", "site", cwd=package).stdout == ""
