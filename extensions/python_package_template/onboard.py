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

Running it again changes nothing. A package that already has an answers file from another
template version is left alone: `copier update` is the way to move it.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path

import copier
import tomlkit
import yaml

from . import edits
from . import readme as readme_rules
from .infer import NotAPackage, find_import_packages, require_package
from .packagefiles import LICENCE_NAMES, ci_includes, find_readme, load_ci
from .pyproject_merge import has_metadata, merge_pyproject
from .template_source import ANSWERS_FILE, TemplateSource

ONBOARDED, UNCHANGED, SKIPPED, ERROR = "onboarded", "unchanged", "skipped", "error"


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
    """The package being changed: writes go through here so that every change is recorded."""

    def __init__(self, path: Path, report: PackageReport) -> None:
        self.path = path
        self.report = report

    def read(self, relative: str) -> str | None:
        file = self.path / relative
        return file.read_text(encoding="utf-8") if file.is_file() else None

    def write(self, relative: str, text: str, change: str | list[str]) -> None:
        file = self.path / relative
        if file.is_file() and file.read_text(encoding="utf-8") == text:
            return
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")
        self.changed(relative, change)

    def changed(self, relative: str, change: str | list[str]) -> None:
        if relative not in self.report.changed_files:
            self.report.changed_files.append(relative)
        self.report.changes += [change] if isinstance(change, str) else change


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


def _defines_version(package_dir: Path | None) -> bool:
    if package_dir is None:
        return False
    init = package_dir / "__init__.py" if package_dir.is_dir() else package_dir
    return init.is_file() and "__version__" in init.read_text(encoding="utf-8", errors="replace")


def _licence(package: _Package, render: Path) -> bool:
    """LICENSE.txt with the MIT licence; whether the package is (now) MIT-licensed."""
    path = package.path
    found = [name for name in LICENCE_NAMES if (path / name).is_file()]
    if not found:
        package.write(
            "LICENSE.txt",
            (render / "LICENSE.txt").read_text(encoding="utf-8"),
            "LICENSE.txt: added the MIT licence (the package had no licence file)",
        )
        return True
    mit = {
        name: edits.is_mit_license((path / name).read_text(encoding="utf-8", errors="replace"))
        for name in found
    }
    if not all(mit.values()):
        other = [name for name, is_mit in mit.items() if not is_mit]
        package.report.conflicts.append(
            f"{', '.join(other)}: not the MIT licence the template uses, so the licence, its file name and the"
            " licence metadata were left as they are; decide with the package's owners."
        )
        return False
    if found == ["LICENSE.txt"]:
        return True
    try:
        for change in edits.rename_license_to_txt(path):
            package.changed("LICENSE.txt", change)
    except edits.UnsafeEdit as error:
        package.report.conflicts.append(str(error))
        return False
    leftover = [name for name in LICENCE_NAMES if name != "LICENSE.txt" and (path / name).is_file()]
    if leftover and not (path / "LICENSE.txt").exists() and len(leftover) == 1:
        # LICENCE, COPYING, ...: names edits.rename_license_to_txt leaves to us.
        moved = subprocess.run(
            ["git", "mv", "--", leftover[0], "LICENSE.txt"],
            cwd=path,
            capture_output=True,
            text=True,
            check=False,
        )
        if moved.returncode != 0:
            (path / leftover[0]).rename(path / "LICENSE.txt")
        package.changed("LICENSE.txt", f"{leftover[0]} renamed to LICENSE.txt")
        leftover = []
    if leftover:
        package.report.conflicts.append(
            f"{', '.join(leftover)}: another copy of the licence; keep LICENSE.txt and delete it (`git rm`)."
        )
    return True


def _readme(package: _Package, render: Path, licence_is_mit: bool) -> str | None:
    """README.md with the template's sections; the README file name pyproject.toml should give."""
    doc = tomlkit.parse(package.read("pyproject.toml") or "").unwrap()
    readme = find_readme(package.path, doc)
    template_readme = (render / "README.md").read_text(encoding="utf-8")
    if readme is None:
        package.write(
            "README.md", template_readme, "README.md: added the template's README (the package had none)"
        )
        return "README.md"
    relative = str(readme.relative_to(package.path))
    if readme.suffix.lower() not in (".md", ".markdown"):
        if readme_rules.missing_sections(readme.read_text(encoding="utf-8", errors="replace")):
            package.report.conflicts.append(
                f"{relative} is not Markdown, so the template's missing sections were not added; add"
                f" {', '.join(readme_rules.missing_sections(readme.read_text(encoding='utf-8', errors='replace')))} by hand."
            )
        return relative
    text = readme.read_text(encoding="utf-8")
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


