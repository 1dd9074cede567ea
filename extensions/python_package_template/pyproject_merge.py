"""Merge the template's pyproject.toml into a package's own, structurally, with tomlkit.

What the package has always wins: its dependencies, tool tables, comments, values and build
backend stay. It gains only what the rules ask and what can be derived: the readme field, an
MIT package's PEP 639 licence metadata (where its backend writes it), project URLs from its git
remote (in the host's own path scheme), and, on Poetry, the dev tools; the tool tables for
pytest and ruff when it configures neither. No classifier is added or dropped: a Poetry 1
package's generated ones are written out as it published them. Onboarding proves the result
(see `proof`).

The rules shared with `copier update` migrations (Poetry 1 metadata -> [project], readme field,
MIT licence metadata) are in `edits`; the rules here are for onboarding only. Each function is
idempotent: on a file that is already right it changes and reports nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import tomlkit
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from tomlkit.items import AoT, Table, Whitespace

from . import devgroup, edits
from .edits import _plain
from .template_changes import GROUPS

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


def keep_published_classifiers(doc: Any, published: list[str], *, licence_is_mit: bool) -> list[str]:
    """[project].classifiers as the package publishes them: Poetry 1 adds the Python version
    (and licence) classifiers to what [tool.poetry] lists, and poetry-core 2 does not for a
    static [project] list, so the ones the old build published are written out. No classifier
    is added that the package did not publish (nor dropped, except the licence classifiers
    that PEP 639's `license` replaces)."""
    project = doc.get("project")
    if project is None or "classifiers" in _dynamic(doc) or _backend(doc) != POETRY_BACKEND:
        return []
    written = [str(c) for c in project.get("classifiers", [])]
    missing = [
        c
        for c in dict.fromkeys(published)
        if c not in written and not (licence_is_mit and c.startswith("License ::"))
    ]
    if not missing:
        return []
    if "classifiers" not in project:
        array = tomlkit.array()
        array.multiline(True)
        _add(project, "classifiers", array)
    classifiers = project["classifiers"]
    for classifier in missing:
        classifiers.append(classifier)
    classifiers.multiline(True)
    return [
        f"pyproject.toml: wrote out the classifiers Poetry 1 added by itself, as PyPI shows them: {'; '.join(missing)}"
    ]


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


def remote_urls(host: str, project_path: str, branch: str = "main") -> dict[str, str]:
    """The project URLs a git remote gives, in the host's own path scheme: GitLab's
    (`/-/issues`) for GitLab hosts, GitHub's (`/issues`) for github.com; none for hosts whose
    scheme is not known."""
    base = f"https://{host}/{project_path}"
    if host == "github.com":
        return {
            "Homepage": base,
            "Repository": base,
            "Issues": f"{base}/issues",
            "Changelog": f"{base}/blob/{branch}/CHANGELOG.md",
        }
    if host.startswith("gitlab.") or ".gitlab." in host or host == "gitlab.com":
        return {
            "Homepage": base,
            "Repository": base,
            "Issues": f"{base}/-/issues",
            "Changelog": f"{base}/-/blob/{branch}/CHANGELOG.md",
        }
    return {}


def merge_urls(doc: Any, wanted: dict[str, str], *, has_changelog: bool) -> tuple[list[str], list[str]]:
    """Add the URLs of `wanted` whose kind (PEP 753 labels) the package has none of.
    Returns (changes, the URLs added)."""
    project = doc.get("project")
    if project is None or "urls" in _dynamic(doc) or not wanted:
        return [], []
    have = {_url_kind(str(label)) for label in project.get("urls", {})}
    missing = [
        label for label in wanted if _url_kind(label) not in have and (label != "Changelog" or has_changelog)
    ]
    if not missing:
        return [], []
    if "urls" not in project:
        project["urls"] = _new_table({})
    for label in missing:
        _add(project["urls"], label, wanted[label])
    added = [f"{label} = {wanted[label]}" for label in missing]
    return [f"pyproject.toml: added the project URLs {', '.join(added)} (from the git remote)"], [
        wanted[label] for label in missing
    ]


def _backend(doc: Any) -> str:
    return str(doc.get("build-system", {}).get("build-backend", ""))


# The first version of each backend that writes PEP 639 licence metadata (License-Expression
# from `license = "MIT"`, License-File from `license-files`).
PEP639_BACKENDS = {
    "poetry-core": ("poetry.core.masonry.api", "2.0.0"),
    "setuptools": ("setuptools.build_meta", "77.0.0"),
    "hatchling": ("hatchling.build", "1.27.0"),
    "flit-core": ("flit_core.buildapi", "3.12.0"),
    "pdm-backend": ("pdm.backend", "2.4.0"),
}


def why_no_pep639(doc: Any) -> str:
    """Why the package's backend, as its [build-system] pins it, cannot write PEP 639 licence
    metadata ("" when it can: the newest version the pin allows is new enough)."""
    backend = _backend(doc) or "setuptools.build_meta:__legacy__"
    requires = [str(r) for r in doc.get("build-system", {}).get("requires", [])]
    for name, (module, first) in PEP639_BACKENDS.items():
        if not backend.startswith(module.rsplit(".", 1)[0]):
            continue
        for text in requires:
            try:
                requirement = Requirement(text)
            except InvalidRequirement:
                continue
            if canonicalize_name(requirement.name) != name:
                continue
            major, minor, *_ = (int(p) for p in first.split("."))
            newer = [first, f"{major}.{minor + 1}", f"{major}.{minor + 20}"]
            newer += [f"{major + n}.0" for n in range(1, 30)]
            if not any(requirement.specifier.contains(v, prereleases=True) for v in newer):
                return (
                    f"[build-system] requires {text}, which predates PEP 639 licence metadata"
                    f" ({name} {first} or newer writes it)"
                )
            return ""
        return ""
    return f"the build backend {backend} is not one known to write PEP 639 licence metadata"


def kept_backend_note(doc: Any) -> list[str]:
    """Onboarding never moves a package to another build backend: what it builds would change."""
    backend = _backend(doc)
    if backend == POETRY_BACKEND or not backend and not doc.get("build-system"):
        return []
    names = {
        "setuptools": "setuptools",
        "hatchling": "hatchling",
        "flit_core": "flit",
        "pdm": "pdm-backend",
        "maturin": "maturin",
    }
    name = next((n for prefix, n in names.items() if backend.startswith(prefix)), backend or "setuptools")
    return [
        f"kept {name}: the build backend stays as it is (poetry-core would build a different wheel), so"
        " Poetry's dev group and packages are not added"
    ]


def _dependency_names(doc: Any) -> set[str]:
    return {name for name, _ in devgroup.declared_requirements(doc)}


def add_dev_dependencies(doc: Any, render: Any, own_site: bool = False) -> list[str]:
    """The template's development tools (pytest, ruff, mypy, ...) in the dev group, in the form
    the package keeps it (see devgroup), unless the package already depends on them somewhere:
    the tool tables added beside them need them. The documentation site's tools likewise, in a
    `docs` group, when the template renders one (docs: mkdocs) and the package has no
    documentation site of its own (`own_site`: a mkdocs.yml, kept as it is)."""
    if _backend(doc) != POETRY_BACKEND:
        return []
    changes = []
    for name in GROUPS:
        if own_site and name == "docs":
            continue
        wanted = devgroup.requirements(_plain(render), name)
        have = _dependency_names(doc)
        missing = {key: requirement for key, requirement in wanted.items() if requirement and key not in have}
        if not missing:
            continue
        group = devgroup.Group(doc, name)
        for requirement in missing.values():
            group.set(requirement)
        changes.append(
            f"pyproject.toml: added {', '.join(missing.values())} to {group.where} (the template's tools)"
        )
    return changes


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
    published_classifiers: Callable[[], list[str]],
    urls: dict[str, str],
    has_changelog: bool,
) -> tuple[str, list[str], list[str], list[str], list[str]]:
    """The package's pyproject.toml text merged with the template's render: (text, changes,
    conflicts, notes, URLs added); `published_classifiers()` gives the classifiers of the
    package's wheel as it is (built only when needed). A rule that cannot decide safely leaves
    its part alone and says why. Nothing here changes what PyPI shows but the readme field, an
    MIT package's licence metadata and URLs from the git remote."""
    doc = tomlkit.parse(text)
    render = tomlkit.parse(render_text)
    changes: list[str] = []
    conflicts: list[str] = []
    notes: list[str] = []
    try:
        moved = edits.poetry1_to_pep621(doc)
        changes += moved
    except edits.UnsafeEdit as error:
        # Everything else assumes [project]: leave the file as it is, say what to fix.
        return text, [], [str(error)], [], []
    if readme:
        changes += edits.ensure_readme_field(doc, readme=readme)
    if licence_is_mit:
        reason = why_no_pep639(doc)
        if reason:
            notes.append(
                f"pyproject.toml: the licence metadata is left as it is: {reason}. Raise that pin, then"
                ' set license = "MIT" and license-files = ["LICENSE.txt"].'
            )
        else:
            try:
                changes += edits.ensure_mit_license_metadata(doc, license_file="LICENSE.txt")
            except edits.UnsafeEdit as error:
                conflicts.append(str(error))
    if moved:  # Poetry 1 generated classifiers that poetry-core 2 would not, or others
        written_out = keep_published_classifiers(doc, published_classifiers(), licence_is_mit=licence_is_mit)
        if written_out:  # then there is nothing left for the maintainers to list
            changes = [c for c in changes if "Poetry no longer adds the Python version classifiers" not in c]
        changes += written_out
    url_changes, added_urls = merge_urls(doc, urls, has_changelog=has_changelog)
    changes += url_changes
    notes += kept_backend_note(doc)
    changes += add_dev_dependencies(doc, render, own_site=(path / "mkdocs.yml").is_file())
    changes += add_tool_tables(doc, render, path)
    new_text = tomlkit.dumps(doc)
    if new_text == text:
        return text, changes, conflicts, notes, added_urls
    return new_text.rstrip("\n") + "\n", changes, conflicts, notes, added_urls
