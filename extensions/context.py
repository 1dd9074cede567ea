"""Jinja filters and globals used by `copier.yml` and the files under `template/`.

Copier loads this file by path (through copier-template-extensions), once per template
version it renders, so it must stand alone: standard library, Jinja and `packaging` (a
dependency of Copier itself) only.

Every function here is pure apart from `git_config`, `before_update_needed` (which reads the
package's files) and `owned_renders` (which renders the package's own files at two template
versions for the after-update migration, into Copier's checkout of the template), and each has
tests in `tests/test_extensions.py` or `tests/test_update.py`. Validators return an error message, or "" when the answer is
allowed, so that `copier.yml` stays one line per validator.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import json
import keyword
import os
import re
import subprocess
import sys
import unicodedata
from collections.abc import Callable
from typing import Any

from jinja2 import Environment, pass_environment
from jinja2.bccache import Bucket, FileSystemBytecodeCache
from jinja2.ext import Extension
from packaging.version import InvalidVersion, Version

# email.headerregistry and packaging.utils (which imports packaging.tags) are imported by the
# validators that need them: the after-update migration loads this module for its filters only.

# The Python versions that are supported upstream (not end-of-life) today; the first one is
# the default minimum. `python_min`'s choices in copier.yml are these (a test checks).
SUPPORTED_PYTHONS = ("3.11", "3.12", "3.13", "3.14", "3.15")

MAX_DESCRIPTION_LENGTH = 200
MAX_NAME_LENGTH = 100

# PEP 508 project names, which PyPI enforces. Every pattern here is matched against the whole
# answer (`re.fullmatch`: `$` would match before a final newline) and spells out the ASCII
# classes it means: no `re.IGNORECASE`, under which `ı`, `ſ` and the Kelvin sign match `i`, `s`
# and `k`, and no `\d`, which matches Arabic-Indic and other digits.
_PYPI_NAME = re.compile(r"[A-Za-z0-9]|[A-Za-z0-9][A-Za-z0-9._-]*[A-Za-z0-9]")
_IMPORT_NAME = re.compile(r"[a-z_][a-z0-9_]*")
# The "email" format of the JSON schema Poetry validates `project.authors` with (poetry-core's
# vendored fastjsonschema, draft 4); tests/test_extensions.py checks that it is still theirs.
POETRY_EMAIL_FORMAT = r"^(?!.*\.\..*@)[^@.][^@]*(?<!\.)@[^@]+\.[^@]+\Z"
# Modules Python imports by itself at start-up (the `site` module's hooks): a package of that
# name would run in every interpreter that sees it, or never be imported.
_STARTUP_MODULES = frozenset({"sitecustomize", "usercustomize"})
# The import names of the development tools in the package's `dev` group and of what they import
# (pytest's plugins and dependencies, coverage, mypy's, pre-commit's): a package of one of these
# names is installed over the tool, or the tool imports the package instead of itself.
TEST_TOOL_MODULES = frozenset(
    {
        "pytest", "_pytest", "py", "pluggy", "iniconfig", "packaging", "pygments", "colorama",
        "exceptiongroup", "tomli", "pytest_cov", "coverage", "hypothesis", "_hypothesis_pytestplugin",
        "mypy", "mypyc", "mypy_extensions", "typing_extensions", "pathspec", "librt", "ruff",
        "pre_commit", "cfgv", "identify", "nodeenv", "virtualenv", "yaml", "_yaml", "distlib",
        "filelock", "platformdirs",
        # The docs group (docs: mkdocs): MkDocs, Material and the API reference's plugins.
        "mkdocs", "material", "mkdocstrings", "mkdocstrings_handlers", "griffe", "mkdocs_gen_files",
        "mkdocs_literate_nav", "mkdocs_section_index", "mkdocs_autorefs", "pymdownx", "markdown",
    }
)  # fmt: skip
_HOST = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+")
_GITLAB_PATH = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)+")
_CI_FILE = re.compile(r"/[A-Za-z0-9_./-]+\.ya?ml")
_TAG = re.compile(r"v[0-9]+\.[0-9]+\.[0-9]+")
_URL = re.compile(r"https://[A-Za-z0-9.-]+(:[0-9]+)?(/[^\s\"'<>\\]*)?")
# Characters no answer may hold, wherever it goes: control characters (they make README.md and
# LICENSE.txt binary to git), line and paragraph separators, lone surrogates, the byte-order mark
# and the bidirectional overrides and isolates that make text read other than it is.
_INVISIBLE_FORMATS = frozenset("\ufeff\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# A description is the README's first paragraph: what CommonMark reads as anything but inline
# text there (a heading, list item, block quote, code fence, thematic break, link reference
# definition or HTML) breaks the README or takes over a template section.
_MARKDOWN_STRUCTURE = (
    (re.compile(r"#{1,6}(\s|$)"), "a heading"),
    (re.compile(r"([-+*]|[0-9]{1,9}[.)])(\s|$)"), "a list item"),
    (re.compile(r">"), "a block quote"),
    (re.compile(r"~~~"), "a code fence"),
    (re.compile(r"([-*_][ \t]*){3,}$"), "a thematic break"),
    (re.compile(r"\[[^\]]*\]:"), "a link reference definition"),
)
_MARKDOWN_ANYWHERE = (
    (re.compile(r"```"), "a code fence (three backticks)"),
    (re.compile(r"<([A-Za-z][A-Za-z0-9-]*(\s|/?>|$)|/[A-Za-z]|[!?])"), "HTML"),
)


# --- escaping: every answer that lands in a structured file goes through one of these ---


def toml_string(value: object) -> str:
    """Return `value` as a TOML basic string, quotes included, whatever it contains."""
    escapes = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
    out = []
    for char in str(value):
        if char in escapes:
            out.append(escapes[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def yaml_string(value: object) -> str:
    """Return `value` as a YAML double-quoted scalar, quotes included."""
    escapes = {
        '"': '\\"',
        "\\": "\\\\",
        "\t": "\\t",
        "\n": "\\n",
        "\r": "\\r",
        "\x85": "\\N",
        "\u2028": "\\L",
        "\u2029": "\\P",
        "\ufeff": "\\uFEFF",
    }
    out = []
    for char in str(value):
        if char in escapes:
            out.append(escapes[char])
        elif ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F:
            out.append(f"\\x{ord(char):02X}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def python_string(value: object) -> str:
    """Return `value` as a double-quoted Python string literal (JSON's escapes are Python's too)."""
    return json.dumps(str(value), ensure_ascii=False)


def python_docstring(value: object) -> str:
    """Return `value` as a triple-quoted Python string that reads as a docstring."""
    text = str(value).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    # Python source normalises a raw carriage return and refuses NUL: escape control characters.
    text = re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", lambda m: f"\\x{ord(m.group()):02x}", text)
    if text.endswith('"'):
        text = text[:-1] + '\\"'
    return '"""' + text + '"""'


# --- derived defaults ---


def distribution_name_from(project_name: object) -> str:
    """'Lookup Client' -> 'lookup-client': the normalised PyPI name for a title."""
    words = re.findall(r"[a-z0-9]+", str(project_name).lower())
    return "-".join(words)


def package_name_from(distribution_name: object) -> str:
    """'lookup-client' -> 'lookup_client': the import name for a PyPI name."""
    name = re.sub(r"[^a-z0-9]+", "_", str(distribution_name).lower()).strip("_")
    if name[:1].isdigit():
        name = "_" + name
    return name


def python_versions_from(python_min: object) -> list[str]:
    """The supported Python versions from `python_min` upwards."""
    return [v for v in SUPPORTED_PYTHONS if Version(v) >= Version(str(python_min))]


def classifiers_for(python_min: object, typed: object = True) -> list[str]:
    """The trove classifiers a new package starts with; `Typing :: Typed` only when the package
    ships the `py.typed` marker (`typed`)."""
    return [
        "Development Status :: 3 - Alpha",
        "Intended Audience :: Developers",
        "Operating System :: OS Independent",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3 :: Only",
        *(f"Programming Language :: Python :: {v}" for v in python_versions_from(python_min)),
        *(["Typing :: Typed"] if typed else []),
    ]


def keywords_from(distribution_name: object) -> str:
    """'ucam-lookup-client' -> 'ucam, lookup, client': the default keywords answer."""
    words = re.split(r"[-_.]+", str(distribution_name).lower())
    return ", ".join(dict.fromkeys(word for word in words if word))


def keyword_list(keywords: object) -> list[str]:
    """'lookup, LDAP client,' -> ['lookup', 'LDAP client']: the keywords answer as a list."""
    return [word.strip() for word in str(keywords).split(",") if word.strip()]


def git_config(key: str, fallback: str = "") -> str:
    """The value of `git config KEY`, or `fallback` when git or the key is missing."""
    try:
        result = subprocess.run(
            ["git", "config", "--get", key], capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return fallback
    return result.stdout.strip() or fallback


def current_year() -> int:
    return datetime.date.today().year


def today() -> str:
    """Today's date as Keep a Changelog writes it: 2026-11-25."""
    return datetime.date.today().isoformat()


