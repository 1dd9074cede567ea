"""The development dependency groups (`dev`, and `docs` for the documentation site), in
whichever form a package keeps them.

New packages declare them the standard way (PEP 735 `[dependency-groups] dev = [...]`); the
team's older Poetry packages as `[tool.poetry.group.dev.dependencies]` (or Poetry 1's
`[tool.poetry.dev-dependencies]`). Both mean the same to `poetry install`, so what the template
asks for is read from either form and written into the form the package already uses: a group
the package lacks goes where its dev group is.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import tomlkit
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

# Where each form keeps the dev group, as key paths from the top of pyproject.toml.
PEP735 = ("dependency-groups", "dev")
POETRY_GROUP = ("tool", "poetry", "group", "dev", "dependencies")
POETRY1 = ("tool", "poetry", "dev-dependencies")


def _paths(group: str) -> tuple[tuple[str, ...], ...]:
    """Where each form keeps `group`: PEP 735's, Poetry's groups, and (dev only) Poetry 1's."""
    if group == "dev":
        return PEP735, POETRY_GROUP, POETRY1
    return ("dependency-groups", group), ("tool", "poetry", "group", group, "dependencies")


def _get(doc: Any, path: tuple[str, ...]) -> Any:
    for key in path:
        if not isinstance(doc, dict) or key not in doc:
            return None
        doc = doc[key]
    return doc


def _from_poetry(name: str, constraint: Any) -> str | None:
    """A Poetry constraint as a PEP 508 requirement; None when PEP 508 cannot say it the same
    way (a caret, a path, git...), so that it is never taken for the template's."""
    version = constraint.get("version") if isinstance(constraint, dict) else constraint
    if not isinstance(version, str) or (isinstance(constraint, dict) and set(constraint) - {"version"}):
        return None
    if version.strip() in ("", "*"):
        return name
    try:
        return f"{name}{SpecifierSet(version)}"
    except InvalidSpecifier:
        return None


def requirements(doc: dict, group: str = "dev") -> dict[str, str | None]:
    """{canonical name: PEP 508 requirement} of `group`, from every form present."""
    found: dict[str, str | None] = {}
    pep735, *poetry_paths = _paths(group)
    for path in reversed(poetry_paths):
        for name, constraint in (_get(doc, path) or {}).items():
            found[canonicalize_name(name)] = _from_poetry(name, constraint)
    for entry in _get(doc, pep735) or []:
        if isinstance(entry, str):
            try:
                found[canonicalize_name(Requirement(entry).name)] = entry
            except InvalidRequirement:
                continue
    return found


def without_group(doc: dict, groups: tuple[str, ...] = ("dev",)) -> dict:
    """`doc` (plain) without `groups`, in any form, for a merge of everything else."""
    doc = {**doc}
    if isinstance(doc.get("dependency-groups"), dict):
        doc["dependency-groups"] = {k: v for k, v in doc["dependency-groups"].items() if k not in groups}
        if not doc["dependency-groups"]:
            del doc["dependency-groups"]
    poetry = _get(doc, ("tool", "poetry"))
    if isinstance(poetry, dict):
        poetry = {k: v for k, v in poetry.items() if k != "dev-dependencies" or "dev" not in groups}
        for name in groups:
            group = poetry.get("group", {}).get(name) if isinstance(poetry.get("group"), dict) else None
            if isinstance(group, dict):
                rest = {k: v for k, v in group.items() if k != "dependencies"}
                others = {k: v for k, v in poetry["group"].items() if k != name}
                poetry["group"] = {**others, **({name: rest} if rest else {})}
                if not poetry["group"]:
                    del poetry["group"]
        doc["tool"] = {**doc["tool"], "poetry": poetry}
    return doc


def _table(parent: Any, key: str) -> Any:
    if key not in parent:
        parent[key] = tomlkit.table(is_super_table=True)
    return parent[key]


