"""Messages that say what is wrong (issue 15, item 6): a package the tools cannot read is told
why and what to do, not given a parser's traceback or someone else's reason."""

from __future__ import annotations

import io
import json
import threading
import time
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt

from helpers import git, git_commit_all, run_cli
from old_packages import TINY_PYPROJECT
from test_onboard import CI_JOBS, git_repo


def package_with(root: Path, name: str, files: dict[str, str] | None = None) -> Path:
    return git_repo(root / name, {**CI_JOBS, **(files or {})})


# --- a pyproject.toml that starts with a byte-order mark ---

BOM_MESSAGE = "pyproject.toml starts with a byte-order mark (U+FEFF), which TOML does not allow"


def test_onboarding_a_pyproject_with_a_bom_says_so_and_how_to_remove_it(tmp_path, template):
    package = package_with(tmp_path, "bom", {"pyproject.toml": "\ufeff" + CI_JOBS["pyproject.toml"]})
    code, out, err = run_cli("onboard", "--yes", "--template", template, package)
    assert code != 0
    assert BOM_MESSAGE in out + err and "without a BOM" in out + err
    assert "EmptyKeyError" not in out + err and "Empty key" not in out + err
    code, out, err = run_cli("onboard", "--check", "--no-build", "--template", template, package)
    assert BOM_MESSAGE in out + err and "Empty key" not in out + err
    code, out, _ = run_cli("status", "--json", package)
    assert BOM_MESSAGE in json.loads(out)["packages"][0]["error"]


# --- answers files that exist but cannot be used, told apart from none at all ---

BROKEN_ANSWERS = {
    "no-commit": (
        "_src_path: https://gitlab.example.org/template.git\nproject_name: CI jobs\n",
        ".copier-answers.yml has no _commit (the template version it is on)",
    ),
    "invalid-yaml": ("_commit: [v1.0.0\n", ".copier-answers.yml is not valid YAML ("),
    "empty": ("", ".copier-answers.yml is empty: it must record the template (_src_path) and its version"),
    "a-list": ("- v1.0.0\n", ".copier-answers.yml holds a list, not answers"),
    "not-utf-8": (b"_src_path: caf\xe9\n_commit: v1.0.0\n", ".copier-answers.yml is not UTF-8 text ("),
}
NONE_AT_ALL = "no .copier-answers.yml: the package was not made from the template (onboard it first)"