# --- validators: "" when allowed, else what is wrong and what is allowed ---

# Python's own idea of a line break, which the email parser that reads package metadata shares:
# vertical tab, form feed, the file/group/record separators, U+0085, U+2028 and U+2029 too.
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_CHARACTER_NAMES = {"\n": "newline", "\r": "carriage return", "\t": "tab", "\x1b": "escape"}


def _character(char: str) -> str:
    return _CHARACTER_NAMES.get(char, f"U+{ord(char):04X}")


def character_error(what: str, value: str) -> str:
    """ "" when `value` holds no line break and no control or invisible formatting character
    anywhere (the rule every answer follows, wherever it goes); else which one and where."""
    for index, char in enumerate(value):
        where = "ends with" if index == len(value) - 1 else "holds"
        if char in _LINE_BREAKS:
            return f"{what} must be one line, but it {where} a line break ({_character(char)}): remove it."
        if unicodedata.category(char) in ("Cc", "Cs") or char in _INVISIBLE_FORMATS:
            return (
                f"{what} {where} a control character ({_character(char)}): use printable text only"
                " (no tab, escape, byte-order mark or bidirectional override)."
            )
    return ""


def _whole_answer(what: str) -> Callable[[Callable[..., str]], Callable[..., str]]:
    """A validator that first refuses what no answer may hold (`character_error`), then applies its
    own rule to the answer as a string."""

    def wrap(check: Callable[..., str]) -> Callable[..., str]:
        @functools.wraps(check)
        def validate(value: object, *args: object) -> str:
            text = str(value)
            return character_error(what, text) or check(text, *args)

        return validate

    return wrap


