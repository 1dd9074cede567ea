"""The README sections a package's readers need, and a skeleton for the missing ones.

The sections are those of the template's README that "How we use PyPI" asks for: what the
package does, the problem it solves, installation, a usage example, where to find out more, how
a release is made, and the licence. A section counts as present when the README has a heading
that names it in the author's own words ("Install", "Getting started", "Documentation", ...).

Onboarding never rewrites the author's prose: it appends the missing sections, taken from the
template's README rendered with the package's answers, as one clearly marked block at the end.
"""

from __future__ import annotations

import re

# (section, words any of which in a heading names it), in the template README's order.
SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "What it does",
        (
            "what it does",
            "what does",
            "what is",
            "about",
            "overview",
            "introduction",
            "description",
            "features",
            "summary",
        ),
    ),
    ("The problem it solves", ("problem", "why", "motivation", "background", "rationale", "purpose")),
    ("Installation", ("installation", "install", "installing", "getting started")),
    (
        "Usage",
        (
            "usage",
            "using",
            "how to use",
            "example",
            "examples",
            "quickstart",
            "quick start",
            "getting started",
            "tutorial",
        ),
    ),
    (
        "Finding out more",
        (
            "finding out more",
            "find out more",
            "more information",
            "documentation",
            "docs",
            "further reading",
            "reference",
            "links",
            "learn more",
        ),
    ),
    ("Making a release", ("making a release", "release", "releases", "releasing", "publishing", "publish")),
    ("Licence", ("licence", "license", "licensing", "copyright")),
)

# Not a rule of "How we use PyPI" (the README check does not ask for it), but an onboarded
# package needs it all the same: its .gitlab-ci.yml sends the maintainers to it for updates.
ONBOARDING_SECTIONS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("Keeping up with the template", ("keeping up with the template", "copier", "template updates")),
)

# Every placeholder line of the template's README skeleton holds this mark; a README still
# holding it (or a phrase of v0.1.0's skeleton, written before the mark) is not finished.
PLACEHOLDER_MARK = "TODO(template)"
OLD_PLACEHOLDERS = (
    "... (describe what it does and who it is for)",
    "(describe the problem and how the package makes it easier)",
    "<!-- Replace this with a short example",
)

SKELETON_START = (
    "<!-- python-package-template onboarding: the sections below are a skeleton of what the"
    " template's README has and this README lacked. Replace the placeholders with your own words,"
    " move the sections where they read best, and delete these two comments. -->"
)
SKELETON_END = "<!-- python-package-template onboarding: end of the skeleton. -->"

_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_RST_UNDERLINE = re.compile(r"^([=\-~^\"'`#*+<>:._])\1{2,}\s*$")


def headings(text: str) -> list[tuple[int, str]]:
    """(line index, heading text) of every heading outside code blocks: Markdown ATX (`## x`),
    setext and reStructuredText underlined headings. The first one is usually the title."""
    lines = text.splitlines()
    found = []
    in_fence = False
    for i, line in enumerate(lines):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        atx = re.match(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$", line)
        if atx:
            found.append((i, atx[1]))
        elif (
            i + 1 < len(lines)
            and line.strip()
            and _RST_UNDERLINE.match(lines[i + 1])
            and len(lines[i + 1].rstrip()) >= len(line.rstrip())
            and not _RST_UNDERLINE.match(line)
        ):
            found.append((i, line.strip()))
    return found


def _words(heading: str) -> str:
    return " " + " ".join(re.findall(r"[a-z0-9]+", heading.lower())) + " "


def section_for(heading: str, sections: tuple[tuple[str, tuple[str, ...]], ...] = SECTIONS) -> list[str]:
    """The sections a heading names (a heading may name two, e.g. "Install and use")."""
    words = _words(heading)
    return [name for name, names in sections if any(f" {n} " in words for n in names)]


def present_sections(text: str, sections: tuple[tuple[str, tuple[str, ...]], ...] = SECTIONS) -> set[str]:
    """The `sections` the README's headings name, its title (a first heading that names none of
    SECTIONS) left out."""
    found = headings(text)
    if found and not section_for(found[0][1]):
        found = found[1:]
    return {name for _, heading in found for name in section_for(heading, sections)}


def missing_sections(text: str, sections: tuple[tuple[str, tuple[str, ...]], ...] = SECTIONS) -> list[str]:
    present = present_sections(text, sections)
    return [name for name, _ in sections if name not in present]


def template_sections(template_readme: str) -> dict[str, str]:
    """{section: its text, heading included} from the template's rendered README (## level)."""
    lines = template_readme.splitlines()
    starts = [i for i, _ in headings(template_readme) if lines[i].lstrip().startswith("## ")]
    sections = {}
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        body = "\n".join(lines[start:end]).strip("\n")
        for name in section_for(lines[start], SECTIONS + ONBOARDING_SECTIONS):
            sections.setdefault(name, body)
    return sections


def append_skeleton(text: str, template_readme: str) -> tuple[str, list[str]]:
    """`text` with the missing sections appended as a marked skeleton; the sections added."""
    missing = missing_sections(text, SECTIONS + ONBOARDING_SECTIONS)
    available = template_sections(template_readme)
    added = [name for name in available if name in missing]  # in the template's order
    if not added:
        return text, []
    block = [SKELETON_START, ""]
    for name in added:
        block += [available[name], ""]
    block.append(SKELETON_END)
    body = text.rstrip("\n")
    return (body + "\n\n" if body else "") + "\n".join(block) + "\n", added


def has_skeleton(text: str) -> bool:
    return SKELETON_START in text


def placeholder_lines(text: str) -> list[int]:
    """The (1-based) numbers of the lines that still hold the template's placeholder text."""
    return [
        number
        for number, line in enumerate(text.splitlines(), start=1)
        if PLACEHOLDER_MARK in line or any(phrase in line for phrase in OLD_PLACEHOLDERS)
    ]


# The template README's sentence on the Pythons a package supports (template/README.md.jinja).
_PYTHON_SUPPORT = re.compile(r"^It supports Python \S+ and newer\.$", re.M)


def python_support(requirement: str) -> str:
    """The README's sentence on the Pythons the package supports, from its own `requires-python`
    (PEP 440, or Poetry 1's caret form): onboarding leaves requires-python as it is, so the
    README must say what it says."""
    text = requirement.strip()
    caret = re.fullmatch(r"\^\s*(3\.[0-9]+)(\.[0-9]+)?", text)
    if caret:
        return f"It supports Python {caret.group(1)} and newer."
    from packaging.specifiers import InvalidSpecifier, SpecifierSet  # here: updates never need it

    try:
        specifiers = list(SpecifierSet(text))
    except InvalidSpecifier:
        specifiers = []
    lower = [s.version for s in specifiers if s.operator == ">="]
    upper = [s for s in specifiers if s.operator != ">="]
    if len(lower) == 1 and all(s.operator == "<" and s.version in ("4", "4.0") for s in upper):
        return f"It supports Python {lower[0]} and newer."
    return f"It supports the Python versions its `requires-python` allows: `{text}`."


def with_python_support(template_readme: str, requirement: str | None) -> str:
    """The template's README saying what the package's `requires-python` says, when it has one."""
    if not (requirement or "").strip():
        return template_readme
    sentence = python_support(str(requirement))
    return _PYTHON_SUPPORT.sub(lambda _: sentence, template_readme)
