"""Template changes reach the files a package owns item by item, and never conflict.

Each case is a three-way merge: the file as the old template version rendered it (base), as the
new version renders it (new), and the package's own (current). Every merge is run twice: the
second run must change nothing.
"""

from __future__ import annotations

import tomlkit

from python_package_template.template_changes import Merge, merge_pyproject, merge_readme

BASE_PYPROJECT = """\
[project]
name = "lookup-client"
dependencies = []

[tool.poetry.group.dev.dependencies]
pytest = ">=8"

[tool.ruff]
line-length = 99

[tool.ruff.lint]
select = ["E", "F"]

[build-system]
requires = ["poetry-core>=2.0.0,<3.0.0"]
"""

NEW_PYPROJECT = """\
[project]
name = "lookup-client"
dependencies = []

[dependency-groups]
dev = ["pytest>=8", "mypy>=1.10"]

[tool.poetry.group.dev.dependencies]
pytest = ">=8"
mypy = ">=1.10"

[tool.ruff]
line-length = 100

[tool.ruff.lint]
select = ["E", "F", "B", "UP"]

[tool.mypy]
strict = true

[build-system]
requires = ["poetry-core>=2.0.0,<3.0.0"]
"""

# The package's own: dependencies, a tool table between the template's, comments, its own
# choice of line length.
CURRENT_PYPROJECT = """\
[project]
name = "lookup-client"
dependencies = [
    "requests>=2.31",  # the HTTP client
]

[tool.poetry.group.dev.dependencies]
pytest = ">=8"  # the test runner
respx = "*"

[tool.poe.tasks.lint]
cmd = "ruff check"

[tool.ruff]
line-length = 120  # we like long lines

[tool.ruff.lint]
select = ["E", "F", "SIM"]

[build-system]
requires = ["poetry-core>=2.0.0,<3.0.0"]
"""


def merged_twice(merge_function, current: str, base: str, new: str) -> Merge:
    first = merge_function(current, base, new)
    second = merge_function(first.text, base, new)
    assert second.text == first.text and second.changes == [], "a second run changed something"
    return first


def lines(text: str) -> set[str]:
    return {line for line in text.splitlines() if line.strip()}


def test_pyproject_gets_what_the_template_added_and_keeps_the_packages_own_choices():
    merge = merged_twice(merge_pyproject, CURRENT_PYPROJECT, BASE_PYPROJECT, NEW_PYPROJECT)
    doc = tomlkit.parse(merge.text)
    # The new development dependency goes into the dev group in the package's own form.
    assert doc["tool"]["poetry"]["group"]["dev"]["dependencies"]["mypy"] == ">=1.10"
    assert "dependency-groups" not in doc
    assert doc["tool"]["mypy"]["strict"] is True
    assert doc["tool"]["ruff"]["lint"]["select"] == ["E", "F", "SIM", "B", "UP"]
    # The maintainers' line length stays, and the note says what the template has now.
    assert doc["tool"]["ruff"]["line-length"] == 120
    assert merge.kept == ["pyproject.toml: [tool.ruff] line-length: kept 120; the template now has 100"]
    # Every other line the maintainers wrote is still there, comments included.
    assert lines(CURRENT_PYPROJECT) - {'select = ["E", "F", "SIM"]'} <= lines(merge.text)


def test_pyproject_takes_a_changed_setting_where_the_package_kept_the_old_one():
    current = CURRENT_PYPROJECT.replace("line-length = 120  # we like long lines", "line-length = 99")
    merge = merged_twice(merge_pyproject, current, BASE_PYPROJECT, NEW_PYPROJECT)
    assert tomlkit.parse(merge.text)["tool"]["ruff"]["line-length"] == 100
    assert "pyproject.toml: [tool.ruff] line-length: set to 100" in merge.changes


def test_pyproject_dependency_bound_changed_by_the_template_replaces_the_old_entry_only():
    base = '[dependency-groups]\ndev = ["pytest>=8", "ruff>=0.5"]\n'
    new = '[dependency-groups]\ndev = ["pytest>=9", "ruff>=0.6"]\n'
    current = '[dependency-groups]\ndev = ["pytest>=8", "ruff>=0.5.7", "hypothesis"]\n'
    merge = merged_twice(merge_pyproject, current, base, new)
    assert tomlkit.parse(merge.text)["dependency-groups"]["dev"] == ["pytest>=9", "ruff>=0.5.7", "hypothesis"]
    assert merge.kept == [
        "pyproject.toml: [dependency-groups] dev: kept ruff>=0.5.7; the template now has ruff>=0.6"
    ]


