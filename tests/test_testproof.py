"""The proof by the package's own tests, rule by rule: how a package's CI runs its tests, and
which differences between two runs leave the package as it was."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from helpers import write_tree
from own_tests import POETRY1_TESTS_IN_PACKAGE
from python_package_template import testproof, toolsettings
from python_package_template.onboard import version_holds
from python_package_template.testproof import TestPlan, TestRun, compare_runs, plan_for


def run(**outcomes: str) -> TestRun:
    return TestRun({f"tests/test_a.py::{name}": outcome for name, outcome in outcomes.items()})


def test_the_same_results_are_no_difference_and_a_test_that_failed_before_may_fail_again():
    before = run(one="passed", two="failed", three="skipped")
    assert compare_runs(before, run(one="passed", two="failed", three="passed")) == []


@pytest.mark.parametrize(
    ("after", "difference"),
    [
        (run(two="passed"), "tests/test_a.py::one: passed before, no longer runs"),
        (run(one="failed", two="passed"), "tests/test_a.py::one: passed before, failed after"),
        (run(one="error", two="passed"), "tests/test_a.py::one: passed before, error after"),
        (run(one="skipped", two="passed"), "tests/test_a.py::one: passed before, skipped after"),
        (
            run(one="passed", two="passed", added="failed"),
            "tests/test_a.py::added (added by onboarding): failed",
        ),
    ],
)
def test_a_test_that_gets_worse_is_a_difference(after, difference):
    assert compare_runs(run(one="passed", two="passed"), after) == [difference]


def test_a_run_that_stops_before_any_test_says_why():
    after = TestRun({}, exit_code=4, output="ERROR: 'minversion' requires pytest-8.0, actual pytest-7.4.4")
    differences = compare_runs(run(one="passed"), after)
    assert differences[0] == "tests/test_a.py::one: passed before, no longer runs"
    assert "exited with 4" in differences[1] and "minversion" in differences[1]


def write(tmp_path: Path, pyproject: str, **files: str) -> Path:
    write_tree(tmp_path, {"pyproject.toml": pyproject, **files})
    return tmp_path


POETRY = '[build-system]\nbuild-backend = "poetry.core.masonry.api"\n'


@pytest.mark.parametrize(
    ("pyproject", "files", "plan"),
    [
        (
            POETRY + '[tool.poetry.group.dev.dependencies]\npytest = "^7.4"\n',
            {},
            TestPlan("poetry", "pytest"),
        ),
        (POETRY, {}, TestPlan("poetry", "unittest")),
        (
            '[project]\nname = "a"\n[project.optional-dependencies]\ntest = ["pytest"]\ndocs = ["sphinx"]\n',
            {},
            TestPlan("pip", "pytest", extras=("test",)),
        ),
        (
            '[project]\nname = "a"\n[dependency-groups]\ndev = ["pytest>=8"]\n',
            {},
            TestPlan("pip", "pytest", groups=("dev",)),
        ),
        (
            '[project]\nname = "a"\n',
            {"setup.cfg": "[tool:pytest]\naddopts = -ra\n"},
            TestPlan("pip", "pytest"),
        ),
        ('[project]\nname = "a"\n', {}, TestPlan("pip", "unittest")),
    ],
)
def test_the_tests_run_as_the_packages_ci_runs_them(tmp_path, pyproject, files, plan):
    assert plan_for(write(tmp_path, pyproject, **files)) == plan


def test_dependency_groups_include_their_included_groups():
    doc = {"dependency-groups": {"test": ["pytest", {"include-group": "typing"}], "typing": ["mypy"]}}
    assert testproof.group_requirements(doc, "test") == ["pytest", "mypy"]


@pytest.mark.parametrize(
    ("init", "holds"),
    [
        ('__version__ = "1.4.0"\n', True),
        ('__version__ = "1.3.9"\n', False),
        ('__version__ = version("lookup-utils")\n', True),
        ("from ._version import __version__\n", False),
        ("", False),
    ],
)
def test_the_smoke_test_is_added_only_where_its_version_check_holds(tmp_path, init, holds):
    (tmp_path / "__init__.py").write_text(init)
    assert version_holds(tmp_path, "1.4.0") is holds


def test_without_poetry_on_path_a_poetry_package_is_not_proved_and_the_report_says_so(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(testproof.TestsUnavailable, match="`poetry` is not on PATH.*Poetry 2.2 or newer"):
        testproof.poetry_command()


@pytest.mark.parametrize(
    ("constraint", "allows"),
    [
        ("^7.4", False),
        ("^8.0", True),
        ("~7.4", False),
        ("*", True),
        (">=7,<8", False),
        (">=7", True),
        ("==7.4.4", False),
        ("^0.5", False),
    ],
)
def test_a_pytest_pin_is_read_as_poetry_and_pip_read_it(constraint, allows):
    assert toolsettings.allows_pytest_8(constraint) is allows


def test_the_report_says_what_keeps_the_strict_pytest_settings_from_holding(tmp_path):
    write_tree(tmp_path, {**POETRY1_TESTS_IN_PACKAGE, "tests/test_readme.py": ""})
    doc = tomllib.loads(POETRY1_TESTS_IN_PACKAGE["pyproject.toml"])
    blockers = toolsettings.pytest_blockers(tmp_path, doc, "pytest")
    assert blockers == [
        "it pins pytest ^7.4 (the settings need pytest 8 or newer: `minversion`)",
        'its tests are in lookuputils/tests, which `testpaths = ["tests"]` leaves out',
    ]
    step = toolsettings.next_steps({"test_settings": "own", "package_layout": "flat"}, blockers)[0]
    assert "They do not hold yet: it pins pytest ^7.4" in step and "-d test_settings=template" in step
    assert toolsettings.next_steps({"test_settings": "template", "lint_settings": "template"}, []) == []


def test_a_setup_cfg_package_installs_its_test_extra_and_a_setup_py_one_needs_no_pyproject(tmp_path):
    (tmp_path / "setup.cfg").write_text(
        "[metadata]\nname = a\n\n[options.extras_require]\ntest =\n    pytest>=7\n    pytest-django\ndocs = sphinx\n"
    )
    assert plan_for(tmp_path) == TestPlan("pip", "pytest", extras=("test",))
    assert testproof.setup_cfg_extras(tmp_path)["test"] == ["pytest>=7", "pytest-django"]
    (tmp_path / "setup.cfg").unlink()
    assert plan_for(tmp_path) == TestPlan("pip", "unittest")


def test_test_folders_outside_tests_are_found_at_any_depth_but_never_in_tools_folders(tmp_path):
    write_tree(
        tmp_path,
        {
            "test_top.py": "",
            "lookup/tests/test_client.py": "",
            "lookup/deep/er/client_test.py": "",
            "lookup/helpers.py": "",
            "tests/test_ok.py": "",
            "tests/more/test_ok.py": "",
            ".venv/lib/site-packages/pkg/tests/test_theirs.py": "",
            "lookup/node_modules/x/test_js.py": "",
            "build/lib/lookup/tests/test_client.py": "",
        },
    )
    assert toolsettings.test_dirs_outside_tests(tmp_path) == [".", "lookup/deep/er", "lookup/tests"]
