"""How long `copier copy` of a default package takes, against a trivial one-file template.

Run on demand (pytest does not collect it):

    .venv/bin/python tests/benchmarks/bench_copy.py [--runs 9] [--loose]

Both templates are local git repositories with a v1.0.0 tag, packed as a served or cloned
repository is (--loose: as freshly committed; see bench_update.py); `copier copy --trust
--defaults` of each is timed, the two alternately so that other load on the machine weighs on
both alike, the first pair not counted.
It prints the median wall time of each, the ratio, and the median CPU time (user + sys of the
`copier` command and the processes it starts) for information. The target (issues 2, 10 and 16:
ratio <= 1.15) is judged on the wall time of the `copier` command, as users run it, and the
exit status says whether it is met.

Where the time goes (measured as bench_update.py's figures were, ratio 1.05-1.07): both
spend ~0.3 s starting Python and importing Copier, of ~0.45 s for the trivial template. Ours
costs ~0.03 s more: checking out and deleting its 95-file repository (~0.02-0.04 s, the part
that varies most), the 17 `git config` processes Copier starts, one after each file it renders
(2 for the trivial template), copier.yml's questions (pure-Python YAML, ~9 ms), importing
extensions/context.py and running the validators. The Jinja code of copier.yml's strings and of
the template's files comes from the per-user cache of compiled templates (`TemplateContext` in
context.py); a first run with a cold cache compiles them, ~0.04 s more (ratio 1.15). `copier
copy` runs no migration.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench_update import packed  # noqa: E402 (the repository as a server holds it)

from helpers import REQUIRED_ANSWERS, git, git_commit_all, git_init, template_snapshot, write_tree  # noqa: E402

TARGET = 1.15
COPIER = str(Path(sys.executable).parent / "copier")


def trivial_template(root: Path) -> Path:
    write_tree(
        root, {"copier.yml": "name:\n  type: str\n  default: x\n", "README.md.jinja": "# {{ name }}\n"}
    )
    git_init(root)
    git_commit_all(root, "trivial template")
    git("tag", "v1.0.0", cwd=root)
    return root


def copy_once(template: Path, answers: dict[str, str], destination: Path) -> tuple[float, float]:
    """(wall, CPU) seconds of one `copier copy`, the CPU of every process it starts included."""
    data = [arg for key, value in answers.items() for arg in ("-d", f"{key}={value}")]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(
        [COPIER, "copy", "--trust", "--defaults", "--quiet", *data, str(template), str(destination)],
        check=True,
        capture_output=True,
        stdin=subprocess.DEVNULL,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    assert (destination / "README.md").is_file(), "the copy did not happen"
    shutil.rmtree(destination)
    return wall, cpu


def medians(
    templates: dict[Path, dict[str, str]], scratch: Path, runs: int
) -> dict[Path, tuple[float, float]]:
    """{template: (median wall, median CPU)}, copied alternately; the first pair warms caches."""
    times: dict[Path, list[tuple[float, float]]] = {template: [] for template in templates}
    order = list(templates)
    for run in range(runs + 1):
        for template in order if run % 2 else order[::-1]:
            measured = copy_once(template, templates[template], scratch / "copy")
            if run:
                times[template].append(measured)
    return {
        template: (statistics.median(w for w, _ in found), statistics.median(c for _, c in found))
        for template, found in times.items()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--loose", action="store_true", help="leave the templates' objects unpacked")
    args = parser.parse_args()
    pack = (lambda template: template) if args.loose else packed
    for variable, value in (("NAME", "Benchmark"), ("EMAIL", "bench@example.org")):
        for who in ("AUTHOR", "COMMITTER"):
            os.environ.setdefault(f"GIT_{who}_{variable}", value)
    with tempfile.TemporaryDirectory(prefix="bench-copy-") as tmp:
        tmp = Path(tmp)
        trivial = pack(trivial_template(tmp / "trivial-template"))
        ours = pack(template_snapshot(tmp / "our-template"))
        found = medians({trivial: {"name": "x"}, ours: REQUIRED_ANSWERS}, tmp, args.runs)
    (trivial_wall, trivial_cpu), (ours_wall, ours_cpu) = found[trivial], found[ours]
    ratio = ours_wall / trivial_wall
    verdict = "OK" if ratio <= TARGET else "OVER"
    print(
        f"copier copy: trivial one-file template {trivial_wall:6.3f} s | default package {ours_wall:6.3f} s"
        f" | ratio {ratio:4.2f} (target <= {TARGET}: {verdict})  [median of {args.runs}]"
    )
    print(
        f"CPU (user+sys, for information): trivial {trivial_cpu:6.3f} s | default package {ours_cpu:6.3f} s"
        f" | ratio {ours_cpu / trivial_cpu:4.2f}"
    )
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
