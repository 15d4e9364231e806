package classify

import "strings"

// Sentences splits text into sentences after 。！？!?；; and … (keeping the
// punctuation and any closing quotes with the sentence) and at line breaks.
// The concatenation of the returned pieces, with the dropped "\n" put back
// where NewLine is set, is the input text with leading/trailing line
// whitespace trimmed.
func Sentences(text string) []Sentence {
	var out []Sentence
	for li, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		first := true
		rs := []rune(line)
		start := 0
		for i := 0; i < len(rs); i++ {
			if !isStop(rs[i]) {
				continue
			}
			j := i + 1
			for j < len(rs) && (isStop(rs[j]) || isCloser(rs[j])) {
				j++
			}
			if seg := strings.TrimSpace(string(rs[start:j])); seg != "" {
				out = append(out, Sentence{Text: seg, Line: li, NewLine: first})
				first = false
			}
			start, i = j, j-1
		}
		if seg := strings.TrimSpace(string(rs[start:])); seg != "" {
			out = append(out, Sentence{Text: seg, Line: li, NewLine: first})
		}
	}
	return out
}

// Sentence is one sentence of a text.
type Sentence struct {
	// Text is the sentence, trimmed.
	Text string
	// Line is the 0-based line of the input the sentence is on.
	Line int
	// NewLine is set when the sentence starts a line.
	NewLine bool
}

func isStop(r rune) bool {
	switch r {
	case '。', '！', '？', '!', '?', '；', ';', '…':
		return true
	}
	return false
}

func isCloser(r rune) bool {
	switch r {
	case '”', '’', '」', '』', '"', '\'', '）', ')':
		return true
	}
	return false
}
