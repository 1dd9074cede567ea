"""A team lead's fleet: which packages are behind the template (`status`), and bringing them up
to date in one go (`update`), each on its own branch with one commit, nothing pushed.

The template's versions are made on the fly from this repository (v1.0.0, v1.1.0, a commit
after it that is no release, and v2.0.0, which also changes the README's title). The fleet is
real git repos rendered by real Copier: one current, one behind (its maintainer on a feature
branch, with a remote), one behind whose maintainer rewrote the README title (a conflict), one
with uncommitted work, one on a bare commit, and one never made from the template.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from helpers import (
    TEMPLATE_ROOT,
    git,
    git_commit_all,
    git_init,
    git_repo,
    render,
    run_cli,
    start_slowed_cli,
    template_snapshot,
    tree_contents,
)
from python_package_template import cli

# The first line of .pre-commit-config.yaml, a file the template owns (Copier merges it as text),
# as v1 has it, as v2.0.0 changes it, and as one maintainer rewrote it.
PRE_COMMIT_COMMENT = "# Run `poetry run pre-commit install` once; the hooks then run on every commit.\n"
NEW_PRE_COMMIT_COMMENT = "# The hooks run on every commit once `poetry run pre-commit install` has run.\n"
MAINTAINER_PRE_COMMIT_COMMENT = "# Hooks: see CONTRIBUTING.md.\n"


def replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new, 1))


def release(template: Path, version: str | None, message: str) -> str:
    git_commit_all(template, message)
    if version:
        git("tag", version, cwd=template)
    return git("rev-parse", "HEAD", cwd=template)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> dict[str, str | Path]:
    root = template_snapshot(tmp_path_factory.mktemp("template") / "python-package-template", "v1.0.0")
    (root / "template" / "CONTRIBUTING.md.jinja").write_text("# Contributing to {{ project_name }}\n")
    release(root, "v1.1.0", "template v1.1.0: a contributing guide")
    (root / "template" / "SECURITY.md.jinja").write_text("# Reporting security issues\n")
    unreleased = release(root, None, "a security policy, not released yet")
    replace_once(
        root / "template" / ".pre-commit-config.yaml.jinja", PRE_COMMIT_COMMENT, NEW_PRE_COMMIT_COMMENT
    )
    release(root, "v2.0.0", "template v2.0.0: the pre-commit configuration explained anew")
    return {"path": root, "unreleased": unreleased}


@pytest.fixture(scope="module", autouse=True)
def trusted_template(template, tmp_path_factory):
    """The team lead's configuration: this template is theirs ($PYTHON_PACKAGE_TEMPLATE), and
    Copier's settings trust nothing else."""
    settings = tmp_path_factory.mktemp("copier-settings") / "settings.yml"
    settings.write_text("trust: []\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHON_PACKAGE_TEMPLATE", str(template["path"]))
        patch.setenv("COPIER_SETTINGS_PATH", str(settings))
        yield settings


def package(template, root: Path, name: str, vcs_ref: str, remote: Path | None = None) -> Path:
    """A package rendered at `vcs_ref` and committed on main, as its maintainer would have it."""
    path = render(
        template["path"], root / name, {"project_name": name.replace("-", " ").title()}, vcs_ref=vcs_ref
    )
    git_init(path)
    git_commit_all(path, "Start from the template")
    if remote:
        git("init", "--quiet", "--bare", remote, cwd=root)
        git("remote", "add", "origin", remote, cwd=path)
        git("push", "--quiet", "origin", "main", cwd=path)
    return path


@dataclass
class Fleet:
    root: Path
    current: Path
    behind: Path  # its maintainer works on a feature branch, with an ignored .venv; it has a remote
    conflicting: Path  # its maintainer rewrote the line of .pre-commit-config.yaml v2.0.0 changes
    dirty: Path
    bare_commit: Path
    not_from_template: Path
    remote: Path


