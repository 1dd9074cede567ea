"""Package shapes as they are found on PyPI and in the team's repositories, written for these tests
(nothing here is copied from another project): each is a {path: text} tree, a git remote (or
None) and the git tag it is released at (or None).

They cover the build backends (Poetry 1 with an old poetry-core pin, poetry-core 2, setuptools,
hatchling with plugins, flit), the layouts (src, flat, package-dir, a single module, data
forced into the wheel), the licences (MIT, none, GPL, Apache, BSD), the remotes (GitLab, GitHub,
an unknown host, none) and the awkward files (CRLF line ends, a Latin-1 README).
"""

from __future__ import annotations

from old_packages import MIT_TEXT

MIT = "MIT License\n\n" + MIT_TEXT.format(year=2021, holder="University of Cambridge")

GPL = """\
                    GNU GENERAL PUBLIC LICENSE
                       Version 3, 29 June 2007

 Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>
 Everyone is permitted to copy and distribute verbatim copies
 of this license document, but changing it is not allowed.
"""

APACHE = """\
                                 Apache License
                           Version 2.0, January 2004
                        http://www.apache.org/licenses/
"""

BSD = """\
BSD 3-Clause License

Copyright (c) 2020, Zoë Ångström

Redistribution and use in source and binary forms, with or without
modification, are permitted provided that the following conditions are met:
"""

README_SECTIONS = """\
## Installation

    pip install {name}

## Usage

Call `main()`.
"""

# A Poetry 1 package pinned to an old poetry-core (which reads only [tool.poetry] and writes
# the Python version classifiers itself), with plugins, scripts and a duplicated classifier.
POETRY1_OLD_PIN = {
    "pyproject.toml": """\
[tool.poetry]
name = "ucam-lookup"
version = "2.3.1"
description = "A client for the University's Lookup directory."
authors = ["Jo Bloggs <jo@example.org>"]
license = "MIT"
readme = "README.md"
classifiers = [
    "Topic :: Internet",
    "Topic :: Internet",  # listed twice, long ago
]
packages = [{ include = "ucamlookup", from = "src" }]

[tool.poetry.dependencies]
python = "^3.7"
requests = "^2.25"  # the HTTP client

[tool.poetry.plugins."ucamlookup.backends"]
ldap = "ucamlookup.ldap:Backend"

[tool.poetry.scripts]
lookup = "ucamlookup.cli:main"

[build-system]
requires = ["poetry-core~=1.1.0"]
build-backend = "poetry.core.masonry.api"
""",
    "README.md": "# UCam Lookup\n\nA client for the University's Lookup directory.\n\n"
    + README_SECTIONS.format(name="ucam-lookup"),
    "LICENSE": MIT,
    "src/ucamlookup/__init__.py": '__version__ = "2.3.1"\n',
    "src/ucamlookup/cli.py": "def main():\n    print('lookup')\n",
    "src/ucamlookup/ldap.py": "class Backend:\n    pass\n",
}

# Poetry 1 with its tables split by poe tasks, poetry-core pinned exactly, a flat layout, no
# authors, no licence file, a summary longer than new packages may have, PEP 735 groups.
POETRY1_SPLIT_FLAT = {
    "pyproject.toml": """\
[tool.poetry]
name = "lookup-client-v2"
version = "0.8.0"
description = "{summary}"
authors = []
readme = "README.md"

[tool.poe.tasks.test]
cmd = "pytest"  # poe runs the suite

# What it needs at run time.
[tool.poetry.dependencies]
python = ">=3.9,<4"
httpx = ">=0.24"

[tool.poe.tasks.lint]
cmd = "ruff check"

[dependency-groups]
test = ["pytest>=8"]
dev = [{{ include-group = "test" }}, "ruff"]

[build-system]
requires = ["poetry-core==1.0.8"]
build-backend = "poetry.core.masonry.api"
""".format(summary="Talks to version 2 of the Lookup API " + "and explains every field it returns " * 8),
    "README.md": "# lookup_client_v2\n\nTalks to version 2 of the Lookup API.\n\n"
    + README_SECTIONS.format(name="lookup-client-v2"),
    "lookup_client_v2/__init__.py": '"""Lookup API v2."""\n',
}

# setuptools with the code under lib/ (package-dir) and a setuptools too old for PEP 639.
SETUPTOOLS_PACKAGE_DIR = {
    "pyproject.toml": """\
[build-system]
requires = ["setuptools>=61,<68", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "libpkg"
version = "1.0.0"
description = "A library laid out under lib/."
readme = "README.md"
requires-python = ">=3.8"
license = { text = "MIT" }
authors = [{ name = "Sam Smith", email = "sam@example.org" }]
classifiers = [
    "License :: OSI Approved :: MIT License",
    "Programming Language :: Python :: 3.8",
    "Programming Language :: Python :: 3.9",
]
dependencies = ["attrs>=21"]

[project.scripts]
libpkg = "libpkg.cli:main"

[tool.setuptools]
package-dir = { "" = "lib" }
packages = ["libpkg"]
""",
    "README.md": "# libpkg\n\nA library laid out under lib/.\n\n" + README_SECTIONS.format(name="libpkg"),
    "LICENSE": MIT,
    "lib/libpkg/__init__.py": "",
    "lib/libpkg/cli.py": "def main():\n    print('libpkg')\n",
}

