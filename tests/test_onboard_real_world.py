"""Onboarding real-world package shapes changes what they publish only where the rules ask.

Each shape (tests/real_world.py) is a git repo with its remote; the story for each is the one
a maintainer lives: it builds with its own backend, `onboard --yes` onboards it, it builds again
with the same backend and its wheel differs only where the rules intend (README, an MIT
package's licence metadata, URLs from its remote), and once committed, onboarding it again
changes nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from helpers import git, git_commit_all, git_repo, run_cli, tree_contents
from python_package_template import cli, onboard
from python_package_template.proof import Intended, build_package, compare
from real_world import LATIN1_README, SHAPES

pytestmark = pytest.mark.slow


def make(root: Path, name: str) -> Path:
    files, remote, tag = SHAPES[name]
    package = root / name
    package.mkdir(parents=True)
    for relative, text in files.items():
        target = package / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(text.encode("utf-8"))  # as written: CRLF stays CRLF
    git_repo(package, {}, remote)
    if tag:
        git("tag", tag, cwd=package)
    return package


def added_urls(before, after) -> tuple[str, ...]:
    new = set(after.metadata.get("project-url", [])) - set(before.metadata.get("project-url", []))
    return tuple(url.split(", ", 1)[1] for url in sorted(new))


# What each shape must show after onboarding, besides the wheel proof.
def expect_ucam_lookup(package: Path, report: dict) -> None:
    project = tomllib.loads((package / "pyproject.toml").read_text())
    assert project["build-system"]["requires"] == ["poetry-core>=2.0.0,<3.0.0"]
    classifiers = project["project"]["classifiers"]
    # Poetry 1 wrote these by itself; they are written out, not dropped, and none is added.
    assert "Programming Language :: Python :: 3.7" in classifiers
    assert not any(
        c.startswith(("Development Status", "Intended Audience", "Operating System")) for c in classifiers
    )
    assert classifiers.count("Topic :: Internet") == 2, "the package's own list, duplicate and all"
    assert '"Topic :: Internet",  # listed twice, long ago' in (package / "pyproject.toml").read_text()
    assert not any("Poetry no longer adds" in c for c in report["changes"]), "they are written out"
    assert project["project"]["entry-points"] == {"ucamlookup.backends": {"ldap": "ucamlookup.ldap:Backend"}}
    assert project["project"]["urls"]["Issues"] == (
        "https://gitlab.developers.cam.ac.uk/uis/devops/lookup/ucam-lookup/-/issues"
    )
    assert (package / "LICENSE.txt").is_file() and not (package / "LICENSE").exists()
    assert report["answers"]["package_layout"] == "src" and report["answers"]["license"] == "MIT"


def expect_lookup_client_v2(package: Path, report: dict) -> None:
    project = tomllib.loads((package / "pyproject.toml").read_text())
    summary = tomllib.loads(SHAPES["lookup-client-v2"][0]["pyproject.toml"])["tool"]["poetry"]["description"]
    assert len(summary) > 200 and project["project"]["description"] == summary
    assert project["project"]["authors"] == []
    assert project["tool"]["poe"]["tasks"] == {"test": {"cmd": "pytest"}, "lint": {"cmd": "ruff check"}}
    # Its own dev group keeps its form (pytest comes from the included test group); the hooks'
    # pre-commit is not added, as the hooks are not (lint_settings: own).
    assert project["dependency-groups"]["dev"] == [{"include-group": "test"}, "ruff"]
    assert project["project"]["urls"]["Issues"] == "https://github.com/uisdevops/lookup-client-v2/issues"
    assert project["project"]["license"] == "MIT" and (package / "LICENSE.txt").is_file()
    answers = yaml.safe_load((package / ".copier-answers.yml").read_text())
    assert answers["project_name"] == "lookup_client_v2"
    readme = (package / "README.md").read_text()
    assert "/-/" not in readme and "https://github.com/uisdevops/lookup-client-v2/issues" in readme
    assert answers["documentation_url"] == "https://github.com/uisdevops/lookup-client-v2#readme"
    assert (answers["package_layout"], answers["license"]) == ("flat", "MIT")
    assert not (package / "src").exists() and not (package / "tests/test_package.py").exists()


def expect_libpkg(package: Path, report: dict) -> None:
    project = tomllib.loads((package / "pyproject.toml").read_text())
    assert project["build-system"]["requires"] == ["setuptools>=61,<68", "wheel"]
    assert project["project"]["license"] == {"text": "MIT"}, "setuptools<68 cannot write PEP 639"
    assert any("predates PEP 639" in n for n in report["notes"])
    assert any("kept setuptools" in n for n in report["notes"])
    assert any("no git remote" in n for n in report["notes"]) and "urls" not in project["project"]
    readme = (package / "README.md").read_text()
    assert "gitlab.developers" not in readme, "no links to a made-up GitLab project"
    assert "TODO(template): where the source code and issues are" in readme
    assert not (package / "src").exists()
    assert report["answers"]["package_layout"] == "flat"


def expect_onemod(package: Path, report: dict) -> None:
    project = tomllib.loads((package / "pyproject.toml").read_text())
    assert project["project"]["license"] == "Apache-2.0" and (package / "LICENSE").is_file()
    assert project["project"]["authors"] == [{"name": "Acme, Inc.", "email": "dev@acme.example"}]
    assert project["project"]["urls"]["Issues"] == "https://gitlab.com/acme/onemod/-/issues"
    assert any("not the MIT licence" in c for c in report["conflicts"])
    assert (report["answers"]["package_layout"], report["answers"]["license"]) == ("flat", "other")


def expect_hatch_data(package: Path, report: dict) -> None:
    project = tomllib.loads((package / "pyproject.toml").read_text())
    assert project["build-system"]["build-backend"] == "hatchling.build"
    assert project["project"]["authors"][0]["name"] == "Zoë Ångström"
    assert report["answers"]["author_name"] == "Zoë Ångström"
    assert project["project"]["urls"]["Issues"] == "https://github.com/zoe/hatch-data/issues"
    assert report["answers"]["license"] == "other"


def expect_fancy_vcs(package: Path, report: dict) -> None:
    project = tomllib.loads((package / "pyproject.toml").read_text())
    assert "readme" not in project["project"] and project["project"]["dynamic"] == ["version", "readme"]
    assert project["project"]["license"] == "MIT" and project["project"]["license-files"] == ["LICENSE.txt"]
    assert any("neither GitLab nor GitHub" in n for n in report["notes"]) and "urls" not in project["project"]


def expect_flitpkg(package: Path, report: dict) -> None:
    text = (package / "pyproject.toml").read_text()
    assert text.startswith(SHAPES["flitpkg"][0]["pyproject.toml"]), "only tool tables appended"
    assert any("kept flit" in n for n in report["notes"])
    assert (package / "LICENSE").read_text() == SHAPES["flitpkg"][0]["LICENSE"]


def expect_crlf(package: Path, report: dict) -> None:
    for name in ("pyproject.toml", "README.md"):
        data = (package / name).read_bytes()
        assert data.count(b"\n") == data.count(b"\r\n"), f"{name} keeps its CRLF line ends"
        original = SHAPES["crlf-pkg"][0][name].encode()
        if name == "README.md":
            assert data.startswith(original), "the README's own lines are unchanged"
    diff = git("diff", "--numstat", "--", "pyproject.toml", cwd=package)
    assert diff.split()[1] == "0", "only lines added to pyproject.toml, none rewritten"


EXPECT = {
    "ucam-lookup": expect_ucam_lookup,
    "lookup-client-v2": expect_lookup_client_v2,
    "libpkg": expect_libpkg,
    "onemod": expect_onemod,
    "hatch-data": expect_hatch_data,
    "fancy-vcs": expect_fancy_vcs,
    "flitpkg": expect_flitpkg,
    "crlf-pkg": expect_crlf,
}
NOT_MIT = {"onemod", "hatch-data", "flitpkg"}


@pytest.mark.parametrize("name", sorted(SHAPES))
def test_onboarding_changes_only_what_the_rules_ask_and_twice_nothing(tmp_path, template, name):
    package = make(tmp_path, name)
    before = build_package(package)

    code, out, err = run_cli("onboard", "--yes", "--json", "--jobs", "1", "--template", template, package)
    report = json.loads(out)["packages"][0]
    assert report["status"] == "onboarded", report
    assert code == (1 if name in NOT_MIT else 0), out + err  # a licence to decide by hand

    after = build_package(package)
    intended = Intended(licence_metadata=name not in NOT_MIT, added_urls=added_urls(before, after))
    assert compare(before, after, intended) == []
    for url in intended.added_urls:
        assert url in " ".join(report["changes"]), "each added URL is listed in the report"
    EXPECT[name](package, report)

    git_commit_all(package, "Onboard to the template")
    committed = tree_contents(package)
    code, out, _ = run_cli("onboard", "--yes", "--json", "--jobs", "1", "--template", template, package)
    assert json.loads(out)["packages"][0]["status"] == "unchanged"
    assert tree_contents(package) == committed


def test_a_latin1_readme_is_refused_with_its_name_and_nothing_changes(tmp_path, template):
    files, remote, _ = SHAPES["crlf-pkg"]
    package = make(tmp_path, "crlf-pkg")
    (package / "README.md").write_bytes(LATIN1_README)
    (package / "pyproject.toml").write_text(
        files["pyproject.toml"]
        .replace("\r\n", "\n")
        .replace("dependencies = []", 'dependencies = []\nreadme = "README.md"')
    )
    git_commit_all(package, "a Latin-1 README")
    before = tree_contents(package)
    code, out, _ = run_cli("onboard", "--yes", "--json", "--template", template, package)
    report = json.loads(out)["packages"][0]
    assert code == 1 and report["status"] == "error"
    assert "README.md is not UTF-8" in report["error"] and "Nothing was changed" in report["error"]
    assert tree_contents(package) == before and git("status", "--porcelain", cwd=package) == ""


def test_a_change_to_the_wheel_leaves_the_package_as_it_was_and_says_what(tmp_path, template):
    # A subpackage named `build`: the template's .gitignore ignores build/, and poetry-core
    # leaves out what git ignores, so the wheel would lose it. Onboarding must not write that.
    package = make(tmp_path, "crlf-pkg")
    (package / "src/crlf_pkg/build").mkdir()
    (package / "src/crlf_pkg/build/__init__.py").write_text('"""Builds things."""\n')
    git_commit_all(package, "a subpackage named build")
    before = tree_contents(package)
    code, out, _ = run_cli("onboard", "--yes", "--json", "--template", template, package)
    report = json.loads(out)["packages"][0]
    assert code == 1 and report["status"] == "error", report
    assert report["error"].startswith("left as it was")
    assert "files no longer in the wheel: crlf_pkg/build/__init__.py" in report["error"]
    assert ".gitignore: added" in report["error"], "the planned edits are listed"
    assert tree_contents(package) == before and git("status", "--porcelain", cwd=package) == ""


def test_ctrl_c_during_a_fleet_run_leaves_no_package_half_written(tmp_path, template, monkeypatch):
    packages = [make(tmp_path, name) for name in ("crlf-pkg", "libpkg", "ucam-lookup")]
    originals = {p: tree_contents(p) for p in packages}
    written = []

    def interrupted_on_the_second_package(target, data):
        written.append(target)
        if packages[1] in target.parents and len([t for t in written if packages[1] in t.parents]) == 3:
            raise KeyboardInterrupt  # Ctrl-C, half-way through writing libpkg's files
        target.write_bytes(data)

    monkeypatch.setattr(onboard, "write_file", interrupted_on_the_second_package)
    out = __import__("io").StringIO()
    code = cli.main(
        ["onboard", "--yes", "--jobs", "1", "--template", str(template), *map(str, packages)],
        out=out,
        err=out,
    )
    assert code == 130
    text = out.getvalue()
    assert "Interrupted: 2 package(s) were left exactly as they were" in text
    assert (packages[0] / ".copier-answers.yml").is_file(), "the first was onboarded completely"
    for package in packages[1:]:
        assert tree_contents(package) == originals[package], package.name
        assert git("status", "--porcelain", cwd=package) == "", package.name


# --- --check judges each package by its own build ---


def test_check_builds_each_package_with_its_own_backend_without_poetry_on_path(tmp_path, monkeypatch):
    packages = [make(tmp_path, name) for name in ("libpkg", "hatch-data", "fancy-vcs", "flitpkg")]
    git_dir = str(Path(shutil.which("git")).parent)
    monkeypatch.setenv("PATH", git_dir)
    assert shutil.which("poetry") is None
    code, out, err = run_cli("onboard", "--check", "--json", "--jobs", "2", *packages)
    document = json.loads(out)
    for package in document["packages"]:
        rules = {r["rule"]: r for r in package["rules"]}
        assert rules["pypi-metadata"]["status"] == "pass", (package["path"], rules["pypi-metadata"])
        assert rules["readme-field"]["status"] == "pass", (package["path"], rules["readme-field"])
    details = [
        next(r["detail"] for r in p["rules"] if r["rule"] == "pypi-metadata") for p in document["packages"]
    ]
    assert [d.split(":")[0] for d in details] == [
        "built with setuptools",
        "built with hatchling",
        "built with hatchling",
        "built with flit",
    ]
    fancy = next(r for r in document["packages"][2]["rules"] if r["rule"] == "readme-field")
    assert "readme is dynamic, and the built METADATA has a long description" in fancy["detail"]


@pytest.mark.parametrize(
    ("commit", "status", "says"),
    [
        ("v2.0.0", "pass", "is the latest"),
        ("v1.0.0", "fail", "behind v2.0.0: run `copier update --trust --defaults --vcs-ref v2.0.0`"),
        ("v1.0.0-3-g1234abc", "fail", "unreleased commit after v1.0.0"),
        ("1234abcd5678ef901234abcd5678ef901234abcd", "fail", "not a release of the template (a bare commit"),
    ],
)
def test_check_fails_a_template_version_behind_or_not_a_release_with_the_command_that_fixes_it(
    tmp_path, commit, status, says
):
    from python_package_template.checks import check_answers

    answers = {"_src_path": "https://gitlab.example.org/uis/python-package-template.git", "_commit": commit}
    result = check_answers(tmp_path, answers, ["v1.0.0", "v2.0.0"])[1]
    assert (result.status, says in result.detail) == (status, True), result


def test_ctrl_c_in_a_terminal_during_a_parallel_fleet_run_leaves_each_package_whole_or_untouched(
    tmp_path, template
):
    names = ["crlf-pkg", "libpkg", "ucam-lookup", "onemod", "flitpkg", "lookup-client-v2"]
    packages = [make(tmp_path / str(i), name) for i, name in enumerate(names)]
    originals = {p: tree_contents(p) for p in packages}
    command = Path(sys.executable).parent / "python-package-template"
    run = subprocess.Popen(
        [command, "onboard", "--yes", "--jobs", "2", "--template", template, *packages],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal's foreground job
    )
    first = run.stderr.readline()  # "[1/6] onboarded ...": the fleet is under way
    assert "[1/6]" in first, first
    os.killpg(run.pid, signal.SIGINT)  # Ctrl-C reaches the command and its workers alike
    out, err = run.communicate(timeout=300)
    assert run.returncode == 130, out + err
    assert "Interrupted:" in out and "left exactly as they were" in out
    whole = [p for p in packages if (p / ".copier-answers.yml").is_file()]
    untouched = [p for p in packages if tree_contents(p) == originals[p]]
    assert sorted(whole + untouched) == sorted(packages), "every package is whole or untouched"
    assert untouched, "Ctrl-C stopped the run before the end"
