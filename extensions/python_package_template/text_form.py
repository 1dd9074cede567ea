"""A file's form, kept through an update: its line endings (CRLF or LF) and a UTF-8 BOM.

The merges work on plain text (LF, no BOM), as the template renders it; what they write goes
back in the form the package's file had, so that a one-line template change is a one-line diff
in a CRLF package too.
"""

from __future__ import annotations

import re

BOM = b"\xef\xbb\xbf"


class TextForm:
    """(No dataclass: importing dataclasses costs more than this whole module, on every update.)"""

    __slots__ = ("bom", "crlf")

    def __init__(self, bom: bool = False, crlf: bool = False) -> None:
        self.bom = bom
        self.crlf = crlf  # every line ends with CRLF (a file that mixes them counts as LF)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, TextForm) and (self.bom, self.crlf) == (other.bom, other.crlf)

    def __hash__(self) -> int:
        return hash((self.bom, self.crlf))

    def __repr__(self) -> str:
        return f"TextForm(bom={self.bom}, crlf={self.crlf})"

    @classmethod
    def of(cls, data: bytes) -> TextForm:
        newlines = data.count(b"\n")
        return cls(data.startswith(BOM), newlines > 0 and data.count(b"\r\n") == newlines)

    @property
    def plain(self) -> bool:
        return not (self.bom or self.crlf)

    def strip(self, data: bytes) -> bytes:
        """The bytes as plain text: LF line endings, no BOM."""
        if self.bom:
            data = data.removeprefix(BOM)
        return data.replace(b"\r\n", b"\n") if self.crlf else data

    def apply(self, data: bytes) -> bytes:
        """Plain bytes (lines added by a merge included) back in this form."""
        if self.crlf:
            data = re.sub(rb"(?<!\r)\n", b"\r\n", data)
        if self.bom and not data.startswith(BOM):
            data = BOM + data
        return data


def has_conflict_markers(text: str) -> bool:
    """Whether a file still has the conflict markers an update or merge left in it."""
    return bool(re.search(r"^(<{7}|>{7})( |\r?$)", text, re.MULTILINE))
