"""The template's migrations: what `copier update` cannot do with a text merge.

Copier runs this script (see `_migrations` in copier.yml) with its own interpreter, from the
template version being updated to, in the package's directory. It needs nothing beyond what
Copier itself installs: tomlkit and poetry-core come pinned with the template (vendored.py).

    migrate.py before --template DIR --answers-file .copier-answers.yml
        Before every update, before Copier writes anything:
        - refuses the update (exit 1, nothing changed) when a file the package owns cannot be
          merged now: README.md or pyproject.toml with conflict markers, a pyproject.toml that
          is not valid TOML, a file that is not UTF-8 or a symlink leaving the package. Fixed
          and committed, the next update brings the template release, nothing lost;
        - presents the package's CRLF (or BOM) files that the template renders to Copier's
          three-way merge as plain LF text, in the git index only (the work tree and HEAD are
          untouched), so that a CRLF .gitignore merges line by line. `after` gives them back
          their form.
        Copier starts it (with `python -S`: it needs only the standard library) only when
        before_update_needed in context.py, a quick look from Copier's own process, finds
        something in those files it may have to do: a check added here must be one that look
        says yes to (tests/test_extensions.py holds both to the same causes).

    migrate.py record-choices --answers-file .copier-answers.yml
        Before an update from a version older than v0.2.0: records the answers that version did
        not ask, from what the package is: `package_layout` (src when its code is in
        src/<package_name>/, else flat) and `license` (MIT when its licence file is the MIT
        licence, else other), so that the update respects them; and `docs: none`, so that a
        package gets the documentation site only when it answers `-d docs=mkdocs`.

    migrate.py after --template DIR --from REF --answers-file .copier-answers.yml
                     --ci-project PROJECT --ci-file FILE --ci-pin vX.Y.Z [--renders FILE]
        After every update:
        - the `ci_include_ref` answer moves up to the template's pinned tag when it is an older
          tag, and the common pipeline's include in .gitlab-ci.yml follows the answer;
        - pyproject.toml: Poetry 1 metadata moves to [project]; a missing readme field is added;
          an MIT package gets `license = "MIT"` and license-files;
        - what the template changed in the files the package owns (pyproject.toml, README.md)
          between REF and DIR's version arrives as a structural three-way merge
          (python_package_template.template_changes): only items the package has as the old
          version rendered them change; its own edits are kept, and said so. Both versions of
          those files come rendered from Copier's process (--renders, from `owned_renders` in
          context.py), so that this process need not import Jinja; they are rendered here only
          when an earlier step changed an answer they were rendered with;
        - an MIT package's LICENSE / LICENSE.md / LICENSE.rst becomes LICENSE.txt (git mv);
        - when this update turns `docs` to mkdocs, the template's documentation site
          (mkdocs.yml, docs/) is added, once, unless the package has a mkdocs.yml of its own,
          and a `documentation_url` still at the README default moves to the site's URL; when
          it turns `docs` to none, a `documentation_url` still at the site's URL moves back to
          the README (the site's files are kept, and said so).

        - every file the update wrote gets back the line endings and BOM it had at HEAD.

Every step is idempotent, so the script runs on every update and prints only what it changed
("migrated ...") and what it left to the maintainers ("kept ...", "skipped ..."). A rule that
cannot be applied safely (it looks at the package as it is, so it runs again on every update)
is skipped with a note saying why and what to do. A template change to README.md or
pyproject.toml is never skipped: when it cannot be merged, or on any unexpected error, the
whole update is undone (the package back at HEAD, files Copier added removed), Copier exits
non-zero and the message says why. Every edit is planned in memory first and written at the end.

Being run as a script puts this directory on sys.path, so the edits come from the same
template version as this file.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import vendored

from python_package_template.text_form import TextForm, has_conflict_markers

LICENSES = ("LICENSE.txt", "LICENSE", "LICENSE.md", "LICENSE.rst")


class Refused(Exception):
    """A template change that cannot be merged now: the update is refused or undone, whole."""


class Plan:
    """Edits planned in memory, written together at the end, with what to tell the maintainer."""

    def __init__(self, project_dir: Path) -> None:
        self.project_dir = project_dir
        self.writes: dict[str, str] = {}
        self.forms: dict[str, TextForm] = {}  # each file's line endings and BOM, to write back
        self.read: dict[str, str] = {}  # each file's plain text as read
        self.changes: list[str] = []
        self.kept: list[str] = []
        self.skipped: list[str] = []

    def why_unreadable(self, name: str) -> str | None:
        """Why the file cannot be merged now (what to do included), or None when it can."""
        if name in self.writes or name in self.read:
            return None
        path = self.project_dir / name
        if not path.is_file():
            return f"{name} is missing"
        data = path.read_bytes()
        form = TextForm.of(data)
        plain = form.strip(data)
        try:
            text = plain.decode("utf-8")
        except UnicodeDecodeError as error:
            line = plain.count(b"\n", 0, error.start) + 1
            return (
                f"{name} is not UTF-8 text (byte {plain[error.start]:#04x} on line {line}):"
                " save it as UTF-8 (e.g. `iconv -f latin1 -t utf-8`), commit"
            )
        if has_conflict_markers(text):
            return f"{name} still has conflict markers (<<<<<<< ... >>>>>>>): resolve them, commit"
        self.forms[name], self.read[name] = form, text
        return None

    def text(self, name: str) -> str | None:
        """The file's plain text (LF, no BOM) as planned so far; None when it is missing or
        cannot be read now (a note says why)."""
        if name in self.writes:
            return self.writes[name]
        why = self.why_unreadable(name)
        if why is not None:
            if (self.project_dir / name).is_file():
                self.skip(f"{why}, and run `copier update --trust` again to finish its migration.")
            return None
        return self.read[name]

    def owned_text(self, name: str) -> str | None:
        """The text of a file the package owns, to merge a template change into; None when it is
        missing. When it cannot be read, nothing is merged anywhere: Refused."""
        if not (self.project_dir / name).is_file() and name not in self.writes:
            return None
        why = self.why_unreadable(name)
        if why is not None:
            raise Refused(why)
        return self.text(name)

    def write(self, name: str, text: str, changes: list[str]) -> None:
        self.writes[name] = text
        self.changes += changes

    def skip(self, note: str) -> None:
        if note not in self.skipped:
            self.skipped.append(note)

    def commit(self) -> None:
        """Write every planned file, in its own form; none when one would be written through a
        symlink that leaves the package."""
        from python_package_template.safety import escapes

        for name in self.writes:
            if escapes(self.project_dir, name):
                raise Refused(leaves_the_package(self.project_dir, name))
        for name, text in self.writes.items():
            form = self.forms.get(name, TextForm())
            (self.project_dir / name).parent.mkdir(parents=True, exist_ok=True)
            (self.project_dir / name).write_bytes(form.apply(text.encode("utf-8")))


def leaves_the_package(project_dir: Path, name: str) -> str:
    return (
        f"{name} is a symlink to {(project_dir / name).resolve()}, outside the package, and the"
        " migration never writes through it: make it a file (or a link inside the package), commit"
    )


_PARSED: dict[str, dict[str, Any]] = {}  # answers text -> its answers: each text is parsed once


def _load_answers(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    if text not in _PARSED:
        import yaml

        answers = yaml.safe_load(text)
        _PARSED[text] = answers if isinstance(answers, dict) else {}
    return dict(_PARSED[text])


_AT_HEAD: dict[tuple[Path, str], dict[str, Any]] = {}


def _answers_at_head(project_dir: Path, answers_file: str) -> dict[str, Any]:
    """The answers as committed before this update (Copier updates clean working trees only);
    HEAD does not move during a migration, so git is asked once, and not at all when Copier's
    process has read them already (`_handed_over`)."""
    if (project_dir, answers_file) not in _AT_HEAD:
        import subprocess

        shown = subprocess.run(
            ["git", "show", f"HEAD:./{answers_file}"],
            cwd=project_dir,
            capture_output=True,
            text=True,
            check=False,
        )
        _AT_HEAD[project_dir, answers_file] = _load_answers(shown.stdout if shown.returncode == 0 else None)
    return dict(_AT_HEAD[project_dir, answers_file])


def record_choices(project_dir: Path, answers_file: str) -> list[str]:
    """Answers the package's old template version did not ask, from what the package is."""
    from python_package_template.edits import is_mit_license

    path = project_dir / answers_file
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    answers = _load_answers(text)
    recorded = []
    if "package_layout" not in answers:
        package = str(answers.get("package_name") or "")
        layout = "src" if package and (project_dir / "src" / package).is_dir() else "flat"
        recorded.append(("package_layout", layout))
    if "license" not in answers:
        licence = next((project_dir / name for name in LICENSES if (project_dir / name).is_file()), None)
        is_mit = licence is None or is_mit_license(licence.read_text(encoding="utf-8", errors="replace"))
        recorded.append(("license", "MIT" if is_mit else "other"))
    if "docs" not in answers:
        recorded.append(("docs", "none"))  # the site comes only when asked for
    if recorded:
        lines = "".join(f"{key}: {value}\n" for key, value in recorded)
        path.write_text(text.rstrip("\n") + "\n" + lines, encoding="utf-8")
    return [
        f"{answers_file}: recorded {key}: {value}"
        + (
            " (a documentation site comes with `copier update --trust --defaults -d docs=mkdocs`)"
            if key == "docs"
            else " (from the package)"
        )
        for key, value in recorded
    ]


