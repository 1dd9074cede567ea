"""Unit tests of the filters and validators in extensions/context.py."""

from __future__ import annotations

import ast
import importlib.util
import re
import tomllib

import pytest
import trove_classifiers
import yaml

from helpers import TEMPLATE_ROOT

_spec = importlib.util.spec_from_file_location(
    "template_context", TEMPLATE_ROOT / "extensions" / "context.py"
)
context = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(context)

NASTY_STRINGS = [
    "",
    "plain",
    "double \"quotes\" and 'single'",
    "back\\slash\\",
    "tab\tnew\nline\rreturn",
    "unicode ✓ Zoë 日本語 😀",
    "{{ jinja }} {% raw %} {# comment #}",
    '"""triple""" and a trailing quote"',
    "control \x00\x01\x1f\x7f chars",
    "line\u2028separator\u2029paragraph\x85next",
    "\ufeffbom",
    "# not a comment: [not a table] = 'x'",
]


@pytest.mark.parametrize("value", NASTY_STRINGS)
def test_toml_string_round_trips(value):
    assert tomllib.loads(f"key = {context.toml_string(value)}")["key"] == value


@pytest.mark.parametrize("value", NASTY_STRINGS)
def test_yaml_string_round_trips(value):
    assert yaml.safe_load(f"key: {context.yaml_string(value)}")["key"] == value


@pytest.mark.parametrize("value", NASTY_STRINGS)
def test_python_string_round_trips(value):
    assert ast.literal_eval(context.python_string(value)) == value


@pytest.mark.parametrize("value", NASTY_STRINGS)
def test_python_docstring_round_trips(value):
    module = ast.parse(context.python_docstring(value) + "\n")
    assert ast.get_docstring(module, clean=False) == value


@pytest.mark.parametrize(
    ("project_name", "distribution_name", "package_name"),
    [
        ("Lookup Client", "lookup-client", "lookup_client"),
        ("  UIS: API__Gateway!! ", "uis-api-gateway", "uis_api_gateway"),
        ("3D Tools", "3d-tools", "_3d_tools"),
    ],
)
def test_names_are_derived_from_the_project_name(project_name, distribution_name, package_name):
    assert context.distribution_name_from(project_name) == distribution_name
    assert context.package_name_from(distribution_name) == package_name
    assert context.distribution_name_error(distribution_name) == ""


def test_classifiers_are_known_to_pypi_and_follow_python_min():
    classifiers = context.classifiers_for("3.13")
    assert set(classifiers) <= trove_classifiers.classifiers
    assert "Programming Language :: Python :: 3.13" in classifiers
    assert "Programming Language :: Python :: 3.12" not in classifiers
    assert f"Programming Language :: Python :: {context.SUPPORTED_PYTHONS[-1]}" in classifiers
    # Typed only when the package ships py.typed (the src layout).
    assert "Typing :: Typed" in classifiers
    assert "Typing :: Typed" not in context.classifiers_for("3.13", False)


def test_keywords_default_to_the_words_of_the_pypi_name_and_split_on_commas():
    assert context.keywords_from("ucam-lookup-client") == "ucam, lookup, client"
    assert context.keywords_from("a-b-a") == "a, b"
    assert context.keyword_list(" lookup, LDAP client,, ") == ["lookup", "LDAP client"]
    assert context.keyword_list("") == []


def test_email_rule_is_the_one_poetrys_schema_applies():
    # Poetry validates project.authors with poetry-core's vendored fastjsonschema, whose "email"
    # format is the same regular expression as the one on PyPI (checked here).
    from fastjsonschema.draft04 import CodeGeneratorDraft04

    assert context.POETRY_EMAIL_FORMAT == CodeGeneratorDraft04.FORMAT_REGEXS["email"]


