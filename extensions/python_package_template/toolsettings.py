"""The template's tool settings an existing package is not given, and what stands in the way.

Onboarding records `test_settings: own` and `lint_settings: own`: the template's strict pytest
settings and its ruff rules, strict mypy and pre-commit hooks would change how the package's
tools run, and a pipeline that was green would turn red. The report gives each as a next step,
with what the package would need to change first that can be seen without running anything
(its pytest pin, where its tests live) and the command that takes them.
"""

from __future__ import annotations

import re
from pathlib import Path

from packaging.specifiers import InvalidSpecifier, SpecifierSet

PYTEST_MIN = 8  # the template's `minversion`
SKIP_DIRS = {".git", ".venv", "venv", ".tox", "build", "dist", "node_modules"}


def pytest_constraints(doc: dict) -> list[str]:
    """The version constraints the package puts on pytest, wherever it names it."""
    from .devgroup import declared_requirements

    return [constraint for name, constraint in declared_requirements(doc) if name == "pytest"]


def allows_pytest_8(constraint: str) -> bool:
    """Whether a pytest constraint (PEP 440, or Poetry's caret and tilde) allows pytest 8 or newer."""
    text = constraint.strip()
    poetry = re.fullmatch(r"([\^~])\s*(\d+)(?:\.(\d+))?(?:\.\d+)?", text)
    if poetry:
        major = int(poetry[2])
        return major >= PYTEST_MIN if poetry[1] == "~" or major > 0 else False
    if text in ("", "*"):
        return True
    try:
        specifier = SpecifierSet(text)
    except InvalidSpecifier:
        return True  # not ours to judge: the proof by its tests will say
    return any(specifier.contains(v) for v in ("8.0", "8.4", "9.0", "10.0"))


def test_dirs_outside_tests(path: Path) -> list[str]:
    """Folders holding test files (test_*.py, *_test.py) that `testpaths = ["tests"]` leaves out."""
    import os

    found = set()
    for folder, dirs, files in os.walk(path):
        relative = Path(folder).relative_to(path)
        # Not into tests/ or a folder of SKIP_DIRS at any depth: a package's .git or .venv alone
        # can hold tens of thousands of files.
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and (relative.parts or d != "tests")]
        if any(re.match(r"^(test_.*|.*_test)\.py$", name) for name in files):
            found.add(relative.as_posix())
    return sorted(found)


def pytest_blockers(path: Path, doc: dict, runner: str) -> list[str]:
    """What keeps the template's strict pytest settings from holding, as far as can be seen."""
    if runner != "pytest":
        return ["its tests run with unittest, not pytest"]
    blockers = [
        f"it pins pytest {constraint} (the settings need pytest {PYTEST_MIN} or newer: `minversion`)"
        for constraint in dict.fromkeys(pytest_constraints(doc))
        if not allows_pytest_8(constraint)
    ]
    outside = test_dirs_outside_tests(path)
    if outside:
        blockers.append(f'its tests are in {", ".join(outside)}, which `testpaths = ["tests"]` leaves out')
    return blockers


def next_steps(answers: dict[str, str], pytest_blocked_by: list[str]) -> list[str]:
    """How to take the template's settings the package was not given."""
    src = answers.get("package_layout") == "src"
    steps = []
    if answers.get("test_settings") == "own":
        blocked = (
            f" They do not hold yet: {'; '.join(pytest_blocked_by)}. Change that, then"
            if pytest_blocked_by
            else " Run"
        )
        steps.append(
            "next step, to take the template's strict pytest settings (strict config and markers, warnings as"
            f" errors, tests in tests/, pytest {PYTEST_MIN} or newer{', coverage at least 90%' if src else ''}):"
            f"{blocked} `copier update --trust --defaults -d test_settings=template`, run the tests and fix what"
            " fails before committing"
        )
    if answers.get("lint_settings") == "own":
        steps.append(
            f"next step, to take the template's ruff rules{', strict mypy' if src else ''} and pre-commit hooks"
            " (which the pipeline then runs): `copier update --trust --defaults -d lint_settings=template`, then"
            " `pre-commit run --all-files` and fix what it finds before committing"
        )
    return steps