def _ci_ref(plan: Plan, answers_file: str, ci_project: str, ci_file: str, ci_pin: str) -> None:
    from python_package_template.yaml_edits import UnsafeEdit, raise_answer_tag, set_ci_include_ref

    answers_text = plan.text(answers_file)
    if answers_text is None:
        return
    text, changes = raise_answer_tag(answers_text, "ci_include_ref", ci_pin)
    if changes:
        plan.write(answers_file, text, [f"{answers_file}: {c.removeprefix('answers: ')}" for c in changes])
    ref = str(_load_answers(text).get("ci_include_ref") or "")
    gitlab_ci = plan.text(".gitlab-ci.yml")
    if gitlab_ci is not None and ref:
        try:
            new_text, edits = set_ci_include_ref(gitlab_ci, ci_project, ci_file, ref)
        except UnsafeEdit as error:
            if ref.startswith("v"):
                plan.skip(str(error))
        else:
            if edits:
                plan.write(".gitlab-ci.yml", new_text, edits)


# [tool.poetry] keys that stay there in a Poetry 2 package; any other is Poetry 1 metadata to move.
POETRY2_KEYS = {
    "packages",
    "include",
    "exclude",
    "group",
    "source",
    "requires-poetry",
    "requires-plugins",
    "build",
    "package-mode",
}


