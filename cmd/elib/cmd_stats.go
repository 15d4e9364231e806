package main

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"elib/element"
	"elib/index"
)

func init() { registerCommand(newStatsCommand) }

func newStatsCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "stats",
		Short: "Show library size, counts per type and reuse rate",
		Long: `Stats prints the number of assets and elements, elements per type, the
library's size on disk and its reuse rate: the share of elements whose best
match in another asset of the library contains at least 80 % of their
fingerprint (estimated on up to 2,000 sampled elements). Opening the library
verifies every segment's checksum, so stats also reports a damaged library.
Exit codes: 0 ok, 2 error.`,
		Example: `  elib stats
  elib stats --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runStats(cmd.Context(), g)
		},
	}
}

// statsJSON is the JSON output of `elib stats`.
type statsJSON struct {
	Library     string         `json:"library"`
	Assets      int            `json:"assets"`
	Elements    int            `json:"elements"`
	ByType      map[string]int `json:"by_type"`
	DiskBytes   int64          `json:"disk_bytes"`
	ReuseRate   float64        `json:"reuse_rate"`
	ReuseSample int            `json:"reuse_sample"`
	Segments    int            `json:"segments"`
	Generation  uint64         `json:"generation"`
}

// runStats is `elib stats` without cobra.
func runStats(_ context.Context, g *globalOptions) error {
	switch g.format {
	case "text", "json":
	default:
		return withCode(exitError, fmt.Errorf("unknown --format %q for stats (text, json)", g.format))
	}
	lib, err := openLibrary(g, index.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer lib.Close()
	st, err := lib.Stats()
	if err != nil {
		return withCode(exitError, err)
	}
	abs, _ := filepath.Abs(g.libraryDir())
	out := statsJSON{Library: abs, Assets: st.Assets, Elements: st.Elements, ByType: map[string]int{},
		DiskBytes: st.DiskBytes, ReuseRate: st.ReuseRate, ReuseSample: st.ReuseSample, Segments: st.Segments, Generation: st.Generation}
	for _, t := range element.Types {
		out.ByType[string(t)] = st.ByType[t]
	}
	if g.format == "json" {
		enc := json.NewEncoder(g.stdout)
		enc.SetEscapeHTML(false)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return withCode(exitError, fmt.Errorf("write json: %w", err))
		}
		return nil
	}
	w := g.stdout
	fmt.Fprintf(w, "library   %s\n", abs)
	fmt.Fprintf(w, "assets    %d\n", st.Assets)
	fmt.Fprintf(w, "elements  %d\n", st.Elements)
	for _, t := range element.Types {
		fmt.Fprintf(w, "  %-12s %s %d\n", t, t.Chinese(), st.ByType[t])
	}
	fmt.Fprintf(w, "disk      %s\n", humanBytes(st.DiskBytes))
	fmt.Fprintf(w, "reuse     %.1f %% of elements (sample of %d)\n", 100*st.ReuseRate, st.ReuseSample)
	return nil
}

// humanBytes formats a size with a binary unit.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