def _not_ascii(value: str) -> str:
    """ " ('ı', U+0131, is not ASCII)" for the first non-ASCII character of `value`, else ""."""
    char = next((c for c in value if not c.isascii()), None)
    return "" if char is None else f" ('{char}', U+{ord(char):04X}, is not ASCII)"


def _one_line_error(what: str, value: str, max_length: int) -> str:
    if not value.strip():
        return f"{what} is required."
    if len(value.splitlines()) > 1:
        return f"{what} must be one line; remove the line break (newline, form feed, U+2028, ...)."
    if len(value) > max_length:
        return f"{what} is {len(value)} characters long; at most {max_length} are allowed."
    if value != value.strip():
        return f"{what} must not start or end with spaces."
    return ""


def metadata_error(field: str, value: str) -> str:
    """ "" when `value` in the core metadata field `field` (as Poetry writes it into METADATA) reads
    back unchanged and passes packaging's validation, which twine and PyPI apply; else why not."""
    if value.isprintable():
        # Printable characters hold no line break, the one thing packaging refuses in these fields;
        # this keeps the slow import below (about a tenth of `copier copy`) off the usual answers.
        return ""
    from packaging.metadata import InvalidMetadata, Metadata, parse_email

    text = f"Metadata-Version: 2.4\nName: x\nVersion: 0\n{field}: {value}\n"
    raw, unparsed = parse_email(text)
    read_back = raw.get(field.lower().replace("-", "_"), "")
    if isinstance(read_back, list):
        read_back = ",".join(read_back)
    if unparsed or read_back != value:
        return f"'{value}' cannot be written as the package's {field}: it must be a single line."
    try:
        Metadata.from_raw(raw, validate=True)
    except InvalidMetadata as error:
        return f"'{value}' is not a valid {field} in the package's metadata: {error}."
    except ExceptionGroup as group:
        return f"'{value}' is not a valid {field} in the package's metadata: " + "; ".join(
            str(error) for error in group.exceptions
        )
    return ""


def markdown_error(value: str) -> str:
    """ "" when the description reads as one paragraph of text in README.md; else what Markdown
    would make of it."""
    found = next((what for pattern, what in _MARKDOWN_STRUCTURE if pattern.match(value)), None)
    found = found or next((what for pattern, what in _MARKDOWN_ANYWHERE if pattern.search(value)), None)
    if found is None:
        return ""
    return (
        f"The description opens the README, where Markdown reads '{value}' as {found}: write it as"
        " plain text (inline `code`, *emphasis* and links are fine; no heading, list, quote, code"
        " fence, '---' or HTML)."
    )


