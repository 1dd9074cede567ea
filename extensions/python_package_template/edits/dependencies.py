"""The dependencies rule: Poetry 1's dependencies and extras become PEP 621's, through poetry-core.

poetry-core builds these packages, so it is poetry-core that converts them: each dependency is
read by `Factory.create_dependency`, as the Poetry 1 build reads it, and written as PEP 508 by
`Dependency.to_pep_508()`, as that build writes it into the wheel's Requires-Dist; `python`
becomes `requires-python` as the build writes Requires-Python. Read back from [project] by
poetry-core 2, each gives the same Requires-Dist again (tests/test_poetry_conversion.py proves
it for every form poetry-core accepts). poetry-core is imported only here, when there is
something to convert: the update migration supplies its own copy on sys.path.

Plan first (`plan_dependencies`, which raises UnsafeEdit before anything changes), then apply
(`move_dependencies`, `move_dev_dependencies`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import tomlkit
from tomlkit.items import InlineTable, Table

from python_package_template.yaml_edits import UnsafeEdit

from ._toml import (
    _array_with_comments,
    _comment,
    _drop_table,
    _end_with_blank_line,
    _header_comments,
    _plain,
    _put,
    _put_table,
    _single_line_or_multiline,
    _take,
)

WHERE = "pyproject.toml [tool.poetry.dependencies]"

# Keys of a Poetry dependency that only Poetry understands: they stay in
# [tool.poetry.dependencies], which Poetry 2 reads next to [project].dependencies.
POETRY_ONLY_KEYS = (
    "path",
    "file",
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
PEP508_KEYS = ("version", "extras", "markers", "python", "platform", "optional")


@dataclass
class DependencyPlan:
    """What [tool.poetry.dependencies] and [tool.poetry.extras] become."""

    requires_python: str | None = None
    required: dict[str, list[str]] = field(default_factory=dict)  # key -> PEP 508, in order
    optional: dict[str, list[str]] = field(default_factory=dict)  # canonical name -> PEP 508
    stays: set[str] = field(default_factory=set)  # keys whose path/git/url details stay
    extras: dict[str, list[str]] = field(default_factory=dict)  # extra -> PEP 508
    moving: bool = False  # whether [tool.poetry.dependencies] moves


def _poetry_core() -> None:
    """poetry-core is needed only here; say how to get it rather than fail an update."""
    try:
        import poetry.core  # noqa: F401
    except ImportError:
        raise UnsafeEdit(
            "pyproject.toml: converting Poetry 1 dependencies needs poetry-core beside Copier"
            " (`pipx inject copier poetry-core`); install it and run again."
        ) from None


def requires_python(constraint: Any) -> str:
    """Poetry's `python = "^3.9"` as the Requires-Python poetry-core writes for it (">=3.9,<4.0");
    "" for `python = "*"`, for which it writes none."""
    _poetry_core()
    from poetry.core.constraints.version import parse_marker_version_constraint
    from poetry.core.version.helpers import format_python_constraint

    if not isinstance(constraint, str):
        raise UnsafeEdit(f"{WHERE} python: write it as one constraint string, e.g. '^3.9'.")
    if constraint.strip() == "*":
        return ""
    try:
        return format_python_constraint(parse_marker_version_constraint(constraint))
    except ValueError as error:
        raise UnsafeEdit(f"{WHERE} python: poetry-core cannot read '{constraint}': {error}") from None


def pep508(name: str, spec: Any) -> str:
    """One Poetry dependency (a constraint string or a table) as the PEP 508 requirement the
    Poetry 1 build writes for it, in the form poetry-core 2 reads back to the same, without its
    extra markers (PEP 621 lists those by extra). A git or url dependency keeps its URL (Poetry 2
    publishes the one in [project]); a path dependency is written by name only."""
    _poetry_core()
    from poetry.core.factory import Factory

    if isinstance(spec, dict):
        unknown = set(spec) - set(POETRY_ONLY_KEYS) - set(PEP508_KEYS)
        if unknown:
            raise UnsafeEdit(
                f"{WHERE}: the dependency '{name}' uses {', '.join(sorted(unknown))}, which this migration"
                " does not know; move it to [project] by hand."
            )
        if "path" in spec or "file" in spec:  # the wheel must not name this machine's path
            spec = {key: value for key, value in spec.items() if key in PEP508_KEYS}
    elif not isinstance(spec, str):
        raise UnsafeEdit(f"{WHERE}: cannot read the dependency '{name}'; write it as a string or a table.")
    try:
        text = Factory.create_dependency(name, spec).to_pep_508(with_extras=False)
    except Exception as error:  # poetry-core's parsers raise ValueError and lark's errors
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise UnsafeEdit(
            f"{WHERE}: poetry-core cannot read the dependency '{name}' (its version, markers, python or"
            f" platform): {reason}; fix it and run again."
        ) from None
    return _as_written(name, text)


def _as_written(name: str, text: str) -> str:
    """poetry-core's PEP 508 text as [project] should hold it: in the form poetry-core writes
    after reading it back (it orders specifiers its own way), without the parentheses."""
    from packaging.requirements import InvalidRequirement, Requirement
    from poetry.core.packages.dependency import Dependency

    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        raise UnsafeEdit(
            f"{WHERE}: poetry-core writes '{name}' as '{text}', which is not valid PEP 508 (pip cannot"
            " read it from the wheel): an either/or ('||') of ranges cannot be written in PEP 508; replace"
            " it with one range (e.g. '>=1.2,<3') and run again."
        ) from None
    reread = Dependency.create_from_pep_508(text).to_pep_508()
    text = reread if Requirement(reread) == requirement else text
    compact = re.sub(r"^([^ ;(@]+) \(([^()]*)\)", r"\1\2", text)
    compact = compact if " @ " in compact else compact.replace(" ; ", "; ")
    try:
        return compact if Requirement(compact) == requirement else text
    except InvalidRequirement:
        return text


def _canonical(name: str) -> str:
    from packaging.utils import canonicalize_name

    return canonicalize_name(name)


def _convert_dependencies(dependencies: dict, plan: DependencyPlan) -> None:
    for key, spec in dependencies.items():
        if key.lower() == "python":
            plan.requires_python = requires_python(spec)
            continue
        specs = spec if isinstance(spec, list) else [spec]
        poetry_only = [one for one in specs if isinstance(one, dict) and set(one) & set(POETRY_ONLY_KEYS)]
        if poetry_only and len(specs) > 1:
            raise UnsafeEdit(
                f"{WHERE}: '{key}' has several path/git/url variants; move it to [project] by hand."
            )
        if poetry_only:
            plan.stays.add(key)
        for one in specs:
            text = pep508(key, one)
            if isinstance(one, dict) and one.get("optional"):
                plan.optional.setdefault(_canonical(key), []).append(text)
            else:
                plan.required.setdefault(key, []).append(text)


def _convert_extras(extras: dict, plan: DependencyPlan, strict: bool) -> None:
    """[tool.poetry.extras] (names of optional dependencies) as PEP 621 optional dependencies."""
    for extra, names in extras.items():
        plan.extras[extra] = []
        for name in names:
            found = plan.optional.get(_canonical(str(name)))
            if found is None and strict:
                raise UnsafeEdit(
                    f"pyproject.toml [tool.poetry.extras] {extra}: '{name}' is not an optional dependency in"
                    " [tool.poetry.dependencies]; fix the extra and run again."
                )
            plan.extras[extra] += found or [str(name)]
    used = {_canonical(str(n)) for names in extras.values() for n in names}
    unused = set(plan.optional) - used
    if unused:
        raise UnsafeEdit(
            f"pyproject.toml: the optional dependencies {', '.join(sorted(unused))} belong to no extra in"
            " [tool.poetry.extras], so they would be lost; add them to an extra or make them required, and run again."
        )


def should_move(dependencies: Any, project: Any, dynamic: set[str]) -> bool:
    """Poetry 2 reads [tool.poetry.dependencies] next to [project].dependencies (sources, path
    and git details, a narrower python for locking): only a Poetry 1 list moves."""
    if dependencies is None or "dependencies" in dynamic:
        return False
    if project is None:
        return True
    return "dependencies" not in project and (
        any(key != "python" for key in dependencies) or "requires-python" not in project
    )


def plan_dependencies(
    tool_poetry: Any, project: Any, dynamic: set[str], extras_movable: bool
) -> DependencyPlan:
    """What the dependencies and extras become; raises UnsafeEdit when one cannot move safely."""
    dependencies = tool_poetry.get("dependencies")
    moving = should_move(dependencies, project, dynamic)
    plan = DependencyPlan()
    if moving:
        _convert_dependencies(_plain(dependencies), plan)
        if project is not None and plan.requires_python and "requires-python" in project:
            if str(project["requires-python"]) != plan.requires_python:
                # [tool.poetry.dependencies] python may stay: Poetry 2 reads it as the locking range.
                plan.requires_python = None
    if extras_movable:
        _convert_extras(_plain(tool_poetry.get("extras", {})), plan, strict=moving)
    elif plan.optional:
        _convert_extras({}, plan, strict=moving)
    plan.moving = moving
    return plan


# --- apply ---------------------------------------------------------------------------------


def _dependency_lines(dependencies: Any, plan: DependencyPlan) -> list[tuple[list[str], str, str]]:
    """Take each moving dependency out of the table: (comments above, PEP 508, trailing comment)."""
    lines: list[tuple[list[str], str, str]] = []
    for key in list(dependencies.keys()):
        item = dependencies[key]
        if key in plan.stays:
            above, trailing = [], ""
            if isinstance(item, (InlineTable, Table)):
                for pep508_key in PEP508_KEYS:
                    if pep508_key in item:
                        del item[pep508_key]
        elif key.lower() == "python":
            continue  # kept: Poetry 2 reads it as the locking range
        else:
            _, above, trailing_pair = _take(dependencies, key)
            trailing = trailing_pair[1] if trailing_pair else ""
        for number, text in enumerate(plan.required.get(key, [])):
            lines.append((above if number == 0 else [], text, trailing if number == 0 else ""))
    return lines


def move_requires_python(dependencies: Any, project: Any, plan: DependencyPlan) -> list[str]:
    if plan.requires_python is None or "python" not in dependencies:
        return []
    _, above, trailing = _take(dependencies, "python")
    if plan.requires_python == "":
        return [
            'python = "*" dropped from [tool.poetry.dependencies]: it allows any Python (no requires-python)'
        ]
    if "requires-python" in project:
        return []
    _put(project, "requires-python", plan.requires_python, above, trailing)
    return [f'requires-python = "{plan.requires_python}" (was python in [tool.poetry.dependencies])']


def move_dependencies(tool_poetry: Any, project: Any, plan: DependencyPlan, always: bool) -> list[str]:
    """[tool.poetry.dependencies] -> [project].dependencies, comments included; what only
    Poetry understands (path, git, url, source, develop) stays behind. An empty list is written
    only into a new [project] (`always`), as the template does."""
    dependencies = tool_poetry["dependencies"]
    lines = _dependency_lines(dependencies, plan)
    above_table: list[str] = []
    if not list(dependencies.keys()):
        above_table = _header_comments(tool_poetry, "dependencies")
        _drop_table(tool_poetry, "dependencies")
    if not (lines or always):
        return []
    _put(project, "dependencies", _array_with_comments(lines) if lines else tomlkit.array(), above_table)
    kept = (
        f" (Poetry keeps the path/git/url/source details of {', '.join(sorted(plan.stays))} in"
        " [tool.poetry.dependencies])"
        if plan.stays
        else ""
    )
    if not lines:  # only python (now requires-python): the empty list the template writes too
        return [
            "dependencies: none besides python; [project].dependencies is an empty list, as the template writes it"
        ]
    return [
        f"dependencies: {len(lines)} moved from [tool.poetry.dependencies] to [project].dependencies as PEP 508{kept}"
    ]


def move_extras(tool_poetry: Any, project: Any, plan: DependencyPlan) -> list[str]:
    """[tool.poetry.extras] -> [project.optional-dependencies], with the comments above it."""
    if not plan.extras:
        return []
    table = tomlkit.table()
    for extra, requirements in plan.extras.items():
        table[extra] = _single_line_or_multiline(requirements)
    _put_table(project, "optional-dependencies", table, _header_comments(tool_poetry, "extras"))
    _drop_table(tool_poetry, "extras")
    return [f"extras {', '.join(plan.extras)} moved to [project.optional-dependencies]"]


# --- [tool.poetry.dev-dependencies] -> the dev group ------------------------------------------


def _dev_group(tool_poetry: Any) -> Any:
    return tool_poetry.get("group", {}).get("dev", {}).get("dependencies")


def check_dev_dependencies(tool_poetry: Any) -> None:
    old, target = tool_poetry.get("dev-dependencies"), _dev_group(tool_poetry)
    if old is None or target is None:
        return
    for key in old:
        if key in target and _plain(target[key]) != _plain(old[key]):
            raise UnsafeEdit(
                f"pyproject.toml: '{key}' differs between [tool.poetry.dev-dependencies] and"
                " [tool.poetry.group.dev.dependencies]; keep the one you mean in the group and run again."
            )


def _new_dev_group(tool_poetry: Any, comments: list[str]) -> Any:
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
    return target


def move_dev_dependencies(tool_poetry: Any) -> list[str]:
    """Poetry 1.0's [tool.poetry.dev-dependencies] -> [tool.poetry.group.dev.dependencies],
    which Poetry 2 warns about (and `poetry check --strict` fails on)."""
    if "dev-dependencies" not in tool_poetry:
        return []
    comments = _header_comments(tool_poetry, "dev-dependencies")
    old = tool_poetry["dev-dependencies"]
    target = _dev_group(tool_poetry)
    moved = [(key, *_take(old, key)) for key in list(old.keys())]
    _drop_table(tool_poetry, "dev-dependencies")
    if target is None:
        target = _new_dev_group(tool_poetry, comments)
    for key, value, above, trailing in moved:
        if key not in target:
            _put(target, key, value, above, trailing)
    _end_with_blank_line(target)
    return ["[tool.poetry.dev-dependencies] became [tool.poetry.group.dev.dependencies]"]
