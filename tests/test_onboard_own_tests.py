"""An onboarding merge request keeps the package's own pipeline green.

The story, for each package shape of tests/own_tests.py (each with a test suite of its own):
its suite passes as it is; `onboard --yes --prove-tests` onboards it, imposing none of the
template's strict tool settings, hooks or tests that would not hold; its suite then gives the
same result, test by test; its wheel is the same except where the rules ask; and onboarding it
again changes nothing. Where a setting would break the suite, the proof by its own tests leaves
the package exactly as it was and says which tests.
"""

from __future__ import annotations

import configparser
import json
import os
import tomllib
from pathlib import Path

import pytest
import yaml

from helpers import git_commit_all, git_repo, pypi_json_api_works, run_cli, tree_contents
from own_tests import SHAPES, counts, run_own_tests, suite_environment
from python_package_template.proof import Intended, build_package, compare
from test_onboard_real_world import added_urls

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("own-tests")]


@pytest.fixture(autouse=True)
def poetry_reads_the_simple_index(monkeypatch):
    """Where this machine's PyPI mirror lacks the JSON API, Poetry reads the simple index (the
    mirror plugin scripts/test installs beside it); the product passes the variable through."""
    if not os.environ.get("POETRY_PYPI_MIRROR_URL") and not pypi_json_api_works():
        monkeypatch.setenv("POETRY_PYPI_MIRROR_URL", "https://pypi.org/simple/")


def make(root: Path, name: str) -> Path:
    files, remote, _ = SHAPES[name]
    return git_repo(root / name, files, remote)


@pytest.fixture(scope="module")
def environments(tmp_path_factory) -> dict[str, Path]:
    """One environment per shape, with what its CI installs to run its tests."""
    root = tmp_path_factory.mktemp("own-test-envs")
    return {name: suite_environment(root / name, tests) for name, (_, _, tests) in SHAPES.items()}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_onboarding_keeps_the_packages_own_tests_as_they_were(tmp_path, template, environments, name):
    tests = SHAPES[name][2]
    package = make(tmp_path, name)
    own_before = run_own_tests(package, tests, environments[name], tmp_path)
    assert counts(own_before) == tests.expected, own_before
    wheel_before = build_package(package)

    code, out, err = run_cli(
        "onboard", "--yes", "--prove-tests", "--json", "--jobs", "1", "--template", template, package
    )
    report = json.loads(out)["packages"][0]
    assert report["status"] == "onboarded", (report, err)

    # The package's own suite: every test that ran still runs, with the same outcome.
    own_after = run_own_tests(package, tests, environments[name], tmp_path)
    assert {test: own_after.get(test) for test in own_before} == own_before
    assert not [outcome for outcome in own_after.values() if outcome in ("failed", "error")]
    proved = [note for note in report["notes"] if note.startswith("the package's own tests")]
    assert proved and "before the edits" in proved[0], report["notes"]

    # No setting that changes how its tools run is imposed: the template's strict pytest
    # settings only where its own tests proved they hold; ruff, mypy and the hooks, which
    # cannot be proved here, never. The report says how to take the rest, and the answers
    # record the decision for `copier update`.
    tool = tomllib.loads((package / "pyproject.toml").read_text()).get("tool", {})
    answers = yaml.safe_load((package / ".copier-answers.yml").read_text())
    steps = " ".join(report["notes"])
    assert answers["test_settings"] == STRICT_PYTEST_HOLDS.get(name, "own")
    if answers["test_settings"] == "template":
        assert tool["pytest"]["ini_options"]["filterwarnings"] == ["error"]
        assert "took the template's strict pytest settings" in steps
    else:
        assert "pytest" not in tool and "-d test_settings=template" in steps
    assert not {"ruff", "mypy", "coverage"} & set(tool)
    assert not (package / ".pre-commit-config.yaml").exists()
    assert answers["lint_settings"] == "own" and "-d lint_settings=template" in steps

    wheel_after = build_package(package)
    intended = Intended(licence_metadata=True, added_urls=added_urls(wheel_before, wheel_after))
    assert compare(wheel_before, wheel_after, intended) == []

    git_commit_all(package, "Onboard to the template")
    committed = tree_contents(package)
    code, out, _ = run_cli("onboard", "--yes", "--json", "--jobs", "1", "--template", template, package)
    assert json.loads(out)["packages"][0]["status"] == "unchanged"
    assert tree_contents(package) == committed
    EXPECT.get(name, lambda *_: None)(package, report)  # a shape's own expectations, where it has any


# Where the template's strict pytest settings hold, the package's own tests prove it, and it
# gets them (flit, pytest unpinned, tests in tests/, no warnings).
STRICT_PYTEST_HOLDS = {"rstdoc": "template", "ucam-django-lookup": "template"}