@pytest.mark.parametrize("line_break", ["\n", "\r", "\x0b", "\x0c", "\x1c", "\x85", "\u2028", "\u2029"])
def test_metadata_fields_with_a_line_break_are_refused_as_twine_refuses_them(line_break):
    # packaging's metadata validation, which twine applies: the email parser breaks lines there.
    assert "single line" in context.metadata_error("Summary", f"a{line_break}b")
    assert "one line" in context.description_error(f"a{line_break}b")
    assert context.metadata_error("Summary", "tabs\tand ✓ are fine") == ""


def test_python_min_offers_the_supported_pythons_oldest_first():
    question = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())["python_min"]
    assert tuple(question["choices"]) == context.SUPPORTED_PYTHONS
    assert question["default"] == context.SUPPORTED_PYTHONS[0]


def test_git_config_falls_back_when_the_key_is_unset():
    assert context.git_config("template-tests.no-such-key", "fallback") == "fallback"


# Each validator: allowed answers give "", bad ones a message naming the problem and what is allowed.
VALIDATOR_CASES = {
    "project_name_error": (
        ["Lookup Client", "Ünïcødé 2", "مكتبة"],
        {"": "required", "a\nb": "one line", "a\u2028b": "one line", "x" * 101: "at most"},
    ),
    "distribution_name_error": (
        ["lookup-client", "a", "ucam-api-v2"],
        {
            "Lookup Client": "not a valid PyPI name",
            "lookup_client": "use 'lookup-client'",
            "Lookup": "use 'lookup'",
            "-lookup": "starting and ending",
            "lookup!": "not a valid PyPI name",
            "": "required",
        },
    ),
    "keywords_error": (
        ["", "lookup", "lookup, LDAP client", "Ünïcødé, {{ x }}"],
        {"a, b\x0bc": "one line", "x" * 101: "at most"},
    ),
    "package_name_error": (
        ["lookup_client", "_private"],
        {
            "lookup-client": "not a valid import name",
            "1abc": "not starting with a digit",
            "class": "keyword",
            "json": "standard-library",
            "Lookup": "lower-case",
            "__main__": "reserves",
            "__init__": "reserves",
            "sitecustomize": "start-up",
        },
    ),
    "description_error": (
        ["Talks to Lookup."],
        {"": "required", "two\nlines": "one line", "x" * 201: "at most 200", "a\x0cb": "one line"},
    ),
    "author_name_error": (
        ["Zoë O'Brien", "University of Cambridge Information Services"],
        {"": "required", "A <a@b.org>": "'<'", "Doe, Jane": "','", "A\x85B": "one line"},
    ),
    "email_error": (
        ["zoe+pypi@example.org", "devops+lookup-client@uis.cam.ac.uk"],
        {
            address: "name@example.org"
            for address in (
                "nobody",
                "a@b",
                "a b@c.org",
                "a.@example.org",
                "a..b@example.org",
                ".a@example.org",
                '"a b"@example.org',
                "a@-b.org",
                "A <a@example.org>",
            )
        },
    ),
    "version_error": (
        ["0.1.0", "1.0.0rc1"],
        {"one": "not a PEP 440 version", "v1.0": "use '1.0'", "1.0-rc1": "use '1.0rc1'"},
    ),
    "host_error": (
        ["gitlab.developers.cam.ac.uk"],
        {"https://gitlab.com": "not a host name", "localhost": "not a host name"},
    ),
    "gitlab_path_error": (
        ["uis/devops/lookup", "a.b/c_d/e-f"],
        {"lookup": "group/project", "/a/b": "no leading", "a/b.git": "group/project"},
    ),
    "ci_file_error": (
        ["/auto-devops/common-pipeline.yml"],
        {"auto-devops/x.yml": "absolute path", "/x.json": "ending in .yml", "/../x.yml": "absolute path"},
    ),
    "ci_ref_error": (["v1.2.3"], {"master": "never a branch", "1.2.3": "vX.Y.Z", "v1.2": "vX.Y.Z"}),
    "url_error": (
        ["https://docs.example.org/x/?a=1#b"],
        {"http://example.org": "https URL", "https://a b": "https URL", "ftp://x": "https URL"},
    ),
}


