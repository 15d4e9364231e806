package server

import (
	"context"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"elib/api"
	"elib/check/report"
	"elib/element"
	"elib/insight"
	"elib/internal/i18n/msg"
	"elib/internal/pace"
	"elib/library/kit"
)

// noID marks posted JSON assets that carried no id of their own.
const noID = "\x00no-id"

// readImport decodes an import body: JSON asset(s) (application/json: an
// asset or an array; application/x-ndjson: one per line) or multipart files.
// Videos are streamed to disk (removed when the import is done); any other
// body or file is held in memory up to lim.Text.
func readImport(r *http.Request, lim uploadLimits, parse func() fileParser) ([]input, error) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		req, err := readInputs(r, lim)
		defer req.Close()
		if err != nil {
			return nil, err
		}
		if err := req.parse(parse()); err != nil {
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
	body, err := readAllLimit(r.Body, lim.Text, msg.New("an import body (import videos and large libraries as files)"))
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
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "multipart/form-data" {
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(s.opts.UploadTimeout))
	}
	var ctx context.Context
	cancel := func() {}
	defer func() { cancel() }()
	ins, err := readImport(r, uploadLimits{Text: s.opts.MaxTextBytes, Dir: s.opts.UploadDir}, func() fileParser {
		// The deadline starts once the body is in.
		ctx, cancel = s.withDeadline(r)
		if ct == "multipart/form-data" {
			_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.opts.CheckTimeout + uploadWriteSlack))
		}
		return s.uploadParser(ctx)
	})
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
	errs, allFailed := inputErrors(r, ins)
	if allFailed {
		writeInputError(w, r, errs[0])
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
	// The import's fingerprinting and search-index batches yield to the
	// checks between steps (yieldToChecks); its answer waits for them.
	paced := pace.With(r.Context(), s.yieldToChecks)
	// Fingerprinted before the write lock: it does not touch the library.
	prepared, err := s.opts.Library.PrepareImport(paced, assets)
	if err != nil {
		s.writeErr(w, r, "import", err)
		return
	}
	s.writeMu.Lock()
	// Stored check outcomes the import changes go stale first; the new
	// assets' own are computed in the background.
	_, err = insight.BeforeImport(paced, s.opts.Engine, s.opts.Library, assets, insight.Options{})
	var res kit.ImportResult
	if err == nil {
		res, err = s.opts.Library.ImportPrepared(paced, prepared)
	}
	s.writeMu.Unlock()
	if err != nil {
		s.writeErr(w, r, "import", err)
		return
	}
	go func(batch []kit.Prepared) {
		// On one worker, yielding to the checks before each asset; the
		// checks take the import's fingerprints.
		ctx := pace.With(context.Background(), s.yieldToChecks)
		if err := insight.AfterImportPrepared(ctx, s.opts.Engine, s.opts.Library, batch, insight.Options{Workers: 1}); err != nil {
			s.opts.Logger.Warn("check outcomes not stored; the next stats computes them", "err", err)
		}
	}(prepared.Assets)
	s.metrics.imported(res.Assets, res.Elements)
	out.Imported, out.Elements, out.Replaced = res.Assets, res.Elements, res.Replaced
	s.opts.Logger.Info("imported through the API", "assets", res.Assets, "elements", res.Elements, "replaced", res.Replaced)
	writeJSON(w, http.StatusOK, out)
}
