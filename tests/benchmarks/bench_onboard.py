"""How many packages a minute `python-package-template onboard` onboards and checks.

Run on demand (pytest does not collect it):

    PATH=$PWD/.tools/poetry-2.5.1/bin:$PATH .venv/bin/python tests/benchmarks/bench_onboard.py [PACKAGES] [JOBS...]

It generates a fleet of PACKAGES (default 60) small packages in git repos, cycling through the
package shapes of tests/test_onboard.py (Poetry 1, setuptools, a bare README, own CI jobs, a
non-MIT licence), and times, through the installed command, for each JOBS (default: 1 and the
CPU count): onboarding them all, onboarding them again (nothing to do), `--check --no-build`,
and `--check` (a Poetry build and `twine check --strict` per package).
Target (issue 4): 100 packages in minutes, not an hour.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from helpers import git_repo, template_snapshot  # noqa: E402
from test_onboard import PYTHON_SHAPES, SHAPES  # noqa: E402

COMMAND = Path(sys.executable).parent / "python-package-template"


def fleet(root: Path, count: int) -> list[Path]:
    packages = []
    for index in range(count):
        name = PYTHON_SHAPES[index % len(PYTHON_SHAPES)]
        files, remote = SHAPES[name]
        packages.append(
            git_repo(root / f"{index:03d}-{name}", files, remote and remote.replace(name, f"{name}-{index}"))
        )
    return packages


def timed(label: str, args: list[str | Path], count: int) -> float:
    start = time.perf_counter()
    result = subprocess.run(
        [str(COMMAND), *map(str, args)], capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    seconds = time.perf_counter() - start
    # Exit status 1 is expected: the non-MIT packages keep a licence conflict / failing rule.
    if result.returncode not in (0, 1):
        print(result.stdout[-2000:], result.stderr[-2000:], file=sys.stderr)
        raise SystemExit(f"{label} failed with {result.returncode}")
    print(f"  {label:<32} {seconds:7.1f}s  {count / seconds * 60:7.0f} packages/minute")
    return seconds


def main(count: int = 60, *jobs_list: int) -> int:
    if shutil.which("poetry") is None:
        raise SystemExit("put Poetry on PATH (e.g. PATH=$PWD/.tools/poetry-2.5.1/bin:$PATH)")
    jobs_list = jobs_list or (1, os.cpu_count() or 1)
    with tempfile.TemporaryDirectory(prefix="bench-onboard-") as tmp:
        tmp = Path(tmp)
        template = template_snapshot(tmp / "template", "v1.0.0")
        print(f"{count} packages, {os.cpu_count()} CPUs")
        for jobs in jobs_list:
            packages = fleet(tmp / f"fleet-{jobs}", count)
            print(f"--jobs {jobs}:")
            common = ["--jobs", jobs, "--template", template]
            onboard = timed("onboard --yes", ["onboard", "--yes", *common, *packages], count)
            timed("onboard --yes (again: no-op)", ["onboard", "--yes", *common, *packages], count)
            timed(
                "onboard --check --no-build", ["onboard", "--check", "--no-build", *common, *packages], count
            )
            timed("onboard --check", ["onboard", "--check", *common, *packages], count)
            print(f"  100 packages would take about {onboard / count * 100 / 60:.1f} minutes to onboard")
    return 0


if __name__ == "__main__":
    sys.exit(main(*map(int, sys.argv[1:])))
