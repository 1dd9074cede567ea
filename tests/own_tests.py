"""Packages in the shapes of the team's libraries, each with a small test suite of its own, and
a harness that runs that suite the way the fixture says its CI runs it (written for these tests;
nothing here is copied from another project).

A shape is (files, remote, how its tests run). The harness is independent of onboarding's own
test proof: it installs the fixture's test requirements into a virtual environment of its own,
runs the suite against the package's source, and returns each test's outcome, so that a test
can compare the suite before and after onboarding. More shapes plug in by adding to SHAPES.
"""

from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path

from real_world import MIT
from team_shapes import DJANGO_POETRY1, SETUP_CFG_ONLY, SETUP_CFG_WITH_BUILD_SYSTEM, SETUP_PY_ONLY


@dataclass(frozen=True)
class OwnTests:
    """How a fixture's tests run in its CI, and what they give on the package as it is."""

    runner: str  # "pytest" or "unittest"
    requirements: tuple[str, ...]  # what its CI installs to run them, besides the package
    expected: dict[str, int] = field(default_factory=dict)  # outcome -> count, before onboarding
    pythonpath: str = "."  # where its code imports from


# The team's shape: Poetry 1, flat layout, tests inside the package, pytest 7 pinned, no pytest
# settings, code that still warns, and a marker nobody registered.
POETRY1_TESTS_IN_PACKAGE = {
    "pyproject.toml": """\
[tool.poetry]
name = "lookup-utils"
version = "1.4.0"
description = "Helpers for people and groups in the Lookup directory."
authors = ["UIS DevOps <devops@uis.cam.ac.uk>"]
license = "MIT"
readme = "README.md"
packages = [{ include = "lookuputils" }]

[tool.poetry.dependencies]
python = "^3.9"

[tool.poetry.group.dev.dependencies]
pytest = "^7.4"

[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
""",
    "README.md": "# Lookup utils\n\nHelpers for people and groups in the Lookup directory.\n",
    "LICENSE": MIT,
    "lookuputils/__init__.py": '''\
"""Helpers for people and groups in the Lookup directory."""

import warnings

__version__ = "1.4.0"


def display_name(person: dict) -> str:
    return f"{person['surname']}, {person['forename']}"


def old_lookup(crsid: str) -> dict:
    warnings.warn("old_lookup() is deprecated: use lookup()", DeprecationWarning, stacklevel=2)
    return {"crsid": crsid}
''',
    "lookuputils/tests/__init__.py": "",
    "lookuputils/tests/test_names.py": """\
import pytest

from lookuputils import display_name, old_lookup


def test_display_name_is_surname_first():
    assert display_name({"forename": "Jo", "surname": "Bloggs"}) == "Bloggs, Jo"


@pytest.mark.directory
def test_the_old_lookup_still_answers():
    assert old_lookup("ab123") == {"crsid": "ab123"}


@pytest.mark.skip(reason="needs the live directory")
def test_live_lookup():
    raise AssertionError
""",
}

# unittest-style tests, setuptools, a flat package.
UNITTEST_SETUPTOOLS = {
    "pyproject.toml": """\
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "campus-maps"
version = "0.3.0"
description = "Where the University's buildings are."
readme = "README.md"
requires-python = ">=3.9"
authors = [{ name = "UIS DevOps", email = "devops@uis.cam.ac.uk" }]

[tool.setuptools]
packages = ["campus_maps"]
""",
    "README.md": "# Campus maps\n\nWhere the University's buildings are.\n",
    "LICENSE": MIT,
    "campus_maps/__init__.py": '''\
"""Where the University's buildings are."""

BUILDINGS = {"Roger Needham Building": (52.2108, 0.0917)}


def where(building: str) -> tuple[float, float]:
    return BUILDINGS[building]
''',
    "tests/__init__.py": "",
    "tests/test_maps.py": """\
import unittest

from campus_maps import where


class WhereTests(unittest.TestCase):
    def test_a_known_building(self):
        self.assertEqual(where("Roger Needham Building"), (52.2108, 0.0917))

    def test_an_unknown_building(self):
        with self.assertRaises(KeyError):
            where("Nowhere")

    @unittest.skip("needs the map server")
    def test_map_tiles(self):
        raise AssertionError
""",
}

# flit, README.rst as the readme, pytest through a `test` extra.
FLIT_README_RST = {
    "pyproject.toml": """\
[build-system]
requires = ["flit_core>=3.4,<4"]
build-backend = "flit_core.buildapi"

[project]
name = "rstdoc"
version = "2.0.1"
description = "Small helpers for reStructuredText."
readme = "README.rst"
authors = [{ name = "Sam Smith", email = "sam@example.org" }]
requires-python = ">=3.9"

[project.optional-dependencies]
test = ["pytest"]
""",
    "README.rst": "rstdoc\n======\n\nSmall helpers for reStructuredText.\n",
    "LICENSE": MIT,
    "rstdoc/__init__.py": '''\
"""Small helpers for reStructuredText."""


def heading(text: str, underline: str = "=") -> str:
    return f"{text}\\n{underline * len(text)}\\n"
''',
    "tests/test_heading.py": """\
from rstdoc import heading


def test_the_underline_is_as_long_as_the_text():
    assert heading("Usage") == "Usage\\n=====\\n"


def test_another_underline():
    assert heading("API", "-") == "API\\n---\\n"
""",
}