@pytest.mark.parametrize("validator", sorted(VALIDATOR_CASES))
def test_validators_accept_good_answers_and_explain_bad_ones(validator):
    check = getattr(context, validator)
    allowed, refused = VALIDATOR_CASES[validator]
    for value in allowed:
        assert check(value) == "", (validator, value)
    for value, message in refused.items():
        assert message in check(value), (validator, value, check(value))


def test_a_pypi_name_that_cannot_be_derived_says_to_give_one():
    assert "give one" in context.distribution_name_error("", "مكتبة")
    assert context.distribution_name_error("maktaba", "مكتبة") == ""


# --- every validator judges the whole answer (issue 15): the class, not only the cases found ---

# A valid answer to each question copier.yml validates. The ASCII rules are checked in the part
# of the answer between the two "|" (the whole answer, or a URL's host and an address's domain,
# whose path and local part may hold any script).
VALID_ANSWERS = {
    "project_name": "Lookup Client",
    "distribution_name": "|lookup-client-2|",
    "package_name": "|lookup_client_2|",
    "description": "Talks to Lookup.",
    "keywords": "lookup, LDAP client",
    "author_name": "University of Cambridge Information Services",
    "author_email": "devops+lookup@|uis.cam.ac.uk|",
    "copyright_holder": "University of Cambridge Information Services",
    "initial_version": "|0.1.0rc1|",
    "gitlab_host": "|gitlab.developers.cam.ac.uk|",
    "gitlab_project_path": "|uis/devops/lookup-client|",
    "documentation_url": "https://|docs.example.org:8443|/lookup/",
    "ci_include_project": "|uis/devops/continuous-delivery/ci-templates|",
    "ci_include_file": "|/auto-devops/common-pipeline.yml|",
    "ci_include_ref": "|v6.0.0|",
}
# Characters that pass for ASCII ones under re.IGNORECASE or \d: dotless i and dotted I, long s,
# the Kelvin sign, Arabic-Indic and fullwidth digits, and a Cyrillic a that only looks like one.
LOOKALIKES = {
    "i": "ıİ",
    "s": "ſ",
    "k": "\u212a",
    "a": "а",
    **{d: chr(0x660 + int(d)) + chr(0xFF10 + int(d)) for d in "0123456789"},
}
NEVER_IN_AN_ANSWER = [
    "\n",
    "\r\n",
    "\x00",
    "\x01",
    "\t",
    "\x1b",
    "\x7f",
    "\x9b",
    "\ufeff",
    "\u202e",
    "\u2066",
]


def _validators():
    questions = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())
    for name, question in questions.items():
        if isinstance(question, dict) and "validator" in question:
            filter_name = re.search(r"\|\s*(\w+)", question["validator"]).group(1)
            yield name, getattr(context, filter_name)


def _variants(answer):
    head, ascii_part, tail = answer.split("|") if "|" in answer else (answer, "", "")
    for index, char in enumerate(ascii_part):
        for lookalike in LOOKALIKES.get(char, ""):
            yield head + ascii_part[:index] + lookalike + ascii_part[index + 1 :] + tail


@pytest.mark.parametrize(("question", "check"), list(_validators()), ids=lambda x: getattr(x, "__name__", x))
def test_no_validator_lets_a_line_break_a_control_character_or_a_lookalike_through(question, check):
    assert question in VALID_ANSWERS, f"give {question} a valid answer in VALID_ANSWERS"
    answer = VALID_ANSWERS[question].replace("|", "")
    assert check(answer) == "", (question, check(answer))
    for char in NEVER_IN_AN_ANSWER:
        for bad in (answer + char, char + answer, answer[:3] + char + answer[3:]):
            message = check(bad)
            assert "one line" in message or "control character" in message, (question, bad, message)
    lookalikes = list(_variants(VALID_ANSWERS[question]))
    assert lookalikes or "|" not in VALID_ANSWERS[question]
    for bad in lookalikes:
        assert "is not ASCII" in check(bad), (question, bad, check(bad))


