"""Ask the user to confirm or correct the inferred answers of one package, with questionary.

Every answer is checked by the template version's own validators (see TemplateSource.error_for),
so an answer accepted here is one `copier copy` accepts. `input` and `output` go to
prompt_toolkit: tests drive the prompts through a pipe.
"""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from typing import Any, TextIO

import questionary

from .template_source import Question, TemplateSource

# What a choice shows while it waits (a prompt that looks idle reads as a hung command).
CHOOSING = "(waiting for your answer: arrow keys to choose, Enter to confirm)"

ACCEPT = "Onboard it with these answers"
CORRECT = "Correct some answers"
SKIP = "Skip this package"


def describe_answers(answers: dict[str, str], sources: dict[str, str], errors: dict[str, str]) -> str:
    width = max(map(len, answers), default=0)
    lines = []
    for name, value in answers.items():
        where = sources.get(name, "template default")
        line = f"  {name:<{width}}  {value!r}  ({where})"
        if name in errors:
            line += f"\n  {'':<{width}}  ! {errors[name]}"
        lines.append(line)
    return "\n".join(lines)


def _help_lines(question: Question, width: int) -> str:
    """The question's help, wrapped to the terminal, to print above its prompt: a prompt cuts a
    long line at the terminal's edge instead of wrapping it."""
    return "\n".join(
        textwrap.fill(line, width=max(40, width - 1), initial_indent="  ", subsequent_indent="  ")
        for line in question.help.splitlines()
    )


def _ask_one(
    template: TemplateSource,
    question: Question,
    answers: dict[str, str],
    prompt_kwargs: dict[str, Any],
    say: Callable[[str], None],
) -> str:
    # What makes a waiting prompt look like one: its help above it, an instruction saying what a
    # key does, and, once answered, a line below it saying what became of the answer.
    current = answers.get(question.name, "")
    if question.help:
        say(f"\n{_help_lines(question, shutil.get_terminal_size().columns)}")
    if question.choices:
        default = current if current in question.choices else None
        value = questionary.select(
            f"{question.name}:",
            choices=list(question.choices),
            default=default,
            instruction=CHOOSING,
            **prompt_kwargs,
        ).unsafe_ask()
    else:

        def validate(value: str) -> bool | str:
            return template.error_for(question, value, answers) or True

        value = questionary.text(
            f"{question.name}:",
            default=current,
            validate=validate,
            # Shown only while the prompt waits (an instruction would stay on the answered line).
            bottom_toolbar=" waiting for your answer: Enter keeps the one shown, or edit it"
            if current
            else " waiting for your answer",
            **prompt_kwargs,
        ).unsafe_ask()
    say(f"  -> {question.name} {'kept as' if value == current else 'now'} {value!r}")
    return value


def confirm_answers(
    label: str,
    template: TemplateSource,
    answers: dict[str, str],
    sources: dict[str, str],
    *,
    input: Any = None,
    output: Any = None,
    echo: TextIO | None = None,
) -> dict[str, str] | None:
    """The answers to onboard `label` with, after the user confirmed or corrected them; None
    when the user skips the package. Ctrl-C raises KeyboardInterrupt (stop everything)."""
    prompt_kwargs = {k: v for k, v in (("input", input), ("output", output)) if v is not None}
    answers = dict(answers)
    sources = dict(sources)
    questions = {q.name: q for q in template.questions}

    def errors() -> dict[str, str]:
        return {n: e for n in answers if (e := template.error_for(questions[n], answers[n], answers))}

    def say(text: str) -> None:
        print(text, file=echo, flush=True)

    # Answers the template would refuse are asked for first: there is nothing to confirm yet.
    for name in list(errors()):
        say(
            f"{label}: {name} {answers[name]!r} ({sources.get(name, 'template default')}) is not allowed: {errors()[name]}"
        )
        answers[name] = _ask_one(template, questions[name], answers, prompt_kwargs, say)
        sources[name] = "you"

    while True:
        say(
            f"\n{label}: the answers inferred from the package\n{describe_answers(answers, sources, errors())}"
        )
        choice = questionary.select(
            f"{label}:",
            choices=[ACCEPT, CORRECT, SKIP],
            default=ACCEPT,
            instruction=CHOOSING,
            **prompt_kwargs,
        ).unsafe_ask()
        if choice == SKIP:
            return None
        if choice == ACCEPT and not errors():
            return answers
        for question in template.questions:
            value = _ask_one(template, question, answers, prompt_kwargs, say)
            if value != answers.get(question.name):
                answers[question.name] = value
                sources[question.name] = "you"
