// Package pack makes creator packs (乐高说明书): a hit script's elements
// split into fixed ones creators keep and slots they must replace (by
// default the hook, the first three seconds a mid-tier creator shoots as
// their own persona scene).
//
// A pack enters as a library asset (New), is stored in the library
// (kit.PackStore.PackAdd, beside the allowlist), licenses its fixed
// elements in the check and judges a variant's slots (Variant, for a
// check.Session: License and Judge, "slot not replaced") and leaves as a
// creator brief (NewBrief, then Markdown, HTML or JSON).
package pack

import (
	"elib/internal/i18n/msg"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"elib/check"
	"elib/element"
	"elib/library/kit"
)

// Options tune New.
type Options struct {
	// Slots are the element types (hook, 钩子, …) or 1-based element
	// positions creators replace. The default value is ["hook"].
	Slots []string
	// Title defaults to the asset's title; Note is free instructions.
	Title, Note string
	// Now stamps Created (default time.Now).
	Now time.Time
}

// Limits of what a pack stores: the manifest holding every pack is
// rewritten on each pack write, so a title is a line and a note a
// paragraph, not megabytes.
const (
	MaxTitleChars = 200
	MaxNoteChars  = 4000
)

// ReasonSlotNotReplaced starts the reason of a variant rejected by Judge.
const ReasonSlotNotReplaced = "slot not replaced"

// WarnNotVariant is the kind of Judge's warning on a script that holds
// none of the pack's fixed elements: checked with --pack, it is no
// variant of that pack (a wrong pack, or a script that is not a variant).
const WarnNotVariant = "not_a_pack_variant"

// New makes a pack of asset a. Every slot must name at least one element,
// and at least one element must stay fixed.
func New(a *element.Asset, opts Options) (kit.Pack, error) {
	if len(opts.Slots) == 0 {
		opts.Slots = []string{string(element.Hook)}
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if n := utf8.RuneCountInString(opts.Title); n > MaxTitleChars {
		return kit.Pack{}, msg.Errorf("pack: title of %d characters: at most %d", n, MaxTitleChars)
	}
	if n := utf8.RuneCountInString(opts.Note); n > MaxNoteChars {
		return kit.Pack{}, msg.Errorf("pack: note of %d characters: at most %d", n, MaxNoteChars)
	}
	p := kit.Pack{Title: opts.Title, Note: opts.Note, From: a.ID, Created: opts.Now.UTC().Format(time.RFC3339)}
	if p.Title == "" {
		p.Title = truncateRunes(a.Title, MaxTitleChars)
	}
	if p.Title == "" {
		p.Title = a.ID
	}
	for i, e := range a.Elements {
		p.Elements = append(p.Elements, kit.PackElement{ElementID: element.ElementID(a.ID, i+1), Type: string(e.Type), Text: e.Text,
			StartMs: e.StartMs, EndMs: e.EndMs, Attributes: e.Attributes})
	}
	for _, s := range opts.Slots {
		hit := false
		if n, err := strconv.Atoi(strings.TrimSpace(s)); err == nil {
			if n < 1 || n > len(p.Elements) {
				return kit.Pack{}, msg.Errorf("pack: slot %d: %s has elements 1–%d", n, a.ID, len(p.Elements))
			}
			p.Elements[n-1].Slot, hit = true, true
		} else {
			t, ok := element.ParseType(s)
			if !ok {
				return kit.Pack{}, msg.Errorf("pack: slot %q is neither an element type (hook, conflict, testimonial, conversion, story, other) nor a position", s)
			}
			for i := range p.Elements {
				if p.Elements[i].Type == string(t) {
					p.Elements[i].Slot, hit = true, true
				}
			}
		}
		if !hit {
			return kit.Pack{}, msg.Errorf("pack: slot %q: %s has no such element", s, a.ID)
		}
	}
	fixed := 0
	for _, e := range p.Elements {
		if !e.Slot {
			fixed++
		}
	}
	if fixed == 0 {
		return kit.Pack{}, msg.Errorf("pack: every element of %s is a slot; keep at least one fixed", a.ID)
	}
	return p, nil
}

// License is the check licence of a pack: its fixed elements.
func License(p kit.Pack) check.License {
	l := check.License{}
	for _, e := range p.Elements {
		if !e.Slot {
			l[e.ElementID] = true
		}
	}
	return l
}

// SlotTypes returns the types of the pack's slots, in order, once each.
func SlotTypes(p kit.Pack) []element.Type {
	var out []element.Type
	seen := map[string]bool{}
	for _, e := range p.Elements {
		if e.Slot && !seen[e.Type] {
			seen[e.Type] = true
			out = append(out, element.Type(e.Type))
		}
	}
	return out
}

// Judge applies the slot rule to the check of a variant of p: a slot the
// creator must replace — the variant's elements of a slot's type (its
// first element for a hook slot when none is typed hook) — may not copy
// the pack's own slot or other library material beyond threshold. A slot
// that does rejects the variant with a reason starting "slot not
// replaced". It also records the pack on the result, and warns
// (WarnNotVariant) when the script holds none of the pack's fixed
// elements.
func Judge(res *check.Result, p kit.Pack, threshold float64) {
	res.Pack = p.ID
	var problems []string
	for _, t := range SlotTypes(p) {
		idx := []int{}
		for i, er := range res.Elements {
			if er.Type == t {
				idx = append(idx, i)
			}
		}
		if len(idx) == 0 && t == element.Hook && len(res.Elements) > 0 {
			idx = []int{0}
		}
		for _, i := range idx {
			er := res.Elements[i]
			if er.Countable > 0 && float64(er.Copied-er.Licensed)/float64(er.Countable) > threshold {
				problems = append(problems, fmt.Sprintf("%s (element %d) is %.1f %% library material (threshold %.1f %%)",
					t, i+1, 100*er.Duplication, 100*threshold))
			}
		}
	}
	if len(problems) > 0 {
		res.Verdict = check.Reject
		res.Reason = ReasonSlotNotReplaced + ": " + strings.Join(problems, "; ")
	}
	if res.Licensed == 0 && res.LicensedDuplication == 0 {
		res.Warnings = append(res.Warnings, check.Warning{Kind: WarnNotVariant, Element: -1,
			Message: fmt.Sprintf("none of pack %s's fixed elements is in this script: it is not a variant of the pack (check it without --pack, or with its own pack)", p.ID)})
	}
}

// Variant returns p as what checked texts are variants of, for a
// check.Session: its fixed elements are licensed and Judge's slot rule
// applies.
func Variant(p kit.Pack) check.Variant { return variant{p} }

type variant struct{ p kit.Pack }

func (v variant) License() check.License { return License(v.p) }

func (v variant) Judge(res *check.Result, threshold float64) { Judge(res, v.p, threshold) }

// truncateRunes keeps the first n code points of s.
func truncateRunes(s string, n int) string {
	for i := range s {
		if n == 0 {
			return s[:i]
		}
		n--
	}
	return s
}
