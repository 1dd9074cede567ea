"""The `python-package-template` command: onboard existing packages, or check them.

    python-package-template onboard [options] PATH [PATH ...]
    python-package-template onboard --check [--json] [--no-build] PATH [PATH ...]

Work on many packages runs in parallel processes (`--jobs`); answers are asked for first, one
package after another, so prompts never interleave. A failure in one package does not stop the
others; the command ends with a summary table and exits non-zero if any package failed, has a
conflict to resolve by hand, or (with --check) breaks a rule.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

from . import fleet, testproof
from .checks import FAIL, PASS, RULES, SKIP, RuleResult, check_package
from .infer import Inferred, NotAPackage, infer_answers, require_package
from .journal import journal_for
from .onboard import (
    ERROR,
    INTERRUPTED,
    ONBOARDED,
    SKIPPED,
    UNCHANGED,
    OnboardError,
    PackageReport,
    onboard_package,
    refuse_dirty,
)
from .safety import mask_credentials
from .template_source import (
    ANSWERS_FILE,
    DEFAULT_TEMPLATE_HELP,
    DEFAULT_TEMPLATE_TEXT,
    TemplateError,
    TemplateSource,
    prepare_template,
    template_tags,
)
from .workers import Interrupted, handle_sigterm, in_worker, run_all, run_tempdir, stop_requested

DESCRIPTION = """\
Bring existing Python packages in line with the team's Python package template, or check how
far they are from its rules, without changing them (--check).

