package report

import (
	"fmt"
	"strings"
	"time"

	"elib/element"
)

// SourceInfo is what a reviewer needs to know of a library asset a check
// matched: its title, account, platform and published date (the id is the
// fallback when the asset carries none).
type SourceInfo struct {
	AssetID   string `json:"asset_id"`
	Title     string `json:"title,omitempty"`
	Account   string `json:"account,omitempty"`
	Platform  string `json:"platform,omitempty"`
	Published string `json:"published,omitempty"`
}

// Name is the source's title, else its id.
func (s SourceInfo) Name() string {
	if s.Title != "" {
		return s.Title
	}
	return s.AssetID
}

// Detail is "account · platform · published", leaving out what is unknown.
func (s SourceInfo) Detail() string {
	var parts []string
	for _, p := range []string{s.Account, s.Platform, s.Published} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, " · ")
}

// AssetReader reads a library asset by id (check.Source and every library
// have it).
type AssetReader interface {
	Asset(id string) (*element.Asset, error)
}

// accountKeys and platformKeys are the metadata keys naming an asset's
// account and platform, in order of preference (as stats --by reads them).
var (
	accountKeys  = []string{"account", "账号", "达人", "creator", "author", "作者"}
	platformKeys = []string{"platform", "平台", "投放平台"}
)

// Describe fills r.Sources for every asset the results matched, reading
// each once from lib; an asset that cannot be read is named by its id.
func (r *Report) Describe(lib AssetReader) {
	if r.Sources == nil {
		r.Sources = map[string]SourceInfo{}
	}
	for _, res := range r.Results {
		for _, e := range res.Elements {
			for _, m := range e.Matches {
				if _, ok := r.Sources[m.AssetID]; ok || lib == nil {
					continue
				}
				r.Sources[m.AssetID] = describeAsset(lib, m.AssetID, r.zone())
			}
		}
	}
}

// DescribeByTitle names every matched asset by the title its elements
// carry, reading nothing: all that the history and the JSON reply name.
// (Describe reads every matched asset for the account, platform and date
// the HTML report and the workbook show.)
func (r *Report) DescribeByTitle() {
	if r.Sources == nil {
		r.Sources = map[string]SourceInfo{}
	}
	for _, res := range r.Results {
		for _, e := range res.Elements {
			for _, m := range e.Matches {
				if _, ok := r.Sources[m.AssetID]; !ok {
					r.Sources[m.AssetID] = SourceInfo{AssetID: m.AssetID, Title: m.Title}
				}
			}
		}
	}
}

func describeAsset(lib AssetReader, id string, zone *time.Location) SourceInfo {
	info := SourceInfo{AssetID: id}
	a, err := lib.Asset(id)
	if err != nil || a == nil {
		return info
	}
	info.Title = a.Title
	info.Account = metaString(a.Meta, accountKeys)
	info.Platform = metaString(a.Meta, platformKeys)
	for _, k := range []string{"published", "published_at", "发布时间", "发布日期", "created", "created_at", "创建时间", "创建日期"} {
		if v, ok := a.Meta[k]; ok && v != nil {
			if t, err := element.ParseTime(fmt.Sprint(v)); err == nil {
				info.Published = t.In(zone).Format("2006-01-02")
				break
			}
		}
	}
	return info
}

func metaString(meta map[string]any, keys []string) string {
	for _, k := range keys {
		if v, ok := meta[k]; ok && v != nil {
			if s := strings.TrimSpace(fmt.Sprint(v)); s != "" {
				return s
			}
		}
	}
	return ""
}

// source returns what r knows of asset id (at least the id).
func (r *Report) source(id string) SourceInfo {
	if s, ok := r.Sources[id]; ok {
		return s
	}
	return SourceInfo{AssetID: id}
}

// zone is the time zone the report prints times in: Zone (the library's
// or --tz), else reportZone.
func (r *Report) zone() *time.Location {
	if r.Zone != nil {
		return r.Zone
	}
	return reportZone
}

// reportZone is the time zone reports print times in when the report
// names none: the team's (Asia/Shanghai, the library's default zone),
// UTC+8 when the zone data is missing.
var reportZone = func() *time.Location {
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}()
