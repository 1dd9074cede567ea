"""The structural edits that migrations and onboarding apply: each keeps the user's comments and
layout, is a no-op when the file is already right, and refuses (changing nothing) when unsure."""

from __future__ import annotations

import textwrap
import tomllib
from pathlib import Path

import pytest
import tomlkit

from helpers import TEMPLATE_ROOT, git, git_commit_all, git_init, poetry, run
from old_packages import (
    APACHE_LICENSE_START,
    MIT_LICENSE,
    OLD_GITLAB_CI,
    POETRY1_PYPROJECT,
    write_poetry1_package,
)
from python_package_template.edits import (
    UnsafeEdit,
    add_ci_include,
    ensure_mit_license_metadata,
    ensure_readme_field,
    has_conflict_markers,
    is_mit_license,
    poetry1_to_pep621,
    raise_answer_tag,
    rename_license_to_txt,
    set_ci_include_ref,
)

CI_PROJECT = "uis/devops/continuous-delivery/ci-templates"
CI_FILE = "/auto-devops/common-pipeline.yml"


def toml(text: str) -> tomlkit.TOMLDocument:
    return tomlkit.parse(textwrap.dedent(text))


def apply_twice(edit, doc: tomlkit.TOMLDocument, *args) -> list[str]:
    """Run a TOML edit, then again: the second run must change and report nothing."""
    changes = edit(doc, *args)
    after_first = doc.as_string()
    assert edit(doc, *args) == []
    assert doc.as_string() == after_first
    tomlkit.parse(after_first)  # still valid TOML
    return changes


def assert_refuses(edit, doc: tomlkit.TOMLDocument, *args, match: str) -> None:
    before = doc.as_string()
    with pytest.raises(UnsafeEdit, match=match):
        edit(doc, *args)
    assert doc.as_string() == before


# --- Poetry 1 metadata -> [project] -------------------------------------------------------


def migrated_poetry1() -> tuple[tomlkit.TOMLDocument, list[str]]:
    doc = tomlkit.parse(POETRY1_PYPROJECT)
    return doc, apply_twice(poetry1_to_pep621, doc)


def test_poetry1_metadata_moves_to_project_with_the_same_values():
    doc, changes = migrated_poetry1()
    project = doc["project"].unwrap()
    assert project["name"] == "lookup-client"
    assert project["version"] == "1.4.2"
    assert project["description"] == "A client for the Lookup API."
    assert project["readme"] == "README.md"
    assert project["license"] == "MIT"
    assert project["authors"] == [
        {"name": "Ada Lovelace", "email": "ada@example.org"},
        {"name": "Charles Babbage"},
    ]
    assert project["keywords"] == ["lookup", "directory"]
    assert project["requires-python"] == ">=3.11,<4.0"
    assert project["urls"] == {
        "Homepage": "https://gitlab.example.org/uis/lookup-client",
        "Repository": "https://gitlab.example.org/uis/lookup-client.git",
        "Bug Tracker": "https://gitlab.example.org/uis/lookup-client/-/issues",
    }
    assert project["scripts"] == {"lookup": "lookup_client.cli:main"}
    assert changes[0].startswith("pyproject.toml: moved name, version, description")


def test_poetry1_dependencies_become_pep508_with_markers_extras_and_python_restrictions():
    doc, _ = migrated_poetry1()
    assert doc["project"]["dependencies"].unwrap() == [
        "requests>=2.31,<3.0",
        'pywin32>=306; sys_platform == "win32"',
        'tomli>=2.0,<2.1; python_version < "3.11"',
        "internal-lib",
    ]
    assert doc["project"]["optional-dependencies"].unwrap() == {"pretty": ["rich[jupyter]"]}


