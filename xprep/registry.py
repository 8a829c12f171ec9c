"""One generic registry used by every catalog (tasks, model families, checks, ...)."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

from xprep.errors import UnknownNameError

T = TypeVar("T")


class Registry(Generic[T]):
    """A name -> item mapping that refuses duplicates and explains unknown names.

    Items are registered where they are defined; nothing is read or built at import time.
    """

    def __init__(self, what: str) -> None:
        self.what = what
        self._items: dict[str, T] = {}

    def add(self, name: str, item: T) -> T:
        """Register ``item`` under ``name``; a duplicate name is a programming error."""
        if name in self._items:
            raise ValueError(f"duplicate {self.what} name: {name!r}")
        self._items[name] = item
        return item

    def register(self, name: str) -> Callable[[T], T]:
        """Decorator form of :meth:`add`."""

        def deco(item: T) -> T:
            return self.add(name, item)

        return deco

    def get(self, name: str) -> T:
        """The item called ``name``; an unknown name raises with 'did you mean' and the list."""
        try:
            return self._items[name]
        except KeyError:
            close = difflib.get_close_matches(name, list(self._items), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise UnknownNameError(
                f"unknown {self.what} '{name}'", hint=f"{hint}known: {', '.join(sorted(self._items))}"
            ) from None

    def names(self) -> list[str]:
        """Registered names in registration order."""
        return list(self._items)

    def __contains__(self, name: object) -> bool:
        return name in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def items(self) -> list[tuple[str, T]]:
        return list(self._items.items())
