"""No run of `python-package-template onboard` can be turned against its user: it writes nothing
through a symlink out of the repository, stores and shows no credential, overwrites no edit made
while it ran, and leaves each package whole or untouched when it is interrupted, whatever the
signal and wherever it lands (the writes are slowed down so that the signals land inside them).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest

from helpers import TEMPLATE_ROOT, git, git_repo, run_cli, start_slowed_cli, tree_contents
from old_packages import MIT_TEXT, TINY_PYPROJECT
from python_package_template import onboard
from python_package_template.journal import journal_for

TINY = {
    "pyproject.toml": TINY_PYPROJECT,
    "README.md": "# Tiny Tool\n\nIt does tiny things, very quickly.\n",
    "LICENSE": ("MIT License\n\n" + MIT_TEXT).format(year=2020, holder="Alex Doe"),
    "src/tiny_tool/__init__.py": '__version__ = "2.0.0"\n',
}


def git_clean(path: Path) -> bool:
    return git("status", "--porcelain", "--untracked-files=all", cwd=path) == ""


# --- edits stay inside the repository ---


@pytest.mark.parametrize("name", ["README.md", ".gitignore", ".gitlab-ci.yml", "tests"])
def test_onboarding_writes_nothing_through_a_symlink_out_of_the_repository(tmp_path, template, name):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    outside = elsewhere / name
    if name == "tests":
        outside.mkdir()
        (outside / "notes.txt").write_text("a folder someone else owns\n")
    else:
        outside.write_text(TINY.get(name, "# someone else's file\n"))
    package = git_repo(tmp_path / "tiny-tool", {k: v for k, v in TINY.items() if k != name})
    (package / name).symlink_to(outside)
    git("add", name, cwd=package)
    git("commit", "--quiet", "-m", f"{name} lives elsewhere", cwd=package)
    before, outside_before = tree_contents(package), tree_contents(elsewhere)

    code, out, _ = run_cli("onboard", "--yes", "--json", "--template", template, package)

    (report,) = json.loads(out)["packages"]
    assert code == 1 and report["status"] == "error", report
    assert report["error"].startswith(name) and "outside the package's repository" in report["error"]
    assert tree_contents(elsewhere) == outside_before
    assert tree_contents(package) == before and git_clean(package)


# --- no credential is stored or shown ---


def test_a_token_in_the_template_url_is_in_no_file_and_no_output(tmp_path, template, monkeypatch):
    token = "glpat-SECRET0123456789"
    url = f"https://oauth2:{token}@gitlab.example.org/devops/python-package-template.git"
    # git fetches that URL from the local template: real git, real clone, no network.
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", f"url.{template}.insteadOf")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", url)
    # The package's own remote holds a token too (in .git/config, the maintainer's own file).
    remote = f"https://oauth2:{token}@gitlab.example.org/devops/tiny-tool.git"
    package = git_repo(tmp_path / "tiny-tool", TINY, remote=remote)

    outputs = [run_cli("onboard", "--yes", "--template", url, package)]
    assert outputs[0][0] == 0, outputs[0]
    assert (
        "_src_path: https://gitlab.example.org/devops/python-package-template.git"
        in (package / ".copier-answers.yml").read_text()
    )
    git("add", "--all", cwd=package)
    git("commit", "--quiet", "-m", "onboarded", cwd=package)
    outputs += [
        run_cli("onboard", "--check", "--no-build", "--template", url, package),
        run_cli("onboard", "--check", "--json", "--no-build", "--template", url, package),
        run_cli("status", "--json", package),
        run_cli("status", "--markdown", package),
        # A clone that fails: git names the URL in its message.
        run_cli(
            "onboard", "--yes", "--template", url.replace("gitlab.example.org", "nowhere.invalid"), package
        ),
    ]
    # The failed clone is named, without the credentials it was given.
    assert "cannot reach the template https://nowhere.invalid/devops/" in outputs[-1][2]
    for _code, out, err in outputs:
        assert token not in out + err
    for file in package.rglob("*"):
        if file.is_file() and file != package / ".git" / "config":
            assert token.encode() not in file.read_bytes(), file


# --- all or nothing ---


def test_an_edit_made_while_onboarding_runs_is_not_overwritten(tmp_path, template, monkeypatch):
    package = git_repo(tmp_path / "tiny-tool", TINY)
    prove = onboard._prove

    def maintainer_edits_the_readme_meanwhile(*args, **kwargs):
        prove(*args, **kwargs)
        with (package / "README.md").open("a") as readme:
            readme.write("\nA line the maintainer wrote while onboarding ran.\n")

    monkeypatch.setattr(onboard, "_prove", maintainer_edits_the_readme_meanwhile)
    edited = {**tree_contents(package)}
    code, out, _ = run_cli("onboard", "--yes", "--json", "--template", template, package)
    (report,) = json.loads(out)["packages"]
    assert code == 1 and report["status"] == "error"
    assert report["error"].startswith("README.md changed while onboarding ran")
    edited["README.md"] += b"\nA line the maintainer wrote while onboarding ran.\n"
    assert tree_contents(package) == edited
    assert git("status", "--porcelain", cwd=package) == "M README.md"


def test_a_rollback_that_cannot_put_a_file_back_restores_the_index_and_names_the_file(
    tmp_path, template, monkeypatch
):
    package = git_repo(tmp_path / "tiny-tool", TINY)
    write = onboard.write_file

    def readme_cannot_be_written(target: Path, data: bytes) -> None:
        if target.name == "README.md":
            target.write_bytes(data[:10])  # the disk filled up half way
            raise OSError(28, "No space left on device")
        write(target, data)

    monkeypatch.setattr(onboard, "write_file", readme_cannot_be_written)
    code, out, _ = run_cli("onboard", "--yes", "--json", "--template", template, package)
    (report,) = json.loads(out)["packages"]
    assert code == 1 and report["status"] == "error"
    assert "putting the package back failed for: README.md (No space left on device)" in report["error"]
    assert "nothing was changed" not in report["error"].lower()
    # The LICENSE -> LICENSE.txt rename (`git mv`) is undone, in the index too: only README.md differs.
    assert git("status", "--porcelain", "--untracked-files=all", cwd=package) == "M README.md"
    assert (package / "LICENSE").read_text() == TINY["LICENSE"]


# --- interrupted for real: signals inside the write window ---

SLOW_WRITES = """\
# Slows onboarding's writes down (test tooling, not product code): each file is written half,
# the test is told the write window is open, and the rest follows a moment later.
import os, time
from pathlib import Path

