// Package decode turns the raw bytes of an input file into clean UTF-8 text
// with "\n" line endings.
//
// Data enters as a byte slice (whatever a user saved: UTF-8 with or without
// BOM, UTF-16 with BOM, GB18030/GBK) and leaves as a string plus the name of
// the detected encoding. Input that is binary or in no encoding elib can
// recognise is an error carrying the 1-based line where the problem starts;
// text is never silently mangled.
package decode

import (
	"bytes"
	"elib/internal/i18n/msg"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Encoding names reported by Text.
const (
	UTF8     = "utf-8"
	UTF8BOM  = "utf-8-sig"
	UTF16LE  = "utf-16le"
	UTF16BE  = "utf-16be"
	GB18030  = "gb18030"
	encEmpty = ""
)

// Sentinel errors; a *Error wraps one of them.
var (
	// ErrBinary reports NUL bytes or control characters outside text.
	ErrBinary = msg.New("binary data, not text")
	// ErrEncoding reports bytes that are neither UTF-8, UTF-16 with BOM nor
	// plausible GB18030.
	ErrEncoding = msg.New("invalid text encoding (expected UTF-8, UTF-16 with BOM or GB18030)")
)

// Error is a decoding failure at a 1-based line of the input.
type Error struct {
	Line int
	Err  error
}

func (e *Error) Error() string { return fmt.Sprintf("line %d: %v", e.Line, e.Err) }

// Unwrap returns the sentinel error.
func (e *Error) Unwrap() error { return e.Err }

// Text decodes data and normalises CRLF and CR line endings to LF. It returns
// the text and the detected encoding.
func Text(data []byte) (string, string, error) {
	var (
		s   string
		enc string
	)
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		body := data[3:]
		if !utf8.Valid(body) {
			return "", UTF8BOM, &Error{Line: lineOfByte(body, invalidUTF8At(body)), Err: ErrEncoding}
		}
		s, enc = string(body), UTF8BOM
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		t, err := utf16Text(data[2:], false)
		if err != nil {
			return "", UTF16LE, err
		}
		s, enc = t, UTF16LE
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		t, err := utf16Text(data[2:], true)
		if err != nil {
			return "", UTF16BE, err
		}
		s, enc = t, UTF16BE
	case utf8.Valid(data):
		s, enc = string(data), UTF8
	default:
		if i := bytes.IndexByte(data, 0); i >= 0 {
			return "", encEmpty, &Error{Line: lineOfByte(data, i), Err: ErrBinary}
		}
		t, ok := gb18030Text(data)
		if !ok {
			return "", encEmpty, &Error{Line: lineOfByte(data, invalidUTF8At(data)), Err: ErrEncoding}
		}
		s, enc = t, GB18030
	}
	if line, bad := binaryLine(s); bad {
		return "", enc, &Error{Line: line, Err: ErrBinary}
	}
	return normaliseNewlines(s), enc, nil
}

func utf16Text(b []byte, bigEndian bool) (string, error) {
	if len(b)%2 != 0 {
		return "", &Error{Line: 1 + bytes.Count(b, []byte{'\n'}), Err: msg.Errorf("truncated UTF-16 (odd number of bytes): %w", ErrEncoding)}
	}
	u := make([]uint16, len(b)/2)
	for i := range u {
		if bigEndian {
			u[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
		} else {
			u[i] = uint16(b[2*i+1])<<8 | uint16(b[2*i])
		}
	}
	// Unpaired surrogates decode to U+FFFD; report them instead.
	line := 1
	for i := 0; i < len(u); i++ {
		c := u[i]
		switch {
		case c == '\n':
			line++
		case c >= 0xD800 && c < 0xDC00:
			if i+1 >= len(u) || u[i+1] < 0xDC00 || u[i+1] >= 0xE000 {
				return "", &Error{Line: line, Err: msg.Errorf("unpaired UTF-16 surrogate: %w", ErrEncoding)}
			}
			i++
		case c >= 0xDC00 && c < 0xE000:
			return "", &Error{Line: line, Err: msg.Errorf("unpaired UTF-16 surrogate: %w", ErrEncoding)}
		}
	}
	return string(utf16.Decode(u)), nil
}

// gb18030Text decodes data as GB18030 and accepts the result only when it is
// plausible Chinese text: no replacement characters and at least 90 % of the
// letters are CJK, ASCII or common CJK punctuation.
func gb18030Text(data []byte) (string, bool) {
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(data)
	if err != nil || !utf8.Valid(out) {
		return "", false
	}
	s := string(out)
	if strings.ContainsRune(s, utf8.RuneError) {
		return "", false
	}
	var good, total int
	for _, r := range s {
		if unicode.IsSpace(r) {
			continue
		}
		total++
		switch {
		case r < 0x80,
			unicode.Is(unicode.Han, r),
			r >= 0x3000 && r <= 0x303F, // CJK punctuation
			r >= 0xFF00 && r <= 0xFFEF, // full-width forms
			r >= 0x2000 && r <= 0x206F, // general punctuation
			unicode.Is(unicode.So, r):  // symbols, emoji
			good++
		}
	}
	return s, total == 0 || good*10 >= total*9
}

// binaryLine finds control characters that never occur in text files.
func binaryLine(s string) (int, bool) {
	line := 1
	for _, r := range s {
		switch {
		case r == '\n':
			line++
		case r == '\t' || r == '\r' || r == '\f' || r == '\v':
		case r < 0x20 || r == 0x7F:
			return line, true
		}
	}
	return 0, false
}

func normaliseNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}

func lineOfByte(b []byte, i int) int {
	if i > len(b) {
		i = len(b)
	}
	return 1 + bytes.Count(b[:i], []byte{'\n'})
}
