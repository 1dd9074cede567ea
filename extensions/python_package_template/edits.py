"""Structural edits of a package's own files: the rules migrations and onboarding apply.

Each function does one thing, keeps the user's comments and layout, and is idempotent: run on
a file that is already right, it changes nothing and reports nothing. Each returns a list of
human-readable descriptions of what it changed (empty when nothing was needed).

A rule that cannot decide safely raises `UnsafeEdit` *before* changing anything, with a message
that says what is wrong and what to do about it.

This module runs with Copier's own interpreter during `copier update` (see extensions/migrate.py),
so it needs only the standard library, tomlkit, PyYAML and packaging (the last two come with
Copier). The YAML edits live in `yaml_edits` (re-exported here), so that the migration before an
update can run without tomlkit; `packaging` is imported where Poetry 1 conversion needs it, so
that the migration after every update does not pay for it when there is nothing to convert.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.container import OutOfOrderTableProxy
from tomlkit.items import Array, Comment, InlineTable, Null, String, Table, Trivia, Whitespace

from python_package_template.yaml_edits import (
    UnsafeEdit,
    add_ci_include,
    has_conflict_markers,
    raise_answer_tag,
    set_ci_include_ref,
)

__all__ = [
    "UnsafeEdit",
    "add_ci_include",
    "ensure_mit_license_metadata",
    "ensure_readme_field",
    "has_conflict_markers",
    "is_mit_license",
    "poetry1_to_pep621",
    "raise_answer_tag",
    "rename_license_to_txt",
    "set_ci_include_ref",
]


# --- small helpers on tomlkit containers ---------------------------------------------------


def _body(table: Any) -> list:
    """The (key, item) list of a table, a super table or the document itself."""
    container = table.value if isinstance(table, Table) else table
    return container.body


def _index(body: list, key: str) -> int:
    return next(i for i, (k, _) in enumerate(body) if k is not None and k.key == key)


def _is_blank(item: Any) -> bool:
    return isinstance(item, Null) or (isinstance(item, Whitespace) and item.s == "")


def _comments_above(body: list, index: int) -> list[int]:
    """Positions of the own-line comments right above body[index]."""
    found: list[int] = []
    position = index - 1
    while position >= 0 and body[position][0] is None:
        if isinstance(body[position][1], Comment):
            found.insert(0, position)
        elif not _is_blank(body[position][1]):
            break
        position -= 1
    return found


def _last_table(table: Any) -> Any:
    """The table whose body renders last inside `table` (itself, or its last sub-table)."""
    while True:
        entries = [item for key, item in _body(table) if not _is_blank(item)]
        if entries and isinstance(entries[-1], Table):
            table = entries[-1]
        else:
            return table


def _blank(body: list, positions: list[int]) -> list[str]:
    """Blank out comment lines (rather than delete them, so that tomlkit's index of the body
    stays right) and return their text, one line each."""
    lines = []
    for position in positions:
        lines += str(body[position][1].trivia.comment).splitlines()
        body[position] = (None, Whitespace(""))
    return lines


def _header_comments(parent: Any, key: str) -> list[str]:
    """Take the comment lines right above the header of the table `parent[key]`: tomlkit keeps
    them at the end of whatever comes before the header."""
    if isinstance(parent, OutOfOrderTableProxy):  # a table split around others: no single "above"
        return []
    body = _body(parent)
    index = _index(body, key)
    positions = _comments_above(body, index)
    if positions:
        return _blank(body, positions)
    previous = next((item for k, item in reversed(body[:index]) if not _is_blank(item)), None)
    if isinstance(previous, Table):
        host = _body(_last_table(previous))
        return _blank(host, _comments_above(host, len(host)))
    return []


def _take(table: Any, key: str) -> tuple[Any, list[str], tuple[str, str] | None]:
    """Remove the plain key `key` from `table` and return (item, the comment lines just above
    it, its trailing comment as (spacing, text)), so that the comments can travel with it."""
    body = _body(table)
    above = _blank(body, _comments_above(body, _index(body, key)))
    item = table[key]
    trailing = (item.trivia.comment_ws, item.trivia.comment) if item.trivia.comment else None
    del table[key]
    return item, above, trailing


def _drop_table(parent: Any, key: str) -> None:
    """Remove the table `parent[key]`, keeping the comments at its end where they are: they
    describe whatever header comes next."""
    if isinstance(parent, OutOfOrderTableProxy):  # e.g. [tool.x] tables on both sides of [build-system]
        del parent[key]
        return
    body = _body(parent)
    index = _index(body, key)
    host = _body(_last_table(parent[key]))
    start = len(host)
    while (
        start > 0
        and host[start - 1][0] is None
        and isinstance(host[start - 1][1], (Comment, Whitespace, Null))
    ):
        start -= 1
    tail = "".join(item.as_string() for _, item in host[start:] if not isinstance(item, Null)).lstrip("\n")
    del parent[key]
    if "#" in tail and body[index][0] is None and isinstance(body[index][1], Null):
        body[index] = (None, Comment(Trivia(indent="", comment_ws="", comment=tail.rstrip("\n"), trail="\n")))


def _comment(text: str) -> Comment:
    return Comment(Trivia(comment_ws="", comment=text, trail="\n"))


def _put(
    table: Any, key: str, value: Any, above: list[str] = (), trailing: tuple[str, str] | None = None
) -> None:
    """Add `key = value` to `table` with the comments that travel with it."""
    for text in above:
        table.add(_comment(text))
    table.add(key, value)
    item = table[key]
    if trailing and not isinstance(item, Table) and not item.trivia.comment:
        item.trivia.comment_ws, item.trivia.comment = trailing[0] or "  ", trailing[1]


def _insert_after(table: Any, after: tuple[str, ...], key: str, value: Any) -> None:
    """Insert `key = value` after the first of `after` that `table` has, else at the end."""
    if isinstance(table, OutOfOrderTableProxy):
        table[key] = value
        return
    container = table.value if isinstance(table, Table) else table
    for previous in after:
        if previous in table and not isinstance(table[previous], Table):
            container._insert_after(previous, key, value)
            return
    table.add(key, value)


def _comment_text(text: str) -> str:
    return text.lstrip("#").strip()


def _array_with_comments(lines: list[tuple[list[str], str, str]]) -> Array:
    """A multi-line array of strings, each with its own-line comments and trailing comment."""
    array = tomlkit.array()
    for above, value, trailing in lines:
        for text in above:
            array.add_line(comment=_comment_text(text) or " ")
        array.add_line(_string(value), comment=_comment_text(trailing) or None)
        if trailing:
            group = [g for g in array._value if getattr(g, "comment", None)][-1]
            group.comment.trivia.indent = "  "
    array.add_line(indent="")
    return array


def _single_line_or_multiline(values: list[str]) -> Array:
    array = tomlkit.array()
    array.extend(values)
    if sum(len(v) + 4 for v in values) > 80:
        array.multiline(True)
    return array


def _plain(value: Any) -> Any:
    """A tomlkit value as plain Python (for comparisons)."""
    return value.unwrap() if hasattr(value, "unwrap") else value


def _end_with_blank_line(table: Table) -> None:
    """Make sure a table we insert before others is followed by an empty line."""
    last = _last_table(table)
    body = _body(last)
    if not body or not (isinstance(body[-1][1], Whitespace) and body[-1][1].s.count("\n") >= 1):
        last.add(tomlkit.nl())


# --- Poetry constraints -> PEP 440 / PEP 508 ----------------------------------------------

_CONSTRAINT_TOKEN = re.compile(r"\s*(\^|~=|~|===|==|!=|>=|<=|>|<|=)?\s*(\*|[0-9][0-9A-Za-z.*+!_-]*)\s*")
_RELEASE = re.compile(r"^(\d+(?:\.\d+)*)(.*)$")


def _release(version: str, what: str) -> list[int]:
    """The release numbers of a Poetry constraint's version: '1.2.3b1' -> [1, 2, 3]."""
    match = _RELEASE.match(version)
    if not match or "*" in match.group(2):
        raise UnsafeEdit(f"{what}: cannot read the version '{version}'; write it as a PEP 440 version.")
    return [int(p) for p in match.group(1).split(".")]


