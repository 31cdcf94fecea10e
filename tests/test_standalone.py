"""The offline player (chainrule.standalone): one HTML document that holds the page's
modules, the vendored scripts, KaTeX's fonts and one trace, and names nothing to load from
a network. What it does in a browser is tests/browser/test_standalone.py."""

from __future__ import annotations

import base64
import gzip
import json
import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from chainrule.app import create_app
from chainrule.content.examples import SEED_SOURCE
from chainrule.pipeline import trace_to_json
from chainrule.settings import ServerSettings
from chainrule.standalone import (
    BARE_PREFIX,
    EMBEDDED_MARKER,
    ENTRY,
    FRONTEND_DIR,
    StandaloneError,
    player_html,
    player_shell,
    rewrite_imports,
)

# The specifier of every static import or re-export (`import … from "x"`, `import "x"`,
# `export … from "x"`) and dynamic import, outside comments.
IMPORT = re.compile(r"""(?:^|;|\})\s*(?:import|export)\b[^"';]*?\bfrom\s*["']([^"']+)["']"""
                    r"""|^\s*import\s*["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)""",
                    re.MULTILINE)


class Elements(HTMLParser):
    """Every element's tag and attributes, and the text of each <script> by its id."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.attributes: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: dict[str, str] = {}
        self._script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs).get("id") or ""
            self.scripts[self._script] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self.scripts[self._script] += data


def parsed(document: str) -> Elements:
    elements = Elements()
    elements.feed(document)
    elements.close()
    return elements


def unpacked(packed: str) -> bytes:
    return gzip.decompress(base64.b64decode(packed))


@cache
def seed_trace() -> bytes:
    return trace_to_json(SEED_SOURCE, api=2)


@cache
def seed_document() -> str:
    return player_html(seed_trace(), source=SEED_SOURCE)


def bundle() -> dict[str, Any]:
    scripts = parsed(seed_document()).scripts
    loaded: dict[str, Any] = json.loads(unpacked(scripts["chainrule-bundle"]))
    return loaded


def test_the_seed_programs_document_is_under_3_mb() -> None:
    assert len(seed_document().encode("utf-8")) < 3_000_000


def test_the_document_holds_the_trace_its_program_and_title_as_given() -> None:
    variables = {"w": {"value": [1.0, 2.0], "requires_grad": True}}
    document = player_html(seed_trace(), source=SEED_SOURCE, variables=variables,
                           title="my model")
    embedded = json.loads(parsed(document).scripts["chainrule-embedded"])
    assert unpacked(embedded.pop("trace")) == seed_trace()
    assert embedded == {"title": "my model", "source": SEED_SOURCE, "variables": variables}


def test_text_that_would_end_a_script_element_stays_inside_the_trace_block() -> None:
    source = 'print("</script><script>alert(1)</script>")\n'
    document = player_html(seed_trace(), source=source)
    elements = parsed(document)
    assert json.loads(elements.scripts["chainrule-embedded"])["source"] == source
    assert [tag for tag, _ in elements.attributes].count("script") == 3


def test_every_element_loads_only_from_inside_the_document() -> None:
    loads = [(tag, name, value) for tag, attrs in parsed(seed_document()).attributes
             for name, value in attrs.items() if name in ("src", "href")]
    # The favicon, an inline SVG as a data: URL, is the one link left.
    assert [(tag, name, (value or "")[:22]) for tag, name, value in loads] == [
        ("link", "href", "data:image/svg+xml,%3C")]


def test_the_document_names_no_network_address_outside_the_bundle() -> None:
    outside = seed_document().replace(parsed(seed_document()).scripts["chainrule-bundle"], "")
    assert re.findall(r"https?://[^\s'\"<>)]*", outside) == [
        # The favicon's and the graph's inline SVG namespaces: names, never fetched.
        "http://www.w3.org/2000/svg"]
    assert "fetch(" not in outside


def test_katexs_fonts_are_inline_woff2_data() -> None:
    styles = re.findall(r"<style>(.*?)</style>", seed_document(), re.DOTALL)
    fonts = re.findall(r"src:url\(([^)]{0,29})", "".join(styles))
    assert len(fonts) == len(list((FRONTEND_DIR / "vendor/katex/fonts").glob("*.woff2")))
    assert set(fonts) == {"data:font/woff2;base64,d09GMg"}  # the woff2 signature "wOF2"


def test_the_bundle_holds_every_module_under_its_bare_id() -> None:
    root = FRONTEND_DIR / "js"
    modules = bundle()["modules"]
    assert sorted(modules) == sorted(
        BARE_PREFIX + p.relative_to(root).as_posix() for p in root.rglob("*.js"))
    assert bundle()["entry"] == BARE_PREFIX + ENTRY


def test_every_import_of_every_module_is_a_bare_id_the_bundle_holds() -> None:
    modules: dict[str, str] = bundle()["modules"]
    reached, todo = set(), [BARE_PREFIX + ENTRY]
    while todo:
        module = todo.pop()
        if module in reached:
            continue
        reached.add(module)
        code = re.sub(r"/\*.*?\*/|//[^\n]*", "", modules[module], flags=re.DOTALL)
        imported = [next(filter(None, m)) for m in IMPORT.findall(code)]
        assert [s for s in imported if s not in modules] == [], module
        todo.extend(imported)
    # main.js reaches every module but the typedefs (imported only inside JSDoc comments).
    assert sorted(set(modules) - reached) == [BARE_PREFIX + "core/contract.js"]


def test_relative_imports_become_bare_ids_resolved_from_the_module() -> None:
    code = ('import { a } from "../core/model.js";\n'
            "import './keys.js';\n"
            'export { b } from "../layout/arrange.js";\n'
            'const c = await import("./links.js");\n'
            'import { d3 } from "d3";\n')
    assert rewrite_imports("app/main.js", code) == (
        'import { a } from "chainrule/core/model.js";\n'
        "import 'chainrule/app/keys.js';\n"
        'export { b } from "chainrule/layout/arrange.js";\n'
        'const c = await import("chainrule/app/links.js");\n'
        'import { d3 } from "d3";\n')


def test_an_import_from_outside_the_modules_folder_is_refused() -> None:
    with pytest.raises(StandaloneError, match=r"core/x\.js imports \.\./\.\./vendor/y\.js"):
        rewrite_imports("core/x.js", 'import "../../vendor/y.js";')


def test_the_shell_has_one_place_for_the_trace_before_the_boot_script() -> None:
    shell = player_shell()
    assert shell.count(EMBEDDED_MARKER) == 1
    assert shell.index(EMBEDDED_MARKER) < shell.index('id="chainrule-boot"')
    assert EMBEDDED_MARKER not in seed_document()


def test_the_page_and_the_python_write_the_same_marker() -> None:
    embedded_js = (FRONTEND_DIR / "js/core/embedded.js").read_text(encoding="utf-8")
    assert f'export const EMBEDDED_MARKER = "{EMBEDDED_MARKER}";' in embedded_js


def test_the_document_is_index_html_without_the_api_link_and_with_the_export_item() -> None:
    document = seed_document()
    assert 'href="docs"' not in document
    assert 'id="export-html"' in document
    assert Path(FRONTEND_DIR / "index.html").read_text(encoding="utf-8").count('href="docs"') == 1


def test_the_server_serves_the_shell_as_html() -> None:
    with TestClient(create_app(ServerSettings(workers=1))) as client:
        response = client.get("/api/v2/player")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert response.text == player_shell()
