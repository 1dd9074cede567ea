"""The per-user cache folders the migrations and Copier's process keep things in: the unpacked
vendored wheels (vendored.py) and compiled templates (context.py), both code that runs later.

Standard library only (platformdirs, which Copier depends on, when it is there): context.py loads
this file by path, in Copier's process.
"""

from __future__ import annotations

import os
from pathlib import Path


def private_folder(name: str) -> Path | None:
    """`~/.cache/python-package-template/<name>` on Linux, made (only the user can read it) when
    missing; None when there is no such folder to write, or it is not the user's own or others
    can read or write it: code is loaded from it, so a folder that is not private is not used."""
    try:
        import platformdirs  # Copier depends on it
    except ImportError:
        return None
    folder = Path(platformdirs.user_cache_dir("python-package-template", appauthor=False)) / name
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        status = folder.stat()
    except OSError:
        return None
    mine = not hasattr(os, "getuid") or status.st_uid == os.getuid()
    if not (mine and os.access(folder, os.W_OK)) or status.st_mode & 0o077:
        return None
    return folder
