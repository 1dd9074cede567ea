"""Bring one existing package in line with the template, without losing anything of its own.

The template is rendered with the package's answers into a temporary directory; then, file by
file, the package gains what it lacks:

- files it does not have are added (a file it has is never overwritten: it is merged, or kept
  and reported);
- pyproject.toml is merged structurally (see pyproject_merge);
- an MIT LICENSE / LICENSE.md becomes LICENSE.txt (`git mv`); any other licence is left alone
  and reported, and then no MIT metadata or licence text is added either;
- .gitlab-ci.yml gains the common pipeline include, its own jobs untouched;
- the README gains the sections it lacks, as a marked skeleton at its end;
- .gitignore gains the template's patterns it lacks;
- last, the Copier answers file records the template and its version, so that `copier update`
  works from then on.

All or nothing: every edit is planned in memory first. The package is built with its own
backend before and after the planned edits, in scratch copies (see `proof`); only when the
wheels agree, except where the rules intend a change, are the edits written, and an error or
Ctrl-C while they are written puts back what was there. A dirty working tree is refused, as
`copier update` refuses it. Each file keeps its line endings; a file that is not UTF-8 is
refused with its name.

Running it again changes nothing. A package that already has an answers file from another
template version is left alone: `copier update` is the way to move it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import tomllib
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

import copier
import tomlkit
import yaml

from . import edits, proof, safety, setuptools_legacy, testproof, toolsettings
from . import readme as readme_rules
from .infer import NotAPackage, find_import_packages, git_output, parse_remote, require_package
from .journal import Journal, JournalInUse, journal_for
from .packagefiles import (
    LICENCE_NAMES,
    ci_includes,
    find_readme,
    has_metadata,
    load_ci,
    pyproject_metadata,
    requires_python,
)
from .pyproject_merge import merge_pyproject, remote_urls
from .template_source import ANSWERS_FILE, TemplateSource
from .text_form import TextForm
from .workers import signals_held

ONBOARDED, UNCHANGED, SKIPPED, ERROR, INTERRUPTED = (
    "onboarded",
    "unchanged",
    "skipped",
    "error",
    "interrupted",
)


class OnboardError(Exception):
    """Onboarding stopped before writing anything; the message says why and what to do."""


class TestsDiffer(OnboardError):
    """With the planned edits the package's own tests would give a different result."""

    __test__ = False

    def __init__(self, message: str, differences: list[str]) -> None:
        super().__init__(message)
        self.differences = differences


@dataclass
class PackageReport:
    """What happened to one package (onboarding) or what holds for it (checking)."""

    path: str
    status: str = UNCHANGED
    answers: dict[str, str] = field(default_factory=dict)
    changes: list[str] = field(default_factory=list)
    changed_files: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    rules: list[dict] = field(default_factory=list)
    error: str | None = None

    @property
    def failing_rules(self) -> list[str]:
        return [r["rule"] for r in self.rules if r["status"] == "fail"]

    def as_dict(self) -> dict:
        return {**asdict(self), "failing_rules": self.failing_rules}


