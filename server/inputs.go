package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"

	"elib/element"
	"elib/internal/i18n/msg"
)

// checkRequest is the JSON body of /v1/check and /v1/split.
type checkRequest struct {
	// Text is the script (any supported format, see Format).
	Text string `json:"text"`
	// Format names Text's format: a text format of element.Formats (txt,
	// the default, md, srt, vtt, ass, ssa, json, jsonl, csv, tsv, draft).
	Format string `json:"format"`
	// ID is the asset id (default "-"); a check ignores matches against it.
	ID string `json:"id"`
	// File names the input in the result (default input.<format>).
	File string `json:"file"`
	// Threshold overrides the server's rejection threshold.
	Threshold *float64 `json:"threshold"`
	// FootageThreshold overrides the footage threshold of a video
	// (`elib check --footage-threshold`; default 0.62).
	FootageThreshold *float64 `json:"footage_threshold,omitempty"`
	// Pack checks the text as a creator variant of that pack (check only).
	Pack string `json:"pack,omitempty"`
	// ExcludeSelf ignores the library asset with the text's own id
	// (`elib check --exclude-self`).
	ExcludeSelf bool `json:"exclude_self,omitempty"`
}

// input is one uploaded or posted piece of material, parsed.
type input struct {
	File   string
	Assets []element.Asset
	Err    error
}

// requestInputs is what a check, split or import request carried.
type requestInputs struct {
	Inputs    []input
	Threshold *float64
	// FootageThreshold is the request's footage threshold, if any.
	FootageThreshold *float64
	// Pack is the creator pack the inputs are variants of ("" none).
	Pack string
	// ExcludeSelf ignores each input's own id in the library.
	ExcludeSelf bool

	// uploads wait for parse; format and id are the multipart fields
	// that apply to them; spooled are the temporary files Close removes.
	uploads    []uploadFile
	format, id string
	spooled    []string
	// videos maps an input's File to its spooled video (the HTML report's
	// matched frames are cut from it).
	videos map[string]string
}

// errBadRequest marks client errors in request decoding.
var errBadRequest = errors.New("bad request")

// badRequest is a client error with the message key format (a key of
// internal/i18n's catalogs) and its arguments; errors.Is(err,
// errBadRequest) holds for it.
func badRequest(format string, args ...any) error {
	return &requestError{err: msg.Errorf(format, args...)}
}

// requestError is a client error (400); err says what was wrong.
type requestError struct{ err error }

func (e *requestError) Error() string        { return errBadRequest.Error() + ": " + e.err.Error() }
func (e *requestError) Unwrap() error        { return e.err }
func (e *requestError) Is(target error) bool { return target == errBadRequest }

// defaultAssetID is the id of posted text without one: no library asset has
// it (library ids are paths or explicit ids), so nothing is ignored as self.
const defaultAssetID = "-"

// uploadFile is one uploaded file: a script held in memory (Data), or a
// video streamed to a temporary file (Path) and never held in memory.
type uploadFile struct {
	Name string
	Data []byte
	Path string
}

// fileParser parses one uploaded file into an input; an error ends the
// whole request (a busy media pool, a deadline), a bad file is the
// input's Err.
type fileParser func(u uploadFile, opts element.ParseOptions) (input, error)

// uploadLimits bound what readInputs reads.
type uploadLimits struct {
	// Text is the largest body or file held in memory (a script, a JSON
	// body); a video streams to disk, bounded by the server's body limit.
	Text int64
	// Dir is where videos are spooled ("": the system's temp dir).
	Dir string
}

// errTooLarge is a body or part over a limit (413); what names it (a
// message key with its arguments).
type errTooLarge struct {
	what  error
	limit int64
}

func (e *errTooLarge) Error() string { return e.Unwrap().Error() }

// Unwrap is the message a reply says.
func (e *errTooLarge) Unwrap() error {
	return msg.Errorf("%v is over the limit of %d bytes", e.what, e.limit)
}

// readAllLimit reads r up to limit bytes; beyond it, an *errTooLarge
// naming what.
func readAllLimit(r io.Reader, limit int64, what error) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &errTooLarge{what: what, limit: limit}
	}
	return data, nil
}

