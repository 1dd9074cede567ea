"""`copier copy` renders a complete package: the files, and what is in them.

These tests read the rendered files; test_green.py builds and installs them with Poetry.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import trove_classifiers
import yaml

from conftest import ANSWER_SETS
from helpers import REQUIRED_ANSWERS, TEMPLATE_ROOT, run, tool

# Jinja-looking text that the awkward answers contain on purpose.
JINJA_IN_ANSWERS = ["{{ oops }}", "{{ braces }}", "{% raw %}", "{{ x }}", "{{ jinja }}"]


def answers_of(rendered_package: Path) -> dict:
    return yaml.safe_load((rendered_package / ".copier-answers.yml").read_text())


def files_of(package: Path) -> list[Path]:
    return sorted(p for p in package.rglob("*") if p.is_file() and ".git" not in p.parts)


def test_new_package_has_every_file_a_good_release_needs(default_package):
    present = {str(p.relative_to(default_package)) for p in files_of(default_package)}
    assert present == {
        ".copier-answers.yml",
        ".editorconfig",
        ".gitignore",
        ".gitlab-ci.yml",
        ".pre-commit-config.yaml",
        "CHANGELOG.md",
        "LICENSE.txt",
        "README.md",
        "docs/gen_ref_pages.py",
        "docs/index.md",
        "mkdocs.yml",
        "pyproject.toml",
        "renovate.json",
        "src/lookup_client/__init__.py",
        "src/lookup_client/py.typed",
        "tests/test_package.py",
        "tests/test_readme.py",
    }


def test_no_template_syntax_is_left_in_names_or_contents(rendered):
    _, package = rendered
    for path in files_of(package):
        relative = str(path.relative_to(package))
        assert "{{" not in relative and not relative.endswith(".jinja"), relative
        if relative == ".copier-answers.yml":
            continue  # YAML may fold long answers across lines; its values are compared parsed, below
        text = path.read_text(encoding="utf-8")
        if relative == "renovate.json":
            text = text.replace("{{newValue}}", "")  # Renovate's own (Handlebars) template
        for fragment in JINJA_IN_ANSWERS:
            text = text.replace(fragment, "")
        assert not re.search(r"\{\{|\{%|\{#", text), f"unrendered Jinja in {relative}"


def test_every_python_toml_and_yaml_file_parses(rendered):
    _, package = rendered
    for path in files_of(package):
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            ast.parse(text, filename=str(path))
        elif path.suffix == ".toml":
            tomllib.loads(text)
        elif path.suffix in {".yml", ".yaml"}:
            yaml.safe_load(text)


def test_python_files_pass_the_pre_commit_ruff_hooks(rendered):
    # A maintainer's first commit runs these hooks: the template's own files must not fail them.
    _, package = rendered
    run(tool("ruff"), "check", "--no-cache", ".", cwd=package)
    run(tool("ruff"), "format", "--no-cache", "--check", ".", cwd=package)


def test_pyproject_carries_the_answers_as_pep621_metadata(rendered):
    name, package = rendered
    answers = answers_of(package)
    pyproject = tomllib.loads((package / "pyproject.toml").read_text())
    project = pyproject["project"]
    for key in ANSWER_SETS[name]:  # every answer given comes back unchanged
        assert answers[key] == ANSWER_SETS[name][key]
    assert project["name"] == answers["distribution_name"]
    assert project["version"] == answers["initial_version"]
    assert project["description"] == answers["description"]
    assert project["readme"] == "README.md"
    assert project["license"] == "MIT"
    assert project["license-files"] == ["LICENSE.txt"]
    assert project["authors"] == [{"name": answers["author_name"], "email": answers["author_email"]}]
    assert project["requires-python"] == f">={answers['python_min']}"
    assert set(project["urls"]) == {"Homepage", "Documentation", "Repository", "Issues", "Changelog"}
    assert project["urls"]["Documentation"] == answers["documentation_url"]
    assert all(
        answers["gitlab_project_path"] in url
        for key, url in project["urls"].items()
        if key != "Documentation"
    )
    assert project["keywords"] == [word.strip() for word in answers["keywords"].split(",") if word.strip()]
    assert pyproject["build-system"]["build-backend"] == "poetry.core.masonry.api"
    assert pyproject["build-system"]["requires"] == ["poetry-core>=2.0.0,<3.0.0"]
    poetry = pyproject["tool"]["poetry"]
    assert poetry["packages"] == [{"include": answers["package_name"], "from": "src"}]
    # PEP 735 groups are read from Poetry 2.2 on: older Poetry refuses the project, saying so.
    assert poetry["requires-poetry"] == ">=2.2"
    dev_tools = {
        re.match(r"[a-z-]+", requirement).group() for requirement in pyproject["dependency-groups"]["dev"]
    }
    assert dev_tools == {"mypy", "pre-commit", "pytest", "pytest-cov", "ruff"}
    assert "group" not in poetry
    assert {"path": "tests", "format": "sdist"} in poetry["include"]
    assert {"path": "CHANGELOG.md", "format": "sdist"} in poetry["include"]


def test_default_author_is_the_team_not_a_person(default_package):
    project = tomllib.loads((default_package / "pyproject.toml").read_text())["project"]
    assert project["authors"] == [
        {
            "name": "University of Cambridge Information Services",
            "email": "devops+lookup-client@uis.cam.ac.uk",
        }
    ]
    assert project["keywords"] == ["lookup", "client"]
    licence = (default_package / "LICENSE.txt").read_text()
    assert " University of Cambridge Information Services\n" in licence


def test_tests_run_strict_with_coverage_and_the_code_type_checks_strict(default_package):
    tool_tables = tomllib.loads((default_package / "pyproject.toml").read_text())["tool"]
    pytest_options = tool_tables["pytest"]["ini_options"]
    assert {"-ra", "--strict-config", "--strict-markers", "--cov"} <= set(pytest_options["addopts"])
    assert pytest_options["filterwarnings"] == ["error"]
    assert pytest_options["xfail_strict"] is True
    assert tool_tables["coverage"]["run"]["source"] == ["lookup_client"]
    assert tool_tables["coverage"]["report"]["fail_under"] >= 90
    assert tool_tables["mypy"]["strict"] is True
    assert {"B", "I", "UP"} <= set(tool_tables["ruff"]["lint"]["extend-select"])
    hooks = yaml.safe_load((default_package / ".pre-commit-config.yaml").read_text())["repos"]
    assert {hook["id"] for repo in hooks for hook in repo["hooks"]} >= {
        "ruff-check",
        "ruff-format",
        "mypy",
        "codespell",
    }


def test_a_package_in_its_own_layout_gets_no_settings_for_code_it_does_not_have(flat_package):
    present = {str(p.relative_to(flat_package)) for p in files_of(flat_package)}
    assert not {p for p in present if p.startswith("src/") or p in {"LICENSE.txt", "tests/test_package.py"}}
    pyproject = tomllib.loads((flat_package / "pyproject.toml").read_text())
    assert "packages" not in pyproject["tool"]["poetry"]
    assert not {"license", "license-files"} & set(pyproject["project"])
    assert "Typing :: Typed" not in pyproject["project"]["classifiers"]
    assert not {"mypy", "coverage"} & set(pyproject["tool"])
    assert "--cov" not in pyproject["tool"]["pytest"]["ini_options"]["addopts"]
    hooks = yaml.safe_load((flat_package / ".pre-commit-config.yaml").read_text())["repos"]
    assert "mypy" not in {hook["id"] for repo in hooks for hook in repo["hooks"]}
    run(tool("validate-pyproject"), "pyproject.toml", cwd=flat_package)


def test_a_package_that_keeps_its_own_tool_settings_gets_none_of_the_templates(own_settings_package):
    package = own_settings_package
    pyproject = tomllib.loads((package / "pyproject.toml").read_text())
    assert not {"pytest", "coverage", "mypy", "ruff"} & set(pyproject["tool"])
    assert pyproject["dependency-groups"]["dev"] == ["pytest"]  # whichever its own settings work with
    assert not (package / ".pre-commit-config.yaml").exists()
    readme = (package / "README.md").read_text()
    assert "poetry run pytest" in readme and "pre-commit" not in readme and "fail_under" not in readme
    run(tool("validate-pyproject"), "pyproject.toml", cwd=package)


def test_pyproject_passes_validate_pyproject_with_known_classifiers(rendered):
    _, package = rendered
    classifiers = tomllib.loads((package / "pyproject.toml").read_text())["project"]["classifiers"]
    assert set(classifiers) <= trove_classifiers.classifiers
    run(tool("validate-pyproject"), "pyproject.toml", cwd=package)


def test_licence_is_the_mit_text_with_this_year_and_the_holder(rendered):
    _, package = rendered
    licence = (package / "LICENSE.txt").read_text()
    year = __import__("datetime").date.today().year
    assert licence.startswith("MIT License\n")
    assert f"Copyright (c) {year} {answers_of(package)['copyright_holder']}\n" in licence
    assert 'THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND' in licence


def test_readme_is_written_for_a_newcomer(rendered):
    _, package = rendered
    answers = answers_of(package)
    readme = (package / "README.md").read_text()
    headings = re.findall(r"^## (.+)$", readme, flags=re.M)
    for section in (
        "What it does",
        "The problem it solves",
        "Installation",
        "Usage",
        "Finding out more",
        "Development",
        "Making a release",
        "Licence",
    ):
        assert section in headings
    assert readme.startswith(f"# {answers['project_name']}\n\n{answers['description']}\n")
    assert f"pip install {answers['distribution_name']}" in readme
    assert answers["documentation_url"] in readme
    usage = re.search(r"## Usage\n.*?```python\n(.*?)```", readme, flags=re.S).group(1)
    assert f"import {answers['package_name']}" in usage
    # The release story of how-we-use-pypi and the team's pipeline: test PyPI first, the two
    # protected and masked variables, release-it on Conventional Commits, an all-projects token once.
    for phrase in (
        "test PyPI",
        "all projects",
        f"scoped to `{answers['distribution_name']}`",
        "`TEST_PYPI_API_TOKEN`",
        "`PYPI_API_TOKEN`",
        "*Protect variable* and *Mask variable*",
        "protect the default branch and the release tags",
        "release-it:release",
        "Conventional Commits",
        "Poetry](https://python-poetry.org/) 2.2 or newer",
    ):
        assert phrase in readme


def test_readme_placeholders_are_unmistakable(rendered):
    _, package = rendered
    readme = (package / "README.md").read_text()
    placeholders = [line for line in readme.splitlines() if "TODO" in line or "(describe" in line]
    assert placeholders, "the skeleton has sections for the maintainer to fill"
    assert all(line.startswith("> TODO(template): ") for line in placeholders), placeholders
    assert "<!--" not in readme  # no hidden prompt that PyPI would not show but would publish


def test_changelog_follows_keep_a_changelog_with_a_dated_first_entry(rendered):
    _, package = rendered
    answers = answers_of(package)
    changelog = (package / "CHANGELOG.md").read_text()
    version = answers["initial_version"]
    today = __import__("datetime").date.today().isoformat()
    assert re.search(rf"^## \[{re.escape(version)}\] - {today}$", changelog, flags=re.M)
    base = f"https://{answers['gitlab_host']}/{answers['gitlab_project_path']}"
    assert f"[Unreleased]: {base}/-/compare/v{version}...HEAD" in changelog
    assert f"[{version}]: {base}/-/tags/v{version}" in changelog


def test_gitignore_covers_what_the_tools_leave_behind(default_package):
    ignored = set((default_package / ".gitignore").read_text().splitlines())
    assert {
        ".venv/",
        "dist/",
        ".ruff_cache/",
        ".mypy_cache/",
        ".coverage",
        ".coverage.*",
        "htmlcov/",
    } <= ignored
    assert "[{poetry.lock,coverage.xml}]" in (default_package / ".editorconfig").read_text()


# --- the documentation site ---

DOCS_TOOLS = {
    "mkdocs",
    "mkdocs-material",
    "mkdocstrings-python",
    "mkdocs-gen-files",
    "mkdocs-literate-nav",
    "mkdocs-section-index",
}


def requirement_names(requirements: list[str]) -> set[str]:
    return {re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0] for requirement in requirements}


def test_a_new_package_has_a_documentation_site_with_the_readme_and_an_api_reference(rendered):
    _, package = rendered
    mkdocs = yaml.safe_load((package / "mkdocs.yml").read_text())
    answers = answers_of(package)
    assert mkdocs["theme"]["name"] == "material" and mkdocs["strict"] is True
    assert (
        mkdocs["site_name"] == answers["project_name"] and mkdocs["site_url"] == answers["documentation_url"]
    )
    # One text to keep: the home page is the README, included.
    assert (package / "docs" / "index.md").read_text() == '--8<-- "README.md"\n'
    # The API reference is written from the code at build time: no list of modules to keep.
    plugins = [next(iter(p)) if isinstance(p, dict) else p for p in mkdocs["plugins"]]
    assert {"gen-files", "literate-nav", "section-index", "mkdocstrings"} <= set(plugins)
    assert "docs/gen_ref_pages.py" in mkdocs["plugins"][plugins.index("gen-files")]["gen-files"]["scripts"]
    assert mkdocs["nav"] == [{"Home": "index.md"}, {"API reference": "reference/"}]
    # Its tools are a PEP 735 group, like the development tools.
    pyproject = tomllib.loads((package / "pyproject.toml").read_text())
    assert requirement_names(pyproject["dependency-groups"]["docs"]) == DOCS_TOOLS
    assert "poetry run mkdocs serve" in (package / "README.md").read_text()


def test_the_site_is_linked_from_pypi_and_the_readme(default_package):
    answers = answers_of(default_package)
    site = "https://uis.pages.developers.cam.ac.uk/devops/lookup-client/"
    assert answers["docs"] == "mkdocs" and answers["documentation_url"] == site
    pyproject = tomllib.loads((default_package / "pyproject.toml").read_text())
    assert pyproject["project"]["urls"]["Documentation"] == site
    finding_out_more = (default_package / "README.md").read_text().split("## Finding out more", 1)[1]
    finding_out_more = finding_out_more.split("\n## ", 1)[0]
    assert f"<{site}>" in finding_out_more and f"<{site}reference/>" in finding_out_more


def test_the_pipeline_builds_the_site_on_merge_requests_and_publishes_it_from_the_default_branch(rendered):
    _, package = rendered
    text = (package / ".gitlab-ci.yml").read_text()
    ci = yaml.safe_load(text)
    build, pages = ci["mkdocs"], ci["pages"]
    assert "poetry run mkdocs build --strict --site-dir site" in build["script"]
    # In the branch pipelines that merge requests show, starting no merge request pipelines.
    assert build["rules"][1:] == [{"if": "$CI_COMMIT_BRANCH && $CI_COMMIT_BRANCH != $CI_DEFAULT_BRANCH"}]
    assert "poetry run mkdocs build --strict --site-dir public" in pages["script"]
    assert pages["artifacts"]["paths"] == ["public"]
    assert {"if": "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"} in pages["rules"]
    for job in (build, pages):  # one variable switches both off, before any other rule
        assert job["rules"][0] == {"if": '$DOCUMENTATION_DISABLED == "true"', "when": "never"}
        assert ci[job["extends"]]["before_script"][-1] == "poetry install --only docs"
    # Below the include, above the closing comment after which the maintainers append their jobs,
    # so that an update that brings them merges without touching either.
    include, jobs = text.index("include:"), text.index("\n.mkdocs:")
    assert include < jobs < text.index("# Jobs of this package's own go below this comment")
    # (The file is validated against GitLab's schema by test_ci_file_includes_...)


def test_a_package_without_a_site_gets_none_of_it_and_says_why_repo_review_skips_py004(no_docs_package):
    package = no_docs_package
    assert not (package / "mkdocs.yml").exists() and not (package / "docs").exists()
    answers = answers_of(package)
    readme_url = "https://gitlab.developers.cam.ac.uk/uis/devops/lookup-client/-/blob/main/README.md"
    assert answers["docs"] == "none" and answers["documentation_url"] == readme_url
    pyproject = tomllib.loads((package / "pyproject.toml").read_text())
    assert "docs" not in pyproject["dependency-groups"]
    assert pyproject["project"]["urls"]["Documentation"] == readme_url
    assert "docs: none" in pyproject["tool"]["repo-review"]["ignore"]["PY004"]
    ci = yaml.safe_load((package / ".gitlab-ci.yml").read_text())
    assert "pages" not in ci and "mkdocs" not in ci
    readme = (package / "README.md").read_text()
    assert "mkdocs" not in readme and "API reference" not in readme
    assert [r.name for r in repo_review_results(package) if r.result is False] == []


# --- judged by tools no one here wrote ---


def repo_review_results(package: Path) -> list:
    """sp-repo-review's results for `package` (its checks, with the package's own ignore table)."""
    from repo_review.processor import process

    return process(package).results


@pytest.mark.parametrize("layout", ["src", "flat"])
def test_repo_review_finds_nothing_to_fix_and_every_skip_says_why(rendered, flat_package, layout):
    _, package = rendered if layout == "src" else (None, flat_package)
    results = repo_review_results(package)
    failures = [f"{r.name}: {r.description}" for r in results if r.result is False]
    assert failures == []
    ignored = tomllib.loads((package / "pyproject.toml").read_text())["tool"]["repo-review"]["ignore"]
    assert all(reason.strip() for reason in ignored.values())
    # Whatever is not checked is either ignored with that reason, or left out by repo-review itself
    # because a check it depends on is (e.g. the GitHub Actions family without workflows).
    assert any(r.skip_reason for r in results)
    passed = {r.name for r in results if r.result is True}
    # PY004 (documentation) is judged, not ignored: the package has its documentation site.
    assert {"PP006", "PP302", "PP309", "RF101", "PC191", "PY004"} <= passed
    assert "PY004" not in ignored
    if layout == "src":
        assert {"MY100", "MY101", "PC140", "PC160"} <= passed


@pytest.mark.parametrize("answer_set", ["defaults", "awkward"])
def test_pyroma_rates_the_package_10_of_10(copie_session, answer_set):
    from pyroma import projectdata, ratings

    package = copie_session.copy(extra_answers=ANSWER_SETS[answer_set]).project_dir
    rating, failures = ratings.rate(projectdata.get_data(str(package)))
    assert (rating, failures) == (10, [])


def test_codespell_finds_no_misspelling(rendered):
    _, package = rendered
    run(tool("codespell"), ".", cwd=package)


def test_ci_file_includes_the_common_pipeline_and_is_valid_gitlab_ci(rendered):
    _, package = rendered
    answers = answers_of(package)
    ci = yaml.safe_load((package / ".gitlab-ci.yml").read_text())
    assert ci["include"] == [
        {
            "project": answers["ci_include_project"],
            "file": answers["ci_include_file"],
            "ref": answers["ci_include_ref"],
        }
    ]
    run(tool("check-jsonschema"), "--builtin-schema", "vendor.gitlab-ci", ".gitlab-ci.yml", cwd=package)
    comment = (package / ".gitlab-ci.yml").read_text().split("include:", 1)[0]
    assert "TEST_PYPI_API_TOKEN" in comment and "PYPI_API_TOKEN (PyPI)" in comment


def test_ci_include_defaults_to_the_teams_pinned_common_pipeline(default_package):
    answers = answers_of(default_package)
    copier_yml = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())
    assert answers["ci_include_project"] == "uis/devops/continuous-delivery/ci-templates"
    assert answers["ci_include_file"] == "/auto-devops/common-pipeline.yml"
    assert answers["ci_include_ref"] == copier_yml["ci_include_ref"]["default"]
    assert re.fullmatch(r"v\d+\.\d+\.\d+", answers["ci_include_ref"])


def test_answers_file_lets_copier_update_and_holds_no_secret(default_package):
    answers = answers_of(default_package)
    assert {"_commit", "_src_path"} <= set(answers)
    assert {**answers, **REQUIRED_ANSWERS} == answers
    secretish = re.compile(r"token|password|secret|pypi-[A-Za-z0-9]", re.I)
    assert not [key for key in answers if secretish.search(key)]
    for path in files_of(default_package):
        assert not re.search(r"pypi-[A-Za-z0-9_-]{20,}", path.read_text()), path


def copier_copy(destination: Path, answers: dict[str, str]) -> subprocess.CompletedProcess:
    """`copier copy --trust --defaults -d KEY=VALUE ... TEMPLATE DEST`, as a user types it."""
    data = [arg for key, value in answers.items() for arg in ("-d", f"{key}={value}")]
    return subprocess.run(
        [sys.executable, "-m", "copier", "copy", "--trust", "--defaults", "--vcs-ref=HEAD", *data]
        + [str(TEMPLATE_ROOT), str(destination)],
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
    )


def test_copy_from_the_command_line_needs_only_a_name_and_a_description(tmp_path):
    destination = tmp_path / "lookup-client"
    result = copier_copy(destination, REQUIRED_ANSWERS)
    assert result.returncode == 0, result.stderr
    assert (destination / "src" / "lookup_client" / "__init__.py").is_file()


def test_a_title_in_any_script_renders_with_an_explicit_pypi_name(tmp_path):
    destination = tmp_path / "maktaba"
    result = copier_copy(
        destination, {**REQUIRED_ANSWERS, "project_name": "مكتبة", "distribution_name": "maktaba"}
    )
    assert result.returncode == 0, result.stderr
    assert (destination / "README.md").read_text().startswith("# مكتبة\n")
    assert (destination / "src" / "maktaba" / "__init__.py").is_file()


# Each of these was accepted once and gave a package that Poetry, twine or its own tests refused.
BAD_ANSWERS = {
    "distribution_name=Lookup Client": "not a valid PyPI name",
    "distribution_name=Lookup_Client": "not normalised: use 'lookup-client'",
    "project_name=مكتبة": "No PyPI name can be derived from the project name",
    "package_name=json": "standard-library module",
    "package_name=class": "Python keyword",
    "package_name=__main__": "a name Python reserves",
    "author_email=not-an-email": "not an email address",
    "author_email=a.@example.org": "not an email address",
    "author_email=a..b@example.org": "not an email address",
    "description=vertical\x0btab": "must be one line",
    "description=form\x0cfeed": "must be one line",
    "description=next\x85line": "must be one line",
    "description=line\u2028separator": "must be one line",
    "description=paragraph\u2029separator": "must be one line",
    "keywords=a,tab\x0bbed": "must be one line",
    "initial_version=one": "not a PEP 440 version",
    "python_min=2.7": "Invalid choice for 'python_min'",
    "gitlab_host=https://gitlab.example.org": "not a host name",
    "documentation_url=http://insecure.example.org": "not an https URL",
    "ci_include_ref=master": "never a branch",
    "ci_include_file=common-pipeline.yml": "absolute path",
    # Issue 15: answers that judged only part of the answer, or the wrong characters.
    "documentation_url=https://docs.example.org/\n": "must be one line, but it ends with a line break",
    "ci_include_ref=v6.0.0\n": "must be one line, but it ends with a line break",
    "project_name=Lookup\x01Client": "a control character (U+0001)",
    "description=tab\tseparated": "a control character (tab)",
    "distribution_name=pıp": "('ı', U+0131, is not ASCII)",
    "distribution_name=ſetup": "('ſ', U+017F, is not ASCII)",
    "documentation_url=https://docs.example.org:٨٠٨٠/": "('٨', U+0668, is not ASCII)",
    "ci_include_ref=v٦.0.0": "('٦', U+0666, is not ASCII)",
    "initial_version=1.0.0+local": "which PyPI refuses: use a public version, e.g. '1.0.0'",
    "description=```python": "as a code fence",
    "description=## Development": "as a heading",
    "description=- first item": "as a list item",
    "description=---": "as a thematic break",
    "description=<img src=x onerror=alert(1)>": "as HTML",
    "package_name=pytest": "shadow it",
    "package_name=_pytest": "shadow it",
    "docs=sphinx": "Invalid choice for 'docs'",
}


@pytest.mark.parametrize("bad_answer", sorted(BAD_ANSWERS))
def test_bad_answer_is_refused_with_a_clear_message_and_nothing_is_written(tmp_path, bad_answer):
    destination = tmp_path / "new-package"
    key, value = bad_answer.split("=", 1)
    result = copier_copy(destination, {**REQUIRED_ANSWERS, key: value})
    assert result.returncode != 0
    assert BAD_ANSWERS[bad_answer] in result.stdout + result.stderr
    assert not destination.exists()


@pytest.mark.parametrize("missing", ["project_name", "description"])
def test_a_required_answer_cannot_be_left_out(tmp_path, missing):
    destination = tmp_path / "new-package"
    result = copier_copy(destination, {k: v for k, v in REQUIRED_ANSWERS.items() if k != missing})
    assert result.returncode != 0
    assert "required" in result.stdout + result.stderr
    assert not destination.exists()