Onboarding infers the template's answers from each package (pyproject.toml, README, licence,
.gitlab-ci.yml, git config and remote), lets you confirm or correct them (or accepts them with
--yes), renders the template with them and merges the result into the package: it adds the
files the package lacks, merges pyproject.toml structurally, adds the common CI include, renames
an MIT LICENSE to LICENSE.txt, appends the README sections it lacks as a marked skeleton, and
writes .copier-answers.yml so that `copier update` works from then on. It never overwrites the
package's own content, never switches its build backend and never touches a non-MIT licence;
what it cannot merge it reports as a conflict. Each package is built with its own backend
before and after the edits: unless the wheels differ only where the rules ask, nothing is
written. It adds none of the template's hooks, ruff or mypy settings, and its strict pytest
settings only where --prove-tests shows they hold: --prove-tests also runs each package's own
tests before and after, and any test that gets worse leaves it as it was. A dirty working tree
is refused. Nothing is committed: review with `git diff`, then commit. Running it again changes
nothing.
"""

EPILOG = f"""\
examples:
  python-package-template onboard ../lookup-client
  python-package-template onboard --yes --data ci_include_ref=v6.1.0 ../pkgs/*
  python-package-template onboard --prove-tests ../lookup-client
  python-package-template onboard --check --json ../pkgs/* > report.json

The template (--template) is used at its latest release tag (HEAD when it has no tags);
committed versions only.
{DEFAULT_TEMPLATE_TEXT}
Exit status: 0 all well; 1 a package failed, has conflicts or (--check) breaks a rule; 2 usage.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python-package-template",
        description="Keep the team's Python packages in line with the template.",
        epilog=fleet.TOP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    rules = "\n".join(f"  {rule:<18} {title}" for rule, title in RULES.items())
    onboard = commands.add_parser(
        "onboard",
        help="bring existing packages in line with the template (or --check them)",
        description=DESCRIPTION,
        epilog=f"rules that --check reports:\n{rules}\n\n{EPILOG}",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    onboard.add_argument(
        "paths", nargs="+", metavar="PATH", help="package directories (git checkouts with a pyproject.toml)"
    )
    onboard.add_argument(
        "--check",
        action="store_true",
        help="change nothing: report, per package, each rule and whether it holds",
    )
    onboard.add_argument(
        "--yes",
        "-y",
        action="store_true",
        help="accept the inferred answers without asking (for fleets and CI)",
    )
    onboard.add_argument(
        "--data",
        "-d",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="answer one question (repeatable); overrides what is inferred",
    )
    onboard.add_argument(
        "--template",
        metavar="PATH_OR_URL",
        help=DEFAULT_TEMPLATE_HELP,
    )
    onboard.add_argument(
        "--vcs-ref",
        metavar="REF",
        help="the template version to onboard to (default: its latest release tag, else HEAD)",
    )
    onboard.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="packages worked on at once, in separate processes (default: %(default)s, the CPUs)",
    )
    onboard.add_argument(
        "--json",
        action="store_true",
        help="print the results as JSON on stdout (progress still goes to stderr)",
    )
    onboard.add_argument(
        "--prove-tests",
        action="store_true",
        help="run each package's own tests before and after the edits (installed as its CI would:"
        " Poetry, or pip with its test extras or groups); any test that gets worse leaves it as it was",
    )
    onboard.add_argument(
        "--no-build",
        action="store_true",
        help="with --check: skip building the package (the pypi-metadata rule)",
    )
    fleet.add_commands(commands)
    return parser


def _parse_data(items: list[str], parser: argparse.ArgumentParser) -> dict[str, str]:
    data = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            parser.error(f"--data takes KEY=VALUE, not {item!r}")
        data[key.strip()] = value
    return data


# --- running per-package work, in parallel processes when there is more than one package ---


def _infer_job(path: str, python_choices: tuple[str, ...], prove_tests: bool = False) -> Inferred | str:
    """The answers inferred, or why the package cannot be onboarded: what would stop onboarding
    anyway (a dirty tree; no Poetry to prove a Poetry package's tests) is said before anyone is
    asked to confirm answers."""
    try:
        require_package(Path(path))
        journal = journal_for(Path(path))
        if (
            journal is None or not journal.file.is_file()
        ):  # else onboarding first puts back what a killed run left
            refuse_dirty(Path(path))
        if prove_tests and testproof.plan_for(Path(path)).installer == "poetry":
            testproof.poetry_command()
        return infer_answers(Path(path), python_choices)
    except (NotAPackage, OnboardError, testproof.TestsUnavailable) as error:
        return str(error)
    except Exception as error:
        return f"could not read the package: {type(error).__name__}: {error}"


def _onboard_job(
    path: str, answers: dict[str, str], template: TemplateSource, prove_tests: bool = False, chosen=()
) -> PackageReport:
    """`chosen`: the answers the user gave (--data), which onboarding never second-guesses."""
    try:
        report = onboard_package(
            path,
            answers,
            template,
            stop=stop_requested,
            prove_tests=prove_tests,
            try_strict_tests="test_settings" not in chosen,
        )
    except KeyboardInterrupt:
        if not in_worker():  # in the main process: Ctrl-C stops the whole run
            raise
        return PackageReport(
            path=path,
            status=INTERRUPTED,
            answers=answers,
            error="interrupted: the package was left as it was",
        )
    report.path = path
    if report.status in (ONBOARDED, UNCHANGED):
        try:
            report.rules = [
                r.as_dict() for r in check_package(Path(path), template_tags=template.tags, build=False)
            ]
        except Exception as error:
            report.notes.append(f"could not check the rules afterwards: {error}")
    return report


def _own_tests_rule(path: str, template: TemplateSource, data: dict[str, str]) -> RuleResult:
    """What --prove-tests would find: onboarding planned (nothing written) and the package's own
    tests run before and after the planned edits."""
    if (Path(path) / ANSWERS_FILE).is_file():
        return RuleResult("own-tests", SKIP, "already onboarded: nothing to prove")
    choices = next((q.choices for q in template.questions if q.name == "python_min"), ())
    answers, _ = template.resolve(infer_answers(Path(path), choices).answers, data)
    planned = onboard_package(
        path, answers, template, prove_tests=True, dry_run=True, try_strict_tests="test_settings" not in data
    )
    if planned.error:
        return RuleResult("own-tests", FAIL, planned.error)
    proved = [note for note in planned.notes if note.startswith("the package's own tests")]
    return RuleResult("own-tests", PASS, proved[0] if proved else "nothing to change")


def _check_job(
    path: str,
    tags: list[str],
    build: bool,
    unreachable: str = "",
    template: TemplateSource | None = None,
    data: dict | None = None,
) -> PackageReport:
    report = PackageReport(path=path, status="checked")
    try:
        require_package(Path(path))
        results = check_package(Path(path), template_tags=tags, build=build, template_unreachable=unreachable)
        if template is not None:
            results.append(_own_tests_rule(path, template, data or {}))
        report.rules = [r.as_dict() for r in results]
    except NotAPackage as error:
        report.status, report.error = ERROR, str(error)
    except Exception as error:
        report.status, report.error = ERROR, f"{type(error).__name__}: {error}"
    return report


# --- output ---


def _progress(
    total: int, label: str, paths: Sequence[str], err: TextIO, errors_only: bool = False
) -> Callable[[int, Any], None]:
    done = [0]

    def show(index: int, result: Any) -> None:
        done[0] += 1
        if errors_only and not isinstance(result, (str, Exception)):
            return
        if isinstance(result, PackageReport):
            state = result.status if not result.error else f"error: {result.error.splitlines()[0]}"
        elif isinstance(result, str):
            state = f"error: {result.splitlines()[0]}"
        elif isinstance(result, Exception):
            state = f"error: {result}"
        else:
            state = "done"
        print(f"[{done[0]}/{total}] {label} {paths[index]}: {state}", file=err, flush=True)

    return show


def _mark(status: str) -> str:
    return {"pass": "PASS", "fail": "FAIL", "warn": "WARN", "skip": "SKIP"}.get(status, status.upper())


def print_report(report: PackageReport, out: TextIO, *, checking: bool) -> None:
    print(f"\n== {report.path}: {report.status}", file=out)
    if report.error:
        print(f"  error: {report.error.splitlines()[0]}", file=out)
        for line in report.error.splitlines()[1:]:
            print(f"    {line}", file=out)
    # A package left as it was lists what onboarding had planned, none of it written.
    written = report.status not in (ERROR, INTERRUPTED, SKIPPED, "planned")
    for change in report.changes:
        print(f"  {'changed' if written else 'planned, not written'}: {change}", file=out)
    for conflict in report.conflicts:
        print(f"  CONFLICT: {conflict}", file=out)
    for note in report.notes:
        if not note.startswith("Traceback"):
            print(f"  note: {note}", file=out)
    if report.rules and (checking or report.failing_rules):
        width = max(len(r["rule"]) for r in report.rules)
        if not checking:
            print("  rules (checked afterwards, without building):", file=out)
        for rule in report.rules:
            if checking or rule["status"] == FAIL:
                detail = rule["detail"] or RULES[rule["rule"]]
                print(f"  {_mark(rule['status'])}  {rule['rule']:<{width}}  {detail}", file=out)


def summary_table(reports: list[PackageReport], *, checking: bool) -> str:
    rows = [("package", "status", "changed files", "conflicts", "rules failing")]
    for report in reports:
        failing = ", ".join(report.failing_rules) if report.rules else ("-" if report.error else "")
        rows.append(
            (
                report.path,
                report.status,
                "-" if checking or report.error else str(len(report.changed_files)),
                "-" if checking or report.error else str(len(report.conflicts)),
                failing or ("none" if report.rules else "-"),
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in rows
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _failed(report: PackageReport, *, checking: bool) -> bool:
    if report.error or report.status == ERROR:
        return True
    if checking:
        return bool(report.failing_rules)
    return bool(report.conflicts)


def _finish(
    reports: list[PackageReport], args: argparse.Namespace, template: dict | None, out: TextIO
) -> int:
    checking = args.check
    failed = [r for r in reports if _failed(r, checking=checking)]
    if args.json:
        document = {
            "command": "check" if checking else "onboard",
            "template": template,
            "packages": [r.as_dict() for r in reports],
            "summary": {"packages": len(reports), "failed": len(failed)},
        }
        json.dump(document, out, indent=2)
        out.write("\n")
    else:
        for report in reports:
            print_report(report, out, checking=checking)
        print("\n" + summary_table(reports, checking=checking), file=out)
        if not checking and any(r.status == ONBOARDED for r in reports):
            print("\nNothing is committed: review each package with `git diff`, then commit.", file=out)
        interrupted = [r for r in reports if r.status == INTERRUPTED]
        if interrupted:
            print(
                f"\nInterrupted: {len(interrupted)} package(s) were left exactly as they were; the others"
                " were onboarded completely. Run the same command again to carry on.",
                file=out,
            )
    if any(r.status == INTERRUPTED for r in reports):
        return 130
    return 1 if failed else 0


# --- the commands ---


def _prepare(args: argparse.Namespace, workdir: Path, err: TextIO) -> TemplateSource:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        template = prepare_template(args.template, args.vcs_ref, workdir)
    for warning in caught:
        print(f"warning: {warning.message}", file=err)
    return template


def _check(args: argparse.Namespace, data: dict[str, str], out: TextIO, err: TextIO) -> int:
    template = None
    tags: list[str] = []
    unreachable = ""
    try:
        src_path, tags = template_tags(args.template)
        template = {"src_path": src_path, "latest_tag": tags[-1] if tags else None}
    except TemplateError as error:
        print(f"warning: {error} The template-version rule is skipped.", file=err)
        unreachable = error.reason
    with tempfile.TemporaryDirectory(prefix="ppt-template-") as workdir:
        source = None
        if args.prove_tests:  # the own-tests rule plans onboarding, so it needs the template
            try:
                source = _prepare(args, Path(workdir), err)
            except TemplateError as error:
                print(f"python-package-template: {error}", file=err)
                return 2
        jobs = [
            (path, tags, not args.no_build, unreachable, source and replace(source), data)
            for path in args.paths
        ]
        reports = run_all(_check_job, jobs, args.jobs, _progress(len(jobs), "checked", args.paths, err))
    reports = [
        r if isinstance(r, PackageReport) else PackageReport(path=p, status=ERROR, error=str(r))
        for p, r in zip(args.paths, reports, strict=True)
    ]
    return _finish(reports, args, template, out)


def _onboard(
    args: argparse.Namespace,
    data: dict[str, str],
    out: TextIO,
    err: TextIO,
    prompt_input: Any,
    prompt_output: Any,
) -> int:
    interactive = not args.yes
    if interactive and prompt_input is None and not sys.stdin.isatty():
        print(
            "python-package-template: no terminal to ask on; pass --yes to accept the inferred answers.",
            file=err,
        )
        return 2
    if interactive and args.json and prompt_output is None:
        from prompt_toolkit.output import create_output

        prompt_output = create_output(stdout=sys.stderr)  # stdout is for the JSON
    with tempfile.TemporaryDirectory(prefix="ppt-template-") as workdir:
        try:
            template = _prepare(args, Path(workdir), err)
        except TemplateError as error:
            print(f"python-package-template: {error}", file=err)
            return 2
        unknown = sorted(set(data) - {q.name for q in template.questions})
        if unknown:
            print(
                f"python-package-template: --data names no question of the template: {', '.join(unknown)}",
                file=err,
            )
            return 2
        choices = next((q.choices for q in template.questions if q.name == "python_min"), ())
        inferred = run_all(
            _infer_job,
            [(p, choices, args.prove_tests) for p in args.paths],
            args.jobs,
            _progress(len(args.paths), "reading", args.paths, err, errors_only=True),
        )

        if any(isinstance(found, Interrupted) for found in inferred):
            print("\nStopped: no package was changed.", file=err)
            return 130
        reports: dict[int, PackageReport] = {}
        work: list[tuple[int, dict[str, str]]] = []
        for index, (path, found) in enumerate(zip(args.paths, inferred, strict=True)):
            if not isinstance(found, Inferred):
                reports[index] = PackageReport(path=path, status=ERROR, error=str(found))
                continue
            answers, errors = template.resolve(found.answers, data)
            sources = {**found.sources, **{k: "--data" for k in data}}
            if interactive:
                from .prompt import confirm_answers

                try:
                    confirmed = confirm_answers(
                        path, template, answers, sources, input=prompt_input, output=prompt_output, echo=err
                    )
                except KeyboardInterrupt:
                    print("\nStopped: no package was changed.", file=err)
                    return 130
                if confirmed is None:
                    reports[index] = PackageReport(
                        path=path, status=SKIPPED, answers=answers, notes=["skipped at your request"]
                    )
                    continue
                answers = confirmed
            elif errors:
                problems = "\n".join(
                    f"{name} = {answers[name]!r} ({sources.get(name, 'template default')}): {error}"
                    for name, error in errors.items()
                )
                reports[index] = PackageReport(
                    path=path,
                    status=ERROR,
                    answers=answers,
                    error=f"answers the template refuses; correct them with --data KEY=VALUE (or run without --yes):\n{problems}",
                )
                continue
            found_notes = found.notes
            work.append((index, answers))
            reports[index] = PackageReport(path=path, notes=list(found_notes))

        # The clone is shared by the workers; each gets a fresh (picklable) description of it.
        jobs = [
            (args.paths[index], answers, replace(template), args.prove_tests, tuple(data))
            for index, answers in work
        ]
        labels = [args.paths[index] for index, _ in work]
        done = run_all(_onboard_job, jobs, args.jobs, _progress(len(jobs), "onboarded", labels, err))
        for (index, answers), result in zip(work, done, strict=True):
            if isinstance(result, PackageReport):
                result.notes = reports[index].notes + result.notes
                reports[index] = result
            elif isinstance(result, Interrupted):
                reports[index] = PackageReport(
                    path=args.paths[index],
                    status=INTERRUPTED,
                    answers=answers,
                    error="interrupted (Ctrl-C) before it was onboarded: the package was left as it was",
                )
            else:
                reports[index] = PackageReport(
                    path=args.paths[index], status=ERROR, answers=answers, error=str(result)
                )
        about = {
            "src_path": template.src_path,
            "version": template.version,
            "latest_tag": template.latest_tag,
        }
        return _finish([reports[i] for i in range(len(args.paths))], args, about, out)


def main(
    argv: list[str] | None = None,
    *,
    prompt_input: Any = None,
    prompt_output: Any = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
) -> int:
    """Run the command. `prompt_input`/`prompt_output` go to prompt_toolkit (tests use a pipe).
    Whatever it prints has the credentials of any URL masked; SIGTERM stops it as Ctrl-C does."""
    out = _Masked(out or sys.stdout)
    err = _Masked(err or sys.stderr)
    parser = build_parser()
    args = parser.parse_args(argv)
    with handle_sigterm(), run_tempdir():
        try:
            if args.command in fleet.COMMANDS:
                return fleet.main(args, parser, out, err)
            if args.jobs < 1:
                parser.error("--jobs must be at least 1")
            data = _parse_data(args.data, parser)
            if args.check:
                return _check(args, data, out, err)
            return _onboard(args, data, out, err, prompt_input, prompt_output)
        except KeyboardInterrupt:
            # Before any package was worked on, or after the work ended: nothing is half done.
            print("\nStopped (interrupted): no package was changed.", file=err)
            return 130


class _Masked:
    """A text stream that masks the user info of every URL written to it."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(mask_credentials(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


__all__ = ["main", "build_parser", "summary_table"]