@_whole_answer("The project name")
def project_name_error(value: str) -> str:
    # Any title in any script: the PyPI and import names are asked for separately, and their own
    # validators explain what to do when they cannot be derived from it.
    return _one_line_error("The project name", value, MAX_NAME_LENGTH)


@_whole_answer("The PyPI name")
def distribution_name_error(value: str, project_name: object = "") -> str:
    allowed = (
        "ASCII lower-case letters, digits and single hyphens, starting and ending with a letter or digit"
    )
    if not value and project_name and not distribution_name_from(project_name):
        return (
            f"No PyPI name can be derived from the project name '{project_name}' (it has no letter"
            f" or digit a-z, 0-9): give one, e.g. -d distribution_name=lookup-client ({allowed})."
        )
    if not value:
        return f"The PyPI name is required: {allowed}."
    if not _PYPI_NAME.fullmatch(value):
        return f"'{value}' is not a valid PyPI name{_not_ascii(value)}: use {allowed}, e.g. 'lookup-client'."
    from packaging.utils import canonicalize_name

    normalised = canonicalize_name(value)
    if value != normalised:
        return f"'{value}' is not normalised: use '{normalised}' ({allowed})."
    return ""


@_whole_answer("The import name")
def package_name_error(value: str) -> str:
    if not (_IMPORT_NAME.fullmatch(value) and value.isidentifier()):
        return (
            f"'{value}' is not a valid import name{_not_ascii(value)}: use ASCII lower-case letters,"
            " digits and underscores, not starting with a digit, e.g. 'lookup_client'."
        )
    if keyword.iskeyword(value) or keyword.issoftkeyword(value):
        return f"'{value}' is a Python keyword; choose another import name, e.g. '{value}_lib'."
    # The language reference reserves __*__ names for Python itself: `import __main__` gives the
    # running script, never the package.
    if value.startswith("__") and value.endswith("__"):
        return f"'{value}' is a name Python reserves (__*__); choose another import name, e.g. '{value.strip('_')}_lib'."
    if value in sys.stdlib_module_names or value in sys.builtin_module_names:
        return f"'{value}' is a standard-library module; choose a name that does not shadow it, e.g. '{value}_lib'."
    if value in _STARTUP_MODULES:
        return f"'{value}' is a module Python imports by itself at start-up; choose another import name."
    if value in TEST_TOOL_MODULES:
        return (
            f"'{value}' is imported by the package's test and lint tools (pytest, coverage, mypy, ruff,"
            f" pre-commit, MkDocs and what they use); choose a name that does not shadow it, e.g. '{value.strip('_')}_lib'."
        )
    return ""


@_whole_answer("The description")
def description_error(value: str) -> str:
    return (
        _one_line_error("The description", value, MAX_DESCRIPTION_LENGTH)
        or markdown_error(value)
        or metadata_error("Summary", value)
    )


@_whole_answer("The author name")
def author_name_error(value: str) -> str:
    error = _one_line_error("The author name", value, MAX_NAME_LENGTH)
    if not error and re.search(r"[<>@,]", value):
        error = "The author name must not contain '<', '>', '@' or ','; give the email separately."
    return error or metadata_error("Author", value)


@_whole_answer("The copyright holder")
def copyright_holder_error(value: str) -> str:
    return _one_line_error("The copyright holder", value, MAX_NAME_LENGTH)


@_whole_answer("The keywords")
def keywords_error(value: str) -> str:
    """Keywords are optional: "" (none) or words and phrases separated by commas."""
    if not value.strip():
        return ""
    for word in keyword_list(value):
        error = _one_line_error(f"The keyword '{word}'", word, MAX_NAME_LENGTH)
        if error:
            return error + " Separate keywords with commas."
    return metadata_error("Keywords", ",".join(keyword_list(value)))


