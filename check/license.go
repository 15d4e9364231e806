package check

// License is the set of library elements (by element id) whose copying is
// licensed: a creator pack's fixed elements, which every variant of the
// pack is meant to keep. A match against one is reported with Licensed set
// on it and its spans, and the characters it covers never count as copied
// — whatever else in the library also holds them — while every other
// match counts as usual. The characters stay in the denominator: a
// variant's duplication is the share of its text copied without licence.
type License map[string]bool

// license marks m licensed when l covers its library element.
func (m *Match) license(l License) {
	if !l[m.ElementID] {
		return
	}
	m.Licensed = true
	for i := range m.Spans {
		m.Spans[i].Licensed = true
	}
}
