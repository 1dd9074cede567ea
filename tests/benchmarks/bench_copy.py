"""How long `copier copy` of this template takes, against a trivial one-file template.

Run on demand (pytest does not collect it):  .venv/bin/python tests/benchmarks/bench_copy.py [RUNS]
Target (issues 2 and 10): this template takes at most 1.15x the trivial template's time.
Both templates are copied from local git repositories at a tag, through the `copier` command.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from helpers import REQUIRED_ANSWERS, git, git_commit_all, git_init, template_snapshot, write_tree  # noqa: E402

TARGET_RATIO = 1.15


def trivial_template(root: Path) -> Path:
    write_tree(
        root, {"copier.yml": "name:\n  type: str\n  default: x\n", "README.md.jinja": "# {{ name }}\n"}
    )
    git_init(root)
    git_commit_all(root, "trivial template")
    git("tag", "v1.0.0", cwd=root)
    return root


def median_copy_seconds(template: Path, answers: dict, work: Path, runs: int) -> float:
    copier = Path(sys.executable).parent / "copier"
    data = [arg for key, value in answers.items() for arg in ("-d", f"{key}={value}")]
    times = []
    for run in range(runs):
        destination = work / f"{template.name}-{run}"
        start = time.perf_counter()
        subprocess.run(
            [copier, "copy", "--trust", "--defaults", "--quiet", *data, template, destination],
            check=True,
            stdin=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main(runs: int = 7) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        ours = median_copy_seconds(template_snapshot(tmp / "template"), REQUIRED_ANSWERS, tmp, runs)
        trivial = median_copy_seconds(trivial_template(tmp / "trivial"), {"name": "x"}, tmp, runs)
    ratio = ours / trivial
    print(f"copier copy, median of {runs}: this template {ours:.3f}s, trivial template {trivial:.3f}s")
    print(f"ratio {ratio:.2f} (target <= {TARGET_RATIO}): {'ok' if ratio <= TARGET_RATIO else 'OVER TARGET'}")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main(*map(int, sys.argv[1:])))
