"""The template's migrations: what `copier update` cannot do with a text merge.

Copier runs this script (see `_migrations` in copier.yml) with its own interpreter, from the
template version being updated to, in the package's directory:

    migrate.py before --answers-file .copier-answers.yml --ci-ref vX.Y.Z
        Before the update: an older `ci_include_ref` answer moves up to the template's pinned
        tag, so that bumping the pin in copier.yml rolls the new tag out (Copier reads the
        answers again after this step). A newer tag chosen on purpose is kept.

    migrate.py after --ci-project PROJECT --ci-file FILE --ci-ref vX.Y.Z
        After the update: Poetry 1 metadata in pyproject.toml moves to [project], a missing
        readme field is added, an MIT package gets `license = "MIT"` and license-files, an MIT
        LICENSE / LICENSE.md / LICENSE.rst becomes LICENSE.txt (git mv), and the common
        pipeline's include in .gitlab-ci.yml moves up to the answer's ref.

Every step is idempotent, so the script runs on every update and prints only what it changed.
If a step cannot decide safely, nothing at all is changed: the script says why and what to do,
and exits non-zero. Files that still hold conflict markers from the merge are left for the
maintainer; running `copier update` again once they are resolved finishes the job.

Being run as a script puts this directory on sys.path, so the edits come from the same
template version as this file.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
from pathlib import Path

TOMLKIT_MISSING = (
    "The Python package template's migrations need tomlkit in Copier's environment.\n"
    "Install it next to Copier, e.g. `pipx inject copier tomlkit copier-template-extensions`\n"
    "or `uv tool install copier --with tomlkit --with copier-template-extensions`,\n"
    "then run `copier update --trust` again. Nothing was changed."
)

LICENSES = ("LICENSE.txt", "LICENSE", "LICENSE.md", "LICENSE.rst")


def before(project_dir: Path, answers_file: str, ci_ref: str) -> list[str]:
    # Only the YAML edits: this runs on every update, and tomlkit would cost start-up time.
    from python_package_template.yaml_edits import raise_answer_tag

    path = project_dir / answers_file
    if not path.is_file():
        return []
    text, changes = raise_answer_tag(path.read_text(encoding="utf-8"), "ci_include_ref", ci_ref)
    if changes:
        path.write_text(text, encoding="utf-8")
    return [f"{answers_file}: {change.removeprefix('answers: ')}" for change in changes]


def after(project_dir: Path, ci_project: str, ci_file: str, ci_ref: str) -> tuple[list[str], list[str]]:
    """(what changed, what was left for the maintainer). Plans every edit in memory first, so
    that an UnsafeEdit anywhere leaves every file as it was."""
    import tomlkit

    from python_package_template.edits import (
        UnsafeEdit,
        ensure_mit_license_metadata,
        ensure_readme_field,
        has_conflict_markers,
        is_mit_license,
        poetry1_to_pep621,
        rename_license_to_txt,
        set_ci_include_ref,
    )
    from python_package_template.packagefiles import README_NAMES

    writes: dict[Path, str] = {}
    changes: list[str] = []
    skipped: list[str] = []

    def read(name: str) -> str | None:
        path = project_dir / name
        if not path.is_file():
            return None
        text = path.read_text(encoding="utf-8")
        if has_conflict_markers(text):
            skipped.append(
                f"{name} still has conflict markers from the update, so its migration waits: resolve"
                " them, commit, and run `copier update --trust` again to finish."
            )
            return None
        return text

    pyproject = read("pyproject.toml")
    if pyproject is not None:
        try:
            doc = tomlkit.parse(pyproject)
        except tomlkit.exceptions.TOMLKitError as error:
            raise UnsafeEdit(f"pyproject.toml is not valid TOML ({error}); fix it and run again.") from None
        edits = poetry1_to_pep621(doc)
        readme = next((name for name in README_NAMES if (project_dir / name).is_file()), None)
        if readme:
            edits += ensure_readme_field(doc, readme)
        licence = next((name for name in LICENSES if (project_dir / name).is_file()), None)
        if licence and is_mit_license((project_dir / licence).read_text(encoding="utf-8", errors="replace")):
            edits += ensure_mit_license_metadata(doc, "LICENSE.txt")
        if edits:
            writes[project_dir / "pyproject.toml"] = doc.as_string()
            changes += edits

    gitlab_ci = read(".gitlab-ci.yml")
    if gitlab_ci is not None:
        text, edits = set_ci_include_ref(gitlab_ci, ci_project, ci_file, ci_ref)
        if edits:
            writes[project_dir / ".gitlab-ci.yml"] = text
            changes += edits

    # The last step that can refuse; it checks everything before it renames anything.
    changes += rename_license_to_txt(project_dir)
    for path, text in writes.items():
        path.write_text(text, encoding="utf-8")
    return changes, skipped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stage", choices=("before", "after"))
    parser.add_argument("--project-dir", type=Path, default=Path("."))
    parser.add_argument("--answers-file", default=".copier-answers.yml")
    parser.add_argument("--ci-project")
    parser.add_argument("--ci-file")
    parser.add_argument("--ci-ref", required=True)
    args = parser.parse_args(argv)
    if importlib.util.find_spec("tomlkit") is None:
        # Checked before the update too, so that it stops before merging anything.
        print(TOMLKIT_MISSING, file=sys.stderr)
        return 2
    from python_package_template.yaml_edits import UnsafeEdit

    skipped: list[str] = []
    try:
        if args.stage == "before":
            changes = before(args.project_dir, args.answers_file, args.ci_ref)
        else:
            if not (args.ci_project and args.ci_file):
                parser.error("the after stage needs --ci-project and --ci-file")
            changes, skipped = after(args.project_dir, args.ci_project, args.ci_file, args.ci_ref)
    except UnsafeEdit as error:
        print(f"Template migration stopped: {error}\nNothing was changed by the migration.", file=sys.stderr)
        return 1
    for change in changes:
        print(f"  migrated {change}")
    for note in skipped:
        print(f"  skipped {note}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