class _Package:
    """The package being changed. Nothing is written until `write_all`: reads see the planned
    text, writes and renames are planned in memory, and every change is recorded."""

    def __init__(self, path: Path, report: PackageReport) -> None:
        self.path = path
        self.report = report
        self.planned: dict[str, bytes | None] = {}  # relative path -> new bytes (None: removed)
        self.renames: list[tuple[str, str]] = []  # (old, new), done with `git mv` when tracked
        self._forms: dict[str, TextForm] = {}  # each file's line endings and BOM, kept on writing
        # What each file onboarding looked at held on disk then (None: no such file), to notice
        # a file changed under it before writing.
        self.seen: dict[str, bytes | None] = {}

    def exists(self, relative: str) -> bool:
        if relative in self.planned:
            return self.planned[relative] is not None
        return self._disk(relative) is not None

    def _bytes(self, relative: str) -> bytes | None:
        if relative in self.planned:
            return self.planned[relative]
        return self._disk(relative)

    def _disk(self, relative: str) -> bytes | None:
        if relative not in self.seen:
            self.seen[relative] = self._original(relative)
        return self.seen[relative]

    def read(self, relative: str) -> str | None:
        """The file's text as plain text, LF and no BOM (its own form is put back on writing, as
        the update migration does: text_form)."""
        data = self._bytes(relative)
        if data is None:
            return None
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise OnboardError(
                f"{relative} is not UTF-8 (byte {data[error.start]:#04x} at offset {error.start}), so onboarding"
                " cannot edit it without changing its encoding; convert it to UTF-8 (e.g. `iconv -f latin1 -t"
                f" utf-8`), commit, and run again. Nothing was changed."
            ) from None
        form = self._forms.setdefault(relative, TextForm.of(data))
        return form.strip(data).decode("utf-8")

    def write(self, relative: str, text: str, change: str | list[str]) -> None:
        self._disk(relative)
        if self.exists(relative) and self.read(relative) == text:
            return
        self.planned[relative] = self._forms.get(relative, TextForm()).apply(text.encode("utf-8"))
        self.changed(relative, change)

    def rename(self, old: str, new: str, change: str) -> None:
        self._disk(new)
        self.planned[new] = self._bytes(old)
        self.planned[old] = None
        self.renames.append((old, new))
        self.changed(new, change)

    def remove(self, relative: str, change: str) -> None:
        self._disk(relative)
        self.planned[relative] = None
        self.changed(relative, change)

    def changed(self, relative: str, change: str | list[str]) -> None:
        if relative not in self.report.changed_files:
            self.report.changed_files.append(relative)
        self.report.changes += [change] if isinstance(change, str) else change

    def apply_to(self, root: Path) -> None:
        """Write the plan into `root` (a scratch copy of the package)."""
        for relative, data in self.planned.items():
            target = root / relative
            if data is None:
                target.unlink(missing_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)

    def write_all(self) -> None:
        """Write the plan into the package, all or nothing. A file changed on disk since
        onboarding read it, or one that would be written outside the repository (through a
        symlink), stops it before anything is written. On any error or interruption (Ctrl-C,
        SIGTERM) what was there is put back, git's index included, and the exception goes on;
        what could not be put back is named (`RollbackIncomplete`)."""
        self.refuse_outside()
        self.refuse_changed_since_read()
        journal = journal_for(self.path) or Journal(self.path / ".git" / "journal")
        index = journal.file.with_name("index")
        saved_index = index.read_bytes() if index.is_file() else None
        had_lock = index.with_name("index.lock").exists()
        saved = {relative: self._original(relative) for relative in self.planned}
        new_dirs = _new_dirs(self.path, [r for r, data in self.planned.items() if data is not None])
        # What to put back if this process is killed outright (SIGKILL): the next run reads it.
        journal.write(git_output(self.path, "rev-parse", "HEAD"), saved, new_dirs, saved_index, had_lock)
        try:
            for old, new in self.renames:
                if edits._git_tracked(self.path, old):
                    edits._git(self.path, "mv", "--", old, new)
            for relative, data in self.planned.items():
                target = self.path / relative
                if data is None:
                    target.unlink(missing_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                write_file(target, data)
        except BaseException as error:
            with signals_held():
                if not had_lock:  # a `git mv` killed with us leaves its lock behind
                    index.with_name("index.lock").unlink(missing_ok=True)
                failed = self._put_back(saved, [self.path / d for d in new_dirs], index, saved_index)
                journal.remove()
            if failed:
                raise RollbackIncomplete(
                    f"{type(error).__name__}: {error or 'interrupted'} while writing, and putting the package back"
                    f" failed for: {'; '.join(failed)}. Everything else is as it was. The working tree was clean"
                    " before onboarding, so `git checkout HEAD -- FILE` restores a tracked FILE."
                ) from error
            raise
        journal.remove()

    def _put_back(
        self, saved: dict[str, bytes | None], new_dirs: list[Path], index: Path, saved_index: bytes | None
    ) -> list[str]:
        """Undo what write_all did; each step on its own, so that one that fails does not stop
        the others (git's index above all). Returns what could not be put back, and why."""
        failed = []
        for relative, data in saved.items():
            target = self.path / relative
            try:
                if data is None:
                    target.unlink(missing_ok=True)
                elif not target.is_file() or target.read_bytes() != data:
                    target.parent.mkdir(parents=True, exist_ok=True)
                    write_file(target, data)
            except OSError as error:
                failed.append(f"{relative} ({error.strerror or type(error).__name__})")
        for directory in reversed(new_dirs):
            shutil.rmtree(directory, ignore_errors=True)
        if saved_index is not None:
            try:
                if index.read_bytes() != saved_index:
                    index.write_bytes(saved_index)
            except OSError as error:
                failed.append(
                    f"git's index {index} ({error.strerror or type(error).__name__}; `git reset` rebuilds it)"
                )
        return failed

    def refuse_outside(self) -> None:
        """Refuse, by name, a file that would be written outside the package's repository."""
        root = Path(git_output(self.path, "rev-parse", "--show-toplevel") or self.path)
        leaving = safety.outside(root, self.planned)  # a rename plans its old name too (None: removed)
        if leaving:
            raise OnboardError(
                f"{', '.join(leaving)}: outside the package's repository {root} (a symlink leads out of it),"
                " so onboarding would write there; replace the symlink with the file (or leave the package"
                " out). Nothing was changed."
            )

    def refuse_changed_since_read(self) -> None:
        """Refuse a package whose files changed on disk after onboarding read them: writing the
        plan would overwrite someone's edit."""
        changed = [
            relative
            for relative in self.planned  # a rename plans its old name too
            if relative in self.seen and self._original(relative) != self.seen[relative]
        ]
        if changed:
            raise OnboardError(
                f"{', '.join(sorted(set(changed)))} changed while onboarding ran, so its edits were not written"
                " (they would overwrite that change). Nothing was changed: commit the change, then run again."
            )

    def _original(self, relative: str) -> bytes | None:
        file = self.path / relative
        return file.read_bytes() if file.is_file() else None


def _new_dirs(root: Path, relatives: list[str]) -> list[str]:
    """The folders writing `relatives` creates, outermost first."""
    found: list[str] = []
    for relative in relatives:
        for parent in reversed(Path(relative).parents):
            if parent != Path(".") and not (root / parent).exists() and parent.as_posix() not in found:
                found.append(parent.as_posix())
    return found


class RollbackIncomplete(OnboardError):
    """Writing failed, and so did putting back some of what was there: the message names it."""


def write_file(target: Path, data: bytes) -> None:
    """Write one planned file (one function, so that tests can interrupt onboarding here)."""
    target.write_bytes(data)


def _render(template: TemplateSource, answers: dict[str, str], destination: Path) -> str:
    """Render the template with `answers` into `destination`; return its answers file's text
    as Copier would have written it rendering from the template the user named."""
    source, ref = (template.export, None) if template.export else (template.checkout, template.ref)
    copier.run_copy(
        str(source),
        destination,
        data=answers,
        defaults=True,
        unsafe=True,
        quiet=True,
        vcs_ref=ref,
        overwrite=True,
    )
    rendered = (destination / ANSWERS_FILE).read_text(encoding="utf-8")
    return _answers_text(rendered, template.src_path, template.version)


def _answers_text(rendered: str, src_path: str, commit: str) -> str:
    """The rendered answers file, naming the template the user gave (not our local copy) and
    its version: Copier writes `_commit` only when it renders from git itself."""

    def line(key: str, value: str) -> str:
        return yaml.safe_dump({key: value}, allow_unicode=True, width=10_000).strip()

    text = re.sub(r"^_commit: .*\n", "", rendered, count=1, flags=re.M)
    return re.sub(
        r"^_src_path: .*$",
        lambda _: line("_commit", commit) + "\n" + line("_src_path", src_path),
        text,
        count=1,
        flags=re.M,
    )


def version_holds(package_dir: Path | None, version: str) -> bool:
    """Whether the template's smoke test (`__version__` equals the installed version) holds: the
    package sets `__version__` to its version, or reads it from its installed metadata."""
    if package_dir is None:
        return False
    init = package_dir / "__init__.py" if package_dir.is_dir() else package_dir
    text = init.read_text(encoding="utf-8", errors="replace") if init.is_file() else ""
    literal = re.search(r"^__version__\s*(?::\s*str\s*)?=\s*[\"']([^\"']+)[\"']", text, re.M)
    if literal:
        return bool(version) and literal[1] == version
    return bool(re.search(r"^__version__\s*(?::\s*str\s*)?=.*\bversion\(", text, re.M))


@dataclass
class _Licence:
    """What the package's licence is, decided before anything is rendered."""

    is_mit: bool
    files: list[str]  # the licence files it has, preferred name first
    conflict: str = ""


def _licence_of(package: _Package, doc: dict) -> _Licence:
    found = [name for name in LICENCE_NAMES if package.exists(name)]
    if not found:
        meta, _ = pyproject_metadata(doc)
        declared = meta.get("license")
        declared = declared.get("text", "") if isinstance(declared, dict) else str(declared or "")
        if declared and re.sub(r"[^a-z]", "", declared.lower()) not in ("mit", "mitlicense"):
            return _Licence(False, [], "")
        return _Licence(True, [])
    mit = {name: edits.is_mit_license(package.read(name) or "") for name in found}
    if not all(mit.values()):
        other = [name for name, is_mit in mit.items() if not is_mit]
        return _Licence(
            False,
            found,
            f"{', '.join(other)}: not the MIT licence the template uses, so the licence, its file name and the"
            " licence metadata were left as they are (answer `license: other`); decide with the package's owners.",
        )
    return _Licence(True, found)


def _plan_licence(package: _Package, render: Path, licence: _Licence) -> None:
    """LICENSE.txt with the MIT licence, for an MIT package."""
    if not licence.is_mit:
        if licence.conflict:
            package.report.conflicts.append(licence.conflict)
        return
    if not licence.files:
        package.write(
            "LICENSE.txt",
            (render / "LICENSE.txt").read_text(encoding="utf-8"),
            "LICENSE.txt: added the MIT licence (the package had no licence file)",
        )
        return
    others = [name for name in licence.files if name != "LICENSE.txt"]
    texts = {name: (package.read(name) or "").strip() for name in licence.files}
    for name in others:
        if not package.exists("LICENSE.txt"):
            tracked = " (git mv, history kept)" if edits._git_tracked(package.path, name) else ""
            package.rename(name, "LICENSE.txt", f"{name} renamed to LICENSE.txt{tracked}")
        elif texts[name] == (package.read("LICENSE.txt") or "").strip():
            package.remove(name, f"{name} removed: LICENSE.txt has the same text")
        else:
            package.report.conflicts.append(
                f"{name}: another copy of the licence, worded differently; keep LICENSE.txt and delete it (`git rm`)."
            )


def readme_links(template_readme: str, answers: dict[str, str], urls: dict[str, str]) -> str:
    """The template's README with links only where the git remote gives them: GitHub's own path
    scheme on GitHub, and a placeholder to fill in where there is no remote (or its host's
    scheme is not known), instead of links to a made-up GitLab project."""
    base = f"https://{answers['gitlab_host']}/{answers['gitlab_project_path']}"
    if urls and answers["gitlab_host"] == "github.com":
        return template_readme.replace(f"{base}/-/", f"{base}/")
    if urls:
        return template_readme
    lines = []
    for line in template_readme.splitlines():
        if base in line:
            if line.lstrip().startswith("- "):
                if not lines or readme_rules.PLACEHOLDER_MARK not in lines[-1]:
                    lines.append(f"- {readme_rules.PLACEHOLDER_MARK}: where the source code and issues are")
                continue
            line = re.sub(rf"\[([^\]]*)\]\({re.escape(base)}[^)]*\)", r"\1", line)
            line = line.replace(base, "")
        lines.append(line)
    return "\n".join(lines) + "\n"


def _readme(package: _Package, render: Path, licence_is_mit: bool, answers: dict, urls: dict) -> str | None:
    """README.md with the template's sections; the README file name pyproject.toml should give."""
    doc = tomlkit.parse(package.read("pyproject.toml") or "").unwrap()
    readme = find_readme(package.path, doc)
    template_readme = readme_links((render / "README.md").read_text(encoding="utf-8"), answers, urls)
    template_readme = readme_rules.with_python_support(template_readme, requires_python(doc))
    if readme is None:
        package.write(
            "README.md", template_readme, "README.md: added the template's README (the package had none)"
        )
        return "README.md"
    relative = readme.relative_to(package.path).as_posix()
    text = package.read(relative) or ""
    if readme.suffix.lower() not in (".md", ".markdown"):
        missing = readme_rules.missing_sections(text)
        if missing:
            package.report.conflicts.append(
                f"{relative} is not Markdown, so the template's missing sections were not added; add"
                f" {', '.join(missing)} by hand."
            )
        return relative
    if not licence_is_mit:
        # The template's Licence section says MIT: leave the section to the owners.
        template_readme = re.sub(r"^## Licence\n.*?(?=^## |\Z)", "", template_readme, flags=re.M | re.S)
    new_text, added = readme_rules.append_skeleton(text, template_readme)
    if added:
        package.write(
            relative,
            new_text,
            f"{relative}: added a skeleton of the sections it lacked, at the end: {', '.join(added)}",
        )
    return relative


def _ci(package: _Package, render: Path, answers: dict[str, str]) -> None:
    text = package.read(".gitlab-ci.yml")
    if text is None:
        package.write(
            ".gitlab-ci.yml",
            (render / ".gitlab-ci.yml").read_text(encoding="utf-8"),
            ".gitlab-ci.yml: added, including the common pipeline",
        )
        return
    project, file, ref = answers["ci_include_project"], answers["ci_include_file"], answers["ci_include_ref"]
    try:
        new_text, changes = edits.add_ci_include(text, project, file, ref)
    except edits.UnsafeEdit as error:
        package.report.conflicts.append(str(error))
        return
    if changes:
        package.write(".gitlab-ci.yml", new_text, changes)
    for include in ci_includes(load_ci(package.path)):
        if include["project"].strip("/").lower() == project.strip("/").lower() and include["file"].lstrip(
            "/"
        ) == file.lstrip("/"):
            if not re.match(r"^v\d+\.\d+\.\d+$", str(include["ref"] or "")):
                package.report.conflicts.append(
                    f".gitlab-ci.yml: the common pipeline include follows {include['ref'] or 'the default branch'!r},"
                    f" not a release tag; pin it (`ref: {ref}`) by hand once its pipeline is known to pass."
                )


def _gitignore(package: _Package, render: Path) -> None:
    template_lines = (render / ".gitignore").read_text(encoding="utf-8").splitlines()
    text = package.read(".gitignore")
    if text is None:
        package.write(".gitignore", "\n".join(template_lines) + "\n", ".gitignore: added the template's")
        return
    have = {line.strip() for line in text.splitlines()}
    missing = [
        line
        for line in template_lines
        if line.strip() and not line.startswith("#") and line.strip() not in have
    ]
    if missing:
        block = (
            "\n# Added by python-package-template onboarding (the template's .gitignore)\n"
            + "\n".join(missing)
            + "\n"
        )
        package.write(
            ".gitignore", text.rstrip("\n") + "\n" + block, f".gitignore: added {', '.join(missing)}"
        )


def _changelog(render_text: str) -> str:
    """The template's CHANGELOG up to [Unreleased], with the onboarding as its first entry: the
    template's own first entry ("First release") is not true of an existing package."""
    head, marker, _ = render_text.partition("## [Unreleased]")
    if not marker:
        return render_text
    return (
        head + marker + "\n\n### Changed\n\n"
        "- Brought the package in line with the team's Python package template.\n"
    )


def _test_file_note(relative: str, answers: dict[str, str], facts: dict) -> str:
    """Why one of the template's tests would not hold on the package ("" when it holds)."""
    if relative == "tests/test_readme.py":
        if facts["readme"] != "README.md":
            return f"its test reads README.md, and the package's readme is {facts['readme'] or 'none'}"
        if facts["runner"] != "pytest":
            return "it is a pytest test, and the package's tests run with unittest"
    elif relative == "tests/test_package.py" and not version_holds(facts["code"], facts["version"]):
        return (
            f"its test needs {answers['package_name']}.__version__ to equal the installed version"
            f" ({facts['version'] or 'dynamic'}), which the package does not set (set it, or write the test yourself)"
        )
    return ""


def _other_files(package: _Package, render: Path, answers: dict[str, str], facts: dict) -> None:
    """The template's other files the package lacks; `facts` says what its tests need (readme,
    runner, code, version)."""
    handled = {"pyproject.toml", "README.md", "LICENSE.txt", ".gitlab-ci.yml", ".gitignore", ANSWERS_FILE}
    source_dir = f"src/{answers['package_name']}/"
    for file in sorted(p for p in render.rglob("*") if p.is_file()):
        relative = file.relative_to(render).as_posix()
        if relative in handled or package.exists(relative):
            continue
        if relative.startswith("docs/") and package.exists("mkdocs.yml"):
            continue  # the package's own documentation site, kept as it is
        if relative.startswith(source_dir):
            if relative.endswith("py.typed"):
                package.report.notes.append(
                    f"{relative} not added: it would change the wheel; add it when the package's code has type"
                    " hints (then add the classifier Typing :: Typed)"
                )
            continue  # the package's code is its own
        why_not = _test_file_note(relative, answers, facts) if relative.startswith("tests/test_") else ""
        if why_not:
            package.report.notes.append(f"{relative} not added: {why_not}")
            continue
        text = file.read_text(encoding="utf-8")
        if relative == "CHANGELOG.md":
            text = _changelog(text)
        package.write(relative, text, f"{relative}: added from the template")
        if relative == "tests/test_readme.py" and readme_rules.PLACEHOLDER_MARK in (
            package.read("README.md") or ""
        ):
            package.report.notes.append(
                f"{relative} skips on merge requests and fails a release tag's pipeline while README.md holds"
                f" {readme_rules.PLACEHOLDER_MARK} lines: fill them in before the next release"
            )


def onboard_package(
    path: str | Path,
    answers: dict[str, str],
    template: TemplateSource,
    stop=None,
    *,
    prove_tests: bool = False,
    dry_run: bool = False,
    try_strict_tests: bool = False,
) -> PackageReport:
    """Onboard the package at `path` with `answers` (all of the template's questions answered).
    Never raises but KeyboardInterrupt (after putting the package back as it was): what went
    wrong is in the report. `stop()`, when given, is asked just before anything is written:
    True leaves the package as it was (a fleet run that was interrupted). `prove_tests` runs
    the package's own tests before and after the planned edits (see testproof); `dry_run`
    plans and proves, and writes nothing. `try_strict_tests` (with `prove_tests`, for answers
    `test_settings: own`) first tries the template's strict pytest settings, where nothing
    that can be seen stands in their way, and takes them when the package's tests prove they hold."""
    path = Path(path).resolve()
    report = PackageReport(path=str(path), answers=dict(answers))
    tried: list[str] = []
    runs: dict[str, testproof.TestRun] = {}  # the suite as it is, run once for both attempts
    try:
        if (
            try_strict_tests
            and prove_tests
            and answers.get("test_settings") == "own"
            and _strict_may_hold(path)
        ):
            strict = {**answers, "test_settings": "template"}
            trial = PackageReport(path=str(path), answers=dict(strict))
            try:
                _onboard(path, strict, template, trial, stop, prove_tests=True, dry_run=dry_run, runs=runs)
            except TestsDiffer as error:
                tried = [f"with them its own tests give: {'; '.join(error.differences)}"]
            except OnboardError as error:  # e.g. pytest-cov would not install: the same without them
                tried = [f"with them, {str(error).removeprefix('left as it was: ')}"]
            else:
                trial.notes.append(
                    "took the template's strict pytest settings (test_settings: template): the package's own tests"
                    " pass with them as they did before"
                )
                return trial
        _onboard(
            path,
            answers,
            template,
            report,
            stop,
            prove_tests=prove_tests,
            dry_run=dry_run,
            tried=tried,
            runs=runs,
        )
    except (NotAPackage, OnboardError) as error:
        report.status, report.error = ERROR, str(error)
    except KeyboardInterrupt:
        report.status, report.error = INTERRUPTED, "interrupted: the package was left as it was"
        raise
    except Exception as error:  # one package's failure must not stop the fleet
        report.status, report.error = ERROR, f"{type(error).__name__}: {error} (nothing was changed)"
        report.notes.append(traceback.format_exc())
    if report.status in (ERROR, INTERRUPTED):
        report.changed_files = []
    return report


def _strict_may_hold(path: Path) -> bool:
    """Whether the template's strict pytest settings are worth trying: the package configures
    pytest nowhere, and nothing that can be seen (its pytest pin, where its tests are) stands in
    their way."""
    try:
        doc = tomllib.loads((path / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        return False
    plan = testproof.plan_for(path)
    configured = testproof.configures_pytest(path, doc)
    return not configured and not toolsettings.pytest_blockers(path, doc, plan.runner)


def refuse_dirty(path: Path) -> None:
    status = subprocess.run(
        ["git", "status", "--porcelain", "--", "."],
        cwd=path,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    ).stdout
    if status.strip():
        files = [line[3:] for line in status.splitlines()][:5]
        raise OnboardError(
            f"{path} has uncommitted changes ({', '.join(files)}): commit or stash them first, so that"
            " onboarding's changes can be reviewed on their own (as `copier update` asks). Nothing was changed."
        )


def _layout(path: Path, package_name: str) -> str:
    """`src` when the code is in src/<package_name>/, else `flat` (the package's own layout)."""
    return "src" if (path / "src" / package_name / "__init__.py").is_file() else "flat"


def _remote_urls(path: Path, report: PackageReport) -> dict[str, str]:
    """The project URLs the git remote gives, in its host's scheme; the report says when none."""
    remotes = git_output(path, "remote").split()
    name = "origin" if "origin" in remotes else (remotes[0] if remotes else "")
    parsed = parse_remote(git_output(path, "remote", "get-url", name)) if name else None
    if parsed is None:
        report.notes.append(
            "no git remote: no project URLs were added (the answers gitlab_host and gitlab_project_path are"
            " the template's defaults; correct them with --data)"
        )
        return {}
    head = git_output(path, "symbolic-ref", "--short", f"refs/remotes/{name}/HEAD")
    branch = head.split("/", 1)[1] if "/" in head else git_output(path, "branch", "--show-current") or "main"
    urls = remote_urls(parsed[0], parsed[1], branch)
    if not urls:
        report.notes.append(
            f"the git remote's host {parsed[0]} is neither GitLab nor GitHub: no project URLs were added"
        )
    return urls


def _onboard(
    path: Path,
    answers: dict[str, str],
    template: TemplateSource,
    report: PackageReport,
    stop=None,
    *,
    prove_tests: bool = False,
    dry_run: bool = False,
    tried: list[str] = (),
    runs: dict | None = None,
) -> None:
    require_package(path)
    journal = journal_for(path)
    if journal:
        try:
            restored = journal.put_back(path)
        except JournalInUse as error:
            raise OnboardError(str(error)) from None
        if restored:
            report.notes.append(
                f"put back what an onboarding that was killed while writing had left: {', '.join(restored)}"
            )
    package = _Package(path, report)
    recorded = yaml.safe_load(package.read(ANSWERS_FILE) or "") or {}
    if recorded.get("_src_path") and str(recorded["_src_path"]) != template.src_path:
        report.status = SKIPPED
        report.notes.append(
            f"already made from the template {recorded['_src_path']}, not {template.src_path}: left as it is."
        )
        return
    if recorded.get("_commit") and str(recorded["_commit"]) != template.version:
        report.status = SKIPPED
        report.notes.append(
            f"already made from the template at {recorded['_commit']} (this run renders {template.version}):"
            " run `copier update` to move it, not onboarding."
        )
        return
    refuse_dirty(path)
    pyproject_text = package.read("pyproject.toml") or ""
    doc = tomlkit.parse(pyproject_text).unwrap()
    legacy = setuptools_legacy.is_legacy(path, doc)
    if legacy:  # setuptools, metadata in setup.cfg / setup.py: both stay as they are
        meta, _, notes = setuptools_legacy.legacy_metadata(path)
        report.notes += notes
        doc = {**doc, "project": meta}
    elif not has_metadata(doc):
        raise NotAPackage(
            f"{path}/pyproject.toml has no package metadata ([project] or [tool.poetry] name): move the"
            " metadata from setup.py/setup.cfg into [project] first, then onboard."
        )
    # Files onboarding may edit must be UTF-8: refuse now, by name, before anything else.
    readme = find_readme(path, doc)
    for relative in [".gitignore", ".gitlab-ci.yml", *LICENCE_NAMES] + (
        [readme.relative_to(path).as_posix()] if readme else []
    ):
        package.read(relative)
    built: list[proof.Built] = []

    def before() -> proof.Built:
        """The package's wheel as it is: built when first needed (a run with nothing to change
        builds nothing)."""
        if not built:
            try:
                built.append(proof.build_package(path))
            except proof.BuildFailed as error:
                raise OnboardError(
                    f"the package does not build as it is ({proof.backend_name(path)}): {error}. Onboarding"
                    " proves that what it builds stays the same, so fix the build first. Nothing was changed."
                ) from None
        return built[0]

    code = find_import_packages(path, doc)
    licence = _licence_of(package, doc)
    answers = {
        **answers,
        "package_layout": _layout(path, answers["package_name"]),
        "license": "MIT" if licence.is_mit else "other",
    }
    report.answers = dict(answers)
    urls = _remote_urls(path, report)
    with tempfile.TemporaryDirectory(prefix="ppt-render-") as tmp:
        render = Path(tmp) / "render"
        answers_text = _render(template, answers, render)
        _plan_licence(package, render, licence)
        readme = _readme(package, render, licence.is_mit, answers, urls)
        new_text, changes, conflicts, notes, added_urls = merge_pyproject(
            pyproject_text or _legacy_build_system(package),
            (render / "pyproject.toml").read_text(encoding="utf-8"),
            path,
            readme=readme,
            licence_is_mit=licence.is_mit,
            published_classifiers=lambda: before().metadata.get("classifier", []),
            urls=urls,
            has_changelog=package.exists("CHANGELOG.md") or (render / "CHANGELOG.md").is_file(),
        )
        report.conflicts += conflicts
        report.notes += notes
        if not pyproject_text:
            changes = [
                "pyproject.toml: added, with the [build-system] setuptools builds the package with today",
                *changes,
            ]
        if changes:
            package.write("pyproject.toml", new_text, changes)
            if (path / "poetry.lock").is_file():
                report.notes.append("poetry.lock: pyproject.toml changed; run `poetry lock` to refresh it")
        # The template's tests are decided on pyproject.toml as planned (it may gain pytest).
        planned = testproof.plan_for(path, package.read("pyproject.toml"))
        meta, _ = pyproject_metadata(doc)
        facts = {"readme": readme, "runner": planned.runner, "code": code[0] if code else None}
        _other_files(package, render, answers, {**facts, "version": str(meta.get("version") or "")})
        if legacy:
            _setup_cfg(package, readme, licence.is_mit)
        _ci(package, render, answers)
        _gitignore(package, render)
        package.write(
            ANSWERS_FILE,
            answers_text,
            f"{ANSWERS_FILE}: records the template ({template.version}) and the answers, for copier update",
        )
        package.refuse_outside()
        if package.planned:
            _prove(package, before(), licence.is_mit, added_urls)
            if prove_tests:  # the suite as the package runs it today: nothing is written yet
                _prove_tests(package, testproof.plan_for(path), {} if runs is None else runs)
    blockers = toolsettings.pytest_blockers(path, doc, planned.runner) + list(tried)
    report.notes += toolsettings.next_steps(answers, blockers)
    if dry_run:
        report.status = "planned" if report.changed_files else UNCHANGED
        return
    if stop is not None and stop():
        raise KeyboardInterrupt
    package.write_all()
    report.status = ONBOARDED if report.changed_files else UNCHANGED


def _legacy_build_system(package: _Package) -> str:
    """The pyproject.toml a setup.cfg / setup.py package without one starts from: its build as it
    is today (a package with neither was refused as no package before)."""
    where = " and ".join(setuptools_legacy.legacy_files(package.path))
    return setuptools_legacy.BUILD_SYSTEM.format(where=where)


def _setup_cfg(package: _Package, readme: str | None, licence_is_mit: bool) -> None:
    """setup.cfg names the licence file and gives PyPI the README; setup.py is not edited."""
    text = package.read("setup.cfg")
    if text is None:
        package.report.notes.append(
            "setup.py is left as it is (onboarding does not edit it): make sure its long_description is the"
            " README, so that PyPI shows it"
        )
        return
    changes: list[str] = []
    if licence_is_mit and package.exists("LICENSE.txt"):
        text, changed = setuptools_legacy.ensure_license_files(text)
        changes += changed
    if readme:
        text, changed = setuptools_legacy.ensure_long_description(text, readme)
        changes += changed
    if changes:
        package.write("setup.cfg", text, changes)


def _prove_tests(package: _Package, plan: testproof.TestPlan, runs: dict[str, testproof.TestRun]) -> None:
    """Run the package's own tests as they are (unless `runs` has that run already) and with the
    planned edits, in scratch copies; any test that gets worse leaves the package as it was."""
    for edited in (False, True):
        if not edited and "before" in runs:
            continue
        with tempfile.TemporaryDirectory(prefix="ppt-tests-") as tmp:
            copy = proof.copy_package(package.path, Path(tmp) / "package")
            if edited:
                package.apply_to(copy)
            try:
                python = testproof.install(copy, plan, relock=edited and "pyproject.toml" in package.planned)
                runs["after" if edited else "before"] = testproof.run_tests(copy, plan, python)
            except testproof.TestsUnavailable as error:
                state = "with onboarding's edits" if edited else "as it is"
                raise OnboardError(
                    f"left as it was: the package's own tests ({plan.describe()}) could not be run {state}: {error}"
                ) from None
    before, after = runs["before"], runs["after"]
    differences = testproof.compare_runs(before, after)
    if differences:
        raise TestsDiffer(
            f"left as it was: with onboarding's edits the package's own tests ({plan.describe()}) would give a"
            f" different result: {'; '.join(differences)}. Before: {before.summary()}; after: {after.summary()}."
            f" The planned edits were: {'; '.join(package.report.changes)}",
            differences,
        )
    package.report.notes.append(
        f"the package's own tests ({plan.describe()}): {before.summary()} before the edits; {after.summary()} after"
    )


def _prove(package: _Package, before: proof.Built, licence_is_mit: bool, added_urls: list[str]) -> None:
    """Build the planned result in a scratch copy and compare it with the package as it is."""
    with tempfile.TemporaryDirectory(prefix="ppt-after-") as tmp:
        copy = proof.copy_package(package.path, Path(tmp) / "package")
        package.apply_to(copy)
        try:
            after = proof.build_copy(copy, package.path)
        except proof.BuildFailed as error:
            raise OnboardError(
                f"left as it was: with onboarding's edits the package would no longer build: {error}."
                f" The planned edits were: {'; '.join(package.report.changes)}"
            ) from None
    intended = proof.Intended(licence_metadata=licence_is_mit, added_urls=tuple(added_urls))
    differences = proof.compare(before, after, intended)
    if differences:
        raise OnboardError(
            "left as it was: onboarding's edits would change what the package publishes beyond what the rules"
            f" ask: {'; '.join(differences)}. The planned edits were: {'; '.join(package.report.changes)}"
        )