def _rules_may_apply(text: str, mit: bool) -> bool:
    """Whether a pyproject.toml rule may have work to do. A cheap look with the standard library,
    so that an update of a package already in line does not pay for importing the edits; when
    in doubt it says yes, and the rules themselves decide."""
    import tomllib

    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return True
    project = doc.get("project")
    poetry = doc.get("tool", {}).get("poetry", {})
    if set(poetry) - POETRY2_KEYS or not isinstance(project, dict):
        return True
    if "readme" not in project and "readme" not in project.get("dynamic", []):
        return True
    classifiers = project.get("classifiers", [])
    licence_classifier = any(str(c).startswith("License ::") for c in classifiers)
    return mit and (
        project.get("license") != "MIT"
        or project.get("license-files") != ["LICENSE.txt"]
        or licence_classifier
    )


def _pyproject_rules(plan: Plan, mit: bool) -> None:
    text = plan.text("pyproject.toml")
    if text is None or not _rules_may_apply(text, mit):
        return
    import tomlkit

    from python_package_template.edits import (
        UnsafeEdit,
        ensure_mit_license_metadata,
        ensure_readme_field,
        is_mit_license,
        poetry1_to_pep621,
    )
    from python_package_template.packagefiles import README_NAMES

    try:
        doc = tomlkit.parse(text)
        edits = poetry1_to_pep621(doc)
        readme = next((name for name in README_NAMES if (plan.project_dir / name).is_file()), None)
        if readme:
            edits += ensure_readme_field(doc, readme)
        licence = next((name for name in LICENSES if (plan.project_dir / name).is_file()), None)
        if (
            mit
            and licence
            and is_mit_license((plan.project_dir / licence).read_text(encoding="utf-8", errors="replace"))
        ):
            edits += ensure_mit_license_metadata(doc, "LICENSE.txt")
    except (UnsafeEdit, tomlkit.exceptions.TOMLKitError) as error:
        plan.skip(f"pyproject.toml was not migrated: {error}")
        return
    if edits:
        plan.write("pyproject.toml", doc.as_string(), edits)