def make_fleet(template, root: Path) -> Fleet:
    root.mkdir(parents=True, exist_ok=True)
    remotes = root.parent / f"{root.name}-remotes"
    remotes.mkdir()
    fleet = Fleet(
        root=root,
        current=package(template, root, "current-pkg", "v2.0.0"),
        behind=package(template, root, "behind-pkg", "v1.0.0", remote=remotes / "behind-pkg.git"),
        conflicting=package(template, root, "conflicting-pkg", "v1.1.0"),
        dirty=package(template, root, "dirty-pkg", "v1.0.0"),
        bare_commit=package(template, root, "bare-commit-pkg", template["unreleased"]),
        not_from_template=git_repo(
            root / "plain-pkg",
            {
                "pyproject.toml": '[project]\nname = "plain-pkg"\nversion = "1.0.0"\n',
                "README.md": "# Plain\n",
            },
        ),
        remote=remotes / "behind-pkg.git",
    )
    git("switch", "--quiet", "-c", "my-feature", cwd=fleet.behind)
    (fleet.behind / "src" / "behind_pkg" / "feature.py").write_text("FEATURE = True\n")
    git_commit_all(fleet.behind, "Work in progress on a feature")
    (fleet.behind / ".venv").mkdir()
    (fleet.behind / ".venv" / "marker").write_text("ignored by git, never touched\n")
    replace_once(
        fleet.conflicting / ".pre-commit-config.yaml", PRE_COMMIT_COMMENT, MAINTAINER_PRE_COMMIT_COMMENT
    )
    git_commit_all(fleet.conflicting, "Explain the hooks our way")
    (fleet.dirty / "README.md").write_text("Half-written README\n")
    (fleet.dirty / "notes.txt").write_text("untracked notes\n")
    return fleet


def by_name(document: dict) -> dict[str, dict]:
    return {Path(p["path"]).name: p for p in document["packages"]}


# --- status ---


@pytest.fixture(scope="module")
def status_fleet(template, tmp_path_factory) -> Fleet:
    return make_fleet(template, tmp_path_factory.mktemp("status") / "packages")


def test_status_says_which_packages_are_behind_and_exits_non_zero(status_fleet):
    code, out, _ = run_cli("status", "--json", status_fleet.root)
    packages = by_name(json.loads(out))
    assert code == 1
    assert set(packages) == {
        "current-pkg",
        "behind-pkg",
        "conflicting-pkg",
        "dirty-pkg",
        "bare-commit-pkg",
        "plain-pkg",
    }
    current = packages["current-pkg"]
    assert (current["state"], current["version"], current["behind"]) == ("current", "v2.0.0", False)
    assert packages["behind-pkg"]["state"] == "behind"
    assert packages["behind-pkg"]["version"] == "v1.0.0" and packages["behind-pkg"]["latest"] == "v2.0.0"
    assert packages["behind-pkg"]["releases_behind"] == 2
    assert packages["conflicting-pkg"]["releases_behind"] == 1
    assert packages["plain-pkg"]["state"] == "not from the template"
    assert "answers-file" in packages["plain-pkg"]["failing_rules"]


def test_status_shows_a_package_on_a_bare_commit_as_no_release(status_fleet, template):
    _, out, _ = run_cli("status", "--json", status_fleet.bare_commit)
    (status,) = json.loads(out)["packages"]
    assert status["version"].startswith("v1.1.0-1-g") and status["on_release"] is False
    assert (
        status["version_label"].startswith("v1.1.0 + 1 commits (")
        and "not a release" in status["version_label"]
    )
    assert status["state"] == "behind" and status["releases_behind"] == 1


def test_status_reports_uncommitted_work(status_fleet):
    _, out, _ = run_cli("status", "--json", status_fleet.dirty, status_fleet.behind)
    packages = by_name(json.loads(out))
    assert packages["dirty-pkg"]["clean"] is False
    assert sorted(packages["dirty-pkg"]["uncommitted"]) == ["README.md", "notes.txt"]
    assert packages["behind-pkg"]["clean"] is True  # an ignored .venv is not uncommitted work


