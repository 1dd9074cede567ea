"""The template an onboarding run renders: where it is, which version, and its questionnaire.

The template is cloned once per run of the command (not once per package, as `copier copy`
would), checked out at the chosen version, and every package is rendered from that clone. The
answers file still names the template the user gave (`_src_path`), so `copier update` finds it.

The questions, defaults and validators come from that version's own `copier.yml` and
`extensions/context.py`, evaluated the way Copier evaluates them, so onboarding accepts exactly
the answers `copier copy` would.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import shutil
import subprocess
import warnings
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml
from jinja2.sandbox import SandboxedEnvironment
from packaging.version import InvalidVersion, Version

from .safety import mask_credentials, without_credentials

ANSWERS_FILE = ".copier-answers.yml"

# The template's canonical home: the one place to change if the repository moves. A command
# installed from it (pipx, pip or uv) renders and updates from here unless told otherwise.
TEMPLATE_URL = "https://gitlab.developers.cam.ac.uk/uis/devops/python-package-template.git"
# Names another template (a path or git URL) for every run, e.g. a fork or a local clone.
TEMPLATE_ENV = "PYTHON_PACKAGE_TEMPLATE"

# This file is extensions/python_package_template/template_source.py in the template's checkout.
_CHECKOUT_ROOT = Path(__file__).resolve().parents[2]


class TemplateError(Exception):
    """The template cannot be used (not found, not a git repository, no such version). `reason`
    is the message without what to do about it, for a one-line report; git's own words (its
    credentials masked), when git failed, are in `git_said`."""

    def __init__(self, message: str, reason: str = "", git_said: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message
        self.git_said = git_said


def editable_checkout() -> Path | None:
    """The template checkout this command runs from, for an editable install (or a run from the
    source tree); None for an installed copy, whose files are not a template."""
    if (_CHECKOUT_ROOT / "copier.yml").is_file() and (_CHECKOUT_ROOT / "template").is_dir():
        return _CHECKOUT_ROOT
    return None


def default_template() -> str | Path:
    """The template used when --template is not given: $PYTHON_PACKAGE_TEMPLATE, else the
    checkout of an editable install, else the template's canonical git URL."""
    from_env = os.environ.get(TEMPLATE_ENV, "").strip()
    if from_env:
        return from_env
    return editable_checkout() or TEMPLATE_URL


DEFAULT_TEMPLATE_HELP = (
    f"the template, a path or git URL (default: ${TEMPLATE_ENV} if set, else the checkout of an"
    " editable install, else the template's canonical URL, below)"
)
# For epilogs, which argparse does not wrap: a URL broken at a hyphen cannot be copied.
DEFAULT_TEMPLATE_TEXT = f"The template's canonical URL: {TEMPLATE_URL}"


def _is_url(template: str) -> bool:
    return bool(re.match(r"^([a-z][a-z0-9+.-]*://|[^/\s]+@[^:\s]+:|gh:|gl:)", template))


def _git(*args: str, cwd: Path | None = None) -> str:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    if result.returncode != 0:
        # git echoes URLs, credentials included: never show those.
        said = mask_credentials(result.stderr.strip() or result.stdout.strip())
        raise TemplateError(mask_credentials(f"git {' '.join(args)} failed: ") + said, git_said=said)
    return result.stdout.strip()


def _git_reach(src_path: str, *args: str) -> str:
    """`git ARGS` that reads the template at `src_path`: when it cannot be reached, say so and how
    to give another, not git's error alone."""
    try:
        return _git(*args)
    except TemplateError as error:
        said = (error.git_said.splitlines() or [""])[0].removeprefix("fatal: ")
        said = re.sub(r"^unable to access '[^']*': ", "", said)
        reason = f"cannot reach the template {src_path} ({said.strip()})"
        raise TemplateError(
            f"{reason}. Give the template with --template PATH_OR_URL, or set {TEMPLATE_ENV} to it (a local"
            f" clone works: `git clone {TEMPLATE_URL}`, then `export {TEMPLATE_ENV}=$PWD/python-package-template`).",
            reason=reason,
        ) from None


