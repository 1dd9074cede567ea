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

import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import tomlkit
import yaml
from packaging.version import InvalidVersion, Version

from . import readme as readme_rules
from .packagefiles import ci_includes, find_licence_file, load_ci, pyproject_metadata, readme_field
from .template_source import ANSWERS_FILE, release_tags
from .yaml_edits import release_tag_version

PASS, FAIL, WARN, SKIP = "pass", "fail", "warn", "skip"

# Rule id -> what it asks, as printed.
RULES = {
    "readme-field": "pyproject.toml names the README (readme field), so PyPI shows it",
    "readme-sections": "README says what it does, why, how to install, use, find out more, release; licence",
    "licence": "LICENSE.txt is present and is the MIT licence",
    "pypi-metadata": "PyPI would accept the metadata (poetry build, twine check --strict)",
    "classifiers": "classifiers are valid trove classifiers",
    "version": "the version is a PEP 440 version",
    "ci-include": ".gitlab-ci.yml includes the team's common pipeline",
    "ci-include-pinned": "the common pipeline include is pinned to a release tag (vX.Y.Z)",
    "answers-file": "a Copier answers file records the template and version (copier update works)",
    "template-version": "the package is on the template's latest version",
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
    return tomlkit.parse((path / "pyproject.toml").read_text(encoding="utf-8")).unwrap()


def check_readme_field(path: Path, doc: dict) -> RuleResult:
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
    readme = path / named if named and (path / named).is_file() else path / "README.md"
    if not readme.is_file():
        return RuleResult("readme-sections", FAIL, "there is no README")
    text = readme.read_text(encoding="utf-8", errors="replace")
    missing = readme_rules.missing_sections(text)
    if missing:
        return RuleResult("readme-sections", FAIL, f"{readme.name} lacks: {', '.join(missing)}")
    if readme_rules.has_skeleton(text):
        return RuleResult(
            "readme-sections",
            PASS,
            f"{readme.name} has them all, some still as the onboarding skeleton: fill it in",
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


def read_answers(path: Path) -> dict:
    file = path / ANSWERS_FILE
    if not file.is_file():
        return {}
    try:
        answers = yaml.safe_load(file.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return {}
    return answers if isinstance(answers, dict) else {}


def check_answers(path: Path, answers: dict, template_tags: list[str] | None) -> list[RuleResult]:
    if not answers:
        return [
            RuleResult(
                "answers-file",
                FAIL,
                f"no {ANSWERS_FILE}: the package was not made from the template (onboard it)",
            ),
            RuleResult("template-version", SKIP, f"not checked: no {ANSWERS_FILE}"),
        ]
    if not answers.get("_src_path") or not answers.get("_commit"):
        return [
            RuleResult("answers-file", FAIL, f"{ANSWERS_FILE} lacks _src_path or _commit"),
            RuleResult("template-version", SKIP, "not checked: the answers file records no template version"),
        ]
    present = RuleResult("answers-file", PASS, f"from {answers['_src_path']} at {answers['_commit']}")
    commit = str(answers["_commit"])
    tags = release_tags(template_tags or [])
    if not tags:
        return [
            present,
            RuleResult("template-version", SKIP, "the template has no release tags to compare with"),
        ]
    latest = tags[-1]
    base = commit.split("-")[0]  # `git describe` gives v1.0.0-3-gabc for commits after a tag
    if commit == latest:
        return [present, RuleResult("template-version", PASS, f"{commit} is the latest")]
    if base in tags and tags.index(base) < tags.index(latest):
        return [
            present,
            RuleResult("template-version", WARN, f"{commit} is behind {latest}: run `copier update`"),
        ]
    return [present, RuleResult("template-version", PASS, f"{commit} (latest release: {latest})")]


def poetry_executable() -> str | None:
    return os.environ.get("PYTHON_PACKAGE_TEMPLATE_POETRY") or shutil.which("poetry")


def _package_files(path: Path) -> list[str]:
    """The files git would put in a commit of the package (tracked and not ignored)."""
    result = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
        cwd=path,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        return [str(p.relative_to(path)) for p in path.rglob("*") if p.is_file() and ".git" not in p.parts]
    return [f for f in result.stdout.split("\0") if f]


def _build_env() -> dict[str, str]:
    """Poetry's own environment for a build: no virtual environment of the caller's, none created."""
    env = {k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}}
    env.update(POETRY_VIRTUALENVS_CREATE="false", POETRY_NO_INTERACTION="1")
    return env


def check_pypi_metadata(path: Path) -> RuleResult:
    """Build a copy of the package with Poetry and run `twine check --strict` on what it built."""
    poetry = poetry_executable()
    if poetry is None:
        return RuleResult(
            "pypi-metadata", FAIL, "Poetry is not on PATH: cannot build the package to check it"
        )
    with tempfile.TemporaryDirectory(prefix="ppt-check-") as tmp:
        copy, dist = Path(tmp) / "package", Path(tmp) / "dist"
        for relative in _package_files(path):
            source = path / relative
            if source.is_file():
                target = copy / relative
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
        built = subprocess.run(
            [poetry, "build", "--no-interaction", "--output", str(dist)],
            cwd=copy,
            capture_output=True,
            text=True,
            env=_build_env(),
            stdin=subprocess.DEVNULL,
            check=False,
        )
        if built.returncode != 0:
            lines = (built.stderr.strip() or built.stdout.strip()).splitlines()
            return RuleResult("pypi-metadata", FAIL, "poetry build failed: " + " ".join(lines[-3:]))
        files = sorted(str(p) for p in dist.iterdir())
        problems = twine_check_strict(files)
        if problems:
            return RuleResult("pypi-metadata", FAIL, "twine check --strict: " + " ".join(problems[:4]))
        return RuleResult("pypi-metadata", PASS, ", ".join(Path(f).name for f in files))


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
    path: Path, *, template_tags: list[str] | None = None, build: bool = True, is_mit=None
) -> list[RuleResult]:
    """Every rule for the package at `path`, in RULES order. Changes nothing."""
    if is_mit is None:
        from .edits import is_mit_license as is_mit
    doc = _load_pyproject(path)
    answers = read_answers(path)
    results = [
        check_readme_field(path, doc),
        check_readme_sections(path, doc),
        check_licence(path, is_mit),
        check_pypi_metadata(path) if build else RuleResult("pypi-metadata", SKIP, "not built (--no-build)"),
        check_classifiers(doc),
        check_version(doc),
        *check_ci(path, answers),
        *check_answers(path, answers, template_tags),
    ]
    return results
