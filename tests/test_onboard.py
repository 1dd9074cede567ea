"""Onboarding: existing packages, never made from the template, brought in line with it.

Each test builds real package shapes (files in a throwaway git repo), runs the real command
(`python-package-template onboard`, in-process through cli.main) against a tagged snapshot of
this template, and checks the package's own content survived, Poetry accepts the result, a
second run changes nothing, `--check` reports the rules, and `copier update` works afterwards.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path

import copier
import pytest
import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from helpers import (
    TEMPLATE_ROOT,
    git,
    git_commit_all,
    git_repo,
    poetry,
    run_cli,
    template_snapshot,
    tree_contents,
    write_tree,
)
from old_packages import MIT_TEXT, TINY_PYPROJECT
from python_package_template.infer import parse_remote, python_min_from
from python_package_template.proof import Intended, build_package, compare
from python_package_template.readme import SKELETON_END, SKELETON_START, missing_sections, placeholder_lines

MIT = "MIT License\n\n" + MIT_TEXT

APACHE = """\
                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/

   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION

   1. Definitions.

      "License" shall mean the terms and conditions for use, reproduction,
      and distribution as defined by Sections 1 through 9 of this document.
"""

# --- the package shapes: {directory: (files, git remote)} ---

POETRY1 = {
    "pyproject.toml": """\
# The Lookup client: talks to the Lookup API for our services.
[tool.poetry]
name = "ucam-lookup-client"
version = "1.4.2"
description = "A client for the University's Lookup API."
authors = ["Jane Doe <jane@example.org>"]
license = "MIT"
readme = "README.md"
homepage = "https://gitlab.example.org/uis/lookup-client"
packages = [{ include = "lookup_client", from = "src" }]
classifiers = ["Topic :: Software Development :: Libraries"]

[tool.poetry.dependencies]
python = "^3.9"
# HTTP, but not on Windows, where the service is unreachable
requests = { version = "^2.28", markers = "sys_platform != 'win32'" }  # keep in step with the API
pyyaml = ">=6,<7"
tomli = { version = "^2.0", python = "<3.11" }  # the backport of tomllib
rich = { version = "^13", optional = true }

[tool.poetry.extras]
pretty = ["rich"]

[tool.poetry.dev-dependencies]
pytest = "^7"  # the test runner

[tool.black]
line-length = 100  # the team's old style

