package normalize

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"elib/element/annotation"
)

// Text is normalised text: only countable runes (SPEC §3: CJK ideographs,
// letters, digits after NFKC + case folding), with the code-point offset in
// the ORIGINAL string of every kept rune.
type Text struct {
	Runes []rune
	// Offsets has len(Runes) entries; Offsets[i] is the code-point index in
	// the original of the rune that produced Runes[i]. Offsets are
	// non-decreasing (see the package comment).
	Offsets []int
	// OrigLen is the original's length in code points.
	OrigLen int
}

// String returns the normalised runes as a string.
func (t Text) String() string { return string(t.Runes) }

// Len returns the number of countable runes.
func (t Text) Len() int { return len(t.Runes) }

// IsCountable reports whether r counts towards duplication after
// normalisation: CJK ideographs (all extensions and compatibility
// ideographs), letters and decimal digits.
func IsCountable(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	if cjkUnified(r) {
		return true // the common case, without the Unicode table walks
	}
	if r == utf8.RuneError {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Ideographic, r)
}

// fold applies simple case folding.
func fold(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	if cjkUnified(r) {
		return r // ideographs have no case
	}
	return unicode.ToLower(r)
}

// cjkUnified reports whether r is in the CJK Unified Ideographs block
// (U+4E00–U+9FFF): nearly every rune of Chinese copy.
func cjkUnified(r rune) bool { return r >= 0x4E00 && r <= 0x9FFF }

// Normalize returns the normalised form of s with its offset map. It never
// fails: invalid UTF-8 bytes are dropped like punctuation. If the OpenCC
// dictionaries could not be loaded (see Warm), Traditional characters are
// kept as written.
func (n *Normalizer) Normalize(s string) Text {
	t := Text{OrigLen: utf8.RuneCountInString(s)}
	if t.OrigLen == 0 {
		return t
	}
	if isASCII(s) {
		return normalizeASCII(s, t)
	}
	if rs, offs, ok := n.normalizeSimple(s, t.OrigLen); ok {
		t.Runes, t.Offsets = rs, offs
		return t
	}
	return n.normalizeGeneral(s, t)
}

// normalizeGeneral is Normalize for any text: annotations, every NFKC
// form, Traditional characters.
func (n *Normalizer) normalizeGeneral(s string, t Text) Text {
	anns := annotation.Find(s)

	// Stage 1: NFKC with annotations dropped; runes keep source offsets.
	rs, offs := nfkc(s, anns)

	// Stage 2: Traditional → Simplified on runs that need it.
	rs, offs = n.toSimplified(rs, offs)

	// Stage 3: case folding and the countable filter.
	t.Runes = make([]rune, 0, len(rs))
	t.Offsets = make([]int, 0, len(rs))
	for i, r := range rs {
		r = fold(r)
		if IsCountable(r) {
			t.Runes = append(t.Runes, r)
			t.Offsets = append(t.Offsets, offs[i])
		}
	}
	return t
}

