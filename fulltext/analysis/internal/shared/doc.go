// Package shared holds the one Normalizer the elib analysis components
// share, so OpenCC's dictionaries are loaded once per process and not once
// per opened index (bleve builds new tokenizers and filters for every
// index it opens).
package shared
