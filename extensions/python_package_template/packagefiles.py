"""Reading an existing package's files: shared by inference, onboarding and the rule checks."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import yaml

from .template_source import ANSWERS_FILE

# Licence file names, preferred first.
LICENCE_NAMES = (
    "LICENSE.txt",
    "LICENSE",
    "LICENSE.md",
    "LICENSE.rst",
    "LICENCE.txt",
    "LICENCE",
    "LICENCE.md",
    "COPYING",
    "COPYING.txt",
    "COPYING.md",
)
README_NAMES = ("README.md", "README.markdown", "README.rst", "README.txt", "README")


def has_metadata(doc: Any) -> bool:
    """Whether a parsed pyproject.toml names the package ([project] or Poetry 1's [tool.poetry])."""
    return bool(doc.get("project", {}).get("name") or doc.get("tool", {}).get("poetry", {}).get("name"))


def pyproject_bom_error(path: Path) -> str:
    """ "" unless the package's pyproject.toml starts with a byte-order mark, which TOML does not
    allow (tomlkit's own message is "Empty key at line 1 col 0"); then what to do about it."""
    file = path / "pyproject.toml"
    if not (file.is_file() and file.read_bytes().startswith(codecs.BOM_UTF8)):
        return ""
    return (
        f"{path}: pyproject.toml starts with a byte-order mark (U+FEFF), which TOML does not allow"
        " and pip, build and Poetry refuse: save it as UTF-8 without a BOM"
        " (`sed -i '1s/^\\xEF\\xBB\\xBF//' pyproject.toml`), then run this again."
    )


def pyproject_metadata(doc: dict) -> tuple[dict, str]:
    """The package metadata table and its name: PEP 621 [project], else Poetry 1's [tool.poetry]."""
    project = doc.get("project")
    if isinstance(project, dict) and project.get("name"):
        return project, "[project]"
    poetry = doc.get("tool", {}).get("poetry", {})
    if isinstance(poetry, dict) and poetry.get("name"):
        return poetry, "[tool.poetry]"
    return (project if isinstance(project, dict) else {}), "[project]"


def requires_python(doc: dict) -> str | None:
    """The Pythons the package says it supports: [project] requires-python, else Poetry 1's
    `python` dependency (None when it says nothing)."""
    requirement = (
        doc.get("project", {}).get("requires-python") if isinstance(doc.get("project"), dict) else None
    )
    if not requirement:
        poetry = doc.get("tool", {}).get("poetry", {})
        requirement = ((poetry.get("dependencies") if isinstance(poetry, dict) else None) or {}).get("python")
    if isinstance(requirement, dict):
        requirement = requirement.get("version")
    return str(requirement) if requirement else None


def readme_field(doc: dict) -> str | None:
    """The README file pyproject.toml names, in either style (None when it names none)."""
    for table in (doc.get("project", {}), doc.get("tool", {}).get("poetry", {})):
        readme = table.get("readme") if isinstance(table, dict) else None
        if isinstance(readme, dict):
            readme = readme.get("file")
        if isinstance(readme, list):
            readme = readme[0] if readme else None
        if readme:
            return str(readme)
    return None


def find_readme(path: Path, doc: dict | None = None) -> Path | None:
    named = readme_field(doc or {})
    if named and (path / named).is_file():
        return path / named
    return next((path / n for n in README_NAMES if (path / n).is_file()), None)


def find_licence_file(path: Path) -> Path | None:
    return next((path / n for n in LICENCE_NAMES if (path / n).is_file()), None)


class _LenientLoader(yaml.SafeLoader):
    """GitLab CI YAML with its own tags (`!reference [...]`): keep the values, ignore the tags."""


def _any_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    if isinstance(node, yaml.ScalarNode):
        return loader.construct_scalar(node)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node)
    return loader.construct_mapping(node)


_LenientLoader.add_multi_constructor("!", _any_tag)


def load_ci(path: Path) -> Any:
    """.gitlab-ci.yml parsed (None when absent); a file YAML cannot read raises ValueError."""
    ci = path / ".gitlab-ci.yml"
    if not ci.is_file():
        return None
    try:
        return yaml.load(ci.read_text(encoding="utf-8"), Loader=_LenientLoader)  # noqa: S506 (safe subclass)
    except yaml.YAMLError as error:
        raise ValueError(f".gitlab-ci.yml is not valid YAML: {error}") from error


def ci_includes(ci: Any) -> list[dict]:
    """The `include:` entries that name a project, one per file, as {project, file, ref}."""
    if not isinstance(ci, dict):
        return []
    entries = ci.get("include") or []
    if not isinstance(entries, list):
        entries = [entries]
    found = []
    for entry in entries:
        if not isinstance(entry, dict) or "project" not in entry:
            continue
        files = entry.get("file") or []
        for file in files if isinstance(files, list) else [files]:
            found.append({"project": str(entry["project"]), "file": str(file), "ref": entry.get("ref")})
    return found


_FROM_GIT = f"restore it from git (`git log -p -- {ANSWERS_FILE}`)"
_RESTORE = f"{_FROM_GIT}, or onboard the package again"


def load_answers(path: Path) -> tuple[dict | None, str]:
    """(the package's answers, "") when its answers file reads as answers, (None, "") when it has
    none or an empty one; else (None, why it cannot be read (not UTF-8, not YAML, not a mapping)
    and what to do). Every reader of the answers file goes through here: it is read once."""
    file = path / ANSWERS_FILE
    if not file.is_file():
        return None, ""
    try:
        answers = yaml.safe_load(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        return None, f"{ANSWERS_FILE} is not UTF-8 text ({error.reason} at byte {error.start}): {_FROM_GIT}"
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "cannot be parsed"
        return None, f"{ANSWERS_FILE} is not valid YAML ({problem}{where}): fix it or {_FROM_GIT}"
    if answers is not None and not isinstance(answers, dict):
        return (
            None,
            f"{ANSWERS_FILE} holds a {type(answers).__name__}, not answers (key: value lines): {_FROM_GIT}",
        )
    return answers, ""


def unreadable_answers(path: Path) -> str:
    """ "" when the package has no answers file or one that reads as answers; else why it cannot
    be read and what to do (see load_answers)."""
    return load_answers(path)[1]


def read_answers(path: Path) -> dict:
    """The package's answers; {} when it has none, or none that can be read (unreadable_answers
    says why)."""
    return load_answers(path)[0] or {}


def answers_problem(path: Path) -> str:
    """ "" when the package's answers file names the template and the version it is on (what
    `copier update` needs); else what is wrong with it and what to do. A package with no answers
    file was not made from the template; one with a broken answers file was, and is told so."""
    file = path / ANSWERS_FILE
    if not file.is_file():
        return f"no {ANSWERS_FILE}: the package was not made from the template (onboard it first)"
    answers, problem = load_answers(path)
    if problem:
        return problem
    if answers is None:
        return f"{ANSWERS_FILE} is empty: it must record the template (_src_path) and its version (_commit); {_RESTORE}"
    missing = [key for key in ("_src_path", "_commit") if not answers.get(key)]
    if missing:
        what = {"_src_path": "the template it was made from", "_commit": "the template version it is on"}
        return (
            f"{ANSWERS_FILE} has no {' and no '.join(missing)} ({', '.join(what[k] for k in missing)}),"
            f" which Copier writes and `copier update` needs: {_RESTORE}"
        )
    return ""
