"""`copier update` brings packages made from older template versions in line, losing nothing.

Template versions are made on the fly, as copier's own tests do: this repository is copied into
a throwaway git repo and tagged v1.0.0; a few template changes make v1.1.0 and v2.0.0. Each story
renders a package at v1.0.0, commits it, edits it like a maintainer would, runs a real
`copier update`, and looks at the result.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import copier
import pytest
import tomlkit
import yaml

from helpers import (
    TEMPLATE_ROOT,
    git,
    git_commit_all,
    git_init,
    git_repo,
    poetry,
    poetry_install,
    render,
    run,
    template_snapshot,
    tool,
    write_tree,
)
from old_packages import (
    APACHE_LICENSE_START,
    MIT_LICENSE,
    OLD_GITLAB_CI,
    POETRY1_PYPROJECT,
    write_internal_lib,
)
from python_package_template import cli

COPIER = tool("copier")
MIGRATE = TEMPLATE_ROOT / "extensions" / "migrate.py"

# v1.1.0 changes that merge cleanly into any package.
NEW_README_LINE = "Run `poetry run pre-commit run --all-files` before you push."
NEW_FILE = "CONTRIBUTING.md"
# v2.0.0 changes the README's first line, the wording of a section and adds a section; it changes
# a pyproject tool setting and adds a development dependency; and it changes files that belong
# to the package (which must not reach it) and one that belongs to the template.
NEW_TITLE_SUFFIX = " (a Python package)"
NEW_INSTALL_WORDING = "Any Python that is still supported upstream will do."
NEW_SECTION = "## Getting help\n\nAsk in the team's channel, or open an issue.\n"
NEW_DEV_DEPENDENCY = "hypothesis"
SKIP_IF_EXISTS_MARK = "# Changed in template v2.0.0."
PRE_COMMIT_COMMENT = "# Run `poetry run pre-commit install` once; the hooks then run on every commit."
NEW_PRE_COMMIT_COMMENT = "# Install the hooks once with `poetry run pre-commit install`."


@dataclass(frozen=True)
class Template:
    path: Path
    pin_v1: str  # the common pipeline tag pinned in copier.yml at v1.0.0 and v1.1.0
    pin_v2: str  # ... and at v2.0.0
    line_length_v2: int  # [tool.ruff] line-length at v2.0.0


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} is not in {path}: update this test's template change"
    path.write_text(text.replace(old, new, 1))


def tag(repo: Path, version: str) -> None:
    git_commit_all(repo, f"template {version}")
    git("tag", version, cwd=repo)


def next_minor(ref: str) -> str:
    major, minor, _ = map(int, ref.removeprefix("v").split("."))
    return f"v{major}.{minor + 1}.0"


def add_dev_dependency(pyproject_jinja: Path, name: str, bound: str) -> None:
    """Add a development dependency to the template, whichever form its dev group has."""
    text = pyproject_jinja.read_text()
    if "[dependency-groups]" in text:
        text, found = re.subn(r"^(dev = \[)", rf'\1\n    "{name}{bound}",', text, count=1, flags=re.M)
    else:
        text, found = re.subn(
            r"^(\[tool\.poetry\.group\.dev\.dependencies\]\n)",
            rf'\1{name} = "{bound}"\n',
            text,
            count=1,
            flags=re.M,
        )
    assert found, "no dev dependency group in the template: update this test's template change"
    pyproject_jinja.write_text(text)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Template:
    root = template_snapshot(tmp_path_factory.mktemp("template") / "python-package-template", "v1.0.0")

    readme = root / "template" / "README.md.jinja"
    replace_once(readme, "## Development\n", f"## Development\n\n{NEW_README_LINE}\n")
    write_tree(
        root,
        {f"template/{NEW_FILE}.jinja": "# Contributing to {{ project_name }}\n\nMerge requests welcome.\n"},
    )
    tag(root, "v1.1.0")

    copier_yml = root / "copier.yml"
    pin_v1 = re.search(r"&ci_templates_ref (v\d+\.\d+\.\d+)", copier_yml.read_text()).group(1)
    pin_v2 = next_minor(pin_v1)
    replace_once(copier_yml, f"&ci_templates_ref {pin_v1}", f"&ci_templates_ref {pin_v2}")
    replace_once(readme, "# {{ project_name }}\n", "# {{ project_name }}" + NEW_TITLE_SUFFIX + "\n")
    replace_once(readme, "## Installation\n\n", f"## Installation\n\n{NEW_INSTALL_WORDING}\n\n")
    replace_once(readme, "## Development\n", f"{NEW_SECTION}\n## Development\n")
    pyproject = root / "template" / "pyproject.toml.jinja"
    line_length = int(re.search(r"^line-length = (\d+)$", pyproject.read_text(), re.M).group(1))
    replace_once(pyproject, f"line-length = {line_length}\n", f"line-length = {line_length + 1}\n")
    add_dev_dependency(pyproject, NEW_DEV_DEPENDENCY, ">=6")
    replace_once(
        root / "template" / ".pre-commit-config.yaml.jinja", PRE_COMMIT_COMMENT, NEW_PRE_COMMIT_COMMENT
    )
    for skipped in (
        "CHANGELOG.md.jinja",
        "tests/test_package.py.jinja",
        "src/{{ package_name }}/__init__.py.jinja",
    ):
        with (root / "template" / skipped).open("a") as file:
            file.write(f"\n{SKIP_IF_EXISTS_MARK}\n")
    tag(root, "v2.0.0")
    return Template(root, pin_v1, pin_v2, line_length + 1)


def package_at_v1(template: Template, destination: Path, answers: dict | None = None) -> Path:
    """A package rendered at v1.0.0 and committed, as its maintainer would have it."""
    render(template.path, destination, answers, vcs_ref="v1.0.0")
    git_init(destination)
    git_commit_all(destination, "Start from the template")
    return destination


def update(
    package: Path, *, vcs_ref: str | None = None, data: dict | None = None, conflict: str = "inline"
) -> subprocess.CompletedProcess:
    """`copier update --trust --defaults`, as a maintainer types it (to the newest tag unless
    vcs_ref says otherwise); it must exit 0."""
    options = [f"--vcs-ref={vcs_ref}"] if vcs_ref else []
    for key, value in (data or {}).items():
        options += ["--data", f"{key}={value}"]
    return run(
        COPIER, "update", "--trust", "--defaults", f"--conflict={conflict}", *options, package, cwd=package
    )


def migration_notes(result: subprocess.CompletedProcess, kind: str) -> list[str]:
    """The migration's lines of one kind ("migrated", "kept", "skipped"), without the prefix."""
    prefix = f"  {kind} "
    return [
        line[len(prefix) :]
        for line in (result.stdout + result.stderr).splitlines()
        if line.startswith(prefix)
    ]


def lines(text: str) -> set[str]:
    return {line for line in text.splitlines() if line.strip()}


def committed_files(package: Path) -> dict[str, str]:
    return {
        str(path.relative_to(package)): path.read_text()
        for path in package.rglob("*")
        if path.is_file() and ".git" not in path.parts
    }


def template_replaced_lines(
    template: Template, package: Path, tmp: Path, new_answers: dict | None = None
) -> dict[str, set[str]]:
    """{file: lines of the template's own that v2.0.0 replaces}, rendered with the package's
    answers (and the `new_answers` the update gives): the only lines an update may take out."""
    data = {k: v for k, v in answers(package).items() if not k.startswith("_")}
    # v2.0.0 pins a newer common pipeline, which the update rolls out to packages on the old pin.
    pin = {"ci_include_ref": template.pin_v2} if data["ci_include_ref"] == template.pin_v1 else {}
    renders = {}
    for version, version_data in (("v1.0.0", data), ("v2.0.0", {**data, **pin, **(new_answers or {})})):
        renders[version] = tmp / version
        copier.run_copy(
            str(template.path),
            renders[version],
            data=version_data,
            defaults=True,
            unsafe=True,
            quiet=True,
            vcs_ref=version,
        )
    return {
        str(path.relative_to(renders["v1.0.0"])): lines(path.read_text())
        - lines((renders["v2.0.0"] / path.relative_to(renders["v1.0.0"])).read_text())
        for path in renders["v1.0.0"].rglob("*")
        if path.is_file()
    }


