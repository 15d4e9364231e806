// Package minhashbench holds the MinHash benchmarks and the accuracy
// comparison of elib's fingerprint/minhash against two public Go MinHash
// libraries (github.com/ekzhu/minhash-lsh, github.com/dgryski/go-minhash).
//
// It has no production code. Data enters as real Chinese text — Tang poems,
// one document per line, from ../testdata/poetry-sample.txt or the file
// named by $ELIB_BENCH_CORPUS (see ../fetch-corpus.sh) — cut into character
// 3-gram shingles; figures leave as `go test -bench` output and as the
// accuracy table that TestAccuracy logs (-v). See ../RESULTS.md.
package minhashbench