def test_a_trailing_newline_names_the_line_break_and_a_control_character_its_code():
    assert context.url_error("https://docs.example.org/\n") == (
        "The URL must be one line, but it ends with a line break (newline): remove it."
    )
    assert "holds a control character (U+0001): use printable text only" in context.project_name_error(
        "Lookup\x01Client"
    )


def test_a_version_pypi_refuses_is_refused():
    assert "local version label ('+local'), which PyPI refuses: use a public version, e.g. '1.0.0'" in (
        context.version_error("1.0.0+local")
    )
    assert context.version_error("1.0.0.post1") == ""


def test_an_import_name_may_not_shadow_the_test_tools():
    # The package is installed beside its dev group, and the tools import what they depend on.
    from importlib.metadata import packages_distributions, requires

    pyproject = (TEMPLATE_ROOT / "template" / "pyproject.toml.jinja").read_text()
    dev_group = re.findall(r'^\s+"([a-z-]+)', pyproject.split("\ndev = [", 1)[1].split("\n]", 1)[0], re.M)
    assert {"pytest", "pytest-cov", "mypy", "ruff", "pre-commit"} <= set(dev_group)
    shadowed = {name.replace("-", "_") for name in dev_group} | {"_pytest", "coverage", "hypothesis"}
    pytest_needs = {
        re.match(r"[A-Za-z0-9_.-]+", r).group().lower() for r in requires("pytest") if "extra" not in r
    }
    shadowed |= {
        module
        for module, dists in packages_distributions().items()
        if pytest_needs & {d.lower() for d in dists}
    }
    for name in sorted(shadowed):
        if name.isidentifier() and not name.startswith("__"):
            assert "test and lint tools" in context.package_name_error(name), name
    assert context.package_name_error("pytest_lookup") == ""
    # The docs group is installed beside it too: MkDocs and its plugins must import as themselves.
    for name in ("mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers", "mkdocs_gen_files", "griffe"):
        assert "test and lint tools" in context.package_name_error(name), name


# What CommonMark makes of a description that opens the README: anything but one paragraph of
# inline text must be refused, and plain sentences must pass.
MARKDOWN_CORPUS = [
    *(f"{'#' * n} Development" for n in range(1, 7)),
    "#",
    "- item", "* item", "+ item", "1. item", "12) item", "-", "> quoted", ">quoted",
    "```", "```python", "~~~", "~~~ text", "---", "***", "___", "- - -", "* * *",
    "[ref]: https://example.org", "<div>x</div>", "<!-- hidden -->", "</p>", "<?php ?>",
    "Uses <b>bold</b> words", "a ``` b", "a <br> b",
    "Talks to *Lookup* with `code` and [links](https://example.org).",
    "C# client for #hashtags", "#hashtag", "3.5 times faster", "1.5x", "a - b", "Use >= 3",
    "2024 edition", "Lookup + LDAP", "-1 for nothing", "===", "a | b", "<https://example.org>",
    "Talks to Lookup.",
]  # fmt: skip


@pytest.mark.parametrize("description", MARKDOWN_CORPUS)
def test_a_description_markdown_reads_as_structure_is_refused(description):
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").parse(f"# Lookup\n\n{description}\n")
    block_types = [token.type for token in tokens]
    inline = [child.type for token in tokens[4:5] for child in token.children or []]
    plain = block_types[3:] == ["paragraph_open", "inline", "paragraph_close"] and "html_inline" not in inline
    message = context.description_error(description)
    if plain and "```" not in description:
        assert message == "", (description, message)
    else:
        assert "write it as plain text" in message, (description, block_types, message)


def test_every_questions_help_is_shown_whole_on_an_80_column_terminal():
    # Copier's prompts (questionary) cut each line of a question's help, and each choice, at the
    # terminal's edge instead of wrapping it: after "🎤 " (three columns) 77 are left.
    questions = yaml.safe_load((TEMPLATE_ROOT / "copier.yml").read_text())
    for name, question in questions.items():
        if not isinstance(question, dict) or name.startswith("_"):
            continue
        for line in [*question.get("help", "").splitlines(), *question.get("choices", [])]:
            assert len(line) <= 77, (name, line)


