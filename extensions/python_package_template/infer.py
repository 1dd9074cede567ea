"""Infer the template's answers from what an existing package already has.

Every inferred answer comes with where it came from, so the user can judge it. Nothing here
changes the package. Answers it cannot find are left out: the template's default applies.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .packagefiles import (
    LICENCE_NAMES,
    ci_includes,
    find_licence_file,
    find_readme,
    load_answers,
    load_ci,
    pyproject_bom_error,
    pyproject_metadata,
    requires_python,
)
from .setuptools_legacy import is_legacy, legacy_files, legacy_metadata
from .template_source import ANSWERS_FILE


class NotAPackage(Exception):
    """The directory is not a Python package that onboarding can work on."""


@dataclass
class Inferred:
    answers: dict[str, str] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # answer -> where it was found
    notes: list[str] = field(default_factory=list)

    def set(self, name: str, value: Any, source: str) -> None:
        if value is None:
            return
        value = str(value).strip()
        if value and name not in self.answers:
            self.answers[name] = value
            self.sources[name] = source


def git_output(path: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", *args], cwd=path, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False
    )
    return result.stdout.strip() if result.returncode == 0 else ""


def require_package(path: Path) -> None:
    """Raise NotAPackage unless `path` is a directory in a git work tree with a pyproject.toml."""
    if not path.is_dir():
        raise NotAPackage(f"{path} is not a directory.")
    if not (path / "pyproject.toml").is_file() and not legacy_files(path):
        raise NotAPackage(
            f"{path} is not a Python package: it has no pyproject.toml, setup.cfg or setup.py."
            " Onboarding works on Python packages."
        )
    if git_output(path, "rev-parse", "--is-inside-work-tree") != "true":
        raise NotAPackage(
            f"{path} is not a git checkout; onboarding needs git (to rename files and for copier update)."
        )
    if bom := pyproject_bom_error(path):
        raise NotAPackage(bom)


# --- git remote -> GitLab host and project path ---

_REMOTE_PATTERNS = (
    re.compile(r"^[a-z+]+://(?:[^@/]+@)?(?P<host>[^/:]+)(?::\d+)?/(?P<path>.+?)(?:\.git)?/?$", re.I),
    re.compile(r"^(?:[^@/]+@)?(?P<host>[^/:]+):(?P<path>[^/].+?)(?:\.git)?/?$"),  # scp-like git@host:path
)


def parse_remote(url: str) -> tuple[str, str] | None:
    """('gitlab.example.org', 'group/sub/project') from an https, ssh or scp-like git URL
    (credentials in the URL are dropped, never shown)."""
    for pattern in _REMOTE_PATTERNS:
        match = pattern.match(url.strip())
        if match and "/" in match["path"]:
            return match["host"].lower(), match["path"].strip("/")
    return None


def _first_author(authors: Any) -> tuple[str | None, str | None]:
    for author in authors or []:
        if isinstance(author, dict):
            return author.get("name"), author.get("email")
        match = re.match(r"^\s*([^<]*?)\s*(?:<([^>]+)>)?\s*$", str(author))
        if match:
            return match[1] or None, match[2]
    return None, None


def python_min_from(requirement: str, choices: tuple[str, ...]) -> tuple[str | None, str]:
    """The supported Python the package's requirement starts at (clamped to the choices)."""
    lows = []
    for match in re.finditer(r"(>=|>|\^|~=|~|==)?\s*3\.(\d+)", requirement or ""):
        operator, minor = match[1] or "==", int(match[2])
        if operator == ">":
            minor += 1
        lows.append(minor)
    if not lows:
        return None, ""
    wanted = f"3.{min(lows)}"
    if not choices or wanted in choices:
        return wanted, ""
    supported = sorted(choices, key=Version)
    if Version(wanted) < Version(supported[0]):
        return supported[0], (
            f"the package allows Python {wanted}, which is no longer supported upstream; the template's"
            f" answer is {supported[0]} (requires-python in pyproject.toml is left as it is)"
        )
    return supported[-1], ""


def _readme_title_and_summary(text: str) -> tuple[str | None, str | None]:
    lines = text.splitlines()
    title = None
    start = 0
    for i, line in enumerate(lines):
        if line.startswith("# "):
            title, start = line[2:].strip(), i + 1
            break
        if i + 1 < len(lines) and line.strip() and re.match(r"^=+\s*$", lines[i + 1]):
            title, start = line.strip(), i + 2
            break
        if line.strip() and not line.startswith(("[!", "![", "<", "[![")):
            break
    paragraph: list[str] = []
    for line in lines[start:]:
        stripped = line.strip()
        if not stripped:
            if paragraph:
                break
            continue
        if stripped.startswith(("#", "![", "[![", "<", "```", "=", "-", "|", ">")):
            if paragraph:
                break
            continue
        paragraph.append(stripped)
    summary = " ".join(paragraph) or None
    if summary and len(summary) > 200:
        first = re.match(r"^(.{20,200}?[.!?])(\s|$)", summary)
        summary = first[1] if first else None
    if title:
        # Markdown markup goes (code, emphasis, links); underscores inside names stay.
        title = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", title)
        title = re.sub(r"(?<![\w])(\*{1,2}|_{1,2})(\S(?:.*?\S)?)\1(?![\w])", r"\2", title)
        title = title.replace("`", "").strip() or None
    return title, summary


