"""Jinja filters and globals used by `copier.yml` and the files under `template/`.

Copier loads this file by path (through copier-template-extensions), once per template
version it renders, so it must stand alone: standard library, Jinja and `packaging` (a
dependency of Copier itself) only.

Every function here is pure apart from `git_config`, and each has unit tests in
`tests/test_extensions.py`. Validators return an error message, or "" when the answer is
allowed, so that `copier.yml` stays one line per validator.
"""

from __future__ import annotations

import datetime
import json
import keyword
import re
import subprocess
import sys
from email.errors import HeaderParseError
from email.headerregistry import Address

from jinja2 import Environment
from jinja2.ext import Extension
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

# The Python versions that are supported upstream (not end-of-life) today; the first one is
# the default minimum. `python_min`'s choices in copier.yml are these (a test checks).
SUPPORTED_PYTHONS = ("3.11", "3.12", "3.13", "3.14", "3.15")

MAX_DESCRIPTION_LENGTH = 200
MAX_NAME_LENGTH = 100

# PEP 508 project names, which PyPI enforces.
_PYPI_NAME = re.compile(r"^([a-z0-9]|[a-z0-9][a-z0-9._-]*[a-z0-9])$", re.IGNORECASE)
_IMPORT_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")
# The "email" format of the JSON schema Poetry validates `project.authors` with (poetry-core's
# vendored fastjsonschema, draft 4); tests/test_extensions.py checks that it is still theirs.
POETRY_EMAIL_FORMAT = r"^(?!.*\.\..*@)[^@.][^@]*(?<!\.)@[^@]+\.[^@]+\Z"
# Modules Python imports by itself at start-up (the `site` module's hooks): a package of that
# name would run in every interpreter that sees it, or never be imported.
_STARTUP_MODULES = frozenset({"sitecustomize", "usercustomize"})
_HOST = re.compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
_GITLAB_PATH = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)+$")
_TAG = re.compile(r"^v\d+\.\d+\.\d+$")
_URL = re.compile(r"^https://[a-z0-9.-]+(:\d+)?(/[^\s\"'<>\\]*)?$", re.IGNORECASE)


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


def _one_line_error(what: str, value: str, max_length: int) -> str:
    if not value.strip():
        return f"{what} is required."
    # Python's own idea of a line break, which the email parser that reads package metadata
    # shares: vertical tab, form feed, U+0085, U+2028 and U+2029 break lines too.
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


def project_name_error(value: object) -> str:
    # Any title in any script: the PyPI and import names are asked for separately, and their own
    # validators explain what to do when they cannot be derived from it.
    return _one_line_error("The project name", str(value), MAX_NAME_LENGTH)


def distribution_name_error(value: object, project_name: object = "") -> str:
    value = str(value)
    allowed = "lower-case letters, digits and single hyphens, starting and ending with a letter or digit"
    if not value and project_name and not distribution_name_from(project_name):
        return (
            f"No PyPI name can be derived from the project name '{project_name}' (it has no letter"
            f" or digit a-z, 0-9): give one, e.g. -d distribution_name=lookup-client ({allowed})."
        )
    if not value:
        return f"The PyPI name is required: {allowed}."
    if not _PYPI_NAME.match(value):
        return f"'{value}' is not a valid PyPI name: use {allowed}, e.g. 'lookup-client'."
    normalised = canonicalize_name(value)
    if value != normalised:
        return f"'{value}' is not normalised: use '{normalised}' ({allowed})."
    return ""


def package_name_error(value: object) -> str:
    value = str(value)
    if not (_IMPORT_NAME.match(value) and value.isidentifier()):
        return (
            f"'{value}' is not a valid import name: use lower-case letters, digits and underscores,"
            " not starting with a digit, e.g. 'lookup_client'."
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
    return ""


def description_error(value: object) -> str:
    value = str(value)
    return _one_line_error("The description", value, MAX_DESCRIPTION_LENGTH) or metadata_error(
        "Summary", value
    )


def author_name_error(value: object) -> str:
    value = str(value)
    error = _one_line_error("The author name", value, MAX_NAME_LENGTH)
    if not error and re.search(r"[<>@,]", value):
        error = "The author name must not contain '<', '>', '@' or ','; give the email separately."
    return error or metadata_error("Author", value)


def copyright_holder_error(value: object) -> str:
    return _one_line_error("The copyright holder", str(value), MAX_NAME_LENGTH)


def keywords_error(value: object) -> str:
    """Keywords are optional: "" (none) or words and phrases separated by commas."""
    value = str(value)
    if not value.strip():
        return ""
    for word in keyword_list(value):
        error = _one_line_error(f"The keyword '{word}'", word, MAX_NAME_LENGTH)
        if error:
            return error + " Separate keywords with commas."
    return metadata_error("Keywords", ",".join(keyword_list(value)))


def email_error(value: object) -> str:
    """An address Poetry's schema accepts that the standard library reads as one plain address
    (no display name, no quoted local part) on a host name, as PyPI wants."""
    value = str(value)
    problem = f"'{value}' is not an email address: use the form name@example.org."
    if not re.match(POETRY_EMAIL_FORMAT, value) or '"' in value:
        return problem
    try:
        address = Address(addr_spec=value)
    except (HeaderParseError, ValueError, IndexError):
        return problem
    if address.addr_spec != value or host_error(address.domain.lower()):
        return problem
    return metadata_error("Author-email", value) and problem


def version_error(value: object) -> str:
    value = str(value)
    try:
        normalised = str(Version(value))
    except InvalidVersion:
        return f"'{value}' is not a PEP 440 version: use e.g. '0.1.0' or '1.0.0rc1'."
    if normalised != value:
        return f"'{value}' is not a normalised PEP 440 version: use '{normalised}'."
    return ""


def host_error(value: object) -> str:
    value = str(value)
    if not _HOST.match(value):
        return f"'{value}' is not a host name: use lower-case letters, digits, dots and hyphens, e.g. 'gitlab.example.org'."
    return ""


def gitlab_path_error(value: object) -> str:
    value = str(value)
    if not _GITLAB_PATH.match(value) or value.endswith((".git", ".atom")):
        return (
            f"'{value}' is not a GitLab project path: use group/project, with subgroups as needed"
            " (letters, digits, '_', '-', '.'), no leading or trailing slash, e.g. 'uis/devops/lookup-client'."
        )
    return ""


def ci_file_error(value: object) -> str:
    value = str(value)
    if not re.match(r"^/[A-Za-z0-9_./-]+\.ya?ml$", value) or ".." in value:
        return f"'{value}' is not a CI file path: use an absolute path in the project ending in .yml, e.g. '/auto-devops/common-pipeline.yml'."
    return ""


def ci_ref_error(value: object) -> str:
    value = str(value)
    if not _TAG.match(value):
        return f"'{value}' is not a release tag: pin the include to a tag of the form vX.Y.Z, e.g. 'v1.2.3', never a branch."
    return ""


def url_error(value: object) -> str:
    value = str(value)
    if not _URL.match(value):
        return f"'{value}' is not an https URL: use e.g. 'https://docs.example.org/lookup-client/'."
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
    )
}
GLOBALS = {"git_config": git_config, "current_year": current_year, "today": today}


class TemplateContext(Extension):
    """Registers the filters and globals above with Copier's Jinja environment."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters.update(FILTERS)
        environment.globals.update(GLOBALS)
