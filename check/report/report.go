package report

import (
	"elib/internal/i18n/msg"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"elib/check"
	"elib/element"
	"elib/internal/i18n"
)

// Format is one output format of a check report: the one table (Formats)
// that Write, `elib check --format` (its check, help and completions) and
// the server's replies read, so a new renderer is one entry here and one
// file.
type Format struct {
	// Name is what --format takes.
	Name string
	// Describe says what the format is for (--help, README).
	Describe string
	// ContentType is the media type of a reply in this format.
	ContentType string
	// Binary marks a format not to print to a terminal (a workbook).
	Binary bool
	write  func(w io.Writer, r *Report) error
}

// formats is the table of output formats; text is the default.
var formats = []Format{
	{Name: "text", Describe: "a readable report (colours on a terminal)", ContentType: "text/plain; charset=utf-8", write: writeText},
	{Name: "json", Describe: "SPEC §3's check JSON", ContentType: "application/json; charset=utf-8", write: writeJSON},
	{Name: "junit", Describe: "JUnit XML for CI test reports", ContentType: "application/xml; charset=utf-8", write: writeJUnit},
	{Name: "sarif", Describe: "SARIF 2.1.0 for code scanning", ContentType: "application/sarif+json; charset=utf-8", write: writeSARIF},
	{Name: "github", Describe: "GitHub Actions annotations", ContentType: "text/plain; charset=utf-8", write: writeGitHub},
	{Name: "html", Describe: "a printable self-contained page", ContentType: "text/html; charset=utf-8", write: writeHTML},
	{Name: "xlsx", Describe: "an Excel workbook", ContentType: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", Binary: true, write: writeXLSX},
}

// Formats returns the output formats, in the table's order.
func Formats() []Format { return append([]Format(nil), formats...) }

// FormatNames returns the names of the output formats.
func FormatNames() []string {
	var out []string
	for _, f := range Formats() {
		out = append(out, f.Name)
	}
	return out
}

// LookupFormat returns the output format named name ("" is text).
func LookupFormat(name string) (Format, bool) {
	if name == "" {
		name = "text"
	}
	for _, f := range formats {
		if f.Name == name {
			return f, true
		}
	}
	return Format{}, false
}

// FileError is an input that could not be checked.
type FileError struct {
	File  string `json:"file"`
	Line  int    `json:"line,omitempty"`
	Error string `json:"error"`
	// Err is the cause Error was made from (nil when decoded from
	// JSON): a printer says it in the user's language (i18n
	// Printer.Message), Error stays English.
	Err error `json:"-"`
}

// NewFileError describes an input that failed, with the file and line of
// an element.ParseError when err carries one.
func NewFileError(file string, err error) FileError {
	fe := FileError{File: file, Error: err.Error(), Err: err}
	var pe *element.ParseError
	if errors.As(err, &pe) {
		fe.Line = pe.Line
		if pe.File != "" {
			fe.File = pe.File
		}
		fe.Error, fe.Err = pe.Err.Error(), pe.Err
	}
	return fe
}

// In is e with its message in p's language.
func (e FileError) In(p *i18n.Printer) FileError {
	if e.Err != nil {
		e.Error = p.Message(e.Err)
	} else {
		e.Error = p.Phrases(e.Error)
	}
	return e
}

// String is "file:line: message" (or "file: message" without a line).
func (e FileError) String() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Error)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Error)
}

// Report is one check run.
type Report struct {
	Threshold float64
	Results   []*check.Result
	Errors    []FileError
	// Library describes what was checked against (for text output).
	Library string
	// Color enables ANSI colours in text output.
	Color bool
	// Version is the elib version for SARIF tool metadata.
	Version string
	// Checked is when the check ran and Checker who ran it (a token's
	// name, a user); the HTML report, the workbook and the history show
	// them. Zero values are left out.
	Checked time.Time
	Checker string
	// Printer says the text report in its language (nil: English); Zone
	// is the time zone its times are shown in (nil: as stored, UTC).
	Printer *i18n.Printer
	Zone    *time.Location
	// Sources describes the library assets results matched, by asset id
	// (Describe fills it); renderers name a source by its title, account,
	// platform and published date, the id being the fallback.
	Sources map[string]SourceInfo
}

// Write renders r in format to w.
func Write(w io.Writer, format string, r *Report) error {
	f, ok := LookupFormat(format)
	if !ok {
		return msg.Errorf("unknown format %q (want one of %s)", format, strings.Join(FormatNames(), ", "))
	}
	return f.write(w, r)
}

// jsonReport is SPEC §3's check JSON, plus the errors of inputs that failed.
type jsonReport struct {
	Threshold float64         `json:"threshold"`
	Results   []*check.Result `json:"results"`
	Errors    []FileError     `json:"errors,omitempty"`
}

func writeJSON(w io.Writer, r *Report) error {
	out := jsonReport{Threshold: r.Threshold, Results: r.Results, Errors: r.Errors}
	if out.Results == nil {
		out.Results = []*check.Result{}
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// Rejected counts rejected results.
func (r *Report) Rejected() int {
	n := 0
	for _, res := range r.Results {
		if res.Verdict == check.Reject {
			n++
		}
	}
	return n
}

// lineSpan returns the first and last source lines an element-text range
// covers, from the element's first line and the newlines before the range.
func lineSpan(e *check.ElementResult, start, end int) (int, int) {
	if e.Line <= 0 {
		return 1, 1
	}
	first, last := e.Line, e.Line
	i := 0
	for _, r := range e.Text {
		if i >= end {
			break
		}
		if r == '\n' {
			if i < start {
				first++
			}
			last++
		}
		i++
	}
	return first, last
}

// topSources returns up to n source asset ids with their copied characters.
func topSources(res *check.Result, n int) []check.SourceShare {
	s := res.Sources()
	if len(s) > n {
		s = s[:n]
	}
	return s
}

// sortedErrors returns errors ordered by file.
func sortedErrors(errs []FileError) []FileError {
	out := append([]FileError(nil), errs...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].File < out[j].File })
	return out
}

// localTime is an RFC 3339 time in the report's zone (2026-11-03T11:30:00+08:00);
// other text is returned as it is.
func (r *Report) localTime(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil || r.Zone == nil {
		return s
	}
	return t.In(r.Zone).Format(time.RFC3339)
}
