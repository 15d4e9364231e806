package element

import (
	"context"
	"elib/internal/i18n/msg"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"

	"elib/element/decode"
)

// DefaultMaxBytes is the largest input Parse accepts unless
// ParseOptions.MaxBytes says otherwise.
const DefaultMaxBytes = 64 << 20

// FileParser parses a format that an external tool reads from a file
// (video through ffmpeg), so the element package never needs the tool.
type FileParser interface {
	// ParsePath parses the file at path. Errors should be *ParseError.
	ParsePath(path string, opts ParseOptions) ([]Asset, error)
}

// fileParsers holds the registered FileParsers by format name; packages
// register in init, before any parsing.
var (
	fileParsersMu sync.RWMutex
	fileParsers   = map[string]FileParser{}
)

// RegisterFileParser makes Parse and ParseFile hand inputs of format (for
// example FormatVideo) to fp. Package media registers the video parser.
func RegisterFileParser(format string, fp FileParser) {
	fileParsersMu.Lock()
	defer fileParsersMu.Unlock()
	fileParsers[format] = fp
}

func fileParser(format string) FileParser {
	fileParsersMu.RLock()
	defer fileParsersMu.RUnlock()
	return fileParsers[format]
}

// Sentinel errors wrapped in *ParseError.
var (
	// ErrEmpty reports an input with no copy text.
	ErrEmpty = msg.New("empty input: no copy text")
	// ErrTooLarge reports an input over ParseOptions.MaxBytes.
	ErrTooLarge = msg.New("input too large")
	// ErrFormat reports an unknown or unsupported format.
	ErrFormat = msg.New("unsupported format")
)

// VerbTagger extracts copy verbs (文案动词) from element text. The
// segmentation package provides one; parsers never invent verbs.
type VerbTagger interface {
	Verbs(text string) []string
}

// ParseOptions controls Parse and ParseFile. The zero value parses by file
// extension with the default size limit.
type ParseOptions struct {
	// Format overrides detection by extension: a name or alias of
	// Formats ("txt", "md", "srt", …, "draft", "video").
	Format string
	// Root makes asset ids relative: an asset without an explicit id gets
	// the file path relative to Root, slash-separated.
	Root string
	// ID is the asset id for inputs without an explicit id (wins over Root).
	ID string
	// Verbs fills the copy_verbs attribute of every element when set.
	Verbs VerbTagger
	// MaxBytes is the largest input accepted (default DefaultMaxBytes).
	MaxBytes int64
	// MaxRunes is the most copy-text code points per asset (default
	// DefaultMaxRunes); an asset beyond it is an error naming its line.
	MaxRunes int
	// MaxElements is the most elements per asset (default
	// DefaultMaxElements).
	MaxElements int
	// Context, when set, bounds the work of a FileParser (a video's
	// ffmpeg and ffprobe runs are killed when it is done) and of a file
	// of many assets (JSON, JSONL, CSV stop between assets with its
	// error): a request's context in the server, the signal context in
	// the CLI. The default value is context.Background().
	Context context.Context
}

func (o ParseOptions) maxBytes() int64 {
	if o.MaxBytes <= 0 {
		return DefaultMaxBytes
	}
	return o.MaxBytes
}

