package element

import "elib/internal/i18n/msg"

// ErrNotFound is what a library returns for an unknown asset or element
// (kit.ErrNotFound is the same error); test with errors.Is.
var ErrNotFound = msg.New("not found")

// Stored is one element as a library stores it: the element, where it
// sits in the library, and its fingerprint — what the check reads of every
// library backend. Values a library returns are shared: do not modify
// them.
type Stored struct {
	// Ref is the element's library-wide reference number (valid until the
	// next reindex).
	Ref uint32
	// ID is "<asset id>#<n>".
	ID string
	// AssetID is the id of the element's asset.
	AssetID string
	// Index is the 1-based position of the element in its asset.
	Index int
	// Type is the element's kind.
	Type Type
	// Text is the element's copy text.
	Text string
	// Title is the asset's title.
	Title string
	// Signature is the MinHash signature of Shingles.
	Signature []uint32
	// Shingles are the sorted, deduplicated token-shingle hashes.
	Shingles []uint64
}
