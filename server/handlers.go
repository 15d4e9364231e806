package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"elib/api"
	"elib/check"
	"elib/check/report"
	"elib/element"
	"elib/index"
	"elib/index/fulltext"
	"elib/pack"
)

// writeJSON writes v with status. HTML-significant characters are escaped
// (\u003c…) so a response sniffed as HTML cannot run script.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// errorBody is every error response.
type errorBody struct {
	Error string `json:"error"`
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

// reply writes v like writeJSON, encoded first into a buffer bounded by
// Options.MaxReplyBytes: a reply past it is a 500 (logged), never an
// unbounded write.
func (s *Server) reply(w http.ResponseWriter, r *http.Request, status int, v any) {
	buf := &cappedBuffer{max: s.opts.MaxReplyBytes}
	enc := json.NewEncoder(buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		s.writeErr(w, r, "reply", fmt.Errorf("encode %s reply: %w", r.URL.Path, err))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// writeErr maps err to a status: 413 over the body limit, 400 for client
// errors, 503 with Retry-After when the check slots stayed busy or the
// request's deadline passed, 503 for cancellations, else 500. A 500 says
// only what failed; the details (paths, causes) go to the log.
func (s *Server) writeErr(w http.ResponseWriter, r *http.Request, what string, err error) {
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("request body is over the limit of %d bytes", mbe.Limit))
	case errors.Is(err, errBadRequest):
		writeError(w, http.StatusBadRequest, strings.TrimPrefix(err.Error(), errBadRequest.Error()+": "))
	case errors.Is(err, errBusy):
		writeBusy(w, fmt.Sprintf("%s: the server is busy (every check slot stayed taken for %s); retry shortly", what, s.opts.QueueTimeout))
	case errors.Is(err, context.DeadlineExceeded):
		s.opts.Logger.Warn(what+": deadline passed", "path", r.URL.Path, "timeout", s.opts.CheckTimeout)
		writeBusy(w, fmt.Sprintf("%s: not done within %s; retry shortly", what, s.opts.CheckTimeout))
	case r.Context().Err() != nil:
		writeError(w, http.StatusServiceUnavailable, what+": request cancelled")
	case errors.Is(err, errLibraryUnavailable):
		s.opts.Logger.Error(what, "err", err, "path", r.URL.Path)
		writeBusy(w, what+": the library's database could not be read; retry shortly")
	default:
		s.opts.Logger.Error(what, "err", err, "path", r.URL.Path)
		writeError(w, http.StatusInternalServerError, what+": internal error (details are in the server log)")
	}
}

// errLibraryUnavailable fails a check whose library reads failed (a
// database restart): 503 with Retry-After, never a verdict.
var errLibraryUnavailable = errors.New("library unavailable")

// readFailures returns how many reads of the library failed so far, for
// libraries that count them (PostgreSQL); 0 otherwise.
func (s *Server) readFailures() uint64 {
	if f, ok := s.opts.Library.(interface{ Failures() (uint64, error) }); ok {
		n, _ := f.Failures()
		return n
	}
	return 0
}

// threshold picks the request's threshold or the server default.
func (s *Server) threshold(t *float64) (float64, error) {
	if t == nil {
		return s.opts.Threshold, nil
	}
	if *t < 0 || *t > 1 {
		return 0, badRequest("threshold %v must be between 0 and 1", *t)
	}
	return *t, nil
}

// inputErrors converts parse failures into report entries; it reports
// whether every input failed.
func inputErrors(ins []input) (errs []report.FileError, allFailed bool) {
	allFailed = true
	for _, in := range ins {
		if in.Err != nil {
			errs = append(errs, report.NewFileError(in.File, in.Err))
		}
		if len(in.Assets) > 0 {
			allFailed = false
		}
	}
	return errs, allFailed
}

// handleCheck is POST /v1/check: the JSON of `elib check --format json`.
func (s *Server) handleCheck(w http.ResponseWriter, r *http.Request) { s.serveCheck(w, r, "json") }

// handleReport is POST /v1/report: the same check as POST /v1/check,
// answered with the printable HTML report of `elib check --format html`
// (the page posts its check form here, multipart, into a new tab).
func (s *Server) handleReport(w http.ResponseWriter, r *http.Request) { s.serveCheck(w, r, "html") }

// serveCheck runs a check request and writes the report in format (json
// or html).
func (s *Server) serveCheck(w http.ResponseWriter, r *http.Request, format string) {
	if !s.limitCheckBody(w, r) {
		return
	}
	ctx, cancel := s.withDeadline(r)
	defer cancel()
	req, err := readInputs(r)
	if err != nil {
		s.writeErr(w, r, "check", err)
		return
	}
	threshold, err := s.threshold(req.Threshold)
	if err != nil {
		s.writeErr(w, r, "check", err)
		return
	}
	errs, allFailed := inputErrors(req.Inputs)
	if allFailed {
		writeError(w, http.StatusBadRequest, errs[0].String())
		return
	}
	c, err := s.checker()
	if err != nil {
		s.writeErr(w, r, "check", err)
		return
	}
	var variantOf *pack.Pack
	if req.Pack != "" {
		p, pc, err := s.packChecker(req.Pack, threshold)
		if err != nil {
			s.writeErr(w, r, "check", err)
			return
		}
		variantOf, c = &p, pc
	}
	rep := &report.Report{Threshold: threshold, Errors: errs}
	fatigue := s.currentFatigue(r.Context())
	for _, in := range req.Inputs {
		for i := range in.Assets {
			start := time.Now()
			if err := s.acquire(ctx); err != nil {
				s.writeErr(w, r, "check "+in.File, err)
				return
			}
			failed := s.readFailures()
			res, err := c.Check(ctx, in.File, &in.Assets[i])
			s.release()
			if err == nil && ctx.Err() != nil {
				err = ctx.Err()
			}
			if err == nil && s.readFailures() > failed {
				// A database read failed under the check: its verdict
				// cannot be trusted (see postgres.Library.Failures).
				err = errLibraryUnavailable
			}
			if err != nil {
				s.metrics.checkFailed()
				s.writeErr(w, r, "check "+in.File, err)
				return
			}
			res.Judge(threshold)
			if variantOf != nil {
				pack.Judge(res, *variantOf, threshold)
			}
			fatigue.Warn(res)
			s.metrics.checked(res.Verdict, time.Since(start))
			rep.Results = append(rep.Results, res)
		}
	}
	// report.Write is exactly `elib check --format json`.
	buf := &cappedBuffer{max: s.opts.MaxReplyBytes}
	if err := report.Write(buf, format, rep); err != nil {
		s.writeErr(w, r, "check", fmt.Errorf("encode check reply: %w", err))
		return
	}
	if format == "html" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// The report is self-contained: its own inline style, nothing else.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
	} else {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	_, _ = w.Write(buf.Bytes())
}

// handleSplit is POST /v1/split.
func (s *Server) handleSplit(w http.ResponseWriter, r *http.Request) {
	if !s.limitCheckBody(w, r) {
		return
	}
	req, err := readInputs(r)
	if err != nil {
		s.writeErr(w, r, "split", err)
		return
	}
	errs, allFailed := inputErrors(req.Inputs)
	if allFailed {
		writeError(w, http.StatusBadRequest, errs[0].String())
		return
	}
	out := api.Split{Files: []api.SplitFile{}}
	for _, in := range req.Inputs {
		out.Files = append(out.Files, api.NewSplitFile(in.File, in.Assets, in.Err))
	}
	s.reply(w, r, http.StatusOK, out)
}

// handleSearch is GET /v1/search?q=&type=&limit=&offset=&where=&bpm=&since=&until=&sort=.
func (s *Server) handleSearch(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	query := fulltext.Query{Text: q.Get("q"), Limit: DefaultSearchLimit, Facets: true}
	if n := utf8.RuneCountInString(query.Text); n > MaxQueryChars {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("query of %d characters is over the limit of %d: search for a few words", n, MaxQueryChars))
		return
	}
	if t := strings.TrimSpace(q.Get("type")); t != "" {
		typ, ok := element.ParseType(t)
		if !ok {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("unknown element type %q (hook, conflict, testimonial, conversion, story, other)", t))
			return
		}
		query.Type = string(typ)
	}
	for _, p := range []struct {
		name string
		dst  *int
		max  int
	}{{"limit", &query.Limit, MaxSearchLimit}, {"offset", &query.Offset, 1 << 20}} {
		v := q.Get(p.name)
		if v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > p.max {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("%s=%q must be an integer between 0 and %d", p.name, v, p.max))
			return
		}
		*p.dst = n
	}
	if query.Limit == 0 {
		query.Limit = DefaultSearchLimit
	}
	if err := searchFilters(q, &query, s.opts.Now()); err != nil {
		s.writeErr(w, r, "search", err)
		return
	}
	// A search is CPU work like a check: same slots, same deadline.
	ctx, cancel := s.withDeadline(r)
	defer cancel()
	if err := s.acquire(ctx); err != nil {
		s.writeErr(w, r, "search", err)
		return
	}
	defer s.release()
	res, err := s.opts.Library.Search(ctx, query)
	if err == nil && ctx.Err() != nil {
		err = ctx.Err()
	}
	if err != nil {
		s.writeErr(w, r, "search", err)
		return
	}
	out := fulltext.NewResponse(query.Text, res)
	out.Filters = query.Filters()
	s.reply(w, r, http.StatusOK, out)
}