def _bump(parts: list[int], index: int) -> str:
    upper = parts[:index] + [parts[index] + 1] + [0] * (len(parts) - index - 1)
    return ".".join(map(str, upper))


def _specifiers(constraint: str, what: str) -> list[str]:
    """A Poetry version constraint ("^1.2", "~1.2", "1.2.*", ">=1 <2", "*") as PEP 440
    specifiers, e.g. [">=1.2", "<2.0"]; [] when anything goes."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    text = constraint.strip()
    if "||" in text or "|" in text:
        raise UnsafeEdit(
            f"{what}: the constraint '{constraint}' is an either/or ('||'), which PEP 508 cannot"
            " express; replace it with one range (e.g. '>=1.2,<3') and run again."
        )
    specifiers: list[str] = []
    position = 0
    text = text.replace(",", " ")
    while position < len(text):
        match = _CONSTRAINT_TOKEN.match(text, position)
        if not match or match.end() == position:
            raise UnsafeEdit(
                f"{what}: cannot read the constraint '{constraint}'; write it as PEP 440 (e.g. '>=1.2,<2')."
            )
        position = match.end()
        operator, version = match.group(1) or "", match.group(2)
        if version == "*":
            if operator not in ("", "=", "=="):
                raise UnsafeEdit(f"{what}: cannot read the constraint '{constraint}'.")
            continue
        if operator == "^":
            parts = _release(version, what)
            first_non_zero = next((i for i, p in enumerate(parts) if p), len(parts) - 1)
            specifiers += [f">={version}", f"<{_bump(parts, first_non_zero)}"]
        elif operator == "~":
            parts = _release(version, what)
            specifiers += [f">={version}", f"<{_bump(parts, 0 if len(parts) == 1 else 1)}"]
        elif operator in ("", "="):
            specifiers.append(f"=={version}")
        else:
            specifiers.append(f"{operator}{version}")
    try:
        SpecifierSet(",".join(specifiers))
    except InvalidSpecifier:
        raise UnsafeEdit(
            f"{what}: cannot turn the constraint '{constraint}' into PEP 440; write it as PEP 440."
        ) from None
    return specifiers


def _python_markers(constraint: str, what: str) -> str:
    """A Poetry `python = "..."` restriction as PEP 508 markers."""
    markers = []
    for specifier in _specifiers(constraint, what):
        operator, version = re.match(r"(~=|===|==|!=|>=|<=|>|<)(.*)", specifier).groups()
        variable = (
            "python_full_version" if version.count(".") >= 2 and "*" not in version else "python_version"
        )
        markers.append(f"{variable} {operator} '{version}'")
    return " and ".join(markers)


def _and_markers(*markers: str) -> str:
    present = [m.strip() for m in markers if m and m.strip()]
    if len(present) > 1:
        present = [f"({m})" if " or " in m else m for m in present]
    return " and ".join(present)


# Keys of a Poetry dependency that only Poetry understands: they stay in
# [tool.poetry.dependencies], which Poetry 2 reads next to [project].dependencies.
_POETRY_ONLY_KEYS = (
    "path",
    "git",
    "url",
    "branch",
    "rev",
    "tag",
    "subdirectory",
    "develop",
    "source",
    "allow-prereleases",
)
_PEP508_KEYS = ("version", "extras", "markers", "python", "platform", "optional")


def _requirement(name: str, spec: Any, what: str) -> tuple[str, bool, dict]:
    """One Poetry dependency as (PEP 508 string, optional?, what stays in tool.poetry)."""
    from packaging.markers import InvalidMarker, Marker
    from packaging.requirements import InvalidRequirement, Requirement

    if isinstance(spec, str):
        spec = {"version": spec}
    if not isinstance(spec, dict):
        raise UnsafeEdit(f"{what}: cannot read the dependency '{name}'; write it as a string or a table.")
    unknown = set(spec) - set(_POETRY_ONLY_KEYS) - set(_PEP508_KEYS)
    if unknown:
        raise UnsafeEdit(
            f"{what}: the dependency '{name}' uses {', '.join(sorted(unknown))}, which this migration does not know; move it to [project] by hand."
        )
    stays = {k: v for k, v in spec.items() if k in _POETRY_ONLY_KEYS}
    extras = spec.get("extras") or []
    text = name + (f"[{','.join(extras)}]" if extras else "")
    if "version" in spec:
        text += ",".join(_specifiers(str(spec["version"]), f"{what} '{name}'"))
    markers = _and_markers(
        str(spec.get("markers", "")),
        _python_markers(str(spec["python"]), f"{what} '{name}' python") if "python" in spec else "",
        f"sys_platform == '{spec['platform']}'" if "platform" in spec else "",
    )
    if markers:
        try:
            Marker(markers)
        except InvalidMarker:
            raise UnsafeEdit(
                f"{what}: the markers of '{name}' ({markers}) are not valid PEP 508; fix them and run again."
            ) from None
        text += f"; {markers}"
    try:
        Requirement(text)
    except InvalidRequirement:
        raise UnsafeEdit(
            f"{what}: '{name}' does not make a valid PEP 508 requirement ('{text}'); move it by hand."
        ) from None
    return text, bool(spec.get("optional")), stays


# --- metadata ---------------------------------------------------------------------------

_PERSON = re.compile(r"^(?P<name>[^<>]*?)\s*(?:<(?P<email>[^<>\s]+@[^<>\s]+)>)?\s*$")


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


_URL_KEYS = {"homepage": "Homepage", "repository": "Repository", "documentation": "Documentation"}
# In the order the template writes them.
_SIMPLE_KEYS = ("name", "version", "description", "readme", "license", "authors", "maintainers", "keywords")


def _is_poetry_build(doc: Any) -> bool:
    backend = str(doc.get("build-system", {}).get("build-backend", ""))
    return backend.startswith("poetry") or not backend


def _allows_poetry_core_2(specifier: Any) -> bool:
    """Whether a poetry-core pin allows only versions that read [project] (2.0 and newer):
    `poetry-core~=1.1.0`, `==1.0.8`, `>=1.0.0` (which a lock or a cache may hold at 1.x) do not."""
    if not specifier:
        return False
    old = [f"1.{minor}.{patch}" for minor in range(10) for patch in range(12)]
    return not any(specifier.contains(v, prereleases=True) for v in old) and any(
        specifier.contains(f"{major}.{minor}.0") for major in (2, 3) for minor in range(10)
    )


def _modern_build_system(doc: Any) -> list[str]:
    """[build-system] on poetry-core 2, which reads [project]."""
    from packaging.requirements import InvalidRequirement, Requirement

    build = doc.get("build-system")
    if build is None or not _is_poetry_build(doc):
        return []
    changes = []
    requires = build.get("requires")
    if requires is not None:
        for index, requirement in enumerate(list(requires)):
            try:
                parsed = Requirement(str(requirement))
            except InvalidRequirement:
                continue
            if parsed.name in ("poetry", "poetry-core") and (
                parsed.name == "poetry" or not _allows_poetry_core_2(parsed.specifier)
            ):
                requires[index] = "poetry-core>=2.0.0,<3.0.0"
                changes.append(
                    f"[build-system] requires poetry-core>=2.0.0,<3.0.0 (was {requirement}): older ones cannot read [project]"
                )
    if str(build.get("build-backend", "")) != "poetry.core.masonry.api":
        build["build-backend"] = "poetry.core.masonry.api"
        changes.append("[build-system] build-backend is poetry.core.masonry.api")
    return changes


def poetry1_to_pep621(doc: tomlkit.TOMLDocument) -> list[str]:
    """Move Poetry 1 metadata from [tool.poetry] into a PEP 621 [project] table.

    Name, version, description, readme, license (as SPDX), authors and maintainers
    ("Name <email>" -> {name, email}), keywords, classifiers, the URLs, `python` (as
    requires-python), dependencies (as PEP 508, with markers, python restrictions and extras),
    extras (as optional-dependencies), scripts and plugins (entry points) move, with the
    comments around them; [tool.poetry.dev-dependencies] becomes the `dev` group. What PEP 621
    cannot express stays in [tool.poetry]: packages, include/exclude, groups, sources, and the
    path/git/url/source/develop details of a dependency (Poetry 2 reads them next to
    [project].dependencies). Fields listed in [project].dynamic are left where they are.
    """
    tool_poetry = doc.get("tool", {}).get("poetry")
    if tool_poetry is None:
        return []
    regrouped = []
    if isinstance(tool_poetry, OutOfOrderTableProxy):
        regrouped = _regroup_poetry_tables(doc)
        tool_poetry = doc["tool"]["poetry"]
    project = doc.get("project")
    dynamic = set(_plain(project.get("dynamic", []))) if project is not None else set()

    def movable(key: str) -> bool:
        return key in tool_poetry and key not in dynamic

    # --- plan: everything that can fail is worked out before the document changes ---
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
            if isinstance(value, list):
                if len(value) != 1:
                    raise UnsafeEdit(
                        "pyproject.toml: [tool.poetry] readme lists several files, but [project].readme takes one;"
                        ' merge them into README.md, set `readme = "README.md"` and run again.'
                    )
                value = value[0]
            values[key] = str(value)
        else:
            values[key] = value
    classifiers = list(_plain(tool_poetry["classifiers"])) if movable("classifiers") else None
    if classifiers is not None and "license" in values:
        classifiers = [c for c in classifiers if not c.startswith("License ::")]

    urls: dict[str, str] = {}
    for key, label in _URL_KEYS.items():
        if movable(key):
            urls[label] = str(tool_poetry[key])
    if movable("urls"):
        urls.update({str(k): str(v) for k, v in _plain(tool_poetry["urls"]).items()})
    if "urls" in dynamic:
        urls = {}

    dependencies = tool_poetry.get("dependencies")
    # Poetry 2 reads [tool.poetry.dependencies] next to [project].dependencies (sources, path
    # and git details, a narrower python for locking): only a Poetry 1 list moves.
    move_dependencies = (
        dependencies is not None
        and "dependencies" not in dynamic
        and (project is None or "dependencies" not in project)
        and (
            project is None
            or any(key != "python" for key in dependencies)
            or "requires-python" not in project
        )
    )
    requires_python = None
    required: list[tuple[list[str], str, str]] = []
    optional: dict[str, str] = {}
    stays: dict[str, dict] = {}
    if move_dependencies:
        for key, spec in _plain(dependencies).items():
            if key == "python":
                requires_python = ",".join(
                    _specifiers(str(spec), "pyproject.toml [tool.poetry.dependencies] python")
                )
                continue
            what = "pyproject.toml [tool.poetry.dependencies]"
            specs = spec if isinstance(spec, list) else [spec]
            for one in specs:
                text, is_optional, poetry_only = _requirement(key, one, what)
                if poetry_only:
                    if len(specs) > 1:
                        raise UnsafeEdit(
                            f"{what}: '{key}' has several path/git/url variants; move it to [project] by hand."
                        )
                    stays[key] = poetry_only
                if is_optional:
                    optional[key] = text
                else:
                    required.append(([], text, ""))
    extras = _plain(tool_poetry.get("extras", {})) if movable("extras") else {}
    optional_dependencies: dict[str, list[str]] = {}
    for extra, names in extras.items():
        optional_dependencies[extra] = []
        for name in names:
            if name not in optional:
                if move_dependencies:
                    raise UnsafeEdit(
                        f"pyproject.toml [tool.poetry.extras] {extra}: '{name}' is not an optional dependency in"
                        " [tool.poetry.dependencies]; fix the extra and run again."
                    )
                optional_dependencies[extra].append(name)
            else:
                optional_dependencies[extra].append(optional[name])
    unused = set(optional) - {n for names in extras.values() for n in names}
    if unused:
        raise UnsafeEdit(
            f"pyproject.toml: the optional dependencies {', '.join(sorted(unused))} belong to no extra in"
            " [tool.poetry.extras], so they would be lost; add them to an extra or make them required, and run again."
        )

    def entry_points(table: Any) -> dict[str, str]:
        plain = {}
        for name, value in _plain(table).items():
            if isinstance(value, str):
                plain[name] = value
            elif isinstance(value, dict) and set(value) == {"callable"}:
                plain[name] = value["callable"]
        return plain

    scripts = entry_points(tool_poetry["scripts"]) if movable("scripts") else {}
    plugins = {}
    if movable("plugins"):
        plugins = {group: dict(_plain(table)) for group, table in tool_poetry["plugins"].items()}

    if project is not None:
        for key, value in list(values.items()) + [("classifiers", classifiers)]:
            if value is None or key not in project:
                continue
            if _plain(project[key]) != _plain(value):
                raise UnsafeEdit(
                    f"pyproject.toml: `{key}` is set in both [project] and [tool.poetry], differently;"
                    f" keep the one you mean in [project], delete the other and run again."
                )
        if "urls" in project:
            for label, url in urls.items():
                if label in project["urls"] and str(project["urls"][label]) != url:
                    raise UnsafeEdit(
                        f"pyproject.toml: the URL '{label}' differs between [project.urls] and [tool.poetry]; keep one and run again."
                    )
        if (
            requires_python
            and "requires-python" in project
            and str(project["requires-python"]) != requires_python
        ):
            # [tool.poetry.dependencies] python may stay: Poetry 2 reads it as the locking range.
            requires_python = None

    moved = [key for key in _SIMPLE_KEYS if key in values]
    if classifiers is not None:
        moved.append("classifiers")
    moved += [key for key in (*_URL_KEYS, "urls") if movable(key) and "urls" not in dynamic]
    if not (moved or move_dependencies or scripts or plugins or extras or "dev-dependencies" in tool_poetry):
        return [f"pyproject.toml: {change}" for change in regrouped]
    _check_dev_dependencies(tool_poetry)

    # --- apply ---
    changes: list[str] = list(regrouped)
    created = project is None
    if created:
        project = tomlkit.table()
    for key in _SIMPLE_KEYS:
        if key in values:
            item, above, trailing = _take(tool_poetry, key)
            if key not in project:
                _put(
                    project,
                    key,
                    item if key in ("name", "version", "description", "keywords") else values[key],
                    above,
                    trailing,
                )
    if requires_python is not None:
        _, above, trailing = _take(dependencies, "python")
        if "requires-python" not in project:
            _put(project, "requires-python", requires_python, above, trailing)
            changes.append(
                f'requires-python = "{requires_python}" (was python in [tool.poetry.dependencies])'
            )
    if classifiers is not None:
        item, above, trailing = _take(tool_poetry, "classifiers")
        dropped = [c for c in _plain(item) if c not in classifiers]
        if "classifiers" not in project:
            array = tomlkit.array()
            array.extend(classifiers)
            array.multiline(True)
            _put(project, "classifiers", array, above, trailing)
        if dropped:
            changes.append(f"dropped the classifiers {', '.join(dropped)}: [project].license says it now")
        if not any(c.startswith("Programming Language :: Python :: 3.") for c in classifiers):
            changes.append(
                "classifiers are now written out in [project]: Poetry no longer adds the Python"
                " version classifiers by itself, so list the versions the package supports there"
            )
    if move_dependencies:
        changes += _move_dependencies(tool_poetry, dependencies, project, required, stays, always=created)
    if optional_dependencies:
        table = tomlkit.table()
        for extra, requirements in optional_dependencies.items():
            table[extra] = _single_line_or_multiline(requirements)
        _put_table(project, "optional-dependencies", table, _header_comments(tool_poetry, "extras"))
        _drop_table(tool_poetry, "extras")
        changes.append(f"extras {', '.join(optional_dependencies)} moved to [project.optional-dependencies]")
    if urls:
        table, new_table = _subtable(project, "urls")
        for key in _URL_KEYS:
            if key in tool_poetry:
                _, above, trailing = _take(tool_poetry, key)
                if _URL_KEYS[key] not in table:
                    _put(table, _URL_KEYS[key], urls[_URL_KEYS[key]], above, trailing)
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
    if scripts:
        comments = _header_comments(tool_poetry, "scripts")
        table, new_table = _subtable(project, "scripts")
        old = tool_poetry["scripts"]
        for name in scripts:
            _, above, trailing = _take(old, name)
            _put(table, name, scripts[name], above, trailing)
        if new_table:
            _put_table(project, "scripts", table, comments)
        if not list(old.keys()):
            _drop_table(tool_poetry, "scripts")
        changes.append(f"scripts {', '.join(scripts)} moved to [project.scripts]")
    if plugins:
        comments = _header_comments(tool_poetry, "plugins")
        table, new_table = _subtable(project, "entry-points", super_table=True)
        for group, points in plugins.items():
            group_table = tomlkit.table()
            for name, value in points.items():
                group_table[name] = value
            table[group] = group_table
        if new_table:
            _put_table(project, "entry-points", table, comments)
        _drop_table(tool_poetry, "plugins")
        changes.append(f"plugins {', '.join(plugins)} moved to [project.entry-points]")
    if "dev-dependencies" in tool_poetry:
        changes += _dev_dependencies_to_group(tool_poetry)
    if moved:
        changes.insert(0, f"moved {', '.join(moved)} from [tool.poetry] to [project]")
    if not tool_poetry:
        _drop_table(doc["tool"], "poetry")
        if not doc["tool"]:
            _drop_table(doc, "tool")
    if created:
        _end_with_blank_line(project)
        position = next(
            (i for i, (k, _) in enumerate(doc.body) if k is not None and k.key in ("tool", "build-system")),
            None,
        )
        if position is None:
            doc.add("project", project)
        else:
            doc._insert_at(position, "project", project)
    changes += _modern_build_system(doc)
    return [f"pyproject.toml: {change}" for change in changes]


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")


def _is_poetry_header(name: str | None) -> bool:
    parts = [p.strip().strip("\"'") for p in (name or "").split(".")]
    return parts[:2] == ["tool", "poetry"]


def _regroup_poetry_tables(doc: tomlkit.TOMLDocument) -> list[str]:
    """Bring [tool.poetry*] tables split by others ([tool.poe.tasks.x] between [tool.poetry] and
    [tool.poetry.dependencies], say) together, so that they can be edited in place: the tables
    in between move after the last [tool.poetry*] one, each with the comments right above its
    header. TOML does not depend on the order of tables; the document is checked to mean the
    same afterwards, and is left alone (UnsafeEdit) when it would not."""
    text = doc.as_string()
    chunks: list[tuple[str | None, list[str]]] = [(None, [])]
    for line in text.splitlines(keepends=True):
        match = _HEADER.match(line)
        if match:
            body = chunks[-1][1]
            carried: list[str] = []
            while body and body[-1].lstrip().startswith("#"):
                carried.insert(0, body.pop())
            chunks.append((match[1], carried + [line]))
        else:
            chunks[-1][1].append(line)
    poetry = [i for i, (name, _) in enumerate(chunks) if _is_poetry_header(name)]
    first, last = poetry[0], poetry[-1]
    span = chunks[first : last + 1]
    moved = [chunk for chunk in span if not _is_poetry_header(chunk[0])]
    regrouped = chunks[:first] + [c for c in span if _is_poetry_header(c[0])] + moved + chunks[last + 1 :]

    def block(lines: list[str], is_last: bool) -> str:
        joined = "".join(lines)
        if is_last or not joined:
            return joined
        joined = joined if joined.endswith("\n") else joined + "\n"
        return joined if joined.endswith("\n\n") else joined + "\n"

    new_text = "".join(block(lines, i == len(regrouped) - 1) for i, (_, lines) in enumerate(regrouped))
    try:
        new_doc = tomlkit.parse(new_text)
    except Exception:
        new_doc = None
    if (
        new_doc is None
        or new_doc.unwrap() != doc.unwrap()
        or isinstance(new_doc.get("tool", {}).get("poetry"), OutOfOrderTableProxy)
    ):
        raise UnsafeEdit(
            "pyproject.toml: the [tool.poetry...] tables are split by other tables and could not be brought"
            " together safely; move them next to each other and run again."
        )
    doc.__init__()
    for key, item in new_doc.body:
        doc.append(key, item)
    names = ", ".join(f"[{name}]" for name, _ in moved)
    return [f"moved {names} after the [tool.poetry] tables, so that those could be edited together"]


def _subtable(project: Any, key: str, super_table: bool = False) -> tuple[Any, bool]:
    """(project[key], False) when it exists, else (a new table to fill and add, True)."""
    table = project.get(key)
    return (table, False) if table is not None else (tomlkit.table(is_super_table=super_table), True)


def _put_table(parent: Any, key: str, table: Table, comments: list[str]) -> None:
    """Add a sub-table, with the comments that were above its old header."""
    if comments:
        if _body(parent) and isinstance(_body(parent)[-1][1], Table):
            _end_with_blank_line(_body(parent)[-1][1])
        for text in comments:
            parent.add(_comment(text))
    parent[key] = table
    if comments:
        parent[key].trivia.indent = ""  # the header follows its comments, no blank line between


def _string(value: str) -> String:
    """A TOML string that needs no escapes when it can (PEP 508 markers hold quotes)."""
    literal = '"' in value and "'" not in value and "\n" not in value
    return tomlkit.string(value, literal=literal)


def _move_dependencies(
    tool_poetry: Any, dependencies: Any, project: Any, required: list, stays: dict, always: bool
) -> list[str]:
    """[tool.poetry.dependencies] -> [project].dependencies, comments included; what only
    Poetry understands (path, git, url, source, develop) stays behind. An empty list is written
    only into a new [project] (`always`), as the template does."""
    from packaging.requirements import Requirement

    by_name: dict[str, list[str]] = {}
    for _, text, _ in required:
        by_name.setdefault(Requirement(text).name.lower(), []).append(text)
    lines: list[tuple[list[str], str, str]] = []
    for key in list(dependencies.keys()):
        item = dependencies[key]
        if key in stays:
            above, trailing = [], ""
            if isinstance(item, (InlineTable, Table)):
                for pep508_key in _PEP508_KEYS:
                    if pep508_key in item:
                        del item[pep508_key]
        else:
            _, above, trailing_pair = _take(dependencies, key)
            trailing = trailing_pair[1] if trailing_pair else ""
        for number, text in enumerate(by_name.get(key.lower(), [])):
            lines.append((above if number == 0 else [], text, trailing if number == 0 else ""))
    above_table: list[str] = []
    if not list(dependencies.keys()):
        above_table = _header_comments(tool_poetry, "dependencies")
        _drop_table(tool_poetry, "dependencies")
    if not (lines or always):
        return []
    _put(project, "dependencies", _array_with_comments(lines) if lines else tomlkit.array(), above_table)
    kept = (
        f" (Poetry keeps the path/git/url/source details of {', '.join(sorted(stays))} in [tool.poetry.dependencies])"
        if stays
        else ""
    )
    return [
        f"dependencies: {len(lines)} moved from [tool.poetry.dependencies] to [project].dependencies as PEP 508{kept}"
    ]


def _dev_group(tool_poetry: Any) -> Any:
    return tool_poetry.get("group", {}).get("dev", {}).get("dependencies")


def _check_dev_dependencies(tool_poetry: Any) -> None:
    old, target = tool_poetry.get("dev-dependencies"), _dev_group(tool_poetry)
    if old is None or target is None:
        return
    for key in old:
        if key in target and _plain(target[key]) != _plain(old[key]):
            raise UnsafeEdit(
                f"pyproject.toml: '{key}' differs between [tool.poetry.dev-dependencies] and"
                " [tool.poetry.group.dev.dependencies]; keep the one you mean in the group and run again."
            )


def _dev_dependencies_to_group(tool_poetry: Any) -> list[str]:
    """Poetry 1.0's [tool.poetry.dev-dependencies] -> [tool.poetry.group.dev.dependencies],
    which Poetry 2 warns about (and `poetry check --strict` fails on)."""
    comments = _header_comments(tool_poetry, "dev-dependencies")
    old = tool_poetry["dev-dependencies"]
    target = _dev_group(tool_poetry)
    moved = [(key, *_take(old, key)) for key in list(old.keys())]
    _drop_table(tool_poetry, "dev-dependencies")
    if target is None:
        group = tool_poetry.get("group")
        if group is None:
            group = tomlkit.table(is_super_table=True)
            _put_table(tool_poetry, "group", group, comments)
            comments = []
        dev = group.get("dev")
        if dev is None:
            dev = tomlkit.table(is_super_table=True)
            group["dev"] = dev
        target = tomlkit.table()
        for text in comments:
            target.add(_comment(text))
        dev["dependencies"] = target
    for key, value, above, trailing in moved:
        if key not in target:
            _put(target, key, value, above, trailing)
    _end_with_blank_line(target)
    return ["[tool.poetry.dev-dependencies] became [tool.poetry.group.dev.dependencies]"]


def ensure_readme_field(doc: tomlkit.TOMLDocument, readme: str = "README.md") -> list[str]:
    """Add `readme = "README.md"` to [project] (or a Poetry 1 [tool.poetry]) when it has none."""
    project = doc.get("project")
    if project is not None:
        if "readme" in project or "readme" in _plain(project.get("dynamic", [])):
            return []
        _insert_after(project, ("description", "version", "name"), "readme", readme)
        return [f'pyproject.toml: added readme = "{readme}" to [project], so PyPI shows it']
    tool_poetry = doc.get("tool", {}).get("poetry")
    if tool_poetry is not None and "name" in tool_poetry and "readme" not in tool_poetry:
        _insert_after(tool_poetry, ("description", "version", "name"), "readme", readme)
        return [f'pyproject.toml: added readme = "{readme}" to [tool.poetry], so PyPI shows it']
    return []


# --- the licence --------------------------------------------------------------------------

_MIT_BODY = """
Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction,
including without limitation the rights to use, copy, modify, merge, publish, distribute,
sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES
OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def is_mit_license(text: str) -> bool:
    """Whether `text` is the MIT licence: any title and copyright lines, then exactly the MIT
    permission, condition and disclaimer (ignoring case, layout, punctuation and markup), and
    nothing after it. Variants with extra clauses (X11, MIT-CMU) or without the condition
    (MIT-0) are not MIT."""
    words = _words(text)
    body = _words(_MIT_BODY)
    start = words.find(_words("Permission is hereby granted"))
    return start >= 0 and words[start:] == body


