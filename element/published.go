package element

import (
	"elib/internal/i18n/msg"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// MetaImported is the metadata key the library stamps with the import time
// (RFC 3339 in UTC to the millisecond, ImportedLayout) when an asset
// arrives without one; Published falls back to it.
const MetaImported = "imported"

// ImportedLayout is MetaImported's time format. Milliseconds keep the
// batches of one import apart: an asset is checked against the library as
// of its publication, and a batch stamped in the same second as the one
// before would count as published with it.
const ImportedLayout = "2006-01-02T15:04:05.000Z07:00"

// publishedKeys are the metadata keys that give an asset's published time,
// in order of preference (English and Chinese column names).
var publishedKeys = []string{"published", "published_at", "发布时间", "发布日期", "created", "created_at", "创建时间", "创建日期", MetaImported}

// playsKeys are the metadata keys that give an asset's play count.
var playsKeys = []string{"plays", "play_count", "views", "播放量", "播放", "播放次数"}

// Published returns when the asset was published: its meta published or
// created time, else the time the library imported it. ok is false when
// the asset carries none (or none that parses).
func (a *Asset) Published() (t time.Time, ok bool) {
	for _, k := range publishedKeys {
		v, has := a.Meta[k]
		if !has || v == nil {
			continue
		}
		if t, err := ParseTime(fmt.Sprint(v)); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// Plays returns the asset's play count from its metadata (plays, views,
// 播放量…), and whether it has one.
func (a *Asset) Plays() (float64, bool) {
	for _, k := range playsKeys {
		v, has := a.Meta[k]
		if !has || v == nil {
			continue
		}
		if n, err := ParseCount(fmt.Sprint(v)); err == nil {
			return n, true
		}
	}
	return 0, false
}

// timeLayouts are the forms ParseTime accepts, most specific first.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04",
	"2006-01-02",
	"2006/01/02 15:04:05",
	"2006/01/02 15:04",
	"2006/01/02",
	"2006.01.02",
	"2006年1月2日",
	"2006-01",
}

// ParseTime reads a time as table exports and JSON metadata write it:
// RFC 3339, "2006-01-02[ 15:04[:05]]", slashes or dots for dashes,
// "2026年3月5日", or Unix seconds / milliseconds. Times without a zone are
// UTC.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, msg.Errorf("empty time")
	}
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), nil
		}
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n > 0 {
		switch {
		case n >= 1e11 && n < 1e14: // milliseconds
			return time.UnixMilli(n).UTC(), nil
		case n >= 1e8 && n < 1e11: // seconds
			return time.Unix(n, 0).UTC(), nil
		}
	}
	return time.Time{}, msg.Errorf("unrecognised time %q (want e.g. 2026-03-05, 2026-03-05 18:00 or RFC 3339)", s)
}

// ParseCount reads a count as marketing tables write it: "12000",
// "12,000", "1.2万", "3w", "1.5k", "2亿".
func ParseCount(s string) (float64, error) {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	mult := 1.0
	for _, u := range []struct {
		suffix string
		m      float64
	}{{"万", 1e4}, {"w", 1e4}, {"W", 1e4}, {"亿", 1e8}, {"k", 1e3}, {"K", 1e3}, {"m", 1e6}, {"M", 1e6}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.m
			break
		}
	}
	n, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
		return 0, msg.Errorf("unrecognised count %q", s)
	}
	return n * mult, nil
}
