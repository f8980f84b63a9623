"""Library of the survey-analysis workflow: pure, importable, unit-tested functions.

Rule scripts in ``scripts/`` are thin entry points around this package.
"""

__version__ = "0.1.0"