def test_pyproject_removes_what_the_template_dropped_only_where_the_package_left_it_alone():
    base = '[tool.poetry.group.dev.dependencies]\npytest = ">=8"\npre-commit = ">=4"\n'
    new = '[dependency-groups]\ndev = ["pytest>=9"]\n'  # the standard form, and a new bound
    current = '[tool.poetry.group.dev.dependencies]\npytest = ">=8.2"\npre-commit = ">=4"\n'
    merge = merged_twice(merge_pyproject, current, base, new)
    doc = tomlkit.parse(merge.text)
    assert doc["tool"]["poetry"]["group"]["dev"]["dependencies"] == {"pytest": ">=8.2"}
    assert merge.changes == [
        "pyproject.toml: [tool.poetry.group.dev.dependencies]: removed pre-commit>=4 (the template no longer has it)"
    ]
    assert merge.kept == [
        "pyproject.toml: [tool.poetry.group.dev.dependencies]: kept pytest>=8.2; the template now has pytest>=9"
    ]


def test_pyproject_keys_the_package_removed_stay_removed():
    current = CURRENT_PYPROJECT.replace("[tool.ruff]\nline-length = 120  # we like long lines\n\n", "")
    merge = merged_twice(merge_pyproject, current, BASE_PYPROJECT, NEW_PYPROJECT)
    assert "line-length" not in tomlkit.parse(merge.text)["tool"]["ruff"]
    assert "pyproject.toml: [tool.ruff] line-length: left out, as the package removed it" in merge.kept


BASE_README = """\
# Lookup Client

A client for the Lookup API.

## What it does

Lookup Client is a Python package that ... (describe what it does).

## Installation

```console
pip install lookup-client
```

It supports Python 3.11 and newer.

## Development

Run the tests with `poetry run pytest`.

## Licence

MIT.
"""

NEW_README = (
    BASE_README.replace("and newer.", "or any newer Python.")
    .replace("## Licence", "## Getting help\n\nAsk in the team's channel.\n\n## Licence")
    .replace("Run the tests", "Install the hooks with `poetry run pre-commit install`.\n\nRun the tests")
)


def test_readme_sections_the_package_left_alone_get_the_template_wording():
    current = BASE_README.replace(
        "Lookup Client is a Python package that ... (describe what it does).",
        "Lookup Client finds people and groups in the University's Lookup directory.",
    )
    merge = merged_twice(merge_readme, current, BASE_README, NEW_README)
    assert merge.text == NEW_README.replace(
        "Lookup Client is a Python package that ... (describe what it does).",
        "Lookup Client finds people and groups in the University's Lookup directory.",
    )
    assert merge.kept == []
    assert merge.changes == [
        "README.md: brought the section 'Installation' up to date with the template",
        "README.md: brought the section 'Development' up to date with the template",
        "README.md: added the section 'Getting help'",
    ]


def test_readme_edits_to_other_lines_of_a_changed_section_merge_line_by_line():
    current = BASE_README.replace("```console\npip install", "```console\npython -m pip install")
    merge = merged_twice(merge_readme, current, BASE_README, NEW_README)
    assert "python -m pip install lookup-client" in merge.text
    assert "It supports Python 3.11 or any newer Python." in merge.text


def test_a_fully_rewritten_readme_keeps_every_line_and_gets_new_sections_only():
    current = """\
The Lookup client
=================

Finds people.  See the [docs](https://docs.example.org).

## Install

Use pip: `pip install lookup-client` (Python 3.11 and newer).

## Licence

MIT, see LICENSE.txt.
"""
    merge = merged_twice(merge_readme, current, BASE_README, NEW_README)
    assert lines(current) <= lines(merge.text)
    assert "## Getting help\n\nAsk in the team's channel.\n\n## Licence" in merge.text
    assert merge.changes == ["README.md: added the section 'Getting help'"]
    assert all("<<<<<<<" not in line for line in merge.text.splitlines())


def test_a_section_both_sides_changed_on_the_same_line_is_kept_and_said():
    current = BASE_README.replace(
        "It supports Python 3.11 and newer.", "Python 3.11 and newer, CPython only."
    )
    merge = merged_twice(merge_readme, current, BASE_README, NEW_README)
    assert "Python 3.11 and newer, CPython only." in merge.text and "any newer Python" not in merge.text
    assert merge.kept == [
        "README.md: kept the package's own section 'Installation'; the template's wording of it changed"
    ]