def assert_no_maintainer_line_lost(
    package: Path, before: dict[str, str], replaced: dict[str, set[str]]
) -> None:
    for name, text in before.items():
        if name == ".copier-answers.yml":
            continue
        assert (package / name).is_file(), f"{name} is gone"
        lost = lines(text) - lines((package / name).read_text()) - replaced.get(name, set())
        assert not lost, f"{name} lost lines: {sorted(lost)}"


def append(path: Path, text: str) -> None:
    with path.open("a") as file:
        file.write(text)


def answers(package: Path) -> dict:
    return yaml.safe_load((package / ".copier-answers.yml").read_text())


def files_with_conflicts(package: Path) -> list[str]:
    found = []
    for path in package.rglob("*"):
        if ".git" in path.parts or not path.is_file():
            continue
        if path.suffix == ".rej" or "<<<<<<<" in path.read_text(errors="replace"):
            found.append(str(path.relative_to(package)))
    return found


# --- a maintainer's package, edited everywhere, updated from v1.0.0 to the newest tag ----------

USER_CODE = 'def lookup(crsid: str) -> dict:\n    return {"crsid": crsid}\n'
USER_TEST = (
    "\n\ndef test_lookup_returns_the_person() -> None:\n    assert lookup_client.client.lookup('ab123')\n"
)
USER_PROSE = "Lookup Client finds people and groups in the University's Lookup directory."
USER_CI_JOB = "\nintegration-test:\n  stage: test\n  script:\n    - poetry run pytest -m integration\n"
USER_CHANGELOG = "\n### Fixed\n\n- Retries on timeouts.\n"
NEW_DESCRIPTION = "The official client for the Lookup API."


@dataclass(frozen=True)
class Edited:
    package: Path
    before_update: dict[str, str]  # relative path -> text, as the maintainer committed it
    result: subprocess.CompletedProcess  # what `copier update` printed
    replaced: dict[str, set[str]]  # the template's own lines that the update may replace


def write_the_client(package: Path) -> None:
    """What every maintainer of these stories writes: README prose, a dependency with its
    comment, and a pipeline job of the package's own."""
    replace_once(
        package / "README.md",
        "Lookup Client is a Python package that ... (describe what it does and who it is for).",
        USER_PROSE,
    )
    replace_once(
        package / "pyproject.toml",
        "dependencies = []",
        'dependencies = [\n    "requests>=2.31",  # the HTTP client\n]',
    )
    append(package / ".gitlab-ci.yml", USER_CI_JOB)


@pytest.fixture(scope="module")
def edited(template, tmp_path_factory) -> Edited:
    """A package its maintainer edited everywhere at v1.0.0, then updated to the newest tag."""
    package = package_at_v1(
        template, tmp_path_factory.mktemp("edited") / "lookup-client", {"python_min": "3.12"}
    )
    write_tree(package, {"src/lookup_client/client.py": USER_CODE})
    append(
        package / "src" / "lookup_client" / "__init__.py",
        "\nfrom lookup_client import client  # noqa: F401\n",
    )
    append(package / "tests" / "test_package.py", USER_TEST)
    write_the_client(package)
    append(package / "CHANGELOG.md", USER_CHANGELOG)
    git_commit_all(package, "Write the client")
    before_update = committed_files(package)
    new_answers = {"description": NEW_DESCRIPTION}
    replaced = template_replaced_lines(template, package, tmp_path_factory.mktemp("renders"), new_answers)
    result = update(package, data=new_answers)  # no vcs_ref: the newest tag
    return Edited(package, before_update, result, replaced)


@pytest.fixture(scope="module")
def updated(edited) -> Path:
    return edited.package


def test_update_reaches_the_newest_template_tag(updated):
    assert answers(updated)["_commit"] == "v2.0.0"


def test_update_keeps_code_and_tests_the_maintainer_wrote(updated, edited):
    for name in ("src/lookup_client/client.py", "src/lookup_client/__init__.py", "tests/test_package.py"):
        assert (updated / name).read_text() == edited.before_update[name], name


def test_update_keeps_readme_edits(updated):
    assert USER_PROSE in (updated / "README.md").read_text()


def test_update_keeps_dependencies_added_to_pyproject(updated):
    pyproject = (updated / "pyproject.toml").read_text()
    assert '    "requests>=2.31",  # the HTTP client\n' in pyproject
    assert tomlkit.parse(pyproject)["project"]["dependencies"] == ["requests>=2.31"]


def test_update_keeps_ci_jobs_appended_to_gitlab_ci(updated):
    ci = (updated / ".gitlab-ci.yml").read_text()
    assert ci.endswith(USER_CI_JOB)
    assert "integration-test" in yaml.safe_load(ci)


def test_update_keeps_answers_changed_at_render_and_applies_answers_changed_now(updated):
    assert answers(updated)["python_min"] == "3.12"
    assert 'requires-python = ">=3.12"' in (updated / "pyproject.toml").read_text()
    assert answers(updated)["description"] == NEW_DESCRIPTION
    assert f"\n{NEW_DESCRIPTION}\n" in (updated / "README.md").read_text()
    assert (
        tomlkit.parse((updated / "pyproject.toml").read_text())["project"]["description"] == NEW_DESCRIPTION
    )


def test_update_brings_template_changes_into_the_readme_and_pyproject_the_maintainer_edited(
    updated, template
):
    readme = (updated / "README.md").read_text()
    assert f"## Development\n\n{NEW_README_LINE}\n" in readme
    assert readme.startswith(f"# Lookup Client{NEW_TITLE_SUFFIX}\n")
    assert f"## Installation\n\n{NEW_INSTALL_WORDING}\n" in readme
    assert f"{NEW_SECTION}\n## Development\n" in readme
    pyproject = tomlkit.parse((updated / "pyproject.toml").read_text())
    assert pyproject["tool"]["ruff"]["line-length"] == template.line_length_v2
    assert NEW_DEV_DEPENDENCY in (updated / "pyproject.toml").read_text()


def test_update_says_what_it_brought_into_the_packages_own_files(edited):
    migrated = migration_notes(edited.result, "migrated")
    assert "README.md: added the section 'Getting help'" in migrated
    assert "README.md: brought the section 'Installation' up to date with the template" in migrated
    assert any(note.startswith("pyproject.toml: [tool.ruff] line-length: set to") for note in migrated)
    assert migration_notes(edited.result, "skipped") == []


def test_update_loses_no_line_the_maintainer_wrote(updated, edited):
    # The description, changed on purpose with --data, is the one line that goes.
    replaced = {
        **edited.replaced,
        "README.md": edited.replaced["README.md"] | {"A client for the Lookup API."},
    }
    assert_no_maintainer_line_lost(updated, edited.before_update, replaced)


def test_update_adds_new_template_files(updated):
    assert (updated / NEW_FILE).read_text().startswith("# Contributing to Lookup Client\n")


def test_update_moves_the_ci_ref_up_to_the_template_pin(updated, template):
    assert answers(updated)["ci_include_ref"] == template.pin_v2
    include = yaml.safe_load((updated / ".gitlab-ci.yml").read_text())["include"]
    assert include == [
        {
            "project": "uis/devops/continuous-delivery/ci-templates",
            "file": "/auto-devops/common-pipeline.yml",
            "ref": template.pin_v2,
        }
    ]


def test_update_leaves_no_conflict_markers_where_nothing_conflicted(updated):
    assert files_with_conflicts(updated) == []


def test_update_does_not_touch_files_that_belong_to_the_maintainer(updated, edited):
    # CHANGELOG.md, src/*/__init__.py and tests/test_*.py are in _skip_if_exists: v2.0.0 changed
    # them in the template, and the package keeps its own.
    for name in ("CHANGELOG.md", "src/lookup_client/__init__.py", "tests/test_package.py"):
        text = (updated / name).read_text()
        assert text == edited.before_update[name] and SKIP_IF_EXISTS_MARK not in text, name


