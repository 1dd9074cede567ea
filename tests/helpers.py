"""Small helpers the tests share: run real commands, build git repos, render the template.

Everything here drives the real tools (copier, git, Poetry, twine); nothing is mocked.
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import subprocess
import sys
import urllib.request
from pathlib import Path

import copier

TEMPLATE_ROOT = Path(__file__).resolve().parent.parent

# The answers a user must give; everything else has a default.
REQUIRED_ANSWERS = {"project_name": "Lookup Client", "description": "A client for the Lookup API."}


def run(
    *args: str | Path, cwd: Path, check: bool = True, env: dict | None = None
) -> subprocess.CompletedProcess:
    """Run a command, and on failure show what it printed (pytest shows the assertion)."""
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, env=env, stdin=subprocess.DEVNULL
    )
    if check:
        assert result.returncode == 0, (
            f"{' '.join(map(str, args))} failed ({result.returncode}) in {cwd}:\n{result.stdout}\n{result.stderr}"
        )
    return result


def tool(name: str) -> str:
    """A command installed beside the test runner's Python (twine, check-jsonschema, ...)."""
    found = Path(sys.executable).parent / name
    return str(found) if found.exists() else shutil.which(name) or name


def git(*args: str | Path, cwd: Path) -> str:
    return run("git", *args, cwd=cwd).stdout.strip()


def git_init(path: Path) -> None:
    git("init", "--quiet", "--initial-branch=main", cwd=path)


def git_commit_all(path: Path, message: str) -> None:
    git("add", "--all", cwd=path)
    git("commit", "--quiet", "--allow-empty", "--no-verify", "-m", message, cwd=path)


def write_tree(root: Path, files: dict[str, str]) -> None:
    """Write {relative path: text} under `root`, making folders as needed."""
    for relative, text in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def template_snapshot(destination: Path, tag: str = "v1.0.0") -> Path:
    """Copy this repository's template (working tree, uncommitted changes included) into a fresh
    git repo at `destination`, committed and tagged `tag`, so tests can make template versions."""
    ignore = shutil.ignore_patterns(".git", ".venv", ".tools", "__pycache__", ".pytest_cache", "dist")
    shutil.copytree(TEMPLATE_ROOT, destination, ignore=ignore)
    git_init(destination)
    git_commit_all(destination, f"template {tag}")
    git("tag", tag, cwd=destination)
    return destination


def render(
    template: Path, destination: Path, answers: dict | None = None, vcs_ref: str | None = None
) -> Path:
    """`copier copy --trust --defaults` with the required answers plus `answers`."""
    copier.run_copy(
        str(template),
        destination,
        data={**REQUIRED_ANSWERS, **(answers or {})},
        defaults=True,
        unsafe=True,
        quiet=True,
        vcs_ref=vcs_ref,
    )
    return destination


def poetry_env() -> dict[str, str]:
    """The environment to run Poetry in for a rendered package: its own in-project .venv, not the
    test runner's virtual environment (which `poetry run pytest` advertises in VIRTUAL_ENV)."""
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env["POETRY_VIRTUALENVS_IN_PROJECT"] = "true"
    env["POETRY_NO_INTERACTION"] = "1"
    return env


def poetry(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    return run(shutil.which("poetry") or "poetry", *args, cwd=cwd, check=check, env=poetry_env())


@functools.cache
def pypi_json_api_works() -> bool:
    """Poetry reads PyPI's JSON API; some mirrors serve only the simple index (PEP 503)."""
    try:
        with urllib.request.urlopen("https://pypi.org/pypi/pytest/json", timeout=20) as response:
            latest = json.load(response)["info"]["version"]
        with urllib.request.urlopen(f"https://pypi.org/pypi/pytest/{latest}/json", timeout=20):
            return True
    except Exception:
        return False


def poetry_install(project: Path, *options: str) -> None:
    """`poetry install [options]` a rendered package, on this machine's PyPI (see
    pypi_json_api_works)."""
    if not pypi_json_api_works():
        # Only the throwaway copy under test is changed; the rendered file is checked elsewhere.
        poetry("source", "add", "--priority=primary", "pypi-simple", "https://pypi.org/simple/", cwd=project)
    poetry("install", *options, cwd=project)


def git_repo(path: Path, files: dict[str, str], remote: str | None = None) -> Path:
    """A git repository at `path` holding `files`, all committed (with `origin` when given)."""
    path.mkdir(parents=True, exist_ok=True)
    write_tree(path, files)
    git_init(path)
    if remote:
        git("remote", "add", "origin", remote, cwd=path)
    git_commit_all(path, "initial")
    return path


def tree_contents(
    root: Path, skip: tuple[str, ...] = (".git", ".venv", "dist", "__pycache__")
) -> dict[str, bytes]:
    """{relative path: bytes} of every file under `root`, to compare a tree before and after."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not set(p.relative_to(root).parts) & set(skip)
    }


def run_cli(*args: str | Path, **kwargs) -> tuple[int, str, str]:
    """The `python-package-template` command, in this process: (exit status, stdout, stderr)."""
    import io

    from python_package_template import cli

    out, err = io.StringIO(), io.StringIO()
    code = cli.main([str(a) for a in args], out=out, err=err, **kwargs)
    return code, out.getvalue(), err.getvalue()


def start_slowed_cli(
    tmp_path: Path, hook: str, *args: str | Path, deadline: float
) -> tuple[subprocess.Popen, Path]:
    """The `python-package-template` command, with `args`, run as a terminal runs it (in a process
    group of its own), with `hook` loaded first as its sitecustomize: code that slows one of its
    writes down and touches $PPT_TEST_WINDOW inside it. Returns once that window is open (within
    `deadline` seconds), with the TMPDIR the command was given."""
    import time

    hooks = tmp_path / "hooks"
    hooks.mkdir(exist_ok=True)
    (hooks / "sitecustomize.py").write_text(hook)
    scratch = tmp_path / "tmp"
    scratch.mkdir(exist_ok=True)
    window = tmp_path / "window-open"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(hooks), str(TEMPLATE_ROOT / "extensions")]),
        "PPT_TEST_WINDOW": str(window),
        "TMPDIR": str(scratch),
    }
    command = [sys.executable, "-c", "from python_package_template.cli import main; raise SystemExit(main())"]
    process = subprocess.Popen(
        [*command, *map(str, args)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, as a terminal gives a command
    )
    ends = time.monotonic() + deadline
    while not window.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < ends, f"{args[0]} never reached its slowed write"
        time.sleep(0.05)
    return process, scratch