def expect_lookup_utils(package: Path, report: dict) -> None:
    # README.md is the readme and the tests run with pytest: the release guard holds, and is added.
    assert (package / "tests/test_readme.py").is_file()
    # The release guard it adds skips on merge requests; the report says it stops a release
    # while the README skeleton onboarding appended is not filled in.
    assert any("fails a release tag's pipeline while README.md holds" in note for note in report["notes"])
    step = next(note for note in report["notes"] if "-d test_settings=template" in note)
    assert "it pins pytest ^7.4" in step and "its tests are in lookuputils/tests" in step


def expect_campus_maps(package: Path, report: dict) -> None:
    assert not (package / "tests/test_readme.py").exists()
    assert any("tests/test_readme.py not added: it is a pytest test" in note for note in report["notes"])


def expect_rstdoc(package: Path, report: dict) -> None:
    assert not (package / "tests/test_readme.py").exists()
    assert any("the package's readme is README.rst" in note for note in report["notes"])


def expect_rstdoc_warns(package: Path, report: dict) -> None:
    expect_rstdoc(package, report)
    step = next(note for note in report["notes"] if "-d test_settings=template" in note)
    # Tried, and not taken: the warning becomes an error; the report names the test.
    assert "tests/test_title.py" in step or "test_title::test_title_still_works" in step, step
    assert "passed before, failed after" in step


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
        .startswith(SHAPES["ucam-ldap-sync-pep517"][0]["pyproject.toml"])
    ), "its own lines stay"
    assert "license_files = LICENSE.txt" in (package / "setup.cfg").read_text()


def expect_setup_py(package: Path, report: dict) -> None:
    files = SHAPES["ucam-webauth-helpers"][0]
    assert (package / "setup.py").read_text() == files["setup.py"], "setup.py is never edited"
    assert any("setup.py computes its metadata" in note for note in report["notes"])
    assert report["answers"]["distribution_name"] == "ucam-webauth-helpers"
    assert report["answers"]["initial_version"] == "0.9.1", "read from the wheel it builds"
    assert tomllib.loads((package / "pyproject.toml").read_text())["build-system"]["build-backend"] == (
        "setuptools.build_meta:__legacy__"
    )


EXPECT = {
    "lookup-utils": expect_lookup_utils,
    "campus-maps": expect_campus_maps,
    "rstdoc": expect_rstdoc,
    "rstdoc-warns": expect_rstdoc_warns,
    "ucam-django-lookup": expect_django,
    "ucam-ldap-sync": expect_setup_cfg,
    "ucam-ldap-sync-pep517": expect_setup_cfg_with_build_system,
    "ucam-webauth-helpers": expect_setup_py,
}


def test_check_shows_what_the_proof_by_its_own_tests_finds_and_changes_nothing(tmp_path, template):
    package = make(tmp_path, "campus-maps")
    before = tree_contents(package)
    code, out, _ = run_cli(
        *("onboard", "--check", "--no-build", "--prove-tests", "--json", "--template", template, package)
    )
    rules = {r["rule"]: r for r in json.loads(out)["packages"][0]["rules"]}
    assert rules["own-tests"]["status"] == "pass", rules["own-tests"]
    assert "2 passed, 1 skipped before the edits; 2 passed, 1 skipped after" in rules["own-tests"]["detail"]
    assert tree_contents(package) == before
    # Without --prove-tests the rule is not run.
    code, out, _ = run_cli("onboard", "--check", "--no-build", "--json", "--template", template, package)
    assert "own-tests" not in {r["rule"] for r in json.loads(out)["packages"][0]["rules"]}


def test_the_strict_pytest_settings_asked_for_on_pytest_7_leave_the_package_as_it_was(tmp_path, template):
    """A maintainer asks for the template's strict settings: minversion 8 stops pytest 7 before
    any test runs, so the proof by its own tests refuses, naming the tests that would be lost."""
    package = make(tmp_path, "lookup-utils")
    before = tree_contents(package)

    strict = (
        "--prove-tests",
        "--json",
        "--jobs",
        "1",
        "--data",
        "test_settings=template",
        "--template",
        template,
    )
    code, out, _ = run_cli("onboard", "--yes", *strict, package)

    report = json.loads(out)["packages"][0]
    assert code == 1 and report["status"] == "error"
    lost = "lookuputils.tests.test_names::test_display_name_is_surname_first: passed before, no longer runs"
    assert lost in report["error"]
    assert "minversion" in report["error"]
    assert tree_contents(package) == before

    # --check shows the same result when asked, and changes nothing either.
    code, out, _ = run_cli("onboard", "--check", "--no-build", *strict, package)
    rules = {r["rule"]: r for r in json.loads(out)["packages"][0]["rules"]}
    assert code == 1 and rules["own-tests"]["status"] == "fail"
    assert "test_display_name_is_surname_first: passed before, no longer runs" in rules["own-tests"]["detail"]
    assert tree_contents(package) == before
