package element

import (
	"regexp"
	"strconv"
	"strings"
)

// timeRangeRe matches a time range right after a label: (0-3s), （0:00-0:03）,
// 0s-3s, [3-11s], 00:00:03,000-00:00:11,000, with ASCII or full-width
// brackets and dashes.
var timeRangeRe = regexp.MustCompile(`^[ \t　]*([(（\[［]?)[ \t　]*` +
	`(\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?|\d+(?:\.\d+)?[ \t]*(?:ms|s|秒)?)` +
	`[ \t　]*(?:-|–|—|~|～|至|到|－|-->)[ \t　]*` +
	`(\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?|\d+(?:\.\d+)?[ \t]*(?:ms|s|秒)?)` +
	`[ \t　]*([)）\]］]?)`)

// parseTimeRange reads a time range at the start of s and returns it in ms
// with the rest of s. ok is false when s does not start with one.
func parseTimeRange(s string) (startMs, endMs int64, rest string, ok bool) {
	if s == "" {
		return 0, 0, s, false
	}
	m := timeRangeRe.FindStringSubmatch(s)
	if m == nil {
		return 0, 0, s, false
	}
	open, a, b, closeB := m[1], m[2], m[3], m[4]
	if (open == "") != (closeB == "") {
		return 0, 0, s, false
	}
	unitA, unitB := timeUnit(a), timeUnit(b)
	if open == "" && unitA == "" && unitB == "" {
		// "3-5天" is text; a bare range needs a unit or clock notation.
		return 0, 0, s, false
	}
	unit := unitB
	if unit == "" {
		unit = unitA
	}
	if unit == "" {
		unit = "s"
	}
	sa, okA := clockMs(a, unitA, unit)
	sb, okB := clockMs(b, unitB, unit)
	if !okA || !okB || sb < sa {
		return 0, 0, s, false
	}
	return sa, sb, s[len(m[0]):], true
}

// timeUnit returns "clock", "ms", "s" or "" (no unit) for one endpoint.
func timeUnit(t string) string {
	switch {
	case strings.Contains(t, ":"):
		return "clock"
	case strings.HasSuffix(t, "ms"):
		return "ms"
	case strings.HasSuffix(t, "s"), strings.HasSuffix(t, "秒"):
		return "s"
	}
	return ""
}

func clockMs(t, unit, fallback string) (int64, bool) {
	if unit == "" {
		unit = fallback
		if unit == "clock" {
			unit = "s"
		}
	}
	t = strings.TrimSpace(t)
	switch unit {
	case "clock":
		return parseClock(t)
	case "ms":
		v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(t, "ms")), 64)
		return int64(v), err == nil
	default:
		t = strings.TrimSuffix(strings.TrimSuffix(t, "秒"), "s")
		v, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		return int64(v*1000 + 0.5), err == nil && v < 1e9
	}
}

// parseClock reads m:ss, mm:ss.mmm, h:mm:ss or hh:mm:ss,mmm into ms.
func parseClock(t string) (int64, bool) {
	frac := int64(0)
	if i := strings.IndexAny(t, ".,"); i >= 0 {
		f := t[i+1:]
		if f == "" || len(f) > 3 {
			return 0, false
		}
		v, err := strconv.Atoi(f)
		if err != nil || v < 0 {
			return 0, false
		}
		for k := len(f); k < 3; k++ {
			v *= 10
		}
		frac = int64(v)
		t = t[:i]
	}
	parts := strings.Split(t, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	if len(parts[len(parts)-1]) != 2 || (len(parts) == 3 && len(parts[1]) != 2) {
		return 0, false // seconds (and minutes after hours) have two digits
	}
	var nums [3]int64
	for i, p := range parts {
		if p == "" || len(p) > 3 {
			return 0, false
		}
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 {
			return 0, false
		}
		nums[i] = int64(v)
	}
	var h, m, s int64
	if len(parts) == 3 {
		h, m, s = nums[0], nums[1], nums[2]
	} else {
		m, s = nums[0], nums[1]
	}
	if s >= 60 || (len(parts) == 3 && m >= 60) {
		return 0, false
	}
	return ((h*60+m)*60+s)*1000 + frac, true
}

// parseSeconds reads a table cell time: seconds ("3.1", "3s"), ms ("3100ms")
// or a clock ("0:03", "00:00:03,100").
func parseSeconds(cell string) (int64, bool) {
	c := strings.TrimSpace(cell)
	if c == "" {
		return 0, false
	}
	u := timeUnit(c)
	if u == "" {
		u = "s"
	}
	return clockMs(c, u, "s")
}
