package fulltext

import (
	"sort"
	"strconv"
)

// Search rules as set membership, for backends that evaluate them in a
// database (library/postgres): a document is described by the terms of its
// keyword fields and facets, a KEY=VALUE filter by the terms any of which
// it must hold. The terms follow Matches and CountFacets exactly (a
// property test pins it), so a database that stores a document's terms in
// an array and asks "do these arrays overlap?" gives the same answers.

// fieldTerm is the term of value in field: the field's length first, so no
// field and value can be mistaken for another ("4:attr.bgm=x" vs a key
// holding "=").
func fieldTerm(field, value string) string {
	return strconv.Itoa(len(field)) + ":" + field + "=" + value
}

// FilterTerms returns the terms of d's filterable fields (type, campaign,
// platform, attr.<key>, meta.<key>), one per value as Matches compares it,
// sorted and distinct.
func FilterTerms(d *Doc) []string {
	fields := []string{FieldType, FieldCampaign, FieldPlatform}
	for k := range d.Attributes {
		fields = append(fields, FieldAttrPrefix+k)
	}
	for k := range d.Meta {
		fields = append(fields, FieldMetaPrefix+k)
	}
	seen := map[string]bool{}
	var out []string
	for _, field := range fields {
		for _, v := range d.values(field) {
			t := fieldTerm(field, filterValue(field, v))
			if !seen[t] {
				seen[t] = true
				out = append(out, t)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Terms returns what a document must hold to satisfy f: any one of terms
// (a term of FilterTerms), or, for a BPM key (bpm=120-130), its BPM in the
// range (a range that does not parse, which ParseFilter refuses, is the
// zero Range, as in Matches).
func (f Filter) Terms() (terms []string, bpm *Range) {
	if numericKeys[f.Key] {
		r, _ := ParseRange(f.Value)
		return nil, &r
	}
	for _, field := range filterFields(f.Key) {
		terms = append(terms, fieldTerm(field, filterValue(field, f.Value)))
	}
	return terms, nil
}

// FacetTerms returns the facet values d counts towards (the names and
// terms of CountFacets), one term per facet it has a value for.
func FacetTerms(d *Doc) []string {
	var out []string
	for name, counts := range CountFacets([]*Doc{d}) {
		for _, c := range counts {
			out = append(out, fieldTerm(name, c.Term))
		}
	}
	sort.Strings(out)
	return out
}

// ParseFacetTerm splits a term of FacetTerms into its facet name and
// value; ok is false for anything FacetTerms does not make.
func ParseFacetTerm(t string) (name, term string, ok bool) {
	for i := 0; i < len(t); i++ {
		if t[i] == ':' {
			n, err := strconv.Atoi(t[:i])
			rest := t[i+1:]
			if err != nil || n < 0 || n >= len(rest) || rest[n] != '=' {
				return "", "", false
			}
			return rest[:n], rest[n+1:], true
		}
	}
	return "", "", false
}

// SortFacets orders facet counts as Search does: most frequent first, then
// by term.
func SortFacets(list []FacetCount) { sortFacets(list) }
