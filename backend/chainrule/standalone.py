"""The offline player: the page's player and one trace in a single HTML document that works
from file:// with no server and no network (`player_html`), and the same document without
its trace (`player_shell`), which the page fills in for its Export menu.

ES modules cannot be loaded from file://, so the document carries the frontend's modules
as text, each relative import rewritten to a bare id (`../core/model.js` in `app/run.js`
becomes `chainrule/core/model.js`); a small classic script (BOOT) turns each into a Blob
URL, writes the import map from those, then starts `chainrule/app/main.js`. The scripts
(the modules, d3, KaTeX, ELK and ELK's worker) travel gzip-compressed and base64-encoded
in one block, unpacked with the browser's DecompressionStream; the trace in another
(EMBEDDED_MARKER is where it goes). KaTeX's fonts are inlined as data: URLs (woff2 only).
"""

from __future__ import annotations

import base64
import functools
import gzip
import json
import posixpath
import re
from pathlib import Path
from typing import Any


def _frontend_dir() -> Path:
    """The page's files: inside the installed package, or frontend/ in the source tree
    (as app.py finds them)."""
    installed = Path(__file__).resolve().parent / "frontend"
    return installed if installed.is_dir() else Path(__file__).resolve().parents[2] / "frontend"


FRONTEND_DIR = _frontend_dir()

#: The module the page starts from, by its id (its path under frontend/js/).
ENTRY = "app/main.js"
#: A module's bare id is this prefix and its path under frontend/js/.
BARE_PREFIX = "chainrule/"
#: The classic scripts that define the globals the modules use, in the order they run.
CLASSIC_SCRIPTS = ("vendor/elkjs/elk.bundled.js", "vendor/d3/d3.min.js",
                   "vendor/katex/katex.min.js")
#: ELK's Web Worker, started from a Blob URL (a file:// worker is refused).
WORKER_SCRIPT = "vendor/elkjs/elk-worker.min.js"
#: Where the trace's block goes in the shell: player_html and core/embedded.js replace it.
EMBEDDED_MARKER = "<!--chainrule:embedded-->"

# A relative specifier of an import or export: `from "./x.js"`, `import "./x.js"`,
# `import("../y.js")` (also inside JSDoc types, where rewriting it changes nothing).
_SPECIFIER = re.compile(r"""(\bfrom\s*|\bimport\s*\(?\s*)(["'])(\.\.?/[^"'\n]*)\2""")
_STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"]+)" />\n')
_HEAD_SCRIPTS = re.compile(r"\s*<!-- UMD builds:.*?</script>\n(?=\s*</head>)", re.DOTALL)
_KATEX_FONT = re.compile(r"src:url\((fonts/[^)]+\.woff2)\) format\(\"woff2\"\)[^;}]*")
# index.html's link to the API documentation, which only a server has.
_DOCS_LINK = '<a href="docs" target="_blank" rel="noopener">API</a>'

# Unpacks the bundle, defines the globals, maps every module's id to its Blob URL, starts
# the entry module; says so over the graph if the browser cannot. The trace's block and
# this script are the last elements of the body: it runs once the page is parsed.
BOOT = """(async () => {
  const block = (id) => document.getElementById(id).textContent;
  const unpack = async (b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).text();
  };
  const url = (code) => URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
  try {
    const bundle = JSON.parse(await unpack(block("chainrule-bundle")));
    const embedded = JSON.parse(block("chainrule-embedded"));
    for (const code of bundle.scripts) {
      await new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = url(code);
        script.onload = resolve;
        script.onerror = reject;
        document.head.append(script);
      });
    }
    if (embedded.title) document.title = embedded.title;
    globalThis.CHAINRULE_EMBEDDED = {
      trace: JSON.parse(await unpack(embedded.trace)),
      source: embedded.source,
      variables: embedded.variables,
      workerUrl: url(bundle.worker),
    };
    const imports = {};
    for (const [id, code] of Object.entries(bundle.modules)) imports[id] = url(code);
    const map = document.createElement("script");
    map.type = "importmap";
    map.textContent = JSON.stringify({ imports });
    document.head.append(map);
    const entry = document.createElement("script");
    entry.type = "module";
    entry.textContent = `import ${JSON.stringify(bundle.entry)};`;
    document.head.append(entry);
  } catch (err) {
    document.getElementById("graph-message-text").textContent =
      "This browser cannot open the offline player (it needs DecompressionStream and " +
      "import maps: Chrome 89+, Firefox 113+, Safari 16.4+): " + err;
    throw err;
  }
})();
"""


class StandaloneError(Exception):
    """The frontend's files are not what the offline player expects (index.html changed)."""


def bare_id(module: str) -> str:
    """The bare specifier a module is imported by in the offline player."""
    return BARE_PREFIX + module