def test_status_table_on_the_terminal(status_fleet):
    code, out, _ = run_cli("status", status_fleet.root)
    header, rule, *rows = out.split("\n\n")[0].splitlines()
    assert header.split()[:4] == ["package", "on", "template", "version"] and set(rule) <= {"-", " "}
    row = next(r for r in rows if "behind-pkg" in r and "conflicting" not in r)
    assert "v1.0.0" in row and "v2.0.0" in row and "yes, 2 releases" in row and "clean" in row
    assert "6 packages: 4 behind, 1 up to date, 1 not from the template" in out


def test_status_markdown_report_puts_the_farthest_behind_first(status_fleet):
    code, out, _ = run_cli("status", "--markdown", status_fleet.root)
    assert code == 1
    assert out.startswith("# Template status of 6 packages\n")
    assert "- **4 behind** the newest release" in out
    rows = [line for line in out.splitlines() if line.startswith("| `")]
    names = [Path(row.split("`")[1]).name for row in rows]
    assert names[-2:] == ["plain-pkg", "current-pkg"]
    two_behind = [name for name, row in zip(names, rows, strict=True) if "**yes, 2 releases**" in row]
    assert names[: len(two_behind)] == two_behind and sorted(two_behind) == ["behind-pkg", "dirty-pkg"]


def test_status_exits_zero_when_every_package_is_current(status_fleet):
    code, out, _ = run_cli("status", status_fleet.current)
    assert code == 0, out


def test_status_changes_nothing(template, tmp_path):
    fleet = make_fleet(template, tmp_path / "packages")
    before = {p.name: tree_contents(p, skip=()) for p in fleet.root.iterdir()}
    run_cli("status", "--json", fleet.root)
    assert {p.name: tree_contents(p, skip=()) for p in fleet.root.iterdir()} == before


# --- update ---


@dataclass
class Updated:
    fleet: Fleet
    code: int
    document: dict
    before: dict[str, dict[str, bytes]]  # each package's files (without .git) before the update
    heads: dict[str, tuple[str, str]]  # each package's branch and commit before the update
    remote_refs: str


@pytest.fixture(scope="module")
def updated(template, tmp_path_factory) -> Updated:
    fleet = make_fleet(template, tmp_path_factory.mktemp("update") / "packages")
    packages = list(fleet.root.iterdir())
    before = {p.name: tree_contents(p, skip=(".git",)) for p in packages}
    heads = {
        p.name: (git("branch", "--show-current", cwd=p), git("rev-parse", "HEAD", cwd=p)) for p in packages
    }
    remote_refs = git("show-ref", cwd=fleet.remote)
    code, out, _ = run_cli("update", "--json", "--jobs", "2", fleet.root)
    return Updated(fleet, code, json.loads(out), before, heads, remote_refs)


def test_update_brings_each_package_behind_to_the_newest_release_on_its_own_branch(updated):
    packages = by_name(updated.document)
    for name in ("behind-pkg", "bare-commit-pkg"):
        report = packages[name]
        assert report["status"] == "updated" and report["branch"] == "template-update/v2.0.0", report
        path = updated.fleet.root / name
        answers = git("show", "template-update/v2.0.0:.copier-answers.yml", cwd=path)
        assert "_commit: v2.0.0" in answers
        assert NEW_PRE_COMMIT_COMMENT in git(
            "show", "template-update/v2.0.0:.pre-commit-config.yaml", cwd=path
        )


def test_update_makes_one_conventional_commit_per_package(updated):
    path = updated.fleet.behind
    start = updated.heads["behind-pkg"][1]
    log = git("log", "--format=%s", f"{start}..template-update/v2.0.0", cwd=path).splitlines()
    assert log == ["chore: update to python-package-template v2.0.0"]
    # The branch starts from the commit the maintainer had checked out, so it carries their work.
    assert git("merge-base", start, "template-update/v2.0.0", cwd=path) == start
    changed = git("diff", "--name-only", start, "template-update/v2.0.0", cwd=path).split()
    assert {".copier-answers.yml", ".pre-commit-config.yaml", "CONTRIBUTING.md", "SECURITY.md"} <= set(
        changed
    )


