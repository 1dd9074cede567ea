"""The comment-preserving layer on tomlkit that every pyproject.toml rule is written in.

Keys and tables move with the comments above them and after them; a table dropped leaves the
comments at its end (which describe what follows) where they were. Private to `edits`.
"""

from __future__ import annotations

from typing import Any

import tomlkit
from tomlkit.container import OutOfOrderTableProxy
from tomlkit.items import Array, Comment, Null, String, Table, Trivia, Whitespace


def _body(table: Any) -> list:
    """The (key, item) list of a table, a super table or the document itself."""
    container = table.value if isinstance(table, Table) else table
    return container.body


def _index(body: list, key: str) -> int:
    return next(i for i, (k, _) in enumerate(body) if k is not None and k.key == key)


def _is_blank(item: Any) -> bool:
    return isinstance(item, Null) or (isinstance(item, Whitespace) and item.s == "")


def _comments_above(body: list, index: int) -> list[int]:
    """Positions of the own-line comments right above body[index]."""
    found: list[int] = []
    position = index - 1
    while position >= 0 and body[position][0] is None:
        if isinstance(body[position][1], Comment):
            found.insert(0, position)
        elif not _is_blank(body[position][1]):
            break
        position -= 1
    return found


def _last_table(table: Any) -> Any:
    """The table whose body renders last inside `table` (itself, or its last sub-table)."""
    while True:
        entries = [item for key, item in _body(table) if not _is_blank(item)]
        if entries and isinstance(entries[-1], Table):
            table = entries[-1]
        else:
            return table


def _blank(body: list, positions: list[int]) -> list[str]:
    """Blank out comment lines (rather than delete them, so that tomlkit's index of the body
    stays right) and return their text, one line each."""
    lines = []
    for position in positions:
        lines += str(body[position][1].trivia.comment).splitlines()
        body[position] = (None, Whitespace(""))
    return lines


def _header_comments(parent: Any, key: str) -> list[str]:
    """Take the comment lines right above the header of the table `parent[key]`: tomlkit keeps
    them at the end of whatever comes before the header."""
    if isinstance(parent, OutOfOrderTableProxy):  # a table split around others: no single "above"
        return []
    body = _body(parent)
    index = _index(body, key)
    positions = _comments_above(body, index)
    if positions:
        return _blank(body, positions)
    previous = next((item for k, item in reversed(body[:index]) if not _is_blank(item)), None)
    if isinstance(previous, Table):
        host = _body(_last_table(previous))
        return _blank(host, _comments_above(host, len(host)))
    return []


def _take(table: Any, key: str) -> tuple[Any, list[str], tuple[str, str] | None]:
    """Remove the plain key `key` from `table` and return (item, the comment lines just above
    it, its trailing comment as (spacing, text)), so that the comments can travel with it."""
    body = _body(table)
    above = _blank(body, _comments_above(body, _index(body, key)))
    item = table[key]
    trailing = (item.trivia.comment_ws, item.trivia.comment) if item.trivia.comment else None
    del table[key]
    return item, above, trailing


def _drop_table(parent: Any, key: str) -> None:
    """Remove the table `parent[key]`, keeping the comments at its end where they are: they
    describe whatever header comes next."""
    if isinstance(parent, OutOfOrderTableProxy):  # e.g. [tool.x] tables on both sides of [build-system]
        del parent[key]
        return
    body = _body(parent)
    index = _index(body, key)
    host = _body(_last_table(parent[key]))
    start = len(host)
    while (
        start > 0
        and host[start - 1][0] is None
        and isinstance(host[start - 1][1], (Comment, Whitespace, Null))
    ):
        start -= 1
    tail = "".join(item.as_string() for _, item in host[start:] if not isinstance(item, Null)).lstrip("\n")
    del parent[key]
    if "#" in tail and body[index][0] is None and isinstance(body[index][1], Null):
        body[index] = (None, Comment(Trivia(indent="", comment_ws="", comment=tail.rstrip("\n"), trail="\n")))


def _comment(text: str) -> Comment:
    return Comment(Trivia(comment_ws="", comment=text, trail="\n"))


def _put(
    table: Any, key: str, value: Any, above: list[str] = (), trailing: tuple[str, str] | None = None
) -> None:
    """Add `key = value` to `table` with the comments that travel with it."""
    for text in above:
        table.add(_comment(text))
    table.add(key, value)
    item = table[key]
    if trailing and not isinstance(item, Table) and not item.trivia.comment:
        item.trivia.comment_ws, item.trivia.comment = trailing[0] or "  ", trailing[1]


def _insert_after(table: Any, after: tuple[str, ...], key: str, value: Any) -> None:
    """Insert `key = value` after the first of `after` that `table` has, else at the end."""
    if isinstance(table, OutOfOrderTableProxy):
        table[key] = value
        return
    container = table.value if isinstance(table, Table) else table
    for previous in after:
        if previous in table and not isinstance(table[previous], Table):
            container._insert_after(previous, key, value)
            return
    table.add(key, value)


def _comment_text(text: str) -> str:
    return text.lstrip("#").strip()


def _array_with_comments(lines: list[tuple[list[str], str, str]]) -> Array:
    """A multi-line array of strings, each with its own-line comments and trailing comment."""
    array = tomlkit.array()
    for above, value, trailing in lines:
        for text in above:
            array.add_line(comment=_comment_text(text) or " ")
        array.add_line(_string(value), comment=_comment_text(trailing) or None)
        if trailing:
            group = [g for g in array._value if getattr(g, "comment", None)][-1]
            group.comment.trivia.indent = "  "
    array.add_line(indent="")
    return array


def _single_line_or_multiline(values: list[str]) -> Array:
    array = tomlkit.array()
    array.extend(values)
    if sum(len(v) + 4 for v in values) > 80:
        array.multiline(True)
    return array


def _plain(value: Any) -> Any:
    """A tomlkit value as plain Python (for comparisons)."""
    return value.unwrap() if hasattr(value, "unwrap") else value


def _end_with_blank_line(table: Table) -> None:
    """Make sure a table we insert before others is followed by an empty line."""
    last = _last_table(table)
    body = _body(last)
    if not body or not (isinstance(body[-1][1], Whitespace) and body[-1][1].s.count("\n") >= 1):
        last.add(tomlkit.nl())


def _subtable(project: Any, key: str, super_table: bool = False) -> tuple[Any, bool]:
    """(project[key], False) when it exists, else (a new table to fill and add, True)."""
    table = project.get(key)
    return (table, False) if table is not None else (tomlkit.table(is_super_table=super_table), True)


def _put_table(parent: Any, key: str, table: Table, comments: list[str]) -> None:
    """Add a sub-table, with the comments that were above its old header."""
    if comments:
        if _body(parent) and isinstance(_body(parent)[-1][1], Table):
            _end_with_blank_line(_body(parent)[-1][1])
        for text in comments:
            parent.add(_comment(text))
    parent[key] = table
    if comments:
        parent[key].trivia.indent = ""  # the header follows its comments, no blank line between


def _string(value: str) -> String:
    """A TOML string that needs no escapes when it can (PEP 508 markers hold quotes)."""
    literal = '"' in value and "'" not in value and "\n" not in value
    return tomlkit.string(value, literal=literal)
