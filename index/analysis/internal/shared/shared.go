// Package shared holds the one Normalizer the elib analysis components
// share, so OpenCC's dictionaries are loaded once per process and not once
// per opened index (bleve builds new tokenizers and filters for every
// index it opens).
package shared

import (
	"sync"

	"elib/fingerprint/normalize"
)

// Normalizer returns the process-wide Normalizer, created on first use. It is
// safe for concurrent use and never mutated after creation.
var Normalizer = sync.OnceValue(normalize.New)
