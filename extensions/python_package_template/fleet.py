"""A fleet of packages made from the template: which are behind (`status`), and bringing them up
to date in one go (`update`).

    python-package-template status [--json | --markdown] PATH [PATH ...]
    python-package-template update [--vcs-ref vX.Y.Z] [--jobs N] [--json] PATH [PATH ...]

A PATH is a package (a git checkout with a .copier-answers.yml) or a directory of them. Each
package is compared with the template its answers file names (`_src_path`, as `copier update`
does); the template's releases are looked up once per template, not once per package.

`update` never touches the branch a maintainer is on, nor their working tree: each package is
updated in a temporary git worktree on a new branch (template-update/vX.Y.Z), committed there,
and the worktree removed. If anything fails, the branch is deleted again. Nothing is pushed.
It runs template code only from templates the user trusts (`Trust`), writes through no symlink
out of the repository, and cleans what a killed run left (`clean_stale_updates`).
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from packaging.version import Version

from . import safety
from .checks import FAIL, check_package, read_answers
from .packagefiles import answers_problem
from .safety import without_credentials
from .template_source import (
    ANSWERS_FILE,
    TEMPLATE_ENV,
    TEMPLATE_URL,
    ReleaseTags,
    TemplateError,
    editable_checkout,
    src_path_of,
    template_tags,
)
from .workers import Interrupted, in_worker, process_alive, run_all, signals_held

COMMANDS = ("status", "update")
TEMPLATE_NAME = "python-package-template"
BRANCH_PREFIX = "template-update/"
# Copier's inline conflict: whole lines, so that a README that mentions the marker is no conflict.
CONFLICT = re.compile(r"^<<<<<<< before updating$.*?^>>>>>>> after updating$", re.M | re.S)

TOP_EPILOG = f"""\
install:
  pipx install git+{TEMPLATE_URL}
  (or: uv tool install git+URL; pip install . in a clone)

`onboard` renders the template at {TEMPLATE_URL}
unless --template or ${TEMPLATE_ENV} names another (an editable install uses its own checkout).
`status` and `update` follow the template each package's .copier-answers.yml names, as
`copier update` does, but `update` runs template code (Copier's --trust) only from a template
you trust: the one above (or --template), and those in Copier's own `trust` setting.
"""

STATUS_EPILOG = """\
examples:
  python-package-template status ../packages             # every package in that directory
  python-package-template status --markdown ../packages > fleet.md
  python-package-template status --json ../lookup-client ../gridmap

Exit status: 0 every package is on the newest release; 1 a package is behind (or could not be
read); 2 usage.
"""

UPDATE_EPILOG = f"""\
examples:
  python-package-template update ../packages
  python-package-template update --vcs-ref v1.2.0 --jobs 4 ../lookup-client

Trust: `copier update --trust` runs the code of whatever template a package's answers file
names. So a package is updated only when its template is one you trust: the built-in
template, ${TEMPLATE_ENV}, --template, or a `trust` entry of Copier's settings.yml (an entry
ending in `/` trusts everything under it). Any other package is skipped, and the reason says
how to trust its template on purpose.

For each package behind the release (the newest, or --vcs-ref), from a clean working tree: a
new branch {BRANCH_PREFIX}vX.Y.Z from the commit checked out, `copier update --trust
--defaults --conflict inline` on it (in a temporary worktree: the maintainer's branch and
files are never touched), and one commit "chore: update to {TEMPLATE_NAME} vX.Y.Z".
Conflicts are committed with their markers and listed, for the reviewer to resolve on the
branch. Nothing is pushed: push the branches and open merge requests when you are ready.