// normalizeSimple is Normalize in one pass for the text nearly all copy
// is: no annotation, only simpleNFKC runes, no Traditional character. ok
// is false for any other text (nothing is returned then).
func (n *Normalizer) normalizeSimple(s string, runes int) ([]rune, []int, bool) {
	if annotation.Find(s) != nil {
		return nil, nil, false
	}
	n.once.Do(n.build)
	c := n.conv
	rs := make([]rune, 0, runes)
	offs := make([]int, 0, runes)
	cp := 0
	for _, r := range s {
		m, ok := simpleNFKC(r)
		if !ok || (c != nil && m >= 0x3400 && c.trad.has(m)) {
			return nil, nil, false
		}
		if m = fold(m); IsCountable(m) {
			rs = append(rs, m)
			offs = append(offs, cp)
		}
		cp++
	}
	return rs, offs, true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// normalizeASCII is the fast path: no NFKC change, no OpenCC; only ASCII
// annotations ( (…) […] {…} ) can occur.
func normalizeASCII(s string, t Text) Text {
	anns := annotation.Find(s)
	t.Runes = make([]rune, 0, len(s))
	t.Offsets = make([]int, 0, len(s))
	a := 0
	for i := 0; i < len(s); i++ {
		for a < len(anns) && anns[a].End <= i {
			a++
		}
		if a < len(anns) && anns[a].Start <= i {
			continue
		}
		r := fold(rune(s[i]))
		if IsCountable(r) {
			t.Runes = append(t.Runes, r)
			t.Offsets = append(t.Offsets, i)
		}
	}
	return t
}

// simpleNFKC maps the runes that make up nearly all Chinese marketing copy
// — ASCII, CJK unified ideographs, full-width ASCII forms and common CJK
// punctuation — to their NFKC form one rune at a time. ok is false for any
// other rune: such text takes the general path. Full-width ASCII forms
// U+FF01–U+FF5E decompose to U+0021–U+007E; the rest here are NFKC-stable
// and start no composition.
func simpleNFKC(r rune) (rune, bool) {
	switch {
	case r < 0x80 && r != 0:
		return r, true
	case r >= 0x4E00 && r <= 0x9FFF:
		return r, true
	case r >= 0xFF01 && r <= 0xFF5E:
		return r - 0xFEE0, true
	case r == 0x3001 || r == 0x3002 || (r >= 0x3008 && r <= 0x3011) || r == 0x3014 || r == 0x3015,
		r == 0x2018 || r == 0x2019 || r == 0x201C || r == 0x201D || r == 0x2014 || r == 0x00B7:
		return r, true
	}
	return 0, false
}

// nfkcSimple is nfkc for text made only of simpleNFKC runes; ok is false
// (and nothing is appended) otherwise.
func nfkcSimple(s string, inAnn func(int) bool, rs []rune, offs []int) ([]rune, []int, bool) {
	for _, r := range s {
		if _, ok := simpleNFKC(r); !ok {
			return rs, offs, false
		}
	}
	cp := 0
	for _, r := range s {
		if !inAnn(cp) {
			m, _ := simpleNFKC(r)
			rs = append(rs, m)
			offs = append(offs, cp)
		}
		cp++
	}
	return rs, offs, true
}

// nfkc applies NFKC to s, dropping runes that come from annotations, and
// returns the runes with the code-point index of their source rune.
func nfkc(s string, anns []annotation.Annotation) ([]rune, []int) {
	rs := make([]rune, 0, len(s)/2)
	offs := make([]int, 0, len(s)/2)
	a := 0
	inAnn := func(cp int) bool {
		for a < len(anns) && anns[a].End <= cp {
			a++
		}
		return a < len(anns) && anns[a].Start <= cp
	}
	if rs, offs, ok := nfkcSimple(s, inAnn, rs, offs); ok {
		return rs, offs
	}
	if norm.NFKC.IsNormalString(s) {
		cp := 0
		for _, r := range s {
			if !inAnn(cp) {
				rs = append(rs, r)
				offs = append(offs, cp)
			}
			cp++
		}
		return rs, offs
	}
	// cpAt[b] = code-point index of the rune starting at byte b (or of the
	// next one); cpAt[len(s)] = rune count.
	cpAt := make([]int, len(s)+1)
	cp := 0
	for b := 0; b < len(s); {
		_, size := utf8.DecodeRuneInString(s[b:])
		for k := 0; k < size; k++ {
			cpAt[b+k] = cp
		}
		b += size
		cp++
	}
	cpAt[len(s)] = cp

	var it norm.Iter
	it.InitString(norm.NFKC, s)
	for !it.Done() {
		b0 := it.Pos()
		seg := it.Next()
		b1 := it.Pos()
		cp0, cp1 := cpAt[b0], cpAt[b1]
		if cp1 <= cp0 {
			cp1 = cp0 + 1
		}
		j := 0
		for len(seg) > 0 {
			r, size := utf8.DecodeRune(seg)
			seg = seg[size:]
			src := cp0 + j
			if src > cp1-1 {
				src = cp1 - 1
			}
			j++
			if inAnn(src) {
				continue
			}
			// Guard against any non-monotone mapping.
			if k := len(offs); k > 0 && src < offs[k-1] {
				src = offs[k-1]
			}
			rs = append(rs, r)
			offs = append(offs, src)
		}
	}
	return rs, offs
}
