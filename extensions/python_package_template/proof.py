"""Proof that onboarding changes what a package publishes only where the rules ask.

The package is built with its own PEP 517 backend (pypa/build), in a scratch copy, before and
after the planned edits; the two wheels are compared: the file list (with each file's bytes)
and the METADATA fields PyPI shows. What the rules intend to change is allowed (the long
description, an MIT package's licence metadata, LICENSE.txt in place of LICENSE, project URLs
added from the git remote); anything else is a difference, and the package is left as it was.

Builds are fast because nothing is installed twice: one virtual environment per distinct
`[build-system].requires` (cached under the user's cache directory, shared by processes), in
which each build runs without isolation; and a wheel built from the very same files is not
built again (a digest of the files and the backend names it).
"""

from __future__ import annotations

import configparser
import contextlib
import email.parser
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import warnings
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

# PEP 517's fallback when pyproject.toml names no backend.
DEFAULT_BUILD_SYSTEM = {
    "requires": ["setuptools>=40.8.0"],
    "build-backend": "setuptools.build_meta:__legacy__",
}
CACHE_VERSION = "1"


class BuildFailed(Exception):
    """The backend could not build a wheel; the message ends with what it printed last."""


@dataclass
class Built:
    """What a wheel publishes: its files (path -> sha256) and its METADATA and entry points."""

    files: dict[str, str] = field(default_factory=dict)
    metadata: dict[str, list[str]] = field(default_factory=dict)
    entry_points: dict[str, dict[str, str]] = field(default_factory=dict)

    def one(self, key: str) -> str:
        values = self.metadata.get(key.lower()) or [""]
        return values[0]

    @property
    def long_description(self) -> str:
        return self.one("description")


def cache_dir() -> Path:
    """Where build environments and build results are kept between runs."""
    named = os.environ.get("PYTHON_PACKAGE_TEMPLATE_CACHE")
    if named:
        return Path(named)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "python-package-template"


def build_system(project: Path) -> dict:
    """The package's [build-system] (PEP 517's default when it has none, or no pyproject.toml)."""
    if not (project / "pyproject.toml").is_file() and any(
        (project / n).is_file() for n in ("setup.py", "setup.cfg")
    ):
        return dict(DEFAULT_BUILD_SYSTEM)
    try:
        doc = tomllib.loads((project / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise BuildFailed(f"pyproject.toml cannot be read: {error}") from None
    system = doc.get("build-system") or {}
    if "build-backend" not in system:
        return {**DEFAULT_BUILD_SYSTEM, **({"requires": system["requires"]} if "requires" in system else {})}
    return {"requires": list(system.get("requires", [])), **system}


def backend_name(project: Path) -> str:
    """'setuptools', 'hatchling', 'flit', 'poetry-core', ... as people call the backend."""
    backend = str(build_system(project)["build-backend"])
    for prefix, name in (
        ("poetry.core", "poetry-core"),
        ("poetry.masonry", "poetry"),
        ("setuptools", "setuptools"),
        ("hatchling", "hatchling"),
        ("flit_core", "flit"),
        ("pdm", "pdm-backend"),
        ("maturin", "maturin"),
    ):
        if backend.startswith(prefix):
            return name
    return backend


# --- build environments: one per distinct build-system.requires ---------------------------


def _env_key(requires: Iterable[str]) -> str:
    text = json.dumps(
        [CACHE_VERSION, sys.version, os.path.realpath(sys.executable), sorted(map(str, requires))]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:20]


@contextlib.contextmanager
def _locked(lock_file: Path):
    """One process at a time creates a given environment (the others wait, then reuse it)."""
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "w") as handle:
        try:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX)
        except ImportError:  # not on Windows: creation may then happen twice, harmlessly
            pass
        yield