Exit status: 0 all well; 1 a package failed or has conflicts to resolve; 2 usage.
"""


def add_commands(commands: argparse._SubParsersAction) -> None:
    status = commands.add_parser(
        "status",
        help="say which packages are behind the template's newest release",
        description=(
            "For every package: the template version it is on, the newest release, whether it is"
            " behind, whether its working tree is clean, and which rules of `onboard --check` fail"
            " (without building). Changes nothing."
        ),
        epilog=STATUS_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _paths_argument(status)
    _template_argument(status)
    formats = status.add_mutually_exclusive_group()
    formats.add_argument("--json", action="store_true", help="print the results as JSON, for scripts")
    formats.add_argument(
        "--markdown",
        action="store_true",
        help="print a fleet report in Markdown: a table sorted by how far behind each package is",
    )
    _jobs_argument(status)

    update = commands.add_parser(
        "update",
        help="update every package that is behind, each on a new branch with one commit",
        description=(
            "Run `copier update --trust --defaults` on every package that is behind, in parallel,"
            " each on its own new branch, and commit the result there. Nothing is pushed."
        ),
        epilog=UPDATE_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _paths_argument(update)
    _template_argument(update)
    update.add_argument(
        "--vcs-ref",
        metavar="vX.Y.Z",
        help="the template release to update to (default: the newest)",
    )
    update.add_argument("--json", action="store_true", help="print the results as JSON on stdout")
    _jobs_argument(update)


def _paths_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help="a package (git checkout with a .copier-answers.yml) or a directory of them",
    )


def _template_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--template",
        action="append",
        default=[],
        metavar="PATH_OR_URL",
        help=f"a template whose code you trust to run, besides the built-in one and ${TEMPLATE_ENV}"
        " (repeatable); Copier's `trust` setting counts too",
    )


def _jobs_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="packages worked on at once (default: %(default)s, the CPUs)",
    )


# --- finding packages and their versions ---


def find_packages(paths: Sequence[str]) -> list[Path]:
    """Each PATH that is a package, or the packages directly inside a PATH that is not."""
    found: list[Path] = []
    for given in paths:
        path = Path(given)
        if _is_package(path) or not path.is_dir():
            found.append(path)  # a path that is no directory is reported as such
            continue
        children = sorted(child for child in path.iterdir() if child.is_dir() and _is_package(child))
        found.extend(children or [path])
    return found


def _is_package(path: Path) -> bool:
    return (path / ".git").exists() or (path / ANSWERS_FILE).is_file()


_DESCRIBED = re.compile(r"^(?P<tag>.+)-(?P<commits>\d+)-g(?P<sha>[0-9a-f]+)$")


@dataclass(frozen=True)
class Place:
    """Where a package's `_commit` stands among the template's releases."""

    release: str | None  # the release it is on, or the last one before its commit
    on_release: bool  # exactly on `release`
    label: str  # as shown: "v1.2.0", "v1.2.0 + 3 commits (abc1234)", "commit abc1234"


def place(commit: str, tags: list[str]) -> Place:
    """`_commit` (written by Copier with `git describe --tags --always`) among release `tags`."""
    if commit in tags:
        return Place(commit, True, commit)
    tagged = tags.release_at(commit) if isinstance(tags, ReleaseTags) else None
    if tagged:  # rendered from this commit before it was tagged
        return Place(tagged, True, f"{tagged} ({commit[:7]})")
    described = _DESCRIBED.match(commit)
    if described and described["tag"] in tags:
        return Place(
            described["tag"],
            False,
            f"{described['tag']} + {described['commits']} commits ({described['sha']}, not a release)",
        )
    return Place(None, False, f"commit {commit[:12]} (not a release)")


def releases_behind(version: Place, target: str, tags: list[str]) -> int:
    """How many releases `version` is behind `target`; a commit that no release precedes (with
    `git describe`, no tag is in its history) is behind them all."""
    if version.release is None:
        return tags.index(target) + 1
    if Version(version.release) >= Version(target):
        return 0
    return tags.index(target) - tags.index(version.release)


def _git(path: Path, *args: str, check: bool = True) -> str:
    result = subprocess.run(
        ["git", *args], cwd=path, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False
    )
    if check and result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)}: {(result.stderr or result.stdout).strip()}")
    return result.stdout


def uncommitted(path: Path) -> list[str]:
    """Files with uncommitted changes, untracked ones included (git status --porcelain)."""
    return [line[3:] for line in _git(path, "status", "--porcelain", "--untracked-files=all").splitlines()]


class Releases:
    """Each template's release tags, looked up once (`git ls-remote`) however many packages use it."""

    def __init__(self) -> None:
        self._found: dict[str, list[str] | TemplateError] = {}

    def lookup(self, src_paths: set[str]) -> None:
        missing = sorted(s for s in src_paths if s not in self._found)
        with ThreadPoolExecutor(max_workers=max(1, min(8, len(missing)))) as pool:
            for src_path, found in zip(missing, pool.map(self._tags, missing), strict=True):
                self._found[src_path] = found

    @staticmethod
    def _tags(src_path: str) -> list[str] | TemplateError:
        try:
            return template_tags(src_path)[1]
        except TemplateError as error:
            return error

    def tags(self, src_path: str) -> list[str]:
        found = self._found[src_path]
        if isinstance(found, TemplateError):
            raise found
        return found