def test_update_leaves_the_maintainers_branch_and_files_exactly_as_they_were(updated):
    for path in updated.fleet.root.iterdir():
        assert (git("branch", "--show-current", cwd=path), git("rev-parse", "HEAD", cwd=path)) == (
            updated.heads[path.name]
        ), path.name
        assert tree_contents(path, skip=(".git",)) == updated.before[path.name], path.name
        assert git("worktree", "list", "--porcelain", cwd=path).count("worktree ") == 1, path.name
    assert (updated.fleet.behind / ".venv" / "marker").is_file()


def test_update_pushes_nothing(updated):
    assert git("show-ref", cwd=updated.fleet.remote) == updated.remote_refs
    assert "template-update" not in git("ls-remote", "origin", cwd=updated.fleet.behind)


def test_update_skips_a_package_with_uncommitted_changes_and_says_why(updated):
    report = by_name(updated.document)["dirty-pkg"]
    assert report["status"] == "skipped" and report["branch"] is None
    assert "uncommitted changes" in report["reason"] and "README.md" in report["reason"]
    assert "template-update" not in git("branch", "--list", cwd=updated.fleet.dirty)


def test_update_reports_conflicts_with_the_files_to_resolve_and_keeps_the_branch(updated):
    report = by_name(updated.document)["conflicting-pkg"]
    assert report["status"] == "conflicts" and report["conflicts"] == [".pre-commit-config.yaml"]
    assert report["branch"] == "template-update/v2.0.0"
    path = updated.fleet.conflicting
    merged = git("show", "template-update/v2.0.0:.pre-commit-config.yaml", cwd=path)
    assert "<<<<<<< before updating" in merged and MAINTAINER_PRE_COMMIT_COMMENT in merged
    message = git("log", "-1", "--format=%B", "template-update/v2.0.0", cwd=path)
    assert (
        message.startswith("chore: update to python-package-template v2.0.0\n")
        and "- .pre-commit-config.yaml" in message
    )
    assert updated.code == 1  # a conflict is left to resolve


def test_update_leaves_current_and_foreign_packages_alone(updated):
    packages = by_name(updated.document)
    assert packages["current-pkg"]["status"] == "up to date"
    assert packages["plain-pkg"]["status"] == "skipped" and "onboard" in packages["plain-pkg"]["reason"]
    for name in ("current-pkg", "plain-pkg"):
        assert "template-update" not in git("branch", "--list", cwd=updated.fleet.root / name)


def test_after_update_status_sees_the_branches_as_current(updated):
    path = updated.fleet.behind
    git("switch", "--quiet", "template-update/v2.0.0", cwd=path)
    try:
        code, out, _ = run_cli("status", "--json", path)
        assert json.loads(out)["packages"][0]["state"] == "current" and code == 0
    finally:
        git("switch", "--quiet", "my-feature", cwd=path)


def test_update_to_an_older_release_with_vcs_ref(template, tmp_path):
    path = package(template, tmp_path, "old-pkg", "v1.0.0")
    code, out, _ = run_cli("update", "--json", "--vcs-ref", "v1.1.0", path)
    (report,) = json.loads(out)["packages"]
    assert code == 0 and report["status"] == "updated" and report["branch"] == "template-update/v1.1.0"
    assert "_commit: v1.1.0" in git("show", "template-update/v1.1.0:.copier-answers.yml", cwd=path)
    # Run again: the branch awaits review, so nothing is redone.
    code, out, _ = run_cli("update", "--json", "--vcs-ref", "v1.1.0", path)
    (again,) = json.loads(out)["packages"]
    assert again["status"] == "skipped" and "exists already" in again["reason"]


