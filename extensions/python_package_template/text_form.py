"""A file's form, kept through an update: its line endings (CRLF or LF) and a UTF-8 BOM.

The merges work on plain text (LF, no BOM), as the template renders it; what they write goes
back in the form the package's file had, so that a one-line template change is a one-line diff
in a CRLF package too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True)
class TextForm:
    bom: bool = False
    crlf: bool = False  # every line ends with CRLF (a file that mixes them counts as LF)

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