def test_poetry1_migration_removes_the_old_keys_and_keeps_what_pep621_cannot_say():
    doc, _ = migrated_poetry1()
    tool_poetry = doc["tool"]["poetry"].unwrap()
    assert tool_poetry == {
        "packages": [{"include": "lookup_client", "from": "src"}],
        # Poetry 2 reads path/git/url details next to [project].dependencies.
        "dependencies": {"internal-lib": {"path": "../internal-lib", "develop": True}},
        "group": {"dev": {"dependencies": {"pytest": "^8.0"}}},
    }
    assert doc["tool"]["black"].unwrap() == {"line-length": 99}
    assert doc["build-system"].unwrap() == {
        "requires": ["poetry-core>=2.0.0,<3.0.0"],
        "build-backend": "poetry.core.masonry.api",
    }
    # License classifiers give way to the SPDX `license` (PEP 639).
    assert doc["project"]["classifiers"].unwrap() == [
        "Development Status :: 4 - Beta",
        "Programming Language :: Python :: 3.11",
    ]


def test_poetry1_migration_carries_comments_along():
    doc, _ = migrated_poetry1()
    text = doc.as_string()
    assert text.startswith("# Lookup client: packaging metadata.\n[project]\n")
    assert 'description = "A client for the Lookup API."  # shown on PyPI\n' in text
    assert 'requires-python = ">=3.11,<4.0"  # upstream support\n' in text
    # The path dependency keeps [tool.poetry.dependencies], and its header comment with it.
    assert "# Runtime dependencies.\n[tool.poetry.dependencies]\ninternal-lib = " in text
    assert (
        "dependencies = [\n"
        "    # The HTTP client; below 3 until we have tested it.\n"
        '    "requests>=2.31,<3.0",  # sessions\n'
        "    'pywin32>=306; sys_platform == \"win32\"',  # Windows only\n"
    ) in text
    assert "# The command line.\n[project.scripts]\n" in text
    assert 'pytest = "^8.0"  # the test runner\n' in text
    # Every comment of the original is still there, once.
    for line in POETRY1_PYPROJECT.splitlines():
        if "#" in line:
            comment = line[line.index("#") :]
            assert text.count(comment) == 1, comment


def test_the_comment_above_the_dependencies_table_moves_with_the_dependencies():
    doc = toml("""
        [tool.poetry]
        name = "x"

        # What it needs at run time.
        [tool.poetry.dependencies]
        python = "^3.12"
        attrs = "*"

        [tool.poetry.group.dev.dependencies]
        pytest = "*"
    """)
    apply_twice(poetry1_to_pep621, doc)
    assert '# What it needs at run time.\ndependencies = [\n    "attrs",\n]\n' in doc.as_string()
    assert doc["tool"]["poetry"].unwrap() == {"group": {"dev": {"dependencies": {"pytest": "*"}}}}


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^1.2.3", "pkg>=1.2.3,<2.0.0"),
        ("^1.2", "pkg>=1.2,<2.0"),
        ("^1", "pkg>=1,<2"),
        ("^0.2.3", "pkg>=0.2.3,<0.3.0"),
        ("^0.0.3", "pkg>=0.0.3,<0.0.4"),
        ("^0", "pkg>=0,<1"),
        ("^2.0.0b1", "pkg>=2.0.0b1,<3.0.0"),
        ("~1.2.3", "pkg>=1.2.3,<1.3.0"),
        ("~1.2", "pkg>=1.2,<1.3"),
        ("~1", "pkg>=1,<2"),
        ("~=1.2", "pkg>=1.2,<2.0"),
        ("*", "pkg"),
        ("1.2.3", "pkg==1.2.3"),
        ("==1.2.*", "pkg==1.2.*"),
        ("1.2.*", "pkg==1.2.*"),
        (">=1.2 <2.0", "pkg>=1.2,<2.0"),
        (">=1.2, <2.0, !=1.5", "pkg>=1.2,!=1.5,<2.0"),
        ("^1.2,!=1.4.1", "pkg>=1.2,!=1.4.1,<2.0"),
    ],
)
def test_poetry_constraints_become_pep440(constraint, expected):
    doc = toml(f"""
        [tool.poetry]
        name = "x"
        version = "1.0.0"

        [tool.poetry.dependencies]
        pkg = "{constraint}"
    """)
    apply_twice(poetry1_to_pep621, doc)
    assert doc["project"]["dependencies"].unwrap() == [expected]


