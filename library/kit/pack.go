package kit

// Pack is a creator pack (乐高说明书) as the manifest stores it: a hit
// script's elements, copied when the pack was made, each either fixed
// (creators keep it; copying it is licensed) or a slot (creators must
// replace it).
type Pack struct {
	// ID names the pack in the library ("pack-1").
	ID string `json:"id"`
	// Title and Note are the pack's headline and instructions.
	Title string `json:"title,omitempty"`
	Note  string `json:"note,omitempty"`
	// From is the id of the asset the pack was made from.
	From string `json:"from"`
	// Created is when the pack was made (RFC 3339).
	Created string `json:"created"`
	// Elements are the source asset's elements in order.
	Elements []PackElement `json:"elements"`
}

// PackElement is one element of a pack.
type PackElement struct {
	// ElementID is the library element ("<asset id>#<n>").
	ElementID string `json:"element_id"`
	// Type is the element type (hook, conflict, …).
	Type string `json:"type"`
	// Text is the element's copy text.
	Text string `json:"text"`
	// StartMs and EndMs are its time range, when the source had one.
	StartMs *int64 `json:"start_ms,omitempty"`
	EndMs   *int64 `json:"end_ms,omitempty"`
	// Attributes are the element's attributes (camera, bgm_bpm, …).
	Attributes map[string]any `json:"attributes,omitempty"`
	// Slot marks an element creators replace; the others are fixed.
	Slot bool `json:"slot,omitempty"`
}
