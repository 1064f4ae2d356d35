"""Griffe extension for the documentation build: bare doctests as code, Sphinx roles as links.

Several ews docstrings hold ``>>>`` examples in their free text (outside a numpydoc *Examples*
section). Markdown would render them as paragraphs, and a line such as ``names()[:3]`` followed by
``['a', 'b']`` reads as a reference link ``[...][...]`` that ``mkdocs build --strict`` rejects. This
extension wraps each such block (a ``>>>`` line, its ``...`` continuations and its output, up to the
next blank line) in a ``pycon`` fence.

The docstrings also use Sphinx roles (``:class:`~ews.Pipeline```, ``:func:`ews.simulate```). Markdown
would print them as ``:class:~ews.Pipeline``; they become optional cross-references: a link where the
site documents the target, plain code otherwise (never a broken link, so never a strict-mode error).
A reST ``text::`` that introduces an indented literal block keeps one colon (the indented block is
already code in Markdown).

It changes only what the site shows; the docstrings and the doctests run by pytest stay as written.
"""
from __future__ import annotations

import importlib
import inspect
import re

import griffe

_PROMPT = re.compile(r"^(\s*)>>>( |$)")
_FENCE = re.compile(r"^\s*(```|~~~)")
_LITERAL = re.compile(r"(\S)::[ \t]*\n(?=[ \t]*\n)")
_ROLE = re.compile(r":(?:py:)?(?:class|func|meth|mod|attr|data|exc|obj|const):`(~?)([\w.]+)(?:\(\))?`")


def fence_doctests(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    in_fence = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            in_fence = not in_fence
            out.append(line)
            i += 1
            continue
        m = None if in_fence else _PROMPT.match(line)
        if m is None:
            out.append(line)
            i += 1
            continue
        indent = m.group(1)
        block = []
        while i < len(lines) and lines[i].strip() and not _FENCE.match(lines[i]):
            block.append(lines[i][len(indent):] if lines[i].startswith(indent) else lines[i].lstrip())
            i += 1
        if out and out[-1].strip():
            out.append("")                      # a fence needs a blank line before it in a list or paragraph
        out.append(f"{indent}```pycon")
        out.extend(f"{indent}{b}" for b in block)
        out.append(f"{indent}```")
    return "\n".join(out)


def _public(path: str) -> str:
    """``ews.nonlinear._ddj`` -> ``ews.nonlinear``: the module a private module's names are shown in."""
    parts = path.split(".")
    while len(parts) > 1 and parts[-1].startswith("_"):
        parts.pop()
    return ".".join(parts)


def _canonical(path: str) -> str | None:
    """Where ``path`` is defined (``ews.Pipeline`` -> ``ews.pipeline.Pipeline``), by importing it."""
    parts = path.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except Exception:  # noqa: BLE001 - any failure means: not a module path
            continue
        known, rest = obj.__name__, []
        for name in parts[i:]:
            try:
                obj = getattr(obj, name)
            except Exception:  # noqa: BLE001
                return None
            if inspect.ismodule(obj):
                known, rest = obj.__name__, []
            elif isinstance(getattr(obj, "__qualname__", None), str) and isinstance(
                    getattr(obj, "__module__", None), str) and (inspect.isclass(obj) or inspect.isroutine(obj)):
                known, rest = f"{obj.__module__}.{obj.__qualname__}", []
            else:
                rest.append(name)
        return ".".join([known, *rest])
    return None


def link_roles(text: str, context: str, module: str = "") -> str:
    """Replace ``:role:`target``` by an optional autoref.

    A dotted target starting with ``ews`` is looked up as given; a bare or relative name in ``context``
    (the class or module of the docstring), then in its module. The identifier is where the object is
    defined (the site registers those), or the name as written when it cannot be imported.
    """

    def sub(m: re.Match) -> str:
        short, target = m.group(1), m.group(2).lstrip(".")
        title = target.rsplit(".", 1)[-1] if short else target
        if target.startswith("ews") or not context:
            candidates = [target]
        else:
            candidates = [f"{context}.{target}", f"{module}.{target}", f"{_public(module or context)}.{target}", target]
        for cand in candidates:
            found = _canonical(cand)
            if found:
                return f'<autoref identifier="{found}" optional><code>{title}</code></autoref>'
        return f'<autoref identifier="{candidates[0]}" optional><code>{title}</code></autoref>'

    return _ROLE.sub(sub, text)


def _roles_outside_code(text: str, context: str, module: str = "") -> str:
    parts = re.split(r"(^\s*(?:```|~~~).*?^\s*(?:```|~~~)\s*$)", text, flags=re.M | re.S)
    return "".join(p if i % 2 else link_roles(p, context, module) for i, p in enumerate(parts))


class DoctestFences(griffe.Extension):
    """Wrap bare ``>>>`` blocks of every docstring in a ``pycon`` code fence."""

    def on_instance(self, *, obj: griffe.Object, **kwargs) -> None:  # noqa: D401
        if obj.docstring is None:
            return
        text = obj.docstring.value
        if ">>>" in text:
            text = fence_doctests(text)
        text = _LITERAL.sub(r"\1:\n", text)  # reST "text::" introducing a literal block: keep one colon
        if ":`" in text:
            context = obj.path if obj.is_class or obj.is_module else (obj.parent.path if obj.parent else "")
            text = _roles_outside_code(text, context, obj.module.path if obj.module else "")
        obj.docstring.value = text
