"""The files a package owns that the template still renders, where a template version keeps its
files, and those files as two template versions render them: what both migration stages and
Copier's own process (extensions/context.py, `owned_renders`) need, without importing the merges.

Standard library only: Copier's process loads this file by path, and so does the migration.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

# README.md and pyproject.toml: never text-merged; the template's changes arrive structurally.
OWNED_FILES = ("README.md", "pyproject.toml")


def subdirectory(copier_yml: str | None) -> str:
    """The `_subdirectory` a copier.yml renders from ("" for the repository's root)."""
    found = re.search(r"^_subdirectory:\s*[\"']?([^\"'\n#]+?)[\"']?\s*(#.*)?$", copier_yml or "", re.M)
    return found[1].strip() if found else ""


def template_root(template_dir: Path) -> Path:
    """Where the checkout of a template at `template_dir` keeps the files it renders: its
    copier.yml's `_subdirectory`."""
    config = template_dir / "copier.yml"
    return template_dir / subdirectory(config.read_text(encoding="utf-8") if config.is_file() else None)


class RenderError(Exception):
    """The template's version of an owned file cannot be rendered."""


def git_blobs(repo: Path, objects: Iterable[str]) -> dict[str, bytes | None]:
    """{"REV:PATH": its bytes, or None when it is missing or not a file}, read with one `git
    cat-file --batch`; raises subprocess.CalledProcessError when git cannot read `repo`."""
    objects = list(objects)
    out = subprocess.run(
        ["git", "-C", str(repo), "cat-file", "--batch"],
        input="".join(f"{name}\n" for name in objects).encode(),
        capture_output=True,
        check=True,
    ).stdout
    blobs: dict[str, bytes | None] = {}
    at = 0
    for name in objects:
        end = out.index(b"\n", at)
        header = out[at:end].split()  # "<object> <type> <size>", or "<name> missing"
        at = end + 1
        if header[-1] in (b"missing", b"ambiguous"):
            blobs[name] = None
            continue
        size = int(header[2])
        blobs[name] = out[at : at + size] if header[1] == b"blob" else None
        at += size + 1
    return blobs


def _git_texts(repo: Path, names: Iterable[str]) -> dict[str, str | None]:
    """git_blobs, as text; RenderError when git cannot read the template's history."""
    try:
        blobs = git_blobs(repo, names)
    except subprocess.CalledProcessError as error:
        raise RenderError(
            f"cannot read the template's history in {repo}: {error.stderr.decode().strip()}"
        ) from None
    return {name: None if blob is None else blob.decode("utf-8") for name, blob in blobs.items()}


def templates_at(template_dir: Path, old_ref: str) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """({owned file: template source at old_ref}, {... in the checkout at template_dir})."""
    blobs = _git_texts(template_dir, [f"{old_ref}:copier.yml", f"{old_ref}:copier.yaml"])
    old_sub = subdirectory(blobs[f"{old_ref}:copier.yml"] or blobs[f"{old_ref}:copier.yaml"])
    root = template_root(template_dir)
    old_paths = {name: "/".join(p for p in (old_sub, f"{name}.jinja") if p) for name in OWNED_FILES}
    old_blobs = _git_texts(template_dir, [f"{old_ref}:{path}" for path in old_paths.values()])
    old = {name: old_blobs[f"{old_ref}:{path}"] for name, path in old_paths.items()}
    new = {}
    for name in OWNED_FILES:
        path = root / f"{name}.jinja"
        new[name] = path.read_text(encoding="utf-8") if path.is_file() else None
    return old, new


def render_owned(
    jinja_env: Any,
    templates: dict[str, str | None],
    answers: dict[str, Any],
    compiled: dict[str, Any] | None = None,
) -> dict[str, str | None]:
    """{owned file: its text} from {owned file: its template source}. `compiled` ({source: its
    compiled template}), when given, is shared between calls: compiling is most of the cost."""
    context = public(answers)
    compiled = {} if compiled is None else compiled
    rendered: dict[str, str | None] = {}
    for name, source in templates.items():
        if source is None:
            rendered[name] = None
            continue
        try:
            if source not in compiled:
                compiled[source] = jinja_env.from_string(source)
            rendered[name] = compiled[source].render(**context)
        except Exception as error:  # an old version's template the new filters cannot render
            raise RenderError(
                f"cannot render the template's {name}: {type(error).__name__}: {error}"
            ) from None
    return rendered


def public(answers: dict[str, Any]) -> dict[str, Any]:
    """The answers a template renders with: Copier's own (`_commit`, `_src_path`) left out."""
    return {key: value for key, value in answers.items() if not key.startswith("_")}


def changed_renders(
    jinja_env: Callable[[], Any],
    template_dir: Path,
    old_ref: str,
    old_answers: dict[str, Any],
    new_answers: dict[str, Any],
) -> dict[str, tuple[str | None, str | None]]:
    """{owned file: (as old_ref renders it with old_answers, as template_dir renders it with
    new_answers)} for each owned file whose template source or answers changed; a file whose
    source and answers are both unchanged renders alike in both versions, so it is left out,
    and when none is left `jinja_env` (called only when something is to be rendered) is not.
    Raises RenderError."""
    old_sources, new_sources = templates_at(template_dir, old_ref)
    same_answers = public(old_answers) == public(new_answers)
    changed = [name for name in OWNED_FILES if not same_answers or old_sources[name] != new_sources[name]]
    if not changed:
        return {}
    env = jinja_env()
    compiled: dict[str, Any] = {}  # a source both versions share is compiled once
    base = render_owned(env, {name: old_sources[name] for name in changed}, old_answers, compiled)
    new = render_owned(env, {name: new_sources[name] for name in changed}, new_answers, compiled)
    return {name: (base[name], new[name]) for name in changed}