# --- trust: whose template code runs ---


@dataclass(frozen=True)
class Trust:
    """The templates whose code the fleet commands run: the configured ones, and the entries
    (prefixes when they end in `/`) of Copier's own `trust` setting, matched as Copier does."""

    templates: tuple[str, ...]
    settings_path: str

    @classmethod
    def load(cls, given: Sequence[str] = ()) -> Trust:
        configured = [TEMPLATE_URL, os.environ.get(TEMPLATE_ENV, "").strip(), *given]
        if editable_checkout():
            configured.append(str(editable_checkout()))
        templates = [src_path_of(t) for t in configured if t]
        entries, settings_path = _copier_trust()
        return cls(tuple(templates + entries), settings_path)

    def allows(self, src_path: str) -> bool:
        from copier._settings import is_trusted_repository

        return any(
            is_trusted_repository(self.templates, s) for s in {src_path, without_credentials(src_path)}
        )

    def refusal(self, src_path: str, path: Path) -> str:
        shown = without_credentials(src_path)
        return (
            f"its answers file names the template {shown}, which you have not said you trust: updating would"
            f" run that template's code on this machine. If you trust it, run `{TEMPLATE_NAME} update --template"
            f" {shown} {path}`, or add it to `trust:` in Copier's settings ({self.settings_path})."
        )


def _copier_trust() -> tuple[list[str], str]:
    """Copier's `trust` setting, read by Copier, and where its settings file is."""
    from copier import load_settings
    from copier._settings import _default_settings_path

    path = os.environ.get("COPIER_SETTINGS_PATH") or str(_default_settings_path())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return list(load_settings().trust), path
    except Exception as error:  # an unreadable settings file trusts nothing more
        print(
            f"warning: Copier's settings ({path}) cannot be read, so its `trust` is ignored: {error}",
            file=sys.stderr,
        )
        return [], path


# --- status ---

CURRENT, BEHIND, AHEAD, NOT_FROM_TEMPLATE, NO_RELEASES, ERROR = (
    "current",
    "behind",
    "ahead",  # on commits after the newest release
    "not from the template",
    "no releases",
    "error",
)


@dataclass
class PackageStatus:
    path: str
    state: str = ERROR
    template: str | None = None  # the answers file's _src_path
    version: str | None = None  # its _commit
    version_label: str | None = None
    on_release: bool | None = None
    latest: str | None = None
    behind: bool = False
    releases_behind: int = 0
    clean: bool | None = None
    uncommitted: list[str] = field(default_factory=list)
    failing_rules: list[str] = field(default_factory=list)
    trusted: bool | None = None  # whether `update` would run its template's code
    error: str | None = None

    def as_dict(self) -> dict:
        return asdict(self)


def package_status(path: Path, releases: Releases, trust: Trust | None = None) -> PackageStatus:
    status = PackageStatus(path=str(path))
    try:
        if not path.is_dir():
            raise RuntimeError("no such directory")
        if not (path / ".git").exists():
            raise RuntimeError("not a git checkout")
        files = uncommitted(path)
        status.clean, status.uncommitted = not files, files
        answers = read_answers(path)
        tags: list[str] = []
        if answers.get("_src_path") and answers.get("_commit"):
            src_path, status.version = str(answers["_src_path"]), str(answers["_commit"])
            status.template = without_credentials(src_path)
            status.trusted = trust.allows(src_path) if trust else None
            tags = releases.tags(src_path)
        if (path / "pyproject.toml").is_file():
            rules = check_package(path, template_tags=tags, build=False)
            status.failing_rules = [r.rule for r in rules if r.status == FAIL]
        if status.version is None:
            problem = answers_problem(path)
            if (path / ANSWERS_FILE).is_file() and problem:
                raise RuntimeError(problem)  # made from the template, but its answers file is broken
            status.state = NOT_FROM_TEMPLATE
            return status
        version = place(status.version, tags)
        status.version_label, status.on_release = version.label, version.on_release
        if not tags:
            status.state = NO_RELEASES
            return status
        status.latest = tags[-1]
        status.releases_behind = releases_behind(version, status.latest, tags)
        status.behind = status.releases_behind > 0
        if status.behind:
            status.state = BEHIND
        else:
            status.state = CURRENT if version.on_release or version.release != status.latest else AHEAD
    except Exception as error:
        status.state, status.error = ERROR, str(error) or type(error).__name__
    return status