from python_package_template import onboard

_write = onboard.write_file


def slow_write_file(target, data):
    Path(target).write_bytes(data[: len(data) // 2])
    Path(os.environ["PPT_TEST_WINDOW"]).touch()
    time.sleep(1.5)
    _write(target, data)


onboard.write_file = slow_write_file
"""


def whole_or_untouched(package: Path, before: dict[str, bytes]) -> str:
    """ "untouched", "whole", or (only after SIGKILL, which no process can catch) "journal": half
    written, with the journal from which the next run puts it back."""
    journals = list((package / ".git").glob("python-package-template-onboarding-*.json"))
    if journals:
        return "journal"
    if tree_contents(package) == before and git_clean(package):
        return "untouched"
    assert (package / ".copier-answers.yml").is_file(), f"{package.name} is half onboarded"
    return "whole"


def processes_in_group(group: int) -> list[str]:
    listing = subprocess.run(["ps", "-eo", "pid=,pgid="], capture_output=True, text=True).stdout
    return [line.split()[0] for line in listing.splitlines() if line.split()[1:] == [str(group)]]


@pytest.mark.slow
@pytest.mark.parametrize(
    "how",
    [
        "SIGTERM to the process group",
        "SIGINT to the process group",
        "SIGKILL to the main process only",
        "SIGKILL to the process group",
    ],
)
def test_an_onboarding_interrupted_while_writing_leaves_each_package_whole_or_untouched(
    tmp_path, template, how
):
    packages = [git_repo(tmp_path / f"tiny-tool-{n}", TINY) for n in range(3)]
    before = {p: tree_contents(p) for p in packages}
    process, scratch = start_slowed_cli(
        tmp_path,
        SLOW_WRITES,
        "onboard",
        "--yes",
        "--jobs",
        "2",
        "--template",
        template,
        *packages,
        deadline=300,
    )
    name, _, target = how.partition(" to the ")
    sig = getattr(signal, name)
    if target == "process group":
        os.killpg(process.pid, sig)
    else:
        os.kill(process.pid, sig)
    out, err = process.communicate(timeout=120)

    if sig != signal.SIGKILL:
        assert process.returncode == 130, out + err
        assert "Traceback" not in out + err
        assert "Interrupted:" in out
    # No worker is left writing, or waiting for ever.
    deadline = time.monotonic() + 30
    while processes_in_group(process.pid):
        assert time.monotonic() < deadline, f"workers outlived the command: {processes_in_group(process.pid)}"
        time.sleep(0.2)
    states = {p.name: whole_or_untouched(p, before[p]) for p in packages}
    assert {"untouched", "journal"} & set(states.values()), states  # it landed before all were written
    if how == "SIGKILL to the process group":
        assert "journal" in states.values(), states  # killed inside the slowed write
    else:
        assert "journal" not in states.values(), states
    if sig != signal.SIGKILL:
        assert list(scratch.iterdir()) == []  # temporary directories removed

    # The maintainers review and commit the whole ones; run again: the untouched packages are
    # onboarded, the whole ones are unchanged.
    for package in packages:
        if states[package.name] == "whole":
            git("add", "--all", cwd=package)
            git("commit", "--quiet", "-m", "Onboarded", cwd=package)
    with pytest.MonkeyPatch.context() as patch:  # the rerun shares the killed run's TMPDIR
        patch.setattr(tempfile, "tempdir", str(scratch))
        code, out, _ = run_cli("onboard", "--yes", "--json", "--template", template, *packages)
    reports = {Path(r["path"]).name: r["status"] for r in json.loads(out)["packages"]}
    assert code == 0, out
    assert reports == {
        name: "unchanged" if state == "whole" else "onboarded" for name, state in states.items()
    }
    assert list(scratch.iterdir()) == [], "the rerun removed what a killed run left in TMPDIR"
    for report in json.loads(out)["packages"]:
        put_back = any("put back what an onboarding that was killed" in n for n in report["notes"])
        assert put_back == (states[Path(report["path"]).name] == "journal"), report["notes"]


def test_an_interrupt_before_any_package_is_worked_on_ends_with_a_summary(tmp_path, template):
    """SIGINT early (while the template is cloned): no traceback, a sentence, exit 130."""
    package = git_repo(tmp_path / "tiny-tool", TINY)
    env = {**os.environ, "PYTHONPATH": str(TEMPLATE_ROOT / "extensions")}
    script = textwrap.dedent(
        """\
        import os, signal, sys
        from python_package_template import cli, template_source
        clone = template_source._git
        def interrupted_clone(*args, **kwargs):
            if args[0] == "clone":
                os.kill(os.getpid(), signal.SIGINT)
            return clone(*args, **kwargs)
        template_source._git = interrupted_clone
        raise SystemExit(cli.main(sys.argv[1:]))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script, "onboard", "--yes", "--template", str(template), str(package)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 130, result.stdout + result.stderr
    assert (
        "Traceback" not in result.stderr and "Stopped (interrupted): no package was changed." in result.stderr
    )
    assert git_clean(package)


@pytest.mark.parametrize("case", ["the package moved on", "another onboarding is writing"])
def test_a_journal_is_not_used_where_it_would_undo_someone_elses_work(tmp_path, template, case):
    package = git_repo(tmp_path / "tiny-tool", TINY)
    journal = journal_for(package)
    head = git("rev-parse", "HEAD", cwd=package)
    journal.write(head, {"README.md": b"# An old README\n"}, [], None, had_lock=False)
    document = json.loads(journal.file.read_text())
    if case == "the package moved on":
        document["pid"], document["head"] = 0, "0" * 40  # a run that died, on a commit long gone
    journal.file.write_text(json.dumps(document))  # else: this process, alive, is "writing"
    before = tree_contents(package)
    code, out, _ = run_cli("onboard", "--yes", "--json", "--template", template, package)
    (report,) = json.loads(out)["packages"]
    assert code == 1 and report["status"] == "error"
    expected = "has moved on since" if case == "the package moved on" else "is writing this package now"
    assert expected in report["error"], report["error"]
    assert tree_contents(package) == before and journal.file.is_file()
