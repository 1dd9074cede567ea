"""The README's two commands are the ones that work: CI runs the test command, and the render
command sets up Copier from nothing and renders a package."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest

from helpers import TEMPLATE_ROOT, run, tool

README = (TEMPLATE_ROOT / "README.md").read_text()
RENDER_COMMAND, TEST_COMMAND = re.findall(
    r"```console\n(.*?)\n```", README.split("## The two commands", 1)[1], flags=re.S
)[:2]


def test_ci_runs_the_readmes_test_command():
    ci_run = (TEMPLATE_ROOT / ".ci" / "run").read_text()
    assert TEST_COMMAND == "scripts/test"
    assert re.search(rf"^exec {re.escape(TEST_COMMAND)}$", ci_run, flags=re.M)


def _path_without_copier(home: Path) -> str:
    """PATH as on a machine that has never had Copier: the test's own, less every directory that
    holds a `copier` (the test environment's), plus ~/.local/bin as the login profile adds it."""
    kept = [d for d in os.environ["PATH"].split(os.pathsep) if d and not (Path(d) / "copier").exists()]
    return os.pathsep.join([str(home / ".local" / "bin"), *kept])


@pytest.mark.slow
def test_readmes_render_command_leaves_one_copier_on_path_that_copies_and_checks_for_updates(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    clone = tmp_path / "python-package-template"
    subprocess.run(["git", "clone", "--quiet", str(TEMPLATE_ROOT), str(clone)], check=True)
    *set_up, copy = RENDER_COMMAND.splitlines()
    assert copy.startswith("copier copy "), "the last line renders with the copier on PATH"
    # The machine's own settings (its package index, say), with an empty HOME and no copier.
    env = {**os.environ, "HOME": str(home), "PATH": _path_without_copier(home)}
    env.pop("VIRTUAL_ENV", None)

    def bash(command: str, cwd: Path) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["bash", "-c", command],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            stdin=subprocess.DEVNULL,
        )

    assert bash("command -v copier", clone).returncode != 0, "copier is on PATH before the set-up"
    result = bash("\n".join(set_up) + "\ncommand -v copier", clone)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.split()[-1] == str(home / ".local" / "bin" / "copier")
    # Answer the questions with -d instead of at the keyboard.
    result = bash(
        copy + " --defaults --vcs-ref=HEAD -d project_name='Lookup Client' -d description='Talks to Lookup.'",
        clone,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    package = tmp_path / "my-package"
    assert (package / "src" / "lookup_client" / "__init__.py").is_file()
    assert f"_src_path: {clone}" in (package / ".copier-answers.yml").read_text()
    # The same copier answers "is a newer template release out?" in the package.
    result = bash("copier check-update --output-format json", package)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout)["update_available"] is False


def test_this_repository_passes_its_own_ruff_checks():
    # The next engineer reads this code: keep it in the shape pyproject.toml's [tool.ruff] asks for.
    run(tool("ruff"), "check", "--no-cache", "extensions", "tests", cwd=TEMPLATE_ROOT)
    run(tool("ruff"), "format", "--no-cache", "--check", "extensions", "tests", cwd=TEMPLATE_ROOT)