// elementResponse is GET /v1/elements/{id}: the stored element and the
// asset it belongs to.
type elementResponse struct {
	ID      string         `json:"id"`
	AssetID string         `json:"asset_id"`
	Index   int            `json:"index"`
	Type    element.Type   `json:"type"`
	Title   string         `json:"title"`
	Text    string         `json:"text"`
	Asset   *element.Asset `json:"asset,omitempty"`
}

// isNotFound reports whether err means "no such element or asset".
func isNotFound(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, index.ErrNotFound)
}

// handleElement is GET /v1/elements/{id...}.
func (s *Server) handleElement(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	el, err := s.opts.Library.ElementByID(id)
	if err != nil || el == nil {
		if el == nil && (err == nil || isNotFound(err)) {
			writeError(w, http.StatusNotFound, fmt.Sprintf("no element %q in the library", id))
			return
		}
		s.writeErr(w, r, "element "+id, err)
		return
	}
	out := elementResponse{ID: el.ID, AssetID: el.AssetID, Index: el.Index, Type: el.Type, Title: el.Title, Text: el.Text}
	if a, err := s.opts.Library.Asset(el.AssetID); err == nil {
		out.Asset = a
		if out.Title == "" {
			out.Title = a.Title
		}
	} else if !isNotFound(err) {
		s.writeErr(w, r, "asset "+el.AssetID, err)
		return
	}
	s.reply(w, r, http.StatusOK, out)
}