def test_multiple_constraint_dependencies_become_one_requirement_each():
    doc = toml("""
        [tool.poetry]
        name = "x"
        version = "1.0.0"

        [tool.poetry.dependencies]
        numpy = [
            { version = "<2", python = "<3.10" },
            { version = "^2.1", python = ">=3.10", platform = "linux" },
        ]
    """)
    apply_twice(poetry1_to_pep621, doc)
    assert doc["project"]["dependencies"].unwrap() == [
        'numpy<2; python_version < "3.10"',
        'numpy>=2.1,<3.0; python_version >= "3.10" and sys_platform == "linux"',
    ]


def test_git_and_source_details_stay_in_tool_poetry():
    doc = toml("""
        [tool.poetry]
        name = "x"
        version = "1.0.0"

        [tool.poetry.dependencies]
        python = ">=3.11"
        ucamlookup = { git = "https://gitlab.example.org/uis/ucamlookup.git", tag = "v3.0.0" }
        private = { version = "^1.0", source = "internal", markers = "os_name == 'posix' or os_name == 'nt'" }
    """)
    apply_twice(poetry1_to_pep621, doc)
    assert doc["project"]["requires-python"] == ">=3.11"
    assert doc["project"]["dependencies"].unwrap() == [
        "ucamlookup @ git+https://gitlab.example.org/uis/ucamlookup.git@v3.0.0",  # as Poetry 1 published it
        'private>=1.0,<2.0; os_name == "posix" or os_name == "nt"',
    ]
    assert doc["tool"]["poetry"]["dependencies"].unwrap() == {
        "ucamlookup": {"git": "https://gitlab.example.org/uis/ucamlookup.git", "tag": "v3.0.0"},
        "private": {"source": "internal"},
    }


def test_a_poetry2_project_is_left_alone():
    text = (TEMPLATE_ROOT / "pyproject.toml").read_text()
    doc = tomlkit.parse(text)
    assert poetry1_to_pep621(doc) == []
    assert doc.as_string() == text


def test_a_poetry2_python_restriction_moves_to_requires_python_only_when_that_is_missing():
    doc = toml("""
        [project]
        name = "x"
        version = "1.0.0"

        [tool.poetry.dependencies]
        python = ">=3.11,<3.14"  # for locking
    """)
    apply_twice(poetry1_to_pep621, doc)
    assert doc["project"].unwrap() == {"name": "x", "version": "1.0.0", "requires-python": ">=3.11,<3.14"}
    text = '[project]\nname = "x"\nrequires-python = ">=3.11"\n\n[tool.poetry.dependencies]\npython = ">=3.11,<3.14"\n'
    doc = tomlkit.parse(text)
    assert poetry1_to_pep621(doc) == []
    assert doc.as_string() == text


def test_tool_poetry_fields_declared_dynamic_stay_where_they_are():
    doc = toml("""
        [project]
        name = "x"
        dynamic = ["version", "classifiers"]

        [tool.poetry]
        version = "1.0.0"
        classifiers = ["Typing :: Typed"]
        description = "Moves."
    """)
    apply_twice(poetry1_to_pep621, doc)
    assert doc["tool"]["poetry"].unwrap() == {"version": "1.0.0", "classifiers": ["Typing :: Typed"]}
    assert doc["project"]["description"] == "Moves."


def test_a_field_already_in_project_with_the_same_value_is_just_removed_from_tool_poetry():
    doc = toml("""
        [project]
        name = "x"

        [tool.poetry]
        name = "x"
        version = "1.0.0"
    """)
    apply_twice(poetry1_to_pep621, doc)
    assert doc.as_string().strip() == '[project]\nname = "x"\nversion = "1.0.0"'  # no empty [tool.poetry]