// readInputs decodes a JSON body or a multipart upload (fields "file",
// repeatable; optional "format", "id", "threshold", "text"). Posted text is
// parsed at once; uploaded files wait for parse (the caller starts the
// check's deadline once the body has arrived). Close removes the videos
// it spooled.
func readInputs(r *http.Request, lim uploadLimits) (*requestInputs, error) {
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	readBody := func() ([]byte, error) {
		body, err := readAllLimit(r.Body, lim.Text, msg.New("a request body that is not a multipart upload"))
		if err != nil {
			return nil, fmt.Errorf("read body: %w", err)
		}
		return body, nil
	}
	switch {
	case ct == "multipart/form-data":
		return readMultipart(r, params["boundary"], lim)
	case ct == "application/x-www-form-urlencoded":
		// curl -d sends this by default; take the body as JSON when it is
		// an object, else as plain text, rather than refusing it.
		body, err := readBody()
		if err != nil {
			return nil, err
		}
		if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '{' {
			return decodeCheckJSON(body)
		}
		req := checkRequest{Text: string(body), Format: r.URL.Query().Get("format"), ID: r.URL.Query().Get("id")}
		return &requestInputs{Inputs: []input{parseText(req)}}, nil
	case ct == "" || ct == "application/json" || strings.HasSuffix(ct, "+json"):
		body, err := readBody()
		if err != nil {
			return nil, err
		}
		return decodeCheckJSON(body)
	case ct == "text/plain":
		body, err := readBody()
		if err != nil {
			return nil, err
		}
		req := checkRequest{Text: string(body), Format: r.URL.Query().Get("format"), ID: r.URL.Query().Get("id")}
		return &requestInputs{Inputs: []input{parseText(req)}}, nil
	}
	return nil, badRequest("unsupported Content-Type %q: send application/json, text/plain or multipart/form-data", ct)
}

// parse parses the uploaded files with parse, in order, after the inputs
// posted as text.
func (req *requestInputs) parse(parse fileParser) error {
	for _, u := range req.uploads {
		opts := element.ParseOptions{Format: req.format, ID: u.Name}
		if len(req.uploads) == 1 && req.id != "" {
			opts.ID = req.id
		}
		in, err := parse(u, opts)
		if err != nil {
			return err
		}
		if u.Path != "" {
			if req.videos == nil {
				req.videos = map[string]string{}
			}
			req.videos[in.File] = u.Path
		}
		req.Inputs = append(req.Inputs, in)
	}
	req.uploads = req.uploads[:0:0]
	return nil
}

// Close removes the videos spooled to disk.
func (req *requestInputs) Close() {
	if req == nil {
		return
	}
	for _, p := range req.spooled {
		os.Remove(p)
	}
	req.spooled = nil
}

// decodeCheckJSON decodes a check/split JSON body and parses its text.
func decodeCheckJSON(body []byte) (*requestInputs, error) {
	var req checkRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return nil, badRequest("invalid JSON body: %v", err)
	}
	if dec.More() {
		return nil, badRequest("invalid JSON body: more than one JSON value")
	}
	if strings.TrimSpace(req.Text) == "" {
		return nil, badRequest(`"text" is empty: send {"text":"…","format":"txt"} or upload a file in the multipart field "file"`)
	}
	return &requestInputs{Inputs: []input{parseText(req)}, Threshold: req.Threshold, FootageThreshold: req.FootageThreshold, Pack: strings.TrimSpace(req.Pack), ExcludeSelf: req.ExcludeSelf}, nil
}

// parseText parses posted text with its format and id. Text is never a
// video: a video is uploaded as a file, through the media pool.
func parseText(req checkRequest) input {
	format := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(req.Format), "."))
	if format == "" {
		format = element.FormatScript
	}
	name := req.File
	if name == "" {
		name = "input." + format
	}
	if format == element.FormatVideo {
		return input{File: name, Err: &element.ParseError{File: name, Err: msg.Errorf("%w: posted text is not a video; upload the video as a file (multipart field \"file\")", element.ErrFormat)}}
	}
	id := req.ID
	if id == "" {
		id = defaultAssetID
	}
	assets, err := element.Parse(name, []byte(req.Text), element.ParseOptions{Format: format, ID: id})
	return input{File: name, Assets: assets, Err: err}
}

