"""A rendered package hears of new template releases by itself: the team's self-hosted Renovate
opens a template-update merge request (renovate.json, checked with Renovate's own validator), or,
without Renovate, a scheduled CI job runs `copier check-update` and fails while it is behind."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sys
from pathlib import Path

import pytest
import yaml

from helpers import TEMPLATE_ROOT, git, git_commit_all, git_init, render, run, template_snapshot
from python_package_template.fleet import commit_message

# The newest Renovate that runs on Node 20, the Node of the machines that run these tests (from
# Renovate 40 on it needs Node 22). The validator is installed once, under .tools/.
RENOVATE_VERSION = "39.264.1"


@pytest.fixture(scope="session")
def renovate_config_validator() -> Path:
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed: Renovate's config validator comes from the renovate npm package")
    prefix = TEMPLATE_ROOT / ".tools" / f"renovate-{RENOVATE_VERSION}"
    validator = prefix / "node_modules" / ".bin" / "renovate-config-validator"
    prefix.mkdir(parents=True, exist_ok=True)
    with (prefix / ".install-lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test run may be installing it right now
        if not validator.exists():
            # --ignore-scripts --omit=optional: no native modules to build; validating needs none.
            run(
                npm,
                "install",
                "--prefix",
                prefix,
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                "--omit=optional",
                "--loglevel=error",
                f"renovate@{RENOVATE_VERSION}",
                cwd=prefix,
            )
    return validator


def test_renovate_config_passes_renovates_own_validator(default_package, renovate_config_validator):
    result = run(renovate_config_validator, "--strict", "renovate.json", cwd=default_package, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Config validated successfully" in result.stdout


def copier_rule(package: Path) -> dict:
    config = json.loads((package / "renovate.json").read_text())
    (rule,) = [r for r in config["packageRules"] if r.get("matchManagers") == ["copier"]]
    return rule


def test_renovate_runs_copier_update_with_trust_and_the_commands_commit_message(default_package):
    rule = copier_rule(default_package)
    assert rule["ignoreScripts"] is False  # with allowScripts in the self-hosted config: --trust
    # Renovate's message: "{type}: {action} {topic} {extra}", extra being the new tag.
    message = f"{rule['semanticCommitType']}: {rule['commitMessageAction']} {rule['commitMessageTopic']}"
    assert rule["semanticCommits"] == "enabled" and rule["semanticCommitScope"] is None
    assert f"{message} {rule['commitMessageExtra'].replace('{{newValue}}', 'v2.0.0')}" == commit_message(
        "v2.0.0", [], []
    )


def test_rendered_readme_says_which_renovate_settings_allow_trust(default_package):
    readme = (default_package / "README.md").read_text()
    section = readme.split("## Keeping up with the template\n", 1)[1].split("\n## ", 1)[0]
    for setting in ('"allowScripts": true', '"ignoreScripts": false', "copier-template-extensions"):
        assert setting in section
    assert "template-check-update" in section and "copier update --trust --defaults" in section


# --- the scheduled job ---


def check_update_job(package: Path) -> dict:
    return yaml.safe_load((package / ".gitlab-ci.yml").read_text())["template-check-update"]


def test_check_update_job_runs_only_on_scheduled_pipelines(default_package):
    job = check_update_job(default_package)
    assert job["rules"] == [{"if": '$CI_PIPELINE_SOURCE == "schedule"'}]
    assert "allow_failure" not in job  # a package behind must fail the pipeline, visibly


def test_check_update_job_fails_while_the_package_is_behind(default_package, tmp_path):
    template = template_snapshot(tmp_path / "python-package-template", "v1.0.0")
    package = render(template, tmp_path / "lookup-client", vcs_ref="v1.0.0")
    git_init(package)
    git_commit_all(package, "Start from the template")
    # The job's copier lines, as the job runs them (its pip install and git config are CI's).
    commands = [line for line in check_update_job(default_package)["script"] if line.startswith("copier ")]
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}

    def job() -> int:
        for command in commands:
            code = run("bash", "-c", command, cwd=package, check=False, env=env).returncode
            if code:
                return code
        return 0

    assert job() == 0  # on the newest release
    (template / "template" / "CONTRIBUTING.md.jinja").write_text("# Contributing\n")
    git_commit_all(template, "template v1.1.0")
    git("tag", "v1.1.0", cwd=template)
    assert job() == 2  # behind: the job fails
