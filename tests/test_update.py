"""`copier update` brings packages made from older template versions in line, losing nothing.

Template versions are made on the fly, as copier's own tests do: this repository is copied into
a throwaway git repo and tagged v1.0.0; a few template changes make v1.1.0 and v2.0.0. Each story
renders a package at v1.0.0, commits it, edits it like a maintainer would, runs a real
`copier update`, and looks at the result.
"""

from __future__ import annotations

import json
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
from copier.errors import TaskError

from helpers import (
    TEMPLATE_ROOT,
    git,
    git_commit_all,
    git_init,
    poetry,
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

COPIER = tool("copier")
MIGRATE = TEMPLATE_ROOT / "extensions" / "migrate.py"

# v1.1.0 changes that merge cleanly into any package.
NEW_README_LINE = "Run `poetry run pre-commit run --all-files` before you push."
NEW_FILE = "CONTRIBUTING.md"
# v2.0.0 also changes the README's first line, which a maintainer may rewrite too.
NEW_TITLE_SUFFIX = " (a Python package)"
SKIP_IF_EXISTS_MARK = "# Changed in template v2.0.0."


@dataclass(frozen=True)
class Template:
    path: Path
    pin_v1: str  # the common pipeline tag pinned in copier.yml at v1.0.0 and v1.1.0
    pin_v2: str  # ... and at v2.0.0


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


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Template:
    root = template_snapshot(tmp_path_factory.mktemp("template") / "python-package-template", "v1.0.0")

    replace_once(
        root / "template" / "README.md.jinja", "## Development\n", f"## Development\n\n{NEW_README_LINE}\n"
    )
    write_tree(
        root,
        {f"template/{NEW_FILE}.jinja": "# Contributing to {{ project_name }}\n\nMerge requests welcome.\n"},
    )
    tag(root, "v1.1.0")

    copier_yml = root / "copier.yml"
    pin_v1 = re.search(r"&ci_templates_ref (v\d+\.\d+\.\d+)", copier_yml.read_text()).group(1)
    pin_v2 = next_minor(pin_v1)
    replace_once(copier_yml, f"&ci_templates_ref {pin_v1}", f"&ci_templates_ref {pin_v2}")
    replace_once(
        root / "template" / "README.md.jinja",
        "# {{ project_name }}\n",
        "# {{ project_name }}" + NEW_TITLE_SUFFIX + "\n",
    )
    for skipped in (
        "CHANGELOG.md.jinja",
        "tests/test_package.py.jinja",
        "src/{{ package_name }}/__init__.py.jinja",
    ):
        with (root / "template" / skipped).open("a") as file:
            file.write(f"\n{SKIP_IF_EXISTS_MARK}\n")
    tag(root, "v2.0.0")
    return Template(root, pin_v1, pin_v2)


def package_at_v1(template: Template, destination: Path, answers: dict | None = None) -> Path:
    """A package rendered at v1.0.0 and committed, as its maintainer would have it."""
    render(template.path, destination, answers, vcs_ref="v1.0.0")
    git_init(destination)
    git_commit_all(destination, "Start from the template")
    return destination


def update(package: Path, **options) -> None:
    """`copier update --trust --defaults` (to the newest tag unless vcs_ref says otherwise)."""
    options.setdefault("conflict", "inline")
    copier.run_update(str(package), overwrite=True, unsafe=True, defaults=True, quiet=True, **options)


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
    append(package / "CHANGELOG.md", USER_CHANGELOG)
    git_commit_all(package, "Write the client")
    before_update = {
        str(path.relative_to(package)): path.read_text()
        for path in package.rglob("*")
        if path.is_file() and ".git" not in path.parts
    }
    update(package, data={"description": NEW_DESCRIPTION})  # no vcs_ref: the newest tag
    return Edited(package, before_update)


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


def test_update_brings_changed_lines_in_files_the_maintainer_did_not_touch(updated):
    readme = (updated / "README.md").read_text()
    assert f"## Development\n\n{NEW_README_LINE}\n" in readme
    assert readme.startswith(f"# Lookup Client{NEW_TITLE_SUFFIX}\n")


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


# --- conflicts ----------------------------------------------------------------------------------

MAINTAINER_TITLE = "# Lookup Client: the official client"


@pytest.fixture
def retitled(template, tmp_path) -> Path:
    """A package whose maintainer rewrote the README title, which v2.0.0 changes too."""
    package = package_at_v1(template, tmp_path / "lookup-client")
    replace_once(package / "README.md", "# Lookup Client\n", MAINTAINER_TITLE + "\n")
    append(package / ".gitlab-ci.yml", USER_CI_JOB)
    git_commit_all(package, "A better title")
    return package


def test_update_marks_conflicts_inline_where_both_sides_changed_the_same_line(retitled):
    update(retitled, vcs_ref="v2.0.0", conflict="inline")
    readme = (retitled / "README.md").read_text()
    assert (
        "<<<<<<< before updating\n"
        f"{MAINTAINER_TITLE}\n"
        "=======\n"
        f"# Lookup Client{NEW_TITLE_SUFFIX}\n"
        ">>>>>>> after updating\n"
    ) in readme
    assert f"## Development\n\n{NEW_README_LINE}\n" in readme  # the rest of the file merged
    assert files_with_conflicts(retitled) == ["README.md"]
    # git sees the conflict, so the maintainer cannot commit it by accident.
    assert "UU README.md" in git("status", "--porcelain", cwd=retitled).splitlines()


def test_update_with_conflict_rej_leaves_rej_files_next_to_the_files(retitled):
    update(retitled, vcs_ref="v2.0.0", conflict="rej")
    rejected = (retitled / "README.md.rej").read_text()
    assert f"-# Lookup Client\n+{MAINTAINER_TITLE}\n" in rejected
    readme = (retitled / "README.md").read_text()
    assert readme.startswith(f"# Lookup Client{NEW_TITLE_SUFFIX}\n") and "<<<<<<<" not in readme
    assert files_with_conflicts(retitled) == ["README.md.rej"]
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
    assert "pywin32>=306; sys_platform == 'win32'" in pyproject["project"]["dependencies"]
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


def test_a_migration_that_cannot_decide_stops_the_update_and_changes_nothing(old_package, capfd):
    (old_package / "LICENSE").write_text(APACHE_LICENSE_START)
    git_commit_all(old_package, "Apache, actually")
    with pytest.raises(TaskError):
        update(old_package, vcs_ref="v1.1.0")
    assert "LICENSE is not the MIT licence" in capfd.readouterr().err
    assert (old_package / "pyproject.toml").read_text() == POETRY1_PYPROJECT
    assert (old_package / "LICENSE").read_text() == APACHE_LICENSE_START
    assert (old_package / ".gitlab-ci.yml").read_text() == OLD_GITLAB_CI


def migrate(
    *args: str, cwd: Path, python: tuple[str, ...] = (sys.executable,)
) -> subprocess.CompletedProcess:
    return run(*python, MIGRATE, *args, cwd=cwd, check=False)


AFTER = (
    "after",
    "--ci-project",
    "uis/devops/continuous-delivery/ci-templates",
    "--ci-file",
    "/auto-devops/common-pipeline.yml",
    "--ci-ref",
    "v6.0.0",
)


def test_a_migration_waits_for_conflict_markers_to_be_resolved(tmp_path):
    conflicted = POETRY1_PYPROJECT.replace(
        'version = "1.4.2"\n',
        '<<<<<<< before updating\nversion = "1.4.2"\n=======\nversion = "1.5.0"\n>>>>>>> after updating\n',
    )
    write_tree(tmp_path, {"pyproject.toml": conflicted, ".gitlab-ci.yml": OLD_GITLAB_CI})
    result = migrate(*AFTER, cwd=tmp_path)
    assert result.returncode == 0
    assert (
        "pyproject.toml still has conflict markers" in result.stderr
        and "copier update --trust" in result.stderr
    )
    assert (tmp_path / "pyproject.toml").read_text() == conflicted
    assert "ref: v6.0.0" in (tmp_path / ".gitlab-ci.yml").read_text()  # the other files go ahead


def test_migrations_say_how_to_install_tomlkit_when_copier_lacks_it(tmp_path):
    # -S: no site-packages, as in a Copier installed without the template's requirements.
    result = migrate(*AFTER, cwd=tmp_path, python=(sys.executable, "-S"))
    assert result.returncode == 2
    assert "need tomlkit" in result.stderr and "pipx inject copier tomlkit" in result.stderr


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
