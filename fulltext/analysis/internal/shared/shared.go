package shared

import (
	"elib/fingerprint/normalize"
)

// Normalizer returns the process-wide Normalizer (normalize.Shared), the
// one the fingerprint engine and the library use too.
var Normalizer = normalize.Shared
