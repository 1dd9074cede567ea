"""The template's migrations: what `copier update` cannot do with a text merge.

Copier runs this script (see `_migrations` in copier.yml) with its own interpreter, from the
template version being updated to, in the package's directory:

    migrate.py record-choices --answers-file .copier-answers.yml
        Before an update from a version older than v0.2.0: records the answers that version did
        not ask, from what the package is: `package_layout` (src when its code is in
        src/<package_name>/, else flat) and `license` (MIT when its licence file is the MIT
        licence, else other), so that the update respects them; and `docs: none`, so that a
        package gets the documentation site only when it answers `-d docs=mkdocs`.

    migrate.py after --template DIR --from REF --answers-file .copier-answers.yml
                     --ci-project PROJECT --ci-file FILE --ci-pin vX.Y.Z
        After every update:
        - the `ci_include_ref` answer moves up to the template's pinned tag when it is an older
          tag, and the common pipeline's include in .gitlab-ci.yml follows the answer;
        - pyproject.toml: Poetry 1 metadata moves to [project]; a missing readme field is added;
          an MIT package gets `license = "MIT"` and license-files;
        - what the template changed in the files the package owns (pyproject.toml, README.md)
          between REF and DIR's version arrives as a structural three-way merge
          (python_package_template.template_changes): only items the package has as the old
          version rendered them change; its own edits are kept, and said so;
        - an MIT package's LICENSE / LICENSE.md / LICENSE.rst becomes LICENSE.txt (git mv);
        - when this update turns `docs` to mkdocs, the template's documentation site
          (mkdocs.yml, docs/) is added, once, unless the package has a mkdocs.yml of its own,
          and a `documentation_url` still at the README default moves to the site's URL.

Every step is idempotent, so the script runs on every update and prints only what it changed
("migrated ...") and what it left to the maintainers ("kept ...", "skipped ..."). It never fails
an update: a step that cannot be done safely is skipped with a note saying why and what to do,
and the others go ahead. Every edit is planned in memory first and written at the end. Files
that still hold conflict markers from the merge are left for the maintainer; running `copier
update` again once they are resolved finishes the job.

Being run as a script puts this directory on sys.path, so the edits come from the same
template version as this file.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

TOMLKIT_MISSING = (
    "The Python package template's migrations need tomlkit in Copier's environment.\n"
    "Install it next to Copier, e.g. `pipx inject copier tomlkit copier-template-extensions`\n"
    "or `uv tool install copier --with tomlkit --with copier-template-extensions`,\n"
    "then run `copier update --trust` again."
)

LICENSES = ("LICENSE.txt", "LICENSE", "LICENSE.md", "LICENSE.rst")


class Plan:
    """Edits planned in memory, written together at the end, with what to tell the maintainer."""

    def __init__(self, project_dir: Path) -> None:
        self.project_dir = project_dir
        self.writes: dict[str, str] = {}
        self.changes: list[str] = []
        self.kept: list[str] = []
        self.skipped: list[str] = []

    def text(self, name: str) -> str | None:
        """The file's text as planned so far; None when it is missing or still conflicted."""
        if name in self.writes:
            return self.writes[name]
        path = self.project_dir / name
        if not path.is_file():
            return None
        from python_package_template.yaml_edits import has_conflict_markers

        text = path.read_text(encoding="utf-8")
        if has_conflict_markers(text):
            self.skip(
                f"{name} still has conflict markers from the update, so its migration waits: resolve"
                " them, commit, and run `copier update --trust` again to finish."
            )
            return None
        return text

    def write(self, name: str, text: str, changes: list[str]) -> None:
        self.writes[name] = text
        self.changes += changes

    def skip(self, note: str) -> None:
        if note not in self.skipped:
            self.skipped.append(note)

    def commit(self) -> None:
        for name, text in self.writes.items():
            (self.project_dir / name).parent.mkdir(parents=True, exist_ok=True)
            (self.project_dir / name).write_text(text, encoding="utf-8")


def _load_answers(text: str | None) -> dict[str, Any]:
    import yaml

    answers = yaml.safe_load(text or "") if text else {}
    return answers if isinstance(answers, dict) else {}


def _public(answers: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in answers.items() if not key.startswith("_")}


def _answers_at_head(project_dir: Path, answers_file: str) -> dict[str, Any]:
    """The answers as committed before this update (Copier updates clean working trees only)."""
    shown = subprocess.run(
        ["git", "show", f"HEAD:./{answers_file}"],
        cwd=project_dir,
        capture_output=True,
        text=True,
        check=False,
    )
    return _load_answers(shown.stdout if shown.returncode == 0 else None)


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
    """The documentation site, when this update turns `docs` to mkdocs: its files, then its URL."""
    answers_text = plan.text(answers_file)
    answers = _load_answers(answers_text)
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
    site = _docs_site_url(answers)
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


