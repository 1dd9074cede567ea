"""Poetry 1 -> PEP 621 keeps what the wheel says its dependencies are, by poetry-core's own word.

Every dependency form poetry-core accepts in a Poetry 1 [tool.poetry.dependencies] goes through
`poetry1_to_pep621`; poetry-core then reads the package before (the Poetry 1 table) and after
(the converted [project]) as its build does, and the Requires-Dist, Requires-Python and
Provides-Extra it would write must be the same, as pip reads them. A form poetry-core writes as
something PEP 508 cannot read is refused with what to do, and the file is left as it was.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import tomlkit

from python_package_template.edits import UnsafeEdit, poetry1_to_pep621
from python_package_template.proof import requirement_lines

HEAD = """\
[tool.poetry]
name = "django-lookup"
version = "1.0.0"
description = "A Django app."
authors = ["UIS DevOps <devops@example.org>"]
"""


def published(root: Path, pyproject: str) -> dict:
    """What poetry-core writes into the wheel's METADATA for this pyproject.toml: the
    dependencies, the Python it requires and the extras. Requires-Dist is compared as the
    wheel proof compares it, as pip reads it: poetry-core writes ">=1.2,<2.0,!=1.5" from Poetry 1
    and ">=1.2,!=1.5,<2.0" from [project], and one line for two extras from Poetry 1 but one
    line per extra from [project.optional-dependencies]."""
    from poetry.core.factory import Factory
    from poetry.core.masonry.metadata import Metadata

    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    (root / "django_lookup").mkdir(exist_ok=True)
    (root / "django_lookup" / "__init__.py").write_text("", encoding="utf-8")
    metadata = Metadata.from_package(Factory().create_poetry(root).package)
    return {
        "Requires-Dist": requirement_lines(metadata.requires_dist),
        "Requires-Python": metadata.requires_python,
        "Provides-Extra": sorted(metadata.provides_extra),
    }


def converted(pyproject: str) -> str:
    doc = tomlkit.parse(pyproject)
    poetry1_to_pep621(doc)
    text = doc.as_string()
    again = tomlkit.parse(text)
    assert poetry1_to_pep621(again) == [] and again.as_string() == text, "a second run changes nothing"
    return text


def assert_published_the_same(tmp_path: Path, dependencies: str, extras: str = "") -> str:
    poetry1 = HEAD + "\n[tool.poetry.dependencies]\n" + textwrap.dedent(dependencies) + extras
    before = published(tmp_path / "before", poetry1)
    after_text = converted(poetry1)
    assert "[project]" in after_text
    assert published(tmp_path / "after", after_text) == before, after_text
    return after_text


# Each constraint form poetry-core reads (caret, tilde, wildcard, ranges, exclusions, exact,
# unions PEP 440 can say) and each python restriction the team's libraries use.
CONSTRAINTS = [
    "^1.2.3",
    "^1.2",
    "^1",
    "^0.2.3",
    "^0.0.3",
    "^2.0.0b1",
    "~1.2.3",
    "~1.2",
    "~1",
    "~=1.4",
    "~=1.4.2",
    "1.2.*",
    "==1.*",
    "*",
    ">=1.2,<2",
    ">=1.2 <2",
    ">=1.2, <2.0, !=1.5",
    "^1.2,!=1.4.1",
    "!=1.5",
    "!=1.5.*",
    "1.2.3",
    "==1.2.3",
    "=1.2.3",
    ">1.2",
    "<=1.2",
    "1.0.0rc1",
    ">=2.0.0.post1",
]

PYTHON_RESTRICTIONS = [
    ">3.12",
    "<3.11",
    "~3.10",
    "^3.9",
    ">=3.8,<3.12",
    "3.10.*",
    "!=3.9.*",
    ">=3.9.2",
    "<3.9 || >=3.11",
]


@pytest.mark.parametrize("constraint", CONSTRAINTS)
def test_each_constraint_form_publishes_the_same_requirement(tmp_path, constraint):
    assert_published_the_same(tmp_path, f'python = "^3.9"\npkg = "{constraint}"\n')


@pytest.mark.parametrize("python", PYTHON_RESTRICTIONS)
def test_each_python_restriction_publishes_the_same_marker(tmp_path, python):
    assert_published_the_same(
        tmp_path, f'python = "^3.9"\nlegacy-cgi = {{ version = "^2.6.0", python = "{python}" }}\n'
    )


@pytest.mark.parametrize("python", ["^3.9", ">=3.8", "~3.10", ">=3.9,<4", ">=3.9.1,<3.13", "3.11.*", ">3.9"])
def test_the_python_requirement_publishes_the_same_requires_python(tmp_path, python):
    text = assert_published_the_same(tmp_path, f'python = "{python}"\nrequests = "^2.31"\n')
    assert "requires-python" in tomlkit.parse(text)["project"]


def test_python_any_publishes_no_requires_python_as_before(tmp_path):
    text = assert_published_the_same(tmp_path, 'python = "*"\nrequests = "^2.31"\n')
    assert "requires-python" not in tomlkit.parse(text)["project"]


def test_the_django_library_with_python_restricted_dependencies_is_published_the_same(tmp_path):
    text = assert_published_the_same(
        tmp_path,
        """\
        python = "^3.9"
        django = ">=4.2,<6"
        legacy-cgi = { version = "^2.6.0", python = ">3.12" }
        backports-zoneinfo = { version = "^0.2.1", python = "<3.9" }
        exceptiongroup = { version = "^1.2", python = "<3.11" }
        tomli = { version = "^2.0", python = "~3.10" }
        typing-extensions = { version = "^4.7", python = "^3.9" }
        """,
    )
    project = tomlkit.parse(text)["project"]
    assert 'legacy-cgi>=2.6.0,<3.0.0; python_full_version > "3.12.0"' in project["dependencies"]
    assert project["requires-python"] == ">=3.9,<4.0"


@pytest.mark.parametrize(
    "spec",
    [
        '{ version = "*", platform = "linux" }',
        '{ version = "^306", platform = "win32" }',
        '{ version = ">=1", platform = "linux || darwin" }',
        '{ version = ">=1", markers = "os_name == \'nt\'" }',
        "{ version = \">=1\", markers = \"implementation_name == 'cpython' and platform_machine == 'x86_64'\" }",
        '{ version = ">=1", markers = "os_name == \'nt\' or os_name == \'posix\'", python = "<3.11" }',
        '{ version = ">=1", markers = "sys_platform == \'linux\'", platform = "linux", python = ">=3.10" }',
        '{ version = "^2.31", extras = ["socks", "security"] }',
        '{ version = "^2.31", extras = ["socks"], python = ">=3.10" }',
        '{ version = "^1.0", allow-prereleases = true }',
        '{ version = "^1.0", source = "internal" }',
    ],
)
def test_platform_markers_and_extras_publish_the_same(tmp_path, spec):
    assert_published_the_same(tmp_path, f'python = "^3.9"\npkg = {spec}\n')


def test_multiple_constraint_dependencies_publish_the_same(tmp_path):
    assert_published_the_same(
        tmp_path,
        """\
        python = "^3.9"
        numpy = [
            { version = "<2", python = "<3.10" },
            { version = "^2.1", python = ">=3.10", platform = "linux" },
            { version = "^2.1", python = ">=3.10", markers = "sys_platform != 'linux'" },
        ]
        """,
    )


def test_optional_dependencies_and_their_extras_publish_the_same(tmp_path):
    text = assert_published_the_same(
        tmp_path,
        """\
        python = "^3.9"
        psycopg = { version = "^3.1", optional = true, extras = ["binary"] }
        mysqlclient = { version = "^2.2", optional = true, python = ">=3.10" }
        redis = { version = "^5", optional = true, markers = "sys_platform != 'win32'" }
        """,
        '\n[tool.poetry.extras]\npostgres = ["psycopg"]\nmysql = ["mysqlclient"]\ncache = ["redis"]\n',
    )
    assert tomlkit.parse(text)["project"]["optional-dependencies"]["postgres"] == [
        "psycopg[binary]>=3.1,<4.0"
    ]


@pytest.mark.parametrize(
    "spec",
    [
        '{ git = "https://gitlab.example.org/uis/ucamlookup.git", tag = "v3.0.0" }',
        '{ git = "https://gitlab.example.org/uis/ucamlookup.git", branch = "main", python = ">=3.10" }',
        '{ git = "https://gitlab.example.org/uis/ucamlookup.git", rev = "0123abc", extras = ["ldap"] }',
        '{ url = "https://files.example.org/ucamlookup-3.0.0-py3-none-any.whl" }',
    ],
)
def test_git_and_url_dependencies_publish_the_same(tmp_path, spec):
    text = assert_published_the_same(tmp_path, f'python = "^3.9"\nucamlookup = {spec}\n')
    assert "ucamlookup" in tomlkit.parse(text)["tool"]["poetry"]["dependencies"], "Poetry keeps the details"


@pytest.mark.parametrize(
    ("constraint", "says"),
    [
        ("^1 || ^3", "either/or ('||') of ranges cannot be written in PEP 508"),
        ("<1.5 || >1.5", "is not valid PEP 508"),
        ("latest", "poetry-core cannot read the dependency 'pkg'"),
        ("", "poetry-core cannot read the dependency 'pkg'"),
    ],
)
def test_a_form_pep_508_cannot_hold_is_refused_and_nothing_changes(constraint, says):
    text = HEAD + f'\n[tool.poetry.dependencies]\npython = "^3.9"\npkg = "{constraint}"\n'
    doc = tomlkit.parse(text)
    with pytest.raises(UnsafeEdit, match=says.replace("(", r"\(").replace(")", r"\)").replace("|", r"\|")):
        poetry1_to_pep621(doc)
    assert doc.as_string() == text


def test_no_empty_tool_poetry_table_is_left_behind():
    text = converted(
        HEAD
        + '\n[tool.poetry.dependencies]\npython = "^3.9"\n\n[tool.poetry.group.dev.dependencies]\npytest = "^7.4"\n'
    )
    assert "[tool.poetry]\n" not in text, text
    assert "[tool.poetry.group.dev.dependencies]" in text
    assert tomlkit.parse(text)["tool"]["poetry"].unwrap() == {
        "group": {"dev": {"dependencies": {"pytest": "^7.4"}}}
    }


def test_an_optional_dependency_in_two_extras_publishes_the_same(tmp_path):
    assert_published_the_same(
        tmp_path,
        'python = "^3.9"\nredis = { version = "^5", optional = true }\n',
        '\n[tool.poetry.extras]\ncache = ["redis"]\nall = ["redis"]\n',
    )
