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
	"path"
	"strconv"
	"strings"

	"elib/element"
)

// checkRequest is the JSON body of /v1/check and /v1/split.
type checkRequest struct {
	// Text is the script (any supported format, see Format).
	Text string `json:"text"`
	// Format names Text's format: txt (default), md, srt, vtt, json, jsonl,
	// csv, tsv.
	Format string `json:"format"`
	// ID is the asset id (default "-"); a check ignores matches against it.
	ID string `json:"id"`
	// File names the input in the result (default input.<format>).
	File string `json:"file"`
	// Threshold overrides the server's rejection threshold.
	Threshold *float64 `json:"threshold"`
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
	// Pack is the creator pack the inputs are variants of ("" none).
	Pack string
	// ExcludeSelf ignores each input's own id in the library.
	ExcludeSelf bool
}

// errBadRequest marks client errors in request decoding.
var errBadRequest = errors.New("bad request")

// badRequest wraps a message as a client error.
func badRequest(format string, args ...any) error {
	return fmt.Errorf("%w: %s", errBadRequest, fmt.Sprintf(format, args...))
}

// defaultAssetID is the id of posted text without one: no library asset has
// it (library ids are paths or explicit ids), so nothing is ignored as self.
const defaultAssetID = "-"

// fileParser parses one uploaded file into an input; an error ends the
// whole request (a busy media pool, a deadline), a bad file is the
// input's Err.
type fileParser func(name string, data []byte, opts element.ParseOptions) (input, error)

// readInputs decodes a JSON body or a multipart upload (fields "file",
// repeatable; optional "format", "id", "threshold", "text"); parse parses
// each uploaded file.
func readInputs(r *http.Request, parse fileParser) (*requestInputs, error) {
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch {
	case ct == "multipart/form-data":
		return readMultipart(r, params["boundary"], parse)
	case ct == "application/x-www-form-urlencoded":
		// curl -d sends this by default; take the body as JSON when it is
		// an object, else as plain text, rather than refusing it.
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, fmt.Errorf("read body: %w", err)
		}
		if t := bytes.TrimSpace(body); len(t) > 0 && t[0] == '{' {
			return decodeCheckJSON(body)
		}
		req := checkRequest{Text: string(body), Format: r.URL.Query().Get("format"), ID: r.URL.Query().Get("id")}
		return &requestInputs{Inputs: []input{parseText(req)}}, nil
	case ct == "" || ct == "application/json" || strings.HasSuffix(ct, "+json"):
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, fmt.Errorf("read body: %w", err)
		}
		return decodeCheckJSON(body)
	case ct == "text/plain":
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, fmt.Errorf("read body: %w", err)
		}
		req := checkRequest{Text: string(body), Format: r.URL.Query().Get("format"), ID: r.URL.Query().Get("id")}
		return &requestInputs{Inputs: []input{parseText(req)}}, nil
	}
	return nil, badRequest("unsupported Content-Type %q: send application/json, text/plain or multipart/form-data", ct)
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
	return &requestInputs{Inputs: []input{parseText(req)}, Threshold: req.Threshold, Pack: strings.TrimSpace(req.Pack), ExcludeSelf: req.ExcludeSelf}, nil
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
		return input{File: name, Err: &element.ParseError{File: name, Err: fmt.Errorf("%w: posted text is not a video; upload the video as a file (multipart field \"file\")", element.ErrFormat)}}
	}
	id := req.ID
	if id == "" {
		id = defaultAssetID
	}
	assets, err := element.Parse(name, []byte(req.Text), element.ParseOptions{Format: format, ID: id})
	return input{File: name, Assets: assets, Err: err}
}

// readMultipart reads an upload part by part (so the body limit applies
// while streaming).
func readMultipart(r *http.Request, boundary string, parse fileParser) (*requestInputs, error) {
	if boundary == "" {
		return nil, badRequest("multipart body without boundary")
	}
	mr := multipart.NewReader(r.Body, boundary)
	type file struct {
		name string
		data []byte
	}
	var files []file
	fields := map[string]string{}
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read multipart body: %w", err)
		}
		data, err := io.ReadAll(p)
		p.Close()
		if err != nil {
			return nil, fmt.Errorf("read multipart part %q: %w", p.FormName(), err)
		}
		switch name := p.FormName(); name {
		case "file", "files":
			files = append(files, file{name: uploadName(rawFileName(p), len(files)), data: data})
		case "format", "id", "threshold", "text", "pack", "exclude_self":
			fields[name] = string(data)
		}
	}
	out := &requestInputs{Pack: strings.TrimSpace(fields["pack"])}
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
	if len(files) == 0 {
		if strings.TrimSpace(fields["text"]) == "" {
			return nil, badRequest(`multipart body has no field "file"`)
		}
		out.Inputs = append(out.Inputs, parseText(checkRequest{Text: fields["text"], Format: fields["format"], ID: fields["id"]}))
		return out, nil
	}
	for _, f := range files {
		opts := element.ParseOptions{Format: fields["format"], ID: f.name}
		if len(files) == 1 && fields["id"] != "" {
			opts.ID = fields["id"]
		}
		in, err := parse(f.name, f.data, opts)
		if err != nil {
			return nil, err
		}
		out.Inputs = append(out.Inputs, in)
	}
	return out, nil
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
