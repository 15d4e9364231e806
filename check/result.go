package check

import (
	"sort"

	"elib/element"
)

// Verdicts.
const (
	Pass   = "pass"
	Reject = "reject"
)

// Span is a matched run: code points of the checked element's text and of
// the library element's text.
type Span struct {
	Start        int `json:"start"`
	End          int `json:"end"`
	LibraryStart int `json:"library_start"`
	LibraryEnd   int `json:"library_end"`
	// Kind is KindExact or KindEdited.
	Kind string `json:"kind"`
	// Edits are an edited span's changes (the characters that do not
	// count), in order.
	Edits []Edit `json:"edits,omitempty"`
	// Licensed marks a span of a licensed match (see Options.License).
	Licensed bool `json:"licensed,omitempty"`
}

// Match is one library element an element matches.
type Match struct {
	ElementID   string       `json:"element_id"`
	AssetID     string       `json:"asset_id"`
	Type        element.Type `json:"type"`
	Similarity  float64      `json:"similarity"`
	Containment float64      `json:"containment"`
	Spans       []Span       `json:"spans"`
	// Licensed: the library element is licensed (a creator pack's fixed
	// element); its characters do not count as copied.
	Licensed bool `json:"licensed,omitempty"`
	// OwnVersion: the library element belongs to the checked asset's own
	// published version (same id, another text).
	OwnVersion bool `json:"own_version,omitempty"`
	// Text is the library element's text (for side-by-side views), Title
	// its asset's title.
	Text  string `json:"-"`
	Title string `json:"-"`
	// covered counts this match's countable characters, for ranking.
	covered int
}

// ElementResult is the check of one element.
type ElementResult struct {
	Type        element.Type `json:"type"`
	Start       int          `json:"start"`
	End         int          `json:"end"`
	Duplication float64      `json:"duplication"`
	Matches     []Match      `json:"matches"`
	// Text and Line locate the element for renderers.
	Text string `json:"-"`
	Line int    `json:"-"`
	// Countable and Copied are the element's countable characters outside
	// boilerplate and those inside matched runs; Licensed are the copied
	// ones a creator pack licenses.
	Countable int `json:"-"`
	Copied    int `json:"-"`
	Licensed  int `json:"-"`
	// Boilerplate holds the element-text code-point ranges left out as
	// boilerplate.
	Boilerplate [][2]int `json:"-"`
}

// bestContainment is the highest containment among the element's matches
// (0 without matches).
func (e *ElementResult) bestContainment() float64 {
	best := 0.0
	for _, m := range e.Matches {
		best = max(best, m.Containment)
	}
	return best
}

// Result is the check of one asset.
type Result struct {
	File        string          `json:"file"`
	AssetID     string          `json:"asset_id"`
	Title       string          `json:"-"`
	Duplication float64         `json:"duplication"`
	Verdict     string          `json:"verdict"`
	ReuseRate   float64         `json:"reuse_rate"`
	Elements    []ElementResult `json:"elements"`
	// AlreadyInLibrary: the library holds this very text under the
	// asset's id. It is checked against everything else and passes.
	AlreadyInLibrary bool `json:"already_in_library,omitempty"`
	// OwnVersion is set when the library holds another text under the
	// asset's id: the asset's own published version, a source like any
	// other (matches against it carry OwnVersion).
	OwnVersion *OwnVersion `json:"own_version,omitempty"`
	// LicensedDuplication is the share of the countable characters copied
	// from a creator pack's fixed elements (Options.License): part of
	// Duplication, which describes all copying (what platforms see), but
	// not of the verdict.
	LicensedDuplication float64 `json:"licensed_duplication,omitempty"`
	// Countable, Copied and Licensed are the asset's totals behind
	// Duplication and LicensedDuplication.
	Countable int `json:"-"`
	Copied    int `json:"-"`
	Licensed  int `json:"-"`
	// Footage is a video's footage check (footage.go); nil for text.
	Footage *FootageResult `json:"footage,omitempty"`
	Assessment
}

// Judge sets the verdict for threshold: reject iff the unlicensed copying
// (the exact ratio, not the rounded figure) is strictly greater, or a
// video's footage duplication is strictly greater than its footage
// threshold (Footage.Threshold); an input already in the library passes
// on its copy.
func (r *Result) Judge(threshold float64) {
	r.Verdict = Pass
	if !r.AlreadyInLibrary && r.Countable > 0 && float64(r.Copied-r.Licensed)/float64(r.Countable) > threshold {
		r.Verdict = Reject
	}
	if r.footageRejects() {
		r.Verdict = Reject
	}
}

// Sources returns the asset ids the result matched, by copied characters.
func (r *Result) Sources() []SourceShare {
	m := map[string]int{}
	for _, e := range r.Elements {
		for _, mt := range e.Matches {
			if !mt.Licensed {
				m[mt.AssetID] += mt.covered
			}
		}
	}
	out := make([]SourceShare, 0, len(m))
	for id, n := range m {
		out = append(out, SourceShare{AssetID: id, Chars: n})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Chars != out[j].Chars {
			return out[i].Chars > out[j].Chars
		}
		return out[i].AssetID < out[j].AssetID
	})
	return out
}

// SourceShare is how many characters one library asset contributed.
type SourceShare struct {
	AssetID string
	Chars   int
}