def _env_python(env: Path) -> Path:
    return env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def build_env(requires: list[str], extra: list[str] = ()) -> Path:
    """The Python of a cached virtual environment holding `requires` (and `extra`)."""
    wanted = list(requires) + list(extra)
    env = cache_dir() / "build-envs" / _env_key(wanted)
    python = _env_python(env)
    if (env / ".complete").is_file():
        return python
    with _locked(env.with_suffix(".lock")):
        if (env / ".complete").is_file():
            return python
        shutil.rmtree(env, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
        if wanted:
            installed = subprocess.run(
                [sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", *wanted],
                capture_output=True,
                text=True,
                stdin=subprocess.DEVNULL,
                check=False,
            )
            if installed.returncode != 0:
                shutil.rmtree(env, ignore_errors=True)
                last = (installed.stderr.strip() or installed.stdout.strip()).splitlines()[-3:]
                raise BuildFailed(f"cannot install the build backend {' '.join(wanted)}: {' '.join(last)}")
        (env / ".complete").write_text(" ".join(wanted) + "\n")
    return python


# --- building ---------------------------------------------------------------------------------


def package_files(path: Path) -> list[str]:
    """The package's files as git sees them (tracked and untracked, not ignored)."""
    result = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
        cwd=path,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        return sorted(
            p.relative_to(path).as_posix() for p in path.rglob("*") if p.is_file() and ".git" not in p.parts
        )
    return sorted({f for f in result.stdout.split("\0") if f and (path / f).is_file()})


def copy_package(path: Path, destination: Path) -> Path:
    """A scratch copy of the package's files (not its git directory or build leftovers), in a
    git repository of its own: backends leave out what git ignores, and so must the proof."""
    for relative in package_files(path):
        target = destination / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path / relative, target)
    destination.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "--quiet", str(destination)], check=True, stdin=subprocess.DEVNULL)
    return destination


def stage_all(copy: Path) -> None:
    """`git add` what is not ignored, after the scratch copy's files are final."""
    subprocess.run(["git", "add", "--all"], cwd=copy, check=True, stdin=subprocess.DEVNULL)


def _vcs_version(path: Path) -> str:
    """The version a VCS versioning plugin would find, from the package's own git tags."""
    tag = subprocess.run(
        ["git", "describe", "--tags", "--abbrev=0"],
        cwd=path,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
    ).stdout.strip()
    try:
        return str(Version(tag.lstrip("vV"))) if tag else "0.0.0"
    except InvalidVersion:
        return "0.0.0"


def build_environ(original: Path, requires: list[str]) -> dict[str, str]:
    """What the build needs beyond the files: a scratch copy has no .git, so a VCS versioning
    plugin is told the version git gives the original."""
    names = {_requirement_name(r) for r in requires}
    if names & {"setuptools-scm", "hatch-vcs", "versioningit", "setuptools-git-versioning"}:
        return {"SETUPTOOLS_SCM_PRETEND_VERSION": _vcs_version(original)}
    return {}


def _requirement_name(text: str) -> str:
    try:
        return canonicalize_name(Requirement(text).name)
    except InvalidRequirement:
        return text


def _digest(copy: Path, system: dict, environ: Mapping[str, str]) -> str:
    sha = hashlib.sha256(json.dumps([CACHE_VERSION, system, sorted(environ.items())]).encode())
    for file in sorted(p for p in copy.rglob("*") if p.is_file() and ".git" not in p.relative_to(copy).parts):
        sha.update(file.relative_to(copy).as_posix().encode() + b"\0" + file.read_bytes() + b"\0")
    return sha.hexdigest()


def build_copy(copy: Path, original: Path | None = None, wheel_dir: Path | None = None) -> Built:
    """Build the wheel of the package in the scratch directory `copy` with its own backend
    (into `wheel_dir` when given, else only read). Raises BuildFailed with what the backend
    said."""
    system = build_system(copy)
    requires = [str(r) for r in system.get("requires", [])]
    environ = build_environ(original or copy, requires)
    stage_all(copy)
    digest = _digest(copy, system, environ)
    cached = cache_dir() / "builds" / f"{digest}.json"
    if cached.is_file() and wheel_dir is None:
        with contextlib.suppress(ValueError, TypeError, OSError):
            return Built(**json.loads(cached.read_text(encoding="utf-8")))
    extra = ["wheel"] if str(system["build-backend"]).startswith("setuptools") else []
    python = build_env(requires, extra)
    with tempfile.TemporaryDirectory(prefix="ppt-wheel-") as out:
        wheel = _run_backend(copy, python, Path(out), environ)
        built = read_wheel(wheel)
        if wheel_dir is not None:
            wheel_dir.mkdir(parents=True, exist_ok=True)
            shutil.copy2(wheel, wheel_dir / wheel.name)
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.tmp")
    partial.write_text(json.dumps(asdict(built)), encoding="utf-8")
    partial.replace(cached)
    return built