def test_poetry1_metadata_moves_when_tool_tables_sit_on_both_sides_of_build_system():
    doc = toml("""
        [tool.poetry]
        name = "x"
        version = "1.0.0"

        [tool.poetry.dependencies]
        python = "^3.11"

        [build-system]
        requires = ["poetry-core>=1.0.0"]
        build-backend = "poetry.core.masonry.api"

        [tool.black]
        line-length = 99
    """)
    apply_twice(poetry1_to_pep621, doc)
    assert doc["project"].unwrap() == {
        "name": "x",
        "version": "1.0.0",
        "requires-python": ">=3.11,<4.0",
        "dependencies": [],
    }
    assert doc["tool"].unwrap() == {"black": {"line-length": 99}}


@pytest.mark.parametrize(
    ("pyproject", "message"),
    [
        ('[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\na = "^1 || ^2"\n', "either/or"),
        (
            '[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\na = "latest"\n',
            "cannot read the dependency 'a'",
        ),
        ('[tool.poetry]\nname = "x"\nreadme = ["A.md", "B.md"]\n', "several files"),
        ('[project]\nname = "x"\n[tool.poetry]\nname = "y"\n', "set in both"),
        ('[tool.poetry]\nname = "x"\nlicense = "Proprietary"\n', "SPDX"),
        ('[tool.poetry]\nname = "x"\nauthors = ["<not an email>"]\n', "Name <email"),
        (
            '[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\na = { version = "1", optional = true }\n',
            "no extra",
        ),
        (
            '[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\na = { version = "1", markers = "nonsense ==" }\n',
            "markers",
        ),
        (
            '[tool.poetry]\nname = "x"\n[tool.poetry.dev-dependencies]\na = "1"\n[tool.poetry.group.dev.dependencies]\na = "2"\n',
            "differs",
        ),
    ],
)
def test_poetry1_migration_refuses_what_it_cannot_decide(pyproject, message):
    assert_refuses(poetry1_to_pep621, tomlkit.parse(pyproject), match=message)


@pytest.mark.slow
def test_migrated_poetry1_package_passes_poetry_check_strict_and_builds(tmp_path):
    package = write_poetry1_package(tmp_path / "lookup-client")
    old = poetry("check", "--strict", cwd=package, check=False)
    assert old.returncode != 0 and "deprecated" in old.stdout + old.stderr  # what the migration is for
    doc = tomlkit.parse((package / "pyproject.toml").read_text())
    poetry1_to_pep621(doc)
    (package / "pyproject.toml").write_text(doc.as_string())
    poetry("check", "--strict", cwd=package)
    poetry("build", cwd=package)
    wheel = next((package / "dist").glob("*.whl"))
    metadata = run("unzip", "-p", wheel, "lookup_client-1.4.2.dist-info/METADATA", cwd=package).stdout
    assert (
        "Requires-Dist: requests (>=2.31,<3.0)" in metadata
        or "Requires-Dist: requests<3.0,>=2.31" in metadata
    )
    assert "Provides-Extra: pretty" in metadata
    assert "License-Expression: MIT" in metadata


# --- readme -------------------------------------------------------------------------------


def test_a_missing_readme_field_is_added_after_the_description():
    doc = toml("""
        [project]
        name = "x"
        description = "Does x."  # summary
        version = "1.0.0"
    """)
    assert apply_twice(ensure_readme_field, doc) == [
        'pyproject.toml: added readme = "README.md" to [project], so PyPI shows it'
    ]
    assert 'description = "Does x."  # summary\nreadme = "README.md"\nversion = "1.0.0"\n' in doc.as_string()


@pytest.mark.parametrize(
    "pyproject",
    [
        '[project]\nname = "x"\nreadme = "README.rst"\n',
        '[project]\nname = "x"\ndynamic = ["readme"]\n',
        "[tool.black]\nx = 1\n",
        "",
    ],
)
def test_a_readme_field_is_left_alone_when_present_dynamic_or_not_a_package(pyproject):
    doc = tomlkit.parse(pyproject)
    assert ensure_readme_field(doc) == []
    assert doc.as_string() == pyproject


