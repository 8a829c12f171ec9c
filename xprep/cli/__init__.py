"""The ``xprep`` command line: one thin command per verb, each calling one library function.

Commands live in modules by theme (build, translate, labels, training, study, score, attack); importing
them registers them on :data:`main`.
"""

from xprep.cli import attack, build, labels, score, study, training, translate  # noqa: F401 - registers the commands
from xprep.cli.app import main

__all__ = ["main"]
