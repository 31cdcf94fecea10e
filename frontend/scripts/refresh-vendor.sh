#!/bin/sh
# Refresh frontend/vendor/ from the versions pinned in package-lock.json.
# The vendored files are committed, so users never need node; run this only to upgrade
# (edit package.json, `npm install`, then this script) and commit vendor/ with the lockfile.
set -eu

cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund

rm -rf vendor
mkdir -p vendor/elkjs vendor/d3 vendor/katex/fonts vendor/swagger-ui vendor/redoc vendor/qrcode

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

# qrcode-generator, for a classroom room's QR code: the classic build, which defines the
# global `qrcode` as d3 and KaTeX define theirs (no module of js/ imports from outside js/,
# and the offline player rewrites only js/'s imports). The package ships no licence file:
# its source's header says MIT with the copyright line below; the licence is written out
# in full here, and an upgrade whose header says otherwise stops the refresh.
cp node_modules/qrcode-generator/dist/qrcode.js vendor/qrcode/
for line in 'Copyright (c) 2009 Kazuhiko Arase' 'Licensed under the MIT license'; do
    grep -qF "$line" vendor/qrcode/qrcode.js \
        || { echo "qrcode-generator: its header no longer says '$line'" >&2; exit 1; }
done
cat >vendor/qrcode/LICENSE <<'EOF'
MIT License

Copyright (c) 2009 Kazuhiko Arase

URL: http://www.d-project.com/

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.

The word "QR Code" is registered trademark of DENSO WAVE INCORPORATED
  http://www.denso-wave.com/qrcode/faqpatent-e.html
EOF

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
const pkgs = ["elkjs", "d3", "katex", "swagger-ui-dist", "redoc", "qrcode-generator"];
const lines = pkgs.map((p) => `${p} ${require("./node_modules/" + p + "/package.json").version}`);
require("fs").writeFileSync("vendor/VERSIONS", lines.join("\n") + "\n");
'
echo "vendor/ refreshed:"
cat vendor/VERSIONS