// ParseError is a bad input: the file, the 1-based line (0 when unknown) and
// the cause.
type ParseError struct {
	File string
	Line int
	Err  error
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

// Unwrap returns the cause.
func (e *ParseError) Unwrap() error { return e.Err }

// lineError is returned by the format parsers; Parse adds the file name.
type lineError struct {
	line int
	err  error
}

func (e *lineError) Error() string { return fmt.Sprintf("line %d: %v", e.line, e.err) }
func (e *lineError) Unwrap() error { return e.err }

func errAt(line int, format string, args ...any) error {
	return &lineError{line: line, err: msg.Errorf(format, args...)}
}

// ParseFile reads and parses one file (or a 剪映/CapCut draft folder, or
// a video through its registered FileParser). Anything but a regular file
// (a named pipe, a device, a socket) is refused without blocking: the file
// is opened non-blocking and checked with fstat before it is read. The
// file is checked against MaxBytes before it is read.
func ParseFile(path string, opts ParseOptions) ([]Asset, error) {
	st, err := os.Stat(path) // stat never blocks, even on a pipe
	if err == nil && st.IsDir() {
		assets, err := parseDraftDir(path, opts)
		if err != nil {
			return nil, err
		}
		return checkParsed(path, assets, opts)
	}
	if fp := fileParser(formatFor(path, opts)); fp != nil {
		if err == nil && !st.Mode().IsRegular() {
			return nil, &ParseError{File: path, Err: msg.Errorf("%w (%s): only regular files are read", ErrNotRegular, fileKind(st.Mode()))}
		}
		assets, err := fp.ParsePath(path, opts)
		if err != nil {
			return nil, err
		}
		return checkParsed(path, assets, opts)
	}
	data, err := ReadFile(path, opts.maxBytes())
	if err != nil {
		return nil, err
	}
	return Parse(path, data, opts)
}

// ErrNotRegular reports an input that is not a regular file.
var ErrNotRegular = msg.New("not a regular file")

// ReadFile reads a regular file of at most maxBytes bytes; errors are
// *ParseError naming path. It never blocks on a named pipe or device.
func ReadFile(path string, maxBytes int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, &ParseError{File: path, Err: err}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, &ParseError{File: path, Err: err}
	}
	if st.IsDir() {
		return nil, &ParseError{File: path, Err: msg.New("is a directory")}
	}
	if !st.Mode().IsRegular() {
		return nil, &ParseError{File: path, Err: msg.Errorf("%w (%s): only regular files are read", ErrNotRegular, fileKind(st.Mode()))}
	}
	if st.Size() > maxBytes {
		return nil, &ParseError{File: path, Err: msg.Errorf("%w: %d bytes (limit %d)", ErrTooLarge, st.Size(), maxBytes)}
	}
	// Read through a limit too: the file may grow while it is read.
	data, err := io.ReadAll(io.LimitReader(f, maxBytes+1))
	if err != nil {
		return nil, &ParseError{File: path, Err: msg.Errorf("read: %w", err)}
	}
	if int64(len(data)) > maxBytes {
		return nil, &ParseError{File: path, Err: msg.Errorf("%w: over %d bytes", ErrTooLarge, maxBytes)}
	}
	return data, nil
}

// fileKind names a non-regular file mode for messages.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	}
	return "mode " + m.String()
}

