"""The `python-package-template` command."""

import sys


def main(argv: list[str] | None = None) -> int:
    print("python-package-template: onboarding is not written yet", file=sys.stderr)
    return 2
