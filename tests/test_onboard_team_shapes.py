"""The team's own library shapes are onboarded, and their own test suites pass as before.

For each shape (tests/team_shapes.py): its suite passes, it builds; `onboard --yes` onboards it;
its wheel differs only where the rules ask (README, an MIT package's licence metadata, URLs
from its remote); its suite, installed again the way pip installs it, passes the same tests
(none lost, none failing); and once committed, onboarding it again changes nothing.
"""

from __future__ import annotations

import configparser
import json
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest

from helpers import git_commit_all, git_repo, run, template_snapshot, tree_contents
from python_package_template.proof import Intended, build_package, compare
from team_shapes import TEAM_SHAPES
from test_onboard import run_cli
from test_onboard_real_world import added_urls

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return template_snapshot(tmp_path_factory.mktemp("template") / "python-package-template", "v1.0.0")


@pytest.fixture(scope="module")
def venv_python(tmp_path_factory) -> Path:
    """A virtual environment with pytest, into which each package is installed as pip would."""
    env = tmp_path_factory.mktemp("suite-venv") / "venv"
    run(sys.executable, "-m", "venv", env, cwd=env.parent)
    python = env / "bin" / "python"
    run(python, "-m", "pip", "install", "--quiet", "pytest>=8", cwd=env.parent)
    return python


def passing_tests(python: Path, package: Path, command: tuple[str, ...]) -> set[str]:
    """Install the package (pip, with its dependencies) and run its suite, in a scratch copy
    (a setuptools build writes into the tree): the tests that passed. A failure or an error
    fails the test here."""
    copy = Path(tempfile.mkdtemp(prefix="suite-", dir=package.parent)) / package.name
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns(".git"))
    run(python, "-m", "pip", "install", "--quiet", "--force-reinstall", copy, cwd=copy)
    result = subprocess.run(
        [str(python), "-m", *command, *(["-rA"] if command[0] == "pytest" else [])],
        cwd=copy,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    if command[0] == "pytest":
        return set(re.findall(r"^PASSED (\S+)", output, re.M))
    return set(re.findall(r"^(test\w+ \([\w.]+\)) \.\.\. ok$", output, re.M))


def make(root: Path, name: str) -> Path:
    files, remote, _, _ = TEAM_SHAPES[name]
    return git_repo(root / name, files, remote)


def expect_django(package: Path, report: dict) -> None:
    project = tomllib.loads((package / "pyproject.toml").read_text())
    assert 'legacy-cgi>=2.6.0,<3.0.0; python_full_version > "3.12.0"' in project["project"]["dependencies"]
    assert project["project"]["optional-dependencies"] == {"ldap": ["ldap3>=2.9,<3.0"]}
    assert project["project"]["requires-python"] == ">=3.9,<4.0"
    assert project["build-system"]["requires"] == ["poetry-core>=2.0.0,<3.0.0"]
    assert "name" not in project["tool"]["poetry"]
    assert "# cgi left the standard library in 3.13" in (package / "pyproject.toml").read_text()


def expect_setup_cfg(package: Path, report: dict) -> None:
    project = tomllib.loads((package / "pyproject.toml").read_text())
    assert project["build-system"] == {
        "requires": ["setuptools>=40.8.0"],
        "build-backend": "setuptools.build_meta:__legacy__",
    }
    assert "project" not in project, "the metadata stays in setup.cfg"
    setup_cfg = configparser.ConfigParser()
    setup_cfg.read(package / "setup.cfg")
    assert setup_cfg["metadata"]["license_files"] == "LICENSE.txt"
    assert setup_cfg["metadata"]["name"] == "ucam-ldap-sync"
    assert (package / "setup.cfg").read_text().startswith("# The package's metadata"), "comments stay"
    assert (package / "LICENSE.txt").is_file() and not (package / "LICENSE").exists()
    assert any("kept setuptools" in note for note in report["notes"])
    assert report["answers"]["distribution_name"] == "ucam-ldap-sync"


def expect_setup_cfg_with_build_system(package: Path, report: dict) -> None:
    project = tomllib.loads((package / "pyproject.toml").read_text())
    assert project["build-system"] == {
        "requires": ["setuptools>=61"],
        "build-backend": "setuptools.build_meta",
    }
    assert "project" not in project, "the metadata stays in setup.cfg"
    assert (
        (package / "pyproject.toml")
        .read_text()
        .startswith(TEAM_SHAPES["ucam-ldap-sync-pep517"][0]["pyproject.toml"])
    ), "its own lines stay"
    assert "license_files = LICENSE.txt" in (package / "setup.cfg").read_text()


def expect_setup_py(package: Path, report: dict) -> None:
    files = TEAM_SHAPES["ucam-webauth-helpers"][0]
    assert (package / "setup.py").read_text() == files["setup.py"], "setup.py is never edited"
    assert any("setup.py computes its metadata" in note for note in report["notes"])
    assert report["answers"]["distribution_name"] == "ucam-webauth-helpers"
    assert report["answers"]["initial_version"] == "0.9.1", "read from the wheel it builds"
    assert tomllib.loads((package / "pyproject.toml").read_text())["build-system"]["build-backend"] == (
        "setuptools.build_meta:__legacy__"
    )


EXPECT = {
    "ucam-ldap-sync-pep517": expect_setup_cfg_with_build_system,
    "ucam-django-lookup": expect_django,
    "ucam-ldap-sync": expect_setup_cfg,
    "ucam-webauth-helpers": expect_setup_py,
}


@pytest.mark.parametrize("name", sorted(TEAM_SHAPES))
def test_a_team_library_is_onboarded_with_its_suite_and_wheel_as_before(
    tmp_path, template, venv_python, name
):
    _, _, suite, count = TEAM_SHAPES[name]
    package = make(tmp_path, name)
    passed_before = passing_tests(venv_python, package, suite)
    assert len(passed_before) == count, passed_before
    before = build_package(package)

    code, out, err = run_cli("onboard", "--yes", "--json", "--jobs", "1", "--template", template, package)
    report = json.loads(out)["packages"][0]
    assert report["status"] == "onboarded", report
    assert code == 0, out + err

    after = build_package(package)
    assert compare(before, after, Intended(licence_metadata=True, added_urls=added_urls(before, after))) == []
    assert passing_tests(venv_python, package, suite) >= passed_before, "no test lost, none failing"
    EXPECT[name](package, report)

    git_commit_all(package, "Onboard to the template")
    committed = tree_contents(package)
    code, out, _ = run_cli("onboard", "--yes", "--json", "--jobs", "1", "--template", template, package)
    assert json.loads(out)["packages"][0]["status"] == "unchanged", out
    assert tree_contents(package) == committed