// noID marks posted JSON assets that carried no id of their own.
const noID = "\x00no-id"

// readImport decodes an import body: JSON asset(s) (application/json: an
// asset or an array; application/x-ndjson: one per line) or multipart files.
func readImport(r *http.Request) ([]input, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		req, err := readInputs(r)
		if err != nil {
			return nil, err
		}
		return req.Inputs, nil
	}
	format := element.FormatJSON
	switch ct {
	case "", "application/json":
	case "application/x-ndjson", "application/jsonl", "application/x-jsonlines":
		format = element.FormatJSONL
	default:
		return nil, badRequest("unsupported Content-Type %q for import: send application/json, application/x-ndjson or multipart/form-data", ct)
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return nil, fmt.Errorf("read body: %w", err)
	}
	name := "import." + format
	assets, err := element.Parse(name, body, element.ParseOptions{Format: format, ID: noID})
	if err == nil {
		for i, a := range assets {
			if a.ID == noID || strings.HasPrefix(a.ID, noID) {
				err = badRequest("asset %d has no \"id\": posted JSON assets need an explicit id", i+1)
				assets = nil
				break
			}
		}
	}
	return []input{{File: name, Assets: assets, Err: err}}, nil
}

// handleImport is POST /v1/import (bearer token required).
func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) {
	ins, err := readImport(r)
	if err != nil {
		s.writeErr(w, r, "import", err)
		return
	}
	for _, in := range ins {
		if errors.Is(in.Err, errBadRequest) {
			s.writeErr(w, r, "import", in.Err)
			return
		}
	}
	errs, allFailed := inputErrors(ins)
	if allFailed {
		writeError(w, http.StatusBadRequest, errs[0].String())
		return
	}
	var assets []element.Asset
	out := api.Import{IDs: []string{}, Errors: errs, Files: len(ins)}
	if out.Errors == nil {
		out.Errors = []report.FileError{}
	}
	for _, in := range ins {
		assets = append(assets, in.Assets...)
		for _, a := range in.Assets {
			out.IDs = append(out.IDs, a.ID)
		}
	}
	s.writeMu.Lock()
	res, err := s.opts.Library.Import(r.Context(), assets)
	s.writeMu.Unlock()
	if err != nil {
		s.writeErr(w, r, "import", err)
		return
	}
	s.metrics.imported(res.Assets, res.Elements)
	out.Imported, out.Elements, out.Replaced = res.Assets, res.Elements, res.Replaced
	s.opts.Logger.Info("imported through the API", "assets", res.Assets, "elements", res.Elements, "replaced", res.Replaced)
	writeJSON(w, http.StatusOK, out)
}

