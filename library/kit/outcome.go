package kit

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"elib/element"
)

// OutcomeVersion is the version of the Outcome record. An outcome stored
// under another version (or none: a library written before outcomes) is
// stale: insight computes it again on demand.
const OutcomeVersion = 1

// Outcome is one asset's check against the library as of its publication
// (itself and later assets hidden), reduced to what insight's stats,
// dashboard, --by, most-reused and fatigue read. insight computes it once
// (at import, in the import's pipeline) and a backend keeps it with the
// asset (OutcomeStore); the stats read it back instead of checking again.
type Outcome struct {
	// Version is OutcomeVersion when the outcome was computed.
	Version int `json:"v"`
	// Basis names the library-wide inputs the check read besides the
	// candidates (the allowlist, the tuning): an outcome with another
	// basis than the library's current one is stale.
	Basis string `json:"basis"`
	// Published is the asset's published time (element.Asset.Published).
	Published time.Time `json:"published"`
	// Groups are the asset's platform, campaign and account (insight.By).
	Groups map[string]string `json:"groups,omitempty"`
	// Elements counts the asset's elements; Reused those whose earliest
	// reuse match has containment >= the reuse containment.
	Elements int `json:"elements"`
	Reused   int `json:"reused"`
	// Level is the asset's platform level (check.Level: "L1"…"L5").
	Level string `json:"level"`
	// Uses are the asset's reused elements with their earliest holders.
	Uses []OutcomeUse `json:"uses,omitempty"`
	// Sources are the ids of every library asset a match named, sorted:
	// changing or removing one of them makes the outcome stale.
	Sources []string `json:"sources,omitempty"`
	// Assets is the number of assets the check saw (those published by
	// the asset's time); Common and Plain are the hashes of its sentences
	// the boilerplate rule found common in, or absent from, the library
	// at that count. The sentence frequencies are library-wide: an outcome
	// whose decisions the library no longer gives is stale.
	Assets int    `json:"assets"`
	Common Hashes `json:"common,omitempty"`
	Plain  Hashes `json:"plain,omitempty"`
}

// Hashes are 64-bit hashes, in JSON one base64 string of their
// little-endian bytes (a third of the size of numbers, and far quicker to
// read back); an array of numbers is read too.
type Hashes []uint64

// MarshalJSON writes the hashes as one base64 string.
func (h Hashes) MarshalJSON() ([]byte, error) {
	b := make([]byte, 8*len(h))
	for i, x := range h {
		binary.LittleEndian.PutUint64(b[8*i:], x)
	}
	return json.Marshal(b)
}

// UnmarshalJSON reads a base64 string or an array of numbers.
func (h *Hashes) UnmarshalJSON(data []byte) error {
	if len(data) > 0 && data[0] == '[' {
		var xs []uint64
		err := json.Unmarshal(data, &xs)
		*h = xs
		return err
	}
	var b []byte
	if err := json.Unmarshal(data, &b); err != nil {
		return err
	}
	if len(b)%8 != 0 {
		return fmt.Errorf("hashes: %d bytes", len(b))
	}
	xs := make([]uint64, len(b)/8)
	for i := range xs {
		xs[i] = binary.LittleEndian.Uint64(b[8*i:])
	}
	*h = xs
	return nil
}

// OutcomeUse is one element of the asset reusing a library element: its
// earliest holder (the origin of the material).
type OutcomeUse struct {
	// Element is the reusing element's id.
	Element string `json:"element"`
	// OriginElement, OriginAsset, OriginType and OriginText are the
	// earliest holder's.
	OriginElement string       `json:"origin_element"`
	OriginAsset   string       `json:"origin_asset"`
	OriginType    element.Type `json:"origin_type"`
	OriginText    string       `json:"origin_text"`
}

// OutcomeStore is a library that keeps outcomes with its assets (the file
// library and PostgreSQL do). Stored outcomes go stale (MarkStale) when
// material published before them changes; a stale or missing outcome is
// computed again by whoever reads it.
type OutcomeStore interface {
	// Outcomes returns the stored, fresh outcome of each asset id (nil
	// where there is none or it is stale).
	Outcomes(ids []string) ([]*Outcome, error)
	// OutcomeSeq returns the store's sequence: a computation that starts
	// reading the library after OutcomeSeq returned s passes s to
	// PutOutcomes, which drops the outcomes of assets marked stale since.
	OutcomeSeq() (uint64, error)
	// PutOutcomes stores outcomes by asset id (ErrReadOnly on a read-only
	// library); an asset marked stale after seq keeps its stale mark.
	PutOutcomes(seq uint64, outs map[string]*Outcome) error
	// MarkStale marks the assets' outcomes stale.
	MarkStale(ids []string) error
	// StoredOutcomes returns every stored outcome, fresh or stale, by
	// asset id (Migrate copies them; invalidation reads their Sources).
	StoredOutcomes() (map[string]StoredOutcome, error)
}

// OutcomeScanner is an OutcomeStore that lists its stored outcomes'
// published times and sources without decoding them whole (the file
// library keeps them encoded): invalidation before an import reads only
// those.
type OutcomeScanner interface {
	// ScanOutcomes calls fn for every stored outcome, fresh or stale, with
	// its published time and sources (the slice is fn's only during the
	// call). fn must not call the store.
	ScanOutcomes(fn func(id string, published time.Time, sources []string, stale bool)) error
}

// OutcomeIndex is an OutcomeStore that finds the fresh outcomes an import
// may change without reading every stored one (the file library keeps an
// index of them in memory, kept by its writes): invalidation before each
// batch of an import then costs what the batch touches.
type OutcomeIndex interface {
	// FreshOutcomesNaming returns, sorted, those of ids that have a fresh
	// outcome and the ids of the fresh outcomes naming one of ids among
	// their sources.
	FreshOutcomesNaming(ids []string) ([]string, error)
	// FreshOutcomesFrom calls fn with the id and published time of every
	// fresh outcome published at or after t, once each. fn must not call
	// the store.
	FreshOutcomesFrom(t time.Time, fn func(id string, published time.Time)) error
}

// OutcomeJudgements is an OutcomeStore that remembers which of its fresh
// outcomes the library's sentence frequencies no longer give (the
// boilerplate check of stored outcomes, insight's): the judgement is a
// function of the stored outcomes and the library's content, which
// OutcomesKey names, so a reader of an unchanged library does not judge
// again.
type OutcomeJudgements interface {
	// OutcomesKey names the stored outcomes and the library's content as
	// they are now: equal keys, equal outcomes and sentence frequencies.
	OutcomesKey() (string, error)
	// RecallJudgement returns the ids remembered under key (ok false:
	// nothing is remembered under it).
	RecallJudgement(key string) (ids []string, ok bool)
	// RememberJudgement remembers ids under key in place of what was
	// remembered (failures are only logged: the next reader judges again).
	RememberJudgement(key string, ids []string)
	// OutcomeFigures is Outcomes without the outcomes' Sources, Common
	// and Plain (the judgement's inputs), which a reader that recalled
	// the judgement does not need.
	OutcomeFigures(ids []string) ([]*Outcome, error)
}

// StoredOutcome is an outcome as a store holds it.
type StoredOutcome struct {
	Outcome *Outcome `json:"outcome,omitempty"`
	Stale   bool     `json:"stale,omitempty"`
}
