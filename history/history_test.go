package history

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestApply(t *testing.T) {
	base := time.Date(2026, 11, 3, 3, 30, 0, 0, time.UTC)
	entries := []Entry{
		{Time: base, Who: "a", Verdict: "reject"},
		{Time: base.Add(time.Hour), Who: "b", Verdict: "pass"},
		{Time: base.Add(2 * time.Hour), Who: "c", Verdict: "reject"},
	}
	who := func(es []Entry) (out []string) {
		for _, e := range es {
			out = append(out, e.Who)
		}
		return out
	}
	tests := []struct {
		name string
		f    Filter
		want []string
	}{
		{"all", Filter{}, []string{"a", "b", "c"}},
		{"verdict", Filter{Verdict: "reject"}, []string{"a", "c"}},
		{"since inclusive", Filter{Since: base.Add(time.Hour)}, []string{"b", "c"}},
		{"until inclusive", Filter{Until: base.Add(time.Hour)}, []string{"a", "b"}},
		{"newest two", Filter{Limit: 2}, []string{"b", "c"}},
		{"newest reject", Filter{Verdict: "reject", Limit: 1}, []string{"c"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, who(Apply(entries, tc.f)))
		})
	}
	assert.Error(t, Filter{Verdict: "maybe"}.Validate())
	assert.NoError(t, Filter{Verdict: "pass"}.Validate())
}