def _docs_site_url(answers: dict[str, Any]) -> str | None:
    """The site's URL, when `documentation_url` is still at the README default: it moves there,
    and README.md and pyproject.toml are then rendered with it."""
    import context

    host, path = answers.get("gitlab_host"), answers.get("gitlab_project_path")
    site = context.documentation_url_from("mkdocs", host, path)
    readme = context.documentation_url_from("none", host, path)
    return site if answers.get("documentation_url") == readme != site else None


def _docs_site_files(project_dir: Path, template_dir: Path, answers: dict[str, Any]) -> dict[str, str]:
    """{name: text} of the template's mkdocs.yml and docs/ files, rendered with the answers,
    that the package lacks."""
    from python_package_template.template_changes import _subdirectory

    config = template_dir / "copier.yml"
    source = template_dir / _subdirectory(config.read_text(encoding="utf-8") if config.is_file() else None)
    files = [source / "mkdocs.yml.jinja", *sorted(p for p in (source / "docs").rglob("*") if p.is_file())]
    env = _jinja_env()
    context = {key: value for key, value in answers.items() if not key.startswith("_")}
    rendered = {}
    for file in files:
        name = file.relative_to(source).as_posix().removesuffix(".jinja")
        if not (project_dir / name).exists():
            text = file.read_text(encoding="utf-8")
            rendered[name] = env.from_string(text).render(**context) if file.suffix == ".jinja" else text
    return rendered


def _template_changes(plan: Plan, template_dir: Path, old_ref: str, answers_file: str) -> None:
    from python_package_template import template_changes as tc

    old_answers = _answers_at_head(plan.project_dir, answers_file)
    new_answers = _load_answers(plan.text(answers_file))
    if not old_answers or not new_answers:
        plan.skip(f"{answers_file} is missing: template changes to README.md and pyproject.toml not checked")
        return
    try:
        old_sources, new_sources = tc.templates_at(template_dir, old_ref)
        if old_sources == new_sources and _public(old_answers) == _public(new_answers):
            return  # both versions render the owned files alike: nothing to bring in
        env = _jinja_env()  # only now: most updates do not need Jinja
        base = tc.render_owned(env, old_sources, old_answers)
        new = tc.render_owned(env, new_sources, new_answers)
    except tc.RenderError as error:
        plan.skip(f"template changes to README.md and pyproject.toml not brought in: {error}")
        return
    for name, merge_file in (("pyproject.toml", tc.merge_pyproject), ("README.md", tc.merge_readme)):
        if base[name] is None or new[name] is None or base[name] == new[name]:
            continue
        current = plan.text(name)
        if current is None:
            plan.kept.append(
                f"{name}: the package has none, so the template's changes to it were not brought in"
            )
            continue
        try:
            merged = merge_file(current, base[name], new[name])
        except Exception as error:  # e.g. a pyproject.toml that is not valid TOML
            plan.skip(f"{name}: the template's changes were not brought in: {type(error).__name__}: {error}")
            continue
        if merged.changes:
            plan.write(name, merged.text, merged.changes)
        plan.kept += merged.kept


def after(
    project_dir: Path,
    template_dir: Path,
    old_ref: str,
    answers_file: str,
    ci_project: str,
    ci_file: str,
    ci_pin: str,
) -> Plan:
    plan = Plan(project_dir)
    _ci_ref(plan, answers_file, ci_project, ci_file, ci_pin)
    mit = str(_load_answers(plan.text(answers_file)).get("license", "MIT")) == "MIT"
    _pyproject_rules(plan, mit)
    _docs_site(plan, template_dir, answers_file)
    _template_changes(plan, template_dir, old_ref, answers_file)
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
    return plan


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("stage", choices=("record-choices", "after"))
    parser.add_argument("--project-dir", type=Path, default=Path("."))
    parser.add_argument("--answers-file", default=".copier-answers.yml")
    parser.add_argument("--template", type=Path, help="the new template version's checkout")
    parser.add_argument("--from", dest="old_ref", help="the template version updated from")
    parser.add_argument("--ci-project")
    parser.add_argument("--ci-file")
    parser.add_argument("--ci-pin")
    args = parser.parse_args(argv)
    if importlib.util.find_spec("tomlkit") is None:
        print(TOMLKIT_MISSING, file=sys.stderr)
        return 2
    if args.stage == "record-choices":
        for change in record_choices(args.project_dir, args.answers_file):
            print(f"  migrated {change}")
        return 0
    if not all((args.template, args.old_ref, args.ci_project, args.ci_file, args.ci_pin)):
        parser.error("the after stage needs --template, --from, --ci-project, --ci-file and --ci-pin")
    plan = after(
        args.project_dir,
        args.template,
        args.old_ref,
        args.answers_file,
        args.ci_project,
        args.ci_file,
        args.ci_pin,
    )
    for change in plan.changes:
        print(f"  migrated {change}")
    for note in plan.kept:
        print(f"  kept {note}")
    for note in plan.skipped:
        print(f"  skipped {note}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