def test_update_to_a_release_that_does_not_exist_fails_and_changes_nothing(template, tmp_path):
    path = package(template, tmp_path, "old-pkg", "v1.0.0")
    code, out, _ = run_cli("update", "--json", "--vcs-ref", "v9.9.9", path)
    (report,) = json.loads(out)["packages"]
    assert code == 1 and report["status"] == "failed" and "no release v9.9.9" in report["reason"]
    assert git("branch", "--list", cwd=path) == "* main"


def test_a_failed_update_deletes_its_branch_and_leaves_the_package_as_it_was(template, tmp_path):
    path = package(template, tmp_path, "old-pkg", "v1.0.0")
    # An answers file Copier refuses: the update fails inside Copier.
    replace_once(path / ".copier-answers.yml", "python_min: '3.11'", "python_min: '2.7'")
    git_commit_all(path, "An answer the template refuses")
    before = tree_contents(path, skip=(".git",))
    code, out, _ = run_cli("update", "--json", path)
    (report,) = json.loads(out)["packages"]
    assert code == 1 and report["status"] == "failed" and "copier update failed" in report["reason"]
    assert git("branch", "--list", cwd=path) == "* main"
    assert tree_contents(path, skip=(".git",)) == before
    assert git("worktree", "list", "--porcelain", cwd=path).count("worktree ") == 1


def test_update_prints_a_summary_table(template, tmp_path):
    path = package(template, tmp_path, "old-pkg", "v1.1.0")
    code, out, err = run_cli("update", path)
    assert code == 0, out + err
    table = out.split("\n\n")[-2]
    assert table.splitlines()[0].split()[:4] == ["package", "status", "from", "to"]
    assert "updated  v1.1.0  v2.0.0  template-update/v2.0.0" in table
    assert "Nothing is pushed" in out


def test_readmes_fleet_commands_are_ones_the_command_accepts():
    readme = (TEMPLATE_ROOT / "README.md").read_text()
    section = readme.split("## Keeping the fleet current\n", 1)[1].split("\n## ", 1)[0]
    commands = re.search(r"```console\n(.*?)\n```", section, flags=re.S)[1].splitlines()
    assert [c.split()[1] for c in commands] == ["status", "status", "update"]
    for line in commands:
        words = shlex.split(line.split("#", 1)[0].split(">", 1)[0])
        assert words[0] == "python-package-template"
        cli.build_parser().parse_args(words[1:])  # exits (fails the test) on a usage error


# --- trust, symlinks and interrupted updates ---


def other_template(root: Path, marker: Path) -> Path:
    """A template nobody configured, whose v2.0.0 migration writes `marker`: the code a changed
    `_src_path` would run on the machine of whoever updates the fleet."""
    root.mkdir(parents=True)
    (root / "copier.yml").write_text(
        "_subdirectory: template\n"
        "_migrations:\n"
        "  - version: v2.0.0\n"
        f"    command: [{json.dumps(sys.executable)}, -c, \"open({str(marker)!r}, 'w').write('ran')\"]\n"
        "project_name:\n  type: str\n  default: Other\n"
    )
    (root / "template").mkdir()
    (root / "template" / "README.md.jinja").write_text("# {{ project_name }}\n")
    (root / "template" / "{{ _copier_conf.answers_file }}.jinja").write_text(
        "{{ _copier_answers|to_nice_yaml }}"
    )
    git_init(root)
    release(root, "v1.0.0", "v1")
    (root / "template" / "README.md.jinja").write_text("# {{ project_name }}, version 2\n")
    release(root, "v2.0.0", "v2: a migration")
    return root


