"""How many packages a minute `python-package-template onboard` onboards and checks.

Run on demand (pytest does not collect it):

    .venv/bin/python tests/benchmarks/bench_onboard.py [--prove-tests] [PACKAGES] [JOBS...]

It generates a fleet of PACKAGES (default 100) small packages in git repos, each with its own
remote, cycling through the package shapes of tests/test_onboard.py, tests/real_world.py and
tests/own_tests.py (Poetry 1 with old pins, poetry-core 2, setuptools with and without a
pyproject.toml, setup.cfg and setup.py only, hatchling, flit; MIT and other licences),
and times, through the installed command, for each JOBS (default: the CPU count): onboarding
them all (each built before and after with its own backend, the proof), onboarding them again
once committed (nothing to do), `--check --no-build`, and `--check` (a build and
`twine check --strict` per package). Build environments are cached per distinct
`build-system.requires` (in ~/.cache/python-package-template, or $PYTHON_PACKAGE_TEMPLATE_CACHE);
the first run creates them, which the "warm-up" line times. With --prove-tests it also times
`onboard --yes --prove-tests` on a fresh fleet, after a warm-up that fills pip's and Poetry's
caches: each package's own tests are installed and run before and after (see testproof).
Target (issue 7): 100 packages in under a minute on 2 cores, builds included. Each line also
gives the CPU time the command used, and that divided by the cores: the wall time it needs
on cores of its own, when other work shares the machine.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import own_tests  # noqa: E402
import real_world  # noqa: E402
from helpers import git, git_commit_all, git_repo, template_snapshot  # noqa: E402
from test_onboard import PYTHON_SHAPES, SHAPES  # noqa: E402

COMMAND = Path(sys.executable).parent / "python-package-template"

# (name, files, remote, tag) of every shape that onboards (not the Latin-1 or broken ones).
ALL_SHAPES = (
    [(name, *SHAPES[name]) + (None,) for name in PYTHON_SHAPES]
    + [(name, *shape) for name, shape in real_world.SHAPES.items()]
    + [(name, files, remote, None) for name, (files, remote, _) in own_tests.SHAPES.items()]
)


def fleet(root: Path, count: int) -> list[Path]:
    packages = []
    for index in range(count):
        name, files, remote, tag = ALL_SHAPES[index % len(ALL_SHAPES)]
        package = root / f"{index:03d}-{name}"
        package.mkdir(parents=True)
        for relative, text in files.items():
            (package / relative).parent.mkdir(parents=True, exist_ok=True)
            (package / relative).write_bytes(text.encode())
        git_repo(package, {}, remote and remote.replace(name, f"{name}-{index}"))
        if tag:
            git("tag", tag, cwd=package)
        packages.append(package)
    return packages


CPUS = os.cpu_count() or 1


def _children_cpu() -> float:
    """CPU seconds used by finished child processes (and theirs): what the run costs, whatever
    else shares the machine."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(label: str, args: list[str | Path], count: int) -> float:
    start, cpu_start = time.perf_counter(), _children_cpu()
    result = subprocess.run(
        [str(COMMAND), *map(str, args)], capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    seconds = time.perf_counter() - start
    cpu = _children_cpu() - cpu_start
    # Exit status 1 is expected: the non-MIT packages keep a licence conflict / failing rule.
    if result.returncode not in (0, 1):
        print(result.stdout[-2000:], result.stderr[-2000:], file=sys.stderr)
        raise SystemExit(f"{label} failed with {result.returncode}")
    errors = [
        line for line in result.stdout.splitlines() if line.startswith("== ") and line.endswith(": error")
    ]
    print(
        f"  {label:<32} {seconds:7.1f}s  {count / seconds * 60:7.0f} packages/minute"
        f"  (CPU {cpu:6.1f}s: {cpu / CPUS:5.1f}s on {CPUS} free cores)"
        + (f"  ({len(errors)} errors: {errors[0]})" if errors else "")
    )
    return seconds


def main(count: int = 100, *jobs_list: int, prove_tests: bool = False) -> int:
    jobs_list = jobs_list or (os.cpu_count() or 1,)
    with tempfile.TemporaryDirectory(prefix="bench-onboard-") as tmp:
        tmp = Path(tmp)
        template = template_snapshot(tmp / "template", "v1.0.0")
        print(f"{count} packages, {os.cpu_count()} CPUs")
        warm = fleet(tmp / "warm-up", len(ALL_SHAPES))
        timed("warm-up (build environments)", ["onboard", "--yes", "--template", template, *warm], len(warm))
        if prove_tests:
            warm = fleet(tmp / "warm-up-tests", len(ALL_SHAPES))
            timed(
                "warm-up (test installs)",
                ["onboard", "--yes", "--prove-tests", "--template", template, *warm],
                len(warm),
            )
        for jobs in jobs_list:
            packages = fleet(tmp / f"fleet-{jobs}", count)
            print(f"--jobs {jobs}:")
            common = ["--jobs", jobs, "--template", template]
            onboard = timed(
                "onboard --yes (builds included)", ["onboard", "--yes", *common, *packages], count
            )
            for package in packages:
                git_commit_all(package, "Onboard to the template")
            timed("onboard --yes (again: no-op)", ["onboard", "--yes", *common, *packages], count)
            timed(
                "onboard --check --no-build", ["onboard", "--check", "--no-build", *common, *packages], count
            )
            timed("onboard --check", ["onboard", "--check", *common, *packages], count)
            if prove_tests:
                # Each package's own tests run before and after, in scratch installs; the warm-up
                # above filled pip's and Poetry's caches.
                proved = fleet(tmp / f"fleet-{jobs}-tests", count)
                timed(
                    "onboard --yes --prove-tests",
                    ["onboard", "--yes", "--prove-tests", *common, *proved],
                    count,
                )
            print(f"  100 packages take about {onboard / count * 100:.0f} seconds to onboard")
    return 0


if __name__ == "__main__":
    arguments = [a for a in sys.argv[1:] if a != "--prove-tests"]
    sys.exit(main(*map(int, arguments), prove_tests="--prove-tests" in sys.argv[1:]))
