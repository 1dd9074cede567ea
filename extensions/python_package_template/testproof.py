"""Proof by the package's own tests: they give the same result before and after onboarding.

`onboard --prove-tests` installs the package the way its CI would, in a scratch copy (Poetry
and its default groups for a Poetry package, `poetry install`; otherwise pip, with the test
extras or PEP 735 dependency groups it declares), runs its test suite (pytest when the package
uses pytest, else unittest discovery), once as it is and once with the planned edits, and
compares the two runs test by test. A test that passed and now fails, errors or is skipped, a
test that no longer runs, or an added test that fails, is a difference: the package is then
left as it was, and the report names each one. A test that failed before may fail again.

Nothing here knows of any machine's package index: Poetry and pip read their own configuration
and environment variables (PIP_INDEX_URL, POETRY_PYPI_MIRROR_URL, ...), which are passed through.
"""

from __future__ import annotations

import configparser
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

from .devgroup import requirement_name
from .pyproject_merge import _dependency_names as dependency_names

POETRY_BACKEND = "poetry.core.masonry.api"
# The extras and dependency groups that hold what a package's tests need, by their usual names.
TEST_NAMES = ("test", "tests", "testing", "dev")
TIMEOUT = 1800  # seconds for one install or one test run
BAD = ("failed", "error")


class TestsUnavailable(Exception):
    """The package's tests could not be installed or run; the message says why."""


@dataclass(frozen=True)
class TestPlan:
    """How the package's CI installs it and runs its tests."""

    __test__ = False  # not a pytest test class, whatever its name

    installer: str  # "poetry" or "pip"
    runner: str  # "pytest" or "unittest"
    extras: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()

    def describe(self) -> str:
        how = "`poetry install`" if self.installer == "poetry" else "pip"
        with_ = [f"extras {', '.join(self.extras)}"] if self.extras else []
        with_ += [f"dependency groups {', '.join(self.groups)}"] if self.groups else []
        runner = "pytest" if self.runner == "pytest" else "unittest discovery"
        return f"{runner}, installed with {how}" + (f" ({'; '.join(with_)})" if with_ else "")


@dataclass
class TestRun:
    """One run of the suite: each test's outcome (passed, failed, error, skipped) by its id."""

    __test__ = False

    outcomes: dict[str, str] = field(default_factory=dict)
    exit_code: int = 0
    output: str = ""  # the end of what the run printed

    def summary(self) -> str:
        counts: dict[str, int] = {}
        for outcome in self.outcomes.values():
            counts[outcome] = counts.get(outcome, 0) + 1
        order = ("passed", "failed", "error", "skipped")
        return ", ".join(f"{counts[o]} {o}" for o in order if o in counts) or "no tests"


# --- how the package's tests run ---------------------------------------------------------------


def _names(requirements) -> set[str]:
    """The canonical names of the requirements in a list (what is not one left out)."""
    return {
        name for entry in requirements or [] if isinstance(entry, str) and (name := requirement_name(entry))
    }


def configures_pytest(path: Path, doc: dict) -> bool:
    if "pytest" in doc.get("tool", {}) or (path / "pytest.ini").is_file() or (path / "conftest.py").is_file():
        return True
    for name, section in (("setup.cfg", "[tool:pytest]"), ("tox.ini", "[pytest]")):
        file = path / name
        if file.is_file() and section in file.read_text(encoding="utf-8", errors="replace"):
            return True
    return False


def plan_for(path: Path, pyproject_text: str | None = None) -> TestPlan:
    """How the package at `path` installs and runs its tests, as its CI would (with
    `pyproject_text` in place of its pyproject.toml, when given)."""
    pyproject = path / "pyproject.toml"
    if pyproject_text is None and pyproject.is_file():
        pyproject_text = pyproject.read_text(encoding="utf-8")
    doc = tomllib.loads(pyproject_text or "")
    extras = declared_extras(path, doc)
    declared = dependency_names(doc) | {n for r in extras.values() for n in _names(r)}
    runner = "pytest" if "pytest" in declared or configures_pytest(path, doc) else "unittest"
    if doc.get("build-system", {}).get("build-backend") == POETRY_BACKEND:
        return TestPlan("poetry", runner)
    extras = tuple(name for name in extras if name in TEST_NAMES)
    groups = tuple(name for name in doc.get("dependency-groups", {}) if name in TEST_NAMES)
    return TestPlan("pip", runner, extras, groups)


