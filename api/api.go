// Package api holds the JSON shapes of elib's answers that the command
// line (--format json) and the HTTP API share: split, import and stats.
// One type each, so `elib split --format json` and POST /v1/split cannot
// drift apart. (Check results are check.Result, rendered by check/report.)
package api

import (
	"elib/check/report"
	"elib/element"
	"elib/insight"
	"elib/library/kit"
)

// Split is `elib split --format json` and POST /v1/split (SPEC §3).
type Split struct {
	Files []SplitFile `json:"files"`
}

// SplitFile is one input of a split.
type SplitFile struct {
	File   string       `json:"file"`
	Assets []SplitAsset `json:"assets"`
	// Line and Error describe an input that failed: the line when the
	// parser knows it, and the message (without the file and line).
	Line  int    `json:"line,omitempty"`
	Error string `json:"error,omitempty"`
}

// SplitAsset is one asset of a split input.
type SplitAsset struct {
	ID       string            `json:"id"`
	Title    string            `json:"title"`
	Meta     map[string]any    `json:"meta,omitempty"`
	Elements []element.Element `json:"elements"`
}

// NewSplitFile describes the assets parsed from file, or the error that
// stopped it (with its line when the parser knows it).
func NewSplitFile(file string, assets []element.Asset, err error) SplitFile {
	f := SplitFile{File: file, Assets: make([]SplitAsset, 0, len(assets))}
	for _, a := range assets {
		f.Assets = append(f.Assets, SplitAsset{ID: a.ID, Title: a.Title, Meta: a.Meta, Elements: a.Elements})
	}
	if err != nil {
		fe := report.NewFileError(file, err)
		f.Line, f.Error = fe.Line, fe.Error
	}
	return f
}

// Import is `elib import --format json` and POST /v1/import.
type Import struct {
	// Imported assets, their elements, and how many replaced an asset of
	// the same id.
	Imported int `json:"imported"`
	Elements int `json:"elements"`
	Replaced int `json:"replaced"`
	// Files is the number of inputs read.
	Files int `json:"files"`
	// IDs are the imported asset ids, in order.
	IDs []string `json:"ids"`
	// Errors are the inputs that failed; the others were imported.
	Errors []report.FileError `json:"errors"`
}

// Stats is `elib stats --format json` and GET /v1/stats.
type Stats struct {
	Library   string         `json:"library"`
	Assets    int            `json:"assets"`
	Elements  int            `json:"elements"`
	ByType    map[string]int `json:"by_type"`
	DiskBytes int64          `json:"disk_bytes"`
	// ReuseRate is the share of elements that reuse library material by
	// the check's rule, on the ReuseSample elements of the newest assets
	// (insight.LibraryReuse).
	ReuseRate   float64 `json:"reuse_rate"`
	ReuseSample int     `json:"reuse_sample"`
	Segments    int     `json:"segments"`
	Generation  uint64  `json:"generation"`
	// Period holds the period figures (the command with --since, --until
	// or --by; the API always, all time unless bounded).
	Period *insight.Stats `json:"period,omitempty"`
}

// NewStats assembles the stats answer from the library's counts and the
// library-wide reuse figures (insight.LibraryReuse): the reuse rate and
// the number of elements it was measured on.
func NewStats(library string, st kit.Stats, reuse insight.Figures) Stats {
	out := Stats{Library: library, Assets: st.Assets, Elements: st.Elements, ByType: map[string]int{},
		DiskBytes: st.DiskBytes, ReuseRate: reuse.ReuseRate, ReuseSample: reuse.Elements,
		Segments: st.Segments, Generation: st.Generation}
	for _, t := range element.Types {
		out.ByType[string(t)] = st.ByType[t]
	}
	return out
}