_OLD_LICENSE_NAMES = ("LICENSE", "LICENSE.md", "LICENSE.rst")


def _git_tracked(project_dir: Path, name: str) -> bool:
    try:
        result = subprocess.run(
            ["git", "ls-files", "--error-unmatch", "--", name],
            cwd=project_dir,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return False
    return result.returncode == 0


def _git(project_dir: Path, *args: str) -> None:
    result = subprocess.run(["git", *args], cwd=project_dir, capture_output=True, text=True, check=False)
    if result.returncode:
        raise UnsafeEdit(f"`git {' '.join(args)}` failed in {project_dir}: {result.stderr.strip()}")


def rename_license_to_txt(project_dir: Path) -> list[str]:
    """LICENSE, LICENSE.md or LICENSE.rst holding the MIT licence -> LICENSE.txt, with `git mv`
    when the file is tracked so that history follows it. A copy identical to an existing
    LICENSE.txt is removed instead."""
    project_dir = Path(project_dir)
    found = [name for name in _OLD_LICENSE_NAMES if (project_dir / name).is_file()]
    if not found:
        return []
    target = project_dir / "LICENSE.txt"
    texts = {name: (project_dir / name).read_text(encoding="utf-8", errors="replace") for name in found}
    for name, text in texts.items():
        if not is_mit_license(text):
            raise UnsafeEdit(
                f"{name} is not the MIT licence that the template's packages use, so it was not renamed to"
                " LICENSE.txt. If the package keeps this licence, rename the file to LICENSE.txt yourself"
                " (`git mv`) and set `license` in pyproject.toml to its SPDX identifier; then run again."
            )
    existing = target.read_text(encoding="utf-8", errors="replace") if target.is_file() else None
    contents = {text.strip() for text in texts.values()} | (
        {existing.strip()} if existing is not None else set()
    )
    if len(contents) > 1:
        names = found + (["LICENSE.txt"] if existing is not None else [])
        raise UnsafeEdit(
            f"{', '.join(names)} all exist with different text; keep the right one as LICENSE.txt, delete"
            " the others and run again."
        )
    changes = []
    for name in found:
        tracked = _git_tracked(project_dir, name)
        if not target.exists():
            if tracked:
                _git(project_dir, "mv", "--", name, "LICENSE.txt")
            else:
                (project_dir / name).rename(target)
            changes.append(f"{name} renamed to LICENSE.txt" + (" (git mv, history kept)" if tracked else ""))
        else:
            if tracked:
                _git(project_dir, "rm", "--quiet", "--", name)
            else:
                (project_dir / name).unlink()
            changes.append(f"{name} removed: LICENSE.txt has the same text")
    return changes


def ensure_mit_license_metadata(doc: tomlkit.TOMLDocument, license_file: str = "LICENSE.txt") -> list[str]:
    """[project] says `license = "MIT"` (SPDX, PEP 639) and `license-files` lists
    `license_file`; License :: classifiers, which PEP 639 replaces, are removed."""
    project = doc.get("project")
    if project is None:
        return []
    changes = []
    if "license" in _plain(project.get("dynamic", [])):
        raise UnsafeEdit(
            "pyproject.toml: [project].dynamic lists `license`; remove it from dynamic and run again."
        )
    current = project.get("license")
    plain = _plain(current)
    if isinstance(plain, str):
        if _words(plain) != "mit":
            raise UnsafeEdit(
                f"pyproject.toml: license is '{plain}' but {license_file} is the MIT licence; make them agree"
                ' (set license = "MIT", or replace the licence file) and run again.'
            )
        if plain != "MIT":
            project["license"] = "MIT"
            changes.append(f"license = \"MIT\" (was '{plain}')")
    else:
        if (
            isinstance(plain, dict)
            and "text" in plain
            and _words(str(plain["text"])) not in ("mit", _words(_MIT_BODY))
            and not is_mit_license(str(plain["text"]))
        ):
            raise UnsafeEdit(
                f"pyproject.toml: license.text does not say MIT but {license_file} is the MIT licence; make them agree and run again."
            )
        if current is None:
            _insert_after(project, ("readme", "description", "version", "name"), "license", "MIT")
        else:
            project["license"] = "MIT"
        changes.append('license = "MIT" (SPDX, PEP 639)')
    files = project.get("license-files")
    if files is None:
        _insert_after(project, ("license",), "license-files", tomlkit.array(f'["{license_file}"]'))
        changes.append(f'license-files = ["{license_file}"]')
    elif isinstance(_plain(files), list):
        names = [str(name) for name in files]
        wanted = [license_file if name in _OLD_LICENSE_NAMES else name for name in names]
        wanted = list(dict.fromkeys(wanted))
        if license_file not in wanted and not any(_glob_matches(name, license_file) for name in wanted):
            wanted.append(license_file)
        if wanted != names:
            files.clear()
            files.extend(wanted)
            changes.append(f"license-files = {wanted}")
    else:
        raise UnsafeEdit("pyproject.toml: license-files is not a list (PEP 639); make it one and run again.")
    classifiers = project.get("classifiers")
    if classifiers is not None:
        dropped = [str(c) for c in classifiers if str(c).startswith("License ::")]
        for classifier in dropped:
            classifiers.remove(classifier)
        if dropped:
            changes.append(f"removed the classifiers {', '.join(dropped)}: license says it (PEP 639)")
    return [f"pyproject.toml: {change}" for change in changes]


def _glob_matches(pattern: str, name: str) -> bool:
    from fnmatch import fnmatch

    return fnmatch(name, pattern)