def fleet_status(paths: Sequence[str], jobs: int, trust: Trust | None = None) -> list[PackageStatus]:
    packages = find_packages(paths)
    releases = Releases()
    releases.lookup({str(read_answers(p).get("_src_path")) for p in packages if _has_template(p)})
    trust = trust or Trust.load()
    return _map(lambda path: package_status(path, releases, trust), packages, jobs)


def _has_template(path: Path) -> bool:
    return bool(path.is_dir() and read_answers(path).get("_src_path"))


def _map(func: Callable[[Any], Any], items: Sequence[Any], jobs: int, progress=None) -> list[Any]:
    """func(item) for each item, `jobs` threads at a time (for work that waits on git), results in
    input order. Copier's work goes to processes instead (fleet_update, workers.run_all)."""
    results: list[Any] = [None] * len(items)
    workers = max(1, min(jobs, len(items) or 1))
    pool = ThreadPoolExecutor(max_workers=workers)
    with pool:
        futures = {pool.submit(func, item): index for index, item in enumerate(items)}
        for done, future in enumerate(as_completed(futures), start=1):
            results[futures[future]] = future.result()
            if progress:
                progress(done, len(items), results[futures[future]])
    return results


UNTRUSTED_MARK = "template not trusted"


def _behind_text(status: PackageStatus) -> str:
    if status.state == BEHIND:
        count = status.releases_behind
        text = f"yes, {count} release{'s' if count != 1 else ''}"
    elif status.state in (CURRENT, AHEAD):
        text = "no"
    else:
        text = "-"
    return f"{text} ({UNTRUSTED_MARK})" if status.trusted is False else text


def _rows_for_status(statuses: list[PackageStatus]) -> list[tuple[str, ...]]:
    rows = []
    for s in statuses:
        if s.state == ERROR:
            rows.append((s.path, f"error: {s.error}", "-", "-", "-", "-"))
            continue
        rows.append(
            (
                s.path,
                s.version_label or s.state,
                s.latest or "-",
                _behind_text(s),
                "-" if s.clean is None else ("clean" if s.clean else f"{len(s.uncommitted)} uncommitted"),
                ", ".join(s.failing_rules) or "none",
            )
        )
    return rows


STATUS_HEADINGS = ("package", "on template version", "newest", "behind", "working tree", "rules failing")


def text_table(headings: Sequence[str], rows: list[tuple[str, ...]]) -> str:
    table = [tuple(headings), *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(headings))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _farthest_behind_first(status: PackageStatus) -> tuple:
    order = {ERROR: 0, BEHIND: 1, NO_RELEASES: 2, NOT_FROM_TEMPLATE: 3, AHEAD: 4, CURRENT: 5}
    return (order[status.state], -status.releases_behind, status.path)