// handleDelete is DELETE /v1/elements/{id...} (bearer token required): it
// removes an asset (by asset id) or one element (by element id), per
// index.Library.Remove.
func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.writeMu.Lock()
	n, err := s.opts.Library.Remove(r.Context(), id)
	s.writeMu.Unlock()
	if err != nil && !isNotFound(err) {
		s.writeErr(w, r, "remove "+id, err)
		return
	}
	if n == 0 {
		writeError(w, http.StatusNotFound, fmt.Sprintf("no asset or element %q in the library", id))
		return
	}
	s.opts.Logger.Info("removed through the API", "id", id, "removed", n)
	writeJSON(w, http.StatusOK, map[string]any{"removed": n, "id": id})
}

// infoResponse is GET /v1/info, what the web page shows about the server.
type infoResponse struct {
	Library   string         `json:"library"`
	Assets    int            `json:"assets"` // live: imports and refreshes show at once
	Sample    bool           `json:"sample"`
	Writable  bool           `json:"writable"`
	Threshold float64        `json:"threshold"`
	Version   string         `json:"version"`
	Types     []element.Type `json:"types"`
}

func (s *Server) handleInfo(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, infoResponse{
		Library: s.opts.LibraryDesc, Assets: s.opts.Library.AssetCount(), Sample: s.opts.Sample, Writable: s.opts.Token != "" && !s.opts.ReadOnly,
		Threshold: s.opts.Threshold, Version: s.opts.Version, Types: element.Types,
	})
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	out := map[string]any{"status": "ok", "assets": s.opts.Library.AssetCount()}
	if lib, ok := s.opts.Library.(refresher); ok {
		out["elements"] = lib.ElementCount()
		out["generation"] = lib.Generation()
	}
	writeJSON(w, http.StatusOK, out)
}

// compile-time check that the index satisfies Library and check.Source.
var (
	_ Library      = (*index.Library)(nil)
	_ refresher    = (*index.Library)(nil)
	_ check.Source = Library(nil)
)
