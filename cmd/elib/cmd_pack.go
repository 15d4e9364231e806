package main

import (
	"context"
	"elib/internal/i18n"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"elib/corpus"
	"elib/index"
	"elib/library/kit"
	"elib/pack"
)

// packOptions are the flags of `elib pack`.
type packOptions struct {
	from        string
	slots       []string
	title, note string
	output      string
	inspiration int
	sample      bool
}

func newPackCommand(g *globalOptions) *cobra.Command {
	opts := packOptions{}
	cmd := &cobra.Command{
		Use:   "pack create|list|show|export|remove [ID]",
		Short: "Creator packs (乐高说明书): a hit's fixed elements and the slots creators replace",
		Long: `A creator pack turns a hit script into instructions for creators: its
fixed elements (kept as they are; copying them is licensed) and its slots
(by default the hook) each creator must replace with their own material.

  create --from ASSET_ID [--slot hook]... [--title T] [--note N]
                     make a pack (slots: element types or 1-based positions)
  list               list the library's packs
  show ID            show a pack's elements and roles
  export ID          write the creator brief: every element with type, time,
                     copy text and attributes; for each slot its length, its
                     job and the library's most played elements of its type
                     as inspiration, marked "do not copy"
                     (--format md|html|json, default md; -o FILE)
  remove ID          delete a pack

Packs live in the library's manifest beside the allowlist (written
atomically, kept by reindex). Check a creator's variant with
` + "`elib check --pack ID FILE`" + `: matches against the pack's fixed elements are
reported as licensed and not counted; a slot that still copies library
material beyond the threshold rejects the variant ("slot not replaced").
Exit codes: 0 ok, 2 error.`,
		Example: `  elib pack create --from baby/teether-05.txt --slot hook --title "牙胶达人版"
  elib pack list
  elib pack export pack-1 --format html -o brief.html
  elib check --pack pack-1 drafts/creator-a.md
  elib pack --sample export pack-teether`,
		Args:      cobra.RangeArgs(1, 2),
		ValidArgs: []string{"create", "list", "show", "export", "remove"},
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPack(cmd.Context(), g, opts, args[0], args[1:])
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.from, "from", "", "create: the asset id of the hit script")
	f.StringArrayVar(&opts.slots, "slot", nil, "create: an element type or 1-based position creators replace (repeatable; default hook)")
	f.StringVar(&opts.title, "title", "", "create: the pack's title (default the asset's title)")
	f.StringVar(&opts.note, "note", "", "create: instructions for creators")
	f.StringVarP(&opts.output, "output", "o", "", "export: write to this file instead of stdout")
	f.IntVar(&opts.inspiration, "inspiration", 3, "export: most played library elements shown per slot")
	f.BoolVar(&opts.sample, "sample", false, "use the embedded sample library and its example packs (read-only)")
	return cmd
}

