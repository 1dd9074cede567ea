"""The migrations' pinned dependencies: the wheels in extensions/vendor/ are the ones wheels.json
pins, and tomlkit is the version the suite itself tests the edits with."""

from __future__ import annotations

import hashlib
import json
import re
import zipfile

from helpers import TEMPLATE_ROOT

VENDOR = TEMPLATE_ROOT / "extensions" / "vendor"
PINS = json.loads((VENDOR / "wheels.json").read_text())


def test_each_vendored_wheel_is_the_pure_python_wheel_its_pin_names_with_its_hash():
    assert set(PINS) == {"tomlkit", "poetry-core"}
    for name, pin in PINS.items():
        wheel = VENDOR / pin["wheel"]
        assert wheel.name.endswith("-py3-none-any.whl") and f"-{pin['version']}-" in wheel.name, name
        assert hashlib.sha256(wheel.read_bytes()).hexdigest() == pin["sha256"], (
            f"{wheel.name} is not the pinned wheel"
        )
        with zipfile.ZipFile(wheel) as archive:
            tops = {n.split("/")[0] for n in archive.namelist() if "/" in n and ".dist-info/" not in n}
        assert tops == set(pin["packages"]), name
    assert sorted(p.name for p in VENDOR.glob("*.whl")) == sorted(pin["wheel"] for pin in PINS.values())


def test_the_vendored_tomlkit_is_the_one_the_suite_tests_the_edits_with():
    lock = (TEMPLATE_ROOT / "poetry.lock").read_text()
    locked = re.search(r'^name = "tomlkit"\nversion = "([^"]+)"', lock, re.M)
    assert locked and locked[1] == PINS["tomlkit"]["version"], (
        "move the pin: scripts/vendor-wheels tomlkit==..."
    )


def test_wheels_are_unpacked_only_into_a_cache_folder_of_the_users_own_that_others_cannot_open(
    tmp_path, monkeypatch
):
    """Code is imported from the folder: one others can open gets a private temporary one instead."""
    import sys

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.syspath_prepend(str(TEMPLATE_ROOT / "extensions"))
    import vendored

    wheels = tmp_path / "cache" / "python-package-template" / "wheels"
    assert vendored.cache_root() == wheels and (wheels.stat().st_mode & 0o777) == 0o700
    wheels.chmod(0o755)
    assert vendored.cache_root() is None
    finder = vendored.PinnedFinder(vendored.manifest())
    folder = finder.folder("tomlkit")
    assert not folder.is_relative_to(wheels) and list(wheels.iterdir()) == []
    assert (folder / "tomlkit" / "__init__.py").is_file()
    sys.path.remove(str(folder))