# The same, with code that still warns: the template's `filterwarnings = ["error"]` would fail it.
FLIT_README_RST_WARNS = {
    **FLIT_README_RST,
    "rstdoc/__init__.py": FLIT_README_RST["rstdoc/__init__.py"]
    + """

def title(text: str) -> str:
    import warnings

    warnings.warn("title() is deprecated: use heading()", DeprecationWarning, stacklevel=2)
    return heading(text)
""",
    "tests/test_title.py": """\
from rstdoc import title


def test_title_still_works():
    assert title("Usage") == "Usage\\n=====\\n"
""",
}

SHAPES: dict[str, tuple[dict[str, str], str | None, OwnTests]] = {
    "lookup-utils": (
        POETRY1_TESTS_IN_PACKAGE,
        "git@gitlab.developers.cam.ac.uk:uis/devops/lookup/lookup-utils.git",
        OwnTests("pytest", ("pytest>=7.4,<8",), {"passed": 2, "skipped": 1}),
    ),
    "campus-maps": (
        UNITTEST_SETUPTOOLS,
        "https://gitlab.developers.cam.ac.uk/uis/devops/campus-maps.git",
        OwnTests("unittest", (), {"passed": 2, "skipped": 1}),
    ),
    "rstdoc-warns": (
        FLIT_README_RST_WARNS,
        "https://github.com/samsmith/rstdoc.git",
        OwnTests("pytest", ("pytest",), {"passed": 3}),
    ),
    "rstdoc": (
        FLIT_README_RST,
        "https://github.com/samsmith/rstdoc.git",
        OwnTests("pytest", ("pytest",), {"passed": 2}),
    ),
    # The team's shapes of tests/team_shapes.py.
    "ucam-django-lookup": (
        DJANGO_POETRY1,
        "git@gitlab.developers.cam.ac.uk:uis/devops/lookup/ucam-django-lookup.git",
        OwnTests("pytest", ("pytest>=8", "typing-extensions>=4.7"), {"passed": 2}),
    ),
    "ucam-ldap-sync": (
        SETUP_CFG_ONLY,
        "https://gitlab.developers.cam.ac.uk/uis/devops/ldap-sync.git",
        OwnTests("unittest", (), {"passed": 3}),
    ),
    "ucam-ldap-sync-pep517": (
        SETUP_CFG_WITH_BUILD_SYSTEM,
        "https://gitlab.developers.cam.ac.uk/uis/devops/ldap-sync-pep517.git",
        OwnTests("unittest", (), {"passed": 3}),
    ),
    "ucam-webauth-helpers": (
        SETUP_PY_ONLY,
        "https://gitlab.developers.cam.ac.uk/uis/devops/webauth-helpers.git",
        OwnTests("pytest", ("pytest>=8",), {"passed": 2}),
    ),
}


def suite_environment(root: Path, tests: OwnTests) -> Path:
    """A virtual environment with what the fixture's CI installs to run its tests; its Python."""
    subprocess.run([sys.executable, "-m", "venv", str(root)], check=True, capture_output=True)
    python = root / "bin" / "python"
    if tests.requirements:
        subprocess.run([python, "-m", "pip", "install", "--quiet", *tests.requirements], check=True)
    return python


UNITTEST_LINE = re.compile(
    r"^(\w+) \(([\w.]+)\) \.\.\. (ok|FAIL|ERROR|skipped|expected failure|unexpected success)"
)


JUNIT = {"failure": "failed", "error": "error", "skipped": "skipped"}  # child tag -> outcome


def run_own_tests(package: Path, tests: OwnTests, python: Path, tmp: Path) -> dict[str, str]:
    """Each test's outcome (passed, failed, error, skipped), the suite run as its CI runs it."""
    env = {"PYTHONPATH": str(package / tests.pythonpath), "PATH": str(python.parent), "HOME": str(tmp)}
    env["PYTHONDONTWRITEBYTECODE"] = "1"  # leave the checkout clean for onboarding
    if tests.runner == "pytest":
        report = tmp / "junit.xml"
        subprocess.run(
            [python, "-m", "pytest", "-p", "no:cacheprovider", f"--junitxml={report}"],
            cwd=package,
            env=env,
            capture_output=True,
        )
        outcomes = {}
        for case in ElementTree.parse(report).getroot().iter("testcase"):
            tags = {child.tag for child in case}
            outcome = next((JUNIT[tag] for tag in JUNIT if tag in tags), "passed")
            outcomes[f"{case.get('classname')}::{case.get('name')}"] = outcome
        return outcomes
    result = subprocess.run(
        [python, "-m", "unittest", "discover", "-v"], cwd=package, env=env, capture_output=True, text=True
    )
    names = {"ok": "passed", "FAIL": "failed", "ERROR": "error", "expected failure": "passed"}
    return {
        match[2]: names.get(match[3], "failed" if match[3] == "unexpected success" else "skipped")
        for match in map(UNITTEST_LINE.match, result.stderr.splitlines())
        if match
    }


def counts(outcomes: dict[str, str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for outcome in outcomes.values():
        found[outcome] = found.get(outcome, 0) + 1
    return found
