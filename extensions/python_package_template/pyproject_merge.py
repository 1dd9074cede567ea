"""Merge the template's pyproject.toml into a package's own, structurally, with tomlkit.

What the package has always wins: its dependencies, tool tables, comments and values stay. From
the template's render it gains what it lacks: the fields PyPI shows, the classifiers, the
project URLs, the build backend (poetry-core 2, which reads [project]), Poetry's `packages`
(pointing at where the code really is), the dev tools and the tool tables.

The rules shared with `copier update` migrations (Poetry 1 metadata -> [project], readme field,
MIT licence metadata) are in `edits`; the rules here are for onboarding only. Each function is
idempotent: on a file that is already right it changes and reports nothing.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import tomlkit
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from tomlkit.items import AoT, Table, Whitespace

from . import edits
from .edits import _plain

POETRY_BACKEND = "poetry.core.masonry.api"


def _copy(value: Any) -> Any:
    """A fresh tomlkit value equal to `value`, with tables inside arrays written inline."""
    value = _plain(value)
    if isinstance(value, list):
        array = tomlkit.array()
        for entry in value:
            if isinstance(entry, dict):
                inline = tomlkit.inline_table()
                inline.update(entry)
                array.append(inline)
            else:
                array.append(entry)
        return array
    return tomlkit.item(value)


def _add(table: Any, key: str, value: Any) -> None:
    """`table[key] = value`, placed after the table's last plain key (not after the blank line
    that separates it from the next table), the table still ending with a blank line."""
    container = table.value if isinstance(table, Table) else table
    last = None
    for item_key, item in container.body:
        if item_key is not None and not isinstance(item, (Table, AoT)):
            last = item_key.key
    if last is None:
        if container.body:
            container._insert_at(0, key, value)
        else:
            container.append(key, value)
    else:
        container._insert_after(last, key, value)
    _blank_line_at_end(table)


def _blank_line_at_end(table: Any) -> None:
    """End a table's own keys with a blank line, so the next table header stands apart."""
    container = table.value if isinstance(table, Table) else table
    body = container.body
    if any(isinstance(item, (Table, AoT)) for _, item in body):
        return
    if body and isinstance(body[-1][1], Whitespace) and "\n" in body[-1][1].s:
        return
    container.append(None, tomlkit.nl())


def _new_table(value: dict) -> Any:
    table = tomlkit.table()
    for key, item in value.items():
        table[key] = _copy(item)
    table.add(tomlkit.nl())
    return table


def _table(parent: Any, key: str, *, super_table: bool = False) -> Any:
    """`parent[key]`, created (as an empty table) when missing."""
    if key not in parent:
        parent[key] = tomlkit.table(is_super_table=super_table)
    return parent[key]


def _dynamic(doc: Any) -> set[str]:
    return set(_plain(doc.get("project", {}).get("dynamic", [])))


def has_metadata(doc: Any) -> bool:
    return bool(doc.get("project", {}).get("name") or doc.get("tool", {}).get("poetry", {}).get("name"))


def add_missing_project_fields(doc: Any, render: Any) -> list[str]:
    """The [project] fields the template sets and the package lacks (name, version, description,
    authors, requires-python)."""
    project = doc.get("project")
    if project is None:
        return []
    added = []
    for key in ("name", "version", "description", "authors", "requires-python"):
        if key not in project and key not in _dynamic(doc) and key in render["project"]:
            _add(project, key, _copy(render["project"][key]))
            added.append(key)
    return (
        [f"pyproject.toml: added {', '.join(added)} to [project] (the template's answers)"] if added else []
    )


def merge_classifiers(doc: Any, render: Any, *, typed: bool) -> list[str]:
    """Add the template's classifiers the package lacks. One Development Status is enough;
    `Typing :: Typed` only when the package ships py.typed; none when classifiers are dynamic."""
    project = doc.get("project")
    if project is None or "classifiers" in _dynamic(doc):
        return []
    existing = [str(c) for c in project.get("classifiers", [])]
    wanted = []
    for classifier in map(str, render["project"].get("classifiers", [])):
        if classifier in existing:
            continue
        if classifier.startswith("Development Status ::") and any(
            c.startswith("Development Status ::") for c in existing
        ):
            continue
        if classifier == "Typing :: Typed" and not typed:
            continue
        wanted.append(classifier)
    if not wanted:
        return []
    if "classifiers" not in project:
        array = tomlkit.array()
        array.multiline(True)
        _add(project, "classifiers", array)
    classifiers = project["classifiers"]
    for classifier in wanted:
        classifiers.append(classifier)
    classifiers.multiline(True)
    return [f"pyproject.toml: added the classifiers {'; '.join(wanted)}"]


