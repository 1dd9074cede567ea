"""Reading an existing package's files: shared by inference, onboarding and the rule checks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

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


def pyproject_metadata(doc: dict) -> tuple[dict, str]:
    """The package metadata table and its name: PEP 621 [project], else Poetry 1's [tool.poetry]."""
    project = doc.get("project")
    if isinstance(project, dict) and project.get("name"):
        return project, "[project]"
    poetry = doc.get("tool", {}).get("poetry", {})
    if isinstance(poetry, dict) and poetry.get("name"):
        return poetry, "[tool.poetry]"
    return (project if isinstance(project, dict) else {}), "[project]"


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
