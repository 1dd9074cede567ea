"""Template changes into the files a package owns: its README.md and pyproject.toml.

Once rendered, README.md and pyproject.toml belong to the package's maintainers, and `copier
update` never text-merges them (copier.yml excludes them on update). What a new template version
changes in them arrives here instead, as a structural three-way merge of

- *base*: the file as the package's old template version renders it with its old answers,
- *new*: the file as the new template version renders it with the new answers,
- *current*: the package's own file.

Only what the template changed between base and new is looked at, one item at a time: a TOML
key or an array entry of pyproject.toml, a `## ` section of the README. An item is changed
only where the package still has base's version of it (or lacks an item the template adds);
where the maintainers changed it, theirs is kept and the "kept" notes say what the template now
has. Nothing ever conflicts, and running it again changes nothing.
"""

from __future__ import annotations

import copy
import re
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from .readme import headings

# tomlkit, packaging and devgroup are imported where pyproject.toml is merged: this module runs
# on every `copier update`, and most template releases leave pyproject.toml alone.

_MISSING: Any = object()


class Merge:
    """The merged text, what changed, and what was kept because the package changed it too.
    (No dataclass: importing dataclasses, and the inspect module with it, would cost more than
    the README merge, on every update.)"""

    __slots__ = ("changes", "kept", "text")

    def __init__(self, text: str, changes: list[str] | None = None, kept: list[str] | None = None) -> None:
        self.text = text
        self.changes = [] if changes is None else changes
        self.kept = [] if kept is None else kept

    def __repr__(self) -> str:
        return f"Merge(text={self.text!r}, changes={self.changes!r}, kept={self.kept!r})"


# --- pyproject.toml: key by key --------------------------------------------------------------


def _plain(value: Any) -> Any:
    return value.unwrap() if hasattr(value, "unwrap") else value


def _where(path: tuple[str, ...]) -> str:
    table, key = path[:-1], path[-1]
    return f"[{'.'.join(table)}] {key}" if table else key


def _show(value: Any) -> str:
    import tomlkit

    return tomlkit.item(value).as_string() if not isinstance(value, dict) else "a table"


