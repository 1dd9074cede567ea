"""How the Poetry tables sit in pyproject.toml: brought together when split by others, and
[build-system] raised to a poetry-core that reads [project]."""

from __future__ import annotations

import re
from typing import Any

import tomlkit
from tomlkit.container import OutOfOrderTableProxy

from python_package_template.yaml_edits import UnsafeEdit


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


def modern_build_system(doc: Any) -> list[str]:
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


_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")


def _is_poetry_header(name: str | None) -> bool:
    parts = [p.strip().strip("\"'") for p in (name or "").split(".")]
    return parts[:2] == ["tool", "poetry"]


def regroup_poetry_tables(doc: tomlkit.TOMLDocument) -> list[str]:
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