def _jinja_env() -> Any:
    """The template's Jinja environment: its filters, no Copier. Imported only when needed:
    Jinja is the slowest import, and most updates do not need it."""
    import context
    from jinja2.sandbox import SandboxedEnvironment

    env = SandboxedEnvironment(keep_trailing_newline=True)
    env.filters.update(context.FILTERS)
    env.globals.update(context.GLOBALS)
    return env


# The documentation site's files (the template's mkdocs.yml.jinja and docs/) are the package's
# own once added, so `copier update` leaves them out (see copier.yml), and _docs_site adds them
# once, when an update turns `docs` on.


def _docs_site(plan: Plan, template_dir: Path, answers_file: str) -> None:
    """The documentation site, when this update turns `docs` to mkdocs: its files, then its URL;
    when it turns `docs` off, the URL back to the README (see _docs_site_off)."""
    answers_text = plan.text(answers_file)
    answers = _load_answers(answers_text)
    if answers.get("docs") == "none" and answers_text is not None:
        _docs_site_off(plan, answers_file, answers_text, answers)
    if answers.get("docs") != "mkdocs" or answers_text is None:
        return
    if _answers_at_head(plan.project_dir, answers_file).get("docs") == "mkdocs":
        return  # the package has had the site since it was made: what it deleted stays deleted
    if (plan.project_dir / "mkdocs.yml").exists():
        plan.kept.append(
            "mkdocs.yml: the package's own documentation site, kept as it is; the template's"
            " mkdocs.yml and docs/ were not added"
        )
        return
    site = _moved_documentation_url(answers, "mkdocs")
    try:
        files = _docs_site_files(
            plan.project_dir,
            template_dir,
            {**answers, "documentation_url": site or answers["documentation_url"]},
        )
    except Exception as error:  # never fail an update: say what to do instead
        plan.skip(
            f"the documentation site was not added: {type(error).__name__}: {error}. Copy mkdocs.yml"
            " and docs/ from a new package made with the same answers."
        )
        return
    for name, text in files.items():
        plan.write(name, text, [f"{name}: added (the documentation site; docs: mkdocs)"])
    if site:
        from python_package_template.yaml_edits import set_answer

        plan.write(
            answers_file,
            set_answer(answers_text, "documentation_url", site),
            [f"{answers_file}: documentation_url: {site} (the documentation site, in place of the README)"],
        )


def _docs_site_off(plan: Plan, answers_file: str, answers_text: str, answers: dict[str, Any]) -> None:
    """When this update turns `docs` from mkdocs to none, the template stops publishing the site
    (its `pages` job goes): a `documentation_url` still at the site's default moves back to the
    README, so that neither the README nor PyPI links a site that is gone. The site's files are
    the package's own: kept, and said so."""
    if _answers_at_head(plan.project_dir, answers_file).get("docs") != "mkdocs":
        return
    readme = _moved_documentation_url(answers, "none")
    if readme:
        from python_package_template.yaml_edits import set_answer

        plan.write(
            answers_file,
            set_answer(answers_text, "documentation_url", readme),
            [f"{answers_file}: documentation_url: {readme} (the README, as the site is no longer published)"],
        )
    if (plan.project_dir / "mkdocs.yml").exists():
        plan.kept.append(
            "mkdocs.yml and docs/: the package's own, kept; the pipeline no longer builds or publishes"
            " the site (docs: none), so delete them if it is gone for good"
        )


def _moved_documentation_url(answers: dict[str, Any], docs: str) -> str | None:
    """The default `documentation_url` for `docs` (mkdocs: the site; none: the README), when the
    answer is still the other one's default: an update that turns `docs` moves it there, and
    README.md and pyproject.toml are then rendered with it. Else None: the package's own."""
    import context

    host, path = answers.get("gitlab_host"), answers.get("gitlab_project_path")
    moved = context.documentation_url_from(docs, host, path)
    other = context.documentation_url_from("none" if docs == "mkdocs" else "mkdocs", host, path)
    return moved if answers.get("documentation_url") == other != moved else None