def test_a_poetry1_package_gets_its_readme_field_in_tool_poetry():
    doc = toml("""
        [tool.poetry]
        name = "x"
    """)
    apply_twice(ensure_readme_field, doc, "README.rst")
    assert doc["tool"]["poetry"]["readme"] == "README.rst"


# --- the MIT licence ------------------------------------------------------------------------


def test_the_template_licence_and_common_variants_are_mit():
    rendered = (TEMPLATE_ROOT / "template" / "LICENSE.txt.jinja").read_text()
    assert is_mit_license(rendered)
    assert is_mit_license(MIT_LICENSE)
    markdown = "# MIT License\n\n**Copyright** (c) 2024 Someone\n\n" + " ".join(
        MIT_LICENSE.split("\n\n", 2)[2].split()
    )
    assert is_mit_license(markdown)


@pytest.mark.parametrize(
    "text",
    [
        APACHE_LICENSE_START,
        "",
        # MIT-0: no condition to keep the notice.
        MIT_LICENSE.replace(
            "The above copyright notice and this permission notice shall be included in all\n"
            "copies or substantial portions of the Software.\n",
            "",
        ),
        # X11: an extra clause about the copyright holders' names.
        MIT_LICENSE
        + "\nExcept as contained in this notice, the name of the X Consortium shall not be used.\n",
        MIT_LICENSE.replace("free of charge", "for a fee"),
    ],
)
def test_other_licences_are_not_mit(text):
    assert not is_mit_license(text)


def test_license_metadata_becomes_mit_spdx_with_license_files():
    doc = toml("""
        [project]
        name = "x"
        license = { text = "MIT" }  # old style
        classifiers = [
            "License :: OSI Approved :: MIT License",
            "Typing :: Typed",
        ]
    """)
    changes = apply_twice(ensure_mit_license_metadata, doc)
    assert doc["project"]["license"] == "MIT"
    assert doc["project"]["license-files"].unwrap() == ["LICENSE.txt"]
    assert doc["project"]["classifiers"].unwrap() == ["Typing :: Typed"]
    assert len(changes) == 3


def test_license_files_naming_the_old_file_follow_the_rename():
    doc = toml("""
        [project]
        name = "x"
        license = "MIT"
        license-files = ["LICENSE", "NOTICE"]
    """)
    apply_twice(ensure_mit_license_metadata, doc)
    assert doc["project"]["license-files"].unwrap() == ["LICENSE.txt", "NOTICE"]


def test_license_metadata_of_a_rendered_package_is_already_right():
    doc = toml("""
        [project]
        name = "x"
        license = "MIT"
        license-files = ["LICENSE.txt"]
    """)
    assert ensure_mit_license_metadata(doc) == []


def test_license_metadata_that_disagrees_with_the_mit_file_is_refused():
    assert_refuses(
        ensure_mit_license_metadata,
        toml('[project]\nname = "x"\nlicense = "Apache-2.0"\n'),
        match="make them agree",
    )


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    git_init(tmp_path)
    git_commit_all(tmp_path, "old package")
    return tmp_path


@pytest.mark.parametrize("old_name", ["LICENSE", "LICENSE.md", "LICENSE.rst"])
def test_an_mit_license_file_is_renamed_to_license_txt_keeping_history(tmp_path, old_name):
    package = _repo(tmp_path, {old_name: MIT_LICENSE})
    assert rename_license_to_txt(package) == [f"{old_name} renamed to LICENSE.txt (git mv, history kept)"]
    assert rename_license_to_txt(package) == []
    assert (package / "LICENSE.txt").read_text() == MIT_LICENSE
    assert git("status", "--porcelain", cwd=package) == f"R  {old_name} -> LICENSE.txt"
    git("commit", "--quiet", "-m", "rename", cwd=package)
    assert "old package" in git("log", "--follow", "--format=%s", "--", "LICENSE.txt", cwd=package)


