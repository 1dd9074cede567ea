"""Hand-made files of packages older than the template: what migrations must bring in line."""

from __future__ import annotations

from pathlib import Path

# A Poetry 1 package's pyproject.toml: metadata in [tool.poetry], caret and tilde constraints,
# markers, a python restriction, extras, a path dependency, dev-dependencies, and comments
# everywhere a maintainer would put them.
POETRY1_PYPROJECT = """\
# Lookup client: packaging metadata.
[tool.poetry]
name = "lookup-client"
version = "1.4.2"
description = "A client for the Lookup API."  # shown on PyPI
authors = ["Ada Lovelace <ada@example.org>", "Charles Babbage"]
license = "MIT"
readme = "README.md"
homepage = "https://gitlab.example.org/uis/lookup-client"
repository = "https://gitlab.example.org/uis/lookup-client.git"
keywords = ["lookup", "directory"]
classifiers = [
    "Development Status :: 4 - Beta",
    "License :: OSI Approved :: MIT License",
    "Programming Language :: Python :: 3.11",
]
packages = [{ include = "lookup_client", from = "src" }]

[tool.poetry.urls]
"Bug Tracker" = "https://gitlab.example.org/uis/lookup-client/-/issues"

# Runtime dependencies.
[tool.poetry.dependencies]
python = "^3.11"  # upstream support
# The HTTP client; below 3 until we have tested it.
requests = "^2.31"  # sessions
pywin32 = { version = ">=306", markers = "sys_platform == 'win32'" }  # Windows only
tomli = { version = "~2.0", python = "<3.11" }
rich = { version = "*", extras = ["jupyter"], optional = true }
internal-lib = { path = "../internal-lib", develop = true }

[tool.poetry.extras]
pretty = ["rich"]

# The command line.
[tool.poetry.scripts]
lookup = "lookup_client.cli:main"

[tool.poetry.dev-dependencies]
pytest = "^8.0"  # the test runner

[tool.black]
line-length = 99

[build-system]
requires = ["poetry-core>=1.0.0"]
build-backend = "poetry.core.masonry.api"
"""

# A sibling package the path dependency above points at.
INTERNAL_LIB_PYPROJECT = """\
[project]
name = "internal-lib"
version = "0.1.0"

[build-system]
requires = ["poetry-core>=2.0.0,<3.0.0"]
build-backend = "poetry.core.masonry.api"
"""

# The MIT licence as packages word it: MIT_TEXT.format(year=..., holder=...) under a heading.
MIT_TEXT = """\
Copyright (c) {year} {holder}

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""

MIT_LICENSE = "The MIT License (MIT)\n\n" + MIT_TEXT.format(
    year=2019, holder="University of Cambridge Information Services"
)

APACHE_LICENSE_START = """\
                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/

   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION
"""

# An older package's CI: the common pipeline at an old tag, next to a local include and jobs.
OLD_GITLAB_CI = """\
# CI for lookup-client.
include:
  - local: /ci/lint.yml
  - project: 'uis/devops/continuous-delivery/ci-templates'
    file: '/auto-devops/common-pipeline.yml'
    ref: v5.2.0  # the common pipeline

# Our own job.
integration-test:
  stage: test
  script:
    - !reference [.poetry, script]
    - poetry run pytest -m integration
"""


def write_poetry1_package(root: Path) -> Path:
    """A complete Poetry 1 package at `root` (with its path dependency beside it)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(POETRY1_PYPROJECT)
    (root / "README.md").write_text("# Lookup client\n\nTalks to the Lookup API.\n")
    (root / "LICENSE").write_text(MIT_LICENSE)
    (root / "src" / "lookup_client").mkdir(parents=True)
    (root / "src" / "lookup_client" / "__init__.py").write_text('__version__ = "1.4.2"\n')
    (root / "src" / "lookup_client" / "cli.py").write_text("def main() -> None:\n    print('lookup')\n")
    write_internal_lib(root.parent)
    return root


def write_internal_lib(parent: Path) -> None:
    """The sibling package that POETRY1_PYPROJECT's path dependency points at."""
    internal = parent / "internal-lib"
    (internal / "src" / "internal_lib").mkdir(parents=True, exist_ok=True)
    (internal / "src" / "internal_lib" / "__init__.py").write_text("")
    (internal / "pyproject.toml").write_text(INTERNAL_LIB_PYPROJECT)


# A tiny package already in PEP 621 form (Poetry 2), for the onboarding and hardening stories.
TINY_PYPROJECT = """\
[project]
name = "tiny-tool"
version = "2.0.0"
description = "A tiny tool."
authors = [{ name = "Alex Doe", email = "alex@example.org" }]
requires-python = ">=3.11"
dependencies = []

[build-system]
requires = ["poetry-core>=2.0.0,<3.0.0"]
build-backend = "poetry.core.masonry.api"
"""
