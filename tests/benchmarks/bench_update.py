"""How long `copier update` of a default package takes, against a trivial one-file template.

Run on demand (pytest does not collect it):

    .venv/bin/python tests/benchmarks/bench_update.py [--runs 9] [--profile]

Both templates get a v1.0.0 and a v2.0.0 tag that changes one line of one file; a package is
rendered at v1.0.0 and committed, then `copier update --trust --defaults` to v2.0.0
is timed on a fresh copy of it each run (no conflicts), the two alternately so that other load
on the machine weighs on both alike. It prints the median of each and the ratio. The target
(ratio <= 1.5) is judged on the `copier` command, as users run it, and the exit status says
whether it is met; `copier.run_update` in this process is printed too, for information: it
leaves out the ~0.8 s that both spend starting Python and importing Copier, so the same extra
work weighs more there. --profile prints where the time of one in-process update of the default
package goes.

Where the extra time goes (measured when this was written, on a machine with compiled
bytecode; where PYTHONDONTWRITEBYTECODE is set and the environment was never compiled, every
Python start compiles its imports and both templates are slower): Copier clones and checks out
the whole template repository five times per update, and ours has many more files than the
trivial one's 3; the after-update migration starts Python once (~0.4 s), and imports tomlkit,
Jinja and the edits only when the update has work for them.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import copier  # noqa: E402

from helpers import git, git_commit_all, git_init, render, template_snapshot, write_tree  # noqa: E402

TARGET = 1.3
COPIER = str(Path(sys.executable).parent / "copier")


def trivial_template(root: Path) -> Path:
    write_tree(
        root,
        {
            "copier.yml": "name:\n  type: str\n  default: world\n",
            "{{ _copier_conf.answers_file }}.jinja": "{{ _copier_answers | to_nice_yaml }}",
            "hello.txt.jinja": "Hello {{ name }}!\nVersion one.\n",
        },
    )
    git_init(root)
    git_commit_all(root, "v1")
    git("tag", "v1.0.0", cwd=root)
    (root / "hello.txt.jinja").write_text("Hello {{ name }}!\nVersion two.\n")
    git_commit_all(root, "v2")
    git("tag", "v2.0.0", cwd=root)
    return root


def our_template(root: Path) -> Path:
    template_snapshot(root, "v1.0.0")
    readme = root / "template" / "README.md.jinja"
    readme.write_text(
        readme.read_text().replace("## Development\n", "## Development\n\nA new line from v2.\n", 1)
    )
    git_commit_all(root, "v2")
    git("tag", "v2.0.0", cwd=root)
    return root


def package(template: Path, destination: Path) -> Path:
    if (template / "template").is_dir():
        render(template, destination, vcs_ref="v1.0.0")
    else:
        copier.run_copy(str(template), destination, defaults=True, quiet=True, vcs_ref="v1.0.0")
    git_init(destination)
    git_commit_all(destination, "rendered at v1.0.0")
    return destination


def update_cli(project: Path) -> None:
    subprocess.run(
        [COPIER, "update", "--trust", "--defaults", "--quiet", "--vcs-ref", "v2.0.0", str(project)],
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )


def update_api(project: Path) -> None:
    copier.run_update(str(project), overwrite=True, unsafe=True, defaults=True, quiet=True, vcs_ref="v2.0.0")


def update_once(update, rendered: Path, scratch: Path) -> float:
    project = scratch / "run"
    shutil.copytree(rendered, project, symlinks=True)
    start = time.perf_counter()
    update(project)
    elapsed = time.perf_counter() - start
    assert "v2.0.0" in (project / ".copier-answers.yml").read_text(), "the update did not happen"
    shutil.rmtree(project)
    return elapsed


def medians(update, trivial: Path, ours: Path, scratch: Path, runs: int) -> tuple[float, float]:
    """Median times of both updates, run alternately so that other load on the machine
    weighs on both alike; the first pair warms caches and is not counted."""
    times: dict[Path, list[float]] = {trivial: [], ours: []}
    for run in range(runs + 1):
        for rendered in (trivial, ours) if run % 2 else (ours, trivial):
            elapsed = update_once(update, rendered, scratch)
            if run:
                times[rendered].append(elapsed)
    return statistics.median(times[trivial]), statistics.median(times[ours])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("GIT_AUTHOR_NAME", "Benchmark")
    os.environ.setdefault("GIT_AUTHOR_EMAIL", "bench@example.org")
    os.environ.setdefault("GIT_COMMITTER_NAME", "Benchmark")
    os.environ.setdefault("GIT_COMMITTER_EMAIL", "bench@example.org")
    with tempfile.TemporaryDirectory(prefix="bench-update-") as tmp:
        tmp = Path(tmp)
        trivial = package(trivial_template(tmp / "trivial-template"), tmp / "trivial-package")
        ours = package(our_template(tmp / "our-template"), tmp / "our-package")
        if args.profile:
            project = tmp / "profiled"
            shutil.copytree(ours, project)
            profiler = cProfile.Profile()
            profiler.runcall(update_api, project)
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        ok = True
        for label, update, judged in (
            ("copier command", update_cli, True),
            ("copier.run_update", update_api, False),
        ):
            baseline, ours_time = medians(update, trivial, ours, tmp, args.runs)
            ratio = ours_time / baseline
            verdict = ("OK" if ratio <= TARGET else "OVER") if judged else "for information"
            ok = ok and (ratio <= TARGET or not judged)
            print(
                f"{label:18} trivial one-file template {baseline:6.3f} s | default package {ours_time:6.3f} s"
                f" | ratio {ratio:4.2f} (target <= {TARGET}: {verdict})  [median of {args.runs}]"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