def _docs_site_files(project_dir: Path, template_dir: Path, answers: dict[str, Any]) -> dict[str, str]:
    """{name: text} of the template's mkdocs.yml and docs/ files, rendered with the answers,
    that the package lacks."""
    from python_package_template.owned_files import public, template_root

    source = template_root(template_dir)
    files = [source / "mkdocs.yml.jinja", *sorted(p for p in (source / "docs").rglob("*") if p.is_file())]
    env = _jinja_env()
    context = public(answers)
    rendered = {}
    for file in files:
        name = file.relative_to(source).as_posix().removesuffix(".jinja")
        if not (project_dir / name).exists():
            text = file.read_text(encoding="utf-8")
            rendered[name] = env.from_string(text).render(**context) if file.suffix == ".jinja" else text
    return rendered


def _template_changes(
    plan: Plan, template_dir: Path, old_ref: str, answers_file: str, handed: dict[str, Any] | None
) -> None:
    """The template's changes to README.md and pyproject.toml, merged; Refused when one cannot
    be, so that the update is undone rather than the change lost."""
    from python_package_template import owned_files
    from python_package_template import template_changes as tc

    old_answers = _answers_at_head(plan.project_dir, answers_file)
    new_answers = _load_answers(plan.text(answers_file))
    if not old_answers or not new_answers:
        raise Refused(f"{answers_file} is missing or empty at HEAD or after the update")
    found = _rendered_by_copier(handed, new_answers)
    if found is None:  # not rendered, or with other answers than this plan's: render them here
        try:
            found = owned_files.changed_renders(_jinja_env, template_dir, old_ref, old_answers, new_answers)
        except owned_files.RenderError as error:
            raise Refused(
                f"the template's changes to README.md and pyproject.toml cannot be worked out: {error}"
            ) from None
    for name, merge_file in (("pyproject.toml", tc.merge_pyproject), ("README.md", tc.merge_readme)):
        base, new = found.get(name, (None, None))
        if base is None or new is None or base == new:
            continue
        current = plan.owned_text(name)
        if current is None:
            plan.kept.append(
                f"{name}: the package has none, so the template's changes to it were not brought in"
            )
            continue
        try:
            merged = merge_file(current, base, new)
        except Exception as error:  # e.g. a pyproject.toml that is not valid TOML
            raise Refused(
                f"{name}: the template's changes cannot be merged: {type(error).__name__}: {error}"
            ) from error
        if merged.changes:
            plan.write(name, merged.text, merged.changes)
        plan.kept += merged.kept


