// Package wordseg is elib's Chinese word segmenter: a thin, safe wrapper
// around gojieba (cppjieba through cgo) — the only cgo package of elib.
//
// Data enters as arbitrary Go strings (invalid UTF-8 and NUL bytes are
// allowed) and leaves as words with byte offsets into the input
// (Tokenize, TokenizeSearch), plain words (Cut) or copy verbs (Verbs).
// Whitespace-, punctuation- and emoji-only tokens are dropped.
//
// Dictionaries. gojieba's default dictionary paths point into the Go module
// cache of the build machine, so a copied binary would panic. This package
// ships the dictionaries inside the binary (go:embed): jieba.dict.utf8,
// hmm_model.utf8 and stop_words.utf8 from gojieba's cppjieba, zstd
// compressed (dict/*.zst, 2.0 MB), plus our own user dictionary
// dict/marketing.dict.utf8 (530 short-video marketing terms: 小黄车, 直播间,
// 双十一, 领券, 立减, 到手价, 拍一发二 …) and a tiny idf.small.utf8. After
// decompression every file's SHA-256 is checked against dict/SHA256SUMS.
// gojieba wants file paths, so the files are handed over as memfd files
// (/proc/self/fd/N) on Linux, or else extracted to a checksummed cache
// directory under os.UserCacheDir(). Options.DictDir replaces all of this
// with a directory holding the five files, validated first.
//
// cppjieba aborts the whole process (C++ assert) on an empty or malformed
// dictionary and gojieba panics on a missing one, so every user-supplied
// file is validated (existence, non-empty, line format) before loading and
// errors are returned instead.
//
// IDF. The IDF file only serves keyword extraction, which elib does not
// use; loading the full 6 MB file costs about a quarter of the load time
// (see the package tests' TestLoadCost and benchmarks/RESULTS.md), so a
// four-line valid IDF file is shipped instead. Pass a DictDir with the full
// idf.utf8 if keyword weights are ever needed.
//
// Cost and sharing. One instance costs ~0.7 s and >100 MB, so a process
// should hold exactly one: Default returns the lazily created shared
// instance. Tokenize, Cut and Verbs are safe for concurrent use; custom
// words are only added through the user dictionary at construction
// (gojieba's AddWord/RemoveWord mutate the trie without a lock and are never
// called).
//
// Regenerate the embedded files with `go generate ./fingerprint/wordseg`.
package wordseg

//go:generate go run gendict.go
