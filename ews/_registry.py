"""One registry pattern for indicators, detrenders, trend statistics, null models and simulators.

A registry is a named dict of small entries. An entry is any object with a ``name`` (str) and a
``summary`` (one line); it carries everything its callers need to know about it (its parameters, its
grid parameter, its textbook p-value, ...), so no caller branches on what kind of entry it holds.
Adding an entry is one definition and one ``register`` call (usable as a decorator).

Every registry module exposes the same four functions, bound to its registry::

    REGISTRY = Registry("indicator")
    register, get, names, table = REGISTRY.register, REGISTRY.get, REGISTRY.names, REGISTRY.table

The command line and the docs read their choices from :meth:`Registry.names`.
"""
from __future__ import annotations

from typing import Generic, Iterator, TypeVar

from ._errors import InputError
from ._validate import show

E = TypeVar("E")


class Registry(Generic[E]):
    """Entries of one kind (``kind`` names it in messages: "indicator", "detrending method", ...)."""

    def __init__(self, kind: str):
        self.kind = kind
        self._entries: dict[str, E] = {}

    def register(self, entry: E, *, replace: bool = False) -> E:
        """Add ``entry`` under ``entry.name``; returns the entry (so it works as a class decorator)."""
        name = getattr(entry, "name", None)
        if not isinstance(name, str) or not name:
            raise InputError(f"a {self.kind} needs a non-empty string `name` to be registered, got {name!r}.")
        if name in self._entries and not replace:
            raise InputError(f"a {self.kind} named {name!r} is already registered "
                             "(pass replace=True to overwrite it).")
        self._entries[name] = entry
        return entry

    def unregister(self, name: str) -> None:
        self._entries.pop(name, None)

    def get(self, name) -> E:
        """The entry called ``name``; an InputError listing the choices when there is none."""
        try:
            return self._entries[name]
        except (KeyError, TypeError):
            hint = ""
            if isinstance(name, str):
                import difflib

                close = difflib.get_close_matches(name.lower(), list(self._entries), n=1)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise InputError(f"unknown {self.kind} {show(name)}{hint}; available: {self.names()}.") from None

    def names(self) -> list[str]:
        return list(self._entries)

    def table(self):
        """The entries as a pandas DataFrame indexed by name (each entry's ``info()`` if it has one,
        else its ``summary``)."""
        import pandas as pd

        rows = []
        for name, entry in self._entries.items():
            info = entry.info() if hasattr(entry, "info") else {"summary": getattr(entry, "summary", "")}
            rows.append({"name": name, **info})
        return pd.DataFrame(rows).set_index("name")

    def __contains__(self, name) -> bool:
        return name in self._entries

    def __getitem__(self, name) -> E:
        """``registry[name]`` is :meth:`get`: an unknown name raises :class:`ews.InputError` (a
        ValueError, not a KeyError) listing the choices."""
        return self.get(name)

    def keys(self) -> list[str]:
        """The names, in registration order (as :meth:`names`)."""
        return self.names()

    def values(self) -> list[E]:
        """The entries, in registration order."""
        return list(self._entries.values())

    def items(self) -> list[tuple[str, E]]:
        """``(name, entry)`` pairs, in registration order."""
        return list(self._entries.items())

    def __iter__(self) -> Iterator[E]:
        """Iterates over the entries (not the names, unlike a dict: use :meth:`keys` for those)."""
        return iter(list(self._entries.values()))

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"<ews registry of {self.kind}s: {self.names()}>"

