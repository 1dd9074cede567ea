"""Packages in the shapes of the team's own libraries, written for these tests: each is a
{path: text} tree whose own test suite passes as written (tests/own_tests.py says how each runs
and plugs them into the onboarding story of tests/test_onboard_own_tests.py).

- a Django-style Poetry 1 library: flat layout, dependencies restricted by Python version the
  way the team's Django libraries have them (`legacy-cgi` only above 3.12, backports below 3.11,
  "~3.10", "^3.9"), an optional dependency with its extra, tests with pytest;
- a setup.cfg-only package: all its metadata in setup.cfg, the one-line setup.py shim that pip
  needs without a pyproject.toml, tests with unittest;
- the same with the pyproject.toml of setuptools' PEP 517 era instead of the shim: only
  [build-system], the metadata still in setup.cfg;
- a setup.py-only package whose setup.py computes its metadata (so it cannot be read without
  running it), tests with pytest.
"""

from __future__ import annotations

from real_world import MIT, README_SECTIONS

DJANGO_POETRY1 = {
    "pyproject.toml": """\
[tool.poetry]
name = "ucam-django-lookup"
version = "3.2.0"
description = "Lookup directory helpers for Django projects."
authors = ["University of Cambridge Information Services <devops@uis.cam.ac.uk>"]
license = "MIT"
readme = "README.md"
packages = [{ include = "ucamlookup_django" }]

[tool.poetry.dependencies]
python = "^3.9"
# cgi left the standard library in 3.13; Django's multipart parsing still wants it.
legacy-cgi = { version = "^2.6.0", python = ">3.12" }
exceptiongroup = { version = "^1.2", python = "<3.11" }
tomli = { version = "^2.0", python = "~3.10" }
typing-extensions = { version = "^4.7", python = "^3.9" }  # Self, on every supported Python
colorama = { version = "^0.4", platform = "win32" }
ldap3 = { version = "^2.9", optional = true }

[tool.poetry.extras]
ldap = ["ldap3"]

[tool.poetry.dev-dependencies]
pytest = "^8.0"

[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
""",
    "README.md": "# UCam Django Lookup\n\nLookup directory helpers for Django projects.\n\n"
    + README_SECTIONS.format(name="ucam-django-lookup"),
    "LICENSE": MIT,
    "ucamlookup_django/__init__.py": '"""Lookup helpers for Django."""\n\n__version__ = "3.2.0"\n',
    "ucamlookup_django/names.py": '''\
"""Display names as the Lookup directory gives them."""

from typing_extensions import Self


class Person:
    def __init__(self, crsid: str, display_name: str) -> None:
        self.crsid = crsid
        self.display_name = display_name

    def renamed(self, display_name: str) -> Self:
        return type(self)(self.crsid, display_name)


def initials(display_name: str) -> str:
    return "".join(word[0].upper() for word in display_name.split())
''',
    "tests/__init__.py": "",
    "tests/test_names.py": """\
from ucamlookup_django.names import Person, initials


def test_initials():
    assert initials("jo bloggs") == "JB"


def test_renamed_keeps_the_crsid():
    assert Person("jb123", "Jo").renamed("Jo Bloggs").crsid == "jb123"
""",
}

SETUP_CFG_ONLY = {
    "setup.cfg": """\
# The package's metadata: setuptools reads it (setup.py is only the shim pip needs).
[metadata]
name = ucam-ldap-sync
version = 1.4.0
description = Keeps a directory in step with Lookup.
author = University of Cambridge Information Services
author_email = devops@uis.cam.ac.uk
license = MIT
keywords = ldap, lookup
classifiers =
    Programming Language :: Python :: 3
    Topic :: System :: Systems Administration

[options]
packages = find:
python_requires = >=3.9

[options.packages.find]
exclude = tests

[options.entry_points]
console_scripts =
    ldap-sync = ldapsync.cli:main
""",
    "setup.py": "from setuptools import setup\n\nsetup()\n",
    "README.md": "# LDAP sync\n\nKeeps a directory in step with Lookup.\n\n"
    + README_SECTIONS.format(name="ucam-ldap-sync"),
    "LICENSE": MIT,
    "ldapsync/__init__.py": '"""Keeps a directory in step with Lookup."""\n\n__version__ = "1.4.0"\n',
    "ldapsync/cli.py": '''\
def changes(directory: dict, lookup: dict) -> dict:
    """What to add and remove so that `directory` has the people `lookup` has."""
    return {"add": sorted(set(lookup) - set(directory)), "remove": sorted(set(directory) - set(lookup))}


def main() -> None:
    print(changes({}, {}))
''',
    "tests/__init__.py": "",
    "tests/test_cli.py": """\
import unittest

from ldapsync.cli import changes


class ChangesTest(unittest.TestCase):
    def test_adds_the_missing(self):
        self.assertEqual(changes({}, {"jb1": 1})["add"], ["jb1"])

    def test_removes_the_gone(self):
        self.assertEqual(changes({"jb1": 1}, {})["remove"], ["jb1"])

    def test_nothing_when_in_step(self):
        self.assertEqual(changes({"a": 1}, {"a": 1}), {"add": [], "remove": []})
""",
}

SETUP_PY_ONLY = {
    "setup.py": '''\
"""The version lives in the package; setup() is given a dict it builds (as old packages do)."""

import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
VERSION = re.search(r'__version__ = "([^"]+)"', (HERE / "ucamwebauth" / "__init__.py").read_text())[1]

metadata = dict(
    name="ucam-webauth-helpers",
    version=VERSION,
    description="Helpers for Raven/WebAuth sign-in.",
    author="University of Cambridge Information Services",
    author_email="devops@uis.cam.ac.uk",
    license="MIT",
    packages=find_packages(exclude=["tests"]),
    python_requires=">=3.8",
)

setup(**metadata)
''',
    "README.md": "# WebAuth helpers\n\nHelpers for Raven/WebAuth sign-in.\n\n"
    + README_SECTIONS.format(name="ucam-webauth-helpers"),
    "LICENSE": MIT,
    "ucamwebauth/__init__.py": '"""Helpers for Raven/WebAuth sign-in."""\n\n__version__ = "0.9.1"\n',
    "ucamwebauth/status.py": '''\
def is_success(status: str) -> bool:
    """Whether a WebAuth response status means the user signed in."""
    return status == "200"
''',
    "tests/test_status.py": """\
from ucamwebauth.status import is_success


def test_200_is_success():
    assert is_success("200")


def test_410_is_not():
    assert not is_success("410")
""",
}

SETUP_CFG_WITH_BUILD_SYSTEM = {
    **{name: text for name, text in SETUP_CFG_ONLY.items() if name != "setup.py"},
    "pyproject.toml": '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n',
}
