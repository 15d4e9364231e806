package decode

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestText(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
		enc  string
	}{
		{"utf8 crlf", []byte("a\r\nb\rc"), "a\nb\nc", UTF8},
		{"utf8 bom", []byte("\xEF\xBB\xBF你好"), "你好", UTF8BOM},
		{"utf16le", []byte{0xFF, 0xFE, 0x60, 0x4F, 0x7D, 0x59}, "你好", UTF16LE},
		{"utf16be", []byte{0xFE, 0xFF, 0x4F, 0x60, 0x59, 0x7D}, "你好", UTF16BE},
		{"gb18030", []byte{0xC4, 0xE3, 0xBA, 0xC3, 0xA3, 0xA1}, "你好！", GB18030},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, enc, err := Text(tc.in)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.enc, enc)
		})
	}
}

func TestTextErrors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		line int
		err  error
	}{
		{"nul", []byte("a\nb\x00c\xff"), 2, ErrBinary},
		{"control", []byte("a\n\n\x01"), 3, ErrBinary},
		{"latin1 mojibake", []byte("caf\xe9 \xe0 la cr\xe8me"), 1, ErrEncoding},
		{"bad utf8 after bom", []byte("\xEF\xBB\xBFok\n\xff"), 2, ErrEncoding},
		{"unpaired surrogate", []byte{0xFF, 0xFE, 0x00, 0xD8, 0x41, 0x00}, 1, ErrEncoding},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := Text(tc.in)
			var de *Error
			require.True(t, errors.As(err, &de), "%v", err)
			assert.Equal(t, tc.line, de.Line)
			assert.ErrorIs(t, err, tc.err)
		})
	}
}