# The template's `description` answer is at most this long (PyPI accepts 512: a package's own
# published summary is kept in its pyproject.toml whatever its length).
MAX_TEMPLATE_SUMMARY = 200


def template_summary(summary: str) -> str:
    """The package's summary as the template's answer: itself when short enough, else its first
    sentence, else its first words."""
    if len(summary) <= MAX_TEMPLATE_SUMMARY:
        return summary
    sentence = re.match(rf"^(.{{20,{MAX_TEMPLATE_SUMMARY}}}?[.!?])(\s|$)", summary)
    if sentence:
        return sentence[1]
    cut = summary[: MAX_TEMPLATE_SUMMARY - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


def infer_answers(path: Path, python_choices: tuple[str, ...] = ()) -> Inferred:
    """What the template's questions would be answered with, judging by the package at `path`."""
    require_package(path)
    inferred = Inferred()

    # A package made from (or onboarded to) the template already says.
    recorded, problem = load_answers(path)
    if problem:  # an empty one, or one without _commit, is written anew
        raise NotAPackage(f"{path}: {problem}")
    if recorded is not None:
        for name, value in recorded.items():
            if not name.startswith("_"):
                inferred.set(name, value, ANSWERS_FILE)

    pyproject = path / "pyproject.toml"
    doc = tomlkit.parse(pyproject.read_text(encoding="utf-8")).unwrap() if pyproject.is_file() else {}
    meta, where = pyproject_metadata(doc)
    if is_legacy(path, doc):  # setuptools with its metadata in setup.cfg / setup.py
        meta, where, notes = legacy_metadata(path)
        inferred.notes += notes
        doc = {**doc, "project": meta}

    if meta.get("name"):
        inferred.set("distribution_name", canonicalize_name(str(meta["name"])), f"{where}.name")
    if meta.get("description"):
        summary = " ".join(str(meta["description"]).split())
        answer = template_summary(summary)
        inferred.set("description", answer, f"{where}.description")
        if answer != summary:
            inferred.notes.append(
                f"the package's summary ({len(summary)} characters) stays in pyproject.toml as PyPI shows it; the"
                f" template's `description` answer, at most {MAX_TEMPLATE_SUMMARY} characters, is {answer!r}"
            )
    keywords = meta.get("keywords")
    if keywords and isinstance(keywords, list):
        inferred.set("keywords", ", ".join(str(word) for word in keywords), f"{where}.keywords")
    name, email = _first_author(meta.get("authors") or meta.get("maintainers"))
    if name and "," in name:
        inferred.notes.append(
            f"the author {name!r} stays in pyproject.toml as it is; the template's `author_name` answer takes"
            " no commas, so it is given without them"
        )
        name = " ".join(name.replace(",", " ").split())
    inferred.set("author_name", name, f"{where}.authors")
    inferred.set("author_email", email, f"{where}.authors")
    if meta.get("version"):
        try:
            inferred.set("initial_version", str(Version(str(meta["version"]))), f"{where}.version")
        except InvalidVersion:
            inferred.notes.append(
                f"version {meta['version']!r} is not PEP 440; the template's default is used"
            )
    requirement = requires_python(doc)
    python_min, note = python_min_from(str(requirement or ""), python_choices)
    if "python_min" not in inferred.answers:
        inferred.set(
            "python_min",
            python_min,
            f"{where}.requires-python" if where != "[tool.poetry]" else "python dependency",
        )
        if note:
            inferred.notes.append(note)

    # The import package: where its code is.
    package_dirs = find_import_packages(path, doc)
    if package_dirs:
        inferred.set(
            "package_name", package_dirs[0].name.removesuffix(".py"), f"{package_dirs[0].relative_to(path)}"
        )
        in_src = package_dirs[0].is_dir() and package_dirs[0].parent == path / "src"
        inferred.set(
            "package_layout", "src" if in_src else "flat", f"{package_dirs[0].relative_to(path)} (its code)"
        )
    else:
        inferred.set("package_layout", "flat", "no code found")

    # The template's strict settings would change how the package's tests and lint run: an
    # existing package keeps its own (the report says how to take the template's).
    inferred.set("test_settings", "own", "an existing package keeps its own")
    inferred.set("lint_settings", "own", "an existing package keeps its own")

    urls = {str(k).lower(): str(v) for k, v in (meta.get("urls") or {}).items()}
    for key in ("homepage", "documentation", "repository"):
        if where == "[tool.poetry]" and meta.get(key):
            urls.setdefault(key, str(meta[key]))
    for key in ("documentation", "docs"):
        if urls.get(key, "").startswith("https://"):
            inferred.set("documentation_url", urls[key], f"{where} documentation URL")

    # A documentation site of its own is kept as it is; the template adds one only when asked.
    has_site = (path / "mkdocs.yml").is_file()
    inferred.set("docs", "mkdocs" if has_site else "none", "mkdocs.yml" if has_site else "no mkdocs.yml")

    readme = find_readme(path, doc)
    if readme and readme.suffix.lower() in (".md", ".markdown", ".rst", ".txt", ""):
        title, summary = _readme_title_and_summary(readme.read_text(encoding="utf-8", errors="replace"))
        inferred.set("project_name", title, f"{readme.name} title")
        inferred.set("description", summary, f"{readme.name} first paragraph")

    licence = find_licence_file(path)
    if licence:
        text = licence.read_text(encoding="utf-8", errors="replace")
        from .edits import is_mit_license

        inferred.set("license", "MIT" if is_mit_license(text) else "other", f"{licence.name}")
        match = re.search(
            r"^\s*Copyright\s*(?:\(c\)|©)?\s*(?:\d{4}(?:\s*[-–,]\s*\d{4})*,?)?\s*(?:by\s+)?(.+?)\.?\s*(?:All rights reserved\.?)?\s*$",
            text,
            re.I | re.M,
        )
        if match and not re.search(r"\[|\{|<year>|yyyy", match[1], re.I):
            inferred.set("copyright_holder", match[1].strip(), f"{licence.name} copyright line")

    ci = load_ci(path)
    for include in ci_includes(ci):
        if str(include.get("file", "")).endswith("common-pipeline.yml") or "ci-templates" in str(
            include.get("project", "")
        ):
            inferred.set("ci_include_project", include.get("project"), ".gitlab-ci.yml include")
            inferred.set("ci_include_file", include.get("file"), ".gitlab-ci.yml include")
            ref = str(include.get("ref") or "")
            if re.match(r"^v\d+\.\d+\.\d+$", ref):
                inferred.set("ci_include_ref", ref, ".gitlab-ci.yml include")
            else:
                inferred.notes.append(
                    f".gitlab-ci.yml includes the common pipeline at {ref or 'its default branch'!r}, not a release tag"
                )
            break

    remote = git_output(path, "remote", "get-url", "origin") or next(
        (git_output(path, "remote", "get-url", r) for r in git_output(path, "remote").split()), ""
    )
    parsed = parse_remote(remote) if remote else None
    if parsed is None:
        for key in ("repository", "homepage", "source"):
            if urls.get(key, "").startswith("https://"):
                parsed = parse_remote(urls[key])
                if parsed:
                    break
    if parsed:
        inferred.set("gitlab_host", parsed[0], "git remote" if remote else "project URLs")
        inferred.set("gitlab_project_path", parsed[1], "git remote" if remote else "project URLs")
        if parsed[0] == "github.com":  # the template's default is a GitLab path
            inferred.set("documentation_url", f"https://github.com/{parsed[1]}#readme", "git remote (GitHub)")
    if "project_name" not in inferred.answers and meta.get("name"):
        words = re.split(r"[-_.\s]+", str(meta["name"]))
        inferred.set("project_name", " ".join(w.capitalize() for w in words if w), f"{where}.name")

    # A package that names no author gets the template's default, the team, as a new package does:
    # not the git identity of whoever happens to onboard it.
    if "copyright_holder" not in inferred.answers and "author_name" in inferred.answers:
        inferred.set("copyright_holder", inferred.answers["author_name"], inferred.sources["author_name"])
    return inferred


def find_import_packages(path: Path, doc: dict | None = None) -> list[Path]:
    """The package's importable top-level packages (or modules), best guess first."""
    found: list[Path] = []
    poetry = (doc or {}).get("tool", {}).get("poetry", {})
    for entry in poetry.get("packages", []) or []:
        if isinstance(entry, dict) and entry.get("include"):
            candidate = path / entry.get("from", "") / entry["include"]
            if candidate.exists():
                found.append(candidate)
    skip = {"tests", "test", "docs", "doc", "examples", "scripts", "build", "dist", "venv", ".venv"}
    for base in (path / "src", path):
        if not base.is_dir():
            continue
        for child in sorted(base.iterdir()):
            if child.name.startswith((".", "_")) or child.name in skip:
                continue
            if child.is_dir() and (child / "__init__.py").is_file() and child not in found:
                found.append(child)
        if base.name == "src":
            for child in sorted(base.glob("*.py")):
                if child not in found:
                    found.append(child)
        if found:
            break
    # The one named like the distribution is the package; other directories with an
    # __init__.py beside it (benchmarks, tools) are not.
    name = str((doc or {}).get("project", {}).get("name") or poetry.get("name") or "")
    wanted = re.sub(r"[^a-z0-9]+", "_", name.lower())
    named = [p for p in found if p.name.removesuffix(".py") == wanted]
    return named if named and not poetry.get("packages") else found


__all__ = [
    "Inferred",
    "NotAPackage",
    "infer_answers",
    "find_import_packages",
    "parse_remote",
    "LICENCE_NAMES",
]
