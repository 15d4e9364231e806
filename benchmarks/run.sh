#!/bin/sh
# Run the MinHash/LSH benchmarks as recorded in benchmarks/RESULTS.md.
#
#   benchmarks/run.sh                 # committed sample corpus
#   ELIB_BENCH_CORPUS=$PWD/benchmarks/data/tang.txt benchmarks/run.sh   # full corpus (fetch-corpus.sh)
#   COUNT=10 BENCH='Kernel' benchmarks/run.sh
#
# Raw output goes to benchmarks/data/bench-<date>.txt; benchstat summarises
# it when it can be run (go run golang.org/x/perf/cmd/benchstat@latest needs
# the module proxy), otherwise the raw lines are printed.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
count=${COUNT:-6}
bench=${BENCH:-.}
mkdir -p benchmarks/data
out="benchmarks/data/bench-$(date +%Y%m%d-%H%M%S).txt"

echo "# $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores, $(go version)" | tee "$out"
go test -run '^$' -bench "$bench" -count "$count" -benchmem ./benchmarks/minhash/ | tee -a "$out"
go test -run '^$' -bench 'Query|ReadIndex' -count "$count" -benchmem ./fingerprint/lsh/ | tee -a "$out"
go test -run '^TestAccuracy$' -v ./benchmarks/minhash/ | tee -a "$out"

echo
if go run golang.org/x/perf/cmd/benchstat@latest "$out" 2>/dev/null; then
  :
else
  echo "(benchstat unavailable; raw results above and in $out)"
fi
