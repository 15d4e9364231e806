package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"elib/library/kit"
	"elib/pack"
)

// pack returns pack id of the library, for a check of its variants.
func (s *Server) pack(id string) (kit.Pack, error) {
	p, err := s.opts.Library.Pack(id)
	if err != nil {
		return kit.Pack{}, badRequest("pack %q: not in the library", id)
	}
	return p, nil
}

// handlePacks is GET /v1/packs: {"packs": […]}.
func (s *Server) handlePacks(w http.ResponseWriter, r *http.Request) {
	ps := s.opts.Library
	list, err := ps.Packs()
	if err != nil {
		s.writeErr(w, r, "packs", unavailable(err))
		return
	}
	if list == nil {
		list = []kit.Pack{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"packs": list})
}

// handlePack is GET /v1/packs/{id}: the stored pack.
func (s *Server) handlePack(w http.ResponseWriter, r *http.Request) {
	ps := s.opts.Library
	p, err := ps.Pack(r.PathValue("id"))
	if err != nil {
		writeError(w, r, http.StatusNotFound, codeNotFound, "no pack %q in the library", r.PathValue("id"))
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// handlePackExport is GET /v1/packs/{id}/export?format=md|html|json: the
// creator brief, as `elib pack export` writes it.
func (s *Server) handlePackExport(w http.ResponseWriter, r *http.Request) {
	ps := s.opts.Library
	p, err := ps.Pack(r.PathValue("id"))
	if err != nil {
		writeError(w, r, http.StatusNotFound, codeNotFound, "no pack %q in the library", r.PathValue("id"))
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "md"
	}
	types := map[string]string{"md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8", "json": "application/json; charset=utf-8"}
	if types[format] == "" {
		writeError(w, r, http.StatusBadRequest, codeBadRequest, "format=%q: want md, html or json", format)
		return
	}
	b, err := pack.NewBrief(r.Context(), p, s.opts.Library, 3)
	if err != nil {
		s.writeErr(w, r, "export "+p.ID, err)
		return
	}
	var buf bytes.Buffer
	if err := b.Write(&buf, format); err != nil {
		s.writeErr(w, r, "export "+p.ID, err)
		return
	}
	w.Header().Set("Content-Type", types[format])
	if format == "html" {
		// The brief is a self-contained page: its own inline style, nothing else.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'")
	}
	w.Header().Set("Content-Disposition", fmt.Sprintf("inline; filename=%q", p.ID+"."+format))
	_, _ = w.Write(buf.Bytes())
}

// packCreateRequest is the body of POST /v1/packs.
type packCreateRequest struct {
	From  string   `json:"from"`
	Slots []string `json:"slots"`
	Title string   `json:"title"`
	Note  string   `json:"note"`
}

// handlePackCreate is POST /v1/packs (bearer token): {"id": …}.
func (s *Server) handlePackCreate(w http.ResponseWriter, r *http.Request) {
	ps := s.opts.Library
	var req packCreateRequest
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		s.writeErr(w, r, "pack create", badRequest("invalid JSON body: %v", err))
		return
	}
	a, err := s.opts.Library.Asset(req.From)
	if err != nil {
		if errors.Is(err, kit.ErrNotFound) {
			writeError(w, r, http.StatusNotFound, codeNotFound, "no asset %q in the library", req.From)
			return
		}
		s.writeErr(w, r, "pack create", err)
		return
	}
	p, err := pack.New(a, pack.Options{Slots: req.Slots, Title: req.Title, Note: req.Note, Now: s.opts.Now()})
	if err != nil {
		s.writeErr(w, r, "pack create", badRequest("%v", err))
		return
	}
	s.writeMu.Lock()
	id, err := ps.PackAdd(p)
	s.writeMu.Unlock()
	if err != nil {
		s.writeErr(w, r, "pack create", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"id": id})
}

// handlePackDelete is DELETE /v1/packs/{id} (bearer token).
func (s *Server) handlePackDelete(w http.ResponseWriter, r *http.Request) {
	ps := s.opts.Library
	id := r.PathValue("id")
	s.writeMu.Lock()
	err := ps.PackRemove(id)
	s.writeMu.Unlock()
	if errors.Is(err, kit.ErrNotFound) {
		writeError(w, r, http.StatusNotFound, codeNotFound, "no pack %q in the library", id)
		return
	}
	if err != nil {
		s.writeErr(w, r, "pack remove", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"removed": id})
}