def test_answers_file_stays_valid_after_update(updated, template):
    after = answers(updated)
    assert after["_src_path"] == str(template.path)
    questions = yaml.safe_load((template.path / "copier.yml").read_text())
    assert {key for key in questions if not key.startswith("_")} <= set(after)
    assert (updated / ".copier-answers.yml").read_text().startswith("# Written by Copier")


def test_a_second_update_changes_nothing(updated):
    git_commit_all(updated, "Update to template v2.0.0")
    update(updated)
    assert git("status", "--porcelain", cwd=updated) == ""


# --- conflicts: only in files the template owns -------------------------------------------------

MAINTAINER_TITLE = "# Lookup Client: the official client"
MAINTAINER_PRE_COMMIT_COMMENT = "# Hooks: see CONTRIBUTING.md."


@pytest.fixture
def retitled(template, tmp_path) -> Path:
    """A package whose maintainer rewrote the README title and the first line of
    .pre-commit-config.yaml, both of which v2.0.0 changes too."""
    package = package_at_v1(template, tmp_path / "lookup-client")
    replace_once(package / "README.md", "# Lookup Client\n", MAINTAINER_TITLE + "\n")
    replace_once(package / ".pre-commit-config.yaml", PRE_COMMIT_COMMENT, MAINTAINER_PRE_COMMIT_COMMENT)
    append(package / ".gitlab-ci.yml", USER_CI_JOB)
    git_commit_all(package, "A better title")
    return package


def test_the_readme_never_conflicts_the_maintainers_title_is_kept_and_said(retitled):
    result = update(retitled, vcs_ref="v2.0.0")
    readme = (retitled / "README.md").read_text()
    assert readme.startswith(MAINTAINER_TITLE + "\n") and "<<<<<<<" not in readme
    assert f"## Development\n\n{NEW_README_LINE}\n" in readme  # the rest of the README moved on
    assert (
        "README.md: kept the package's own section 'the title and summary'; the template's wording of it changed"
        in (migration_notes(result, "kept"))
    )


def test_update_marks_conflicts_inline_in_a_file_the_template_owns(retitled):
    update(retitled, vcs_ref="v2.0.0", conflict="inline")
    pre_commit = (retitled / ".pre-commit-config.yaml").read_text()
    assert (
        "<<<<<<< before updating\n"
        f"{MAINTAINER_PRE_COMMIT_COMMENT}\n"
        "=======\n"
        f"{NEW_PRE_COMMIT_COMMENT}\n"
        ">>>>>>> after updating\n"
    ) in pre_commit
    assert files_with_conflicts(retitled) == [".pre-commit-config.yaml"]
    # git sees the conflict, so the maintainer cannot commit it by accident.
    assert "UU .pre-commit-config.yaml" in git("status", "--porcelain", cwd=retitled).splitlines()


def test_update_with_conflict_rej_leaves_rej_files_next_to_the_files(retitled):
    update(retitled, vcs_ref="v2.0.0", conflict="rej")
    rejected = (retitled / ".pre-commit-config.yaml.rej").read_text()
    assert f"-{PRE_COMMIT_COMMENT}\n+{MAINTAINER_PRE_COMMIT_COMMENT}\n" in rejected
    assert (retitled / ".pre-commit-config.yaml").read_text().startswith(NEW_PRE_COMMIT_COMMENT + "\n")
    assert files_with_conflicts(retitled) == [".pre-commit-config.yaml.rej"]
    # A job appended below the include merges cleanly even though the include's ref moved.
    assert (retitled / ".gitlab-ci.yml").read_text().endswith(USER_CI_JOB)


# --- answers and versions -------------------------------------------------------------------------


def test_check_update_reports_a_package_behind_and_one_up_to_date(template, tmp_path):
    package = package_at_v1(template, tmp_path / "lookup-client")
    behind = run(COPIER, "check-update", "--output-format", "json", package, cwd=tmp_path)
    assert json.loads(behind.stdout) == {
        "update_available": True,
        "current_version": "1.0.0",
        "latest_version": "2.0.0",
    }
    assert run(COPIER, "check-update", "--quiet", package, cwd=tmp_path, check=False).returncode == 2
    update(package)
    git_commit_all(package, "Update")
    current = run(COPIER, "check-update", "--output-format", "json", package, cwd=tmp_path)
    assert json.loads(current.stdout)["update_available"] is False


def test_an_answer_with_jinja_braces_survives_update_unchanged(template, tmp_path):
    description = "Renders {{ braces }}, {% raw %} and {# hashes #} literally"
    package = package_at_v1(template, tmp_path / "lookup-client", {"description": description})
    update(package, vcs_ref="v2.0.0")
    assert answers(package)["description"] == description
    assert f"\n{description}\n" in (package / "README.md").read_text()


def test_a_newer_ci_ref_chosen_on_purpose_is_kept(template, tmp_path):
    chosen = "v99.0.0"
    package = package_at_v1(template, tmp_path / "lookup-client", {"ci_include_ref": chosen})
    update(package, vcs_ref="v2.0.0")
    assert answers(package)["ci_include_ref"] == chosen
    assert f'ref: "{chosen}"' in (package / ".gitlab-ci.yml").read_text()


# --- migrations on a hand-made old package --------------------------------------------------------


@pytest.fixture
def old_package(template, tmp_path) -> Path:
    """A Poetry 1 package adopted at template v1.0.0: its own pyproject.toml, an MIT LICENSE
    (not LICENSE.txt), and its own .gitlab-ci.yml with the common pipeline at an old tag."""
    package = package_at_v1(template, tmp_path / "lookup-client")
    write_internal_lib(tmp_path)
    write_tree(package, {"src/lookup_client/cli.py": "def main() -> None:\n    print('lookup')\n"})
    (package / "pyproject.toml").write_text(POETRY1_PYPROJECT)
    git("rm", "--quiet", "LICENSE.txt", cwd=package)
    (package / "LICENSE").write_text(MIT_LICENSE)
    (package / ".gitlab-ci.yml").write_text(OLD_GITLAB_CI)
    git_commit_all(package, "An old package, adopted")
    return package