def _visible(text: str) -> str:
    """`text` with control characters (a newline in a directory name, say) shown as escapes."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text)


def _cell(text: str) -> str:
    """`text` as one cell of a Markdown table: no pipe, backtick or line break can end it early."""
    return _visible(text).replace("|", "\\|").replace("`", "\\`")


def _code_cell(text: str) -> str:
    """`text` as a code span in a Markdown table cell: fenced with more backticks than it holds."""
    text = _visible(text).replace("|", "\\|")
    fence = "`" * (max(map(len, re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def markdown_report(statuses: list[PackageStatus], now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    behind = [s for s in statuses if s.state == BEHIND]
    dirty = [s for s in statuses if s.clean is False]
    failing = [s for s in statuses if s.failing_rules]
    newest = sorted({s.latest for s in statuses if s.latest}, key=Version)
    lines = [
        f"# Template status of {len(statuses)} package{'s' if len(statuses) != 1 else ''}",
        "",
        f"Newest template release: {', '.join(newest) or 'none'}."
        f" Generated {now:%Y-%m-%d %H:%M} UTC by `{TEMPLATE_NAME} status`.",
        "",
        f"- **{len(behind)} behind** the newest release"
        + (" (update them with `python-package-template update`)" if behind else ""),
        f"- {sum(s.state in (CURRENT, AHEAD) for s in statuses)} up to date",
        f"- {sum(s.state == NOT_FROM_TEMPLATE for s in statuses)} not made from the template"
        " (`python-package-template onboard`)",
        f"- {len(dirty)} with uncommitted changes, {len(failing)} failing a rule of `onboard --check`",
    ]
    errors = sum(s.state == ERROR for s in statuses)
    if errors:
        lines.append(f"- {errors} could not be read")
    untrusted = sum(s.trusted is False for s in statuses)
    if untrusted:
        lines.append(
            f"- {untrusted} on a template you have not said you trust (`update` skips them and says how to trust it)"
        )
    lines += [
        "",
        "| " + " | ".join(STATUS_HEADINGS) + " |",
        "|" + "---|" * len(STATUS_HEADINGS),
    ]
    ordered = sorted(statuses, key=_farthest_behind_first)
    for status, row in zip(ordered, _rows_for_status(ordered), strict=True):
        cells = [_code_cell(row[0]), *(_cell(c) for c in row[1:])]
        if status.state == BEHIND:
            cells[3] = f"**{cells[3]}**"
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _status(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    statuses = fleet_status(args.paths, args.jobs, Trust.load(args.template))
    if args.json:
        document = {
            "command": "status",
            "packages": [s.as_dict() for s in statuses],
            "summary": _summary(statuses),
        }
        json.dump(document, out, indent=2)
        out.write("\n")
    elif args.markdown:
        out.write(markdown_report(statuses))
    else:
        print(text_table(STATUS_HEADINGS, _rows_for_status(statuses)), file=out)
        summary = _summary(statuses)
        print(
            f"\n{summary['packages']} packages: {summary['behind']} behind, {summary['current']} up to"
            f" date, {summary['not_from_template']} not from the template, {summary['no_releases']} from a"
            f" template with no release yet, {summary['errors']} errors.",
            file=out,
        )
        if summary["behind"]:
            print("Bring them up to date with `python-package-template update PATH...`.", file=out)
        if summary["untrusted"]:
            print(
                f"{summary['untrusted']} on a template you have not said you trust ({UNTRUSTED_MARK}):"
                " `update` skips them; see `python-package-template update --help`.",
                file=out,
            )
    return 1 if any(s.state in (BEHIND, ERROR) for s in statuses) else 0


def _summary(statuses: list[PackageStatus]) -> dict[str, int]:
    return {
        "packages": len(statuses),
        "behind": sum(s.state == BEHIND for s in statuses),
        "current": sum(s.state in (CURRENT, AHEAD) for s in statuses),
        "not_from_template": sum(s.state == NOT_FROM_TEMPLATE for s in statuses),
        "no_releases": sum(s.state == NO_RELEASES for s in statuses),
        "uncommitted": sum(s.clean is False for s in statuses),
        "errors": sum(s.state == ERROR for s in statuses),
        "untrusted": sum(s.trusted is False for s in statuses),
    }


# --- update ---

UPDATED, CONFLICTS, SKIPPED, UP_TO_DATE, FAILED, INTERRUPTED = (
    "updated",
    "conflicts",
    "skipped",
    "up to date",
    "failed",
    "interrupted",
)


@dataclass
class UpdateReport:
    path: str
    status: str = FAILED
    from_version: str | None = None
    to_version: str | None = None
    branch: str | None = None
    commit: str | None = None
    changed_files: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # files to resolve on the branch
    notes: list[str] = field(default_factory=list)
    reason: str | None = None  # why it was skipped, or what failed

    def as_dict(self) -> dict:
        return asdict(self)


def commit_message(version: str, conflicts: list[str], notes: list[str]) -> str:
    message = f"chore: update to {TEMPLATE_NAME} {version}"
    if conflicts:
        message += (
            "\n\nThe update conflicts with the package's own changes; resolve these files on this"
            " branch before merging (look for `<<<<<<< before updating`):\n\n"
            + "\n".join(f"- {name}" for name in conflicts)
        )
    if notes:
        message += "\n\nThe template's migrations said:\n\n" + "\n".join(notes)
    return message


def copier_update(worktree: Path, target: str) -> tuple[str | None, str]:
    """`copier update --trust --defaults --conflict inline --vcs-ref TARGET` in `worktree`, run
    in this process (a worker's: starting Copier costs as much as a small update). Returns (what
    failed or None, what the migrations printed on stderr): they are subprocesses, so their
    output is caught at the file-descriptor level."""
    import copier

    with tempfile.TemporaryFile() as errors, tempfile.TemporaryFile() as output:
        failure = None
        with _redirected(1, output.fileno()), _redirected(2, errors.fileno()), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                copier.run_update(
                    str(worktree),
                    overwrite=True,
                    unsafe=True,
                    defaults=True,
                    quiet=True,
                    conflict="inline",
                    vcs_ref=target,
                )
            except (Exception, SystemExit) as error:
                failure = f"{type(error).__name__}: {error}"
        errors.seek(0)
        return failure, errors.read().decode("utf-8", errors="replace")


@contextlib.contextmanager
def _redirected(fd: int, to: int) -> Iterator[None]:
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    saved = os.dup(fd)
    os.dup2(to, fd)
    try:
        yield
    finally:
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os.dup2(saved, fd)
        os.close(saved)


def update_package(path: Path, vcs_ref: str | None, releases: Releases, trust: Trust) -> UpdateReport:
    """Update one package on a new branch, or say why not. Never raises, never changes the
    maintainer's checkout: the work happens in a temporary worktree."""
    report = UpdateReport(path=str(path))
    try:
        _update(path, vcs_ref, releases, trust, report)
    except KeyboardInterrupt:
        if not in_worker():
            raise
        report.status = INTERRUPTED
        if report.branch:  # interrupted after its commit: the branch is complete
            report.reason = "interrupted after the update was committed: the branch is complete"
        else:
            report.reason = "interrupted: its worktree and branch were removed again"
    except Exception as error:
        report.status, report.reason = FAILED, str(error) or type(error).__name__
    return report


