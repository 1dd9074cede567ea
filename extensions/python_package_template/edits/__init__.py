"""Structural edits of a package's own files: the rules migrations and onboarding apply.

One module per rule, each planning first and then applying, and each idempotent: run on a file
that is already right, a rule changes nothing and reports nothing. Each returns a list of
human-readable descriptions of what it changed (empty when nothing was needed).

- `metadata`: Poetry 1's [tool.poetry] metadata moves to PEP 621 [project];
- `dependencies`: its dependencies, `python` and extras, converted by poetry-core;
- `poetry_tables`: split [tool.poetry*] tables brought together, [build-system] on poetry-core 2;
- `licence`: an MIT licence file is LICENSE.txt, and the metadata says MIT (PEP 639);
- `readme`: pyproject.toml names the README;
- the CI ref and the answers file: `yaml_edits` (re-exported here), which needs no tomlkit, so
  that the migration before an update can run without it;
- `_toml`: the comment-preserving layer on tomlkit they are written in.

A rule that cannot decide safely raises `UnsafeEdit` *before* changing anything, with a message
that says what is wrong and what to do about it.

This package runs with Copier's own interpreter during `copier update` (see
extensions/migrate.py), so it needs only the standard library, tomlkit, PyYAML and packaging
(the last two come with Copier); poetry-core is imported only when there are Poetry 1
dependencies to convert.
"""

from __future__ import annotations

from python_package_template.text_form import has_conflict_markers
from python_package_template.yaml_edits import (
    UnsafeEdit,
    add_ci_include,
    raise_answer_tag,
    set_ci_include_ref,
)

# Private helpers that onboard.py and pyproject_merge.py use too.
from ._toml import _plain  # noqa: F401
from .licence import (  # noqa: F401
    _git,
    _git_tracked,
    ensure_mit_license_metadata,
    is_mit_license,
    rename_license_to_txt,
)
from .metadata import poetry1_to_pep621
from .readme import ensure_readme_field

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
