"""Tools that bring packages in line with the Python package template.

The migrations that `copier update` runs and the `python-package-template` command (onboarding
and rule checks) live here, on top of tomlkit, so that they edit users' files without losing
their comments or layout.
"""