class ReleaseTags(list):
    """Release tags, oldest first, with the commit each one names: a package rendered from a
    commit before it was tagged has that bare commit as its `_commit`, and is on that release
    all the same (as `copier check-update` says)."""

    def __init__(self, tags: list[str], commits: dict[str, str]) -> None:
        super().__init__(tags)
        self.commits = commits  # full commit hash -> tag

    def release_at(self, commit: str) -> str | None:
        """The release tagged on `commit` (a full or abbreviated hash), if one is."""
        commit = commit.lower()
        if len(commit) < 7 or not re.fullmatch(r"[0-9a-f]+", commit):
            return None
        return next((tag for sha, tag in self.commits.items() if sha.startswith(commit)), None)


def release_tags(tags: list[str]) -> list[str]:
    """The tags that are PEP 440 versions, oldest first: the ones Copier treats as releases."""
    versions = []
    for tag in tags:
        try:
            versions.append((Version(tag), tag))
        except InvalidVersion:
            continue
    return [tag for _, tag in sorted(versions)]


@dataclass(frozen=True)
class Question:
    name: str
    help: str = ""
    default: Any = None
    choices: tuple[str, ...] = ()
    validator: str = ""


@dataclass
class TemplateSource:
    """One version of the template, checked out locally."""

    src_path: str  # what `_src_path` records: an absolute path or the URL as given
    checkout: Path  # a clone checked out at `ref`
    ref: str  # what was checked out: a tag, or HEAD
    tags: list[str] = field(default_factory=list)  # release tags, oldest first
    # The checkout's files without git: what each package is rendered from, so that Copier does
    # not clone the template again for every package (half the time of a render).
    export: Path | None = None
    # What Copier writes as `_commit` for this checkout (`git describe --tags --always`).
    version: str = ""

    @property
    def latest_tag(self) -> str | None:
        return self.tags[-1] if self.tags else None

    @cached_property
    def config(self) -> dict:
        return yaml.safe_load((self.checkout / "copier.yml").read_text(encoding="utf-8")) or {}

    @cached_property
    def questions(self) -> list[Question]:
        questions = []
        for name, spec in self.config.items():
            if name.startswith("_"):
                continue
            if not isinstance(spec, dict):  # `name: default` shorthand
                spec = {"default": spec}
            choices = spec.get("choices") or ()
            if isinstance(choices, dict):
                choices = tuple(str(v) for v in choices.values())
            questions.append(
                Question(
                    name=name,
                    help=" ".join(str(spec.get("help", "")).split()),
                    default=spec.get("default"),
                    choices=tuple(str(c) for c in choices),
                    validator=str(spec.get("validator") or ""),
                )
            )
        return questions

    @cached_property
    def context(self) -> ModuleType:
        """This template version's extensions/context.py, loaded by path as Copier loads it."""
        path = self.checkout / "extensions" / "context.py"
        name = "python_package_template_context_" + hashlib.sha1(str(path).encode()).hexdigest()[:12]
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise TemplateError(f"cannot load {path}")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    @cached_property
    def _jinja(self) -> SandboxedEnvironment:
        env = SandboxedEnvironment(keep_trailing_newline=True)
        env.filters.update(getattr(self.context, "FILTERS", {}))
        env.globals.update(getattr(self.context, "GLOBALS", {}))
        return env

    def render_string(self, text: str, answers: dict[str, Any]) -> str:
        return self._jinja.from_string(text).render(**answers)

    def default_for(self, question: Question, answers: dict[str, Any]) -> str | None:
        if question.default is None:
            return None
        if isinstance(question.default, str):
            return self.render_string(question.default, answers)
        return str(question.default)

    def error_for(self, question: Question, value: str, answers: dict[str, Any]) -> str:
        """What is wrong with `value` as the answer to `question` ("" when it is allowed)."""
        if question.choices and value not in question.choices:
            return f"'{value}' is not one of the choices: {', '.join(question.choices)}."
        if not question.validator:
            return ""
        return self.render_string(question.validator, {**answers, question.name: value}).strip()

    def resolve(
        self, suggested: dict[str, str], overrides: dict[str, str]
    ) -> tuple[dict[str, str], dict[str, str]]:
        """Answers for every question, in questionnaire order: an override, else the suggested
        (inferred) answer, else the template's default given the answers so far.

        Returns (answers, errors) where errors maps a question to what is wrong with its answer.
        """
        answers: dict[str, str] = {}
        errors: dict[str, str] = {}
        for question in self.questions:
            if question.name in overrides:
                value = overrides[question.name]
            elif suggested.get(question.name) not in (None, ""):
                value = suggested[question.name]
            else:
                value = self.default_for(question, answers) or ""
            answers[question.name] = str(value)
        for question in self.questions:
            error = self.error_for(question, answers[question.name], answers)
            if error:
                errors[question.name] = error
        return answers, errors