class Group:
    """The package's group `name` (tomlkit), in its own form; when it has none yet, in its dev
    group's form (Poetry 1's becomes Poetry's groups), else PEP 735's."""

    def __init__(self, doc: Any, name: str = "dev") -> None:
        self.doc = doc
        found = [path for path in _paths(name) if _get(doc, path) is not None]
        if not found and name != "dev":
            dev = Group(doc).path
            found = [_paths(name)[0 if dev == PEP735 else 1]] if _get(doc, dev) is not None else []
        self.path = found[0] if found else _paths(name)[0]
        self.pep735 = self.path[0] == "dependency-groups"

    def _container(self) -> Any:
        if _get(self.doc, self.path) is None:
            parent = self.doc
            for key in self.path[:-1]:
                parent = _table(parent, key)
            parent[self.path[-1]] = tomlkit.array() if self.pep735 else tomlkit.table()
            if self.pep735:
                parent[self.path[-1]].multiline(True)
        return _get(self.doc, self.path)

    @property
    def where(self) -> str:
        return f"[{'.'.join(self.path[:-1])}] {self.path[-1]}" if self.pep735 else f"[{'.'.join(self.path)}]"

    def names(self) -> dict[str, str]:
        """{canonical name: the name as written}."""
        container = _get(self.doc, self.path) or []
        if self.pep735:
            names = {}
            for entry in container:
                try:
                    name = Requirement(str(entry)).name
                except InvalidRequirement:
                    continue
                names[canonicalize_name(name)] = name
            return names
        return {canonicalize_name(name): name for name in container}

    def set(self, requirement: str) -> None:
        """Add `requirement`, or replace the entry of the same project."""
        parsed = Requirement(requirement)
        key = canonicalize_name(parsed.name)
        container = self._container()
        if self.pep735:
            for index, entry in enumerate(list(container)):
                if requirement_name(entry) == key:
                    container[index] = requirement
                    return
            container.append(requirement)
            return
        written = self.names().get(key, parsed.name)
        if parsed.extras or parsed.marker:
            value = tomlkit.inline_table()
            value["version"] = str(parsed.specifier) or "*"
            if parsed.extras:
                value["extras"] = sorted(parsed.extras)
            if parsed.marker:
                value["markers"] = str(parsed.marker)
            container[written] = value
        else:
            container[written] = str(parsed.specifier) or "*"

    def remove(self, name: str) -> None:
        key = canonicalize_name(name)
        container = self._container()
        if self.pep735:
            for index, entry in enumerate(list(container)):
                if requirement_name(entry) == key:
                    del container[index]
                    return
        elif key in self.names():
            del container[self.names()[key]]


def declared_requirements(doc: dict) -> Iterator[tuple[str, str]]:
    """(canonical name, version constraint) of each requirement a package declares, wherever it
    does: Poetry's dependencies, dev-dependencies and groups, then [project]'s dependencies and
    extras, then PEP 735 groups. What is not a requirement (a group include, an invalid string)
    is left out."""
    poetry = doc.get("tool", {}).get("poetry", {})
    tables = [poetry.get("dependencies", {}), poetry.get("dev-dependencies", {})]
    tables += [group.get("dependencies", {}) for group in poetry.get("group", {}).values()]
    for table in tables:
        for name, constraint in table.items():
            version = constraint.get("version", "*") if isinstance(constraint, dict) else constraint
            yield canonicalize_name(str(name)), str(version)
    project = doc.get("project", {})
    lists = [project.get("dependencies", []), *project.get("optional-dependencies", {}).values()]
    lists += list(doc.get("dependency-groups", {}).values())
    for entries in lists:
        for entry in entries:
            if isinstance(entry, str):
                try:
                    requirement = Requirement(entry)
                except InvalidRequirement:
                    continue
                yield canonicalize_name(requirement.name), str(requirement.specifier) or "*"


def requirement_name(entry: Any) -> str | None:
    """The canonical project name of a PEP 508 requirement; None when `entry` is not one."""
    try:
        return canonicalize_name(Requirement(str(entry)).name)
    except InvalidRequirement:
        return None