def declared_extras(path: Path, doc: dict) -> dict[str, list[str]]:
    """{extra: its requirements}: setup.cfg's, and [project.optional-dependencies] over them."""
    return {**setup_cfg_extras(path), **doc.get("project", {}).get("optional-dependencies", {})}


def setup_cfg_extras(path: Path) -> dict[str, list[str]]:
    """The extras a setuptools package declares in setup.cfg ([options.extras_require])."""
    file = path / "setup.cfg"
    if not file.is_file():
        return {}
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(file.read_text(encoding="utf-8", errors="replace"))
    except configparser.Error:
        return {}
    if not parser.has_section("options.extras_require"):
        return {}
    return {
        name: [line.strip() for line in value.splitlines() if line.strip()]
        for name, value in parser.items("options.extras_require")
    }


def group_requirements(doc: dict, group: str, seen: tuple[str, ...] = ()) -> list[str]:
    """A PEP 735 dependency group's requirements, its `include-group`s expanded."""
    requirements: list[str] = []
    for entry in doc.get("dependency-groups", {}).get(group, []):
        if isinstance(entry, str):
            requirements.append(entry)
        elif isinstance(entry, dict) and entry.get("include-group") and entry["include-group"] not in seen:
            requirements += group_requirements(doc, entry["include-group"], (*seen, group))
    return requirements


# --- installing and running --------------------------------------------------------------------


def _environ() -> dict[str, str]:
    """The user's environment (index settings included), without the virtual environment this
    command runs in, so that the package's own environment is the one used."""
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"}}
    env["POETRY_VIRTUALENVS_IN_PROJECT"] = "true"
    env["POETRY_NO_INTERACTION"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _run(args: list[str], cwd: Path, what: str) -> subprocess.CompletedProcess:
    try:
        result = subprocess.run(
            args,
            cwd=cwd,
            capture_output=True,
            text=True,
            env=_environ(),
            stdin=subprocess.DEVNULL,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise TestsUnavailable(f"{what} did not finish in {TIMEOUT} seconds") from None
    except FileNotFoundError as error:
        raise TestsUnavailable(f"{what}: {error}") from None
    return result


def _tail(result: subprocess.CompletedProcess, lines: int = 15) -> str:
    return "\n".join((result.stdout + result.stderr).strip().splitlines()[-lines:])


def poetry_command() -> str:
    found = shutil.which("poetry")
    if not found:
        raise TestsUnavailable(
            "the package is a Poetry package and `poetry` is not on PATH, so its tests cannot be installed as"
            " its CI installs them: install Poetry 2.2 or newer (e.g. `pipx install poetry`), or onboard"
            " without --prove-tests"
        )
    return found


def _has_pip() -> bool:
    """Whether this command's environment has pip (asked of its metadata: looking pip up as a
    module would make setuptools' distutils shim step aside for the rest of the process)."""
    try:
        importlib.metadata.distribution("pip")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def install(copy: Path, plan: TestPlan, *, relock: bool = False) -> Path:
    """Install the package in `copy` as its CI would; return the Python to run its tests with."""
    copy = copy.resolve()
    if plan.installer == "poetry":
        poetry = poetry_command()
        if relock and (copy / "poetry.lock").is_file():
            result = _run([poetry, "lock"], copy, "poetry lock")
            if result.returncode != 0:
                raise TestsUnavailable(f"`poetry lock` failed:\n{_tail(result)}")
        result = _run([poetry, "install"], copy, "poetry install")
        if result.returncode != 0:
            raise TestsUnavailable(f"`poetry install` failed:\n{_tail(result)}")
        python = copy / ".venv" / "bin" / "python"
        if not python.is_file():
            found = _run([poetry, "env", "info", "--executable"], copy, "poetry env info")
            python = Path(found.stdout.strip())
        return python
    venv = copy.parent / f"{copy.name}-venv"
    # This command's own pip installs into the new environment (`pip --python`), which saves
    # seeding a pip into each one; without a pip of its own, the environment gets one.
    own_pip = _has_pip()
    result = _run(
        [sys.executable, "-m", "venv", *(["--without-pip"] if own_pip else []), str(venv)],
        copy,
        "python -m venv",
    )
    if result.returncode != 0:
        raise TestsUnavailable(f"could not create a virtual environment:\n{_tail(result)}")
    python = venv / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python)] if own_pip else [str(python), "-m", "pip"]
    target = f".[{','.join(plan.extras)}]" if plan.extras else "."
    pyproject = copy / "pyproject.toml"
    doc = tomllib.loads(pyproject.read_text(encoding="utf-8")) if pyproject.is_file() else {}
    requirements = [r for group in plan.groups for r in group_requirements(doc, group)]
    project = doc.get("project", {})
    extras = declared_extras(copy, doc)
    installed = project.get("dependencies", []) + requirements
    installed += [r for extra in plan.extras for r in extras.get(extra, [])]
    if plan.runner == "pytest" and "pytest" not in _names(installed):
        requirements.append("pytest")  # the tests need pytest, and what is installed brings none
    result = _run([*pip, "install", "--quiet", target, *requirements], copy, "pip install")
    if result.returncode != 0:
        raise TestsUnavailable(f"`pip install {target}` failed:\n{_tail(result)}")
    return python


