"""Minimal, structural edits of YAML files: .gitlab-ci.yml and Copier's answers file.

PyYAML's compose() gives each node's position in the text; an edit replaces just the characters
of the scalars it changes (or inserts lines at a node's end), so comments, other includes and
jobs stay byte for byte, and GitLab's own tags (`!reference`) need no constructor. Every
function is idempotent and returns (new text, what changed).

This module needs only PyYAML, which comes with Copier: the migration that runs before each
`copier update` loads it alone, without tomlkit (see extensions/migrate.py). `edits` re-exports
everything here.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml


class UnsafeEdit(Exception):
    """An edit cannot decide safely; the message says what is wrong and what to do."""


_TAG = re.compile(r"^v(\d+)\.(\d+)\.(\d+)$")


def release_tag_version(value: str) -> tuple[int, int, int] | None:
    """(X, Y, Z) for a release tag vX.Y.Z, else None (a branch, a variable, another tag)."""
    match = _TAG.match(value)
    return tuple(int(p) for p in match.groups()) if match else None


def _compose(text: str, what: str) -> yaml.Node | None:
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        raise UnsafeEdit(
            f"{what} is not valid YAML, so it was left alone ({str(error).splitlines()[0]} ...); fix it and run again."
        ) from None


def _value(mapping: yaml.Node, key: str) -> yaml.Node | None:
    if not isinstance(mapping, yaml.MappingNode):
        return None
    for key_node, value_node in mapping.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node
    return None


def _scalar(node: yaml.Node | None) -> str | None:
    return node.value if isinstance(node, yaml.ScalarNode) else None


def _quoted(value: str, style: str | None) -> str:
    if style == "'":
        return "'" + value.replace("'", "''") + "'"
    if style == '"':
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return value


def _replace_scalars(text: str, edits: list[tuple[yaml.ScalarNode, str]]) -> str:
    """Replace just the characters of each scalar, keeping its quoting style."""
    for node, value in sorted(edits, key=lambda edit: edit[0].start_mark.index, reverse=True):
        text = text[: node.start_mark.index] + _quoted(value, node.style) + text[node.end_mark.index :]
    return text


def _plain_yaml(node: yaml.Node | None) -> Any:
    """A node tree as plain Python, tags and styles ignored (to check what an edit changed)."""
    if node is None:
        return None
    if isinstance(node, yaml.ScalarNode):
        return node.value
    if isinstance(node, yaml.SequenceNode):
        return [_plain_yaml(item) for item in node.value]
    return [(_plain_yaml(key), _plain_yaml(value)) for key, value in node.value]


def _same_project(a: str | None, b: str) -> bool:
    return a is not None and a.strip("/").lower() == b.strip("/").lower()


def _same_file(node: yaml.Node | None, file: str) -> bool:
    files = (
        [node]
        if isinstance(node, yaml.ScalarNode)
        else node.value
        if isinstance(node, yaml.SequenceNode)
        else []
    )
    return any(isinstance(f, yaml.ScalarNode) and f.value.lstrip("/") == file.lstrip("/") for f in files)


def _includes(root: yaml.Node | None, project: str, file: str) -> list[yaml.MappingNode]:
    include = _value(root, "include")
    items = (
        include.value if isinstance(include, yaml.SequenceNode) else [include] if include is not None else []
    )
    return [
        item
        for item in items
        if isinstance(item, yaml.MappingNode)
        and _same_project(_scalar(_value(item, "project")), project)
        and _same_file(_value(item, "file"), file)
    ]


def _check_tag(ref: str) -> tuple[int, int, int]:
    parsed = release_tag_version(ref)
    if parsed is None:
        raise ValueError(f"'{ref}' is not a release tag vX.Y.Z")
    return parsed


def set_ci_include_ref(text: str, project: str, file: str, ref: str) -> tuple[str, list[str]]:
    """Move the include of (`project`, `file`) in .gitlab-ci.yml text to `ref` when it is pinned
    to an older vX.Y.Z tag. A newer tag, a branch, a variable or no ref are left alone. Only the
    ref's characters change: comments, other includes and jobs stay byte for byte."""
    target = _check_tag(ref)
    root = _compose(text, ".gitlab-ci.yml")
    edits = []
    for include in _includes(root, project, file):
        node = _value(include, "ref")
        current = release_tag_version(node.value) if isinstance(node, yaml.ScalarNode) else None
        if current is not None and current < target:
            edits.append((node, ref))
    if not edits:
        return text, []
    new_text = _replace_scalars(text, edits)
    old_refs = sorted({node.value for node, _ in edits})
    return new_text, [
        f".gitlab-ci.yml: the include of {file} from {project} moved from {', '.join(old_refs)} to {ref}"
    ]


def _item_lines(project: str, file: str, ref: str, dash_indent: str) -> str:
    quote = json.dumps  # a JSON string is a YAML double-quoted scalar
    return (
        f"{dash_indent}- project: {quote(project)}\n"
        f"{dash_indent}  file: {quote(file)}\n"
        f"{dash_indent}  ref: {ref}\n"
    )


def _line_end(text: str, index: int) -> int:
    """The index just after the end of the line that holds `index`."""
    end = text.find("\n", index)
    return len(text) if end < 0 else end + 1


def _last_scalar_end(node: yaml.Node) -> int:
    while not isinstance(node, yaml.ScalarNode) and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    return node.end_mark.index