[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
""",
    "README.md": """\
# Lookup Client

A client for the University's Lookup API, used by our services to find people and groups.

## Installation

    pip install ucam-lookup-client

## Usage

```python
from lookup_client import Client
# make a client
client = Client()
```
""",
    "LICENSE": MIT.format(year=2019, holder="University of Cambridge Information Services"),
    "src/lookup_client/__init__.py": '"""The Lookup client."""\n\n__version__ = "1.4.2"\n',
    "tests/test_client.py": "def test_nothing():\n    assert True\n",
}
# What each dependency must still say after the move to PEP 508: (name, in, out, marker).
POETRY1_DEPENDENCIES = {
    "requests": (["2.28.0", "2.99"], ["2.27", "3.0"], "sys_platform != 'win32'"),
    "pyyaml": (["6.0", "6.9"], ["5.4", "7.0"], None),
    "tomli": (["2.0", "2.9"], ["1.9", "3.0"], 'python_version < "3.11"'),
}

SETUPTOOLS = {
    "pyproject.toml": """\
[build-system]
requires = ["setuptools>=68", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "gridmap"
version = "0.3.0"
description = "Maps grid references to places."
readme = "README.md"
requires-python = ">=3.11"
authors = [{ name = "Sam Smith", email = "sam@example.org" }]
license = { text = "MIT" }
dependencies = [
    # geometry
    "shapely>=2.0",
    "numpy>=1.24; python_version >= '3.11'",  # wheels for 3.11 and newer
]

[project.urls]
Source = "https://gitlab.example.org/geo/gridmap"

[tool.setuptools.packages.find]
where = ["src"]

[tool.black]
line-length = 88
""",
    "README.md": """\
# Gridmap

Maps grid references to places.

## About

Gridmap turns an Ordnance Survey grid reference into the name of a place.

## Why

Our services kept writing their own converters, each with its own bugs.

## Install

```console
pip install gridmap
```

## Example

```python
import gridmap
```

## Documentation

See the docstrings.
""",
    "LICENSE.md": MIT.format(year="2020-2023", holder="Sam Smith"),
    "src/gridmap/__init__.py": '"""Grid references to places."""\n',
}

README_LACKING = {
    "pyproject.toml": TINY_PYPROJECT,
    "README.md": """\
# Tiny Tool

It does tiny things, very quickly.

Some *prose* of the author's own,
over two lines.

```console
# not a heading: a shell comment
$ tiny-tool --help
```
""",
    "src/tiny_tool/__init__.py": '__version__ = "2.0.0"\n',
}

CI_JOBS = {
    "pyproject.toml": """\
[project]
name = "ci-jobs-pkg"
version = "0.9.0"
description = "A package whose pipeline has jobs of its own."
readme = "README.md"
license = "MIT"
license-files = ["LICENSE.txt"]
authors = [{ name = "Kim Lee", email = "kim@example.org" }]
requires-python = ">=3.12"
dependencies = ["click>=8"]

[build-system]
requires = ["poetry-core>=2.0.0,<3.0.0"]
build-backend = "poetry.core.masonry.api"
""",
    ".gitlab-ci.yml": """\
# Our own pipeline, written long ago.
include:
  - template: Security/SAST.gitlab-ci.yml

stages: [test, deploy]

variables:
  PIP_CACHE_DIR: "$CI_PROJECT_DIR/.cache/pip"

test:
  stage: test
  image: python:3.12
  script:
    - pip install .
    - pytest  # the whole suite

deploy-docs:
  stage: deploy
  script:
    - !reference [.setup, script]
    - make docs
  only: [main]
""",
    "README.md": "# CI Jobs Package\n\nA package whose pipeline has jobs of its own.\n",
    "LICENSE.txt": MIT.format(year=2024, holder="Kim Lee"),
    "ci_jobs_pkg/__init__.py": '__version__ = "0.9.0"\n',
}

NON_MIT = {
    "pyproject.toml": """\
[project]
name = "apache-thing"
version = "3.1.0"
description = "A package under the Apache licence."
readme = "README.md"
license = "Apache-2.0"
license-files = ["LICENSE"]
authors = [{ name = "Pat Doe", email = "pat@example.org" }]
requires-python = ">=3.11"
dependencies = []

[build-system]
requires = ["poetry-core>=2.0.0,<3.0.0"]
build-backend = "poetry.core.masonry.api"
""",
    "README.md": "# Apache Thing\n\nA package under the Apache licence.\n\n## License\n\nApache-2.0.\n",
    "LICENSE": APACHE,
    "src/apache_thing/__init__.py": "",
}

NOT_PYTHON = {
    "package.json": '{"name": "web-app", "version": "1.0.0"}\n',
    "README.md": "# Web app\n\nNot Python at all.\n",
}

SHAPES = {
    "lookup-client": (POETRY1, "git@gitlab.example.org:uis/lookup-client.git"),
    "gridmap": (SETUPTOOLS, "https://gitlab.example.org/geo/gridmap.git"),
    "tiny-tool": (README_LACKING, None),
    "ci-jobs-pkg": (CI_JOBS, "ssh://git@gitlab.example.org:2222/devops/ci-jobs-pkg.git"),
    "apache-thing": (NON_MIT, None),
    "web-app": (NOT_PYTHON, None),
}
PYTHON_SHAPES = [name for name in SHAPES if name != "web-app"]


def make_packages(root: Path, names=SHAPES) -> dict[str, Path]:
    return {name: git_repo(root / name, SHAPES[name][0], SHAPES[name][1]) for name in names}


def comments(text: str) -> list[str]:
    """The text of every comment in a TOML or YAML file."""
    return [
        line.split("#", 1)[1].strip()
        for line in text.splitlines()
        if "#" in line and line.split("#", 1)[1].strip()
    ]


@pytest.fixture(scope="module")
def originals(tmp_path_factory) -> dict[str, Path]:
    """The package shapes as they are before onboarding (never changed)."""
    return make_packages(tmp_path_factory.mktemp("originals"))


@pytest.fixture(scope="module")
def onboarded(tmp_path_factory, template) -> tuple[dict[str, Path], int, dict]:
    """Every shape onboarded in one run, two at a time: (packages, exit code, JSON report)."""
    packages = make_packages(tmp_path_factory.mktemp("fleet"))
    code, out, _ = run_cli(
        "onboard", "--yes", "--json", "--jobs", "2", "--template", template, *packages.values()
    )
    return packages, code, json.loads(out)


def copy_of(package: Path, root: Path) -> Path:
    """A copy of an onboarded package (git history and all), for a test that goes on to change it."""
    return Path(shutil.copytree(package, root / package.name, symlinks=True))


def fill_in_readme(package: Path) -> None:
    """Do what the skeleton asks: write the package's own words over the placeholder lines."""
    readme = package / "README.md"
    lines = readme.read_text().splitlines()
    numbers = set(placeholder_lines(readme.read_text()))
    own = ["Our own words about it." if n in numbers else line for n, line in enumerate(lines, start=1)]
    readme.write_text("\n".join(own) + "\n")


def report_for(document: dict, path: Path) -> dict:
    return next(p for p in document["packages"] if Path(p["path"]) == path)


# --- what stays: the package's own content ---


def test_onboard_poetry1_package_keeps_every_dependency(onboarded):
    packages, _, document = onboarded
    project = tomllib.loads((packages["lookup-client"] / "pyproject.toml").read_text())
    requirements = {Requirement(r).name: Requirement(r) for r in project["project"]["dependencies"]}
    for name, (inside, outside, marker) in POETRY1_DEPENDENCIES.items():
        requirement = requirements[name]
        assert all(requirement.specifier.contains(v) for v in inside), requirement
        assert not any(requirement.specifier.contains(v) for v in outside), requirement
        assert requirement.marker == (Marker(marker) if marker else None), requirement
    assert [Requirement(r).name for r in project["project"]["optional-dependencies"]["pretty"]] == ["rich"]
    assert project["tool"]["poetry"]["group"]["dev"]["dependencies"]["pytest"] == "^7"
    assert project["tool"]["black"] == {"line-length": 100}
    assert project["project"]["requires-python"].startswith(">=3.9")
    assert report_for(document, packages["lookup-client"])["status"] == "onboarded"


@pytest.mark.parametrize("name", ["lookup-client", "gridmap", "ci-jobs-pkg"])
def test_onboard_keeps_every_comment(onboarded, name):
    packages, _, _ = onboarded
    for file in ("pyproject.toml", ".gitlab-ci.yml"):
        if file in SHAPES[name][0]:
            after = (packages[name] / file).read_text()
            for comment in comments(SHAPES[name][0][file]):
                assert comment in after, f"{name}/{file} lost the comment {comment!r}"


@pytest.mark.parametrize("name", PYTHON_SHAPES)
def test_onboard_keeps_every_readme_line_and_adds_sections_at_the_end(onboarded, name):
    packages, _, _ = onboarded
    before = SHAPES[name][0]["README.md"]
    after = (packages[name] / "README.md").read_text()
    assert after.startswith(before.rstrip("\n")), "the author's README must stay as it was, at the top"
    if missing_sections(before):
        added = after[len(before.rstrip("\n")) :]
        assert added.lstrip().startswith(SKELETON_START) and added.rstrip().endswith(SKELETON_END)
    assert missing_sections(after) == []


def test_onboard_readme_lacking_sections_gets_a_marked_skeleton(onboarded):
    packages, _, _ = onboarded
    after = (packages["tiny-tool"] / "README.md").read_text()
    skeleton = after[after.index(SKELETON_START) :]
    for heading in (
        "## What it does",
        "## The problem it solves",
        "## Installation",
        "## Usage",
        "## Finding out more",
        "## Making a release",
        "## Keeping up with the template",
        "## Licence",
    ):
        assert heading in skeleton
    assert "pip install tiny-tool" in skeleton
    # Its .gitlab-ci.yml sends the maintainers to the README for `copier update`: it is there.
    assert "see README.md" in (packages["tiny-tool"] / ".gitlab-ci.yml").read_text()
    assert "copier update --trust --defaults" in skeleton
    # A README with most sections in its own words gets only the missing ones.
    gridmap = (packages["gridmap"] / "README.md").read_text()
    assert "## Installation" not in gridmap and "## Making a release" in gridmap and "## Licence" in gridmap


def test_onboard_keeps_existing_ci_jobs_and_adds_the_common_include(onboarded):
    packages, _, _ = onboarded
    text = (packages["ci-jobs-pkg"] / ".gitlab-ci.yml").read_text()
    assert text.startswith("# Our own pipeline, written long ago.\n")
    before_jobs = SHAPES["ci-jobs-pkg"][0][".gitlab-ci.yml"].split("\nstages:", 1)[1]
    assert before_jobs in text, "the jobs and settings must stay byte for byte"
    include = yaml.compose(text).value[0][1]
    entries = [{k.value: getattr(v, "value", None) for k, v in item.value} for item in include.value]
    assert entries[0] == {"template": "Security/SAST.gitlab-ci.yml"}
    assert entries[1] == {
        "project": "uis/devops/continuous-delivery/ci-templates",
        "file": "/auto-devops/common-pipeline.yml",
        "ref": "v6.0.0",
    }


def test_onboard_reports_a_common_pipeline_include_that_follows_a_branch(tmp_path, template):
    files = dict(CI_JOBS)
    files[".gitlab-ci.yml"] = files[".gitlab-ci.yml"].replace(
        "  - template: Security/SAST.gitlab-ci.yml\n",
        "  - project: uis/devops/continuous-delivery/ci-templates\n    file: /auto-devops/common-pipeline.yml\n    ref: main\n",
    )
    package = git_repo(tmp_path / "on-a-branch", files)
    code, out, _ = run_cli("onboard", "--yes", "--json", "--template", template, package)
    report = json.loads(out)["packages"][0]
    assert (package / ".gitlab-ci.yml").read_text() == files[".gitlab-ci.yml"], (
        "its pipeline is left as it is"
    )
    assert any("follows 'main', not a release tag" in c for c in report["conflicts"]) and code == 1
    assert "ci-include-pinned" in report["failing_rules"]


def test_onboard_leaves_a_non_mit_licence_alone_and_reports_it(onboarded):
    packages, code, document = onboarded
    package = packages["apache-thing"]
    assert (package / "LICENSE").read_text() == APACHE
    assert not (package / "LICENSE.txt").exists()
    project = tomllib.loads((package / "pyproject.toml").read_text())["project"]
    assert project["license"] == "Apache-2.0" and project["license-files"] == ["LICENSE"]
    report = report_for(document, package)
    assert any("not the MIT licence" in c for c in report["conflicts"])
    assert "licence" in report["failing_rules"]
    assert code == 1, "a conflict to resolve by hand makes the command fail"


def test_onboard_renames_an_mit_licence_to_license_txt_with_git_history(onboarded):
    packages, _, _ = onboarded
    lookup = packages["lookup-client"]
    assert not (lookup / "LICENSE").exists()
    assert "University of Cambridge Information Services" in (lookup / "LICENSE.txt").read_text()
    assert "R  LICENSE -> LICENSE.txt" in git("status", "--short", cwd=lookup)
    assert (packages["gridmap"] / "LICENSE.txt").read_text() == SETUPTOOLS["LICENSE.md"]
    # A package without a licence gets the template's MIT licence, for the inferred holder.
    assert "Copyright (c)" in (packages["tiny-tool"] / "LICENSE.txt").read_text()
    assert "Alex Doe" in (packages["tiny-tool"] / "LICENSE.txt").read_text()


def test_onboard_not_a_python_package_is_a_clear_error_and_changes_nothing(onboarded, originals):
    packages, code, document = onboarded
    report = report_for(document, packages["web-app"])
    assert report["status"] == "error"
    assert "is not a Python package: it has no pyproject.toml" in report["error"]
    assert tree_contents(packages["web-app"]) == tree_contents(originals["web-app"])
    assert git("status", "--porcelain", cwd=packages["web-app"]) == ""
    # ...and it did not stop the others.
    assert all(report_for(document, packages[n])["status"] == "onboarded" for n in PYTHON_SHAPES)
    assert code == 1


# --- what is gained ---


def test_onboard_infers_the_answers_from_the_package(onboarded):
    packages, _, _ = onboarded
    answers = yaml.safe_load((packages["lookup-client"] / ".copier-answers.yml").read_text())
    assert answers["_commit"] == "v1.0.0"
    assert answers["_src_path"] == str(Path(answers["_src_path"]).resolve())
    assert {
        k: answers[k]
        for k in (
            "project_name",
            "distribution_name",
            "package_name",
            "description",
            "author_name",
            "author_email",
            "copyright_holder",
            "initial_version",
            "python_min",
            "gitlab_host",
            "gitlab_project_path",
        )
    } == {
        "project_name": "Lookup Client",
        "distribution_name": "ucam-lookup-client",
        "package_name": "lookup_client",
        "description": "A client for the University's Lookup API.",
        "author_name": "Jane Doe",
        "author_email": "jane@example.org",
        "copyright_holder": "University of Cambridge Information Services",
        "initial_version": "1.4.2",
        "python_min": "3.11",
        "gitlab_host": "gitlab.example.org",
        "gitlab_project_path": "uis/lookup-client",
    }
    ci = yaml.safe_load((packages["ci-jobs-pkg"] / ".copier-answers.yml").read_text())
    assert (ci["gitlab_host"], ci["gitlab_project_path"], ci["python_min"]) == (
        "gitlab.example.org",
        "devops/ci-jobs-pkg",
        "3.12",
    )


def test_onboard_answers_file_is_the_one_copier_copy_writes(onboarded, template, tmp_path):
    packages, _, _ = onboarded
    onboarded_answers = (packages["lookup-client"] / ".copier-answers.yml").read_text()
    data = {k: v for k, v in yaml.safe_load(onboarded_answers).items() if not k.startswith("_")}
    copier.run_copy(
        str(template), tmp_path, data=data, defaults=True, unsafe=True, quiet=True, vcs_ref="v1.0.0"
    )
    assert (tmp_path / ".copier-answers.yml").read_text() == onboarded_answers


def test_onboard_merges_pyproject_to_the_template_metadata(onboarded):
    packages, _, document = onboarded
    for name in ("lookup-client", "gridmap", "tiny-tool"):
        project = tomllib.loads((packages[name] / "pyproject.toml").read_text())
        assert project["project"]["readme"] == "README.md"
        assert project["project"]["license"] == "MIT" and project["project"]["license-files"] == [
            "LICENSE.txt"
        ]
        assert not any(c.startswith("License ::") for c in project["project"].get("classifiers", []))
    lookup = tomllib.loads((packages["lookup-client"] / "pyproject.toml").read_text())
    assert lookup["build-system"] == {
        "requires": ["poetry-core>=2.0.0,<3.0.0"],
        "build-backend": "poetry.core.masonry.api",
    }
    # URLs come from the git remote, in GitLab's scheme, and the report lists each one.
    assert lookup["project"]["urls"]["Issues"] == "https://gitlab.example.org/uis/lookup-client/-/issues"
    assert "Documentation" not in lookup["project"]["urls"], "nothing the package cannot derive"
    changes = " ".join(report_for(document, packages["lookup-client"])["changes"])
    assert "Issues = https://gitlab.example.org/uis/lookup-client/-/issues" in changes
    # The setuptools package keeps its backend, and says so.
    gridmap = tomllib.loads((packages["gridmap"] / "pyproject.toml").read_text())
    assert gridmap["build-system"]["build-backend"] == "setuptools.build_meta"
    assert gridmap["project"]["urls"]["Source"] == "https://gitlab.example.org/geo/gridmap"
    assert "Repository" not in gridmap["project"]["urls"], "one source URL is enough"
    assert "poetry" not in gridmap.get("tool", {})
    assert any("kept setuptools" in n for n in report_for(document, packages["gridmap"])["notes"])
    # No remote, no URLs: the report says so.
    tiny = tomllib.loads((packages["tiny-tool"] / "pyproject.toml").read_text())
    assert "urls" not in tiny["project"]
    assert any("no git remote" in n for n in report_for(document, packages["tiny-tool"])["notes"])
    flat = tomllib.loads((packages["ci-jobs-pkg"] / "pyproject.toml").read_text())
    assert "packages" not in flat.get("tool", {}).get("poetry", {})
    assert not (packages["ci-jobs-pkg"] / "src").exists()


def test_onboard_adds_no_classifier_the_package_did_not_publish(onboarded):
    packages, _, _ = onboarded
    for name in ("gridmap", "tiny-tool", "ci-jobs-pkg", "apache-thing"):
        before = tomllib.loads(SHAPES[name][0]["pyproject.toml"])["project"].get("classifiers")
        after = tomllib.loads((packages[name] / "pyproject.toml").read_text())["project"].get("classifiers")
        assert after == before, name


def test_onboard_records_the_layout_and_licence_in_the_answers(onboarded):
    packages, _, _ = onboarded
    answers = {
        name: yaml.safe_load((packages[name] / ".copier-answers.yml").read_text()) for name in PYTHON_SHAPES
    }
    assert {name: (a["package_layout"], a["license"]) for name, a in answers.items()} == {
        "lookup-client": ("src", "MIT"),
        "gridmap": ("src", "MIT"),
        "tiny-tool": ("src", "MIT"),
        "ci-jobs-pkg": ("flat", "MIT"),
        "apache-thing": ("src", "other"),
    }


def test_onboard_adds_the_files_the_package_lacks_and_keeps_its_own(onboarded):
    packages, _, _ = onboarded
    tiny = packages["tiny-tool"]
    for file in (
        ".gitlab-ci.yml",
        ".editorconfig",
        ".gitignore",
        "CHANGELOG.md",
        "tests/test_package.py",
    ):
        assert (tiny / file).is_file(), file
    # py.typed would claim type hints the code may not have: left to the authors, and said so.
    assert not (tiny / "src/tiny_tool/py.typed").exists()
    assert (tiny / "src/tiny_tool/__init__.py").read_text() == README_LACKING["src/tiny_tool/__init__.py"]
    assert "First release" not in (tiny / "CHANGELOG.md").read_text()
    # Without __version__ the template's smoke test would fail: not added, and said why.
    assert not (packages["gridmap"] / "tests/test_package.py").exists()
    # Hooks the package never ran would fail its next pipeline: not added; the report says how.
    assert not (tiny / ".pre-commit-config.yaml").exists()


def test_onboard_twice_changes_nothing(onboarded, template, tmp_path):
    packages, _, _ = onboarded
    python = [copy_of(packages[n], tmp_path) for n in PYTHON_SHAPES]
    for package in python:  # reviewed and committed, as the summary asks
        git_commit_all(package, "Onboard to the template")
    before = {p: tree_contents(p) for p in python}
    code, out, _ = run_cli("onboard", "--yes", "--json", "--jobs", "2", "--template", template, *python)
    assert {p["status"] for p in json.loads(out)["packages"]} == {"unchanged"}
    assert {p: tree_contents(p) for p in python} == before
    assert code == 1  # still the Apache licence conflict, reported again


def test_onboard_keeps_a_long_published_summary(tmp_path, template):
    summary = "A very long description. " * 12
    files = dict(README_LACKING)
    files["pyproject.toml"] = files["pyproject.toml"].replace('"A tiny tool."', '"' + summary.strip() + '"')
    package = git_repo(tmp_path / "long", files)
    code, out, _ = run_cli("onboard", "--yes", "--json", "--template", template, package)
    report = json.loads(out)["packages"][0]
    assert report["status"] == "onboarded", report
    assert (
        tomllib.loads((package / "pyproject.toml").read_text())["project"]["description"] == summary.strip()
    )
    answers = yaml.safe_load((package / ".copier-answers.yml").read_text())
    assert answers["description"] == "A very long description."
    assert any("stays in pyproject.toml as PyPI shows it" in n for n in report["notes"])


def test_onboard_refuses_a_dirty_working_tree_and_changes_nothing(tmp_path, template):
    package = make_packages(tmp_path, ["tiny-tool"])["tiny-tool"]
    (package / "README.md").write_text(README_LACKING["README.md"] + "\nWork in progress.\n")
    before = tree_contents(package)
    code, out, _ = run_cli("onboard", "--yes", "--json", "--template", template, package)
    report = json.loads(out)["packages"][0]
    assert code == 1 and report["status"] == "error"
    assert "uncommitted changes (README.md)" in report["error"] and "commit or stash" in report["error"]
    assert tree_contents(package) == before


# --- Poetry accepts the result ---


@pytest.mark.parametrize("name", PYTHON_SHAPES)
def test_onboarded_package_passes_poetry_check_strict(onboarded, name):
    packages, _, _ = onboarded
    result = poetry("check", "--strict", cwd=packages[name], check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "deprecated" not in (result.stdout + result.stderr).lower()


@pytest.mark.slow
def test_onboarded_packages_build_the_same_wheel_with_their_own_backend(onboarded, originals):
    packages, _, _ = onboarded
    for name in PYTHON_SHAPES:
        before, after = build_package(originals[name]), build_package(packages[name])
        added = tuple(
            sorted(set(after.metadata.get("project-url", [])) - set(before.metadata.get("project-url", [])))
        )
        intended = Intended(
            licence_metadata=name != "apache-thing", added_urls=tuple(u.split(", ", 1)[1] for u in added)
        )
        assert compare(before, after, intended) == [], name
        assert after.long_description.strip(), f"{name}: PyPI shows its README"


# --- --check: the rules, before and after ---


def test_check_reports_failing_rules_before_onboarding_and_changes_nothing(originals):
    python = [originals[n] for n in PYTHON_SHAPES]
    before = {p: tree_contents(p) for p in python}
    code, out, _ = run_cli("onboard", "--check", "--no-build", "--json", *python)
    assert code == 1
    document = json.loads(out)
    failing = {Path(p["path"]).name: set(p["failing_rules"]) for p in document["packages"]}
    assert {"licence", "ci-include", "answers-file", "readme-sections"} <= failing["lookup-client"]
    assert {"readme-field", "licence"} <= failing["tiny-tool"]
    assert "ci-include" in failing["ci-jobs-pkg"] and "licence" not in failing["ci-jobs-pkg"]
    assert {p: tree_contents(p) for p in python} == before


def test_check_fails_the_readme_until_its_placeholders_are_filled_in(onboarded, tmp_path):
    packages, _, _ = onboarded
    code, out, _ = run_cli(
        "onboard", "--check", "--no-build", "--json", *(packages[n] for n in PYTHON_SHAPES)
    )
    document = json.loads(out)
    failing = {Path(p["path"]).name: p["failing_rules"] for p in document["packages"]}
    assert failing == {
        "lookup-client": ["readme-sections"],
        "gridmap": [],  # its own words everywhere: only release and licence sections were added
        "tiny-tool": ["readme-sections"],
        "ci-jobs-pkg": ["readme-sections"],
        "apache-thing": ["readme-sections", "licence"],
    }
    detail = next(r["detail"] for r in document["packages"][0]["rules"] if r["rule"] == "readme-sections")
    assert "still holds the template's placeholder text" in detail
    assert code == 1
    filled = [copy_of(packages[n], tmp_path) for n in PYTHON_SHAPES]
    for package in filled:
        fill_in_readme(package)
    code, out, _ = run_cli("onboard", "--check", "--no-build", "--json", *filled)
    failing = {Path(p["path"]).name: p["failing_rules"] for p in json.loads(out)["packages"]}
    assert failing == {**{n: [] for n in PYTHON_SHAPES}, "apache-thing": ["licence"]}
    code, out, _ = run_cli(
        "onboard", "--check", "--no-build", *(p for p in filled if p.name != "apache-thing")
    )
    assert code == 0, out


@pytest.mark.parametrize(
    "line",
    [
        "Lookup Client is a Python package that ... TODO(template): say what it does.",
        "Lookup Client is a Python package that ... (describe what it does and who it is for).",
        "Before Lookup Client, ... (describe the problem and how the package makes it easier).",
        "<!-- Replace this with a short example of the package doing its main job. -->",
    ],
)
def test_check_fails_the_readme_while_a_placeholder_line_remains(tmp_path, line):
    files = dict(SETUPTOOLS)
    files["README.md"] = (
        SETUPTOOLS["README.md"].replace("See the docstrings.", line)
        + "\n## Releasing\n\nThe pipeline does it.\n\n## Licence\n\nMIT.\n"
    )
    package = git_repo(tmp_path / "gridmap", files)
    _, out, _ = run_cli("onboard", "--check", "--no-build", "--json", package)
    rule = next(r for r in json.loads(out)["packages"][0]["rules"] if r["rule"] == "readme-sections")
    number = files["README.md"].splitlines().index(line) + 1
    assert rule["status"] == "fail" and f"line {number}" in rule["detail"], rule


@pytest.mark.slow
def test_check_builds_and_twine_checks_the_onboarded_packages(onboarded, originals):
    packages, _, _ = onboarded
    code, out, err = run_cli(
        "onboard", "--check", "--json", "--jobs", "2", *(packages[n] for n in ("lookup-client", "gridmap"))
    )
    document = json.loads(out)
    for package in document["packages"]:
        rule = next(r for r in package["rules"] if r["rule"] == "pypi-metadata")
        assert rule["status"] == "pass", rule
    assert "built with setuptools" in next(
        r["detail"] for r in document["packages"][1]["rules"] if r["rule"] == "pypi-metadata"
    )
    # Without a readme field PyPI would show no description: twine check --strict says so.
    _, out, _ = run_cli("onboard", "--check", "--json", originals["tiny-tool"])
    rule = next(r for r in json.loads(out)["packages"][0]["rules"] if r["rule"] == "pypi-metadata")
    assert rule["status"] == "fail" and "`long_description` missing" in rule["detail"], rule


def test_check_prints_each_rule_and_a_summary_table(originals, onboarded):
    packages, _, _ = onboarded
    code, out, err = run_cli(
        "onboard",
        "--check",
        "--no-build",
        originals["tiny-tool"],
        packages["tiny-tool"],
        originals["web-app"],
    )
    assert code == 1
    assert re.search(r"^  FAIL  readme-field +pyproject.toml has no readme field", out, re.M)
    assert re.search(r"^  PASS  readme-field +readme = 'README.md'", out, re.M)
    table = out[out.index("package  ") :].splitlines()
    assert re.match(r"package +status +changed files +conflicts +rules failing", table[0])
    rows = {line.split()[0]: line for line in table[2:]}
    assert "readme-field" in rows[str(originals["tiny-tool"])]
    assert rows[str(packages["tiny-tool"])].rstrip().endswith("readme-sections")  # placeholders left
    assert "error" in rows[str(originals["web-app"])]
    assert "[3/3] checked" in err


# --- copier update afterwards ---


def test_copier_update_to_a_newer_template_tag_works_after_onboarding(tmp_path):
    template = template_snapshot(tmp_path / "template", "v1.0.0")
    package = make_packages(tmp_path / "packages", ["lookup-client"])["lookup-client"]
    code, out, _ = run_cli("onboard", "--yes", "--template", template, package)
    assert code == 0, out
    fill_in_readme(package)
    git_commit_all(package, "Onboard to the template")

    # Version 2 of the template: a new file, a changed one, a changed line of pyproject.toml.
    write_tree(template, {"template/CONTRIBUTING.md.jinja": "# Contributing to {{ project_name }}\n"})
    pre_commit = template / "template/.pre-commit-config.yaml.jinja"
    pre_commit.write_text(pre_commit.read_text().replace("rev: v6.0.0", "rev: v6.1.0"))
    pyproject_template = template / "template/pyproject.toml.jinja"
    pyproject_template.write_text(
        pyproject_template.read_text().replace('log_level = "INFO"', 'log_level = "DEBUG"')
    )
    git_commit_all(template, "template v2.0.0")
    git("tag", "v2.0.0", cwd=template)

    code, out, _ = run_cli("onboard", "--check", "--no-build", "--json", "--template", template, package)
    rules = {r["rule"]: r for r in json.loads(out)["packages"][0]["rules"]}
    assert rules["template-version"]["status"] == "fail"
    assert (
        "behind v2.0.0: run `copier update --trust --defaults --vcs-ref v2.0.0`"
        in rules["template-version"]["detail"]
    )
    # Onboarding again (to the latest tag, v2.0.0) is not the way to move it: it says so.
    before = tree_contents(package)
    code, out, _ = run_cli("onboard", "--yes", "--json", "--template", template, package)
    report = json.loads(out)["packages"][0]
    assert report["status"] == "skipped" and "copier update" in report["notes"][0] and code == 0
    assert tree_contents(package) == before
    # --vcs-ref onboards to an older version.
    other = make_packages(tmp_path / "others", ["tiny-tool"])["tiny-tool"]
    run_cli("onboard", "--yes", "--template", template, "--vcs-ref", "v1.0.0", other)
    assert yaml.safe_load((other / ".copier-answers.yml").read_text())["_commit"] == "v1.0.0"

    copier.run_update(str(package), overwrite=True, unsafe=True, defaults=True, vcs_ref="v2.0.0", quiet=True)

    assert (package / "CONTRIBUTING.md").read_text() == "# Contributing to Lookup Client\n"
    # What onboarding decided holds: the template's hooks and pytest settings stay out.
    assert not (package / ".pre-commit-config.yaml").exists()
    text = (package / "pyproject.toml").read_text()
    assert "log_level" not in text and "[tool.ruff" not in text
    for comment in comments(POETRY1["pyproject.toml"]):
        assert comment in text
    requirements = [Requirement(r).name for r in tomllib.loads(text)["project"]["dependencies"]]
    assert requirements == ["requests", "pyyaml", "tomli"]
    for file in package.rglob("*"):
        if file.is_file() and ".git" not in file.parts:
            assert not file.name.endswith(".rej"), file
            assert "<<<<<<<" not in file.read_text(errors="replace"), file
    assert yaml.safe_load((package / ".copier-answers.yml").read_text())["_commit"] == "v2.0.0"
    code, out, _ = run_cli("onboard", "--check", "--no-build", "--json", "--template", template, package)
    assert json.loads(out)["packages"][0]["failing_rules"] == [] and code == 0

    # The next step the report names takes them, when the maintainers are ready.
    git_commit_all(package, "Update to the template v2.0.0")
    copier.run_update(
        str(package),
        overwrite=True,
        unsafe=True,
        defaults=True,
        quiet=True,
        data={"test_settings": "template", "lint_settings": "template"},
    )
    assert "rev: v6.1.0" in (package / ".pre-commit-config.yaml").read_text()
    text = (package / "pyproject.toml").read_text()
    assert 'log_level = "DEBUG"' in text and "[tool.ruff]" in text


# --- asking the user ---

DOWN, ENTER, CLEAR_LINE = "\x1b[B", "\r", "\x15"


def test_onboard_interactive_accepts_the_inferred_answers(tmp_path, template):
    package = make_packages(tmp_path, ["tiny-tool"])["tiny-tool"]
    with create_pipe_input() as pipe:
        pipe.send_text(ENTER)  # "Onboard it with these answers"
        code, out, err = run_cli(
            "onboard", "--template", template, package, prompt_input=pipe, prompt_output=DummyOutput()
        )
    assert code == 0, out + err
    assert "project_name" in err and "'Tiny Tool'" in err and "README.md title" in err
    assert yaml.safe_load((package / ".copier-answers.yml").read_text())["project_name"] == "Tiny Tool"


def test_onboarding_rewrites_no_line_of_a_readme_with_mixed_line_endings(tmp_path, template):
    # A README whose lines end in both ways (an editor on each OS): the skeleton is appended, and
    # every byte that was there stays, CRLF and LF alike (no whole-file diff).
    package = make_packages(tmp_path, ["tiny-tool"])["tiny-tool"]
    mixed = b"# Tiny Tool\r\n\r\nIt does tiny things,\nvery quickly.\r\n"
    (package / "README.md").write_bytes(mixed)
    git_commit_all(package, "README written on two machines")
    code, out, err = run_cli("onboard", "--yes", "--template", template, package)
    assert code == 0, out + err
    after = (package / "README.md").read_bytes()
    assert after.startswith(mixed) and SKELETON_START.encode() in after


def test_onboard_interactive_says_a_package_is_dirty_before_asking_anything(tmp_path, template):
    package = make_packages(tmp_path, ["tiny-tool"])["tiny-tool"]
    (package / "README.md").write_text("# Tiny Tool\n\nHalf-written.\n")
    with create_pipe_input() as pipe:  # nothing typed: a question asked would wait for ever
        pipe.close()
        code, out, err = run_cli(
            "onboard", "--template", template, package, prompt_input=pipe, prompt_output=DummyOutput()
        )
    assert code != 0
    assert "has uncommitted changes (README.md)" in out + err
    assert "project_name" not in err, "no answers shown for a package that cannot be onboarded"
    assert "changed:" not in out and "planned, not written" not in out


def test_onboard_interactive_corrects_answers_with_the_template_validators(tmp_path, template):
    package = make_packages(tmp_path, ["tiny-tool"])["tiny-tool"]
    keys = [DOWN + ENTER]  # "Correct some answers": every question in turn, the inferred answer filled in
    keys.append(CLEAR_LINE + "Tiny Tool Kit" + ENTER)  # project_name
    keys.append(CLEAR_LINE + "Not A Name" + ENTER)  # distribution_name: refused by the validator...
    keys.append(CLEAR_LINE + "tiny-tool" + ENTER)  # ...so asked again
    questions = [
        name for name in yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text()) if name[0] != "_"
    ]
    keys += [ENTER] * (len(questions) - 2)  # the rest as inferred (a missing Enter would hang the test)
    keys.append(ENTER)  # then onboard with these answers
    with create_pipe_input() as pipe:
        pipe.send_text("".join(keys))
        code, out, err = run_cli(
            "onboard", "--template", template, package, prompt_input=pipe, prompt_output=DummyOutput()
        )
    assert code == 0, out + err
    answers = yaml.safe_load((package / ".copier-answers.yml").read_text())
    assert (answers["project_name"], answers["distribution_name"]) == ("Tiny Tool Kit", "tiny-tool")
    assert "(you)" in err


def test_onboard_interactive_asks_first_for_an_answer_the_template_refuses(tmp_path, template):
    files = dict(README_LACKING)
    title = "Tiny Tool, " * 11 + "Tiny Tool"
    files["README.md"] = files["README.md"].replace("# Tiny Tool\n", f"# {title}\n")
    package = git_repo(tmp_path / "long-title", files)
    with create_pipe_input() as pipe:
        pipe.send_text(CLEAR_LINE + "Tiny Tool" + ENTER + ENTER)
        code, out, err = run_cli(
            "onboard", "--template", template, package, prompt_input=pipe, prompt_output=DummyOutput()
        )
    assert code == 0, out + err
    assert re.search(r"project_name '(Tiny Tool, )+Tiny Tool' \(README.md title\) is not allowed", err), err
    assert yaml.safe_load((package / ".copier-answers.yml").read_text())["project_name"] == "Tiny Tool"


def test_onboard_interactive_skip_changes_nothing(tmp_path, template):
    package = make_packages(tmp_path, ["tiny-tool"])["tiny-tool"]
    before = tree_contents(package)
    with create_pipe_input() as pipe:
        pipe.send_text(DOWN + DOWN + ENTER)  # "Skip this package"
        code, out, _ = run_cli(
            "onboard", "--template", template, package, prompt_input=pipe, prompt_output=DummyOutput()
        )
    assert code == 0 and "skipped" in out
    assert tree_contents(package) == before


def test_onboard_without_a_terminal_or_yes_says_how(tmp_path, template):
    package = make_packages(tmp_path, ["tiny-tool"])["tiny-tool"]
    code, _, err = run_cli("onboard", "--template", template, package)
    assert code == 2 and "--yes" in err


# --- the small rules, one by one ---


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("git@gitlab.example.org:uis/devops/lookup.git", ("gitlab.example.org", "uis/devops/lookup")),
        ("https://gitlab.example.org/uis/devops/lookup.git", ("gitlab.example.org", "uis/devops/lookup")),
        ("https://user:s3cret@gitlab.example.org/uis/lookup", ("gitlab.example.org", "uis/lookup")),
        ("ssh://git@gitlab.example.org:2222/uis/lookup.git", ("gitlab.example.org", "uis/lookup")),
        ("/srv/git/lookup.git", None),
    ],
)
def test_git_remote_gives_the_gitlab_host_and_project_path(url, expected):
    assert parse_remote(url) == expected


