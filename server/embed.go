package server

import "embed"

// webFS holds the web page: plain HTML, CSS and JavaScript, no build step
// and nothing loaded from elsewhere.
//
//go:embed web
var webFS embed.FS
