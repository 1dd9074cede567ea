"""The files a package owns that the template still renders, and where a template version keeps
its files: what both migration stages need, without importing the merges."""

from __future__ import annotations

import re

# README.md and pyproject.toml: never text-merged; the template's changes arrive structurally.
OWNED_FILES = ("README.md", "pyproject.toml")


def subdirectory(copier_yml: str | None) -> str:
    """The `_subdirectory` a copier.yml renders from ("" for the repository's root)."""
    found = re.search(r"^_subdirectory:\s*[\"']?([^\"'\n#]+?)[\"']?\s*(#.*)?$", copier_yml or "", re.M)
    return found[1].strip() if found else ""
