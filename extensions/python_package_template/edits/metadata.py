"""The metadata move: Poetry 1's [tool.poetry] metadata becomes a PEP 621 [project] table.

`poetry1_to_pep621` plans everything that can fail (`_plan`, which raises UnsafeEdit before the
document changes), then applies it one part at a time, each part moving its keys with their
comments. The dependencies and extras are the `dependencies` module's; how the Poetry tables
sit in the file is `poetry_tables`'.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import tomlkit
from tomlkit.container import OutOfOrderTableProxy
from tomlkit.items import Array

from python_package_template.yaml_edits import UnsafeEdit

from . import dependencies as deps
from ._toml import (
    _drop_table,
    _end_with_blank_line,
    _header_comments,
    _plain,
    _put,
    _put_table,
    _subtable,
    _take,
)
from .poetry_tables import modern_build_system, regroup_poetry_tables

_URL_KEYS = {"homepage": "Homepage", "repository": "Repository", "documentation": "Documentation"}
# In the order the template writes them.
_SIMPLE_KEYS = ("name", "version", "description", "readme", "license", "authors", "maintainers", "keywords")
_PERSON = re.compile(r"^(?P<name>[^<>]*?)\s*(?:<(?P<email>[^<>\s]+@[^<>\s]+)>)?\s*$")


@dataclass
class _Plan:
    """What moves from [tool.poetry] to [project], worked out before anything changes."""

    values: dict[str, Any] = field(default_factory=dict)
    classifiers: list[str] | None = None
    urls: dict[str, str] = field(default_factory=dict)
    scripts: dict[str, str] = field(default_factory=dict)
    plugins: dict[str, dict] = field(default_factory=dict)
    dependencies: deps.DependencyPlan = field(default_factory=deps.DependencyPlan)
    moved: list[str] = field(default_factory=list)  # the keys that move, for the report


def _people(values: list[str], what: str) -> Array:
    people = tomlkit.array()
    for value in values:
        match = _PERSON.match(str(value))
        if not match or not (match.group("name") or match.group("email")):
            raise UnsafeEdit(
                f"{what}: cannot read '{value}'; write it as 'Name <email@example.org>' and run again."
            )
        person = tomlkit.inline_table()
        if match.group("name"):
            person["name"] = match.group("name")
        if match.group("email"):
            person["email"] = match.group("email")
        people.append(person)
    if len(people) > 1:
        people.multiline(True)
    return people


def _spdx(license_name: str) -> str:
    """A licence name from [tool.poetry] as an SPDX expression."""
    try:
        from packaging.licenses import InvalidLicenseExpression, canonicalize_license_expression
    except ImportError:  # packaging < 24.2: trust the name, Poetry accepted it
        return license_name
    try:
        return canonicalize_license_expression(license_name)
    except InvalidLicenseExpression:
        raise UnsafeEdit(
            f"pyproject.toml: the licence '{license_name}' is not an SPDX expression, which [project].license"
            " needs; set `license` in [tool.poetry] to one (e.g. 'MIT', or 'LicenseRef-Proprietary') and run again."
        ) from None


def _readme(value: Any) -> str:
    if isinstance(value, list):
        if len(value) != 1:
            raise UnsafeEdit(
                "pyproject.toml: [tool.poetry] readme lists several files, but [project].readme takes one;"
                ' merge them into README.md, set `readme = "README.md"` and run again.'
            )
        value = value[0]
    return str(value)


def _plan_values(tool_poetry: Any, movable) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in _SIMPLE_KEYS:
        if not movable(key):
            continue
        value = _plain(tool_poetry[key])
        if key in ("authors", "maintainers"):
            values[key] = _people(list(value), f"pyproject.toml [tool.poetry] {key}")
        elif key == "license":
            values[key] = _spdx(str(value))
        elif key == "readme":
            values[key] = _readme(value)
        else:
            values[key] = value
    return values


def _plan_urls(tool_poetry: Any, movable, dynamic: set[str]) -> dict[str, str]:
    if "urls" in dynamic:
        return {}
    urls = {label: str(tool_poetry[key]) for key, label in _URL_KEYS.items() if movable(key)}
    if movable("urls"):
        urls.update({str(k): str(v) for k, v in _plain(tool_poetry["urls"]).items()})
    return urls


def _entry_points(table: Any) -> dict[str, str]:
    plain = {}
    for name, value in _plain(table).items():
        if isinstance(value, str):
            plain[name] = value
        elif isinstance(value, dict) and set(value) == {"callable"}:
            plain[name] = value["callable"]
    return plain


def _check_against_project(project: Any, plan: _Plan) -> None:
    """A key set in both [project] and [tool.poetry] must agree; [project] wins then."""
    for key, value in list(plan.values.items()) + [("classifiers", plan.classifiers)]:
        if value is not None and key in project and _plain(project[key]) != _plain(value):
            raise UnsafeEdit(
                f"pyproject.toml: `{key}` is set in both [project] and [tool.poetry], differently;"
                f" keep the one you mean in [project], delete the other and run again."
            )
    for label, url in plan.urls.items():
        if "urls" in project and label in project["urls"] and str(project["urls"][label]) != url:
            raise UnsafeEdit(
                f"pyproject.toml: the URL '{label}' differs between [project.urls] and [tool.poetry]; keep one and run again."
            )


def _plan(tool_poetry: Any, project: Any, dynamic: set[str]) -> _Plan:
    def movable(key: str) -> bool:
        return key in tool_poetry and key not in dynamic

    plan = _Plan(values=_plan_values(tool_poetry, movable), urls=_plan_urls(tool_poetry, movable, dynamic))
    if movable("classifiers"):
        plan.classifiers = list(_plain(tool_poetry["classifiers"]))
        if "license" in plan.values:
            plan.classifiers = [c for c in plan.classifiers if not c.startswith("License ::")]
    plan.dependencies = deps.plan_dependencies(tool_poetry, project, dynamic, movable("extras"))
    plan.scripts = _entry_points(tool_poetry["scripts"]) if movable("scripts") else {}
    if movable("plugins"):
        plan.plugins = {group: dict(_plain(table)) for group, table in tool_poetry["plugins"].items()}
    if project is not None:
        _check_against_project(project, plan)
    plan.moved = [key for key in _SIMPLE_KEYS if key in plan.values]
    if plan.classifiers is not None:
        plan.moved.append("classifiers")
    plan.moved += [key for key in (*_URL_KEYS, "urls") if movable(key) and "urls" not in dynamic]
    return plan


def _has_work(plan: _Plan, tool_poetry: Any) -> bool:
    return bool(
        plan.moved
        or plan.dependencies.moving
        or plan.scripts
        or plan.plugins
        or plan.dependencies.extras
        or "dev-dependencies" in tool_poetry
    )


# --- apply: one function per part ------------------------------------------------------------


def _move_values(tool_poetry: Any, project: Any, plan: _Plan) -> None:
    for key in _SIMPLE_KEYS:
        if key in plan.values:
            item, above, trailing = _take(tool_poetry, key)
            if key not in project:
                kept_as_written = key in ("name", "version", "description", "keywords")
                _put(project, key, item if kept_as_written else plan.values[key], above, trailing)


def _move_classifiers(tool_poetry: Any, project: Any, plan: _Plan) -> list[str]:
    if plan.classifiers is None:
        return []
    changes = []
    item, above, trailing = _take(tool_poetry, "classifiers")
    dropped = [c for c in _plain(item) if c not in plan.classifiers]
    if "classifiers" not in project:
        # The array itself moves, with the comments inside it; only the dropped go.
        for index in reversed(range(len(item))):
            if str(item[index]) in dropped:
                del item[index]
        item.multiline(True)
        _put(project, "classifiers", item, above, trailing)
    if dropped:
        changes.append(f"dropped the classifiers {', '.join(dropped)}: [project].license says it now")
    if not any(c.startswith("Programming Language :: Python :: 3.") for c in plan.classifiers):
        changes.append(
            "classifiers are now written out in [project]: Poetry no longer adds the Python"
            " version classifiers by itself, so list the versions the package supports there"
        )
    return changes


def _move_urls(tool_poetry: Any, project: Any, plan: _Plan) -> None:
    if not plan.urls:
        return
    table, new_table = _subtable(project, "urls")
    for key, label in _URL_KEYS.items():
        if key in tool_poetry:
            _, above, trailing = _take(tool_poetry, key)
            if label not in table:
                _put(table, label, plan.urls[label], above, trailing)
    comments = []
    if "urls" in tool_poetry:
        comments = _header_comments(tool_poetry, "urls")
        old = tool_poetry["urls"]
        for label in list(old.keys()):
            item, above, trailing = _take(old, label)
            if label not in table:
                _put(table, label, item, above, trailing)
        _drop_table(tool_poetry, "urls")
    if new_table:
        _put_table(project, "urls", table, comments)


def _move_scripts(tool_poetry: Any, project: Any, plan: _Plan) -> list[str]:
    if not plan.scripts:
        return []
    comments = _header_comments(tool_poetry, "scripts")
    table, new_table = _subtable(project, "scripts")
    old = tool_poetry["scripts"]
    for name, value in plan.scripts.items():
        _, above, trailing = _take(old, name)
        _put(table, name, value, above, trailing)
    if new_table:
        _put_table(project, "scripts", table, comments)
    if not list(old.keys()):
        _drop_table(tool_poetry, "scripts")
    return [f"scripts {', '.join(plan.scripts)} moved to [project.scripts]"]


def _move_plugins(tool_poetry: Any, project: Any, plan: _Plan) -> list[str]:
    if not plan.plugins:
        return []
    comments = _header_comments(tool_poetry, "plugins")
    table, new_table = _subtable(project, "entry-points", super_table=True)
    for group, points in plan.plugins.items():
        group_table = tomlkit.table()
        for name, value in points.items():
            group_table[name] = value
        table[group] = group_table
    if new_table:
        _put_table(project, "entry-points", table, comments)
    _drop_table(tool_poetry, "plugins")
    return [f"plugins {', '.join(plan.plugins)} moved to [project.entry-points]"]


def _drop_empty_poetry(doc: tomlkit.TOMLDocument, tool_poetry: Any) -> None:
    """No empty [tool.poetry] is left: it goes when nothing is left in it, and its header goes
    when only sub-tables are ([tool.poetry.group.dev.dependencies] needs no [tool.poetry])."""
    if not tool_poetry:
        _drop_table(doc["tool"], "poetry")
        if not doc["tool"]:
            _drop_table(doc, "tool")
    elif isinstance(tool_poetry, tomlkit.items.Table) and all(
        isinstance(value, tomlkit.items.Table) for value in tool_poetry.value.values()
    ):
        tool_poetry._is_super_table = True  # tomlkit has no public setter


def _place_project(doc: tomlkit.TOMLDocument, project: Any) -> None:
    """A new [project] goes before [tool] and [build-system], as the template has it."""
    _end_with_blank_line(project)
    position = next(
        (i for i, (k, _) in enumerate(doc.body) if k is not None and k.key in ("tool", "build-system")),
        None,
    )
    if position is None:
        doc.add("project", project)
    else:
        doc._insert_at(position, "project", project)


def _apply(doc: tomlkit.TOMLDocument, tool_poetry: Any, project: Any, plan: _Plan) -> list[str]:
    """Move each part, in the order the template writes [project]'s keys."""
    created = project is None
    project = tomlkit.table() if created else project
    _move_values(tool_poetry, project, plan)
    changes: list[str] = []
    if plan.dependencies.moving:
        changes += deps.move_requires_python(tool_poetry["dependencies"], project, plan.dependencies)
    changes += _move_classifiers(tool_poetry, project, plan)
    if plan.dependencies.moving:
        changes += deps.move_dependencies(tool_poetry, project, plan.dependencies, always=created)
    changes += deps.move_extras(tool_poetry, project, plan.dependencies)
    _move_urls(tool_poetry, project, plan)
    changes += _move_scripts(tool_poetry, project, plan)
    changes += _move_plugins(tool_poetry, project, plan)
    changes += deps.move_dev_dependencies(tool_poetry)
    _drop_empty_poetry(doc, tool_poetry)
    if created:
        _place_project(doc, project)
    return changes