// Parse parses data read from the file called name (used for format
// detection, the default asset id and error messages).
func Parse(name string, data []byte, opts ParseOptions) ([]Asset, error) {
	wrap := func(err error) error {
		var le *lineError
		if errors.As(err, &le) {
			return &ParseError{File: name, Line: le.line, Err: le.err}
		}
		var de *decode.Error
		if errors.As(err, &de) {
			return &ParseError{File: name, Line: de.Line, Err: de.Err}
		}
		return &ParseError{File: name, Err: err}
	}
	if int64(len(data)) > opts.maxBytes() {
		return nil, wrap(msg.Errorf("%w: %d bytes (limit %d)", ErrTooLarge, len(data), opts.maxBytes()))
	}
	format := formatFor(name, opts)
	if format == "" {
		return nil, wrap(msg.Errorf("%w: unknown extension %q (use %s)", ErrFormat, filepath.Ext(name), acceptedList()))
	}
	if len(data) == 0 {
		return nil, wrap(ErrEmpty)
	}
	if format == FormatVideo {
		return parseVideoBytes(name, data, opts)
	}
	if (format == FormatDraft || (format == FormatJSON && isDraftName(name))) && !looksLikeJSON(data) {
		return nil, wrap(ErrEncryptedDraft)
	}
	text, _, err := decode.Text(data)
	if err != nil {
		return nil, wrap(err)
	}
	if strings.TrimSpace(strings.TrimPrefix(text, "\uFEFF")) == "" {
		return nil, wrap(ErrEmpty)
	}
	if err := opts.checkSingleAssetSize(format, text); err != nil {
		return nil, wrap(err)
	}
	format = sniff(format, name, text)
	if format == FormatDraft && len(text) > MaxDraftBytes {
		// One asset: checked before any parsing, like a script.
		return nil, wrap(msg.Errorf("%w: a draft timeline of %d bytes (at most %d; a real one is kilobytes to a few megabytes)", ErrLimit, len(text), MaxDraftBytes))
	}
	id := defaultID(name, opts)
	if format == FormatDraft && opts.ID == "" && isDraftName(name) {
		// draft_content.json named on its own (check --changed, an upload)
		// is the same asset as its folder.
		id = draftDirID(filepath.Dir(name), opts)
	}
	f, ok := LookupFormat(format)
	if !ok || f.parse == nil {
		return nil, wrap(fmt.Errorf("%w: %q", ErrFormat, format))
	}
	p := &parser{opts: opts, name: name, defaultID: id}
	assets, err := f.parse(p, text)
	if err != nil {
		return nil, wrap(err)
	}
	for i := range assets {
		if err := p.stopped(); err != nil {
			return nil, wrap(err)
		}
		a := &assets[i]
		a.File = name
		p.finish(a)
		if err := opts.checkAssetLimits(a); err != nil {
			return nil, wrap(err)
		}
		if err := a.Validate(); err != nil {
			return nil, wrap(msg.Errorf("internal: %w", err))
		}
	}
	return assets, nil
}

// formatFor is the format of name: opts.Format when set, else by extension.
func formatFor(name string, opts ParseOptions) string {
	if opts.Format == "" {
		return FormatOf(name)
	}
	if f, ok := LookupFormat(opts.Format); ok {
		return f.Name
	}
	return strings.ToLower(strings.TrimPrefix(opts.Format, "."))
}

// parseDraftDir parses a 剪映/CapCut draft folder as one asset whose default
// id is the folder's.
func parseDraftDir(dir string, opts ParseOptions) ([]Asset, error) {
	f := DraftFile(dir)
	if f == "" {
		return nil, &ParseError{File: dir, Err: msg.New("is a directory, not a 剪映/CapCut draft (no draft_content.json or draft_info.json)")}
	}
	if opts.ID == "" {
		opts.ID = draftDirID(dir, opts)
	}
	if opts.Format == "" {
		opts.Format = FormatDraft
	}
	assets, err := ParseFile(f, opts)
	for i := range assets {
		if assets[i].Title == "" {
			assets[i].Title = filepath.Base(dir)
		}
	}
	return assets, err
}

// draftDirID is the default id of the draft folder dir: its path relative
// to the root, or its own name when it is the root (`elib split DRAFT_DIR`).
func draftDirID(dir string, opts ParseOptions) string {
	id := defaultID(dir, opts)
	if id == "." {
		if abs, err := filepath.Abs(dir); err == nil {
			id = filepath.Base(abs)
		}
	}
	return id
}

// parseVideoBytes parses uploaded video bytes through the registered video
// parser, by way of a temporary file the tool can read.
func parseVideoBytes(name string, data []byte, opts ParseOptions) ([]Asset, error) {
	if fileParser(FormatVideo) == nil {
		return nil, &ParseError{File: name, Err: msg.Errorf("%w: video input needs elib built with package media", ErrFormat)}
	}
	ext := strings.ToLower(filepath.Ext(name))
	if FormatOf("x"+ext) != FormatVideo {
		ext = ".mp4"
	}
	tmp, err := os.CreateTemp("", "elib-upload-*"+ext)
	if err != nil {
		return nil, &ParseError{File: name, Err: err}
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return nil, &ParseError{File: name, Err: err}
	}
	if err := tmp.Close(); err != nil {
		return nil, &ParseError{File: name, Err: err}
	}
	return ParseVideoFile(name, tmp.Name(), opts)
}

