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

// relicense recounts the unlicensed matches once every licensed match is
// known: a match's characters inside licensed material (another asset's
// copy of a pack's fixed element) are not its copying, and a match holding
// nothing else is licensed itself. pos[i] are the positions match i covers.
func relicense(ms []Match, pos [][]int, licensed []bool) {
	for i := range ms {
		if ms[i].Licensed {
			continue
		}
		n := 0
		for _, k := range pos[i] {
			if !licensed[k] {
				n++
			}
		}
		if n == 0 {
			ms[i].Licensed = true
			for j := range ms[i].Spans {
				ms[i].Spans[j].Licensed = true
			}
		}
		ms[i].covered = n
	}
}