@pytest.fixture
def foreign(template, tmp_path) -> dict[str, Path]:
    """A package of the fleet whose answers file was changed (one merged MR) to name another template."""
    marker = tmp_path / "the-other-templates-code-ran"
    other = other_template(tmp_path / "other-template", marker)
    path = package(template, tmp_path / "packages", "foreign-pkg", "v1.0.0")
    answers = path / ".copier-answers.yml"
    text = re.sub(r"^_src_path: .*$", f"_src_path: {other}", answers.read_text(), flags=re.M)
    answers.write_text(re.sub(r"^_commit: .*$", "_commit: v1.0.0", text, flags=re.M))
    git_commit_all(path, "Follow another template")
    return {"path": path, "other": other, "marker": marker}


def test_update_runs_no_code_of_a_template_you_do_not_trust(foreign):
    code, out, _ = run_cli("update", "--json", foreign["path"])
    (report,) = json.loads(out)["packages"]
    assert report["status"] == "skipped" and "not said you trust" in report["reason"]
    assert f"update --template {foreign['other']} {foreign['path']}" in report["reason"]
    assert "trust:" in report["reason"] and "Copier's settings" in report["reason"]
    assert not foreign["marker"].exists()
    assert "template-update" not in git("branch", "--list", cwd=foreign["path"])


def test_status_marks_a_package_on_a_template_you_do_not_trust(foreign, trusted_template):
    _, out, _ = run_cli("status", "--json", foreign["path"])
    (status,) = json.loads(out)["packages"]
    assert status["trusted"] is False and status["template"] == str(foreign["other"])
    _, table, _ = run_cli("status", foreign["path"])
    assert "yes, 1 release (template not trusted)" in table and "1 on a template you have not said" in table
    _, markdown, _ = run_cli("status", "--markdown", foreign["path"])
    assert "- 1 on a template you have not said you trust" in markdown


@pytest.mark.parametrize("how", ["--template", "Copier's trust setting"])
def test_update_runs_a_template_you_trust_on_purpose(foreign, trusted_template, how, monkeypatch):
    if how == "--template":
        args = ["--template", str(foreign["other"])]
    else:
        settings = trusted_template.parent / "trusting.yml"
        settings.write_text(f"trust:\n  - {foreign['other'].parent}/\n")  # a prefix: all under it
        monkeypatch.setenv("COPIER_SETTINGS_PATH", str(settings))
        args = []
    code, out, _ = run_cli("update", "--json", *args, foreign["path"])
    (report,) = json.loads(out)["packages"]
    assert report["branch"] == "template-update/v2.0.0", report  # (its README conflicts: not our template)
    assert foreign["marker"].read_text() == "ran"


def test_update_refuses_a_package_with_a_symlink_out_of_its_repository(template, tmp_path):
    path = package(template, tmp_path, "linked-pkg", "v1.0.0")
    elsewhere = tmp_path / "shared-readme.md"
    elsewhere.write_text("# The README everyone shares\n")
    (path / "README.md").unlink()
    (path / "README.md").symlink_to(elsewhere)
    git_commit_all(path, "Share the README")
    code, out, _ = run_cli("update", "--json", path)
    (report,) = json.loads(out)["packages"]
    assert report["status"] == "skipped" and report["reason"].startswith("README.md (leads to ")
    assert elsewhere.read_text() == "# The README everyone shares\n"
    assert "template-update" not in git("branch", "--list", cwd=path)


SLOW_UPDATE = """\
# Slows each package's `copier update` down (test tooling): the test is told when one runs.
import os, time
from pathlib import Path

from python_package_template import fleet

_update = fleet.copier_update


def slow_copier_update(worktree, target):
    Path(os.environ["PPT_TEST_WINDOW"]).touch()
    time.sleep(3)
    return _update(worktree, target)


fleet.copier_update = slow_copier_update
"""