def test_update_migrates_an_old_poetry1_package(old_package, template):
    update(old_package, vcs_ref="v1.1.0")
    pyproject = tomlkit.parse((old_package / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == "lookup-client"
    assert pyproject["project"]["license"] == "MIT"
    assert pyproject["project"]["license-files"] == ["LICENSE.txt"]
    assert 'pywin32>=306; sys_platform == "win32"' in pyproject["project"]["dependencies"]
    assert "name" not in pyproject["tool"]["poetry"]
    assert '    "requests>=2.31,<3.0",  # sessions\n' in pyproject.as_string()
    # LICENSE became LICENSE.txt with git mv, so history follows it.
    assert (old_package / "LICENSE.txt").read_text() == MIT_LICENSE and not (old_package / "LICENSE").exists()
    assert "R  LICENSE -> LICENSE.txt" in git("status", "--porcelain", cwd=old_package).splitlines()
    # The common pipeline's include moved up to the package's answer; everything else is as it was.
    assert (old_package / ".gitlab-ci.yml").read_text() == OLD_GITLAB_CI.replace("v5.2.0", template.pin_v1)
    # The template's own change arrived as well.
    assert (old_package / NEW_FILE).exists()
    assert files_with_conflicts(old_package) == []


def test_migrations_change_nothing_on_a_second_update(old_package):
    update(old_package, vcs_ref="v1.1.0")
    git_commit_all(old_package, "Migrated")
    update(old_package, vcs_ref="v1.1.0")
    assert git("status", "--porcelain", cwd=old_package) == ""


def test_a_licence_that_is_not_mit_is_left_alone_and_the_update_finishes(old_package):
    (old_package / "LICENSE").write_text(APACHE_LICENSE_START)
    git_commit_all(old_package, "Apache, actually")
    result = update(old_package, vcs_ref="v1.1.0")
    assert answers(old_package)["_commit"] == "v1.1.0"
    assert (old_package / "LICENSE").read_text() == APACHE_LICENSE_START
    assert not (old_package / "LICENSE.txt").exists()
    assert "license-files" not in tomlkit.parse((old_package / "pyproject.toml").read_text())["project"]
    (skipped,) = migration_notes(result, "skipped")
    assert "LICENSE is not the MIT licence" in skipped and "-d license=other" in skipped
    # Recording the decision, as the note says, makes later updates quiet.
    git_commit_all(old_package, "Update")
    result = update(old_package, vcs_ref="v1.1.0", data={"license": "other"})
    assert answers(old_package)["license"] == "other"
    assert migration_notes(result, "skipped") == []
    assert (old_package / "LICENSE").read_text() == APACHE_LICENSE_START


def migrate(
    *args: str, cwd: Path, python: tuple[str, ...] = (sys.executable,)
) -> subprocess.CompletedProcess:
    return run(*python, MIGRATE, *args, cwd=cwd, check=False)


AFTER = (
    "after",
    "--template",
    str(TEMPLATE_ROOT),
    "--from",
    "HEAD",
    "--answers-file",
    ".copier-answers.yml",
    "--ci-project",
    "uis/devops/continuous-delivery/ci-templates",
    "--ci-file",
    "/auto-devops/common-pipeline.yml",
    "--ci-pin",
    "v6.0.0",
)


def test_the_migration_leaves_to_the_package_exactly_what_copier_leaves_out_on_update(monkeypatch):
    monkeypatch.syspath_prepend(str(TEMPLATE_ROOT / "extensions"))
    import migrate as migration

    on_update = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())["_exclude"][0]
    assert on_update.startswith("{% if _copier_operation == 'update' %}")
    assert tuple(on_update.splitlines()[1:-1]) == migration.PACKAGE_PATHS


def test_a_migration_waits_for_conflict_markers_in_a_file_the_template_owns(tmp_path):
    conflicted = (
        "<<<<<<< before updating\n# ours\n=======\n# theirs\n>>>>>>> after updating\n" + OLD_GITLAB_CI
    )
    git_repo(tmp_path, {".gitlab-ci.yml": conflicted, ".copier-answers.yml": "ci_include_ref: v6.0.0\n"})
    result = migrate(*AFTER, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (
        ".gitlab-ci.yml still has conflict markers" in result.stderr
        and "copier update --trust" in result.stderr
    )
    assert (tmp_path / ".gitlab-ci.yml").read_text() == conflicted


def test_the_migration_never_writes_through_a_symlink_that_leaves_the_package(tmp_path, monkeypatch):
    monkeypatch.syspath_prepend(str(TEMPLATE_ROOT / "extensions"))
    import migrate as migration

    outside = tmp_path / "shared" / "pyproject.toml"
    package = tmp_path / "package"
    write_tree(tmp_path, {"shared/pyproject.toml": "[project]\n", "package/README.md": "# Old\n"})
    (package / "pyproject.toml").symlink_to(outside)
    plan = migration.Plan(package)
    plan.write("README.md", "# New\n", ["README.md: retitled"])
    plan.write("pyproject.toml", '[project]\nname = "x"\n', ["pyproject.toml: named"])
    with pytest.raises(migration.Refused, match="pyproject.toml is a symlink to .*, outside the package"):
        plan.commit()
    assert outside.read_text() == "[project]\n" and (package / "README.md").read_text() == "# Old\n"


def test_an_update_whose_migration_fails_is_undone_whole(template, tmp_path):
    """What Copier wrote before its after-migration failed is taken back: the package is as it was."""
    package = package_at_v1(template, tmp_path / "lookup-client")
    committed = git("rev-parse", "HEAD:", cwd=package)
    # As Copier leaves a package before the after-migration: a new answers file and a new file.
    replace_once(package / ".copier-answers.yml", "_commit: v1.0.0", "_commit: v2.0.0")
    write_tree(package, {NEW_FILE: "# Contributing\n"})
    # A template checkout without its history: the template's changes cannot be worked out.
    no_history = shutil.copytree(
        template.path, tmp_path / "no-history", ignore=shutil.ignore_patterns(".git")
    )
    after = ("after", "--template", str(no_history), *AFTER[3:])
    result = migrate(*after, cwd=package)
    assert result.returncode == 1
    assert "Nothing was changed: the update was undone" in result.stderr
    assert "the template's history" in result.stderr
    assert git("status", "--porcelain", "--ignored", cwd=package) == ""
    assert git("write-tree", cwd=package) == committed and answers(package)["_commit"] == "v1.0.0"


def test_copier_renders_the_owned_files_as_the_migration_would_and_it_merges_them(
    template, tmp_path, monkeypatch
):
    """README.md and pyproject.toml at both versions come from Copier's process (owned_renders,
    so that the migration needs no Jinja), exactly as the migration would render them itself,
    and the migration merges what it was handed only when it was rendered with its own answers."""
    import importlib.util

    from jinja2.sandbox import SandboxedEnvironment

    monkeypatch.syspath_prepend(str(TEMPLATE_ROOT / "extensions"))
    import migrate as migration

    from python_package_template import owned_files

    spec = importlib.util.spec_from_file_location(
        "context_for_renders", template.path / "extensions" / "context.py"
    )
    context = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(context)
    package = package_at_v1(template, tmp_path / "lookup-client")
    checkout = shutil.copytree(template.path, tmp_path / "checkout")  # Copier's, written into
    env = SandboxedEnvironment(keep_trailing_newline=True, extensions=[context.TemplateContext])
    old_answers = answers(package)
    new_answers = {**old_answers, "_commit": "v2.0.0"}
    path = context.owned_renders(env, new_answers, checkout, "v1.0.0", package, ".copier-answers.yml")
    handed = json.loads(Path(path).read_text())
    assert Path(path).parent == checkout
    own = owned_files.changed_renders(migration._jinja_env, checkout, "v1.0.0", old_answers, new_answers)
    assert sorted(own) == ["README.md", "pyproject.toml"]
    assert {name: tuple(pair) for name, pair in handed["renders"].items()} == own

    # What it was handed is what it merges: a section only these renders have arrives...
    handed["renders"]["README.md"][1] += "## Only in what Copier rendered\n\nHanded over.\n"
    Path(path).write_text(json.dumps(handed))
    after = ("after", "--template", str(checkout), "--from", "v1.0.0", *AFTER[5:], "--renders", path)
    result = migrate(*after, cwd=package)
    assert result.returncode == 0, result.stderr
    assert "Handed over." in (package / "README.md").read_text()
    # ...unless the plan's answers are not the ones they were rendered with: then it renders.
    git("checkout", "--", ".", cwd=package)
    handed["answers"]["description"] = "Rendered with another description."
    Path(path).write_text(json.dumps(handed))
    result = migrate(*after, cwd=package)
    assert result.returncode == 0, result.stderr
    assert "Handed over." not in (package / "README.md").read_text()
    assert "## Getting help" in (package / "README.md").read_text()


def test_copiers_renders_are_never_written_through_a_symlink_in_the_checkout(template, tmp_path):
    import importlib.util

    from jinja2.sandbox import SandboxedEnvironment

    spec = importlib.util.spec_from_file_location(
        "context_for_symlink", template.path / "extensions" / "context.py"
    )
    context = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(context)
    package = package_at_v1(template, tmp_path / "lookup-client")
    checkout = shutil.copytree(template.path, tmp_path / "checkout")
    elsewhere = tmp_path / "elsewhere.json"
    (checkout / ".owned-renders.json").symlink_to(elsewhere)
    env = SandboxedEnvironment(keep_trailing_newline=True, extensions=[context.TemplateContext])
    new_answers = {**answers(package), "_commit": "v2.0.0"}
    assert context.owned_renders(env, new_answers, checkout, "v1.0.0", package, ".copier-answers.yml") == ""
    assert not elsewhere.exists()  # the migration renders them itself instead


# --- the packages the team owns: rewritten, onboarded flat Poetry 1, onboarded Apache -----------

REWRITTEN_README = """\
Lookup client
=============

Finds people and groups in the University's Lookup directory, for services that need to know
who someone is.

## Install

`pip install lookup-client`: it works on any Python from 3.11.

## Example

```python
from lookup_client import client

print(client.lookup("ab123"))
```

## Licence

MIT, see LICENSE.txt.
"""


@dataclass(frozen=True)
class Story:
    package: Path
    before_update: dict[str, str]
    result: subprocess.CompletedProcess
    replaced: dict[str, set[str]]


def update_story(template: Template, package: Path, message: str) -> Story:
    git_commit_all(package, message)
    before = committed_files(package)
    replaced = template_replaced_lines(template, package, package.parent / "renders")
    return Story(package, before, update(package, vcs_ref="v2.0.0"), replaced)


@pytest.fixture(scope="module")
def rewritten(template, tmp_path_factory) -> Story:
    """Made from the template at v1.0.0; its README rewritten from the first line to the last,
    dependencies and tool tables added to pyproject.toml."""
    package = package_at_v1(template, tmp_path_factory.mktemp("rewritten") / "lookup-client")
    (package / "README.md").write_text(REWRITTEN_README)
    write_tree(
        package,
        {
            "src/lookup_client/client.py": USER_CODE,
            "tests/test_client.py": (
                "from lookup_client.client import lookup\n\n\n"
                "def test_lookup_returns_the_person() -> None:\n"
                '    assert lookup("ab123") == {"crsid": "ab123"}\n'
            ),
        },
    )
    pyproject = package / "pyproject.toml"
    replace_once(
        pyproject, "dependencies = []", 'dependencies = [\n    "requests>=2.31",  # the HTTP client\n]'
    )
    append(pyproject, '\n[tool.codespell]\nskip = "*.lock"  # the lock file is not prose\n')
    text = pyproject.read_text()
    pyproject.write_text(
        text.replace(
            "[tool.pytest.ini_options]",
            '[tool.poe.tasks.test]\ncmd = "pytest"\n\n[tool.pytest.ini_options]',
            1,
        )
    )
    return update_story(template, package, "Our own README, dependencies and tasks")


FLAT_POETRY1 = """\
# Lookup client: packaging metadata.
[tool.poetry]
name = "lookup-client"
version = "1.4.2"
description = "A client for the Lookup API."
authors = ["UIS DevOps <devops@example.org>"]
license = "MIT"
readme = "README.md"

# Tasks sit between the Poetry tables, as in the team's own packages.
[tool.poe.tasks.test]
cmd = "pytest"
help = "run the tests"

[tool.poe.tasks.lint]
cmd = "ruff check ."

[tool.poetry.dependencies]
python = "^3.11"
requests = "^2.31"  # sessions

[tool.poetry.group.dev.dependencies]
pytest = "^8.0"  # the test runner

[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
"""

FLAT_README = """\
# Lookup client

Talks to the Lookup API: people, groups and institutions.

## Usage

```python
import lookup_client
```
"""


def onboarded(template: Template, package: Path, *, keeps_licence: bool = False) -> Path:
    """Onboard `package` at template v1.0.0 and commit, as a maintainer does. A package that
    keeps its own licence is reported with it as a conflict (exit status 1), and onboarded."""
    out, err = io.StringIO(), io.StringIO()
    code = cli.main(
        ["onboard", "--yes", "--json", "--template", str(template.path), "--vcs-ref", "v1.0.0", str(package)],
        out=out,
        err=err,
    )
    (report,) = json.loads(out.getvalue())["packages"]
    assert report["status"] == "onboarded", out.getvalue() + err.getvalue()
    licence_conflicts = [c for c in report["conflicts"] if "not the MIT licence" in c]
    assert report["conflicts"] == (licence_conflicts if keeps_licence else []), report["conflicts"]
    assert code == (1 if keeps_licence else 0)
    git_commit_all(package, "Onboard to the template")
    return package


@pytest.fixture(scope="module")
def flat(template, tmp_path_factory) -> Story:
    """The team's own shape: Poetry 1, code in lookup_client/ (no src/), [tool.poe] tables
    splitting the [tool.poetry*] tables, the maintainers' README; onboarded at v1.0.0."""
    package = git_repo(
        tmp_path_factory.mktemp("flat") / "lookup-client",
        {
            "pyproject.toml": FLAT_POETRY1,
            "README.md": FLAT_README,
            "LICENSE": MIT_LICENSE,
            "lookup_client/__init__.py": '"""The Lookup client."""\n\n__version__ = "1.4.2"\n',
            "tests/test_lookup.py": "import lookup_client\n\n\ndef test_version():\n    assert lookup_client.__version__\n",
        },
        remote="git@gitlab.developers.cam.ac.uk:uis/devops/lookup-client.git",
    )
    onboarded(template, package)
    return update_story(template, package, "Onboarded")


@pytest.fixture(scope="module")
def apache(template, tmp_path_factory) -> Story:
    """A package under the Apache licence, which onboarding keeps; onboarded at v1.0.0."""
    package = git_repo(
        tmp_path_factory.mktemp("apache") / "lookup-client",
        {
            "pyproject.toml": FLAT_POETRY1.replace('license = "MIT"', 'license = "Apache-2.0"'),
            "README.md": FLAT_README,
            "LICENSE": APACHE_LICENSE_START,
            "src/lookup_client/__init__.py": '__version__ = "1.4.2"\n',
        },
        remote="git@gitlab.developers.cam.ac.uk:uis/devops/lookup-client.git",
    )
    (package / "pyproject.toml").write_text(
        FLAT_POETRY1.replace('license = "MIT"', 'license = "Apache-2.0"').replace(
            'readme = "README.md"',
            'readme = "README.md"\npackages = [{ include = "lookup_client", from = "src" }]',
        )
    )
    git_commit_all(package, "src layout")
    onboarded(template, package, keeps_licence=True)
    return update_story(template, package, "Onboarded")


STORIES = ("rewritten", "flat", "apache")


@pytest.fixture(params=STORIES)
def story(request) -> Story:
    return request.getfixturevalue(request.param)


def test_update_of_an_owned_package_exits_0_with_no_conflict_and_no_note_to_act_on(story):
    assert answers(story.package)["_commit"] == "v2.0.0"
    assert files_with_conflicts(story.package) == []
    assert not [
        line for line in git("status", "--porcelain", cwd=story.package).splitlines() if line[:2] == "UU"
    ]
    assert migration_notes(story.result, "skipped") == []


def test_update_of_an_owned_package_loses_no_maintainer_line(story):
    assert_no_maintainer_line_lost(story.package, story.before_update, story.replaced)


def test_update_of_an_owned_package_delivers_the_template_release(story, template):
    readme = (story.package / "README.md").read_text()
    assert NEW_SECTION in readme
    pyproject_text = (story.package / "pyproject.toml").read_text()
    assert NEW_DEV_DEPENDENCY in pyproject_text
    assert (story.package / NEW_FILE).is_file()
    if answers(story.package).get("lint_settings") == "own":  # onboarded: its own lint, kept so
        assert "ruff" not in tomlkit.parse(pyproject_text)["tool"]
        assert not (story.package / ".pre-commit-config.yaml").exists()
        return
    assert tomlkit.parse(pyproject_text)["tool"]["ruff"]["line-length"] == template.line_length_v2
    assert (story.package / ".pre-commit-config.yaml").read_text().startswith(NEW_PRE_COMMIT_COMMENT)


def test_a_rewritten_readme_says_which_template_wording_it_kept_out(rewritten):
    kept = migration_notes(rewritten.result, "kept")
    assert "README.md: left out the section 'Installation', as the package removed it" in kept
    assert (rewritten.package / "README.md").read_text().startswith(REWRITTEN_README.split("## Licence")[0])


def test_a_flat_package_gets_nothing_under_src_and_no_smoke_test(flat):
    assert answers(flat.package)["package_layout"] == "flat"
    assert not (flat.package / "src").exists()
    assert not (flat.package / "tests" / "test_package.py").exists()


def test_a_package_that_keeps_its_own_licence_keeps_it_through_updates(apache):
    assert answers(apache.package)["license"] == "other"
    assert (apache.package / "LICENSE").read_text() == APACHE_LICENSE_START
    assert not (apache.package / "LICENSE.txt").exists()
    assert "license" not in tomlkit.parse((apache.package / "pyproject.toml").read_text())["project"] or (
        tomlkit.parse((apache.package / "pyproject.toml").read_text())["project"]["license"] != "MIT"
    )


def test_a_second_update_to_the_same_version_changes_nothing(story):
    git_commit_all(story.package, "Update to template v2.0.0")
    result = update(story.package, vcs_ref="v2.0.0")
    assert git("status", "--porcelain", cwd=story.package) == ""
    assert migration_notes(result, "migrated") == []


# --- end to end ---------------------------------------------------------------------------------


@pytest.mark.slow
def test_an_updated_package_still_passes_the_green_checks(updated, tmp_path):
    package = tmp_path / "lookup-client"
    shutil.copytree(updated, package)
    poetry("check", "--strict", cwd=package)
    poetry("build", cwd=package)
    run(tool("twine"), "check", "--strict", *sorted((package / "dist").iterdir()), cwd=package)
    run(tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", ".gitlab-ci.yml", cwd=package)


@pytest.mark.slow
def test_a_migrated_poetry1_package_passes_poetry_check_and_builds(old_package):
    update(old_package, vcs_ref="v1.1.0")
    poetry("check", "--strict", cwd=old_package)
    poetry("build", cwd=old_package)


# --- from the released v0.1.0 to this version ------------------------------------------------------

# The commit this repository released as v0.1.0 (its CHANGELOG's first entry).
V0_1_0 = "dcc580f7b8ef38479c72ead179d1993b17cd9848"


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Path:
    """The template at v0.1.0, as released, then this working tree as v0.2.0."""
    root = tmp_path_factory.mktemp("released") / "python-package-template"
    root.mkdir()
    archive = subprocess.run(
        ["git", "archive", V0_1_0], cwd=TEMPLATE_ROOT, capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(root)], input=archive, check=True)
    git_init(root)
    tag(root, "v0.1.0")
    shutil.rmtree(root / "template")
    shutil.rmtree(root / "extensions")
    current = template_snapshot(tmp_path_factory.mktemp("current") / "t", "v0.2.0")
    for part in ("template", "extensions", "copier.yml"):
        source = current / part
        (shutil.copytree if source.is_dir() else shutil.copy)(source, root / part)
    tag(root, "v0.2.0")
    return root


def test_a_flat_package_made_at_v0_1_0_is_recorded_as_flat_and_gets_no_src(released, tmp_path):
    """v0.1.0 did not ask where the code lives; an onboarded flat package then had no src/."""
    package = render(released, tmp_path / "lookup-client", vcs_ref="v0.1.0")
    (package / "src" / "lookup_client").rename(package / "lookup_client")
    (package / "src").rmdir()
    (package / "tests" / "test_package.py").unlink()
    replace_once(
        package / "pyproject.toml",
        'packages = [{ include = "lookup_client", from = "src" }]',
        'packages = [{ include = "lookup_client" }]',
    )
    git_init(package)
    git_commit_all(package, "Flat, as onboarded at v0.1.0")
    result = update(package, vcs_ref="v0.2.0")
    assert answers(package)["package_layout"] == "flat" and answers(package)["license"] == "MIT"
    assert ".copier-answers.yml: recorded package_layout: flat (from the package)" in migration_notes(
        result, "migrated"
    )
    assert not (package / "src").exists() and not (package / "tests" / "test_package.py").exists()
    assert files_with_conflicts(package) == [] and migration_notes(result, "skipped") == []


@pytest.mark.slow
def test_an_updated_owned_package_builds_and_its_tests_pass(story, tmp_path):
    package = tmp_path / "lookup-client"
    shutil.copytree(story.package, package, ignore=shutil.ignore_patterns(".git"))
    if (package / "poetry.lock").exists():
        (package / "poetry.lock").unlink()
    poetry_install(package)
    poetry("build", cwd=package)
    run(tool("twine"), "check", "--strict", *sorted((package / "dist").iterdir()), cwd=package)
    poetry("run", "pytest", "-q", "-p", "no:cacheprovider", cwd=package)


@pytest.fixture(scope="module")
def from_v0_1_0(released, tmp_path_factory) -> Story:
    """A default package made at v0.1.0, its README prose and dependencies written, updated to
    this version: what the template's users will do first."""
    package = render(released, tmp_path_factory.mktemp("from-v0.1.0") / "lookup-client", vcs_ref="v0.1.0")
    replace_once(
        package / "README.md",
        "Lookup Client is a Python package that ... (describe what it does and who it is for).",
        USER_PROSE,
    )
    replace_once(package / "pyproject.toml", "dependencies = []", 'dependencies = ["requests>=2.31"]')
    git_init(package)
    git_commit_all(package, "Made at v0.1.0")
    before = committed_files(package)
    return Story(package, before, update(package, vcs_ref="v0.2.0"), {})


def test_an_update_from_v0_1_0_brings_this_release_without_conflicts(from_v0_1_0):
    package = from_v0_1_0.package
    assert answers(package)["_commit"] == "v0.2.0"
    assert files_with_conflicts(package) == [] and migration_notes(from_v0_1_0.result, "skipped") == []
    pyproject = tomlkit.parse((package / "pyproject.toml").read_text()).unwrap()
    # The release's pytest, ruff, mypy and coverage settings arrive; the package's own stay.
    assert pyproject["project"]["dependencies"] == ["requests>=2.31"]
    pytest_options = pyproject["tool"]["pytest"]["ini_options"]
    assert pytest_options["xfail_strict"] is True and pytest_options["filterwarnings"] == ["error"]
    assert "--cov" in pytest_options["addopts"] and pyproject["tool"]["coverage"]["report"]["fail_under"]
    assert (
        pyproject["tool"]["mypy"]["strict"] is True
        and "B" in pyproject["tool"]["ruff"]["lint"]["extend-select"]
    )
    # The new development tools join the package's dev group in the form it has it (Poetry's).
    dev = pyproject["tool"]["poetry"]["group"]["dev"]["dependencies"]
    assert {"pytest", "pre-commit", "mypy", "pytest-cov", "ruff"} <= set(dev)
    readme = (package / "README.md").read_text()
    assert USER_PROSE in readme and "TEST_PYPI_API_TOKEN" in readme
    assert "TEST_PYPI_API_TOKEN" in (package / ".gitlab-ci.yml").read_text()
    # The release guard is the template's file, so an older package gets it too.
    assert (package / "tests" / "test_readme.py").is_file()


@pytest.mark.slow
def test_a_package_updated_from_v0_1_0_installs_and_passes_its_checks(from_v0_1_0, tmp_path):
    package = tmp_path / "lookup-client"
    shutil.copytree(from_v0_1_0.package, package, ignore=shutil.ignore_patterns(".git"))
    poetry_install(package)
    poetry("run", "pytest", "-q", "-p", "no:cacheprovider", cwd=package)
    poetry("run", "mypy", cwd=package)
    poetry("run", "ruff", "check", ".", cwd=package)
    poetry("build", cwd=package)
    run(tool("twine"), "check", "--strict", *sorted((package / "dist").iterdir()), cwd=package)


# --- Renovate: the update as its copier manager runs it, in the environment it installs ---------


@pytest.fixture(scope="session")
def renovate_copier(tmp_path_factory) -> Path:
    """A virtual environment holding what Renovate's tool installer puts there: `pip install
    copier copier-templates-extensions` (the old name, which pulls in copier-template-extensions),
    and nothing else: no tomlkit, no poetry-core. Its bin/ folder."""
    venv = tmp_path_factory.mktemp("renovate") / "copier"
    run(sys.executable, "-m", "venv", venv, cwd=venv.parent)
    run(
        venv / "bin" / "python",
        "-m",
        "pip",
        "install",
        "--quiet",
        "copier",
        "copier-templates-extensions",
        cwd=venv,
    )
    for missing in ("tomlkit", "poetry.core"):
        result = run(venv / "bin" / "python", "-c", f"import {missing}", cwd=venv, check=False)
        assert result.returncode != 0, f"{missing} is installed: this is not Renovate's environment"
    return venv / "bin"


def renovate_update(
    copier_bin: Path, package: Path, version: str, *, trust: bool = True
) -> subprocess.CompletedProcess:
    """Renovate's copier manager's command line (lib/modules/manager/copier/artifacts.ts), with a
    per-user cache of its own, as in a fresh Renovate container."""
    env = {
        **os.environ,
        "XDG_CACHE_HOME": str(package.parent / "cache"),
        "PATH": f"{copier_bin}:{os.environ['PATH']}",
    }
    trust_option = ["--trust"] if trust else []
    command = [
        "copier",
        "update",
        "--skip-answered",
        "--defaults",
        *trust_option,
        "--answers-file",
        ".copier-answers.yml",
        "--vcs-ref",
        version,
    ]
    return run(*command, cwd=package, check=False, env=env)


@pytest.fixture(scope="module")
def renovated(template, renovate_copier, tmp_path_factory) -> Edited:
    """The maintainer's package of the first story, updated by Renovate from v1.0.0 to v2.0.0."""
    package = package_at_v1(template, tmp_path_factory.mktemp("renovated") / "lookup-client")
    write_the_client(package)
    git_commit_all(package, "Write the client")
    before_update = committed_files(package)
    replaced = template_replaced_lines(template, package, tmp_path_factory.mktemp("renders"))
    result = renovate_update(renovate_copier, package, "v2.0.0")
    return Edited(package, before_update, result, replaced)


def test_renovate_delivers_the_template_release_with_only_copier_installed(renovated, template):
    package, result = renovated.package, renovated.result
    assert result.returncode == 0, result.stderr
    assert answers(package)["_commit"] == "v2.0.0"
    readme = (package / "README.md").read_text()
    assert NEW_SECTION in readme and NEW_INSTALL_WORDING in readme and USER_PROSE in readme
    pyproject = tomlkit.parse((package / "pyproject.toml").read_text())
    assert pyproject["tool"]["ruff"]["line-length"] == template.line_length_v2
    assert "requests>=2.31" in pyproject["project"]["dependencies"]
    assert any(NEW_DEV_DEPENDENCY in entry for entry in pyproject["dependency-groups"]["dev"])
    assert NEW_PRE_COMMIT_COMMENT in (package / ".pre-commit-config.yaml").read_text()
    gitlab_ci = (package / ".gitlab-ci.yml").read_text()
    assert f'ref: "{template.pin_v2}"' in gitlab_ci and USER_CI_JOB in gitlab_ci
    assert files_with_conflicts(package) == []
    assert_no_maintainer_line_lost(package, renovated.before_update, renovated.replaced)


def test_renovate_migrates_an_old_poetry1_package_with_only_copier_installed(old_package, renovate_copier):
    result = renovate_update(renovate_copier, old_package, "v1.1.0")
    assert result.returncode == 0, result.stderr
    pyproject = tomlkit.parse((old_package / "pyproject.toml").read_text())
    assert pyproject["project"]["name"] == "lookup-client" and "name" not in pyproject["tool"]["poetry"]
    assert (old_package / "LICENSE.txt").read_text() == MIT_LICENSE


def test_the_migrations_pinned_tomlkit_and_poetry_core_load_in_renovates_copier(renovate_copier, tmp_path):
    check = (
        "import sys; sys.path.insert(0, sys.argv[1]); import vendored; vendored.install()\n"
        "import tomlkit, poetry.core\n"
        "from poetry.core.json import validate_object\n"  # reads its schema files from disk
        "assert validate_object({'name': 'x'}, 'poetry-schema') == []\n"
        "print(tomlkit.__version__, poetry.core.__version__, tomlkit.__file__)\n"
    )
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path)}
    extensions = str(TEMPLATE_ROOT / "extensions")
    pins = json.loads((TEMPLATE_ROOT / "extensions" / "vendor" / "wheels.json").read_text())
    for _ in range(2):  # unpacked into the cache once, then imported from it
        out = run(renovate_copier / "python", "-c", check, extensions, cwd=tmp_path, env=env).stdout.split()
        assert out[:2] == [pins["tomlkit"]["version"], pins["poetry-core"]["version"]]
        assert out[2].startswith(str(tmp_path / "python-package-template"))