// ParseVideoFile parses a video stored at path (an upload spooled to a
// temporary file, so that it is never held in memory) as the file called
// name: name is the asset's file and default id, and stands for path in
// error messages. The caller removes path.
func ParseVideoFile(name, path string, opts ParseOptions) ([]Asset, error) {
	fp := fileParser(FormatVideo)
	if fp == nil {
		return nil, &ParseError{File: name, Err: msg.Errorf("%w: video input needs elib built with package media", ErrFormat)}
	}
	if opts.ID == "" {
		opts.ID = defaultID(name, opts)
	}
	assets, err := fp.ParsePath(path, opts)
	var pe *ParseError
	if errors.As(err, &pe) {
		pe.File = name
		pe.Err = &renamedError{msg: strings.ReplaceAll(pe.Err.Error(), path, name), err: pe.Err}
	}
	for i := range assets {
		assets[i].File = name
	}
	if err != nil {
		return assets, err
	}
	return checkParsed(name, assets, opts)
}

// renamedError is err with the temporary file's name replaced by the
// upload's in its message; errors.Is and As still see err.
type renamedError struct {
	msg string
	err error
}

func (e *renamedError) Error() string { return e.msg }
func (e *renamedError) Unwrap() error { return e.err }

// checkParsed applies the per-asset limits and the id rule to assets a
// path-based parser (draft folder, video) produced; Parse applies them to
// the rest.
func checkParsed(name string, assets []Asset, opts ParseOptions) ([]Asset, error) {
	for i := range assets {
		if err := opts.checkAssetLimits(&assets[i]); err != nil {
			var le *lineError
			if errors.As(err, &le) {
				return nil, &ParseError{File: name, Line: le.line, Err: le.err}
			}
			return nil, &ParseError{File: name, Err: err}
		}
	}
	return assets, nil
}

// defaultID is the id of an asset without an explicit one.
func defaultID(name string, opts ParseOptions) string {
	if opts.ID != "" {
		return opts.ID
	}
	if opts.Root != "" && name != "-" {
		absRoot, err1 := filepath.Abs(opts.Root)
		absName, err2 := filepath.Abs(name)
		if err1 == nil && err2 == nil {
			if rel, err := filepath.Rel(absRoot, absName); err == nil && !strings.HasPrefix(rel, "..") {
				return filepath.ToSlash(rel)
			}
		}
	}
	if name == "-" {
		return "-"
	}
	return filepath.Base(name)
}

// Walk calls fn for every path in paths, expanding directories recursively
// into their supported files in sorted order and skipping hidden files and
// directories inside them. A 剪映/CapCut draft folder is passed as one path
// (ParseFile reads it as one asset). "-" (stdin) and files named explicitly
// are passed through as given. It is WalkReport without a report of what
// was skipped.
func Walk(paths []string, fn func(path string) error) error {
	return WalkReport(paths, fn, nil)
}

// ErrSkipped wraps the reasons WalkReport gives for entries it skipped.
var ErrSkipped = msg.New("skipped")

// ErrSidecar is the reason WalkReport gives for a sidecar subtitle file
// (clip.srt beside clip.mp4) it leaves to its video.
var ErrSidecar = msg.New("sidecar subtitles")

