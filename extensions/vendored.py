"""The pinned dependencies the template's migrations bring with them.

Copier runs the migrations with its own interpreter, and Copier's environment holds only what
its installer put there: Renovate's tool installer and `pipx install copier` give `copier`,
`copier-template-extensions` and their dependencies, and no tomlkit or poetry-core. So the
template carries the exact wheels of those two (both pure Python) in vendor/, pinned by sha256
in vendor/wheels.json (scripts/vendor-wheels refreshes them from PyPI).

`install()` puts a finder first on sys.meta_path: the first `import tomlkit` or `import
poetry.core` unpacks the pinned wheel, once per user, into a cache folder named by its hash
(checked before unpacking; the folder is made complete under a temporary name and renamed into
place, so a concurrent update never sees half of it), and imports from there. Always the pinned
copy, whatever else is installed, so every environment behaves alike; no network, no pip; and
nothing is unpacked until a migration imports it. Where the cache cannot be written, a private
temporary folder removed at exit serves instead.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# Everything else is imported where it is needed: this module loads on every update, and most
# updates import neither tomlkit nor poetry-core.

VENDOR_DIR = Path(__file__).resolve().parent / "vendor"
MANIFEST = VENDOR_DIR / "wheels.json"


class VendoredWheelError(RuntimeError):
    """A vendored wheel is missing or is not the one wheels.json pins."""


def manifest() -> dict[str, dict[str, Any]]:
    """{distribution: {"version", "wheel", "sha256", "packages"}} as vendor/wheels.json pins them."""
    import json

    return json.loads(MANIFEST.read_text(encoding="utf-8"))


def sha256_of(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def cache_root() -> Path | None:
    """The per-user cache folder for unpacked wheels, or None when there is none of the user's
    own, private, to write (python_package_template.user_cache)."""
    from python_package_template.user_cache import private_folder

    return private_folder("wheels")


def unpack(entry: dict[str, Any], root: Path) -> Path:
    """The wheel unpacked under `root` in a folder named by its hash, made once and atomically."""
    import compileall
    import os
    import shutil
    import tempfile
    import zipfile

    target = root / f"{entry['wheel'].removesuffix('.whl')}-{entry['sha256'][:16]}"
    if target.is_dir():
        return target
    wheel = VENDOR_DIR / entry["wheel"]
    if not wheel.is_file() or sha256_of(wheel) != entry["sha256"]:
        raise VendoredWheelError(
            f"{wheel} is missing or is not the wheel vendor/wheels.json pins (sha256 {entry['sha256']});"
            " the template's checkout is damaged: run `scripts/vendor-wheels` in the template's repository."
        )
    root.mkdir(parents=True, exist_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=".partial-", dir=root))
    try:
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(partial)  # refuses absolute and `..` member names
        # Bytecode now, once: imports from the cache are then as fast as from site-packages,
        # even where PYTHONDONTWRITEBYTECODE is set.
        compileall.compile_dir(partial, quiet=2, workers=1, stripdir=str(partial), prependdir=str(target))
        try:
            os.rename(partial, target)
        except OSError:
            if not target.is_dir():  # not another update winning the race: a real failure
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    return target


class PinnedFinder:
    """Finds the vendored distributions' top-level packages, and only those, in their wheels."""

    def __init__(self, pins: dict[str, dict[str, Any]]) -> None:
        self.pins = pins
        self.owner = {package: dist for dist, entry in pins.items() for package in entry["packages"]}
        self.folders: dict[str, Path] = {}
        self._temporary: Any = None  # a tempfile.TemporaryDirectory, when the cache is not writable

    def folder(self, dist: str) -> Path:
        if dist not in self.folders:
            root = cache_root()
            try:
                if root is None:
                    raise OSError("no per-user cache folder")
                folder = unpack(self.pins[dist], root)
            except OSError:
                import tempfile

                if self._temporary is None:
                    self._temporary = tempfile.TemporaryDirectory(prefix="python-package-template-")
                folder = unpack(self.pins[dist], Path(self._temporary.name))
            # First on sys.path too, so that namespace packages (poetry) and importlib.metadata
            # find the pinned copy before any installed one.
            sys.path.insert(0, str(folder))
            self.folders[dist] = folder
        return self.folders[dist]

    def find_spec(self, fullname: str, path: Any = None, target: Any = None) -> Any:
        dist = self.owner.get(fullname)
        if dist is None or path is not None:
            return None
        from importlib.machinery import PathFinder

        return PathFinder.find_spec(fullname, [str(self.folder(dist))])


def install() -> PinnedFinder:
    """Make `import tomlkit` and `import poetry.core` load the pinned copies from here on."""
    for finder in sys.meta_path:
        if isinstance(finder, PinnedFinder):
            return finder
    finder = PinnedFinder(manifest())
    sys.meta_path.insert(0, finder)
    return finder