# setuptools with one module (py-modules), Apache-licensed, an author name with a comma.
SETUPTOOLS_ONE_MODULE = {
    "pyproject.toml": """\
[build-system]
requires = ["setuptools>=77"]
build-backend = "setuptools.build_meta"

[project]
name = "onemod"
version = "0.4.0"
description = "Everything in one module."
readme = "README.md"
requires-python = ">=3.10"
license = "Apache-2.0"
license-files = ["LICENSE"]
authors = [{ name = "Acme, Inc.", email = "dev@acme.example" }]

[project.scripts]
onemod = "onemod:main"

[tool.setuptools]
py-modules = ["onemod"]
""",
    "README.md": "# onemod\n\nEverything in one module.\n\n" + README_SECTIONS.format(name="onemod"),
    "LICENSE": APACHE,
    "onemod.py": "def main():\n    print('one')\n",
}

# hatchling forcing a data file into the wheel; BSD-licensed; an author beyond ASCII.
HATCH_FORCE_INCLUDE = {
    "pyproject.toml": """\
[build-system]
requires = ["hatchling>=1.27"]
build-backend = "hatchling.build"

[project]
name = "hatch-data"
version = "1.2.0"
description = "Ships a data table with hatch's force-include."
readme = "README.md"
license = "BSD-3-Clause"
authors = [{ name = "Zoë Ångström", email = "zoe@example.org" }]
requires-python = ">=3.9"

[project.scripts]
hatch-data = "hatch_data:main"

[tool.hatch.build.targets.wheel]
packages = ["src/hatch_data"]

[tool.hatch.build.targets.wheel.force-include]
"data/table.csv" = "hatch_data/data/table.csv"
""",
    "README.md": "# Hatch Data\n\nShips a data table.\n\n" + README_SECTIONS.format(name="hatch-data"),
    "LICENSE.txt": BSD,
    "src/hatch_data/__init__.py": "def main():\n    print('data')\n",
    "data/table.csv": "a,b\n1,2\n",
}

# hatchling with its version from git tags (hatch-vcs) and its readme assembled by a plugin.
HATCH_VCS_FANCY = {
    "pyproject.toml": """\
[build-system]
requires = ["hatchling", "hatch-vcs", "hatch-fancy-pypi-readme"]
build-backend = "hatchling.build"

[project]
name = "fancy-vcs"
dynamic = ["version", "readme"]
description = "Version from git tags, README assembled by a plugin."
requires-python = ">=3.9"
authors = [{ name = "Kim Lee", email = "kim@example.org" }]

[tool.hatch.version]
source = "vcs"

[tool.hatch.metadata.hooks.fancy-pypi-readme]
content-type = "text/markdown"

[[tool.hatch.metadata.hooks.fancy-pypi-readme.fragments]]
path = "README.md"
""",
    "README.md": "# Fancy VCS\n\nVersion from git tags.\n\n" + README_SECTIONS.format(name="fancy-vcs"),
    "LICENSE": MIT,
    "src/fancy_vcs/__init__.py": "",
}

# flit, GPL-licensed: its licence, metadata and backend stay exactly as they are.
FLIT_GPL = {
    "pyproject.toml": """\
[build-system]
requires = ["flit_core>=3.2,<4"]
build-backend = "flit_core.buildapi"

[project]
name = "flitpkg"
version = "0.9.1"
description = "Packaged with flit."
readme = "README.md"
license = { file = "LICENSE" }
authors = [{ name = "Sam Smith", email = "sam@example.org" }]
classifiers = ["License :: OSI Approved :: GNU General Public License v3 (GPLv3)"]
""",
    "README.md": "# flitpkg\n\nPackaged with flit.\n\n" + README_SECTIONS.format(name="flitpkg"),
    "LICENSE": GPL,
    "flitpkg/__init__.py": '"""Packaged with flit."""\n',
}


def crlf(files: dict[str, str]) -> dict[str, str]:
    return {name: text.replace("\n", "\r\n") for name, text in files.items()}


# A poetry-core 2 package written on Windows: CRLF line ends everywhere.
CRLF = crlf(
    {
        "pyproject.toml": """\
[project]
name = "crlf-pkg"
version = "3.0.0"
description = "Written on Windows."
authors = [{ name = "Pat Doe", email = "pat@example.org" }]
requires-python = ">=3.11"
dependencies = []

[build-system]
requires = ["poetry-core>=2.0.0,<3.0.0"]
build-backend = "poetry.core.masonry.api"
""",
        "README.md": "# CRLF Package\n\nWritten on Windows.\n\n" + README_SECTIONS.format(name="crlf-pkg"),
        "LICENSE.txt": MIT,
        "src/crlf_pkg/__init__.py": "",
    }
)

# name: (files, git remote, release tag)
SHAPES = {
    "ucam-lookup": (
        POETRY1_OLD_PIN,
        "git@gitlab.developers.cam.ac.uk:uis/devops/lookup/ucam-lookup.git",
        None,
    ),
    "lookup-client-v2": (POETRY1_SPLIT_FLAT, "https://github.com/uisdevops/lookup-client-v2.git", None),
    "libpkg": (SETUPTOOLS_PACKAGE_DIR, None, None),
    "onemod": (SETUPTOOLS_ONE_MODULE, "https://gitlab.com/acme/onemod.git", None),
    "hatch-data": (HATCH_FORCE_INCLUDE, "git@github.com:zoe/hatch-data.git", None),
    "fancy-vcs": (HATCH_VCS_FANCY, "https://git.example.net/kim/fancy-vcs.git", "v1.4.0"),
    "flitpkg": (FLIT_GPL, None, None),
    "crlf-pkg": (CRLF, "https://gitlab.example.org/uis/crlf-pkg.git", None),
}

# A README in Latin-1 (the é is one byte): onboarding refuses it, naming the file.
LATIN1_README = "# Café Client\n\nTalks to the café's API.\n".encode("latin-1")
