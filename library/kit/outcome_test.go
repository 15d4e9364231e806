package kit

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestHashesJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		want Hashes
	}{
		{"base64", `"AQAAAAAAAAD//////////w=="`, Hashes{1, 1<<64 - 1}},
		{"numbers (read only)", `[1,18446744073709551615]`, Hashes{1, 1<<64 - 1}},
		{"empty", `""`, Hashes{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var h Hashes
			require.NoError(t, json.Unmarshal([]byte(tc.in), &h))
			assert.Equal(t, tc.want, h)
			b, err := json.Marshal(h)
			require.NoError(t, err)
			var back Hashes
			require.NoError(t, json.Unmarshal(b, &back))
			assert.Equal(t, tc.want, back)
		})
	}
	var h Hashes
	assert.Error(t, json.Unmarshal([]byte(`"AQID"`), &h), "not a multiple of 8 bytes")
}
