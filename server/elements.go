package server

import (
	"net/http"

	"elib/element"
	"elib/insight"
)

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

// handleElement is GET /v1/elements/{id...}.
func (s *Server) handleElement(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	el, err := s.opts.Library.ElementByID(id)
	if err != nil || el == nil {
		if el == nil && (err == nil || isNotFound(err)) {
			writeError(w, r, http.StatusNotFound, codeNotFound, "no element %q in the library", id)
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

// handleDelete is DELETE /v1/elements/{id...} (bearer token required): it
// removes an asset (by asset id) or one element (by element id), per
// kit.Library.Remove.
func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	s.writeMu.Lock()
	if err := insight.BeforeRemove(r.Context(), s.opts.Engine, s.opts.Library, []string{id}); err != nil {
		s.opts.Logger.Warn("check outcomes matching the removed asset not marked stale", "err", err)
	}
	n, err := s.opts.Library.Remove(r.Context(), id)
	s.writeMu.Unlock()
	if err != nil && !isNotFound(err) {
		s.writeErr(w, r, "remove "+id, err)
		return
	}
	if n == 0 {
		writeError(w, r, http.StatusNotFound, codeNotFound, "no asset or element %q in the library", id)
		return
	}
	s.opts.Logger.Info("removed through the API", "id", id, "removed", n)
	writeJSON(w, http.StatusOK, map[string]any{"removed": n, "id": id})
}