def test_without_trust_renovates_update_stops_before_changing_anything_and_says_so(
    template, renovate_copier, tmp_path
):
    package = package_at_v1(template, tmp_path / "lookup-client")
    result = renovate_update(renovate_copier, package, "v2.0.0", trust=False)
    assert result.returncode != 0
    assert "unsafe" in result.stderr and "--trust" in result.stderr
    assert git("status", "--porcelain", cwd=package) == ""


# --- a file the package owns that cannot take the template's changes now: nothing lost ----------

# (cause, how the maintainer's commit breaks the file, the template change that must still arrive)
UNMERGEABLE = {
    "conflict markers": (
        "README.md",
        lambda text: text.replace(
            "## Development\n", "<<<<<<< HEAD\n## Development\n=======\n## Hacking\n>>>>>>> theirs\n", 1
        ),
    ),
    "invalid TOML": ("pyproject.toml", lambda text: text + "\n[project\n"),
    "Latin-1": ("README.md", lambda text: text + "\nMaintained by the café team.\n"),
}


@pytest.mark.parametrize("cause", sorted(UNMERGEABLE))
def test_an_update_a_package_file_cannot_take_is_refused_whole_and_arrives_after_the_fix(
    cause, template, tmp_path
):
    name, broken = UNMERGEABLE[cause]
    package = package_at_v1(template, tmp_path / "lookup-client")
    good = (package / name).read_text()
    encoding = "latin-1" if cause == "Latin-1" else "utf-8"
    (package / name).write_bytes(broken(good).encode(encoding))
    git_commit_all(package, f"A {name} with {cause}")

    result = run(COPIER, "update", "--trust", "--defaults", "--vcs-ref=v2.0.0", cwd=package, check=False)
    assert result.returncode != 0
    assert "Nothing was changed: the update was refused" in result.stderr and name in result.stderr
    assert git("status", "--porcelain", "--ignored", cwd=package) == ""
    assert answers(package)["_commit"] == "v1.0.0"

    (package / name).write_text(good if cause != "Latin-1" else broken(good), encoding="utf-8")
    git_commit_all(package, f"Fix {name}")
    update(package, vcs_ref="v2.0.0")
    assert answers(package)["_commit"] == "v2.0.0"
    assert NEW_SECTION in (package / "README.md").read_text()
    pyproject = tomlkit.parse((package / "pyproject.toml").read_text())
    assert pyproject["tool"]["ruff"]["line-length"] == template.line_length_v2