@_whole_answer("The email address")
def email_error(value: str) -> str:
    """An address Poetry's schema accepts that the standard library reads as one plain address
    (no display name, no quoted local part) on a host name, as PyPI wants."""
    problem = f"'{value}' is not an email address{_not_ascii(value.rpartition('@')[2])}: use the form name@example.org."
    if not re.match(POETRY_EMAIL_FORMAT, value) or '"' in value:
        return problem
    from email.errors import HeaderParseError
    from email.headerregistry import Address

    try:
        address = Address(addr_spec=value)
    except (HeaderParseError, ValueError, IndexError):
        return problem
    # Lower-cased only once it is ASCII: the Kelvin sign lower-cases to "k".
    if address.addr_spec != value or not address.domain.isascii() or host_error(address.domain.lower()):
        return problem
    return metadata_error("Author-email", value) and problem


@_whole_answer("The version")
def version_error(value: str) -> str:
    if not value.isascii():
        return f"'{value}' is not a PEP 440 version{_not_ascii(value)}: use ASCII digits, e.g. '0.1.0' or '1.0.0rc1'."
    try:
        version = Version(value)
    except InvalidVersion:
        return f"'{value}' is not a PEP 440 version: use e.g. '0.1.0' or '1.0.0rc1'."
    if str(version) != value:
        return f"'{value}' is not a normalised PEP 440 version: use '{version}'."
    if version.local is not None:
        return (
            f"'{value}' has a local version label ('+{version.local}'), which PyPI refuses:"
            f" use a public version, e.g. '{version.public}'."
        )
    return ""


@_whole_answer("The host name")
def host_error(value: str) -> str:
    if not _HOST.fullmatch(value):
        return (
            f"'{value}' is not a host name{_not_ascii(value)}: use ASCII lower-case letters, digits,"
            " dots and hyphens, e.g. 'gitlab.example.org'."
        )
    return ""


@_whole_answer("The GitLab project path")
def gitlab_path_error(value: str) -> str:
    if not _GITLAB_PATH.fullmatch(value) or value.endswith((".git", ".atom")):
        return (
            f"'{value}' is not a GitLab project path{_not_ascii(value)}: use group/project, with"
            " subgroups as needed (ASCII letters, digits, '_', '-', '.'), no leading or trailing"
            " slash, e.g. 'uis/devops/lookup-client'."
        )
    return ""


@_whole_answer("The CI file path")
def ci_file_error(value: str) -> str:
    if not _CI_FILE.fullmatch(value) or ".." in value:
        return (
            f"'{value}' is not a CI file path{_not_ascii(value)}: use an absolute path in the project"
            " (ASCII letters, digits, '_', '-', '.', '/') ending in .yml, e.g. '/auto-devops/common-pipeline.yml'."
        )
    return ""


@_whole_answer("The CI tag")
def ci_ref_error(value: str) -> str:
    if not _TAG.fullmatch(value):
        return (
            f"'{value}' is not a release tag{_not_ascii(value)}: pin the include to a tag of the form"
            " vX.Y.Z (ASCII digits), e.g. 'v1.2.3', never a branch."
        )
    return ""


@_whole_answer("The URL")
def url_error(value: str) -> str:
    if not _URL.fullmatch(value):
        return (
            f"'{value}' is not an https URL{_not_ascii(value.partition('://')[2].split('/', 1)[0])}:"
            " use https:// and an ASCII host name, e.g. 'https://docs.example.org/lookup-client/'."
        )
    return ""


# --- the documentation site on GitLab Pages ---


def pages_domain_from(gitlab_host: object) -> str:
    """The GitLab server's Pages domain, as a guess from its host: gitlab.com's is gitlab.io;
    a self-hosted 'gitlab.example.org' -> 'pages.example.org', any other host gets 'pages.' in
    front. Only the server's administrators know it for sure (Settings > Pages shows it)."""
    host = str(gitlab_host).lower()
    if host == "gitlab.com":
        return "gitlab.io"
    return "pages." + host.removeprefix("gitlab.")


