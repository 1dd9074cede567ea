"""The rules a package published by the team should keep, checked without changing anything.

The rules come from "How we use PyPI" and the template: a README PyPI can show that says what
the package is for, an MIT LICENSE.txt, metadata PyPI accepts (proved the way the pipeline
proves it: build the package and run `twine check --strict`), valid classifiers and version, the
common CI pipeline included and pinned to a tag, and a Copier answers file so that
`copier update` keeps the package in line.

Each rule gives a status: "pass", "fail" (the command exits non-zero), "warn" (worth knowing,
not a failure) or "skip" (does not apply, or was not asked for).
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import tomlkit
from packaging.version import InvalidVersion, Version

from . import proof, setuptools_legacy
from . import readme as readme_rules
from .packagefiles import (
    answers_problem,
    ci_includes,
    find_licence_file,
    find_readme,
    load_ci,
    pyproject_bom_error,
    pyproject_metadata,
    read_answers,
    readme_field,
)
from .template_source import ReleaseTags, release_tags
from .yaml_edits import release_tag_version

PASS, FAIL, WARN, SKIP = "pass", "fail", "warn", "skip"

# Rule id -> what it asks, as printed.
RULES = {
    "readme-field": "pyproject.toml names the README (readme field), so PyPI shows it",
    "readme-sections": "README says what it does, why, how to install, use, find out more, release; licence",
    "licence": "LICENSE.txt is present and is the MIT licence",
    "pypi-metadata": "PyPI would accept the metadata (a build with its own backend, twine check --strict)",
    "classifiers": "classifiers are valid trove classifiers",
    "version": "the version is a PEP 440 version",
    "ci-include": ".gitlab-ci.yml includes the team's common pipeline",
    "ci-include-pinned": "the common pipeline include is pinned to a release tag (vX.Y.Z)",
    "answers-file": "a Copier answers file records the template and version (copier update works)",
    "template-version": "the package is on the template's latest version",
    "own-tests": "onboarding keeps the package's own tests as they were (only with --prove-tests)",
}


@dataclass
class RuleResult:
    rule: str
    status: str
    detail: str = ""

    @property
    def title(self) -> str:
        return RULES[self.rule]

    def as_dict(self) -> dict:
        return {**asdict(self), "title": self.title}


def _load_pyproject(path: Path) -> dict:
    """pyproject.toml; for a package whose metadata is in setup.cfg / setup.py, with that as [project]."""
    if bom := pyproject_bom_error(path):
        raise ValueError(bom)
    file = path / "pyproject.toml"
    doc = tomlkit.parse(file.read_text(encoding="utf-8")).unwrap() if file.is_file() else {}
    if setuptools_legacy.is_legacy(path, doc):
        doc = {**doc, "project": setuptools_legacy.static_metadata(path)}
    return doc


def check_readme_field(path: Path, doc: dict, built: proof.Built | None) -> RuleResult:
    if "readme" in (doc.get("project", {}).get("dynamic") or []):
        # Computed by the backend (hatch-fancy-pypi-readme, say): the built METADATA says.
        if built is None:
            return RuleResult(
                "readme-field", SKIP, "readme is dynamic: not checked without a build (--no-build)"
            )
        if built.long_description.strip():
            return RuleResult(
                "readme-field", PASS, "readme is dynamic, and the built METADATA has a long description"
            )
        return RuleResult(
            "readme-field", FAIL, "readme is dynamic, but the built METADATA has no long description"
        )
    named = readme_field(doc)
    if not named:
        return RuleResult(
            "readme-field", FAIL, "pyproject.toml has no readme field: PyPI would show no description"
        )
    if not (path / named).is_file():
        return RuleResult("readme-field", FAIL, f"readme = {named!r}, but there is no such file")
    return RuleResult("readme-field", PASS, f"readme = {named!r}")


def check_readme_sections(path: Path, doc: dict) -> RuleResult:
    named = readme_field(doc)
    readme = path / named if named and (path / named).is_file() else find_readme(path, doc)
    if readme is None or not readme.is_file():
        return RuleResult("readme-sections", FAIL, "there is no README")
    text = readme.read_text(encoding="utf-8", errors="replace")
    missing = readme_rules.missing_sections(text)
    if missing:
        return RuleResult("readme-sections", FAIL, f"{readme.name} lacks: {', '.join(missing)}")
    placeholders = readme_rules.placeholder_lines(text)
    if placeholders:
        lines = ", ".join(map(str, placeholders[:6]))
        return RuleResult(
            "readme-sections",
            FAIL,
            f"{readme.name} still holds the template's placeholder text (line {lines}): write the package's"
            " own words there",
        )
    if readme_rules.has_skeleton(text):
        return RuleResult(
            "readme-sections",
            PASS,
            f"{readme.name} has them all; delete the onboarding skeleton's two marker comments when done",
        )
    return RuleResult("readme-sections", PASS, f"{readme.name} has them all")


def check_licence(path: Path, is_mit) -> RuleResult:
    licence = path / "LICENSE.txt"
    if licence.is_file():
        if is_mit(licence.read_text(encoding="utf-8", errors="replace")):
            return RuleResult("licence", PASS, "LICENSE.txt is MIT")
        return RuleResult(
            "licence", FAIL, "LICENSE.txt is not the MIT licence (it is left for its owners to decide)"
        )
    other = find_licence_file(path)
    if other:
        kind = "MIT" if is_mit(other.read_text(encoding="utf-8", errors="replace")) else "not MIT"
        return RuleResult("licence", FAIL, f"the licence is in {other.name} ({kind}), not LICENSE.txt")
    return RuleResult("licence", FAIL, "there is no licence file")


def check_classifiers(doc: dict) -> RuleResult:
    import trove_classifiers

    meta, _ = pyproject_metadata(doc)
    classifiers = [str(c) for c in meta.get("classifiers") or []]
    if not classifiers:
        return RuleResult("classifiers", WARN, "none declared: PyPI readers cannot filter for the package")
    unknown = [c for c in classifiers if c not in trove_classifiers.classifiers]
    deprecated = [c for c in unknown if c in trove_classifiers.deprecated_classifiers]
    invalid = [c for c in unknown if c not in deprecated]
    problems = []
    if invalid:
        problems.append("not trove classifiers (PyPI rejects the upload): " + "; ".join(invalid))
    if deprecated:
        problems.append("deprecated: " + "; ".join(deprecated))
    if problems:
        return RuleResult("classifiers", FAIL, " / ".join(problems))
    return RuleResult("classifiers", PASS, f"{len(classifiers)} valid")


def check_version(doc: dict) -> RuleResult:
    meta, where = pyproject_metadata(doc)
    version = meta.get("version")
    if version is None:
        if "version" in (doc.get("project", {}).get("dynamic") or []):
            poetry_version = doc.get("tool", {}).get("poetry", {}).get("version")
            if poetry_version is None:
                return RuleResult("version", SKIP, "the version is dynamic: the build proves it")
            version = poetry_version
        else:
            return RuleResult("version", FAIL, "pyproject.toml has no version")
    try:
        normalised = str(Version(str(version)))
    except InvalidVersion:
        return RuleResult("version", FAIL, f"{version!r} is not a PEP 440 version (e.g. 1.2.0, 1.3.0rc1)")
    if normalised != str(version):
        return RuleResult("version", PASS, f"{version} (PyPI normalises it to {normalised})")
    return RuleResult("version", PASS, str(version))


def check_ci(path: Path, answers: dict) -> list[RuleResult]:
    try:
        ci = load_ci(path)
    except ValueError as error:
        return [
            RuleResult("ci-include", FAIL, str(error)),
            RuleResult("ci-include-pinned", SKIP, "not checked: no common pipeline include"),
        ]
    if ci is None:
        return [
            RuleResult("ci-include", FAIL, "there is no .gitlab-ci.yml"),
            RuleResult("ci-include-pinned", SKIP, "not checked: no common pipeline include"),
        ]
    wanted_file = answers.get("ci_include_file") or "/auto-devops/common-pipeline.yml"
    includes = [i for i in ci_includes(ci) if i["file"] == wanted_file]
    if not includes:
        return [
            RuleResult("ci-include", FAIL, f".gitlab-ci.yml does not include {wanted_file}"),
            RuleResult("ci-include-pinned", SKIP, "not checked: no common pipeline include"),
        ]
    include = includes[0]
    present = RuleResult("ci-include", PASS, f"{include['project']}{include['file']}")
    ref = include.get("ref")
    if ref is None:
        return [present, RuleResult("ci-include-pinned", FAIL, "no ref: it follows the default branch")]
    if release_tag_version(str(ref)) is None:
        return [present, RuleResult("ci-include-pinned", FAIL, f"ref {ref!r} is not a release tag")]
    return [present, RuleResult("ci-include-pinned", PASS, f"ref {ref}")]


def check_answers(
    path: Path, answers: dict, template_tags: list[str] | None, unreachable: str = ""
) -> list[RuleResult]:
    """The answers-file and template-version rules; `unreachable` says why the template's release
    tags could not be listed, if they could not."""
    problem = "" if answers.get("_src_path") and answers.get("_commit") else answers_problem(path)
    if problem:
        return [
            RuleResult("answers-file", FAIL, problem),
            RuleResult("template-version", SKIP, "not checked: the answers file records no template version"),
        ]
    present = RuleResult("answers-file", PASS, f"from {answers['_src_path']} at {answers['_commit']}")
    commit = str(answers["_commit"])
    if isinstance(template_tags, ReleaseTags):  # a commit rendered before it was tagged
        commit = template_tags.release_at(commit) or commit
    tags = release_tags(template_tags or [])
    if unreachable:
        return [present, RuleResult("template-version", SKIP, f"not checked: {unreachable}")]
    if not tags:
        return [
            present,
            RuleResult("template-version", SKIP, "the template has no release tags to compare with"),
        ]
    latest = tags[-1]
    update = f"`copier update --trust --defaults --vcs-ref {latest}`, then review and commit"
    if commit == latest:
        return [present, RuleResult("template-version", PASS, f"{commit} is the latest")]
    base = commit.split("-")[0]  # `git describe` gives v1.0.0-3-gabc for commits after a tag
    if base in tags and base != commit:
        return [
            present,
            RuleResult(
                "template-version",
                FAIL,
                f"{commit} is an unreleased commit after {base}, not a release (latest: {latest}): run {update}",
            ),
        ]
    if base in tags:
        return [present, RuleResult("template-version", FAIL, f"{commit} is behind {latest}: run {update}")]
    return [
        present,
        RuleResult(
            "template-version",
            FAIL,
            f"{commit} is not a release of the template (a bare commit, so `copier check-update` cannot place"
            f" it): run {update}",
        ),
    ]


def check_pypi_metadata(path: Path) -> tuple[RuleResult, proof.Built | None]:
    """Build the package's wheel with its own backend (in a scratch copy) and run
    `twine check --strict` on it; the build, for the rules that read it."""
    backend = proof.backend_name(path)
    with tempfile.TemporaryDirectory(prefix="ppt-check-") as tmp:
        copy = proof.copy_package(path, Path(tmp) / "package")
        wheels = Path(tmp) / "dist"
        try:
            built = proof.build_copy(copy, path, wheel_dir=wheels)
        except proof.BuildFailed as error:
            return RuleResult("pypi-metadata", FAIL, f"the build ({backend}) failed: {error}"), None
        files = sorted(str(p) for p in wheels.iterdir())
        problems = twine_check_strict(files)
        if problems:
            return RuleResult("pypi-metadata", FAIL, "twine check --strict: " + " ".join(problems[:4])), built
        names = ", ".join(Path(f).name for f in files)
        return RuleResult("pypi-metadata", PASS, f"built with {backend}: {names}"), built


def twine_check_strict(files: list[str]) -> list[str]:
    """What `twine check --strict` finds wrong with built distributions ([] when they pass).

    Twine runs in this process (its start-up costs as much as the check): its report, printed
    and logged, is captured."""
    import contextlib
    import io
    import logging

    from twine.commands.check import check

    printed = io.StringIO()
    logged = io.StringIO()
    handler = logging.StreamHandler(logged)
    logger = logging.getLogger("twine")
    logger.addHandler(handler)
    try:
        with contextlib.redirect_stdout(printed):
            failed = check(files, strict=True)
    except Exception as error:  # twine refuses metadata it cannot read by raising
        return [f"{type(error).__name__}: {error}"]
    finally:
        logger.removeHandler(handler)
    if not failed:
        return []
    report = re.sub(r"\x1b\[[0-9;]*m", "", printed.getvalue() + logged.getvalue())
    lines = [
        line.strip() for line in report.splitlines() if line.strip() and not line.startswith("Checking ")
    ]
    return list(dict.fromkeys(lines)) or ["failed"]


def check_package(
    path: Path,
    *,
    template_tags: list[str] | None = None,
    build: bool = True,
    is_mit=None,
    template_unreachable: str = "",
) -> list[RuleResult]:
    """Every rule for the package at `path`, in RULES order. Changes nothing.
    `template_unreachable` says why the template's releases are unknown, if they are."""
    if is_mit is None:
        from .edits import is_mit_license as is_mit
    doc = _load_pyproject(path)
    answers = read_answers(path)
    if build:
        metadata, built = check_pypi_metadata(path)
    else:
        metadata, built = RuleResult("pypi-metadata", SKIP, "not built (--no-build)"), None
    results = [
        check_readme_field(path, doc, built),
        check_readme_sections(path, doc),
        check_licence(path, is_mit),
        metadata,
        check_classifiers(doc),
        check_version(doc),
        *check_ci(path, answers),
        *check_answers(path, answers, template_tags, template_unreachable),
    ]
    return results