def test_a_readme_and_pyproject_with_a_bom_take_the_template_changes_and_keep_it(template, tmp_path):
    package = package_at_v1(template, tmp_path / "lookup-client")
    for name in ("README.md", "pyproject.toml"):
        (package / name).write_bytes(b"\xef\xbb\xbf" + (package / name).read_bytes())
    git_commit_all(package, "Saved by an editor that writes a BOM")
    update(package, vcs_ref="v2.0.0")
    for name in ("README.md", "pyproject.toml"):
        data = (package / name).read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") and not data[3:].startswith(b"\xef\xbb\xbf"), name
    assert NEW_SECTION in (package / "README.md").read_text(encoding="utf-8-sig")
    pyproject = tomlkit.parse((package / "pyproject.toml").read_text(encoding="utf-8-sig"))
    assert pyproject["tool"]["ruff"]["line-length"] == template.line_length_v2


CRLF_FILES = (
    "README.md",
    "pyproject.toml",
    ".gitignore",
    ".gitlab-ci.yml",
    ".pre-commit-config.yaml",
    ".copier-answers.yml",
)


def test_a_crlf_package_stays_crlf_and_each_template_change_is_a_small_diff(template, tmp_path):
    package = package_at_v1(template, tmp_path / "lookup-client")
    append(package / ".gitignore", "/local-notes/\n")
    append(package / ".gitlab-ci.yml", USER_CI_JOB)
    for name in CRLF_FILES:
        (package / name).write_bytes((package / name).read_bytes().replace(b"\n", b"\r\n"))
    git_commit_all(package, "Checked out on Windows")
    result = update(package, vcs_ref="v2.0.0")
    assert files_with_conflicts(package) == [], result.stderr
    for name in CRLF_FILES:
        data = (package / name).read_bytes()
        assert data.count(b"\n") == data.count(b"\r\n"), f"{name} has LF line endings"
    assert NEW_PRE_COMMIT_COMMENT in (package / ".pre-commit-config.yaml").read_text()
    assert f'ref: "{template.pin_v2}"' in (package / ".gitlab-ci.yml").read_text()
    assert "/local-notes/" in (package / ".gitignore").read_text()
    assert NEW_SECTION.replace("\n", "\r\n").encode() in (package / "README.md").read_bytes()
    # git shows what the template changed, not every line.
    for line in git("diff", "--numstat", "HEAD", cwd=package).splitlines():
        added, removed, name = line.split("\t")
        assert int(added) < 10 and int(removed) < 10, f"{name}: {line}"
    assert git("diff", "--cached", "--name-only", cwd=package) == ""  # nothing left staged
    git_commit_all(package, "Update to v2.0.0")
    update(package, vcs_ref="v2.0.0")
    assert git("status", "--porcelain", cwd=package) == ""  # and a second update changes nothing