def src_path_of(template: str) -> str:
    """A template as the packages' answers files record it (`_src_path`) and reports show it: a
    URL without its credentials, a path absolute and resolved."""
    return without_credentials(template) if _is_url(template) else str(Path(template).expanduser().resolve())


def template_tags(template: str | Path | None) -> tuple[str, list[str]]:
    """(_src_path, release tags oldest first) of a template, without cloning it."""
    if template is None:
        template = default_template()
    template = str(template)
    src_path = src_path_of(template)  # what is recorded and reported
    location = template if _is_url(template) else src_path  # a URL with its credentials, to reach it
    listing = _git_reach(src_path, "ls-remote", "--tags", location)
    named: dict[str, str] = {}  # tag -> the commit it names (an annotated tag's peeled `^{}` line wins)
    for sha, _, ref in (line.partition("\t") for line in listing.splitlines()):
        tag = ref.removeprefix("refs/tags/")
        if tag.endswith("^{}") or tag not in named:
            named[tag.removesuffix("^{}")] = sha
    tags = release_tags(list(named))
    return src_path, ReleaseTags(tags, {named[tag]: tag for tag in tags})


def prepare_template(template: str | Path | None, vcs_ref: str | None, workdir: Path) -> TemplateSource:
    """Clone `template` (default: this checkout) into `workdir` at `vcs_ref` (default: the latest
    release tag, else HEAD) and describe it."""
    if template is None:
        template = default_template()
    template = str(template)
    src_path = src_path_of(template)
    if _is_url(template):
        location = template  # cloned with the credentials given, recorded (answers, reports) without
    else:
        local = Path(src_path)
        if not (local / "copier.yml").is_file():
            raise TemplateError(
                f"{local} is not a Copier template (it has no copier.yml): give the template with"
                f" --template PATH_OR_URL, or set {TEMPLATE_ENV} to it."
            )
        try:
            top = _git("rev-parse", "--show-toplevel", cwd=local)
        except TemplateError:
            raise TemplateError(
                f"{local} is not a git repository: the template must be one, so that the answers"
                " file can record its version and `copier update` can find newer ones."
            ) from None
        if Path(top).resolve() != local:
            raise TemplateError(f"{local} is inside the git repository {top}; give the repository's root.")
        location = src_path
        if vcs_ref in (None, "HEAD") and _git("status", "--porcelain", cwd=local):
            warnings.warn(
                f"{local} has uncommitted changes; onboarding uses committed template versions only.",
                stacklevel=2,
            )
    checkout = workdir / "template"
    _git_reach(src_path, "clone", "--quiet", "--no-checkout", location, str(checkout))
    tags = release_tags(_git("tag", "--list", cwd=checkout).split())
    ref = vcs_ref or (tags[-1] if tags else "HEAD")
    try:
        _git("-c", "advice.detachedHead=false", "checkout", "--quiet", ref, "--", cwd=checkout)
    except TemplateError:
        raise TemplateError(f"the template has no version {ref!r}") from None
    if ref == "HEAD":
        # Copier checks out the clone's HEAD by name; make it the commit we mean.
        ref = _git("rev-parse", "HEAD", cwd=checkout)
    export = workdir / "export"
    shutil.copytree(checkout, export, ignore=shutil.ignore_patterns(".git"))
    version = _git("describe", "--tags", "--always", cwd=checkout)
    return TemplateSource(
        src_path=src_path, checkout=checkout, ref=ref, tags=tags, export=export, version=version
    )
