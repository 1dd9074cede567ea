"""Shared fixtures: each answer set is rendered once per test session (per xdist worker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers import REQUIRED_ANSWERS, template_snapshot

# Answers that are legal but awkward: quotes, backslashes, unicode, inline Markdown and
# Jinja-looking text must still render valid TOML, YAML, Python and Markdown. (No answer may hold
# a tab or another control character.)
AWKWARD_ANSWERS = {
    "project_name": 'Ünïcødé "Quoted" Client {{ oops }}',
    "distribution_name": "awkward-client-v2",
    "description": 'Handles "quotes", \\backslashes\\, `code`, *stars*, unicode ✓ and {{ braces }} {% raw %} """ end"',
    "keywords": 'Ünïcødé, "quoted" words,  back\\slash , {{ jinja }}',
    "author_name": 'Zoë O\'Brien "Ziggy" \\ Smith',
    "author_email": "zoe+pypi@example.org",
    "copyright_holder": 'Zoë & Co. "Ltd" {{ x }} \\',
    "documentation_url": "https://docs.example.org/awkward/?q=a&v=1#usage",
    "gitlab_project_path": "Some.Group/sub_group/awkward-client",
    "initial_version": "1.0.0rc1",
}

# The newest Python as the minimum, and a package name unlike the distribution name.
NEWEST_ANSWERS = {
    **REQUIRED_ANSWERS,
    "distribution_name": "ucam-lookup",
    "package_name": "lookup",
    "python_min": "3.15",
}

# An existing package's own layout and licence: the template adds no code, tests of the code,
# licence file or type-checker settings.
FLAT_OTHER_ANSWERS = {**REQUIRED_ANSWERS, "package_layout": "flat", "license": "other"}
# What onboarding records for an existing package: its own layout, licence and tool settings.
ONBOARDED_ANSWERS = {**FLAT_OTHER_ANSWERS, "test_settings": "own", "lint_settings": "own"}

ANSWER_SETS = {"defaults": REQUIRED_ANSWERS, "awkward": AWKWARD_ANSWERS, "newest": NEWEST_ANSWERS}


def _render(copie_session, answers: dict) -> Path:
    result = copie_session.copy(extra_answers=answers)
    assert result.exception is None, result.exception
    return result.project_dir


@pytest.fixture(scope="session", params=sorted(ANSWER_SETS))
def rendered(request, copie_session) -> tuple[str, Path]:
    """(answer set name, rendered package): every answer set, rendered once."""
    return request.param, _render(copie_session, ANSWER_SETS[request.param])


@pytest.fixture(scope="session")
def default_package(copie_session) -> Path:
    return _render(copie_session, REQUIRED_ANSWERS)


@pytest.fixture(scope="session")
def flat_package(copie_session) -> Path:
    return _render(copie_session, FLAT_OTHER_ANSWERS)


# A package that opts out of the documentation site: the README is its documentation.
NO_DOCS_ANSWERS = {**REQUIRED_ANSWERS, "docs": "none"}


@pytest.fixture(scope="session")
def no_docs_package(copie_session) -> Path:
    return _render(copie_session, NO_DOCS_ANSWERS)


@pytest.fixture(scope="session")
def own_settings_package(copie_session) -> Path:
    return _render(copie_session, ONBOARDED_ANSWERS)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """This repository's template as a git repository with one release, v1.0.0: a snapshot per
    test module (modules that need more releases make their own `template`)."""
    return template_snapshot(tmp_path_factory.mktemp("template") / "python-package-template", "v1.0.0")