# PEP 753 well-known labels: one URL per kind is enough.
_URL_KINDS = {
    "homepage": "homepage",
    "source": "source",
    "repository": "source",
    "sourcecode": "source",
    "github": "source",
    "gitlab": "source",
    "issues": "issues",
    "bugs": "issues",
    "issue": "issues",
    "tracker": "issues",
    "issuetracker": "issues",
    "bugtracker": "issues",
    "bugreports": "issues",
    "changelog": "changelog",
    "changes": "changelog",
    "whatsnew": "changelog",
    "history": "changelog",
    "releasenotes": "changelog",
    "documentation": "documentation",
    "docs": "documentation",
}


def _url_kind(label: str) -> str:
    normalised = re.sub(r"[^a-z0-9]", "", label.lower())
    return _URL_KINDS.get(normalised, normalised)


def merge_urls(doc: Any, render: Any) -> list[str]:
    """Add the template's project URLs whose kind (PEP 753 labels) the package has none of."""
    project = doc.get("project")
    if project is None or "urls" in _dynamic(doc):
        return []
    wanted = render["project"].get("urls", {})
    have = {_url_kind(str(label)) for label in project.get("urls", {})}
    missing = [label for label in wanted if _url_kind(label) not in have]
    if not missing:
        return []
    if "urls" not in project:
        project["urls"] = _new_table({})
    for label in missing:
        _add(project["urls"], label, str(wanted[label]))
    return [f"pyproject.toml: added the project URLs {', '.join(missing)}"]


# Build configuration a switch to poetry-core would silently drop.
_UNPORTABLE = {
    "setuptools": ("ext-modules", "data-files", "script-files", "cmdclass", "dynamic"),
    "hatch": ("version", "build.hooks", "metadata.hooks", "build.targets.wheel.hooks"),
}


