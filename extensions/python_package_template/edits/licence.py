"""The licence rules: an MIT licence file is LICENSE.txt, and the metadata says MIT (PEP 639)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import tomlkit

from python_package_template.yaml_edits import UnsafeEdit

from ._toml import _insert_after, _plain

_MIT_BODY = """
Permission is hereby granted, free of charge, to any person obtaining a copy of this software and
associated documentation files (the "Software"), to deal in the Software without restriction,
including without limitation the rights to use, copy, modify, merge, publish, distribute,
sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all copies or
substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT
NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND
NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES
OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN
CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
"""


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def is_mit_license(text: str) -> bool:
    """Whether `text` is the MIT licence: any title and copyright lines, then exactly the MIT
    permission, condition and disclaimer (ignoring case, layout, punctuation and markup), and
    nothing after it. Variants with extra clauses (X11, MIT-CMU) or without the condition
    (MIT-0) are not MIT."""
    words = _words(text)
    body = _words(_MIT_BODY)
    start = words.find(_words("Permission is hereby granted"))
    return start >= 0 and words[start:] == body


_OLD_LICENSE_NAMES = ("LICENSE", "LICENSE.md", "LICENSE.rst")


def _git_tracked(project_dir: Path, name: str) -> bool:
    try:
        result = subprocess.run(
            ["git", "ls-files", "--error-unmatch", "--", name],
            cwd=project_dir,
            capture_output=True,
            text=True,
            check=False,
        )
    except OSError:
        return False
    return result.returncode == 0


def _git(project_dir: Path, *args: str) -> None:
    result = subprocess.run(["git", *args], cwd=project_dir, capture_output=True, text=True, check=False)
    if result.returncode:
        raise UnsafeEdit(f"`git {' '.join(args)}` failed in {project_dir}: {result.stderr.strip()}")


def rename_license_to_txt(project_dir: Path) -> list[str]:
    """LICENSE, LICENSE.md or LICENSE.rst holding the MIT licence -> LICENSE.txt, with `git mv`
    when the file is tracked so that history follows it. A copy identical to an existing
    LICENSE.txt is removed instead."""
    project_dir = Path(project_dir)
    found = [name for name in _OLD_LICENSE_NAMES if (project_dir / name).is_file()]
    if not found:
        return []
    target = project_dir / "LICENSE.txt"
    texts = {name: (project_dir / name).read_text(encoding="utf-8", errors="replace") for name in found}
    for name, text in texts.items():
        if not is_mit_license(text):
            raise UnsafeEdit(
                f"{name} is not the MIT licence that the template's packages use, so it was not renamed to"
                " LICENSE.txt. If the package keeps this licence, rename the file to LICENSE.txt yourself"
                " (`git mv`) and set `license` in pyproject.toml to its SPDX identifier; then run again."
            )
    existing = target.read_text(encoding="utf-8", errors="replace") if target.is_file() else None
    contents = {text.strip() for text in texts.values()} | (
        {existing.strip()} if existing is not None else set()
    )
    if len(contents) > 1:
        names = found + (["LICENSE.txt"] if existing is not None else [])
        raise UnsafeEdit(
            f"{', '.join(names)} all exist with different text; keep the right one as LICENSE.txt, delete"
            " the others and run again."
        )
    changes = []
    for name in found:
        tracked = _git_tracked(project_dir, name)
        if not target.exists():
            if tracked:
                _git(project_dir, "mv", "--", name, "LICENSE.txt")
            else:
                (project_dir / name).rename(target)
            changes.append(f"{name} renamed to LICENSE.txt" + (" (git mv, history kept)" if tracked else ""))
        else:
            if tracked:
                _git(project_dir, "rm", "--quiet", "--", name)
            else:
                (project_dir / name).unlink()
            changes.append(f"{name} removed: LICENSE.txt has the same text")
    return changes


def _check_mit_metadata(project: Any, license_file: str) -> None:
    """Refuse, before anything changes, licence metadata that says something else than MIT."""
    if "license" in _plain(project.get("dynamic", [])):
        raise UnsafeEdit(
            "pyproject.toml: [project].dynamic lists `license`; remove it from dynamic and run again."
        )
    plain = _plain(project.get("license"))
    if isinstance(plain, str) and _words(plain) != "mit":
        raise UnsafeEdit(
            f"pyproject.toml: license is '{plain}' but {license_file} is the MIT licence; make them agree"
            ' (set license = "MIT", or replace the licence file) and run again.'
        )
    if (
        isinstance(plain, dict)
        and "text" in plain
        and _words(str(plain["text"])) not in ("mit", _words(_MIT_BODY))
        and not is_mit_license(str(plain["text"]))
    ):
        raise UnsafeEdit(
            f"pyproject.toml: license.text does not say MIT but {license_file} is the MIT licence; make them agree and run again."
        )
    files = project.get("license-files")
    if files is not None and not isinstance(_plain(files), list):
        raise UnsafeEdit("pyproject.toml: license-files is not a list (PEP 639); make it one and run again.")


def _set_license(project: Any) -> list[str]:
    current = project.get("license")
    plain = _plain(current)
    if plain == "MIT":
        return []
    if isinstance(plain, str):
        project["license"] = "MIT"
        return [f"license = \"MIT\" (was '{plain}')"]
    if current is None:
        _insert_after(project, ("readme", "description", "version", "name"), "license", "MIT")
    else:
        project["license"] = "MIT"
    return ['license = "MIT" (SPDX, PEP 639)']


def _set_license_files(project: Any, license_file: str) -> list[str]:
    files = project.get("license-files")
    if files is None:
        _insert_after(project, ("license",), "license-files", tomlkit.array(f'["{license_file}"]'))
        return [f'license-files = ["{license_file}"]']
    names = [str(name) for name in files]
    wanted = list(dict.fromkeys(license_file if name in _OLD_LICENSE_NAMES else name for name in names))
    if license_file not in wanted and not any(_glob_matches(name, license_file) for name in wanted):
        wanted.append(license_file)
    if wanted == names:
        return []
    files.clear()
    files.extend(wanted)
    return [f"license-files = {wanted}"]


def _drop_licence_classifiers(project: Any) -> list[str]:
    classifiers = project.get("classifiers")
    dropped = [str(c) for c in classifiers or [] if str(c).startswith("License ::")]
    for classifier in dropped:
        classifiers.remove(classifier)
    return [f"removed the classifiers {', '.join(dropped)}: license says it (PEP 639)"] if dropped else []


def ensure_mit_license_metadata(doc: tomlkit.TOMLDocument, license_file: str = "LICENSE.txt") -> list[str]:
    """[project] says `license = "MIT"` (SPDX, PEP 639) and `license-files` lists
    `license_file`; License :: classifiers, which PEP 639 replaces, are removed."""
    project = doc.get("project")
    if project is None:
        return []
    _check_mit_metadata(project, license_file)
    changes = (
        _set_license(project) + _set_license_files(project, license_file) + _drop_licence_classifiers(project)
    )
    return [f"pyproject.toml: {change}" for change in changes]


def _glob_matches(pattern: str, name: str) -> bool:
    from fnmatch import fnmatch

    return fnmatch(name, pattern)
