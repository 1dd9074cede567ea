"""Packages whose metadata is in setup.cfg or setup.py: read it, and what onboarding adds.

Onboarding keeps setuptools and the metadata where it is (the wheel proof shows the wheel
the same): it adds a pyproject.toml whose [build-system] is the one the package builds with
today (PEP 517's default for a package without one), names the licence file in setup.cfg, and
lets PyPI show the README through setup.cfg's long_description. setup.py is never edited: its
metadata is read from its `setup(...)` call when that is written with plain values, and from
the wheel it builds when setup.py computes it.
"""

from __future__ import annotations

import ast
import configparser
import re
from pathlib import Path
from typing import Any

# How pip and build build a package that has no [build-system] (PEP 517's fallback), written out.
BUILD_SYSTEM = """\
# setuptools builds this package, with the metadata in {where}: this is the build pip used before
# there was a pyproject.toml (PEP 517's default), written out.
[build-system]
requires = ["setuptools>=40.8.0"]
build-backend = "setuptools.build_meta:__legacy__"
"""


def legacy_files(path: Path) -> list[str]:
    return [name for name in ("setup.cfg", "setup.py") if (path / name).is_file()]


def is_legacy(path: Path, doc: dict) -> bool:
    """Whether the package's metadata is in setup.cfg/setup.py rather than pyproject.toml."""
    from .packagefiles import has_metadata

    backend = str(doc.get("build-system", {}).get("build-backend", "setuptools"))
    return not has_metadata(doc) and backend.startswith("setuptools") and bool(legacy_files(path))


# --- reading the metadata -----------------------------------------------------------------


def _cfg_list(value: str) -> list[str]:
    return [item.strip() for item in re.split(r"[,\n]", value) if item.strip()]


def _people(names: str, emails: str) -> list[dict]:
    name_list = [n.strip() for n in names.split(",")] if names else []
    email_list = [e.strip() for e in emails.split(",")] if emails else []
    people = []
    for index in range(max(len(name_list), len(email_list))):
        person = {}
        if index < len(name_list) and name_list[index]:
            person["name"] = name_list[index]
        if index < len(email_list) and email_list[index]:
            person["email"] = email_list[index]
        people.append(person)
    return people


def _as_pep621(values: dict[str, Any]) -> dict[str, Any]:
    """setuptools' keyword names (name, author, author_email, url, python_requires, ...) as the
    PEP 621 keys the rest of onboarding reads."""
    meta: dict[str, Any] = {}
    for key in ("name", "version", "description", "license"):
        if values.get(key):
            meta[key] = str(values[key])
    classifiers = values.get("classifiers")
    if classifiers:
        meta["classifiers"] = (
            _cfg_list(classifiers.replace(",", "\n")) if isinstance(classifiers, str) else list(classifiers)
        )
    if values.get("author") or values.get("author_email"):
        meta["authors"] = _people(str(values.get("author", "")), str(values.get("author_email", "")))
    keywords = values.get("keywords")
    if keywords:
        meta["keywords"] = _cfg_list(keywords) if isinstance(keywords, str) else [str(k) for k in keywords]
    if values.get("python_requires"):
        meta["requires-python"] = str(values["python_requires"])
    urls = dict(values.get("project_urls") or {})
    if values.get("url"):
        urls.setdefault("Homepage", str(values["url"]))
    if urls:
        meta["urls"] = urls
    return meta


def setup_cfg_metadata(path: Path) -> dict[str, Any]:
    """[metadata] and [options] python_requires of setup.cfg (static values only: `attr:` and
    `file:` ones are left out)."""
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path / "setup.cfg", encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return {}
    values: dict[str, Any] = dict(parser["metadata"]) if parser.has_section("metadata") else {}
    if parser.has_option("options", "python_requires"):
        values["python_requires"] = parser.get("options", "python_requires")
    if "project_urls" in values:
        pairs = [line.split("=", 1) for line in values["project_urls"].splitlines() if "=" in line]
        values["project_urls"] = {k.strip(): v.strip() for k, v in pairs}
    values = {k.replace("-", "_"): v for k, v in values.items() if not str(v).startswith(("attr:", "file:"))}
    return _as_pep621(values)


def _setup_call(tree: ast.Module) -> ast.Call | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name == "setup":
                return node
    return None


