package element

import (
	"elib/internal/i18n/msg"
	"encoding/json"
	"fmt"
	"unicode"
	"unicode/utf8"
)

// Per-asset limits. A script is kilobytes: a 60-second story is a few
// hundred characters, a long livestream transcript a few thousand. The
// limits leave two orders of magnitude of room and keep the work and
// memory of a check linear and small (see README, "Limits").
const (
	// DefaultMaxRunes is the most copy-text code points one asset may hold
	// unless ParseOptions.MaxRunes says otherwise.
	DefaultMaxRunes = 50_000
	// DefaultMaxElements is the most elements one asset may hold unless
	// ParseOptions.MaxElements says otherwise.
	DefaultMaxElements = 2_000
	// MaxMetaDepth is how deeply an asset's meta (or an element's
	// attributes) may nest objects and arrays: {"a":{"b":1}} is depth 2.
	MaxMetaDepth = 8
	// MaxMetaBytes is the largest an asset's meta (or one element's
	// attributes) may be, as compact JSON.
	MaxMetaBytes = 64 << 10
	// MaxIDBytes is the longest asset id accepted.
	MaxIDBytes = 1024
)

// Sentinel errors wrapped in *ParseError by the limits.
var (
	// ErrLimit reports an asset over a per-asset limit (characters,
	// elements, meta depth or size).
	ErrLimit = msg.New("over the limit")
	// ErrBadID reports an asset id that is not valid UTF-8, holds a
	// control character, or is too long.
	ErrBadID = msg.New("invalid asset id")
)

// ValidateID checks an asset id: valid UTF-8, no control characters
// (U+0000–U+001F, U+007F–U+009F), at most MaxIDBytes bytes. Every entry
// that creates assets (files on disk, stdin, API uploads, every format)
// goes through it, via Asset.Validate, so an id is stored exactly as given
// and can be found, searched and carried over by a reindex.
func ValidateID(id string) error {
	if id == "" {
		return msg.Errorf("%w: empty", ErrBadID)
	}
	if len(id) > MaxIDBytes {
		return msg.Errorf("%w: %d bytes (limit %d)", ErrBadID, len(id), MaxIDBytes)
	}
	if !utf8.ValidString(id) {
		return msg.Errorf("%w %q: not valid UTF-8 (rename the file or give an explicit id)", ErrBadID, id)
	}
	for _, r := range id {
		if unicode.IsControl(r) {
			return msg.Errorf("%w %q: holds the control character %U", ErrBadID, id, r)
		}
	}
	return nil
}

// checkMetaRaw checks encoded meta (or attributes) before it is decoded:
// its size, and its nesting depth counted over the raw bytes (strings
// skipped), so neither a wide nor a deep value costs more than one pass.
func checkMetaRaw(what string, raw json.RawMessage) error {
	if len(raw) > MaxMetaBytes {
		return msg.Errorf("%w: %s is %d bytes (limit %d)", ErrLimit, what, len(raw), MaxMetaBytes)
	}
	depth, maxDepth, inStr, esc := 0, 0, false, false
	for _, c := range raw {
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{' || c == '[':
			depth++
			maxDepth = max(maxDepth, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	if maxDepth > MaxMetaDepth {
		return msg.Errorf("%w: %s nests %d levels deep (limit %d)", ErrLimit, what, maxDepth, MaxMetaDepth)
	}
	return nil
}

// checkMeta checks decoded meta (or attributes) of any format: depth and
// compact JSON size.
func checkMeta(what string, m map[string]any) error {
	if len(m) == 0 {
		return nil
	}
	if d := depthOf(m, 0); d > MaxMetaDepth {
		return msg.Errorf("%w: %s nests more than %d levels deep", ErrLimit, what, MaxMetaDepth)
	}
	b, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if len(b) > MaxMetaBytes {
		return msg.Errorf("%w: %s is %d bytes (limit %d)", ErrLimit, what, len(b), MaxMetaBytes)
	}
	return nil
}

// depthOf is v's nesting depth, stopping once it is past MaxMetaDepth.
func depthOf(v any, d int) int {
	if d > MaxMetaDepth {
		return d
	}
	best := d
	switch x := v.(type) {
	case map[string]any:
		for _, c := range x {
			best = max(best, depthOf(c, d+1))
		}
		if len(x) == 0 {
			best = d + 1
		}
	case []any:
		for _, c := range x {
			best = max(best, depthOf(c, d+1))
		}
		if len(x) == 0 {
			best = d + 1
		}
	case []string:
		best = d + 1
	}
	return best
}

// checkAssetLimits checks one parsed asset against the per-asset limits
// and the id rule; the error names the line of the first element past a
// limit when the format knows it.
func (o ParseOptions) checkAssetLimits(a *Asset) error {
	if err := ValidateID(a.ID); err != nil {
		return err
	}
	if n, lim := len(a.Elements), o.maxElements(); n > lim {
		line := a.Elements[lim].Line
		return &lineError{line: line, err: msg.Errorf("%w: asset %s has %d elements (limit %d per asset)", ErrLimit, a.ID, n, lim)}
	}
	runes, lim := 0, o.maxRunes()
	for _, e := range a.Elements {
		runes += utf8.RuneCountInString(e.Text)
		if runes > lim {
			return &lineError{line: e.Line, err: msg.Errorf("%w: asset %s has more than %d characters of copy text (a script is kilobytes; split it into several assets)", ErrLimit, a.ID, lim)}
		}
	}
	if err := checkMeta("meta", a.Meta); err != nil {
		return err
	}
	for i := range a.Elements {
		if err := checkMeta(fmt.Sprintf("element %d attributes", i+1), a.Elements[i].Attributes); err != nil {
			return &lineError{line: a.Elements[i].Line, err: err}
		}
	}
	return nil
}

func (o ParseOptions) maxRunes() int {
	if o.MaxRunes <= 0 {
		return DefaultMaxRunes
	}
	return o.MaxRunes
}

func (o ParseOptions) maxElements() int {
	if o.MaxElements <= 0 {
		return DefaultMaxElements
	}
	return o.MaxElements
}

// MaxDraftBytes is the largest 剪映/CapCut draft timeline parsed: a draft
// is one asset, and a real one (effects, keyframes and all) is kilobytes
// to a few megabytes.
const MaxDraftBytes = 16 << 20

// singleAssetOverhead is how many characters a one-asset format may hold
// per character of copy text: labels, time codes, cue numbers and
// annotations around the text (an SRT cue is ~3×).
const singleAssetOverhead = 8

// checkSingleAssetSize refuses a one-asset input (script, subtitles) that
// could only parse into an asset over the character limit, before any
// parsing work: 60 MB of one letter is refused in one pass over it.
func (o ParseOptions) checkSingleAssetSize(format, text string) error {
	switch format {
	case FormatScript, FormatMD, FormatSRT, FormatVTT, FormatASS, FormatSSA:
	default:
		return nil
	}
	lim := singleAssetOverhead*o.maxRunes() + 4096
	if len(text) <= lim { // bytes >= runes
		return nil
	}
	if n := utf8.RuneCountInString(text); n > lim {
		return msg.Errorf("%w: %d characters in one %s asset (at most %d characters of copy text per asset; a script is kilobytes)", ErrLimit, n, format, o.maxRunes())
	}
	return nil
}