def _other_files(package: _Package, render: Path, answers: dict[str, str], code: list[Path]) -> None:
    handled = {"pyproject.toml", "README.md", "LICENSE.txt", ".gitlab-ci.yml", ".gitignore", ANSWERS_FILE}
    source_dir = f"src/{answers['package_name']}/"
    code_dir = code[0] if code else None
    for file in sorted(p for p in render.rglob("*") if p.is_file()):
        relative = file.relative_to(render).as_posix()
        if relative in handled or (package.path / relative).exists():
            continue
        if (
            relative.startswith(source_dir)
            and code_dir is not None
            and code_dir != package.path / source_dir.rstrip("/")
        ):
            package.report.notes.append(
                f"{relative} not added: the package's code is in {code_dir.relative_to(package.path)}, not {source_dir}"
                + (
                    " (`copier update` creates it, as the template skips it only when it exists: delete it"
                    " after an update, or move the code to the src layout)"
                    if relative.endswith("__init__.py")
                    else ""
                )
            )
            continue
        if relative == f"{source_dir}py.typed" and code_dir is not None:
            package.report.notes.append(
                f"{relative} not added: add it when the package's code has type hints (then add the classifier Typing :: Typed)"
            )
            continue
        if relative.startswith("tests/test_") and not _defines_version(code_dir):
            package.report.notes.append(
                f"{relative} not added: its test needs {answers['package_name']}.__version__, which the package does"
                " not define (`copier update` adds it while it is missing: define __version__, or keep the file"
                " and change the test)"
            )
            continue
        text = file.read_text(encoding="utf-8")
        if relative == "CHANGELOG.md":
            text = _changelog(text)
        package.write(relative, text, f"{relative}: added from the template")


def _includes_for(path: Path, code: list[Path]) -> list[dict]:
    includes = []
    for location in code:
        relative = location.relative_to(path)
        entry = {"include": relative.name}
        if len(relative.parts) > 1:
            entry["from"] = relative.parent.as_posix()
        includes.append(entry)
    return includes


def onboard_package(path: str | Path, answers: dict[str, str], template: TemplateSource) -> PackageReport:
    """Onboard the package at `path` with `answers` (all of the template's questions answered).
    Never raises: what went wrong is in the report."""
    path = Path(path).resolve()
    report = PackageReport(path=str(path), answers=dict(answers))
    try:
        _onboard(path, answers, template, report)
    except NotAPackage as error:
        report.status, report.error = ERROR, str(error)
    except Exception as error:  # one package's failure must not stop the fleet
        report.status, report.error = ERROR, f"{type(error).__name__}: {error}"
        report.notes.append(traceback.format_exc())
    return report


def _onboard(path: Path, answers: dict[str, str], template: TemplateSource, report: PackageReport) -> None:
    require_package(path)
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
    pyproject_text = package.read("pyproject.toml") or ""
    if not has_metadata(tomlkit.parse(pyproject_text).unwrap()):
        raise NotAPackage(
            f"{path}/pyproject.toml has no package metadata ([project] or [tool.poetry] name): move the"
            " metadata from setup.py/setup.cfg into [project] first, then onboard."
        )
    code = find_import_packages(path, tomlkit.parse(pyproject_text).unwrap())
    with tempfile.TemporaryDirectory(prefix="ppt-render-") as tmp:
        render = Path(tmp) / "render"
        answers_text = _render(template, answers, render)
        licence_is_mit = _licence(package, render)
        readme = _readme(package, render, licence_is_mit)
        typed = any((c / "py.typed").is_file() for c in code if c.is_dir())
        if not code:  # no code yet: the template's src/<package_name> is added below
            code_includes = [{"include": answers["package_name"], "from": "src"}]
        else:
            code_includes = _includes_for(path, code)
        new_text, changes, conflicts = merge_pyproject(
            pyproject_text,
            (render / "pyproject.toml").read_text(encoding="utf-8"),
            path,
            readme=readme,
            licence_is_mit=licence_is_mit,
            includes=code_includes,
            typed=typed,
        )
        report.conflicts += conflicts
        if changes:
            package.write("pyproject.toml", new_text, changes)
            if (path / "poetry.lock").is_file():
                report.notes.append("poetry.lock: pyproject.toml changed; run `poetry lock` to refresh it")
        _ci(package, render, answers)
        _gitignore(package, render)
        _other_files(package, render, answers, code)
        package.write(
            ANSWERS_FILE,
            answers_text,
            f"{ANSWERS_FILE}: records the template ({template.version}) and the answers, for copier update",
        )
    report.status = ONBOARDED if report.changed_files else UNCHANGED
