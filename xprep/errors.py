"""Typed user errors. The CLI prints these as one line and exits with code 2.

Anything that is not an :class:`XprepError` is a bug and keeps its traceback.
"""

from __future__ import annotations


class XprepError(Exception):
    """Base class for errors caused by the user's input, files or environment.

    ``where`` names the file, record id or line; ``hint`` says what to do about it.
    """

    def __init__(self, message: str, *, where: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.where = where
        self.hint = hint

    def one_line(self) -> str:
        """The message as a single line: ``where: message (hint)``."""
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.hint:
            text += f" ({self.hint})"
        return " ".join(text.split())

    def __str__(self) -> str:
        return self.one_line()


class InputError(XprepError):
    """A malformed input file or record."""


class RecipeError(XprepError):
    """A recipe that does not parse or names unknown things."""


class UnknownNameError(XprepError):
    """A name that is not in a registry (task, language, model family, ...)."""


class ModelError(XprepError):
    """A model that is missing, unreadable or cannot do what was asked (e.g. a language)."""


class MissingDependencyError(XprepError):
    """An optional dependency that a stage needs is not installed."""


def require(module: str, extra: str) -> object:
    """Import ``module`` or raise :class:`MissingDependencyError` naming the extra to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"this needs the Python package '{module}'", hint=f"pip install 'xprep[{extra}]'"
        ) from exc
