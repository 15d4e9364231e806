package kit

import "elib/element"

// The record types below are what a backend stores for an imported asset:
// Prepare fills them, the file backend encodes them in its segment files
// (index/store) and PostgreSQL in its rows (the asset record as JSON, the
// type code as a smallint). Their encodings are on-disk formats: a field
// renamed here is a format change.

// ElementRecord is one element record: everything the check needs about a
// library element, addressed by its library-wide reference number. The file
// backend writes it to its segments (index/store), PostgreSQL to its rows.
type ElementRecord struct {
	// Ref is the library-wide reference number of the element.
	Ref uint32
	// AssetID is the id of the asset the element belongs to.
	AssetID string
	// Index is the 1-based position of the element in its asset.
	Index int
	// Type is the element's kind.
	Type element.Type
	// Text is the element's copy text.
	Text string
	// Title is the asset's title.
	Title string
	// Signature is the MinHash signature of the element's shingles.
	Signature []uint32
	// Shingles are the sorted, deduplicated token-shingle hashes.
	Shingles []uint64
}

// ID returns the element id "<asset id>#<index>" (element.ElementID).
func (e *ElementRecord) ID() string { return element.ElementID(e.AssetID, e.Index) }

// AssetRecord is one stored asset with what the library derives from it.
type AssetRecord struct {
	// Asset is the full asset as imported (elements, attributes, metadata).
	Asset element.Asset `json:"asset"`
	// File is Asset.File, kept because element.Asset does not serialise it.
	File string `json:"file,omitempty"`
	// Lines are the elements' source lines (element.Element.Line).
	Lines []int `json:"lines,omitempty"`
	// FirstRef is the reference number of the asset's first element; its
	// elements have refs FirstRef … FirstRef+len(Elements)-1.
	FirstRef uint32 `json:"first_ref"`
	// Sentences are the asset's distinct normalised sentence hashes, kept so
	// removal can update the boilerplate sketch without re-fingerprinting.
	Sentences []uint64 `json:"sentences,omitempty"`
	// Footage is Asset.Footage in its stored form (fingerprint/footage,
	// no probes), kept because element.Asset does not serialise it.
	Footage []byte `json:"footage,omitempty"`
}

// typeCodes maps element types to the one-byte codes stored on disk; code 0
// is reserved for "no element" (a dead reference).
var typeCodes = func() map[element.Type]byte {
	m := make(map[element.Type]byte, len(element.Types))
	for i, t := range element.Types {
		m[t] = byte(i + 1)
	}
	return m
}()

// TypeCode returns the one-byte code of t, as every backend stores it (the
// code of Other for an unknown type).
func TypeCode(t element.Type) byte {
	if c, ok := typeCodes[t]; ok {
		return c
	}
	return typeCodes[element.Other]
}

// TypeOf returns the type of a code written by TypeCode; ok is false for 0
// and unknown codes.
func TypeOf(c byte) (element.Type, bool) {
	if c == 0 || int(c) > len(element.Types) {
		return "", false
	}
	return element.Types[c-1], true
}