def _nested(table: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(table, dict) or part not in table:
            return None
        table = table[part]
    return table


def _backend(doc: Any) -> str:
    return str(doc.get("build-system", {}).get("build-backend", ""))


def why_backend_cannot_switch(doc: Any, path: Path) -> str:
    """Why moving the package to poetry-core could change what it builds ("" when it cannot)."""
    if _backend(doc) == POETRY_BACKEND:
        return ""
    if (path / "setup.py").is_file():
        return "the package has a setup.py, which poetry-core does not run"
    dynamic = _dynamic(doc) - {"classifiers", "dependencies", "optional-dependencies", "version", "readme"}
    if dynamic:
        return f"[project].dynamic lists {', '.join(sorted(dynamic))}, which the current backend computes"
    if "version" in _dynamic(doc) and "version" not in doc.get("tool", {}).get("poetry", {}):
        return "the version is dynamic (computed by the current backend)"
    plain = _plain(doc.get("tool", {}))
    for tool, keys in _UNPORTABLE.items():
        for key in keys:
            if _nested(plain.get(tool, {}), key) is not None:
                return f"[tool.{tool}.{key}] configures the current backend's build"
    return ""


def use_poetry_core(doc: Any, render: Any, path: Path) -> tuple[list[str], list[str]]:
    """[build-system] as the template's (poetry-core 2). Returns (changes, conflicts)."""
    wanted = render["build-system"]
    build = doc.get("build-system")
    backend = _backend(doc)
    if backend == POETRY_BACKEND and build is not None:
        requires = build.get("requires", [])
        for index, requirement in enumerate(list(requires)):
            try:
                parsed = Requirement(str(requirement))
            except InvalidRequirement:
                continue
            if parsed.name == "poetry-core" and (not parsed.specifier or parsed.specifier.contains("1.9.1")):
                requires[index] = str(wanted["requires"][0])
                return [
                    f"pyproject.toml: [build-system] requires {wanted['requires'][0]} (was {requirement}), which reads [project]"
                ], []
        return [], []
    reason = why_backend_cannot_switch(doc, path)
    if reason:
        return [], [
            f"pyproject.toml: the build backend stays {backend or '(none)'}: {reason}. Move the package to"
            f" poetry-core ({POETRY_BACKEND}) by hand, then run onboarding again."
        ]
    if build is None:
        build = tomlkit.table()
        doc.add("build-system", build)
    build["requires"] = tomlkit.array()
    build["requires"].extend(wanted["requires"])
    build["build-backend"] = POETRY_BACKEND
    was = f" (was {backend}; its tool tables are kept, unused)" if backend else ""
    return [f"pyproject.toml: the build backend is poetry-core, as in the template{was}"], []


def ensure_poetry_packages(doc: Any, includes: list[dict]) -> list[str]:
    """[tool.poetry].packages names where the code is (Poetry builds from there)."""
    if _backend(doc) != POETRY_BACKEND or not includes:
        return []
    tool = _table(doc, "tool", super_table=True)
    poetry = _table(tool, "poetry")
    if "packages" in poetry:
        return []
    packages = tomlkit.array()
    for include in includes:
        entry = tomlkit.inline_table()
        entry.update(include)
        packages.append(entry)
    _add(poetry, "packages", packages)
    return [f"pyproject.toml: [tool.poetry] packages = {_plain(packages)}"]


def _dependency_names(doc: Any) -> set[str]:
    names = set()
    project = doc.get("project", {})
    requirements = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        requirements += list(extra)
    for requirement in requirements:
        try:
            names.add(canonicalize_name(Requirement(str(requirement)).name))
        except InvalidRequirement:
            continue
    poetry = doc.get("tool", {}).get("poetry", {})
    tables = [poetry.get("dependencies", {}), poetry.get("dev-dependencies", {})]
    tables += [group.get("dependencies", {}) for group in poetry.get("group", {}).values()]
    for table in tables:
        names.update(canonicalize_name(str(name)) for name in table)
    for group in doc.get("dependency-groups", {}).values():
        for requirement in group:
            if isinstance(requirement, str):
                try:
                    names.add(canonicalize_name(Requirement(requirement).name))
                except InvalidRequirement:
                    continue
    return names


def add_dev_dependencies(doc: Any, render: Any) -> list[str]:
    """The template's dev tools (pytest, pre-commit) in the dev group, unless the package
    already depends on them somewhere."""
    wanted = render["tool"]["poetry"].get("group", {}).get("dev", {}).get("dependencies", {})
    have = _dependency_names(doc)
    missing = [name for name in wanted if canonicalize_name(name) not in have]
    if not missing or _backend(doc) != POETRY_BACKEND:
        return []
    poetry = _table(_table(doc, "tool", super_table=True), "poetry")
    group = _table(poetry, "group", super_table=True)
    dev = _table(group, "dev", super_table=True)
    if "dependencies" not in dev:
        dev["dependencies"] = _new_table({})
    for name in missing:
        _add(dev["dependencies"], name, _copy(wanted[name]))
    return [f"pyproject.toml: added {', '.join(missing)} to the dev group (the template's tools)"]


def _has_config_file(path: Path, names: tuple[str, ...], sections: dict[str, str]) -> bool:
    if any((path / name).is_file() for name in names):
        return True
    for name, section in sections.items():
        file = path / name
        if file.is_file() and re.search(
            rf"^\[{re.escape(section)}\]", file.read_text(errors="replace"), re.M
        ):
            return True
    return False


def add_tool_tables(doc: Any, render: Any, path: Path) -> list[str]:
    """[tool.pytest.ini_options] and [tool.ruff] as the template's, when the package configures
    neither tool anywhere else."""
    added = []
    tool = doc.get("tool", {})
    rendered = render["tool"]
    pytest_elsewhere = _has_config_file(
        path, ("pytest.ini", ".pytest.ini"), {"tox.ini": "pytest", "setup.cfg": "tool:pytest"}
    )
    if "pytest" not in tool and not pytest_elsewhere and "pytest" in rendered:
        _table(_table(doc, "tool", super_table=True), "pytest", super_table=True)["ini_options"] = _new_table(
            _plain(rendered["pytest"]["ini_options"])
        )
        added.append("[tool.pytest.ini_options]")
    if (
        "ruff" not in tool
        and not _has_config_file(path, ("ruff.toml", ".ruff.toml"), {})
        and "ruff" in rendered
    ):
        _table(doc, "tool", super_table=True)["ruff"] = _new_table(_plain(rendered["ruff"]))
        added.append("[tool.ruff]")
    return [f"pyproject.toml: added {' and '.join(added)} from the template"] if added else []


def merge_pyproject(
    text: str,
    render_text: str,
    path: Path,
    *,
    readme: str | None,
    licence_is_mit: bool,
    includes: list[dict],
    typed: bool,
) -> tuple[str, list[str], list[str]]:
    """The package's pyproject.toml text merged with the template's render: (text, changes,
    conflicts). A rule that cannot decide safely leaves its part alone and says why."""
    doc = tomlkit.parse(text)
    render = tomlkit.parse(render_text)
    changes: list[str] = []
    conflicts: list[str] = []
    try:
        changes += edits.poetry1_to_pep621(doc)
    except edits.UnsafeEdit as error:
        # Everything else assumes [project]: leave the file as it is, say what to fix.
        return text, [], [str(error)]
    if readme:
        changes += edits.ensure_readme_field(doc, readme=readme)
    if licence_is_mit:
        try:
            changes += edits.ensure_mit_license_metadata(doc, license_file="LICENSE.txt")
        except edits.UnsafeEdit as error:
            conflicts.append(str(error))
    changes += add_missing_project_fields(doc, render)
    changes += merge_classifiers(doc, render, typed=typed)
    changes += merge_urls(doc, render)
    backend_changes, backend_conflicts = use_poetry_core(doc, render, path)
    changes += backend_changes
    conflicts += backend_conflicts
    changes += ensure_poetry_packages(doc, includes)
    changes += add_dev_dependencies(doc, render)
    changes += add_tool_tables(doc, render, path)
    new_text = tomlkit.dumps(doc)
    if new_text == text:
        return text, changes, conflicts
    return new_text.rstrip("\n") + "\n", changes, conflicts