def _identity(entry: Any) -> Any:
    """What an array entry stands for: a requirement by its project name (so that a changed
    version bound replaces the entry), anything else by itself."""
    from .devgroup import requirement_name

    if isinstance(entry, str) and re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*\s*(\[|[<>=!~;@ ]|$)", entry):
        name = requirement_name(entry)
        if name is not None:
            return ("requirement", name)
    return ("value", repr(entry))


def _is_table(value: Any) -> bool:
    """A table, or nothing: a table the template adds or drops is merged key by key."""
    return value is _MISSING or isinstance(value, dict)


def _is_list(value: Any) -> bool:
    return isinstance(value, list) and all(not isinstance(entry, (dict, list)) for entry in value)


def _merge_array(array: Any, base: list, new: list, path: tuple[str, ...], merge: Merge) -> None:
    added = {_identity(entry): entry for entry in new if entry not in base}
    for entry in (entry for entry in base if entry not in new):
        replacement = added.pop(_identity(entry), _MISSING)
        current = _plain(array)
        if entry in current:
            index = current.index(entry)
            if replacement is _MISSING:
                del array[index]
                merge.changes.append(f"{_where(path)}: removed {_show(entry)}")
            else:
                array[index] = replacement
                merge.changes.append(f"{_where(path)}: {_show(entry)} -> {_show(replacement)}")
        elif replacement is not _MISSING:
            ours = [value for value in current if _identity(value) == _identity(replacement)]
            if ours:
                merge.kept.append(
                    f"{_where(path)}: kept {_show(ours[0])}; the template now has {_show(replacement)}"
                )
            # else: the package dropped the entry, and it stays dropped.
    have = {_identity(entry) for entry in _plain(array)}
    for identity, entry in added.items():
        if identity not in have:
            array.append(entry)
            merge.changes.append(f"{_where(path)}: added {_show(entry)}")


def _merge_table(
    current: Any, base: dict, new: dict, new_items: Any, path: tuple[str, ...], merge: Merge
) -> None:
    """Merge table `new` (plain; its tomlkit items in `new_items`) into `current`."""
    for key in [*new, *(key for key in base if key not in new)]:
        old_value, new_value = base.get(key, _MISSING), new.get(key, _MISSING)
        if old_value == new_value:
            continue
        here = (*path, key)
        ours = _plain(current[key]) if key in current else _MISSING
        if isinstance(ours, dict) and _is_table(new_value) and _is_table(old_value):
            _merge_table(
                current[key],
                {} if old_value is _MISSING else old_value,
                {} if new_value is _MISSING else new_value,
                None if new_value is _MISSING else new_items[key],
                here,
                merge,
            )
            if new_value is _MISSING and not _plain(current[key]):
                del current[key]  # the template dropped the table, and nothing of the package's is left
        elif _is_list(new_value) and _is_list(ours) and (old_value is _MISSING or _is_list(old_value)):
            _merge_array(current[key], [] if old_value is _MISSING else old_value, new_value, here, merge)
        elif ours == new_value:
            continue
        elif ours == old_value:  # the package has the old version's value, or neither has it
            if new_value is _MISSING:
                del current[key]
                merge.changes.append(f"{_where(here)}: removed (the template no longer sets it)")
            else:
                current[key] = copy.deepcopy(new_items[key])
                verb = "added" if ours is _MISSING else "set to"
                merge.changes.append(f"{_where(here)}: {verb} {_show(new_value)}")
        elif ours is _MISSING:
            merge.kept.append(f"{_where(here)}: left out, as the package removed it")
        elif new_value is _MISSING:
            merge.kept.append(f"{_where(here)}: kept {_show(ours)}; the template no longer sets it")
        else:
            merge.kept.append(f"{_where(here)}: kept {_show(ours)}; the template now has {_show(new_value)}")


# The dependency groups the template writes: merged requirement by requirement (see devgroup),
# and added by onboarding (pyproject_merge.add_dev_dependencies).
GROUPS = ("dev", "docs")


def _merge_dev_group(doc: Any, base: dict, new: dict, merge: Merge, group_name: str = "dev") -> None:
    """The template's requirements of `group_name` (development tools, the documentation site's),
    requirement by requirement, into that group in the form the package keeps it (see devgroup)."""
    from . import devgroup

    group = devgroup.Group(doc, group_name)
    ours = devgroup.requirements(doc.unwrap(), group_name)
    for name in [*new, *(name for name in base if name not in new)]:
        old, wanted = base.get(name, _MISSING), new.get(name, _MISSING)
        mine = ours.get(name, _MISSING)
        if old == wanted or mine == wanted or wanted is None:
            continue
        if mine == old:  # as the old version had it, or neither has it
            if wanted is _MISSING:
                group.remove(name)
                merge.changes.append(f"{group.where}: removed {old} (the template no longer has it)")
            else:
                group.set(wanted)
                merge.changes.append(f"{group.where}: {'added' if mine is _MISSING else 'now'} {wanted}")
        elif mine is _MISSING:
            merge.kept.append(f"{group.where}: left out {wanted}, as the package removed {name}")
        else:
            now = "no longer has it" if wanted is _MISSING else f"now has {wanted}"
            merge.kept.append(f"{group.where}: kept {mine or name}; the template {now}")


def merge_pyproject(current: str, base: str, new: str) -> Merge:
    """pyproject.toml with what the template changed from `base` to `new` (see the module)."""
    import tomlkit

    from . import devgroup

    doc = tomlkit.parse(current)
    merge = Merge(current)
    base_plain, new_doc = tomlkit.parse(base).unwrap(), tomlkit.parse(new)
    new_plain = new_doc.unwrap()
    for name in GROUPS:
        base_group, new_group = (
            devgroup.requirements(base_plain, name),
            devgroup.requirements(new_plain, name),
        )
        _merge_dev_group(doc, base_group, new_group, merge, name)
    base_rest, new_rest = (
        devgroup.without_group(base_plain, GROUPS),
        devgroup.without_group(new_plain, GROUPS),
    )
    _merge_table(doc, base_rest, new_rest, new_doc, (), merge)
    merge.changes = [f"pyproject.toml: {change}" for change in merge.changes]
    merge.kept = [f"pyproject.toml: {note}" for note in merge.kept]
    if merge.changes:
        merge.text = doc.as_string()
    return merge


# --- README.md: section by section ----------------------------------------------------------


def _section_key(heading_line: str) -> str:
    return " ".join(re.findall(r"\w+", heading_line.lower()))


def _sections(text: str) -> list[tuple[str, str]]:
    """[(key, text)]: the part before the first `## ` heading (key ""), then each `## `
    section with its heading, up to the next one; joined, they give `text` back."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, _ in headings(text) if re.match(r"^ {0,3}## ", lines[i])]
    bounds = [0, *starts, len(lines)]
    parts = [("", "".join(lines[: bounds[1]]))]
    for start, end in zip(bounds[1:-1], bounds[2:], strict=True):
        parts.append((_section_key(lines[start]), "".join(lines[start:end])))
    return parts


def _same(a: str, b: str) -> bool:
    return a.rstrip() == b.rstrip()


def _with_ending_of(text: str, like: str) -> str:
    """`text` ending in the same blank lines as `like`."""
    return text.rstrip("\n") + like[len(like.rstrip("\n")) :] if like.strip() else text


def _merge_text(current: str, base: str, new: str) -> str | None:
    """A line-level three-way merge of one section (git merge-file); None if the lines the
    template changed are lines the package changed too."""
    with tempfile.TemporaryDirectory(prefix="ppt-merge-") as tmp:
        paths = []
        for name, text in (("current", current), ("base", base), ("new", new)):
            path = Path(tmp) / name
            path.write_text(text, encoding="utf-8")
            paths.append(str(path))
        result = subprocess.run(
            ["git", "merge-file", "-p", "--quiet", *paths], capture_output=True, text=True, check=False
        )
    return result.stdout if result.returncode == 0 else None


def _title(key: str, text: str) -> str:
    return text.splitlines()[0].lstrip("# ").strip() if key else "the title and summary"


def merge_readme(current: str, base: str, new: str, name: str = "README.md") -> Merge:
    """The README with what the template changed from `base` to `new`, section by section."""
    merge = Merge(current)
    ours = _sections(current)
    old = dict(_sections(base))
    theirs = _sections(new)
    keys = [key for key, _ in ours]

    def index(key: str) -> int | None:
        return keys.index(key) if key in keys else None

    for position, (key, section) in enumerate(theirs):
        what = _title(key, section)
        if key in old and _same(old[key], section):
            continue
        at = index(key)
        if at is None:
            if key in old:  # the package removed the section: it stays removed
                merge.kept.append(f"{name}: left out the section {what!r}, as the package removed it")
                continue
            # A new section goes where the template has it: before the next of the template's
            # sections the package has, else after the last earlier one, else at the end.
            later = [index(k) for k, _ in theirs[position + 1 :] if k and index(k) is not None]
            earlier = [index(k) for k, _ in theirs[:position] if k and index(k) is not None]
            at = later[0] if later else (earlier[-1] + 1) if earlier else len(ours)
            previous = ours[at - 1][1] if at else ""
            if previous.strip() and not previous.endswith("\n\n"):
                ours[at - 1] = (ours[at - 1][0], previous.rstrip("\n") + "\n\n")
            ours.insert(at, (key, section.rstrip("\n") + ("\n\n" if at < len(ours) else "\n")))
            keys.insert(at, key)
            merge.changes.append(f"{name}: added the section {what!r}")
            continue
        mine = ours[at][1]
        if _same(mine, section):
            continue
        if key in old and _same(mine, old[key]):
            ours[at] = (key, _with_ending_of(section, mine))
            merge.changes.append(f"{name}: brought the section {what!r} up to date with the template")
            continue
        merged = _merge_text(mine, old[key], section) if key in old else None
        if merged == mine:
            continue  # the template's changes are in already
        if merged is not None:
            ours[at] = (key, merged)
            merge.changes.append(f"{name}: merged the template's changes into the section {what!r}")
        else:
            merge.kept.append(
                f"{name}: kept the package's own section {what!r}; the template's wording of it changed"
            )
    for key, section in old.items():
        at = index(key)
        if key and key not in dict(theirs) and at is not None:
            if _same(ours[at][1], section):
                del ours[at], keys[at]
                merge.changes.append(
                    f"{name}: removed the section {_title(key, section)!r} (gone from the template)"
                )
            else:
                merge.kept.append(
                    f"{name}: kept the section {_title(key, section)!r}, which the template no longer has"
                )
    if merge.changes:
        text = "".join(section for _, section in ours)
        merge.text = text.rstrip("\n") + "\n"
    return merge
