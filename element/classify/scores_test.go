package classify

import "strings"

// Scores returns the per-type evidence of text from the cue lexicon alone,
// keyed by type name. Useful for explaining a decision.
func (m *Model) Scores(text string) map[string]float64 {
	var sc [nStates]float64
	m.cueScores(strings.ToLower(text), &sc)
	out := make(map[string]float64, nStates)
	for i, s := range states {
		out[s] = sc[i]
	}
	return out
}