def test_an_untracked_license_file_is_renamed_without_git(tmp_path):
    (tmp_path / "LICENSE").write_text(MIT_LICENSE)
    assert rename_license_to_txt(tmp_path) == ["LICENSE renamed to LICENSE.txt"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["LICENSE.txt"]


def test_a_duplicate_of_license_txt_is_removed(tmp_path):
    package = _repo(tmp_path, {"LICENSE": MIT_LICENSE, "LICENSE.txt": MIT_LICENSE})
    assert rename_license_to_txt(package) == ["LICENSE removed: LICENSE.txt has the same text"]
    assert not (package / "LICENSE").exists()


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({"LICENSE": APACHE_LICENSE_START}, "not the MIT licence"),
        ({"LICENSE": MIT_LICENSE, "LICENSE.txt": MIT_LICENSE.replace("2019", "2024")}, "different text"),
        ({"LICENSE": MIT_LICENSE, "LICENSE.md": MIT_LICENSE.replace("2019", "2020")}, "different text"),
    ],
)
def test_a_license_rename_that_cannot_be_decided_changes_nothing(tmp_path, files, message):
    package = _repo(tmp_path, files)
    with pytest.raises(UnsafeEdit, match=message):
        rename_license_to_txt(package)
    assert git("status", "--porcelain", cwd=package) == ""
    assert sorted(p.name for p in package.iterdir() if p.name != ".git") == sorted(files)


# --- the CI include -------------------------------------------------------------------------


def set_ref_twice(text: str, ref: str) -> tuple[str, list[str]]:
    new_text, changes = set_ci_include_ref(text, CI_PROJECT, CI_FILE, ref)
    assert set_ci_include_ref(new_text, CI_PROJECT, CI_FILE, ref) == (new_text, [])
    return new_text, changes


def test_an_older_ci_ref_moves_up_and_nothing_else_changes():
    new_text, changes = set_ref_twice(OLD_GITLAB_CI, "v6.0.0")
    assert new_text == OLD_GITLAB_CI.replace("ref: v5.2.0  #", "ref: v6.0.0  #")
    assert changes == [
        f".gitlab-ci.yml: the include of {CI_FILE} from {CI_PROJECT} moved from v5.2.0 to v6.0.0"
    ]


@pytest.mark.parametrize("ref", ["v5.2.0", "v5.1.9", "v4.10.0"])
def test_a_ci_ref_that_is_as_new_or_newer_is_never_downgraded(ref):
    assert set_ci_include_ref(OLD_GITLAB_CI, CI_PROJECT, CI_FILE, ref) == (OLD_GITLAB_CI, [])


@pytest.mark.parametrize("ref_line", ["ref: main", "ref: $CI_TEMPLATES_REF", "", "ref: v5"])
def test_a_ci_ref_that_is_not_a_release_tag_is_left_alone(ref_line):
    text = OLD_GITLAB_CI.replace("ref: v5.2.0  # the common pipeline", ref_line)
    assert set_ci_include_ref(text, CI_PROJECT, CI_FILE, "v6.0.0") == (text, [])


def test_a_single_mapping_include_with_quotes_keeps_its_style():
    text = 'include:\n  project: "uis/devops/continuous-delivery/ci-templates/"\n  file: auto-devops/common-pipeline.yml\n  ref: "v6.0.0"\n'
    new_text, _ = set_ref_twice(text, "v6.10.0")
    assert new_text == text.replace('"v6.0.0"', '"v6.10.0"')


def test_includes_of_other_projects_and_files_are_not_touched():
    text = textwrap.dedent("""\
        include:
          - project: other/group/templates
            file: /auto-devops/common-pipeline.yml
            ref: v1.0.0
          - project: uis/devops/continuous-delivery/ci-templates
            file: [/auto-devops/common-pipeline.yml, /extra.yml]
            ref: v1.0.0
          - project: uis/devops/continuous-delivery/ci-templates
            file: /other.yml
            ref: v1.0.0
    """)
    new_text, changes = set_ref_twice(text, "v6.0.0")
    assert new_text.count("v6.0.0") == 1 and new_text.count("v1.0.0") == 2
    assert "file: [/auto-devops/common-pipeline.yml, /extra.yml]\n    ref: v6.0.0" in new_text


