"""Ask the user to confirm or correct the inferred answers of one package, with questionary.

Every answer is checked by the template version's own validators (see TemplateSource.error_for),
so an answer accepted here is one `copier copy` accepts. `input` and `output` go to
prompt_toolkit: tests drive the prompts through a pipe.
"""

from __future__ import annotations

from typing import Any, TextIO

import questionary

from .template_source import Question, TemplateSource

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


def _ask_one(
    template: TemplateSource, question: Question, answers: dict[str, str], prompt_kwargs: dict[str, Any]
) -> str:
    message = f"{question.name}"
    if question.choices:
        default = answers.get(question.name) if answers.get(question.name) in question.choices else None
        return questionary.select(
            message,
            choices=list(question.choices),
            default=default,
            instruction=question.help,
            **prompt_kwargs,
        ).unsafe_ask()

    def validate(value: str) -> bool | str:
        return template.error_for(question, value, answers) or True

    return questionary.text(
        message,
        default=answers.get(question.name, ""),
        validate=validate,
        instruction=question.help,
        **prompt_kwargs,
    ).unsafe_ask()


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
        answers[name] = _ask_one(template, questions[name], answers, prompt_kwargs)
        sources[name] = "you"

    while True:
        say(
            f"\n{label}: the answers inferred from the package\n{describe_answers(answers, sources, errors())}"
        )
        choice = questionary.select(
            f"{label}:", choices=[ACCEPT, CORRECT, SKIP], default=ACCEPT, **prompt_kwargs
        ).unsafe_ask()
        if choice == SKIP:
            return None
        if choice == ACCEPT and not errors():
            return answers
        for question in template.questions:
            value = _ask_one(template, question, answers, prompt_kwargs)
            if value != answers.get(question.name):
                answers[question.name] = value
                sources[question.name] = "you"
