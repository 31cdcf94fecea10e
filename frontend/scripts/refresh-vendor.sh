#!/bin/sh
# Refresh frontend/vendor/ from the versions pinned in package-lock.json.
# The vendored files are committed, so users never need node; run this only to upgrade
# (edit package.json, `npm install`, then this script) and commit vendor/ with the lockfile.
set -eu

cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund

rm -rf vendor
mkdir -p vendor/elkjs vendor/d3 vendor/katex/fonts

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

# Record what was vendored, so a reviewer can see the versions without node.
node -e '
const pkgs = ["elkjs", "d3", "katex"];
const lines = pkgs.map((p) => `${p} ${require("./node_modules/" + p + "/package.json").version}`);
require("fs").writeFileSync("vendor/VERSIONS", lines.join("\n") + "\n");
'
echo "vendor/ refreshed:"
cat vendor/VERSIONS
