package wordseg

import (
	"strings"

	"github.com/yanyiwu/gojieba"
)

// DefaultCachePieces is how many pieces of text a Segmenter remembers the
// words of unless Options.CachePieces says otherwise.
const DefaultCachePieces = 1 << 14

// maxCachedPiece is the longest piece, in bytes, whose words are
// remembered: longer ones rarely come back.
const maxCachedPiece = 256

// separatorAt returns the length in bytes of the gojieba separator at
// s[i:] (' ', '\t', '\n', '，' or '。'), 0 when there is none.
func separatorAt(s string, i int) int {
	switch s[i] {
	case ' ', '\t', '\n':
		return 1
	case 0xEF:
		if strings.HasPrefix(s[i:], "，") {
			return len("，")
		}
	case 0xE3:
		if strings.HasPrefix(s[i:], "。") {
			return len("。")
		}
	}
	return 0
}

// forEachPiece calls fn for every piece of run between gojieba's
// separators (see cppjieba's SegmentBase: space, tab, newline, '，' and
// '。'), with its byte offset in run. gojieba cuts each such piece on its
// own, so the words of a text are its pieces' words; the separators
// themselves are no words and are left out.
func forEachPiece(run string, fn func(start int, piece string)) {
	start := 0
	for i := 0; i < len(run); {
		n := separatorAt(run, i)
		if n == 0 {
			i++
			continue
		}
		if i > start {
			fn(start, run[start:i])
		}
		i += n
		start = i
	}
	if start < len(run) {
		fn(start, run[start:])
	}
}

// tokenizeCached is tokenize in default mode through the piece cache: the
// words of pieces seen before come from the cache, the others from one
// gojieba call over them joined by newlines. The caller holds s.mu.
func (s *Segmenter) tokenizeCached(text string) []Token {
	type piece struct {
		start int // byte offset in text
		text  string
		words []Token
		miss  int // 1 + index into missEnds when not cached
	}
	var pieces []piece
	var joined strings.Builder
	var missEnds []int // byte end of each missed piece in joined
	forEachRun(text, func(runStart int, run string) {
		forEachPiece(run, func(start int, p string) {
			pc := piece{start: runStart + start, text: p}
			if w, ok := s.cache.Get(p); ok {
				pc.words = w
			} else {
				if joined.Len() > 0 {
					joined.WriteByte('\n')
				}
				joined.WriteString(p)
				missEnds = append(missEnds, joined.Len())
				pc.miss = len(missEnds)
			}
			pieces = append(pieces, pc)
		})
	})
	if len(missEnds) > 0 {
		words := s.j.Tokenize(joined.String(), gojieba.DefaultMode, true)
		k, from := 0, 0
		for i := range pieces {
			p := &pieces[i]
			if p.miss == 0 {
				continue
			}
			end := missEnds[p.miss-1]
			var own []Token
			for ; k < len(words) && words[k].Start < end; k++ {
				if w := words[k]; isWord(w.Str) {
					own = append(own, Token{Text: w.Str, Start: w.Start - from, End: w.End - from})
				}
			}
			p.words = own
			if len(p.text) <= maxCachedPiece {
				s.cache.Put(strings.Clone(p.text), own)
			}
			from = end + 1
		}
	}
	n := 0
	for _, p := range pieces {
		n += len(p.words)
	}
	if n == 0 {
		return nil
	}
	out := make([]Token, 0, n)
	for _, p := range pieces {
		for _, w := range p.words {
			out = append(out, Token{Text: w.Text, Start: p.start + w.Start, End: p.start + w.End})
		}
	}
	return out
}