@pytest.mark.parametrize("text", ["", "# no CI yet\n", "include: /ci/local.yml\n", "lint:\n  script: make\n"])
def test_set_ci_ref_without_the_include_changes_nothing(text):
    assert set_ci_include_ref(text, CI_PROJECT, CI_FILE, "v6.0.0") == (text, [])


@pytest.mark.parametrize("edit", [set_ci_include_ref, add_ci_include])
def test_unparsable_ci_yaml_is_refused(edit):
    with pytest.raises(UnsafeEdit, match="not valid YAML"):
        edit("include:\n  - project: [unclosed\n", CI_PROJECT, CI_FILE, "v6.0.0")


def test_ci_yaml_with_conflict_markers_is_recognised():
    assert has_conflict_markers(
        "a: 1\n<<<<<<< before updating\nb: 2\n=======\nb: 3\n>>>>>>> after updating\n"
    )
    assert not has_conflict_markers(OLD_GITLAB_CI)


def add_twice(text: str) -> str:
    new_text, changes = add_ci_include(text, CI_PROJECT, CI_FILE, "v6.0.0")
    assert changes == [f".gitlab-ci.yml: added the include of {CI_FILE} from {CI_PROJECT} at v6.0.0"]
    assert add_ci_include(new_text, CI_PROJECT, CI_FILE, "v6.0.0") == (new_text, [])
    return new_text


ITEM = (
    '  - project: "uis/devops/continuous-delivery/ci-templates"\n'
    '    file: "/auto-devops/common-pipeline.yml"\n'
    "    ref: v6.0.0\n"
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "include:\n" + ITEM),
        ("# CI to come\n", "# CI to come\ninclude:\n" + ITEM),
        (
            "# Our CI.\n\nlint:  # lint it\n  script: make lint\n",
            "# Our CI.\n\ninclude:\n" + ITEM + "\nlint:  # lint it\n  script: make lint\n",
        ),
        (
            "include:\n  - local: /ci/a.yml\n    rules:\n      - if: $X  # only X\n\n# Jobs.\nlint:\n  script: make\n",
            "include:\n  - local: /ci/a.yml\n    rules:\n      - if: $X  # only X\n"
            + ITEM
            + "\n# Jobs.\nlint:\n  script: make\n",
        ),
        (
            "include:\n- /ci/a.yml\nlint:\n  script: make\n",
            "include:\n- /ci/a.yml\n"
            + ITEM.replace("\n  ", "\n").removeprefix("  ")
            + "lint:\n  script: make\n",
        ),
        (
            "include: /ci/local.yml  # local\nlint: {script: make}\n",
            "include:\n  - /ci/local.yml  # local\n" + ITEM + "lint: {script: make}\n",
        ),
        (
            "include:\n  local: /ci/a.yml  # a\nlint: {script: make}\n",
            "include:\n  - local: /ci/a.yml  # a\n" + ITEM + "lint: {script: make}\n",
        ),
        ("include:\nlint: {script: make}\n", "include:\n" + ITEM + "lint: {script: make}\n"),
        (
            "include: [/ci/a.yml]\n",
            'include: [/ci/a.yml, {project: "uis/devops/continuous-delivery/ci-templates",'
            ' file: "/auto-devops/common-pipeline.yml", ref: v6.0.0}]\n',
        ),
        (
            "include: {local: /ci/a.yml}\n",
            'include: [{local: /ci/a.yml}, {project: "uis/devops/continuous-delivery/ci-templates",'
            ' file: "/auto-devops/common-pipeline.yml", ref: v6.0.0}]\n',
        ),
    ],
    ids=[
        "empty",
        "comments-only",
        "no-include",
        "list",
        "list-at-column-0",
        "string",
        "mapping",
        "null",
        "flow-list",
        "flow-mapping",
    ],
)
def test_the_common_pipeline_include_is_added_keeping_everything_else(text, expected):
    assert add_twice(text) == expected