def pages_url(gitlab_project_path: object, pages_domain: object) -> str:
    """GitLab Pages' default URL for a project: 'uis/devops/lookup' on 'pages.example.org' ->
    'https://uis.pages.example.org/devops/lookup/' (the top-level group is the host name).
    "" when the group cannot be a host name (a '.' or '_' in it): GitLab then serves the site
    at a unique domain of the project's, which only Settings > Pages shows."""
    top, _, rest = str(gitlab_project_path).partition("/")
    if not re.fullmatch(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?", top.lower()):
        return ""
    return f"https://{top.lower()}.{str(pages_domain).lower()}/{rest}/"


def documentation_url_from(docs: object, gitlab_host: object, gitlab_project_path: object) -> str:
    """The default `documentation_url`: the site's GitLab Pages URL with `docs: mkdocs` (the
    Pages domain guessed from the host), else, or when there is no such URL, the README."""
    site = pages_url(gitlab_project_path, pages_domain_from(gitlab_host)) if docs == "mkdocs" else ""
    return site or f"https://{gitlab_host}/{gitlab_project_path}/-/blob/main/README.md"


def api_reference_url(documentation_url: object) -> str:
    """The API reference's page on the site at `documentation_url` (its query and fragment
    dropped): 'https://uis.pages.example.org/devops/lookup/' -> '.../devops/lookup/reference/'."""
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(str(documentation_url))
    path = parts.path if parts.path.endswith("/") else parts.path + "/"
    return urlunsplit((parts.scheme, parts.netloc, path + "reference/", "", ""))


# The files `migrate.py before` reads: the ones the package owns (it refuses an update they cannot
# take) besides every file the template renders (it stages their plain text when CRLF or BOM).
_OWNED = ("README.md", "pyproject.toml")
_NOT_PLAIN = (b"\r", b"<<<<<<<", b">>>>>>>")


def before_update_needed(project_dir: object, template_dir: object, answers_file: object) -> bool:
    """Whether `migrate.py before` may have anything to refuse or stage in the package at
    `project_dir` for the template files under `template_dir` (its `_subdirectory`): copier.yml
    starts that process only then, as starting Python costs more than this look. When in doubt it
    says yes, and the migration decides: any symlink, byte-order mark, carriage return or
    conflict-marker-like run of `<` or `>` in those files, an owned file that is not UTF-8, or a
    pyproject.toml that is not valid TOML."""
    from pathlib import Path

    project, template = Path(str(project_dir)), Path(str(template_dir))
    if not template.is_dir():
        return True
    names = {*_OWNED, str(answers_file)}
    names.update(p.relative_to(template).as_posix().removesuffix(".jinja") for p in template.rglob("*"))
    for name in sorted(names):
        path = project / name
        if path.is_symlink():
            return True
        if not path.is_file():
            continue
        data = path.read_bytes()
        if data.startswith(b"\xef\xbb\xbf") or any(mark in data for mark in _NOT_PLAIN):
            return True
        if name in _OWNED:
            try:
                import tomllib

                text = data.decode("utf-8")
                if name == "pyproject.toml":
                    tomllib.loads(text)
            except (ImportError, UnicodeDecodeError, ValueError):  # TOMLDecodeError is a ValueError
                return True
    return False


def _beside(module: str) -> Any:
    """python_package_template/<module>.py beside this file, loaded by path (Copier loads this
    file so, not as part of a package); such modules need the standard library only."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parent / "python_package_template" / f"{module}.py"
    spec = importlib.util.spec_from_file_location(f"python_package_template_{module}", path)
    module_ = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module_)  # type: ignore[union-attr]
    return module_


@pass_environment
def owned_renders(
    environment: Environment,
    answers: object,
    template_dir: object,
    old_ref: object,
    project_dir: object,
    answers_file: object,
) -> str:
    """For the after-update migration (see copier.yml): README.md and pyproject.toml as the
    version updated from renders them with the answers committed at HEAD, and as this version
    renders them with `answers`, in Copier's own environment, written as JSON into Copier's
    checkout of the template (which Copier deletes when it is done); the file's path. The
    migration then need not import Jinja, most of its time. Never raises, since Copier has
    already written the update when it renders the migration's command: on any error it
    returns "", and the migration renders them itself (and refuses what it cannot)."""
    from pathlib import Path

    try:
        import yaml

        owned = _beside("owned_files")
        shown = subprocess.run(
            ["git", "show", f"HEAD:./{answers_file}"],
            cwd=str(project_dir),
            capture_output=True,
            text=True,
            check=True,
        )
        old_answers = yaml.safe_load(shown.stdout)
        new_answers = dict(answers)  # type: ignore[call-overload]
        renders = owned.changed_renders(
            lambda: environment, Path(str(template_dir)), str(old_ref), old_answers, new_answers
        )
        found = {
            "old_answers": owned.public(old_answers),
            "answers": owned.public(new_answers),
            "renders": renders,
        }
        path = Path(str(template_dir)) / ".owned-renders.json"
        # A new file, the user's only, and never through a symlink the checkout might hold.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        with os.fdopen(os.open(path, flags, 0o600), "w", encoding="utf-8") as file:
            json.dump(found, file)
    except Exception:  # noqa: BLE001 (the migration renders them itself, and says what fails)
        return ""
    return str(path)


FILTERS = {
    f.__name__: f
    for f in (
        toml_string,
        yaml_string,
        python_string,
        python_docstring,
        distribution_name_from,
        package_name_from,
        python_versions_from,
        classifiers_for,
        keywords_from,
        keyword_list,
        project_name_error,
        distribution_name_error,
        package_name_error,
        description_error,
        author_name_error,
        copyright_holder_error,
        keywords_error,
        email_error,
        version_error,
        host_error,
        gitlab_path_error,
        ci_file_error,
        ci_ref_error,
        url_error,
        pages_domain_from,
        pages_url,
        documentation_url_from,
        api_reference_url,
        before_update_needed,
        owned_renders,
    )
}
GLOBALS = {"git_config": git_config, "current_year": current_year, "today": today}


class TemplateContext(Extension):
    """Registers the filters and globals above with Copier's Jinja environment, and has it
    compile each source once (`compiling_once`), keeping the compiled code per user
    (`CompiledStrings`, `TemplateBytecodeCache`) for the next run."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters.update(FILTERS)
        environment.globals.update(GLOBALS)
        folder = _beside("user_cache").private_folder("jinja")
        strings = CompiledStrings(folder) if folder else None
        environment.compile = compiling_once(environment, strings)  # type: ignore[method-assign]
        if strings is not None:
            import weakref

            weakref.finalize(environment, strings.save)  # when it goes away, or at exit
        if environment.bytecode_cache is None and folder is not None:
            environment.bytecode_cache = TemplateBytecodeCache(str(folder))


def compiling_once(environment: Environment, strings: CompiledStrings | None = None) -> Callable[..., Any]:
    """`environment.compile` that compiles a source text once and then hands back the same code.

    Copier renders every string of copier.yml through `from_string`, which compiles it anew each
    time: a question's type, default and validator, each choice, each path, over and over while
    it asks, validates and renders (about 470 compiles for an update of this template, half its
    questions' time). The code Jinja compiles depends only on the environment and the source, and
    a code object is never changed, so handing back the same one renders exactly the same text.
    Such strings (no name, no file) come from `strings`, when given, if an earlier run compiled
    them. Anything that is not a source text (an AST, or a value Copier tries and falls back on
    when it raises TypeError) goes to Jinja as before."""
    compile_ = environment.compile
    compiled: dict[tuple[Any, ...], Any] = {}

    def compile_once(
        source: Any,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if not isinstance(source, str):
            return compile_(source, name, filename, raw, defer_init)
        key = (source, name, filename, raw, defer_init)
        if key not in compiled:
            kept = strings if name is None and filename is None and not raw else None
            code = kept.get(environment, source, defer_init) if kept else None
            if code is None:
                code = compile_(source, name, filename, raw, defer_init)
                if kept:
                    kept.add(source, defer_init, code)
            compiled[key] = code
        return compiled[key]

    return compile_once


class CompiledStrings:
    """The code compiled for copier.yml's strings (sources with no name and no file), kept in one
    file per environment (`fingerprint`): read when first needed, and written back whole (under
    a temporary name, then renamed) when the environment goes away, if it compiled any new one.
    About 140 strings, 18 ms of a `copier copy`."""

    LIMIT = 1024  # entries: a run of this template compiles about 150; past it, only this run's are kept

    def __init__(self, folder: Any) -> None:
        self.folder = folder
        self.path: Any = None
        self.known: dict[tuple[str, bool], Any] = {}
        self.new: dict[tuple[str, bool], Any] = {}
        self.used: set[tuple[str, bool]] = set()

    def get(self, environment: Environment, source: str, defer_init: bool) -> Any:
        if self.path is None:
            import hashlib

            key = hashlib.sha256(fingerprint(environment, "<string>").encode()).hexdigest()
            self.path = self.folder / f"strings-{key}.marshal"
            self.known = self._read()
        code = self.known.get((source, defer_init))
        if code is not None:
            self.used.add((source, defer_init))
        return code

    def add(self, source: str, defer_init: bool, code: Any) -> None:
        self.new[source, defer_init] = code

    def _read(self) -> dict[tuple[str, bool], Any]:
        import marshal

        try:
            loaded = marshal.loads(self.path.read_bytes())
        except (OSError, EOFError, ValueError, TypeError):
            loaded = {}
        return loaded if isinstance(loaded, dict) else {}

    def save(self) -> None:
        if not self.new or self.path is None:
            return
        import marshal
        import os
        import tempfile

        file = None
        try:
            with tempfile.NamedTemporaryFile(
                dir=self.folder, prefix=self.path.name, suffix=".tmp", delete=False
            ) as file:
                # What other environments (an update has four) saved since this one read it stays.
                kept = {**self._read(), **self.known, **self.new}
                if len(kept) > self.LIMIT:  # the strings of templates no longer rendered go
                    kept = {key: code for key, code in kept.items() if key in self.used or key in self.new}
                file.write(marshal.dumps(kept))
            os.replace(file.name, self.path)
        except OSError:  # another run's copy serves as well; this one's is only lost time
            if file is not None:
                with contextlib.suppress(OSError):
                    os.remove(file.name)
        self.known, self.new = {**self.known, **self.new}, {}


class TemplateBytecodeCache(FileSystemBytecodeCache):
    """Jinja's own bytecode cache for the template's files (README.md.jinja, ...), kept per user,
    so that a render loads each file's compiled code rather than compiling it again (about
    18 ms of a `copier copy`, three times that in an update). Jinja keys its cache by the
    file's path, and Copier renders from a fresh checkout each time; this one keys it by the
    file's name in the template, its source's checksum (which Jinja checks again before using
    an entry) and everything about the environment that shapes the code Jinja compiles
    (`fingerprint`): a changed file, another Jinja or Python, or other settings compile anew,
    and the old and new versions of a file in an update each keep their entry. Entries
    are written whole under a temporary name and renamed (Jinja's FileSystemBytecodeCache), in
    a folder of the user's own that only the user can read (else there is no cache)."""

    def get_bucket(self, environment: Environment, name: str, filename: str | None, source: str) -> Any:
        """Jinja's get_bucket, with the key above: the two versions of a file an update renders
        keep an entry each."""
        import hashlib

        checksum = self.get_source_checksum(source)
        key = hashlib.sha256(f"{fingerprint(environment, name)}\n{checksum}".encode()).hexdigest()
        bucket = Bucket(environment, key, checksum)
        self.load_bytecode(bucket)
        if bucket.code is not None and filename is not None:  # compiled from another checkout
            bucket.code = _with_filename(bucket.code, filename)
        return bucket

    def load_bytecode(self, bucket: Any) -> None:
        """A damaged entry (cut short by a full disk, say) is no entry: compiled anew, not a
        traceback (Jinja reads some truncations so)."""
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001
            bucket.reset()


def fingerprint(environment: Environment, name: str) -> str:
    """The template file `name` and everything about `environment` that shapes the code Jinja
    compiles for it, as text: the same text, the same code for the same source."""
    import jinja2

    def named(value: Any) -> str:
        if not callable(value):
            return repr(value)
        return f"{value.__module__}.{value.__qualname__}:{getattr(value, 'jinja_pass_arg', '')}"

    autoescape = environment.autoescape(name) if callable(environment.autoescape) else environment.autoescape
    settings = [
        name,
        sys.version,
        sys.implementation.cache_tag,
        jinja2.__version__,
        named(type(environment)),
        named(environment.code_generator_class),
        named(environment.context_class),
        named(environment.finalize),
        repr(autoescape),
        *(
            repr(getattr(environment, key, None))
            for key in (
                "block_start_string",
                "block_end_string",
                "variable_start_string",
                "variable_end_string",
                "comment_start_string",
                "comment_end_string",
                "line_statement_prefix",
                "line_comment_prefix",
                "trim_blocks",
                "lstrip_blocks",
                "newline_sequence",
                "keep_trailing_newline",
                "optimized",
                "is_async",
            )
        ),
        repr(sorted(getattr(environment, "intercepted_binops", ()))),
        repr(sorted(getattr(environment, "intercepted_unops", ()))),
        repr(sorted(named(type(extension)) for extension in environment.extensions.values())),
    ]
    return "\n".join(settings)


def _with_filename(code: Any, filename: str) -> Any:
    """`code` (and the code of every function in it) as compiled from `filename`: Jinja names
    the template's file after its code, in its error messages too."""
    from types import CodeType

    consts = tuple(_with_filename(c, filename) if isinstance(c, CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)
