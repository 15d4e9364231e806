package shared

import (
	"sync"

	"elib/fingerprint/normalize"
)

// Normalizer returns the process-wide Normalizer, created on first use. It is
// safe for concurrent use and never mutated after creation.
var Normalizer = sync.OnceValue(normalize.New)