def test_the_pages_domain_is_guessed_from_the_gitlab_host():
    assert context.pages_domain_from("gitlab.com") == "gitlab.io"
    assert context.pages_domain_from("gitlab.developers.cam.ac.uk") == "pages.developers.cam.ac.uk"
    assert context.pages_domain_from("code.example.org") == "pages.code.example.org"
    assert context.host_error(context.pages_domain_from("GitLab.Example.org")) == ""


def test_the_site_url_is_gitlab_pages_default_for_the_project():
    # The top-level group names the host; subgroups and the project are the path.
    assert (
        context.pages_url("uis/devops/lookup-client", "pages.example.org")
        == "https://uis.pages.example.org/devops/lookup-client/"
    )
    assert context.pages_url("Team/tool", "gitlab.io") == "https://team.gitlab.io/tool/"
    assert context.url_error(context.pages_url("uis/devops/lookup-client", "pages.example.org")) == ""
    # A group that cannot be a host name gets a unique domain, which only GitLab knows.
    assert context.pages_url("my_group/tool", "gitlab.io") == context.pages_url("a.b/tool", "gitlab.io") == ""


def test_documentation_url_defaults_to_the_site_with_docs_else_the_readme():
    readme = "https://gitlab.example.org/uis/tool/-/blob/main/README.md"
    assert context.documentation_url_from("mkdocs", "gitlab.example.org", "uis/tool") == (
        "https://uis.pages.example.org/tool/"
    )
    assert context.documentation_url_from("none", "gitlab.example.org", "uis/tool") == readme
    assert context.documentation_url_from("mkdocs", "gitlab.example.org", "my_group/tool") == (
        "https://gitlab.example.org/my_group/tool/-/blob/main/README.md"
    )


def test_the_api_reference_is_the_sites_reference_page():
    site = "https://uis.pages.example.org/devops/lookup/"
    assert context.api_reference_url(site) == site + "reference/"
    assert context.api_reference_url(site.rstrip("/")) == site + "reference/"
    assert (
        context.api_reference_url("https://docs.example.org/awkward/?q=a&v=1#usage")
        == "https://docs.example.org/awkward/reference/"
    )


# --- before_update_needed: the before-update migration's process starts only when it has work ---

PLAIN_PACKAGE = {
    "README.md": "# Lookup Client\n",
    "pyproject.toml": '[project]\nname = "lookup-client"\n',
    ".gitignore": "/dist/\n",
    ".copier-answers.yml": "_commit: v1.0.0\n",
}
# What `migrate.py before` refuses (a file the package owns that cannot take the template's
# changes) or stages (a CRLF or BOM file the template renders): each must start it.
BEFORE_HAS_WORK = {
    "a CRLF file the template renders": (".gitignore", b"/dist/\r\n"),
    "a BOM in the README": ("README.md", b"\xef\xbb\xbf# Lookup Client\n"),
    "conflict markers in the README": ("README.md", b"<<<<<<< HEAD\n# Ours\n=======\n# Theirs\n>>>>>>> x\n"),
    "a Latin-1 README": ("README.md", "# Lookup Client, by the café team\n".encode("latin-1")),
    "a pyproject.toml that is not TOML": ("pyproject.toml", b"[project\n"),
}


def before_update_needed(tmp_path, package_files: dict[str, bytes]) -> bool:
    template = tmp_path / "template" / "template"
    for name in ("README.md.jinja", "pyproject.toml.jinja", ".gitignore", "{{ package_name }}.py.jinja"):
        (template / name).parent.mkdir(parents=True, exist_ok=True)
        (template / name).write_text("")
    for name, data in package_files.items():
        (tmp_path / "package" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "package" / name).write_bytes(data)
    return context.before_update_needed(tmp_path / "package", template, ".copier-answers.yml")