# Run by the package's own Python: unittest discovery as `python -m unittest` does it, with each
# test's outcome written as JSON.
UNITTEST_RUNNER = """
import json, sys, unittest

class Result(unittest.TextTestResult):
    outcomes = {}
    def _set(self, test, outcome):
        if self.outcomes.get(test.id()) not in ("failed", "error"):
            self.outcomes[test.id()] = outcome
    def addSuccess(self, test):
        super().addSuccess(test); self._set(test, "passed")
    def addFailure(self, test, err):
        super().addFailure(test, err); self._set(test, "failed")
    def addError(self, test, err):
        super().addError(test, err); self._set(test, "error")
    def addSkip(self, test, reason):
        super().addSkip(test, reason); self._set(test, "skipped")
    def addExpectedFailure(self, test, err):
        super().addExpectedFailure(test, err); self._set(test, "passed")
    def addUnexpectedSuccess(self, test):
        super().addUnexpectedSuccess(test); self._set(test, "failed")
    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._set(test, "failed" if issubclass(err[0], test.failureException) else "error")

suite = unittest.defaultTestLoader.discover(".", top_level_dir=".")
result = unittest.TextTestRunner(resultclass=Result, verbosity=1).run(suite)
json.dump(Result.outcomes, open(sys.argv[1], "w"))
sys.exit(not result.wasSuccessful())
"""


def run_tests(copy: Path, plan: TestPlan, python: Path) -> TestRun:
    """Run the package's suite in `copy` with its installed `python`."""
    with tempfile.TemporaryDirectory(prefix="ppt-tests-") as tmp:
        report = Path(tmp) / "report"
        if plan.runner == "pytest":
            pytest = python.parent / "pytest"
            command = [str(pytest)] if pytest.is_file() else [str(python), "-m", "pytest"]
            command += ["-p", "no:cacheprovider", f"--junitxml={report}"]
            result = _run(command, copy, "pytest")
            outcomes = _junit_outcomes(report) if report.is_file() else {}
        else:
            runner = Path(tmp) / "run_unittest.py"
            runner.write_text(UNITTEST_RUNNER, encoding="utf-8")
            result = _run([str(python), str(runner), str(report)], copy, "unittest")
            outcomes = json.loads(report.read_text(encoding="utf-8")) if report.is_file() else {}
    return TestRun(outcomes, result.returncode, _tail(result))


def _junit_outcomes(report: Path) -> dict[str, str]:
    outcomes: dict[str, str] = {}
    for case in ElementTree.parse(report).getroot().iter("testcase"):
        test = "::".join(part for part in (case.get("classname"), case.get("name")) if part)
        tags = {child.tag for child in case}
        outcome = (
            "failed"
            if "failure" in tags
            else "error"
            if "error" in tags
            else "skipped"
            if "skipped" in tags
            else "passed"
        )
        if outcomes.get(test) not in BAD:  # a teardown error is reported as a second entry
            outcomes[test] = outcome
    return outcomes


def compare_runs(before: TestRun, after: TestRun) -> list[str]:
    """What got worse from `before` to `after`, test by test ([] when nothing did)."""
    differences = []
    for test, was in before.outcomes.items():
        now = after.outcomes.get(test)
        if now is None:
            differences.append(f"{test}: {was} before, no longer runs")
        elif now in BAD and was not in BAD or was == "passed" and now == "skipped":
            differences.append(f"{test}: {was} before, {now} after")
    for test in after.outcomes.keys() - before.outcomes.keys():
        if after.outcomes[test] in BAD:
            differences.append(f"{test} (added by onboarding): {after.outcomes[test]}")
    differences.sort()
    if differences and not after.outcomes:
        differences.append(f"the run after exited with {after.exit_code} and ran no test:\n{after.output}")
    return differences
