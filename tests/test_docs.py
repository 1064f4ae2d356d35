"""The documentation site: every page in the nav, every public module with a reference page, the
griffe extension's rewriting, and (when mkdocs is installed) ``mkdocs build --strict``."""
from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CONFIG = ROOT / "mkdocs.yml"

REFERENCE = {  # module -> reference page
    "ews": "ews.md", "ews.series": "series.md", "ews.pipeline": "pipeline.md",
    "ews.indicators": "indicators.md", "ews.detrend": "detrend.md", "ews.trend": "trend.md",
    "ews.surrogates": "surrogates.md", "ews.significance": "significance.md",
    "ews.likelihood": "likelihood.md", "ews.roc": "roc.md", "ews.simulate": "simulate.md",
    "ews.potential": "potential.md", "ews.nonlinear": "nonlinear.md", "ews.datasets": "datasets.md",
    "ews.compat.earlywarnings": "compat.md", "ews.plot": "plot.md",
}


def _nav_pages() -> list[str]:
    text = CONFIG.read_text()
    nav = text[text.index("\nnav:"):]
    return re.findall(r"([\w./-]+\.md)\s*$", nav, flags=re.M)


def _extension():
    spec = importlib.util.spec_from_file_location("griffe_doctests", DOCS / "hooks" / "griffe_doctests.py")
    mod = importlib.util.module_from_spec(spec)
    pytest.importorskip("griffe")
    spec.loader.exec_module(mod)
    return mod


def test_every_page_is_in_the_nav_and_exists():
    nav = _nav_pages()
    assert len(nav) == len(set(nav)), "a page appears twice in the nav"
    for page in nav:
        assert (DOCS / page).is_file(), f"nav names {page}, which does not exist"
    on_disk = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert on_disk - set(nav) == set(), f"pages missing from the nav: {sorted(on_disk - set(nav))}"


def test_every_public_module_has_its_reference_page():
    nav = set(_nav_pages())
    for module, page in REFERENCE.items():
        path = DOCS / "reference" / page
        assert f"reference/{page}" in nav
        text = path.read_text()
        blocks = re.findall(r"^::: ([\w.]+)", text, flags=re.M)
        if module == "ews.plot":           # lazy module: the page is hand-written until its files exist
            assert "plot_pipeline" in text
        elif module == "ews":
            assert "ews._errors" in blocks and "ews.io.read_csv" in blocks
        else:
            assert blocks and blocks[0] == module, f"{page} does not document {module}"


def test_config_is_strict_with_numpy_docstrings_and_no_source():
    text = CONFIG.read_text()
    for needle in ("strict: true", "docstring_style: numpy", "show_source: false", "paths: [.]",
                   "content.code.copy", "scheme: slate", "navigation.sections", "admonition",
                   "pymdownx.superfences", "pymdownx.arithmatex"):
        assert needle in text, needle


def test_bare_doctests_become_fenced_code():
    ext = _extension()
    text = "Intro.\n\n>>> names()[:2]\n['a', 'b']\n>>> 1 + 1\n2\n\nAfter.\n"
    out = ext.fence_doctests(text)
    assert out == "Intro.\n\n```pycon\n>>> names()[:2]\n['a', 'b']\n>>> 1 + 1\n2\n```\n\nAfter.\n"
    fenced = "```python\n>>> x = 1\n```\n"
    assert ext.fence_doctests(fenced) == fenced            # already in a fence: untouched
    indented = "* item:\n\n    >>> f()\n    3\n"
    assert "    ```pycon\n    >>> f()\n    3\n    ```" in ext.fence_doctests(indented)


def test_sphinx_roles_become_optional_links():
    ext = _extension()
    out = ext.link_roles("See :class:`~ews.Pipeline` and :func:`ews.simulate`.", "ews.pipeline")
    assert 'identifier="ews.pipeline.Pipeline"' in out and "<code>Pipeline</code>" in out
    assert "optional" in out and ":class:" not in out
    assert "<code>ews.simulate</code>" in out
    # a bare name is looked up in the docstring's own class, then its module
    out = ext.link_roles(":meth:`to_xarray`", "ews.pipeline.PipelineResult", "ews.pipeline")
    assert 'identifier="ews.pipeline.PipelineResult.to_xarray"' in out
    # roles inside code fences stay as written
    assert ext._roles_outside_code("```\n:class:`x`\n```\n", "ews") == "```\n:class:`x`\n```\n"


def test_mkdocs_build_strict(tmp_path):
    pytest.importorskip("mkdocs")
    pytest.importorskip("mkdocstrings_handlers.python")
    pytest.importorskip("material")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                          cwd=ROOT, capture_output=True, text=True, timeout=300,
                          env={**__import__("os").environ, "NO_MKDOCS_2_WARNING": "1"})
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "WARNING" not in proc.stderr
    index = (tmp_path / "site" / "reference" / "pipeline" / "index.html").read_text()
    assert 'id="ews.pipeline.Pipeline"' in index                  # the API was generated
    assert ":class:" not in index                                 # roles rewritten


def test_rest_literal_marker_loses_one_colon():
    ext = _extension()
    text = "ews.simulate is both a function and a module::\n\n    ts = ews.simulate('fold')\n"
    assert ext._LITERAL.sub(r"\1:\n", text) == "ews.simulate is both a function and a module:\n\n    ts = ews.simulate('fold')\n"
    assert ext._LITERAL.sub(r"\1:\n", "a :: b\n\n") == "a :: b\n\n"       # not a literal marker