// runPack is `elib pack` without cobra.
func runPack(ctx context.Context, g *globalOptions, opts packOptions, action string, args []string) error {
	id := ""
	if len(args) > 0 {
		id = args[0]
	}
	needID := map[string]bool{"show": true, "export": true, "remove": true}
	switch {
	case needID[action] && id == "":
		return withCode(exitError, i18n.Errorf("pack %s: give a pack ID (see elib pack list)", action))
	case !needID[action] && id != "":
		return withCode(exitError, i18n.Errorf("pack %s takes no ID", action))
	}
	format := g.format
	switch action {
	case "export":
		if format == "text" {
			format = "md"
		}
		if !contains(pack.Formats, format) {
			return withCode(exitError, i18n.Errorf("pack export: unknown --format %q (md, html, json)", format))
		}
	case "create", "list", "show", "remove":
		if format != "text" && format != "json" {
			return withCode(exitError, i18n.Errorf("unknown --format %q for pack %s (text, json)", format, action))
		}
	default:
		return withCode(exitError, i18n.Errorf("pack: unknown action %q (create, list, show, export, remove)", action))
	}
	write := action == "create" || action == "remove"
	if write && opts.sample {
		return withCode(exitError, i18n.Errorf("pack %s: the embedded sample library is read-only", action))
	}
	var lib kit.Library
	var err error
	if opts.sample {
		engine, err := newEngineLoader().Engine()
		if err != nil {
			return withCode(exitError, err)
		}
		if lib, _, err = sampleLibrary(ctx, engine); err != nil {
			return withCode(exitError, err)
		}
	} else if lib, err = openLibrary(g, index.Options{ReadOnly: !write, SkipVerify: true}); err != nil {
		return err
	}
	defer lib.Close()
	packs := lib

	switch action {
	case "create":
		if opts.from == "" {
			return withCode(exitError, i18n.Errorf("pack create: give --from ASSET_ID (the hit script)"))
		}
		a, err := lib.Asset(opts.from)
		if err != nil {
			return withCode(exitError, i18n.Errorf("pack create: %w", err))
		}
		p, err := pack.New(a, pack.Options{Slots: opts.slots, Title: opts.title, Note: opts.note})
		if err != nil {
			return withCode(exitError, err)
		}
		if p.ID, err = packs.PackAdd(p); err != nil {
			return withCode(exitError, err)
		}
		if g.format == "json" {
			return writeJSON(g.stdout, map[string]string{"id": p.ID})
		}
		fmt.Fprintf(g.stdout, "created %s from %s: slots %s, %d fixed element(s)\n", p.ID, p.From, slotList(p), len(pack.License(p)))
		return nil
	case "list":
		ps := packs.Packs()
		if g.format == "json" {
			if ps == nil {
				ps = []kit.Pack{}
			}
			return writeJSON(g.stdout, map[string]any{"packs": ps})
		}
		if len(ps) == 0 {
			fmt.Fprintln(g.stdout, "no packs (make one with elib pack create --from ASSET_ID)")
		}
		for _, p := range ps {
			fmt.Fprintf(g.stdout, "%-14s %s  from %s  slots %s  %s\n", p.ID, p.Title, p.From, slotList(p), p.Created)
		}
		return nil
	case "remove":
		if err := packs.PackRemove(id); err != nil {
			return withCode(exitError, i18n.Errorf("pack remove: %w", err))
		}
		if g.format == "json" {
			return writeJSON(g.stdout, map[string]string{"removed": id})
		}
		fmt.Fprintf(g.stdout, "removed %s\n", id)
		return nil
	}
	p, err := packs.Pack(id)
	if err != nil {
		return withCode(exitError, i18n.Errorf("pack %s: %w", action, err))
	}
	if action == "show" {
		if g.format == "json" {
			return writeJSON(g.stdout, p)
		}
		fmt.Fprintf(g.stdout, "%s  %s\nfrom %s, created %s\n", p.ID, p.Title, p.From, p.Created)
		if p.Note != "" {
			fmt.Fprintf(g.stdout, "note: %s\n", p.Note)
		}
		for i, e := range p.Elements {
			role := "fixed"
			if e.Slot {
				role = "SLOT "
			}
			fmt.Fprintf(g.stdout, "  %d. %s %-11s %s  %s\n", i+1, role, e.Type, e.ElementID, clip(e.Text, 40))
		}
		return nil
	}
	b, err := pack.NewBrief(ctx, p, lib, opts.inspiration)
	if err != nil {
		return withCode(exitError, err)
	}
	var w io.Writer = g.stdout
	var f *os.File
	if opts.output != "" {
		if f, err = os.Create(opts.output); err != nil {
			return withCode(exitError, i18n.Errorf("pack export: %w", err))
		}
		w = f
	}
	err = b.Write(w, format)
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
	}
	if err != nil {
		return withCode(exitError, i18n.Errorf("pack export: %w", err))
	}
	return nil
}

// slotList names a pack's slots: "hook" or "hook, 3".
func slotList(p kit.Pack) string {
	var s []string
	for _, t := range pack.SlotTypes(p) {
		s = append(s, string(t))
	}
	return strings.Join(s, ", ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// addSamplePacks adds the corpus's example packs to the sample library.
func addSamplePacks(lib *index.Library) error {
	recipes, err := corpus.Packs()
	if err != nil {
		return err
	}
	for _, r := range recipes {
		a, err := lib.Asset(r.From)
		if err != nil {
			return i18n.Errorf("pack %s: %w", r.ID, err)
		}
		p, err := pack.New(a, pack.Options{Slots: r.Slots, Title: r.Title, Note: r.Note})
		if err != nil {
			return err
		}
		p.ID = r.ID
		if _, err := lib.PackAdd(p); err != nil {
			return err
		}
	}
	return nil
}