def add_ci_include(text: str, project: str, file: str, ref: str) -> tuple[str, list[str]]:
    """Add the include of (`project`, `file`, `ref`) to .gitlab-ci.yml text unless it is there
    (then only its ref is moved up, see set_ci_include_ref). `include:` is created at the top,
    or the entry is appended to the existing list; a single include (a string or one mapping)
    becomes a list. Everything else stays as it was."""
    _check_tag(ref)
    root = _compose(text, ".gitlab-ci.yml")
    if _includes(root, project, file):
        return set_ci_include_ref(text, project, file, ref)
    if root is not None and not isinstance(root, yaml.MappingNode):
        raise UnsafeEdit(".gitlab-ci.yml is not a mapping of jobs and settings; fix it and run again.")
    include = _value(root, "include")
    flow_item = f"{{project: {json.dumps(project)}, file: {json.dumps(file)}, ref: {ref}}}"
    if root is None or not root.value:
        new_text = (
            text
            + ("" if not text or text.endswith("\n") else "\n")
            + "include:\n"
            + _item_lines(project, file, ref, "  ")
        )
    elif include is None:
        first_key = root.value[0][0]
        start = first_key.start_mark.index - first_key.start_mark.column
        new_text = text[:start] + "include:\n" + _item_lines(project, file, ref, "  ") + "\n" + text[start:]
    elif getattr(include, "flow_style", False):
        start, end = include.start_mark.index, include.end_mark.index
        if isinstance(include, yaml.SequenceNode):
            inner = text[start + 1 : end - 1].rstrip()
            separator = "" if not include.value else ", " if not inner.endswith(",") else " "
            new_text = text[: start + 1] + inner + separator + flow_item + "]" + text[end:]
        else:
            new_text = text[:start] + "[" + text[start:end] + ", " + flow_item + "]" + text[end:]
    elif isinstance(include, yaml.SequenceNode):
        dash = " " * include.start_mark.column
        end = _line_end(text, _last_scalar_end(include))
        new_text = (
            text[:end]
            + ("" if text[:end].endswith("\n") else "\n")
            + _item_lines(project, file, ref, dash)
            + text[end:]
        )
    elif isinstance(include, yaml.MappingNode):
        column = include.start_mark.column
        first_line = include.start_mark.index - column
        end = _line_end(text, _last_scalar_end(include))
        lines = text[first_line:end].splitlines(keepends=True)
        converted = [lines[0][:column] + "- " + lines[0][column:]]
        converted += ["  " + line if line.strip() else line for line in lines[1:]]
        block = "".join(converted)
        if not block.endswith("\n"):
            block += "\n"
        new_text = text[:first_line] + block + _item_lines(project, file, ref, " " * column) + text[end:]
    else:  # a single string, or nothing after `include:`
        key = next(k for k, v in root.value if v is include)
        indent = " " * (key.start_mark.column + 2)
        if include.value == "" and include.tag.endswith(":null"):
            end = _line_end(text, key.end_mark.index)
            head = text[:end] + ("" if text[:end].endswith("\n") else "\n")
            new_text = head + _item_lines(project, file, ref, indent) + text[end:]
        else:
            end = _line_end(text, include.end_mark.index)
            original = text[include.start_mark.index : end].rstrip("\n")
            new_text = (
                text[: key.end_mark.index]
                + ":\n"
                + indent
                + "- "
                + original
                + "\n"
                + _item_lines(project, file, ref, indent)
                + text[end:]
            )
    # Check the edit did what it says and nothing else.
    new_root = _compose(new_text, ".gitlab-ci.yml (after adding the include)")
    expected = _plain_yaml(root) or []
    got = _plain_yaml(new_root)
    new_include = _value(new_root, "include")
    got_without = [(k, v) for k, v in got if k != "include"]
    expected_without = [(k, v) for k, v in expected if k != "include"]
    old_items = (
        []
        if include is None or (include.value == "" and isinstance(include, yaml.ScalarNode))
        else (_plain_yaml(include) if isinstance(include, yaml.SequenceNode) else [_plain_yaml(include)])
    )
    if (
        got_without != expected_without
        or not isinstance(new_include, yaml.SequenceNode)
        or _plain_yaml(new_include)[:-1] != old_items
        or not _includes(new_root, project, file)
    ):
        raise UnsafeEdit(
            ".gitlab-ci.yml: could not add the common pipeline include without disturbing the file; add"
            f' `- project: "{project}"`, `file: "{file}"`, `ref: {ref}` under `include:` by hand.'
        )
    return new_text, [f".gitlab-ci.yml: added the include of {file} from {project} at {ref}"]


def raise_answer_tag(text: str, key: str, tag: str) -> tuple[str, list[str]]:
    """In a Copier answers file, move `key` up to `tag` when it holds an older vX.Y.Z tag (a
    newer tag, chosen on purpose, is kept). Only that value's characters change."""
    target = _check_tag(tag)
    root = _compose(text, "The answers file")
    node = _value(root, key)
    current = release_tag_version(node.value) if isinstance(node, yaml.ScalarNode) else None
    if current is None or current >= target:
        return text, []
    return _replace_scalars(text, [(node, tag)]), [f"answers: {key} moved from {node.value} to {tag}"]


def set_answer(text: str, key: str, value: str) -> str:
    """In a Copier answers file, `key`'s value (a plain string) set to `value`; only that value's
    characters change. The text is returned unchanged when `key` is missing or not a string."""
    node = _value(_compose(text, "The answers file"), key)
    if not isinstance(node, yaml.ScalarNode) or node.value == value:
        return text
    return _replace_scalars(text, [(node, value)])