def poetry1_to_pep621(doc: tomlkit.TOMLDocument) -> list[str]:
    """Move Poetry 1 metadata from [tool.poetry] into a PEP 621 [project] table.

    Name, version, description, readme, license (as SPDX), authors and maintainers
    ("Name <email>" -> {name, email}), keywords, classifiers, the URLs, `python` (as
    requires-python), dependencies (as PEP 508, converted by poetry-core), extras (as
    optional-dependencies), scripts and plugins (entry points) move, with the comments around
    them; [tool.poetry.dev-dependencies] becomes the `dev` group. What PEP 621 cannot express
    stays in [tool.poetry]: packages, include/exclude, groups, sources, and the
    path/git/url/source/develop details of a dependency (Poetry 2 reads them next to
    [project].dependencies). Fields listed in [project].dynamic are left where they are.
    """
    tool_poetry = doc.get("tool", {}).get("poetry")
    if tool_poetry is None:
        return []
    regrouped = []
    if isinstance(tool_poetry, OutOfOrderTableProxy):
        regrouped = regroup_poetry_tables(doc)
        tool_poetry = doc["tool"]["poetry"]
    project = doc.get("project")
    dynamic = set(_plain(project.get("dynamic", []))) if project is not None else set()
    plan = _plan(tool_poetry, project, dynamic)
    if not _has_work(plan, tool_poetry):
        return [f"pyproject.toml: {change}" for change in regrouped]
    deps.check_dev_dependencies(tool_poetry)
    moved = [f"moved {', '.join(plan.moved)} from [tool.poetry] to [project]"] if plan.moved else []
    changes = moved + regrouped + _apply(doc, tool_poetry, project, plan) + modern_build_system(doc)
    return [f"pyproject.toml: {change}" for change in changes]