@pytest.fixture(scope="module")
def broken_fleet(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("broken")
    for name, (text, _) in BROKEN_ANSWERS.items():
        if isinstance(text, str):
            package_with(root, name, {".copier-answers.yml": text})
        else:  # bytes that are no UTF-8 text
            (package_with(root, name) / ".copier-answers.yml").write_bytes(text)
            git_commit_all(root / name, "an answers file in Latin-1")
    package_with(root, "never-onboarded")
    return root


@pytest.mark.parametrize("name", sorted(BROKEN_ANSWERS))
def test_status_and_update_say_what_is_wrong_with_the_answers_file(broken_fleet, name):
    _, out, _ = run_cli("status", "--json", broken_fleet)
    reports = {Path(p["path"]).name: p for p in json.loads(out)["packages"]}
    assert BROKEN_ANSWERS[name][1] in reports[name]["error"]
    assert reports["never-onboarded"]["state"] == "not from the template"
    _, out, _ = run_cli("update", "--json", broken_fleet)
    reasons = {Path(p["path"]).name: p["reason"] for p in json.loads(out)["packages"]}
    assert BROKEN_ANSWERS[name][1] in reasons[name]
    assert reasons["never-onboarded"] == NONE_AT_ALL


@pytest.mark.parametrize("name", sorted(BROKEN_ANSWERS))
def test_check_says_what_is_wrong_with_the_answers_file(broken_fleet, template, name):
    _, out, _ = run_cli(
        "onboard", "--check", "--no-build", "--json", "--template", template, broken_fleet / name
    )
    rules = {r["rule"]: r for r in json.loads(out)["packages"][0]["rules"]}
    assert rules["answers-file"]["status"] == "fail"
    assert BROKEN_ANSWERS[name][1] in rules["answers-file"]["detail"]


def test_onboarding_a_package_whose_answers_file_is_not_yaml_says_so(broken_fleet, template):
    code, out, err = run_cli("onboard", "--yes", "--template", template, broken_fleet / "invalid-yaml")
    assert code != 0
    assert ".copier-answers.yml is not valid YAML (" in out + err and "line 2, column 1" in out + err
    assert "ParserError" not in out + err and "ScannerError" not in out + err


# --- directory names that Markdown would read as table syntax ---


@pytest.mark.parametrize("name", ["tick`name", "pipe|name", "both`|`x", "`leading", "new\nline"])
def test_a_directory_name_cannot_break_the_status_markdown_table(tmp_path, name):
    package = package_with(tmp_path, name)
    package_with(tmp_path, "plain-neighbour")
    _, out, _ = run_cli("status", "--markdown", tmp_path)
    tokens = MarkdownIt("commonmark").enable("table").parse(out)
    rows = [[]]
    for token in tokens[next(i for i, t in enumerate(tokens) if t.type == "tbody_open") :]:
        if token.type == "tr_close":
            rows.append([])
        elif token.type == "inline":
            rows[-1].append(token)
    rows = [row for row in rows if row]
    assert len(rows) == 2 and all(len(row) == 6 for row in rows), out  # one row per package
    shown = {"".join(c.content for c in row[0].children if c.type == "code_inline") for row in rows}
    assert shown == {str(package).replace("\n", "\\n"), str(tmp_path / "plain-neighbour")}, out


# --- the interactive confirmation: a prompt that waits looks like it waits ---


def test_a_waiting_prompt_says_it_waits_and_an_answered_one_says_what_became_of_it(tmp_path, template):
    from prompt_toolkit.data_structures import Size
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output.vt100 import Vt100_Output

    from python_package_template.prompt import confirm_answers
    from python_package_template.template_source import prepare_template

    class Terminal(Vt100_Output):
        """An 80x40 terminal that, like a real one, tells prompt_toolkit where its cursor is."""

        def get_rows_below_cursor_position(self) -> int:
            return 30

    screen, echo = io.StringIO(), io.StringIO()
    output = Terminal(screen, lambda: Size(rows=40, columns=80), term="xterm")
    source = prepare_template(template, None, tmp_path / "work")
    answers, _ = source.resolve({"project_name": "Tiny Tool", "description": "A tiny tool."}, {})
    questions = [q.name for q in source.questions]
    # Correct some answers, keep each as shown (a missing Enter would hang), then onboard; typed
    # as a person types, after each prompt has been drawn.
    keys = ["\x1b[B\r", *["\r"] * len(questions), "\r"]
    with create_pipe_input() as pipe:

        def type_keys() -> None:
            for key in keys:
                time.sleep(0.2)
                pipe.send_text(key)

        typist = threading.Thread(target=type_keys)
        typist.start()
        assert confirm_answers("tiny-tool", source, answers, {}, input=pipe, output=output, echo=echo)
        typist.join()
    drawn = screen.getvalue()
    # While it waits, the confirmation and each question say so; the answered lines do not.
    assert drawn.count("waiting for your answer") >= len(questions), drawn
    for name in questions:
        assert f"-> {name} kept as {answers[name]!r}" in echo.getvalue()
    # Each question's help is shown whole above its prompt, however long.
    layout = next(q for q in source.questions if q.name == "package_layout")
    for word in layout.help.split():
        assert word in echo.getvalue()


# --- a template that cannot be reached ---

UNREACHABLE = "file:///nonexistent/python-package-template.git"


def test_an_unreachable_template_names_the_ways_to_give_another(tmp_path):
    package = package_with(tmp_path, "ci-jobs-pkg")
    code, out, err = run_cli("onboard", "--yes", "--template", UNREACHABLE, package)
    assert code == 2
    assert f"cannot reach the template {UNREACHABLE} (" in err
    assert "--template" in err and "PYTHON_PACKAGE_TEMPLATE" in err
    assert "git clone --quiet" not in err  # git's command line is not the message


def test_check_says_the_template_could_not_be_reached_not_that_it_has_no_releases(tmp_path, template):
    package = package_with(tmp_path, "ci-jobs-pkg")
    code, _, _ = run_cli("onboard", "--yes", "--template", template, package)
    assert code == 0
    _, out, err = run_cli("onboard", "--check", "--no-build", "--json", "--template", UNREACHABLE, package)
    rules = {r["rule"]: r for r in json.loads(out)["packages"][0]["rules"]}
    assert rules["template-version"]["status"] == "skip"
    assert rules["template-version"]["detail"].startswith(
        f"not checked: cannot reach the template {UNREACHABLE}"
    )
    assert "no release tags" not in rules["template-version"]["detail"]
    assert "PYTHON_PACKAGE_TEMPLATE" in err


# --- what onboarding says about the package is what the package says ---


def old_python_package(root: Path, requires_python: str, authors: str | None) -> Path:
    from test_onboard import README_LACKING

    pyproject = TINY_PYPROJECT.replace(
        'requires-python = ">=3.11"', f"requires-python = {requires_python!r}".replace("'", '"')
    )
    if authors is None:
        pyproject = (
            "\n".join(line for line in pyproject.splitlines() if not line.startswith("authors")) + "\n"
        )
    package = git_repo(root / "tiny-tool", {**README_LACKING, "pyproject.toml": pyproject})
    git("config", "user.name", "Pat Person", cwd=package)
    git("config", "user.email", "pat@example.org", cwd=package)
    return package


def test_the_readme_skeleton_says_what_requires_python_says(tmp_path, template):
    package = old_python_package(tmp_path, ">=3.9", authors=None)
    code, out, err = run_cli("onboard", "--yes", "--template", template, package)
    assert code == 0, out + err
    readme = (package / "README.md").read_text()
    assert "It supports Python 3.9 and newer." in readme
    assert "3.11 and newer" not in readme
    assert 'requires-python = ">=3.9"' in (package / "pyproject.toml").read_text()


@pytest.mark.parametrize(
    ("requirement", "sentence"),
    [
        (">=3.9", "It supports Python 3.9 and newer."),
        (">=3.10,<4", "It supports Python 3.10 and newer."),
        ("^3.8", "It supports Python 3.8 and newer."),
        (">=3.9,<3.13", "It supports the Python versions its `requires-python` allows: `>=3.9,<3.13`."),
        ("~=3.12", "It supports the Python versions its `requires-python` allows: `~=3.12`."),
    ],
)
def test_the_python_support_sentence_follows_the_requirement(requirement, sentence):
    from python_package_template.readme import python_support

    assert python_support(requirement) == sentence


def test_a_package_with_no_authors_gets_the_team_not_the_persons_git_identity(tmp_path, template):
    package = old_python_package(tmp_path, ">=3.11", authors=None)
    code, out, err = run_cli("onboard", "--yes", "--template", template, package)
    assert code == 0, out + err
    answers = yaml.safe_load((package / ".copier-answers.yml").read_text())
    team = "University of Cambridge Information Services"
    assert (answers["author_name"], answers["copyright_holder"]) == (team, team)
    assert answers["author_email"] == "devops+tiny-tool@uis.cam.ac.uk"
    for name in ("pyproject.toml", "LICENSE.txt", ".copier-answers.yml", "README.md"):
        assert "Pat Person" not in (package / name).read_text(), name
        assert "pat@example.org" not in (package / name).read_text(), name