def setup_py_metadata(path: Path) -> tuple[dict[str, Any], bool]:
    """The plain-value keywords of setup.py's `setup(...)` call, as PEP 621 keys, and whether
    setup.py could be read: False when it computes its name (or has no setup() call)."""
    try:
        tree = ast.parse((path / "setup.py").read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return {}, False
    call = _setup_call(tree)
    if call is None:
        return {}, False
    values: dict[str, Any] = {}
    for keyword in call.keywords:
        if keyword.arg is None:  # setup(**config): computed
            return {}, False
        try:
            values[keyword.arg] = ast.literal_eval(keyword.value)
        except ValueError:
            continue
    meta = _as_pep621(values)
    return meta, "name" in meta


def wheel_metadata(path: Path) -> dict[str, Any]:
    """The metadata of the wheel the package builds, as PEP 621 keys (for a setup.py that
    computes its metadata)."""
    from .proof import build_package

    built = build_package(path)
    values = {
        "name": built.one("name"),
        "version": built.one("version"),
        "description": built.one("summary"),
        "author": built.one("author"),
        "author_email": built.one("author-email"),
        "keywords": built.one("keywords"),
        "python_requires": built.one("requires-python"),
        "project_urls": dict(u.split(", ", 1) for u in built.metadata.get("project-url", []) if ", " in u),
    }
    return _as_pep621(values)


def static_metadata(path: Path) -> dict[str, Any]:
    """What setup.cfg and setup.py say without running anything, as a [project] table for the
    rule checks: the readme (setup.cfg's long_description, or setup.py's) and anything not
    written out are `dynamic`, for the built wheel to show."""
    meta = setup_py_metadata(path)[0] if (path / "setup.py").is_file() else {}
    if (path / "setup.cfg").is_file():
        meta = {**meta, **setup_cfg_metadata(path)}
    dynamic = ["readme"] + [key for key in ("version", "classifiers") if key not in meta]
    return {**meta, "dynamic": dynamic}


def legacy_metadata(path: Path) -> tuple[dict[str, Any], str, list[str]]:
    """(metadata as PEP 621 keys, where it came from, notes) for a setup.cfg/setup.py package."""
    cfg = setup_cfg_metadata(path) if (path / "setup.cfg").is_file() else {}
    if cfg.get("name"):
        return cfg, "setup.cfg [metadata]", []
    if not (path / "setup.py").is_file():
        return cfg, "setup.cfg [metadata]", []
    meta, readable = setup_py_metadata(path)
    if readable:
        return {**meta, **cfg}, "setup.py", []
    note = (
        "setup.py computes its metadata when it runs, so it cannot be read: it stays exactly as it is, and"
        " the answers come from the wheel it builds"
    )
    return {**wheel_metadata(path), **cfg}, "the built wheel (setup.py)", [note]


# --- editing setup.cfg: line by line, so that its comments and layout stay --------------------


def _section(lines: list[str], name: str) -> tuple[int, int] | None:
    """(index of the header line, index after the section's last non-blank line)."""
    start = next((i for i, line in enumerate(lines) if line.strip() == f"[{name}]"), None)
    if start is None:
        return None
    end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("[")), len(lines))
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1
    return start, end


def _option(lines: list[str], section: tuple[int, int], key: str) -> int | None:
    pattern = re.compile(rf"^{re.escape(key).replace('_', '[_-]')}\s*[=:]")
    return next((i for i in range(section[0] + 1, section[1]) if pattern.match(lines[i])), None)


def _set_options(text: str, wanted: dict[str, str], only_missing: bool) -> tuple[str, list[str]]:
    lines = text.splitlines()
    section = _section(lines, "metadata")
    if section is None:
        return text, []
    changed = []
    for key, value in wanted.items():
        index = _option(lines, section, key)
        if index is not None and (only_missing or lines[index].split("=", 1)[-1].strip() == value):
            continue
        if index is None:
            lines.insert(section[1], f"{key} = {value}")
            section = (section[0], section[1] + 1)
        else:
            lines[index] = f"{key} = {value}"
        changed.append(f"{key} = {value}")
    return "\n".join(lines) + "\n", changed


def ensure_license_files(text: str, licence_file: str = "LICENSE.txt") -> tuple[str, list[str]]:
    """setup.cfg [metadata] names the licence file: `license_files = LICENSE.txt`, in place of
    an old name (LICENSE, LICENSE.md) it listed."""
    lines = text.splitlines()
    section = _section(lines, "metadata")
    if section is None:
        return text, []
    index = _option(lines, section, "license_files")
    if index is not None:
        current = _cfg_list(lines[index].split("=", 1)[-1])
        if licence_file in current or current[1:] or not current:
            return text, []
        if current[0] not in ("LICENSE", "LICENSE.md", "LICENSE.rst"):
            return text, []
    new_text, changed = _set_options(text, {"license_files": licence_file}, only_missing=False)
    return new_text, [f"setup.cfg: {change} in [metadata]" for change in changed]


def ensure_long_description(text: str, readme: str) -> tuple[str, list[str]]:
    """setup.cfg [metadata] gives PyPI the README as the long description, when it gives none."""
    lines = text.splitlines()
    section = _section(lines, "metadata")
    if section is None or _option(lines, section, "long_description") is not None:
        return text, []
    kind = "text/markdown" if readme.lower().endswith((".md", ".markdown")) else "text/x-rst"
    wanted = {"long_description": f"file: {readme}", "long_description_content_type": kind}
    new_text, changed = _set_options(text, wanted, only_missing=True)
    return new_text, [
        f"setup.cfg: {', '.join(changed)} in [metadata], so PyPI shows the README"
    ] if changed else []