@pytest.mark.parametrize(
    ("requirement", "expected"),
    [
        ("^3.9", "3.11"),
        (">=3.12", "3.12"),
        (">=3.11,<4", "3.11"),
        ("~=3.13", "3.13"),
        ("", None),
        (">3.11", "3.12"),
    ],
)
def test_python_min_is_the_oldest_supported_python_the_package_allows(requirement, expected):
    assert python_min_from(requirement, ("3.11", "3.12", "3.13", "3.14", "3.15"))[0] == expected


@pytest.mark.parametrize(
    ("heading", "section"),
    [
        ("Getting started", "Installation"),
        ("API documentation", "Finding out more"),
        ("License", "Licence"),
        ("Releasing", "Making a release"),
        ("Motivation", "The problem it solves"),
        ("Overview", "What it does"),
    ],
)
def test_readme_sections_are_recognised_in_the_authors_words(heading, section):
    assert section not in missing_sections(f"# Title\n\n## {heading}\n\ntext\n")


def test_readme_headings_inside_code_blocks_do_not_count():
    assert "Usage" in missing_sections("# Title\n\n```console\n# Usage\n```\n")


# --- the documentation site: inferred, and a package's own kept as it is ---


def test_onboarding_records_docs_none_and_adds_no_site(onboarded):
    packages, _, _ = onboarded
    for name in PYTHON_SHAPES:
        answers = yaml.safe_load((packages[name] / ".copier-answers.yml").read_text())
        assert answers["docs"] == "none", name
        assert not (packages[name] / "mkdocs.yml").exists() and not (packages[name] / "docs").exists()
        pyproject = tomllib.loads((packages[name] / "pyproject.toml").read_text())
        assert "docs" not in pyproject.get("dependency-groups", {}), name


OWN_SITE = {"mkdocs.yml": "site_name: Tiny Tool\ntheme: readthedocs\n", "docs/index.md": "# Tiny Tool\n"}


def test_a_package_with_its_own_mkdocs_yml_is_onboarded_as_mkdocs_and_keeps_its_site(tmp_path, template):
    package = git_repo(tmp_path / "tiny-tool", {**README_LACKING, **OWN_SITE})
    code, out, err = run_cli("onboard", "--yes", "--template", template, package)
    assert code == 0, out + err
    assert yaml.safe_load((package / ".copier-answers.yml").read_text())["docs"] == "mkdocs"
    for name, text in OWN_SITE.items():
        assert (package / name).read_text() == text
    assert not (package / "docs" / "gen_ref_pages.py").exists()
    # Its own site's tools are its own business: the template's are not added beside them.
    assert "docs" not in tomllib.loads((package / "pyproject.toml").read_text()).get("dependency-groups", {})
