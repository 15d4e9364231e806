package check

import (
	"elib/internal/i18n/msg"

	"elib/fingerprint/boilerplate"
	"elib/fingerprint/lsh"
	"elib/fingerprint/verify"
	"elib/fingerprint/winnow"
)

// DefaultThreshold is the duplication above which material goes back to
// the writers (回炉): the product's 62 % line, the point the LSH banding is
// tuned for.
const DefaultThreshold = lsh.Threshold

// ValidThreshold reports a threshold outside 0..1 (0 rejects anything
// copied, 1 nothing).
func ValidThreshold(t float64) error {
	if t < 0 || t > 1 || t != t {
		return msg.Errorf("threshold %v must be between 0 and 1", t)
	}
	return nil
}

// DefaultReuseContainment is the containment at which an element counts as
// reused (the reuse rate's one definition).
const DefaultReuseContainment = 0.8

// Options configure a Checker. The zero value takes every default.
type Options struct {
	// Threshold: Checker.Check rejects an asset whose duplication is
	// strictly greater. The default value is DefaultThreshold. The
	// product judges through a Session instead, whose threshold is taken
	// as given (0 means 0).
	Threshold float64
	// FootageThreshold: a video is also rejected when the share of its
	// frames found in library videos is strictly greater. The default
	// value is DefaultFootageThreshold; Result.Judge applies the one a
	// result's Footage.Threshold holds (set it there for 0).
	FootageThreshold float64
	// MaxMatches caps the matches reported per element. The default value
	// is 5.
	MaxMatches int
	// License names library elements whose copying is licensed (a
	// creator pack's fixed elements; see License). Default: none.
	License License
	// ExcludeSelf ignores the library asset with the checked asset's id
	// (--exclude-self). By default it is a source like any other unless
	// it holds the same text (SPEC §3, self-matches).
	ExcludeSelf bool
	// BatchSources is how many of the last sources are the checked batch
	// itself (--cross): there, the asset with the checked asset's id is
	// the input and never a candidate.
	BatchSources int
	// Tuning holds the candidate-search knobs; the defaults are measured
	// (benchmarks/RESULTS.md, ## Check) and rarely need changing.
	Tuning Tuning
}

// Tuning shapes how candidates are found. Zero fields take the defaults.
type Tuning struct {
	// MaxCandidates caps the LSH candidates verified per asset, most
	// shared bands first; negative turns LSH lookups off. The default
	// value is 64.
	MaxCandidates int
	// MinBands is the fewest LSH bands, summed over the check's
	// signatures, a candidate must share to be verified. A pair at the
	// threshold similarity shares about 4.7 of 32 bands per signature, a
	// copy many more; one band in all is mostly chance in a large library,
	// and a source sharing a clause with the text is found by clause search
	// whatever its bands. The default value is 2.
	MinBands int
	// ExpandRun is how many characters a candidate must share with the
	// checked text before the rest of its asset is verified too. The
	// default value is 2 × the engine's MinRun.
	ExpandRun int
	// MaxExpansions caps the library assets whose other elements are
	// verified because one of theirs shares an ExpandRun run with the
	// text (the first ones verified: the strongest candidates come
	// first). The default value is 16.
	MaxExpansions int
	// AnchorMinShared is how many distinct anchors the elements of one
	// library asset must share with the checked text to become candidates
	// as paraphrase evidence; negative turns that evidence off. The
	// default value is 2.
	AnchorMinShared int
	// AnchorSpan is how far apart, in characters of the checked text, that
	// evidence must lie. The default value is ExpandRun + MinRun.
	AnchorSpan int
	// AnchorMaxPostings: an anchor held by more elements is a stock
	// phrase, no paraphrase evidence. The default value is the boilerplate
	// rule's MinAssets - 1.
	AnchorMaxPostings int
	// MaxAnchorCandidates caps the paraphrase-evidence candidates. The
	// default value is 32.
	MaxAnchorCandidates int
	// ClauseRun is the run length that always counts, whatever its source:
	// every anchor of the checked text is looked up and a holder sharing
	// such a run is verified. Negative turns clause search off. The
	// default value is winnow.K + winnow.Window - 1 (10), the longest run
	// the anchor index is sure to find.
	ClauseRun int
	// ClauseHolders is how many holders of one anchor are considered (one
	// verified holder is enough for a run to count); an anchor held by
	// more is a stock one. The default value is 16.
	ClauseHolders int
	// ClauseTries caps the elements fetched for clause search per check.
	// The default value is 32.
	ClauseTries int
	// WindowTokens and WindowStride shape the windows over the whole copy
	// text whose signatures are looked up beside the elements' and the
	// whole text's: they find a source sharing several short runs in one
	// place. The default values are 24 and 24 tokens: windows side by
	// side, since a copied stretch long enough for a window to contain it
	// holds clauses that clause search finds anyway.
	WindowTokens, WindowStride int
	// ReuseContainment is the containment at which an element counts as
	// reused. The default value is DefaultReuseContainment.
	ReuseContainment float64
	// EditMinShared is how many distinct edit anchors (winnow.EditGrams)
	// of the checked text a library element must hold to be verified as
	// a possible edited copy; negative turns that lookup off. The default
	// value is 3.
	EditMinShared int
	// EditMaxPostings: an edit anchor held by more elements is a stock
	// trigram, no evidence. The default value is 64.
	EditMaxPostings int
	// MaxEditCandidates caps the edit-anchor candidates per check. The
	// default value is 16.
	MaxEditCandidates int
	// Align says what an edited copy is (SPEC §4, edited copies count);
	// zero fields take verify's defaults.
	Align verify.AlignOptions
	// StockHolders: an edited stretch whose identical blocks hold anchors
	// of the checked text, every one held by at least this many library
	// elements, is stock phrasing (a sales formula other writers use
	// too), not an edited copy; negative counts every stretch. The
	// default value is 3: the candidate and two more.
	StockHolders int
	// Boilerplate is the rule for sentences common across the library.
	// The default value is boilerplate.DefaultRule().
	Boilerplate boilerplate.Rule
}