# --- the documentation site: only when asked for, and never twice ------------------------------

SITE = "https://uis.pages.developers.cam.ac.uk/devops/lookup-client/"
SITE_FILES = ("mkdocs.yml", "docs/index.md", "docs/gen_ref_pages.py")


def test_a_package_made_at_v0_1_0_gets_no_site_unless_it_asks(from_v0_1_0):
    package = from_v0_1_0.package
    assert answers(package)["docs"] == "none"
    assert any(
        note.startswith(".copier-answers.yml: recorded docs: none")
        for note in migration_notes(from_v0_1_0.result, "migrated")
    )
    assert not (package / "mkdocs.yml").exists() and not (package / "docs").exists()
    ci = yaml.safe_load((package / ".gitlab-ci.yml").read_text())
    assert "pages" not in ci and "mkdocs" not in ci
    pyproject = tomlkit.parse((package / "pyproject.toml").read_text()).unwrap()
    assert "docs" not in pyproject["tool"]["poetry"].get("group", {})
    assert "docs" not in pyproject.get("dependency-groups", {})
    assert "PY004" in pyproject["tool"]["repo-review"]["ignore"]


@pytest.fixture(scope="module")
def docs_from_v0_1_0(released, tmp_path_factory) -> Story:
    """A package made at v0.1.0, with a CI job of its own, whose maintainers answer
    `docs=mkdocs` on the update to this release."""
    package = render(released, tmp_path_factory.mktemp("docs") / "lookup-client", vcs_ref="v0.1.0")
    append(package / ".gitlab-ci.yml", USER_CI_JOB)
    git_init(package)
    git_commit_all(package, "Made at v0.1.0")
    before = committed_files(package)
    return Story(package, before, update(package, vcs_ref="v0.2.0", data={"docs": "mkdocs"}), {})


