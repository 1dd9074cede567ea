"""How fast `python-package-template status` and `update` go over a fleet.

Run on demand (pytest does not collect it):

    .venv/bin/python tests/benchmarks/bench_fleet.py [PACKAGES] [JOBS]

It tags a snapshot of this template v1.0.0 and v1.1.0 (one README line and one new file),
renders a package at v1.0.0, commits it, and copies it into a fleet of PACKAGES (default 100)
git repositories. Then, through the installed command, it times `status` on the fleet and
`update --jobs JOBS` (default: the CPUs) to v1.1.0, checks that every package got its branch,
and prints packages per minute.
Targets (issue 9): status of 100 packages under 10 s; update of 100 packages by one release
under 3 minutes on 2 cores.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from helpers import git, git_commit_all, git_init, render, template_snapshot  # noqa: E402

COMMAND = Path(sys.executable).parent / "python-package-template"
STATUS_LIMIT, UPDATE_LIMIT = 10.0, 180.0


def make_template(root: Path) -> Path:
    template = template_snapshot(root / "python-package-template", "v1.0.0")
    readme = template / "template" / "README.md.jinja"
    readme.write_text(readme.read_text().replace("## Development\n", "## Development\n\nRun the hooks.\n", 1))
    (template / "template" / "CONTRIBUTING.md.jinja").write_text("# Contributing to {{ project_name }}\n")
    git_commit_all(template, "template v1.1.0")
    git("tag", "v1.1.0", cwd=template)
    # Packed, as a clone of the template's remote repository is: Copier clones the template five
    # times per update, and a loose-object repository costs a directory per object prefix.
    git("gc", "--quiet", cwd=template)
    return template


def make_fleet(template: Path, root: Path, count: int) -> list[Path]:
    first = render(template, root / "pkg-000", vcs_ref="v1.0.0")
    git_init(first)
    git_commit_all(first, "Start from the template")
    packages = [first]
    for index in range(1, count):
        copy = root / f"pkg-{index:03d}"
        shutil.copytree(first, copy, symlinks=True)
        packages.append(copy)
    return packages


def timed(args: list[str | Path]) -> tuple[float, subprocess.CompletedProcess]:
    start = time.perf_counter()
    result = subprocess.run(
        [str(COMMAND), *map(str, args)], capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    return time.perf_counter() - start, result


def main(count: int = 100, jobs: int = os.cpu_count() or 1) -> int:
    with tempfile.TemporaryDirectory(prefix="bench-fleet-") as tmp:
        tmp = Path(tmp)
        template = make_template(tmp)
        fleet = tmp / "fleet"
        packages = make_fleet(template, fleet, count)
        print(f"{count} packages, --jobs {jobs}, {os.cpu_count()} CPUs")

        seconds, result = timed(["status", "--json", "--jobs", jobs, fleet])
        statuses = json.loads(result.stdout)["packages"]
        assert result.returncode == 1 and all(s["state"] == "behind" for s in statuses), result.stderr[-2000:]
        status_ok = seconds < STATUS_LIMIT
        print(
            f"  status  {seconds:6.1f}s  {count / seconds * 60:6.0f} packages/minute"
            f"  (target < {STATUS_LIMIT:.0f}s: {'met' if status_ok else 'MISSED'})"
        )

        seconds, result = timed(["update", "--json", "--jobs", jobs, "--template", template, fleet])
        reports = json.loads(result.stdout)["packages"]
        updated = [r for r in reports if r["status"] == "updated"]
        assert len(updated) == count, [r for r in reports if r["status"] != "updated"][:3]
        for package in packages[:: max(1, count // 10)]:
            assert git("log", "-1", "--format=%s", "template-update/v1.1.0", cwd=package) == (
                "chore: update to python-package-template v1.1.0"
            )
        update_ok = seconds < UPDATE_LIMIT
        print(
            f"  update  {seconds:6.1f}s  {count / seconds * 60:6.0f} packages/minute"
            f"  (target < {UPDATE_LIMIT:.0f}s: {'met' if update_ok else 'MISSED'})"
        )
    return 0 if status_ok and update_ok else 1


if __name__ == "__main__":
    sys.exit(main(*map(int, sys.argv[1:])))