def test_an_update_of_a_plain_package_starts_no_process_before_copier_writes(tmp_path):
    plain = {name: text.encode() for name, text in PLAIN_PACKAGE.items()}
    assert before_update_needed(tmp_path, plain) is False


@pytest.mark.parametrize("cause", sorted(BEFORE_HAS_WORK))
def test_the_before_update_migration_runs_for_every_file_it_has_work_on(tmp_path, cause):
    name, data = BEFORE_HAS_WORK[cause]
    files = {**{n: text.encode() for n, text in PLAIN_PACKAGE.items()}, name: data}
    assert before_update_needed(tmp_path, files) is True


def test_the_before_update_migration_runs_for_a_symlinked_file(tmp_path):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "README.md").write_text("# Shared\n")
    plain = {n: text.encode() for n, text in PLAIN_PACKAGE.items() if n != "README.md"}
    (tmp_path / "package").mkdir()
    (tmp_path / "package" / "README.md").symlink_to(tmp_path / "shared" / "README.md")
    assert before_update_needed(tmp_path, plain) is True


def test_copiers_environment_compiles_each_source_once_and_renders_it_as_before():
    from jinja2.sandbox import SandboxedEnvironment

    ours = SandboxedEnvironment(keep_trailing_newline=True, extensions=[context.TemplateContext])
    plain = SandboxedEnvironment(keep_trailing_newline=True)
    plain.filters.update(context.FILTERS)
    source = "{{ name | toml_string }} {% for v in versions %}{{ v }},{% endfor %}\n"
    assert ours.compile(source) is ours.compile(source)  # Jinja alone compiles it anew each time
    assert plain.compile(source) is not plain.compile(source)
    for name in NASTY_STRINGS:
        answers = {"name": name, "versions": ["3.11", "3.12"]}
        assert ours.from_string(source).render(answers) == plain.from_string(source).render(answers)
    # What is not a source text still fails as Jinja fails: Copier relies on the TypeError to
    # tell a list or a bool from a template.
    for value in (False, ["a"]):
        with pytest.raises(TypeError):
            ours.from_string(value)


# --- the compiled code kept per user for the next run ---------------------------------------


@pytest.fixture
def user_cache(tmp_path, monkeypatch):
    """A user whose cache folder is empty; every compile is counted (`compiles`)."""
    from jinja2.sandbox import SandboxedEnvironment

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    compiles = []
    compile_ = SandboxedEnvironment.compile

    def counted(self, source, *args, **kwargs):
        compiles.append(source)
        return compile_(self, source, *args, **kwargs)

    monkeypatch.setattr(SandboxedEnvironment, "compile", counted)
    return compiles