def _run_backend(copy: Path, python: Path, out: Path, environ: Mapping[str, str]) -> Path:
    import build
    from pyproject_hooks import quiet_subprocess_runner

    def runner(cmd, cwd=None, extra_environ=None):
        quiet_subprocess_runner(cmd, cwd=cwd, extra_environ={**(extra_environ or {}), **environ})

    try:
        builder = build.ProjectBuilder(copy, python_executable=str(python), runner=runner)
        with warnings.catch_warnings():  # the backend's own warnings are the package's business
            warnings.simplefilter("ignore")
            return Path(builder.build("wheel", out))
    except build.BuildBackendException as error:
        cause = error.exception
        output = getattr(cause, "output", None) or getattr(cause, "stderr", None) or b""
        if isinstance(output, bytes):
            output = output.decode("utf-8", "replace")
        lines = [line for line in str(output).strip().splitlines() if line.strip()]
        raise BuildFailed(" ".join(lines[-4:]) or str(error)) from None
    except build.BuildException as error:
        raise BuildFailed(str(error)) from None


def build_package(path: Path) -> Built:
    """Build the package at `path` as it is, in a scratch copy (the package is not touched)."""
    with tempfile.TemporaryDirectory(prefix="ppt-build-") as tmp:
        return build_copy(copy_package(path, Path(tmp) / "package"), path)


def read_wheel(wheel: Path) -> Built:
    built = Built()
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.endswith("/"):
                continue
            data = archive.read(name)
            if ".dist-info/" in name:
                base = name.split(".dist-info/", 1)[1]
                if base == "METADATA":
                    message = email.parser.BytesParser().parsebytes(data)
                    for key, value in message.items():
                        built.metadata.setdefault(key.lower(), []).append(str(value))
                    body = message.get_payload(decode=True)
                    if body and body.strip():
                        built.metadata.setdefault("description", []).insert(
                            0, body.decode("utf-8", "replace")
                        )
                    continue
                if base == "entry_points.txt":
                    parser = configparser.ConfigParser(interpolation=None, delimiters=("=",))
                    parser.optionxform = str  # keep the names' case
                    parser.read_string(data.decode("utf-8"))
                    built.entry_points = {
                        group: {k: " ".join(v.split()) for k, v in parser[group].items()}
                        for group in parser.sections()
                    }
                    continue
                if base in ("RECORD", "WHEEL", "INSTALLER") or base.endswith("REQUESTED"):
                    continue
                name = "{dist-info}/" + base
            built.files[name] = hashlib.sha256(data).hexdigest()
    return built


# --- comparing -----------------------------------------------------------------------------


_EXTRAS_MARKER = re.compile(
    r'^(?:(?P<rest>.*) and )?\(?(?P<extras>extra == "[^"]+"(?: or extra == "[^"]+")+)\)?$'
)


def one_per_extra(requirement: Requirement) -> list[Requirement]:
    """A requirement for several extras (`extra == "a" or extra == "b"`, as Poetry 1 writes an
    optional dependency that two extras name) as one requirement per extra, as PEP 621's
    [project.optional-dependencies] is published: pip reads them the same."""
    match = _EXTRAS_MARKER.match(str(requirement.marker or ""))
    if not match:
        return [requirement]
    split = []
    for extra in re.findall(r'extra == "([^"]+)"', match["extras"]):
        one = Requirement(str(requirement))
        one.marker = Marker(
            f'{match["rest"]} and extra == "{extra}"' if match["rest"] else f'extra == "{extra}"'
        )
        split.append(one)
    return split


def requirement_lines(values: list[str]) -> list[str]:
    """Requires-Dist as pip reads it, one normal form per requirement and extra, sorted."""
    normalised = []
    for value in values:
        try:
            requirements = one_per_extra(Requirement(value))
        except InvalidRequirement:
            normalised.append(value)
            continue
        normalised += [_requirement_line(requirement) for requirement in requirements]
    return sorted(normalised)