def rewrite_imports(module: str, code: str) -> str:
    """`code` of the module at `module` (its path under frontend/js/) with every relative
    import specifier replaced by the bare id of the module it names."""
    folder = posixpath.dirname(module)

    def bare(match: re.Match[str]) -> str:
        lead, quote, spec = match.groups()
        target = posixpath.normpath(posixpath.join(folder, spec))
        if target.startswith("../"):
            raise StandaloneError(f"{module} imports {spec}, outside frontend/js/")
        return f"{lead}{quote}{bare_id(target)}{quote}"

    return _SPECIFIER.sub(bare, code)


def _modules(frontend: Path) -> dict[str, str]:
    """Every module under frontend/js/, by bare id, its imports rewritten."""
    root = frontend / "js"
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*.js")):
        module = path.relative_to(root).as_posix()
        out[bare_id(module)] = rewrite_imports(module, path.read_text(encoding="utf-8"))
    return out


def _packed(data: bytes) -> str:
    """gzip, then base64: what the boot script's `unpack` reads."""
    return base64.b64encode(gzip.compress(data, compresslevel=9, mtime=0)).decode("ascii")


def _katex_css(frontend: Path) -> str:
    """KaTeX's stylesheet with each font's woff2 as a data: URL, its other formats dropped."""
    folder = frontend / "vendor" / "katex"

    def inline(match: re.Match[str]) -> str:
        font = base64.b64encode((folder / match.group(1)).read_bytes()).decode("ascii")
        return f'src:url(data:font/woff2;base64,{font}) format("woff2")'

    css = (folder / "katex.min.css").read_text(encoding="utf-8")
    css, count = _KATEX_FONT.subn(inline, css)
    if count == 0 or "url(fonts/" in css:
        raise StandaloneError("KaTeX's stylesheet names its fonts in an unexpected form")
    return css


def _stylesheet(frontend: Path, href: str) -> str:
    css = _katex_css(frontend) if href.endswith("katex.min.css") else (
        (frontend / href).read_text(encoding="utf-8"))
    if "</style" in css.lower():
        raise StandaloneError(f"{href} holds </style, which would end its element early")
    return f"<style>\n{css}\n</style>\n"


def _once(pattern: str | re.Pattern[str], replacement: str, text: str, what: str) -> str:
    """`text` with the one occurrence of `pattern` replaced; StandaloneError if not once."""
    if isinstance(pattern, str):
        count = text.count(pattern)
        new = text.replace(pattern, replacement)
    else:
        new, count = pattern.subn(lambda _m: replacement, text)
    if count != 1:
        raise StandaloneError(f"index.html: expected one {what}, found {count}")
    return new


def _block(element_id: str, kind: str, text: str) -> str:
    return f'<script type="{kind}" id="{element_id}">{text}</script>\n'


@functools.cache
def player_shell(frontend: Path = FRONTEND_DIR) -> str:
    """The offline player without a trace: index.html with its stylesheets inline, its
    scripts in the bundle, and EMBEDDED_MARKER where the trace's block goes."""
    page = (frontend / "index.html").read_text(encoding="utf-8")
    page, sheets = _STYLESHEET.subn(lambda m: _stylesheet(frontend, m.group(1)), page)
    if sheets == 0:
        raise StandaloneError("index.html: expected its stylesheets, found none")
    page = _once(_HEAD_SCRIPTS, "\n", page, "block of scripts at the end of <head>")
    page = _once(_DOCS_LINK, "", page, "link to the API documentation")
    bundle = {
        "entry": bare_id(ENTRY),
        "modules": _modules(frontend),
        "scripts": [(frontend / s).read_text(encoding="utf-8") for s in CLASSIC_SCRIPTS],
        "worker": (frontend / WORKER_SCRIPT).read_text(encoding="utf-8"),
    }
    packed = _packed(json.dumps(bundle, ensure_ascii=False).encode("utf-8"))
    tail = (_block("chainrule-bundle", "application/octet-stream", packed)
            + EMBEDDED_MARKER + "\n" + _block("chainrule-boot", "text/javascript", BOOT))
    return _once("  </body>", tail + "  </body>", page, "</body>")


def embedded_block(trace: bytes, *, source: str, variables: dict[str, Any] | None = None,
                   title: str = "chainrule") -> str:
    """The trace's block: JSON of the title, the source, the request's variables and the
    trace (API v2's body, packed); `<` escaped, so no text in it can close the element."""
    data = {"title": title, "source": source, "variables": variables or {},
            "trace": _packed(trace)}
    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")
    return _block("chainrule-embedded", "application/json", text)


def player_html(trace: bytes, *, source: str, variables: dict[str, Any] | None = None,
                title: str = "chainrule") -> str:
    """One complete HTML document: the player showing `trace` (the body of
    POST /api/v2/trace, as `pipeline.trace_to_json(source, api=2)` makes it) of `source`,
    run with `variables` (the request's form); it works offline, from file://."""
    block = embedded_block(trace, source=source, variables=variables, title=title)
    return player_shell().replace(EMBEDDED_MARKER, block, 1)
