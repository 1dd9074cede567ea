"""How long `copier update` of a default package takes, against a trivial one-file template.

Run on demand (pytest does not collect it):

    .venv/bin/python tests/benchmarks/bench_update.py [--runs 9] [--profile] [--loose]

Both templates get a v1.0.0 and a v2.0.0 tag that changes one line of one file (ours: a line of
the README's "Development" section, so the after-update migration merges it into the package's
README.md); a package is rendered at v1.0.0 and committed, then `copier update --trust
--defaults` to v2.0.0 is timed on a fresh copy of it each run (no conflicts), the two alternately
so that other load on the machine weighs on both alike, the first pair not counted. It prints the
median wall time of each, the ratio, and the median CPU time (user + sys of the `copier` command
and every process it starts) for information. The target (ratio <= 1.3) is judged on the wall
time of the `copier` command, as users run it, and the exit status says whether it is met;
`copier.run_update` in this process is printed too, for information: it leaves out the ~0.3 s
that both spend starting Python and importing Copier, so the same extra work weighs more there.
--profile prints where the time of one in-process update of the default package goes.

The template repositories are packed (`git gc`), as any repository a user updates from is: a
server's, or a clone of it. --loose leaves them as freshly committed, with every object in a file
of its own; Copier clones the template five times per update, and a local clone copies loose
objects one by one (~90 folders for ours), which no user's template repository makes it do. (It
weighs little: ratio 1.44 loose against 1.42-1.46 packed when this was written.)

Where the extra time goes (~0.13-0.17 s over the trivial template's ~0.88-0.97 s, ratio 1.15-1.18,
medians of 21, on the 2-core machine this was measured on, with a warm per-user cache of compiled
templates, which the first pair fills;
measured with cProfile, `-X importtime`, `strace -f -e trace=execve` and updates from variants
of the template with parts taken out):
- ~0.12-0.16 s: Copier checks out the whole template repository five times per update and
  deletes each checkout; ours has 95 files (the template, the migrations with 0.46 MB of
  vendored wheels, the template's own tests and lock file) where the trivial one has 3. About
  0.3 ms per file and checkout on that disk (create, then delete), and the figure that varies
  most from run to run; taking out tests/ alone saves ~0.05 s.
- ~0.06 s: the after-update migration's process: starting Python and importing argparse, PyYAML
  (for the edits of .gitlab-ci.yml and the answers file) and the template's modules, compiled
  from the fresh checkout; one `git show`, one `git cat-file`. README.md and pyproject.toml at
  both versions come rendered from Copier's process (`owned_renders` in context.py, ~0.02 s
  there), so it imports no Jinja; tomlkit and the pyproject edits load only when pyproject.toml
  has work.
- ~0.05 s: Copier's own work for a bigger template: loading copier.yml (pure-Python YAML, ~9 ms,
  four times), importing extensions/context.py (~5 ms, compiled from each checkout), asking
  21 questions three times, and after each file it writes in the package a `git config`
  process. Jinja compiles come from the per-user cache (`TemplateContext`, context.py); with a
  cold cache (a fresh Renovate container) an update compiles them, ~0.07 s more (ratio 1.24).
- The before-update migration starts no process for a plain LF package (before_update_needed in
  context.py decides in Copier's process); where it has work it costs ~40 ms.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import resource
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


def packed(template: Path) -> Path:
    """The repository as a server or a clone holds it: its objects in a pack."""
    git("gc", "--quiet", "--prune=now", cwd=template)
    return template


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


def update_once(update, rendered: Path, scratch: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one update; CPU counts this process and the ones it started."""
    project = scratch / "run"
    shutil.copytree(rendered, project, symlinks=True)
    before = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    start = time.perf_counter()
    update(project)
    elapsed = time.perf_counter() - start
    after = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    cpu = sum(a.ru_utime - b.ru_utime + a.ru_stime - b.ru_stime for a, b in zip(after, before, strict=True))
    assert "v2.0.0" in (project / ".copier-answers.yml").read_text(), "the update did not happen"
    shutil.rmtree(project)
    return elapsed, cpu


def medians(update, trivial: Path, ours: Path, scratch: Path, runs: int) -> dict[Path, tuple[float, float]]:
    """{package: (median wall, median CPU)} of both updates, run alternately so that other load
    on the machine weighs on both alike; the first pair warms caches and is not counted."""
    times: dict[Path, list[tuple[float, float]]] = {trivial: [], ours: []}
    for run in range(runs + 1):
        for rendered in (trivial, ours) if run % 2 else (ours, trivial):
            measured = update_once(update, rendered, scratch)
            if run:
                times[rendered].append(measured)
    return {
        rendered: (statistics.median(w for w, _ in found), statistics.median(c for _, c in found))
        for rendered, found in times.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--loose", action="store_true", help="leave the templates' objects unpacked")
    args = parser.parse_args()
    pack = (lambda template: template) if args.loose else packed
    os.environ.setdefault("GIT_AUTHOR_NAME", "Benchmark")
    os.environ.setdefault("GIT_AUTHOR_EMAIL", "bench@example.org")
    os.environ.setdefault("GIT_COMMITTER_NAME", "Benchmark")
    os.environ.setdefault("GIT_COMMITTER_EMAIL", "bench@example.org")
    with tempfile.TemporaryDirectory(prefix="bench-update-") as tmp:
        tmp = Path(tmp)
        trivial = package(pack(trivial_template(tmp / "trivial-template")), tmp / "trivial-package")
        ours = package(pack(our_template(tmp / "our-template")), tmp / "our-package")
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
            found = medians(update, trivial, ours, tmp, args.runs)
            (baseline, baseline_cpu), (ours_time, ours_cpu) = found[trivial], found[ours]
            ratio = ours_time / baseline
            verdict = ("OK" if ratio <= TARGET else "OVER") if judged else "for information"
            ok = ok and (ratio <= TARGET or not judged)
            print(
                f"{label:18} trivial one-file template {baseline:6.3f} s | default package {ours_time:6.3f} s"
                f" | ratio {ratio:4.2f} (target <= {TARGET}: {verdict})  [median of {args.runs}]"
            )
            print(
                f"{'  CPU (user+sys)':18} trivial one-file template {baseline_cpu:6.3f} s | default package"
                f" {ours_cpu:6.3f} s | ratio {ours_cpu / baseline_cpu:4.2f} (for information)"
            )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