// EnsureDefaults fills zero fields; minRun is the engine's MinRun.
func (o *Options) EnsureDefaults(minRun int) {
	if o.Threshold == 0 {
		o.Threshold = DefaultThreshold
	}
	if o.FootageThreshold == 0 {
		o.FootageThreshold = DefaultFootageThreshold
	}
	if o.MaxMatches == 0 {
		o.MaxMatches = 5
	}
	o.Tuning.ensureDefaults(minRun)
}

func (t *Tuning) ensureDefaults(minRun int) {
	if t.MaxCandidates == 0 {
		t.MaxCandidates = 64
	}
	if t.MinBands == 0 {
		t.MinBands = 2
	}
	if t.ExpandRun == 0 {
		t.ExpandRun = 2 * minRun
	}
	if t.MaxExpansions == 0 {
		t.MaxExpansions = 16
	}
	if t.AnchorMinShared == 0 {
		t.AnchorMinShared = 2
	}
	if t.AnchorSpan == 0 {
		t.AnchorSpan = t.ExpandRun + minRun
	}
	if t.Boilerplate == (boilerplate.Rule{}) {
		t.Boilerplate = boilerplate.DefaultRule()
	}
	if t.AnchorMaxPostings == 0 {
		t.AnchorMaxPostings = max(1, t.Boilerplate.MinAssets-1)
	}
	if t.MaxAnchorCandidates == 0 {
		t.MaxAnchorCandidates = 32
	}
	if t.ClauseRun == 0 {
		t.ClauseRun = winnow.K + winnow.Window - 1
	}
	if t.ClauseHolders == 0 {
		t.ClauseHolders = 16
	}
	if t.ClauseTries == 0 {
		t.ClauseTries = 32
	}
	if t.WindowTokens == 0 {
		t.WindowTokens = 24
	}
	if t.WindowStride == 0 {
		t.WindowStride = t.WindowTokens
	}
	if t.EditMinShared == 0 {
		t.EditMinShared = 3
	}
	if t.EditMaxPostings == 0 {
		t.EditMaxPostings = 64
	}
	if t.MaxEditCandidates == 0 {
		t.MaxEditCandidates = 16
	}
	t.Align = t.Align.EnsureDefaults()
	if t.StockHolders == 0 {
		t.StockHolders = 3
	}
	if t.ReuseContainment == 0 {
		t.ReuseContainment = DefaultReuseContainment
	}
}
