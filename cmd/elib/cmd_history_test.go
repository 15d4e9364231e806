package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestWriteColumnsAlignsCJK: a column after Chinese text starts at the
// same terminal column on every line.
func TestWriteColumnsAlignsCJK(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, writeColumns(&b, [][]string{{"WHO", "FILE"}, {"小王", "a.md"}, {"ci-bot", "b.md"}}))
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	require.Len(t, lines, 3)
	col := func(line, field string) int { return displayWidth(line[:strings.Index(line, field)]) }
	assert.Equal(t, col(lines[0], "FILE"), col(lines[1], "a.md"))
	assert.Equal(t, col(lines[0], "FILE"), col(lines[2], "b.md"))
}
