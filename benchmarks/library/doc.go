// Command library is the scale benchmark of the elib library store
// (index.Library): it generates a realistic library of N elements by
// recombining sentences of real Chinese text (the poetry sample in
// benchmarks/testdata, plus benchmarks/data/tang.txt when
// benchmarks/fetch-corpus.sh has fetched it, converted once to Simplified
// Chinese as marketing copy is), imports it end to end, and measures:
//
//   - import throughput (elements/s, fingerprinting + segment writes +
//     LSH/sketch snapshots, with and without the full-text index);
//   - open time and resident memory per element of a read-only open (in a
//     fresh child process, so the tokenizer does not pollute the figure);
//   - on-disk bytes per element;
//   - LSH candidate lookup + exact verification latency, p50/p99, for one
//     300-character script; the positions of the slowest checks after the
//     open, and with -each every check's time, CPU and page faults in order
//     (-warm opens as elib serve does; -release=false keeps the open's
//     freed heap instead of returning it to the OS before the checks).
//
// Usage:
//
//	go run ./benchmarks/library -n 100000 [-fulltext] [-dir DIR] [-keep]
//
// Results go to stdout as a Markdown table row block for
// benchmarks/RESULTS.md.
package main
