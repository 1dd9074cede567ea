"""What no command may do to its user: write outside the package's repository, or store or show
a credential. Standard library only, so that the update migration (extensions/migrate.py), which
runs in Copier's environment, can use it too.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# --- edits stay inside the repository ---


def escapes(root: Path, relative: str) -> bool:
    """Whether writing `root/relative` would write (or create a file) outside `root`: the path,
    or any folder on the way to it, is a symlink that leads out, or it climbs out with `..`."""
    root = Path(os.path.realpath(root))
    target = Path(os.path.realpath(root / relative))
    return target != root and root not in target.parents


def outside(root: Path, relatives: Iterable[str]) -> list[str]:
    """The names among `relatives` that writing under `root` would write outside it, with where
    each leads, e.g. "README.md (a symlink to /home/me/notes.md)"."""
    found = []
    for relative in relatives:
        if escapes(root, relative):
            found.append(f"{relative} (leads to {os.path.realpath(Path(root) / relative)})")
    return found


# --- no credential is stored or shown ---

# scheme://userinfo@host...: the user info of a URL anywhere in a text.
_USERINFO = re.compile(r"(?P<scheme>\b[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/@\s'\"]+)@")


def without_credentials(url: str) -> str:
    """`url` without its user info (`https://oauth2:TOKEN@host/x` -> `https://host/x`), for
    storing or reporting. An ssh user name (`ssh://git@host/x`, `git@host:x`) is no secret and
    is needed to connect, so it stays; a password after it does not."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    userinfo, _, host = parts.netloc.rpartition("@")
    if parts.scheme.lower() in ("ssh", "git+ssh", "ssh+git"):
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}@{host}"
    else:
        netloc = host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def mask_credentials(text: str) -> str:
    """`text` with the user info of every URL in it masked (`https://***@host/x`), for messages."""
    return _USERINFO.sub(lambda m: f"{m['scheme']}***@", text)


__all__ = ["escapes", "outside", "without_credentials", "mask_credentials"]