def test_adding_an_include_that_is_there_only_moves_its_ref_up():
    new_text, changes = add_ci_include(OLD_GITLAB_CI, CI_PROJECT, CI_FILE, "v6.0.0")
    assert new_text == OLD_GITLAB_CI.replace("v5.2.0", "v6.0.0")
    assert "moved from v5.2.0" in changes[0]


def test_a_ci_file_that_is_not_a_mapping_is_refused():
    with pytest.raises(UnsafeEdit, match="not a mapping"):
        add_ci_include("- just\n- a list\n", CI_PROJECT, CI_FILE, "v6.0.0")


# --- the answers file ------------------------------------------------------------------------

ANSWERS = """\
# Written by Copier: `copier update` reads it.
_commit: v1.0.0
_src_path: gh:example/template
ci_include_ref: v5.0.0
description: 'Refs like v1.0.0 in prose stay.'
"""


def test_an_older_ci_ref_answer_moves_up_to_the_template_pin():
    text, changes = raise_answer_tag(ANSWERS, "ci_include_ref", "v6.0.0")
    assert text == ANSWERS.replace("ci_include_ref: v5.0.0", "ci_include_ref: v6.0.0")
    assert changes == ["answers: ci_include_ref moved from v5.0.0 to v6.0.0"]
    assert raise_answer_tag(text, "ci_include_ref", "v6.0.0") == (text, [])


@pytest.mark.parametrize("answer", ["v7.0.0", "v6.0.0", "main"])
def test_a_newer_or_chosen_ci_ref_answer_is_kept(answer):
    text = ANSWERS.replace("v5.0.0", answer)
    assert raise_answer_tag(text, "ci_include_ref", "v6.0.0") == (text, [])


SPLIT_POETRY_TABLES = """\
[tool.poetry]
name = "taskful"
version = "2.1.0"
description = "A package with poe tasks between its Poetry tables."
authors = []

[tool.poe.tasks.test]
cmd = "pytest"  # the whole suite

# Runtime dependencies.
[tool.poetry.dependencies]
python = "^3.8"
requests = "^2.28"  # sessions

[tool.poe.tasks.lint]
cmd = "ruff check"

[tool.poetry.plugins."taskful.formats"]
csv = "taskful.csv:Format"

[build-system]
requires = ["poetry-core~=1.1.0"]
build-backend = "poetry.core.masonry.api"
"""


def test_split_poetry_tables_move_to_project_with_their_comments_and_the_backend_pin_rises():
    doc = tomlkit.parse(SPLIT_POETRY_TABLES)
    changes = poetry1_to_pep621(doc)
    text = doc.as_string()
    project = tomllib.loads(text)
    assert project["project"]["dependencies"] == ["requests>=2.28,<3.0"]
    assert project["project"]["entry-points"] == {"taskful.formats": {"csv": "taskful.csv:Format"}}
    assert project["tool"]["poe"]["tasks"] == {"test": {"cmd": "pytest"}, "lint": {"cmd": "ruff check"}}
    assert project["build-system"]["requires"] == ["poetry-core>=2.0.0,<3.0.0"]
    assert "poetry" not in project["tool"]
    assert 'cmd = "pytest"  # the whole suite' in text
    assert "# Runtime dependencies.\ndependencies = [" in text
    assert '"requests>=2.28,<3.0",  # sessions' in text
    assert any("[tool.poe.tasks.test]" in c for c in changes)
    assert poetry1_to_pep621(doc) == [] and doc.as_string() == text


@pytest.mark.parametrize("pin", ["poetry-core~=1.1.0", "poetry-core==1.0.8", "poetry-core>=1.0.0", "poetry"])
def test_moving_poetry1_metadata_raises_an_old_backend_pin_with_it(pin):
    doc = tomlkit.parse(SPLIT_POETRY_TABLES.replace("poetry-core~=1.1.0", pin))
    poetry1_to_pep621(doc)
    assert tomllib.loads(doc.as_string())["build-system"]["requires"] == ["poetry-core>=2.0.0,<3.0.0"]
