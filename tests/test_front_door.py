"""The README's two commands are the ones that work: CI runs the test command, and the render
command sets up Copier from nothing and renders a package."""

from __future__ import annotations

import os
import re
import subprocess

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


@pytest.mark.slow
def test_readmes_render_command_works_on_a_machine_without_copier(tmp_path):
    home = tmp_path / "home"
    clone = tmp_path / "python-package-template"
    subprocess.run(["git", "clone", "--quiet", str(TEMPLATE_ROOT), str(clone)], check=True)
    # Answer the questions with -d instead of at the keyboard.
    command = (
        RENDER_COMMAND
        + " --defaults --vcs-ref=HEAD -d project_name='Lookup Client' -d description='Talks to Lookup.'"
    )
    env = {**os.environ, "HOME": str(home)}
    env.pop("VIRTUAL_ENV", None)
    result = subprocess.run(
        ["bash", "-c", command], cwd=clone, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    assert result.returncode == 0, result.stdout + result.stderr
    package = tmp_path / "my-package"
    assert (package / "src" / "lookup_client" / "__init__.py").is_file()
    assert f"_src_path: {clone}" in (package / ".copier-answers.yml").read_text()


def test_this_repository_passes_its_own_ruff_checks():
    # The next engineer reads this code: keep it in the shape pyproject.toml's [tool.ruff] asks for.
    run(tool("ruff"), "check", "--no-cache", "extensions", "tests", cwd=TEMPLATE_ROOT)
    run(tool("ruff"), "format", "--no-cache", "--check", "extensions", "tests", cwd=TEMPLATE_ROOT)