def checkout(root, source):
    """A fresh checkout of a template holding one file, as Copier makes for every run."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    (root / "template").mkdir(parents=True)
    (root / "template" / "README.md.jinja").write_text(source)
    return SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(root)),
        keep_trailing_newline=True,
        extensions=[context.TemplateContext],
    )


def test_the_next_run_loads_a_template_file_compiled_in_another_checkout(user_cache, tmp_path):
    source = "# {{ name | toml_string }}\n{% for v in versions %}- {{ v }}\n{% endfor %}"
    answers = {"name": 'Zoë "quoted"', "versions": ["3.11", "3.12"]}
    first = checkout(tmp_path / "one", source).get_template("template/README.md.jinja").render(answers)
    assert user_cache == [source]
    template = checkout(tmp_path / "two", source).get_template("template/README.md.jinja")
    assert template.render(answers) == first and user_cache == [source]  # not compiled again
    # Named after the file it was loaded from, in its error messages too, not the first checkout.
    assert template.filename == str(tmp_path / "two" / "template" / "README.md.jinja")
    # A changed file is compiled anew, and so is the same file under other settings.
    changed = checkout(tmp_path / "three", source + "Changed.\n").get_template("template/README.md.jinja")
    assert changed.render(answers) == first + "Changed.\n" and len(user_cache) == 2
    # Both versions keep their entry, as an update renders the old version and the new one.
    again = checkout(tmp_path / "again", source).get_template("template/README.md.jinja")
    assert again.render(answers) == first and len(user_cache) == 2
    trimmed = checkout(tmp_path / "four", "{% if yes %}\nTrimmed\n{% endif %}\n")
    trimmed.trim_blocks = True
    assert trimmed.get_template("template/README.md.jinja").render(yes=True) == "Trimmed\n"
    untrimmed = checkout(tmp_path / "five", "{% if yes %}\nTrimmed\n{% endif %}\n")
    assert untrimmed.get_template("template/README.md.jinja").render(yes=True) == "\nTrimmed\n\n"


def test_the_next_run_compiles_none_of_the_strings_an_earlier_one_did(user_cache, tmp_path):
    import gc

    strings = ["str", "{{ project_name | distribution_name_from }}", "{{ x | toml_string }}"]
    env = checkout(tmp_path / "one", "")
    first = [env.from_string(s).render(project_name="Lookup Client", x="a\\b") for s in strings]
    del env
    gc.collect()  # the environment goes away: what it compiled is kept
    assert user_cache == strings
    env = checkout(tmp_path / "two", "")
    assert [env.from_string(s).render(project_name="Lookup Client", x="a\\b") for s in strings] == first
    assert user_cache == strings


def test_no_compiled_code_is_kept_in_a_cache_folder_others_can_read(user_cache, tmp_path):
    folder = tmp_path / "cache" / "python-package-template" / "jinja"
    folder.mkdir(parents=True, mode=0o755)
    folder.chmod(0o755)
    env = checkout(tmp_path / "one", "# {{ name }}\n")
    assert env.bytecode_cache is None
    assert env.get_template("template/README.md.jinja").render(name="x") == "# x\n"
    assert list(folder.iterdir()) == []


def test_the_kept_strings_are_those_of_recent_runs_once_there_are_many(user_cache, tmp_path, monkeypatch):
    import gc

    monkeypatch.setattr(context.CompiledStrings, "LIMIT", 2)

    def run(name, strings):
        env = checkout(tmp_path / name, "")
        rendered = [env.from_string(s).render(x=1) for s in strings]
        del env
        gc.collect()
        return rendered

    assert run("one", ["a{{ x }}", "b{{ x }}", "c{{ x }}"]) == ["a1", "b1", "c1"]
    assert run("two", ["d{{ x }}"]) == ["d1"]  # four strings known: only this run's are kept
    assert run("three", ["d{{ x }}", "a{{ x }}"]) == ["d1", "a1"]
    assert user_cache == ["a{{ x }}", "b{{ x }}", "c{{ x }}", "d{{ x }}", "a{{ x }}"]


def test_a_damaged_cache_entry_is_compiled_anew_not_a_traceback(user_cache, tmp_path):
    source = "# {{ name }}\n"
    checkout(tmp_path / "one", source).get_template("template/README.md.jinja").render(name="x")
    folder = tmp_path / "cache" / "python-package-template" / "jinja"
    for entry in folder.iterdir():  # cut short, as a full disk leaves a file
        entry.write_bytes(entry.read_bytes()[:20])
    assert (
        checkout(tmp_path / "two", source).get_template("template/README.md.jinja").render(name="x")
        == "# x\n"
    )
    assert user_cache == [source, source]


def test_every_environment_of_a_run_keeps_its_strings(user_cache, tmp_path):
    """An update makes four environments, each reading the kept strings before any has saved."""
    import gc

    envs = [checkout(tmp_path / f"env{n}", "") for n in range(3)]
    for n, env in enumerate(envs):
        assert env.from_string(f"{n}{{{{ x }}}}").render(x="!") == f"{n}!"
    del env, envs
    gc.collect()
    env = checkout(tmp_path / "next", "")
    assert [env.from_string(f"{n}{{{{ x }}}}").render(x="!") for n in range(3)] == ["0!", "1!", "2!"]
    assert len(user_cache) == 3  # none compiled again
