// Package verify does the exact check behind a duplication verdict: it
// finds the runs of countable characters a query text shares with a
// library text, and maps them back to offsets in both original texts.
//
// Data enters as two normalize.Text values (query and library element)
// and leaves as a Result: the matched spans in original code-point
// offsets, a per-rune coverage mask of the query (for union over many
// library texts), the covered count and a MinRun-gram containment. It also
// offers the exact Jaccard index of sorted hash sets.
//
// A run counts only if it covers at least Options.MinRun (default 5)
// consecutive countable runes, the same rule the SPEC's truth uses, so
// isolated characters left between synonym swaps are not reuse.
package verify
