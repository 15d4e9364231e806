package check

import "fmt"

// Level is the similarity band a platform puts material in (SPEC §3):
// L1 below 10 % duplication, L2 10–30 %, L3 30–50 %, L4 50–80 %, L5 80 %
// and above. Platforms throttle L3 and above, so a team watches the level
// beside the verdict; it never changes the verdict.
type Level string

// The platform levels, least to most duplicated.
const (
	L1 Level = "L1"
	L2 Level = "L2"
	L3 Level = "L3"
	L4 Level = "L4"
	L5 Level = "L5"
)

// Levels lists the levels in order.
var Levels = []Level{L1, L2, L3, L4, L5}

// levelFloors are the lowest duplications of L2…L5: a band includes its
// lower edge (exactly 10 % is L2).
var levelFloors = [...]float64{0.10, 0.30, 0.50, 0.80}

// LevelOf returns the level of a duplication in [0, 1] (as Result reports
// it, rounded to four decimals).
func LevelOf(duplication float64) Level {
	n := 0
	for _, f := range levelFloors {
		if duplication >= f {
			n++
		}
	}
	return Levels[n]
}

// Rank is the level's number, 1 to 5 (0 for an unknown level).
func (l Level) Rank() int {
	for i, x := range Levels {
		if x == l {
			return i + 1
		}
	}
	return 0
}

// Throttled reports whether platforms demote material at this level (L3
// and above).
func (l Level) Throttled() bool { return l.Rank() >= 3 }

// Band describes the level's duplication range, e.g. "30–50 %".
func (l Level) Band() string {
	switch r := l.Rank(); {
	case r == 1:
		return fmt.Sprintf("< %.0f %%", levelFloors[0]*100)
	case r == len(Levels):
		return fmt.Sprintf("≥ %.0f %%", levelFloors[len(levelFloors)-1]*100)
	case r > 1:
		return fmt.Sprintf("%.0f–%.0f %%", levelFloors[r-2]*100, levelFloors[r-1]*100)
	}
	return "?"
}

// Assessment is what a Result says beyond duplication and verdict: the
// platform level (always set by Check), warnings (added by callers that
// know more, e.g. which library elements are fatigued) and a creator
// pack's judgement (package pack). It is embedded in
// Result, so its fields appear in the result's JSON.
type Assessment struct {
	// Level is the platform similarity band of the duplication.
	Level Level `json:"level"`
	// Warnings never change the verdict.
	Warnings []Warning `json:"warnings,omitempty"`
	// Pack is the creator pack the asset was checked as a variant of.
	Pack string `json:"pack,omitempty"`
	// Reason says why a variant was rejected beyond its duplication
	// ("slot not replaced: …").
	Reason string `json:"reason,omitempty"`
}

// Warning kinds.
const (
	// WarnFatigued: an element reuses a library element that many assets
	// reused within the last days (see package insight).
	WarnFatigued = "fatigued_element"
)

// Warning is something a writer should know about a checked asset that is
// no reason to reject it.
type Warning struct {
	// Kind is the warning's kind (WarnFatigued).
	Kind string `json:"kind"`
	// Element is the index of the checked element it concerns (0-based;
	// -1 for the whole asset).
	Element int `json:"element"`
	// ElementID is the library element it concerns.
	ElementID string `json:"element_id,omitempty"`
	// Message says it in a sentence.
	Message string `json:"message"`
	// Uses are the library assets that reused the element recently.
	Uses []Use `json:"uses,omitempty"`
	// Days is the fatigue window of a WarnFatigued warning (renderers say
	// the message in their language from it).
	Days int `json:"-"`
}

// Use is one asset's reuse of a library element, when it was published.
type Use struct {
	AssetID   string `json:"asset_id"`
	Published string `json:"published"`
}