def _handed_over(renders: Path | None) -> dict[str, Any] | None:
    """What `owned_renders` (extensions/context.py) wrote in Copier's process: HEAD's answers
    (`old_answers`), the answers it rendered with (`answers`) and README.md and pyproject.toml
    at both versions (`renders`); None when there is no such file."""
    if renders is None or not renders.is_file():
        return None
    import json

    try:
        handed = json.loads(renders.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return (
        handed if isinstance(handed, dict) and {"old_answers", "answers", "renders"} <= set(handed) else None
    )


def _rendered_by_copier(
    handed: dict[str, Any] | None, new_answers: dict[str, Any]
) -> dict[str, tuple[str | None, str | None]] | None:
    """The renders Copier's process handed over, when it rendered them with these very answers
    (an earlier step of this plan may have changed one, such as `documentation_url`); else None."""
    from python_package_template.owned_files import public

    if handed is None or handed["answers"] != public(new_answers):
        return None
    return {name: (base, new) for name, (base, new) in handed["renders"].items()}


# The files and folders an update leaves to the package: copier.yml `_exclude`s them from its
# renders (the first `_exclude` block; tests/test_update.py holds the two to the same list).
PACKAGE_PATHS = (
    "README.md",
    "pyproject.toml",
    "CHANGELOG.md",
    "src",
    "tests/test_package.py",
    "mkdocs.yml",
    "docs",
)


def left_to_the_package(name: str) -> bool:
    return any(name == path or name.startswith(f"{path}/") for path in PACKAGE_PATHS)


def refusals(project_dir: Path) -> list[str]:
    """Why a template change to a file the package owns could not be merged now, file by file
    (each with what to do); none when every one can."""
    from python_package_template.owned_files import OWNED_FILES
    from python_package_template.safety import escapes

    plan, found = Plan(project_dir), []
    for name in OWNED_FILES:
        path = project_dir / name
        if path.is_symlink() and escapes(project_dir, name):
            found.append(leaves_the_package(project_dir, name))
        elif path.is_file():
            why = plan.why_unreadable(name)
            if why is None and name == "pyproject.toml":
                why = _toml_error(plan.text(name) or "")
            if why is not None:
                found.append(why)
    return found


def _toml_error(text: str) -> str | None:
    try:
        import tomllib
    except ImportError:  # Python 3.10: the pinned tomlkit
        import tomlkit as tomllib  # type: ignore[no-redef]
    try:
        tomllib.loads(text)
    except Exception as error:
        return f"pyproject.toml is not valid TOML ({error}): fix it (`poetry check` says where), commit"
    return None


def _git(project_dir: Path, *args: str, stdin: bytes | None = None) -> bytes:
    import subprocess

    return subprocess.run(
        ["git", *args], cwd=project_dir, input=stdin, capture_output=True, check=True
    ).stdout


def rendered_paths(template_dir: Path, answers_file: str) -> list[str]:
    """The files of the package that the template renders and Copier merges on update."""
    from python_package_template.owned_files import template_root

    root = template_root(template_dir)
    names = [answers_file]
    for path in root.rglob("*"):
        name = path.relative_to(root).as_posix().removesuffix(".jinja")
        if path.is_file() and "{" not in name and not left_to_the_package(name):
            names.append(name)
    return names


def present_plain(project_dir: Path, template_dir: Path, answers_file: str) -> list[str]:
    """Stage, in the git index only, the plain (LF, no BOM) text of each CRLF or BOM file the
    template renders: Copier diffs the index against the old version's render (plain text) and
    merges that into the new one, so it then sees the package's own changes rather than every
    line changed. The work tree and HEAD are not touched; `restore_forms` undoes it."""
    staged = []
    for name in rendered_paths(template_dir, answers_file):
        path = project_dir / name
        if path.is_symlink() or not path.is_file():
            continue
        data = path.read_bytes()
        form = TextForm.of(data)
        if form.plain:
            continue
        entry = _git(project_dir, "ls-files", "--stage", "--", name).decode()
        if not entry or entry.count("\n") != 1 or entry.split()[2] != "0":
            continue  # untracked, or not one plain index entry
        mode = entry.split()[0]
        sha = _git(project_dir, "hash-object", "-w", "--no-filters", "--stdin", stdin=form.strip(data))
        _git(project_dir, "update-index", "--cacheinfo", f"{mode},{sha.decode().strip()},{name}")
        staged.append(name)
    return staged


def _blobs_at_head(project_dir: Path, names: list[str]) -> dict[str, bytes]:
    """{name: its bytes at HEAD} for the names HEAD has, in one git call."""
    from python_package_template.owned_files import git_blobs

    found = git_blobs(project_dir, [f"HEAD:./{name}" for name in names])
    return {name: blob for name in names if (blob := found[f"HEAD:./{name}"]) is not None}


def restore_forms(project_dir: Path, template_dir: Path, answers_file: str) -> list[str]:
    """The files Copier wrote get back the line endings and BOM they had at HEAD, and the index
    entries `present_plain` staged go back to HEAD's."""
    names = [n for n in rendered_paths(template_dir, answers_file) if (project_dir / n).is_file()]
    restored = []
    for name, blob in _blobs_at_head(project_dir, names).items():
        form, path = TextForm.of(blob), project_dir / name
        if form.plain or path.is_symlink():
            continue
        data = path.read_bytes()
        if TextForm.of(data) != form:
            path.write_bytes(form.apply(TextForm.of(data).strip(data)))
            restored.append(name)
        unmerged = _git(project_dir, "ls-files", "--unmerged", "--", name)
        if not unmerged:  # a conflicted file keeps the stages Copier recorded
            _git(project_dir, "reset", "-q", "--", name)
    return [f"{name}: line endings kept as they were (CRLF)" for name in restored]


def undo_update(project_dir: Path) -> str | None:
    """The package back at HEAD: Copier updates clean working trees only, so whatever differs,
    files it added included, is this update's. None when done, else what failed."""
    import subprocess

    for args in (("reset", "-q", "--", "."), ("checkout", "-q", "--", "."), ("clean", "-fdq", "--", ".")):
        result = subprocess.run(["git", *args], cwd=project_dir, capture_output=True, text=True)
        if result.returncode != 0:
            return f"`git {' '.join(args)}` failed ({result.stderr.strip()})"
    return None


REFUSED = (
    "Nothing was changed: the update was refused before Copier wrote anything, because the"
    " template's changes to a file the package owns cannot be merged now:\n{reasons}\n"
    "Then run the same `copier update` again: it brings this template release, nothing lost."
)
UNDONE = (
    "Nothing was changed: the update was undone (the package is back at HEAD, the files Copier"
    " added removed), because {reason}.\n"
    "Then run the same `copier update` again: it brings this template release, nothing lost."
)


def after(
    project_dir: Path,
    template_dir: Path,
    old_ref: str,
    answers_file: str,
    ci_project: str,
    ci_file: str,
    ci_pin: str,
    renders: Path | None = None,
) -> Plan:
    plan = Plan(project_dir)
    handed = _handed_over(renders)
    if handed is not None:  # read from the same HEAD, a moment ago, in Copier's process
        _AT_HEAD[project_dir, answers_file] = handed["old_answers"]
    _ci_ref(plan, answers_file, ci_project, ci_file, ci_pin)
    mit = str(_load_answers(plan.text(answers_file)).get("license", "MIT")) == "MIT"
    _pyproject_rules(plan, mit)
    _docs_site(plan, template_dir, answers_file)
    _template_changes(plan, template_dir, old_ref, answers_file, handed)
    plan.commit()
    if mit and any((project_dir / name).is_file() for name in LICENSES if name != "LICENSE.txt"):
        from python_package_template.edits import UnsafeEdit, rename_license_to_txt

        try:
            plan.changes += rename_license_to_txt(project_dir)
        except UnsafeEdit as error:
            plan.skip(
                f"{error} If the package keeps that licence, record it: `copier update --trust --defaults"
                " -d license=other`."
            )
    plan.changes += restore_forms(project_dir, template_dir, answers_file)
    return plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stage", choices=("before", "record-choices", "after"))
    parser.add_argument("--project-dir", type=Path, default=Path("."))
    parser.add_argument("--answers-file", default=".copier-answers.yml")
    parser.add_argument("--template", type=Path, help="the new template version's checkout")
    parser.add_argument("--from", dest="old_ref", help="the template version updated from")
    parser.add_argument("--ci-project")
    parser.add_argument("--ci-file")
    parser.add_argument("--ci-pin")
    parser.add_argument(
        "--renders", type=Path, help="README.md and pyproject.toml as Copier rendered them (owned_renders)"
    )
    args = parser.parse_args(argv)
    vendored.install()  # tomlkit and poetry-core: the pinned copies, whatever Copier has
    if args.stage == "before":
        reasons = refusals(args.project_dir)
        if reasons:
            listed = "\n".join(f"  - {reason}" for reason in reasons)
            print(REFUSED.format(reasons=listed), file=sys.stderr)
            return 1
        if args.template:
            present_plain(args.project_dir, args.template, args.answers_file)
        return 0
    if args.stage == "record-choices":
        for change in record_choices(args.project_dir, args.answers_file):
            print(f"  migrated {change}")
        return 0
    if not all((args.template, args.old_ref, args.ci_project, args.ci_file, args.ci_pin)):
        parser.error("the after stage needs --template, --from, --ci-project, --ci-file and --ci-pin")
    try:
        plan = after(
            args.project_dir,
            args.template,
            args.old_ref,
            args.answers_file,
            args.ci_project,
            args.ci_file,
            args.ci_pin,
            args.renders,
        )
    except Exception as error:  # all or nothing: never a half-applied update
        if isinstance(error, Refused):
            reason = f"the template's changes cannot be merged now: {error}"
        else:
            import traceback

            traceback.print_exc()
            reason = (
                f"its migration failed on an unexpected error ({type(error).__name__}: {error}); please"
                " report it to the template's maintainers with this message"
            )
        trouble = undo_update(args.project_dir)
        if trouble:
            print(
                f"The update failed ({reason}) and could not be undone: {trouble}. Put the package"
                " back with `git reset --hard HEAD && git clean -fd`, then run the update again.",
                file=sys.stderr,
            )
        else:
            print(UNDONE.format(reason=reason), file=sys.stderr)
        return 1
    for change in plan.changes:
        print(f"  migrated {change}")
    for note in plan.kept:
        print(f"  kept {note}")
    for note in plan.skipped:
        print(f"  skipped {note}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