@pytest.mark.slow
@pytest.mark.parametrize(
    "sig, jobs",
    [(signal.SIGTERM, "2"), (signal.SIGKILL, "2"), (signal.SIGINT, "1")],
    ids=["SIGTERM", "SIGKILL", "SIGINT, one package at a time"],
)
def test_an_update_killed_midway_leaves_nothing_a_rerun_trips_on(template, tmp_path, sig, jobs):
    paths = [package(template, tmp_path / "packages", f"pkg-{n}", "v1.0.0") for n in range(2)]
    process, scratch = start_slowed_cli(tmp_path, SLOW_UPDATE, "update", "--jobs", jobs, *paths, deadline=120)
    os.killpg(process.pid, sig)
    out, err = process.communicate(timeout=120)
    if sig != signal.SIGKILL:
        assert process.returncode == 130 and "Traceback" not in out + err, out + err
        assert "Interrupted: the packages marked so were left as they were" in out
        for path in paths:  # the interrupted run cleaned up after itself
            assert git("worktree", "list", "--porcelain", cwd=path).count("worktree ") == 1
            assert "template-update" not in git("branch", "--list", cwd=path)
        assert list(scratch.iterdir()) == []  # temporary directories removed

    code, out, err = run_cli("update", "--json", *paths)
    reports = json.loads(out)["packages"]
    assert code == 0 and [r["status"] for r in reports] == ["updated", "updated"], out + err
    for path in paths:
        assert git("worktree", "list", "--porcelain", cwd=path).count("worktree ") == 1
    if sig == signal.SIGKILL:  # (the other worker may not have made its worktree yet)
        cleaned = [r for r in reports if "removed what an interrupted update left" in " ".join(r["notes"])]
        assert cleaned, reports


def test_update_leaves_the_worktree_of_an_update_still_running_alone_and_names_the_command(
    template, tmp_path
):
    path = package(template, tmp_path, "busy-pkg", "v1.0.0")
    running = tmp_path / "ppt-update-running" / "busy-pkg"
    reason = f"python-package-template update, pid {os.getpid()}"  # a process that is alive
    git(
        "worktree",
        "add",
        "--quiet",
        "--lock",
        "--reason",
        reason,
        "-b",
        "template-update/v2.0.0",
        running,
        cwd=path,
    )
    code, out, _ = run_cli("update", "--json", path)
    (report,) = json.loads(out)["packages"]
    assert report["status"] == "skipped" and "exists already" in report["reason"]
    assert (
        f"git worktree remove --force --force {running} && git branch -D template-update/v2.0.0"
        in report["reason"]
    )
    assert running.is_dir() and "template-update/v2.0.0" in git("branch", "--list", cwd=path)


def test_a_package_rendered_before_its_commit_was_tagged_is_on_that_release(tmp_path):
    # The first packages are made from HEAD before the first release is tagged: Copier records
    # the bare commit. Once that commit is tagged, the package is on the release, as `copier
    # check-update` says, and behind only the releases after it (an annotated tag, too).
    root = template_snapshot(tmp_path / "python-package-template", "v0.0.1")
    git("tag", "-d", "v0.0.1", cwd=root)
    package_path = render(root, tmp_path / "early-pkg", {"project_name": "Early Pkg"})
    commit = yaml.safe_load((package_path / ".copier-answers.yml").read_text())["_commit"]
    assert "v" not in commit, "recorded as a bare commit"
    git_init(package_path)
    git_commit_all(package_path, "Start from the template")
    git("tag", "v1.0.0", cwd=root)
    (root / "template" / "SECURITY.md.jinja").write_text("# Reporting security issues\n")
    git_commit_all(root, "template v1.1.0")
    git("tag", "-a", "-m", "v1.1.0", "v1.1.0", cwd=root)

    _, out, _ = run_cli("status", "--json", package_path)
    (status,) = json.loads(out)["packages"]
    assert status["version_label"] == f"v1.0.0 ({commit[:7]})" and status["on_release"] is True
    assert (status["state"], status["releases_behind"]) == ("behind", 1)
    code, out, _ = run_cli("onboard", "--check", "--json", "--no-build", "--template", root, package_path)
    (rule,) = [r for r in json.loads(out)["packages"][0]["rules"] if r["rule"] == "template-version"]
    assert rule["status"] == "fail" and "is behind v1.1.0" in rule["detail"], rule
