"""`copier copy` renders a complete package: the files, and what is in them.

These tests read the rendered files; test_green.py builds and installs them with Poetry.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import trove_classifiers
import yaml

from conftest import ANSWER_SETS
from helpers import REQUIRED_ANSWERS, TEMPLATE_ROOT, run, tool

# Jinja-looking text that the awkward answers contain on purpose.
JINJA_IN_ANSWERS = ["{{ oops }}", "{{ braces }}", "{% raw %}", "{{ x }}"]


def answers_of(rendered_package: Path) -> dict:
    return yaml.safe_load((rendered_package / ".copier-answers.yml").read_text())


def files_of(package: Path) -> list[Path]:
    return sorted(p for p in package.rglob("*") if p.is_file() and ".git" not in p.parts)


def test_new_package_has_every_file_a_good_release_needs(default_package):
    present = {str(p.relative_to(default_package)) for p in files_of(default_package)}
    assert present == {
        ".copier-answers.yml",
        ".editorconfig",
        ".gitignore",
        ".gitlab-ci.yml",
        ".pre-commit-config.yaml",
        "CHANGELOG.md",
        "LICENSE.txt",
        "README.md",
        "pyproject.toml",
        "renovate.json",
        "src/lookup_client/__init__.py",
        "src/lookup_client/py.typed",
        "tests/test_package.py",
    }


def test_no_template_syntax_is_left_in_names_or_contents(rendered):
    _, package = rendered
    for path in files_of(package):
        relative = str(path.relative_to(package))
        assert "{{" not in relative and not relative.endswith(".jinja"), relative
        if relative == ".copier-answers.yml":
            continue  # YAML may fold long answers across lines; its values are compared parsed, below
        text = path.read_text(encoding="utf-8")
        if relative == "renovate.json":
            text = text.replace("{{newValue}}", "")  # Renovate's own (Handlebars) template
        for fragment in JINJA_IN_ANSWERS:
            text = text.replace(fragment, "")
        assert not re.search(r"\{\{|\{%|\{#", text), f"unrendered Jinja in {relative}"


def test_every_python_toml_and_yaml_file_parses(rendered):
    _, package = rendered
    for path in files_of(package):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            ast.parse(text, filename=str(path))
        elif path.suffix == ".toml":
            tomllib.loads(text)
        elif path.suffix in {".yml", ".yaml"}:
            yaml.safe_load(text)


def test_python_files_pass_the_pre_commit_ruff_hooks(rendered):
    # A maintainer's first commit runs these hooks: the template's own files must not fail them.
    _, package = rendered
    run(tool("ruff"), "check", "--no-cache", ".", cwd=package)
    run(tool("ruff"), "format", "--no-cache", "--check", ".", cwd=package)


def test_pyproject_carries_the_answers_as_pep621_metadata(rendered):
    name, package = rendered
    answers = answers_of(package)
    pyproject = tomllib.loads((package / "pyproject.toml").read_text())
    project = pyproject["project"]
    for key in ANSWER_SETS[name]:  # every answer given comes back unchanged
        assert answers[key] == ANSWER_SETS[name][key]
    assert project["name"] == answers["distribution_name"]
    assert project["version"] == answers["initial_version"]
    assert project["description"] == answers["description"]
    assert project["readme"] == "README.md"
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE.txt"]
    assert project["authors"] == [{"name": answers["author_name"], "email": answers["author_email"]}]
    assert project["requires-python"] == f">={answers['python_min']}"
    assert set(project["urls"]) == {"Homepage", "Documentation", "Repository", "Issues", "Changelog"}
    assert project["urls"]["Documentation"] == answers["documentation_url"]
    assert all(
        answers["gitlab_project_path"] in url
        for key, url in project["urls"].items()
        if key != "Documentation"
    )
    assert pyproject["build-system"]["build-backend"] == "poetry.core.masonry.api"
    assert pyproject["build-system"]["requires"] == ["poetry-core>=2.0.0,<3.0.0"]
    assert "pytest" in pyproject["tool"]["poetry"]["group"]["dev"]["dependencies"]
    assert pyproject["tool"]["poetry"]["packages"] == [{"include": answers["package_name"], "from": "src"}]


def test_pyproject_passes_validate_pyproject_with_known_classifiers(rendered):
    _, package = rendered
    classifiers = tomllib.loads((package / "pyproject.toml").read_text())["project"]["classifiers"]
    assert set(classifiers) <= trove_classifiers.classifiers
    run(tool("validate-pyproject"), "pyproject.toml", cwd=package)


def test_licence_is_the_mit_text_with_this_year_and_the_holder(rendered):
    _, package = rendered
    licence = (package / "LICENSE.txt").read_text()
    year = __import__("datetime").date.today().year
    assert licence.startswith("MIT License\n")
    assert f"Copyright (c) {year} {answers_of(package)['copyright_holder']}\n" in licence
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in licence


def test_readme_is_written_for_a_newcomer(rendered):
    _, package = rendered
    answers = answers_of(package)
    readme = (package / "README.md").read_text()
    headings = re.findall(r"^## (.+)$", readme, flags=re.M)
    for section in (
        "What it does",
        "The problem it solves",
        "Installation",
        "Usage",
        "Finding out more",
        "Development",
        "Making a release",
        "Licence",
    ):
        assert section in headings
    assert readme.startswith(f"# {answers['project_name']}\n\n{answers['description']}\n")
    assert f"pip install {answers['distribution_name']}" in readme
    assert answers["documentation_url"] in readme
    usage = re.search(r"## Usage\n.*?```python\n(.*?)```", readme, flags=re.S).group(1)
    assert f"import {answers['package_name']}" in usage
    # The release story of how-we-use-pypi: test PyPI first, an all-projects token only once.
    for phrase in (
        "test PyPI",
        "all projects",
        f"scoped to `{answers['distribution_name']}`",
        "masked and protected",
    ):
        assert phrase in readme


def test_ci_file_includes_the_common_pipeline_and_is_valid_gitlab_ci(rendered):
    _, package = rendered
    answers = answers_of(package)
    ci = yaml.safe_load((package / ".gitlab-ci.yml").read_text())
    assert ci["include"] == [
        {
            "project": answers["ci_include_project"],
            "file": answers["ci_include_file"],
            "ref": answers["ci_include_ref"],
        }
    ]
    run(tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", ".gitlab-ci.yml", cwd=package)


def test_ci_include_defaults_to_the_teams_pinned_common_pipeline(default_package):
    answers = answers_of(default_package)
    copier_yml = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())
    assert answers["ci_include_project"] == "uis/devops/continuous-delivery/ci-templates"
    assert answers["ci_include_file"] == "/auto-devops/common-pipeline.yml"
    assert answers["ci_include_ref"] == copier_yml["ci_include_ref"]["default"]
    assert re.fullmatch(r"v\d+\.\d+\.\d+", answers["ci_include_ref"])


def test_answers_file_lets_copier_update_and_holds_no_secret(default_package):
    answers = answers_of(default_package)
    assert {"_commit", "_src_path"} <= set(answers)
    assert {**answers, **REQUIRED_ANSWERS} == answers
    secretish = re.compile(r"token|password|secret|pypi-[A-Za-z0-9]", re.I)
    assert not [key for key in answers if secretish.search(key)]
    for path in files_of(default_package):
        assert not re.search(r"pypi-[A-Za-z0-9_-]{20,}", path.read_text()), path


def test_user_owned_files_are_kept_on_update():
    skip = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())["_skip_if_exists"]
    assert {"CHANGELOG.md", "src/*/__init__.py", "tests/test_*.py"} <= set(skip)


def copier_copy(destination: Path, answers: dict[str, str]) -> subprocess.CompletedProcess:
    """`copier copy --trust --defaults -d KEY=VALUE ... TEMPLATE DEST`, as a user types it."""
    data = [arg for key, value in answers.items() for arg in ("-d", f"{key}={value}")]
    return subprocess.run(
        [sys.executable, "-m", "copier", "copy", "--trust", "--defaults", "--vcs-ref=HEAD", *data]
        + [str(TEMPLATE_ROOT), str(destination)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )


def test_copy_from_the_command_line_needs_only_a_name_and_a_description(tmp_path):
    destination = tmp_path / "lookup-client"
    result = copier_copy(destination, REQUIRED_ANSWERS)
    assert result.returncode == 0, result.stderr
    assert (destination / "src" / "lookup_client" / "__init__.py").is_file()


BAD_ANSWERS = {
    "distribution_name=Lookup Client": "not a valid PyPI name",
    "distribution_name=Lookup_Client": "not normalised: use 'lookup-client'",
    "package_name=json": "standard-library module",
    "package_name=class": "Python keyword",
    "author_email=not-an-email": "not an email address",
    "initial_version=one": "not a PEP 440 version",
    "python_min=2.7": "Invalid choice for 'python_min'",
    "gitlab_host=https://gitlab.example.org": "not a host name",
    "documentation_url=http://insecure.example.org": "not an https URL",
    "ci_include_ref=master": "never a branch",
    "ci_include_file=common-pipeline.yml": "absolute path",
}


@pytest.mark.parametrize("bad_answer", sorted(BAD_ANSWERS))
def test_bad_answer_is_refused_with_a_clear_message_and_nothing_is_written(tmp_path, bad_answer):
    destination = tmp_path / "new-package"
    key, value = bad_answer.split("=", 1)
    result = copier_copy(destination, {**REQUIRED_ANSWERS, key: value})
    assert result.returncode != 0
    assert BAD_ANSWERS[bad_answer] in result.stdout + result.stderr
    assert not destination.exists()


@pytest.mark.parametrize("missing", ["project_name", "description"])
def test_a_required_answer_cannot_be_left_out(tmp_path, missing):
    destination = tmp_path / "new-package"
    result = copier_copy(destination, {k: v for k, v in REQUIRED_ANSWERS.items() if k != missing})
    assert result.returncode != 0
    assert "required" in result.stdout + result.stderr
    assert not destination.exists()