def _requirement_line(requirement: Requirement) -> str:
    specifiers = ",".join(sorted(str(s) for s in requirement.specifier))
    extras = ",".join(sorted(canonicalize_name(e) for e in requirement.extras))
    marker = str(requirement.marker) if requirement.marker else ""
    return f"{canonicalize_name(requirement.name)}[{extras}]{specifiers}{requirement.url or ''}; {marker}"


def _specifier(value: str) -> str:
    try:
        return ",".join(sorted(str(s) for s in SpecifierSet(value)))
    except InvalidSpecifier:
        return value


def _version(value: str) -> str:
    try:
        return str(Version(value))
    except InvalidVersion:
        return value


def _urls(built: Built) -> set[str]:
    urls = {u.split(",", 1)[-1].strip().rstrip("/") for u in built.metadata.get("project-url", [])}
    urls |= {u.strip().rstrip("/") for u in built.metadata.get("home-page", [])}
    return {u for u in urls if u}


def _is_licence_file(name: str) -> bool:
    base = name.rsplit("/", 1)[-1].upper()
    return name.startswith("{dist-info}/") and base.startswith(("LICENSE", "LICENCE", "COPYING"))


@dataclass
class Intended:
    """What the edits are meant to change in the published wheel."""

    licence_metadata: bool = False  # License-Expression/License-File in place of the classifiers
    added_urls: tuple[str, ...] = ()


def compare(before: Built, after: Built, intended: Intended) -> list[str]:
    """The differences between two wheels that the edits did not intend ([] when none)."""
    differences = []

    def field_differs(label: str, key: str, normalise) -> None:
        was, now = normalise(before.metadata.get(key, [])), normalise(after.metadata.get(key, []))
        if was != now:
            differences.append(f"{label}: {was or 'none'} -> {now or 'none'}")

    field_differs("name", "name", lambda v: [canonicalize_name(x) for x in v])
    field_differs("version", "version", lambda v: [_version(x) for x in v])
    field_differs("summary", "summary", lambda v: [" ".join(x.split()) for x in v])
    field_differs("requires-python", "requires-python", lambda v: [_specifier(x) for x in v])
    field_differs("Requires-Dist", "requires-dist", requirement_lines)
    field_differs("extras", "provides-extra", lambda v: sorted({canonicalize_name(x) for x in v}))

    def classifiers(built: Built) -> list[str]:
        found = set(built.metadata.get("classifier", []))
        if intended.licence_metadata:
            found = {c for c in found if not c.startswith("License ::")}
        return sorted(found)

    if classifiers(before) != classifiers(after):
        added = sorted(set(classifiers(after)) - set(classifiers(before)))
        dropped = sorted(set(classifiers(before)) - set(classifiers(after)))
        differences.append(
            "classifiers:"
            + (f" added {'; '.join(added)}" if added else "")
            + (f" dropped {'; '.join(dropped)}" if dropped else "")
        )
    if not intended.licence_metadata:
        # The same licence, as License or (PEP 639) License-Expression, is the same to PyPI.
        def licence(built: Built) -> list[str]:
            values = built.metadata.get("license", []) + built.metadata.get("license-expression", [])
            return sorted({" ".join(v.split()) for v in values})

        if licence(before) != licence(after):
            differences.append(f"licence: {licence(before) or 'none'} -> {licence(after) or 'none'}")
    lost_urls = _urls(before) - _urls(after)
    new_urls = _urls(after) - _urls(before) - {u.rstrip("/") for u in intended.added_urls}
    if lost_urls:
        differences.append(f"project URLs lost: {', '.join(sorted(lost_urls))}")
    if new_urls:
        differences.append(f"project URLs added: {', '.join(sorted(new_urls))}")
    if before.entry_points != after.entry_points:
        differences.append(f"entry points: {before.entry_points} -> {after.entry_points}")

    def files(built: Built) -> dict[str, str]:
        return {k: v for k, v in built.files.items() if not _is_licence_file(k)}

    was, now = files(before), files(after)
    missing = sorted(set(was) - set(now))
    extra = sorted(set(now) - set(was))
    changed = sorted(k for k in set(was) & set(now) if was[k] != now[k])
    if missing:
        differences.append(f"files no longer in the wheel: {', '.join(missing[:8])}")
    if extra:
        differences.append(f"files new in the wheel: {', '.join(extra[:8])}")
    if changed:
        differences.append(f"files changed in the wheel: {', '.join(changed[:8])}")
    return differences
