// Package history is the vocabulary of a library's check history: every
// check made through `elib serve` or with `elib check --record` appends one
// Entry per checked asset, and `elib history` and GET /v1/history list
// them. The file library (package index, history.jsonl in the library
// folder) and the PostgreSQL library (table elib_history) implement Store;
// the history survives restarts, reindex and migrate.
package history

import (
	"context"
	"elib/internal/i18n/msg"
	"strings"
	"time"
)

// Entry is one recorded check of one asset.
type Entry struct {
	// Time is when the check ran.
	Time time.Time `json:"time"`
	// Who ran it: the token's name or the user name behind the server, or
	// the OS user of `elib check --record`.
	Who string `json:"who"`
	// Via is where the check was made: "cli" or "serve".
	Via string `json:"via"`
	// File is the checked file (or upload) name; AssetID the id it was
	// checked under; Title its title.
	File    string `json:"file"`
	AssetID string `json:"asset_id,omitempty"`
	Title   string `json:"title,omitempty"`
	// Verdict is "pass" or "reject"; Duplication and Level as in the
	// check's JSON.
	Verdict     string  `json:"verdict"`
	Duplication float64 `json:"duplication"`
	Level       string  `json:"level,omitempty"`
	// TopSource is the library asset the largest share of the copying
	// came from, with its title; empty when nothing matched.
	TopSource      string  `json:"top_source,omitempty"`
	TopSourceTitle string  `json:"top_source_title,omitempty"`
	TopShare       float64 `json:"top_share,omitempty"`
	// Pack is the creator pack the check licensed, if any, and
	// LicensedDuplication the share of the text that is the pack's
	// licensed material (beside Duplication, which counts all copying).
	Pack                string  `json:"pack,omitempty"`
	LicensedDuplication float64 `json:"licensed_duplication,omitempty"`
	// SpanKind is how the text was copied: "edited" when any unlicensed
	// span is an edited copy (洗稿), "exact" when word for word, empty
	// when nothing unlicensed matched (the check's span kinds).
	SpanKind string `json:"span_kind,omitempty"`
}

// Filter selects entries. The zero Filter selects every entry.
type Filter struct {
	// Since and Until bound Time (inclusive; zero: unbounded).
	Since, Until time.Time
	// Verdict keeps only "pass" or "reject" entries; empty keeps both.
	Verdict string
	// Limit keeps the newest Limit entries (0: all).
	Limit int
}

// Validate refuses a verdict other than pass or reject.
func (f Filter) Validate() error {
	switch f.Verdict {
	case "", "pass", "reject":
		return nil
	}
	return msg.Errorf("unknown verdict %q (pass, reject)", f.Verdict)
}

// Match reports whether e passes the filter's time and verdict bounds.
func (f Filter) Match(e Entry) bool {
	if !f.Since.IsZero() && e.Time.Before(f.Since) {
		return false
	}
	if !f.Until.IsZero() && e.Time.After(f.Until) {
		return false
	}
	return f.Verdict == "" || strings.EqualFold(e.Verdict, f.Verdict)
}

// Store is a library that keeps a check history.
type Store interface {
	// AppendHistory records entries durably, in order.
	AppendHistory(ctx context.Context, entries []Entry) error
	// History returns the entries the filter selects, oldest first.
	History(ctx context.Context, f Filter) ([]Entry, error)
}

// Apply filters entries (oldest first) and keeps the newest f.Limit.
func Apply(entries []Entry, f Filter) []Entry {
	out := make([]Entry, 0, len(entries))
	for _, e := range entries {
		if f.Match(e) {
			out = append(out, e)
		}
	}
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[len(out)-f.Limit:]
	}
	return out
}
