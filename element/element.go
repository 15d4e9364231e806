// Package element is the element model of elib: assets (one script, subtitle
// file or table row group) made of typed elements (hook, conflict, testimonial,
// conversion, story, other), and the parsers that turn every supported input
// format into them.
//
// Data enters as bytes plus a file name (Parse, ParseFile) and leaves as
// []Asset whose elements cover the asset's copy text exactly: element i spans
// code points [Start, End) of CopyText(), and element texts are joined by "\n".
package element

import (
	"elib/internal/i18n/msg"
	"strconv"
	"strings"
	"unicode/utf8"

	"elib/element/annotation"
)

// Type is the kind of an element. Its string form is the JSON form of SPEC §1.
type Type string

// The element types of SPEC §1.
const (
	Hook        Type = "hook"
	Conflict    Type = "conflict"
	Testimonial Type = "testimonial"
	Conversion  Type = "conversion"
	Story       Type = "story"
	Other       Type = "other"
)

// Types lists every element type in the order a script usually runs.
var Types = []Type{Hook, Conflict, Testimonial, Conversion, Story, Other}

var typeNames = map[string]Type{
	"hook": Hook, "钩子": Hook,
	"conflict": Conflict, "冲突": Conflict,
	"testimonial": Testimonial, "证言": Testimonial,
	"conversion": Conversion, "转化": Conversion,
	"story": Story, "故事": Story,
	"other": Other, "其他": Other, "其它": Other,
}

// ParseType reads a type written in English (any case) or Chinese.
func ParseType(s string) (Type, bool) {
	t, ok := typeNames[strings.ToLower(strings.TrimSpace(s))]
	return t, ok
}

// Chinese returns the Chinese name of the type (钩子, 冲突, …).
func (t Type) Chinese() string {
	switch t {
	case Hook:
		return "钩子"
	case Conflict:
		return "冲突"
	case Testimonial:
		return "证言"
	case Conversion:
		return "转化"
	case Story:
		return "故事"
	default:
		return "其他"
	}
}

// Attribute keys of SPEC §1 that parsers fill from annotations and columns.
const (
	AttrCopyVerbs     = "copy_verbs"
	AttrCamera        = annotation.Camera
	AttrBGMBPM        = annotation.BGMBPM
	AttrSubtitleColor = annotation.SubtitleColor
	AttrSFX           = annotation.SFX
	AttrShot          = annotation.Shot
	// AttrBGM is the background music's name (drafts).
	AttrBGM = "bgm"
	// AttrCuts is the number of cuts inside the element's time range.
	AttrCuts = "cuts"
)

// Element is one reusable piece of an asset.
type Element struct {
	// Type is the element's kind.
	Type Type `json:"type"`
	// Start and End are code-point offsets into the asset's copy text.
	Start int `json:"start"`
	End   int `json:"end"`
	// Text is exactly CopyText()[Start:End] (in code points).
	Text string `json:"text"`
	// StartMs and EndMs are the element's time range when the input gives one.
	StartMs *int64 `json:"start_ms,omitempty"`
	EndMs   *int64 `json:"end_ms,omitempty"`
	// Attributes holds copy verbs, camera, bgm_bpm, subtitle colour, sfx,
	// shot and free metadata. Values are strings, numbers or string lists.
	Attributes map[string]any `json:"attributes,omitempty"`
	// Line is the 1-based line of the source file where the element's text
	// starts (0 when unknown); reports use it to point at the file.
	Line int `json:"-"`
}

// Asset is one piece of material: a script, a subtitle file or a group of
// table rows sharing an asset id.
type Asset struct {
	// ID is the explicit id, else the file path relative to the library or
	// repository root.
	ID string `json:"id"`
	// Title is the asset's title, if any.
	Title string `json:"title,omitempty"`
	// Meta holds free metadata (campaign, platform, product, plays, …).
	Meta map[string]any `json:"meta,omitempty"`
	// Elements cover the copy text in order.
	Elements []Element `json:"elements"`
	// File is the path the asset was read from (not serialised in SPEC JSON).
	File string `json:"-"`
	// Footage is a video's footage fingerprint in the encoded form of
	// package fingerprint/footage (per-second frame hashes; with the
	// probe hashes a check looks up when the video was just decoded). A
	// library keeps its stored form beside the asset. Nil for text; not
	// serialised in SPEC JSON.
	Footage []byte `json:"-"`
}

// CopyText returns the asset's copy text: element texts joined by "\n".
func (a *Asset) CopyText() string {
	var b strings.Builder
	for i, e := range a.Elements {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Text)
	}
	return b.String()
}

// Reoffset recomputes every element's Start and End from the element texts,
// so the invariant "Text == CopyText()[Start:End]" holds after edits.
func (a *Asset) Reoffset() {
	pos := 0
	for i := range a.Elements {
		n := utf8.RuneCountInString(a.Elements[i].Text)
		a.Elements[i].Start = pos
		a.Elements[i].End = pos + n
		pos += n + 1
	}
}

// Validate checks the id (ValidateID), the offset invariant and element
// types.
func (a *Asset) Validate() error {
	if err := ValidateID(a.ID); err != nil {
		return err
	}
	pos := 0
	for i, e := range a.Elements {
		if _, ok := ParseType(string(e.Type)); !ok {
			return msg.Errorf("asset %s: element %d: unknown type %q", a.ID, i, e.Type)
		}
		n := utf8.RuneCountInString(e.Text)
		if e.Start != pos || e.End != pos+n {
			return msg.Errorf("asset %s: element %d: offsets [%d,%d) do not match text of %d code points at %d", a.ID, i, e.Start, e.End, n, pos)
		}
		pos += n + 1
	}
	return nil
}

// ElementID is the id of the n-th (1-based) element of asset assetID:
// "<asset id>#<n>", everywhere an element is named (library, search,
// check matches, packs).
func ElementID(assetID string, n int) string { return assetID + "#" + strconv.Itoa(n) }

// SplitElementID splits an element id into its asset id and 1-based
// index; ok is false for anything ElementID does not make.
func SplitElementID(id string) (assetID string, n int, ok bool) {
	i := strings.LastIndexByte(id, '#')
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(id[i+1:])
	if err != nil || n < 1 {
		return "", 0, false
	}
	return id[:i], n, true
}
