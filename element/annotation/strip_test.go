package annotation

import "strings"

// Strip returns s without its annotations (brackets included) and the
// annotations it removed.
func Strip(s string) (string, []Annotation) {
	anns := Find(s)
	if len(anns) == 0 {
		return s, nil
	}
	rs := []rune(s)
	var b strings.Builder
	b.Grow(len(s))
	prev := 0
	for _, a := range anns {
		b.WriteString(string(rs[prev:a.Start]))
		prev = a.End
	}
	b.WriteString(string(rs[prev:]))
	return b.String(), anns
}