def _update(path: Path, vcs_ref: str | None, releases: Releases, trust: Trust, report: UpdateReport) -> None:
    if not (path / ".git").exists():
        report.status, report.reason = SKIPPED, "not a git checkout"
        return
    problem = answers_problem(path)
    if problem:
        report.status, report.reason = SKIPPED, problem
        return
    answers = read_answers(path)
    if not trust.allows(str(answers["_src_path"])):
        report.status, report.reason = SKIPPED, trust.refusal(str(answers["_src_path"]), path)
        return
    tags = releases.tags(str(answers["_src_path"]))
    report.from_version = str(answers["_commit"])
    if not tags:
        report.status, report.reason = SKIPPED, "the template has no releases (vX.Y.Z tags)"
        return
    target = vcs_ref or tags[-1]
    if target not in tags:
        report.status = FAILED
        report.reason = f"the template has no release {target} (its newest is {tags[-1]})"
        return
    report.to_version = target
    if releases_behind(place(report.from_version, tags), target, tags) == 0:
        report.status = UP_TO_DATE
        return
    dirty = uncommitted(path)
    if dirty:
        report.status = SKIPPED
        report.reason = f"uncommitted changes ({', '.join(dirty[:5])}{', ...' if len(dirty) > 5 else ''}): commit or stash them, then run update again"
        return
    leaving = _symlinks_out(path)
    if leaving:
        report.status = SKIPPED
        report.reason = (
            f"{', '.join(leaving)}: a symlink out of the repository, which the update could write through;"
            " replace it with the file (or what it holds), commit, and run update again"
        )
        return
    cleaned = clean_stale_updates(path)
    if cleaned:
        report.notes.append(f"removed what an interrupted update left: {', '.join(cleaned)}")
    branch = BRANCH_PREFIX + target
    if _git(path, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", check=False).strip():
        report.status = SKIPPED
        report.reason = f"branch {branch} exists already (an earlier update waiting for review?): merge or delete it first"
        holder = _worktree_of(path, branch)
        if holder:
            report.reason += (
                f"; it is checked out in the worktree {holder}, which another update may be using: if none"
                f" is running, `git worktree remove --force --force {holder} && git branch -D {branch}`"
            )
        return
    if not _git(path, "rev-parse", "--verify", "--quiet", "HEAD", check=False).strip():
        report.status, report.reason = SKIPPED, "no commit yet"
        return

    workdir = Path(tempfile.mkdtemp(prefix="ppt-update-"))
    worktree = workdir / path.name
    committed = False
    try:
        # Locked, naming this process: a later run knows a worktree left by a killed one.
        _git(
            path,
            "worktree",
            "add",
            "--quiet",
            "--lock",
            "--reason",
            _lock_reason(),
            "-b",
            branch,
            str(worktree),
            "HEAD",
        )
        failure, printed = copier_update(worktree, target)
        if failure:
            lines = [*printed.strip().splitlines(), failure]
            raise RuntimeError("copier update failed: " + "\n".join(lines[-6:]))
        # What the template's migrations printed on stderr: notes for the maintainer.
        report.notes += [line.rstrip() for line in printed.splitlines() if line.strip()]
        report.changed_files = uncommitted(worktree)
        if not report.changed_files:
            report.status = UP_TO_DATE
            return
        report.conflicts = conflicted_files(worktree, report.changed_files)
        _git(worktree, "add", "--all")
        # --no-verify: the package's hooks need its own environment, which this run does not set
        # up; the merge request's pipeline checks the result.
        _git(
            worktree,
            "commit",
            "--quiet",
            "--no-verify",
            "-m",
            commit_message(target, report.conflicts, report.notes),
        )
        committed = True
        report.branch = branch
        report.commit = _git(worktree, "rev-parse", "HEAD").strip()
        report.status = CONFLICTS if report.conflicts else UPDATED
    finally:
        with signals_held():  # a second signal must not stop the clean-up half way
            _remove_worktree(path, worktree)
            _git(path, "worktree", "prune", check=False)
            shutil.rmtree(workdir, ignore_errors=True)
            if not committed:
                _git(path, "branch", "--quiet", "-D", branch, check=False)


LOCK_REASON = re.compile(rf"^{TEMPLATE_NAME} update, pid (?P<pid>\d+)$")


def _lock_reason() -> str:
    return f"{TEMPLATE_NAME} update, pid {os.getpid()}"


def clean_stale_updates(path: Path) -> list[str]:
    """Remove what an update that was killed left in `path`: its worktrees (locked with the
    pid of a process that is gone) and its `template-update/...` branches with no commit of
    their own. A branch with an update commit, awaiting review, stays. Returns what went."""
    cleaned = []
    checked_out = set()
    for fields in _worktrees(path):
        branch = fields.get("branch", "").removeprefix("refs/heads/")
        reason = LOCK_REASON.match(fields.get("locked", ""))
        if reason and not process_alive(int(reason["pid"])):
            worktree = Path(fields["worktree"])
            _remove_worktree(path, worktree)
            if worktree.parent.name.startswith("ppt-update-"):
                shutil.rmtree(worktree.parent, ignore_errors=True)
                if worktree.parent.parent.name.startswith("ppt-run-"):  # the killed run's own
                    with contextlib.suppress(OSError):
                        worktree.parent.parent.rmdir()
            cleaned.append(f"worktree {worktree}")
        elif branch:
            checked_out.add(branch)
    _git(path, "worktree", "prune", check=False)
    for branch in _git(
        path, "for-each-ref", "--format=%(refname:short)", f"refs/heads/{BRANCH_PREFIX}"
    ).split():
        own = _git(
            path, "rev-list", "--count", f"refs/heads/{branch}", "--not", f"--exclude={branch}", "--branches"
        )
        if branch not in checked_out and own.strip() == "0":
            _git(path, "branch", "--quiet", "-D", branch, check=False)
            cleaned.append(f"branch {branch} (no commit of its own)")
    return cleaned


def _worktrees(path: Path) -> list[dict[str, str]]:
    """`git worktree list --porcelain`: {"worktree": ..., "branch": ..., "locked": ...} for each,
    the repository's own first."""
    return [
        dict(line.partition(" ")[::2] for line in block.splitlines() if line)
        for block in _git(path, "worktree", "list", "--porcelain").split("\n\n")
        if block.strip()
    ]


def _remove_worktree(path: Path, worktree: Path) -> None:
    """The worktree gone, locked or not, and unlocked (else `git worktree prune` keeps it)."""
    _git(path, "worktree", "remove", "--force", "--force", str(worktree), check=False)
    _git(path, "worktree", "unlock", str(worktree), check=False)


def _worktree_of(path: Path, branch: str) -> str | None:
    """The worktree other than `path` that has `branch` checked out, if any."""
    for fields in _worktrees(path)[1:]:
        if fields.get("branch") == f"refs/heads/{branch}":
            return fields["worktree"]
    return None


def _symlinks_out(path: Path) -> list[str]:
    """The package's committed symlinks that lead out of its repository."""
    root = Path(_git(path, "rev-parse", "--show-toplevel").strip())
    links = [
        line.split("\t", 1)[1]
        for line in _git(path, "ls-files", "--stage", "-z").split("\0")
        if line.startswith("120000 ")
    ]
    return safety.outside(root, links)


def conflicted_files(worktree: Path, changed: list[str]) -> list[str]:
    """What the update left to resolve: files git lists as unmerged, files holding Copier's
    conflict markers, and rejected hunks (*.rej)."""
    found = set(_git(worktree, "diff", "--name-only", "--diff-filter=U").split())
    for name in changed:
        file = worktree / name
        if name.endswith(".rej"):
            found.add(name)
        elif file.is_file():
            try:
                if CONFLICT.search(file.read_text(encoding="utf-8", errors="replace")):
                    found.add(name)
            except OSError:
                continue
    return sorted(found)


def fleet_update(
    paths: Sequence[str], vcs_ref: str | None, jobs: int, progress=None, trust: Trust | None = None
) -> list[UpdateReport]:
    packages = find_packages(paths)
    releases = Releases()
    releases.lookup({str(read_answers(p).get("_src_path")) for p in packages if _has_template(p)})
    work = functools.partial(update_package, vcs_ref=vcs_ref, releases=releases, trust=trust or Trust.load())
    done = [0]

    def show(index: int, result: Any) -> None:
        done[0] += 1
        if progress:
            progress(done[0], len(packages), result)

    # In processes, as Copier works in the process that runs it; all or nothing under Ctrl-C,
    # SIGTERM and a killed command (see workers).
    results = run_all(work, [(package,) for package in packages], max(1, min(jobs, len(packages) or 1)), show)
    return [_as_report(package, result) for package, result in zip(packages, results, strict=True)]


UPDATE_HEADINGS = ("package", "status", "from", "to", "branch", "files changed", "to resolve")


def _update_rows(reports: list[UpdateReport]) -> list[tuple[str, ...]]:
    return [
        (
            r.path,
            r.status,
            r.from_version or "-",
            r.to_version or "-",
            r.branch or "-",
            str(len(r.changed_files)) if r.branch else "-",
            ", ".join(r.conflicts) or "-",
        )
        for r in reports
    ]


def _as_report(path: Path, result: Any) -> UpdateReport:
    """A worker's result as a report: an interrupted package, or a worker that died."""
    if isinstance(result, UpdateReport):
        return result
    if isinstance(result, Interrupted):
        return UpdateReport(
            str(path), INTERRUPTED, reason="interrupted before it was worked on: left as it was"
        )
    return UpdateReport(str(path), FAILED, reason=f"{type(result).__name__}: {result}")


def _run_update(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    def progress(done: int, total: int, report: UpdateReport) -> None:
        if not isinstance(report, UpdateReport):
            return
        detail = f": {report.reason}" if report.reason else ""
        print(f"[{done}/{total}] {report.path}: {report.status}{detail}", file=err, flush=True)

    reports = fleet_update(args.paths, args.vcs_ref, args.jobs, progress, Trust.load(args.template))
    failed = [r for r in reports if r.status in (FAILED, CONFLICTS)]
    interrupted = any(r.status == INTERRUPTED for r in reports)
    if args.json:
        document = {
            "command": "update",
            "vcs_ref": args.vcs_ref,
            "packages": [r.as_dict() for r in reports],
            "summary": {
                "packages": len(reports),
                **{
                    status.replace(" ", "_"): sum(r.status == status for r in reports)
                    for status in (UPDATED, CONFLICTS, SKIPPED, UP_TO_DATE, FAILED, INTERRUPTED)
                },
            },
        }
        json.dump(document, out, indent=2)
        out.write("\n")
        return 130 if interrupted else 1 if failed else 0
    for report in reports:
        if report.status == UP_TO_DATE:
            continue
        print(f"\n== {report.path}: {report.status}", file=out)
        if report.reason:
            print(f"  {report.reason}", file=out)
        if report.branch:
            print(f"  branch {report.branch}, commit {report.commit[:12]}", file=out)
        for name in report.conflicts:
            print(f"  RESOLVE: {name}", file=out)
        for note in report.notes:
            print(f"  note: {note.strip()}", file=out)
    print("\n" + text_table(UPDATE_HEADINGS, _update_rows(reports)), file=out)
    if any(r.branch for r in reports):
        print(
            "\nNothing is pushed: review each branch (`git show template-update/...`), resolve what is"
            " listed, then push it and open a merge request.",
            file=out,
        )
    if interrupted:
        print(
            "\nInterrupted: the packages marked so were left as they were (no worktree, no branch); the"
            " others are complete. Run the same command again to carry on.",
            file=out,
        )
    return 130 if interrupted else 1 if failed else 0


def main(args: argparse.Namespace, parser: argparse.ArgumentParser, out: TextIO, err: TextIO) -> int:
    if args.jobs < 1:
        parser.error("--jobs must be at least 1")
    if args.command == "status":
        return _status(args, out, err)
    return _run_update(args, out, err)


__all__ = [
    "COMMANDS",
    "TOP_EPILOG",
    "add_commands",
    "main",
    "fleet_status",
    "fleet_update",
    "markdown_report",
]
