"""The command installs like a tool: a non-editable install (what pipx, uv tool and `pip install .`
make) gives a `python-package-template` that works without --template, from the template's
canonical git URL, and says so in its --help as the README does.

No network: git's url.<base>.insteadOf, set in the command's environment, serves the canonical
URL from a tagged snapshot of this repository, as a clone of the real one would.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from helpers import TEMPLATE_ROOT, git_repo, run, template_snapshot
from python_package_template.template_source import TEMPLATE_ENV, TEMPLATE_URL

pytestmark = pytest.mark.slow

README = (TEMPLATE_ROOT / "README.md").read_text()


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """`pip install .` from a copy of this repository into a fresh virtual environment: the bin
    directory that holds the command."""
    root = tmp_path_factory.mktemp("install")
    source = root / "python-package-template"
    ignore = shutil.ignore_patterns(".git", ".venv", ".tools", "__pycache__", ".pytest_cache", "dist")
    shutil.copytree(TEMPLATE_ROOT, source, ignore=ignore)
    venv = root / "venv"
    run(sys.executable, "-m", "venv", venv, cwd=root)
    run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", source, cwd=root)
    shutil.rmtree(source)  # the installed command must not need the source it came from
    return venv / "bin"


@pytest.fixture(scope="module")
def canonical(tmp_path_factory) -> dict[str, str]:
    """An environment in which TEMPLATE_URL is a tagged snapshot of this template, and no
    $PYTHON_PACKAGE_TEMPLATE is set."""
    snapshot = template_snapshot(tmp_path_factory.mktemp("served") / "python-package-template", "v1.0.0")
    env = {k: v for k, v in os.environ.items() if k not in {TEMPLATE_ENV, "VIRTUAL_ENV", "PYTHONPATH"}}
    env.update(
        GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0=f"url.{snapshot}.insteadOf", GIT_CONFIG_VALUE_0=TEMPLATE_URL
    )
    env["SNAPSHOT"] = str(snapshot)
    return env


def command(bin_dir: Path, *args: str | Path, env: dict, cwd: Path) -> subprocess.CompletedProcess:
    return run(bin_dir / "python-package-template", *args, cwd=cwd, env=env, check=False)


def test_the_install_is_not_editable(installed):
    located = run(
        installed / "python", "-c", "import python_package_template as p; print(p.__file__)", cwd=installed
    )
    assert "site-packages" in located.stdout and str(TEMPLATE_ROOT) not in located.stdout


def test_readme_install_line_is_the_one_help_gives(installed, canonical, tmp_path):
    section = README.split("## Installing the command\n", 1)[1].split("\n## ", 1)[0]
    install_line = re.search(r"```console\n(pipx install .*)\n```", section)[1]
    assert install_line == f"pipx install git+{TEMPLATE_URL}"
    help_text = command(installed, "--help", env=canonical, cwd=tmp_path).stdout
    assert install_line in help_text
    onboard_help = command(installed, "onboard", "--help", env=canonical, cwd=tmp_path).stdout
    assert f"canonical URL: {TEMPLATE_URL}\n" in onboard_help and f"${TEMPLATE_ENV}" in onboard_help


def test_installed_command_onboards_from_the_canonical_url_without_template(installed, canonical, tmp_path):
    package = git_repo(
        tmp_path / "tiny-tool",
        {
            "pyproject.toml": '[project]\nname = "tiny-tool"\nversion = "1.0.0"\ndescription = "A tiny tool."\n'
            'authors = [{ name = "Alex Doe", email = "alex@example.org" }]\n',
            "README.md": "# Tiny Tool\n\nA tiny tool.\n",
        },
    )
    result = command(installed, "onboard", "--yes", package, env=canonical, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    answers = yaml.safe_load((package / ".copier-answers.yml").read_text())
    assert (answers["_src_path"], answers["_commit"]) == (TEMPLATE_URL, "v1.0.0")
    # status follows the URL the package records.
    status = command(installed, "status", package, env=canonical, cwd=tmp_path)
    assert status.returncode == 0, status.stdout + status.stderr
    assert "v1.0.0" in status.stdout and "1 up to date" in status.stdout


def test_an_environment_variable_names_another_template(installed, canonical, tmp_path):
    package = git_repo(
        tmp_path / "tiny-tool",
        {
            "pyproject.toml": '[project]\nname = "tiny-tool"\nversion = "1.0.0"\ndescription = "A tiny tool."\n',
            "README.md": "# Tiny Tool\n\nA tiny tool.\n",
        },
    )
    env = {**canonical, TEMPLATE_ENV: canonical["SNAPSHOT"]}
    result = command(installed, "onboard", "--yes", package, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert yaml.safe_load((package / ".copier-answers.yml").read_text())["_src_path"] == canonical["SNAPSHOT"]