// WalkReport is Walk that tells skipped (when not nil) about the entries
// with a supported extension it did not pass on — named pipes, sockets and
// devices, which would block or never end —, about sidecar subtitle files
// whose video is walked too (clip.srt beside clip.mp4: the video reads
// it), and about symbolic links inside a walked directory, which are not
// followed (a link to a directory can loop, a link to a file can reach
// outside the folder: x.txt -> ~/secret; name the link as an argument to
// read it). A directory or file argument that is itself a symbolic link is
// followed.
func WalkReport(paths []string, fn func(path string) error, skipped func(path string, reason error)) error {
	skip := func(path string, reason error) {
		if skipped != nil {
			skipped(path, fmt.Errorf("%w: %w", ErrSkipped, reason))
		}
	}
	// A sidecar subtitle file is read with its video (one asset), so it
	// is skipped when its video is walked too.
	named := map[string]bool{}
	for _, p := range paths {
		if abs, err := filepath.Abs(p); err == nil {
			named[abs] = true
		}
	}
	for _, p := range paths {
		if p == "-" {
			if err := fn(p); err != nil {
				return err
			}
			continue
		}
		if v := SidecarVideo(p); v != "" {
			if abs, err := filepath.Abs(v); err == nil && named[abs] {
				skip(p, msg.Errorf("%w of %s: read as that video's copy", ErrSidecar, filepath.Base(v)))
				continue
			}
		}
		st, err := os.Stat(p)
		if err != nil || !st.IsDir() || DraftFile(p) != "" {
			// Let fn report a missing, unreadable or non-regular file with
			// its name.
			if err := fn(p); err != nil {
				return err
			}
			continue
		}
		root := p
		if lst, err := os.Lstat(p); err == nil && lst.Mode()&fs.ModeSymlink != 0 {
			// WalkDir does not follow a symlinked root; a trailing
			// separator makes it.
			root = p + string(os.PathSeparator)
		}
		var files []string
		err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return msg.Errorf("walk %s: %w", path, err)
			}
			if path != root && strings.HasPrefix(d.Name(), ".") {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
			if d.IsDir() && path != root && DraftFile(path) != "" {
				// A draft folder is one asset, not a folder of JSON files.
				files = append(files, path)
				return filepath.SkipDir
			}
			if d.IsDir() {
				return nil
			}
			if d.Type()&fs.ModeSymlink != 0 {
				st, err := os.Stat(path)
				switch {
				case err != nil:
					if IsSupported(path) {
						files = append(files, path) // fn reports the broken link
					}
				case st.IsDir():
					skip(path, msg.New("symbolic link to a directory, not followed (name it as an argument to read it)"))
				case !st.Mode().IsRegular():
					if IsSupported(path) {
						skip(path, fmt.Errorf("%w (%s)", ErrNotRegular, fileKind(st.Mode())))
					}
				case IsSupported(path):
					// x.txt -> ~/secret would import a file from
					// outside the folder: not followed either.
					skip(path, msg.New("symbolic link to a file, not followed (name it as an argument to read it)"))
				}
				return nil
			}
			if !IsSupported(path) {
				return nil
			}
			if v := SidecarVideo(path); v != "" {
				skip(path, msg.Errorf("%w of %s: read as that video's copy", ErrSidecar, filepath.Base(v)))
				return nil
			}
			if !d.Type().IsRegular() {
				skip(path, fmt.Errorf("%w (%s)", ErrNotRegular, fileKind(d.Type())))
				return nil
			}
			files = append(files, path)
			return nil
		})
		if err != nil {
			return err
		}
		sort.Strings(files)
		for _, f := range files {
			if err := fn(f); err != nil {
				return err
			}
		}
	}
	return nil
}

// parser holds the per-call state shared by the format parsers.
type parser struct {
	opts      ParseOptions
	name      string
	defaultID string
}

// stopped is the error of the parse's context once it is done, checked
// between the assets of a file that holds many.
func (p *parser) stopped() error {
	if p.opts.Context == nil {
		return nil
	}
	return p.opts.Context.Err()
}

// finish trims, drops empty elements, fills copy verbs and offsets.
func (p *parser) finish(a *Asset) {
	if a.ID == "" {
		a.ID = p.defaultID
	}
	kept := a.Elements[:0]
	for _, e := range a.Elements {
		if strings.TrimSpace(e.Text) == "" {
			continue
		}
		kept = append(kept, e)
	}
	a.Elements = kept
	if a.Elements == nil {
		a.Elements = []Element{}
	}
	if p.opts.Verbs != nil {
		for i := range a.Elements {
			e := &a.Elements[i]
			if e.Attributes == nil {
				e.Attributes = map[string]any{}
			}
			e.Attributes[AttrCopyVerbs] = p.opts.Verbs.Verbs(e.Text)
		}
	}
	a.Reoffset()
}
