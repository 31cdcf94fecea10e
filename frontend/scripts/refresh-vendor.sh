#!/bin/sh
# Refresh frontend/vendor/ from the versions pinned in package-lock.json.
# The vendored files are committed, so users never need node; run this only to upgrade
# (edit package.json, `npm install`, then this script) and commit vendor/ with the lockfile.
set -eu

cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund

rm -rf vendor
mkdir -p vendor/elkjs vendor/d3 vendor/katex/fonts vendor/swagger-ui vendor/redoc

# elkjs: the bundled build runs in the page; the worker build runs ELK off the main thread.
cp node_modules/elkjs/lib/elk.bundled.js node_modules/elkjs/lib/elk-worker.min.js vendor/elkjs/
cp node_modules/elkjs/LICENSE.md vendor/elkjs/LICENSE.md

cp node_modules/d3/dist/d3.min.js vendor/d3/
cp node_modules/d3/LICENSE vendor/d3/LICENSE

# KaTeX: every browser chainrule supports takes woff2, the first source katex.min.css lists,
# so the woff and ttf fallbacks are left out.
cp node_modules/katex/dist/katex.min.js node_modules/katex/dist/katex.min.css vendor/katex/
cp node_modules/katex/dist/fonts/*.woff2 vendor/katex/fonts/
cp node_modules/katex/LICENSE vendor/katex/LICENSE

# The API's own documentation pages, /docs (Swagger UI) and /redoc, load these from the
# app, so they work with no internet (a classroom's LAN, the compose file offline).
cp node_modules/swagger-ui-dist/swagger-ui-bundle.js node_modules/swagger-ui-dist/swagger-ui.css \
   node_modules/swagger-ui-dist/favicon-32x32.png vendor/swagger-ui/
cp node_modules/swagger-ui-dist/LICENSE vendor/swagger-ui/LICENSE
cp node_modules/swagger-ui-dist/NOTICE vendor/swagger-ui/NOTICE
# ReDoc's footer shows Redocly's logo from cdn.redoc.ly, whatever its options: point it at
# an empty SVG instead, so /redoc asks nothing of another host (the "API docs by Redocly"
# text stays). The test tests/browser/test_docs_offline.py fails if a request still leaves.
sed 's#https://cdn.redoc.ly/redoc/logo-mini.svg#data:image/svg+xml,%3Csvg xmlns=%27http://www.w3.org/2000/svg%27/%3E#' \
    node_modules/redoc/bundles/redoc.standalone.js >vendor/redoc/redoc.standalone.js
grep -q 'cdn.redoc.ly' vendor/redoc/redoc.standalone.js && { echo "redoc: logo URL not replaced" >&2; exit 1; }
cp node_modules/redoc/LICENSE vendor/redoc/LICENSE

# Record what was vendored, so a reviewer can see the versions without node.
node -e '
const pkgs = ["elkjs", "d3", "katex", "swagger-ui-dist", "redoc"];
const lines = pkgs.map((p) => `${p} ${require("./node_modules/" + p + "/package.json").version}`);
require("fs").writeFileSync("vendor/VERSIONS", lines.join("\n") + "\n");
'
echo "vendor/ refreshed:"
cat vendor/VERSIONS