def test_a_package_made_before_the_site_gets_it_when_it_answers_mkdocs(docs_from_v0_1_0):
    package, result = docs_from_v0_1_0.package, docs_from_v0_1_0.result
    assert files_with_conflicts(package) == [] and migration_notes(result, "skipped") == []
    for name in SITE_FILES:
        assert (package / name).is_file(), name
        assert f"{name}: added (the documentation site; docs: mkdocs)" in migration_notes(result, "migrated")
    assert yaml.safe_load((package / "mkdocs.yml").read_text())["site_url"] == SITE
    # The README's default link moves to the site, and PyPI's with it.
    assert answers(package)["docs"] == "mkdocs" and answers(package)["documentation_url"] == SITE
    pyproject = tomlkit.parse((package / "pyproject.toml").read_text()).unwrap()
    assert pyproject["project"]["urls"]["Documentation"] == SITE
    # The site's tools join the package's groups in the form it has them (Poetry's, at v0.1.0).
    docs_group = pyproject["tool"]["poetry"]["group"]["docs"]["dependencies"]
    assert {"mkdocs", "mkdocs-material", "mkdocstrings-python", "mkdocs-gen-files"} <= set(docs_group)
    assert "dependency-groups" not in pyproject
    assert "PY004" not in pyproject["tool"]["repo-review"]["ignore"]
    # The jobs arrive beside the maintainers' own, without a conflict.
    ci_text = (package / ".gitlab-ci.yml").read_text()
    ci = yaml.safe_load(ci_text)
    assert {"mkdocs", "pages", "integration-test"} <= set(ci)
    assert ci_text.endswith(USER_CI_JOB)
    readme = (package / "README.md").read_text()
    assert f"<{SITE}reference/>" in readme and "poetry run mkdocs serve" in readme


def test_a_second_update_with_the_site_changes_nothing(docs_from_v0_1_0):
    package = docs_from_v0_1_0.package
    git_commit_all(package, "Update to v0.2.0, with the documentation site")
    result = update(package, vcs_ref="v0.2.0")
    assert git("status", "--porcelain", cwd=package) == ""
    assert migration_notes(result, "migrated") == []


@pytest.mark.slow
def test_the_site_a_package_made_before_it_gets_builds_strict(docs_from_v0_1_0, tmp_path):
    package = tmp_path / "lookup-client"
    shutil.copytree(docs_from_v0_1_0.package, package, ignore=shutil.ignore_patterns(".git"))
    poetry_install(package, "--only", "docs")
    poetry("run", "mkdocs", "build", "--strict", cwd=package)
    assert (package / "site" / "reference" / "lookup_client" / "index.html").is_file()


def test_turning_the_site_off_moves_the_links_back_to_the_readme_and_keeps_its_files(template, tmp_path):
    package = package_at_v1(template, tmp_path / "lookup-client")
    assert answers(package)["documentation_url"] == SITE
    result = update(package, data={"docs": "none"})
    readme_url = "https://gitlab.developers.cam.ac.uk/uis/devops/lookup-client/-/blob/main/README.md"
    assert answers(package)["docs"] == "none" and answers(package)["documentation_url"] == readme_url
    pyproject = tomlkit.parse((package / "pyproject.toml").read_text()).unwrap()
    assert pyproject["project"]["urls"]["Documentation"] == readme_url
    assert SITE not in (package / "README.md").read_text()
    assert not {"mkdocs", "pages"} & set(yaml.safe_load((package / ".gitlab-ci.yml").read_text()))
    for name in SITE_FILES:  # the package's own: it deletes them if it wants
        assert (package / name).is_file(), name
    assert any(
        note.startswith("mkdocs.yml and docs/: the package's own, kept")
        for note in migration_notes(result, "kept")
    )
    assert files_with_conflicts(package) == [] and migration_notes(result, "skipped") == []


OWN_MKDOCS = "site_name: Lookup Client\nnav:\n  - Home: index.md\n"
OWN_INDEX = "# Lookup Client\n\nOur own documentation.\n"


def test_a_package_with_its_own_mkdocs_yml_keeps_its_site_as_it_is(released, tmp_path):
    package = render(released, tmp_path / "lookup-client", vcs_ref="v0.1.0")
    write_tree(package, {"mkdocs.yml": OWN_MKDOCS, "docs/index.md": OWN_INDEX})
    git_init(package)
    git_commit_all(package, "Made at v0.1.0, with a site of its own")
    result = update(package, vcs_ref="v0.2.0", data={"docs": "mkdocs"})
    assert (package / "mkdocs.yml").read_text() == OWN_MKDOCS
    assert (package / "docs" / "index.md").read_text() == OWN_INDEX
    assert not (package / "docs" / "gen_ref_pages.py").exists()
    assert any(
        note.startswith("mkdocs.yml: the package's own documentation site")
        for note in migration_notes(result, "kept")
    )
    assert files_with_conflicts(package) == []


def test_a_package_that_deleted_its_site_does_not_get_it_back(template, tmp_path):
    package = package_at_v1(template, tmp_path / "lookup-client")
    assert (package / "mkdocs.yml").is_file()  # made with this release: the site comes with it
    git("rm", "--quiet", "-r", "mkdocs.yml", "docs", cwd=package)
    git_commit_all(package, "We keep our documentation elsewhere")
    result = update(package, vcs_ref="v1.1.0")
    assert not (package / "mkdocs.yml").exists() and not (package / "docs").exists()
    assert files_with_conflicts(package) == [] and migration_notes(result, "skipped") == []
