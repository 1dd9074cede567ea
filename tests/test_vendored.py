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