// readMultipart reads an upload part by part, so the body limit applies
// while streaming: a video part (by its file name or an earlier "format"
// field) is copied to a temporary file, every other part is held in
// memory up to lim.Text.
func readMultipart(r *http.Request, boundary string, lim uploadLimits) (_ *requestInputs, err error) {
	if boundary == "" {
		return nil, badRequest("multipart body without boundary")
	}
	out := &requestInputs{}
	defer func() {
		if err != nil {
			out.Close()
		}
	}()
	mr := multipart.NewReader(r.Body, boundary)
	fields := map[string]string{}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read multipart body: %w", err)
		}
		switch name := p.FormName(); name {
		case "file", "files":
			u := uploadFile{Name: uploadName(rawFileName(p), len(out.uploads))}
			if isVideo(u.Name, fields["format"]) {
				u.Path, err = spool(p, lim.Dir, u.Name)
				if u.Path != "" {
					out.spooled = append(out.spooled, u.Path)
				}
			} else {
				u.Data, err = readAllLimit(p, lim.Text, msg.Errorf("file %q (a script; videos may be larger)", u.Name))
			}
			p.Close()
			if err != nil {
				return nil, fmt.Errorf("read multipart part %q: %w", name, err)
			}
			out.uploads = append(out.uploads, u)
		case "format", "id", "threshold", "footage_threshold", "text", "pack", "exclude_self":
			data, err := readAllLimit(p, lim.Text, msg.Errorf("field %q", name))
			p.Close()
			if err != nil {
				return nil, fmt.Errorf("read multipart part %q: %w", name, err)
			}
			fields[name] = string(data)
		default:
			p.Close()
		}
	}
	out.Pack = strings.TrimSpace(fields["pack"])
	out.format, out.id = fields["format"], fields["id"]
	switch v := strings.TrimSpace(fields["exclude_self"]); v {
	case "", "0", "false", "off":
	case "1", "true", "on":
		out.ExcludeSelf = true
	default:
		return nil, badRequest("exclude_self %q is not true or false", v)
	}
	if t := strings.TrimSpace(fields["threshold"]); t != "" {
		v, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return nil, badRequest("threshold %q is not a number", t)
		}
		out.Threshold = &v
	}
	if t := strings.TrimSpace(fields["footage_threshold"]); t != "" {
		v, err := strconv.ParseFloat(t, 64)
		if err != nil {
			return nil, badRequest("footage_threshold %q is not a number", t)
		}
		out.FootageThreshold = &v
	}
	if len(out.uploads) == 0 {
		if strings.TrimSpace(fields["text"]) == "" {
			return nil, badRequest(`multipart body has no field "file"`)
		}
		out.Inputs = append(out.Inputs, parseText(checkRequest{Text: fields["text"], Format: fields["format"], ID: fields["id"]}))
	}
	return out, nil
}

// spool copies an uploaded video to a new temporary file in dir and
// returns its path (also on error, for the caller to remove).
func spool(r io.Reader, dir, name string) (string, error) {
	ext := strings.ToLower(path.Ext(name))
	if element.FormatOf("x"+ext) != element.FormatVideo {
		ext = ".mp4"
	}
	f, err := os.CreateTemp(dir, "elib-upload-*"+ext)
	if err != nil {
		return "", fmt.Errorf("spool upload: %w", err)
	}
	_, err = io.Copy(f, r)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return f.Name(), err
}

// rawFileName is the part's filename as sent (Part.FileName keeps only the
// base name; a client may send a relative path to keep ids distinct).
func rawFileName(p *multipart.Part) string {
	_, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if err != nil {
		return p.FileName()
	}
	return params["filename"]
}

// uploadName cleans an uploaded file name into a relative slash path (the
// asset id of files without an explicit id).
func uploadName(name string, i int) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Clean("/" + name)[1:]
	if name == "" || name == "." {
		return fmt.Sprintf("upload-%d.txt", i+1)
	}
	return name
}
