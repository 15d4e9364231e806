// Package server is elib's HTTP face: a JSON API over one library (check,
// split, search, element lookup, import, removal), a Prometheus /metrics
// endpoint and the embedded web page (server/web) that drives the API from a
// browser.
//
// Data enters as HTTP requests — JSON bodies or multipart file uploads that
// the element parsers turn into assets — and leaves as JSON documents whose
// shapes are those of the command line (`elib check --format json`, `elib
// split --format json`, `elib search --format json`). The library and the
// fingerprint engine (with its tokenizer, loaded once) are handed to New by
// the caller; the server never opens files of its own. A library opened
// read-only is kept current with what other processes commit (Watch, run by
// Run every Options.RefreshInterval).
package server
