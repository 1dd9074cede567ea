"""setup.cfg / setup.py packages: their metadata is read where it is, and setup.cfg's edits keep
every line of the file's own and change nothing on a second run."""

from __future__ import annotations

import textwrap

import pytest

from python_package_template.proof import DEFAULT_BUILD_SYSTEM, build_system
from python_package_template.setuptools_legacy import (
    ensure_license_files,
    ensure_long_description,
    is_legacy,
    legacy_metadata,
    setup_cfg_metadata,
    setup_py_metadata,
)

SETUP_CFG = """\
# Metadata for setuptools.
[metadata]
name = ucam-ldap-sync
version = attr: ldapsync.__version__
description = Keeps a directory in step with Lookup.
author = UIS DevOps
author_email = devops@example.org
keywords = ldap, lookup

[options]
packages = find:
python_requires = >=3.9
"""


def twice(rule, text: str, *args) -> tuple[str, list[str]]:
    new_text, changes = rule(text, *args)
    again, more = rule(new_text, *args)
    assert (again, more) == (new_text, []), "a second run changes nothing"
    return new_text, changes


def test_setup_cfg_gains_the_licence_file_and_the_readme_with_its_own_lines_kept():
    text, changes = twice(ensure_license_files, SETUP_CFG)
    text, more = twice(ensure_long_description, text, "README.md")
    assert text.startswith(SETUP_CFG.split("\n[options]")[0]), "its own lines stay, in order"
    assert (
        "keywords = ldap, lookup\nlicense_files = LICENSE.txt\nlong_description = file: README.md\n" in text
    )
    assert "long_description_content_type = text/markdown\n\n[options]" in text
    assert changes == ["setup.cfg: license_files = LICENSE.txt in [metadata]"]
    assert "so PyPI shows the README" in more[0]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("license_files = LICENSE", "license_files = LICENSE.txt"),
        ("license-files = LICENSE.md", "license_files = LICENSE.txt"),
        ("license_files = LICENSE.txt", "license_files = LICENSE.txt"),
        ("license_files = LICENSE, NOTICE", "license_files = LICENSE, NOTICE"),  # the owners' list
        ("license_files = COPYING", "license_files = COPYING"),
    ],
)
def test_a_licence_file_setup_cfg_names_already_is_renamed_or_left(line, expected):
    text, _ = twice(ensure_license_files, f"[metadata]\nname = x\n{line}\n")
    assert expected in text.splitlines()


def test_a_long_description_setup_cfg_has_is_kept():
    text = "[metadata]\nname = x\nlong_description = file: README.rst\n"
    assert ensure_long_description(text, "README.md") == (text, [])


def test_setup_cfg_metadata_is_read_as_pep_621_and_computed_values_are_left_out(tmp_path):
    (tmp_path / "setup.cfg").write_text(SETUP_CFG)
    meta = setup_cfg_metadata(tmp_path)
    assert meta == {
        "name": "ucam-ldap-sync",
        "description": "Keeps a directory in step with Lookup.",
        "authors": [{"name": "UIS DevOps", "email": "devops@example.org"}],
        "keywords": ["ldap", "lookup"],
        "requires-python": ">=3.9",
    }


def test_a_setup_py_with_plain_values_is_read_without_running_it(tmp_path):
    (tmp_path / "setup.py").write_text(
        textwrap.dedent("""\
            import sys
            from setuptools import setup
            sys.exit("never run")
            setup(name="webauth", version="1.0", author="Jo", python_requires=">=3.8", url="https://x.example")
        """)
    )
    meta, readable = setup_py_metadata(tmp_path)
    assert readable and meta["name"] == "webauth" and meta["version"] == "1.0"
    assert meta["urls"] == {"Homepage": "https://x.example"}
    assert legacy_metadata(tmp_path) == (meta, "setup.py", [])


@pytest.mark.parametrize(
    "setup_py",
    [
        "from setuptools import setup\nconfig = dict(name='x')\nsetup(**config)\n",
        "from setuptools import setup\nsetup(name=open('NAME').read())\n",
        "import setuptools\n",
    ],
)
def test_a_setup_py_that_computes_its_name_cannot_be_read(tmp_path, setup_py):
    (tmp_path / "setup.py").write_text(setup_py)
    assert setup_py_metadata(tmp_path)[1] is False


def test_which_packages_keep_their_metadata_in_setup_files(tmp_path):
    (tmp_path / "setup.cfg").write_text(SETUP_CFG)
    setuptools_only = {
        "build-system": {"requires": ["setuptools>=61"], "build-backend": "setuptools.build_meta"}
    }
    assert is_legacy(tmp_path, {}) and is_legacy(tmp_path, setuptools_only)
    assert not is_legacy(tmp_path, {"project": {"name": "x"}, **setuptools_only})
    assert not is_legacy(tmp_path, {"build-system": {"build-backend": "hatchling.build"}})
    assert not is_legacy(tmp_path / "nowhere", {})


def test_a_package_without_pyproject_toml_builds_as_pip_builds_it(tmp_path):
    (tmp_path / "setup.py").write_text("from setuptools import setup\nsetup()\n")
    assert build_system(tmp_path) == DEFAULT_BUILD_SYSTEM
