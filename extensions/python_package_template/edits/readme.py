"""The readme rule: pyproject.toml names the README, so that PyPI shows it."""

from __future__ import annotations

import tomlkit

from ._toml import _insert_after, _plain


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
