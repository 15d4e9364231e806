package insight

import (
	"elib/internal/i18n/msg"
	"strconv"
	"strings"
	"time"

	"elib/element"
)

// ParseSince reads the start of a period: a span back from now ("30d",
// "2w", "12h", "3m" for months, "1y") or a time element.ParseTime reads
// ("2026-11-01"). Empty gives the zero time (unbounded).
func ParseSince(s string, now time.Time) (time.Time, error) {
	t, _, err := parseBound(s, now)
	if err != nil {
		return time.Time{}, msg.Errorf("--since %q: want a span like 30d, 2w, 12h or a date like 2026-11-01", s)
	}
	return t, nil
}

// ParseUntil reads the end of a period like ParseSince; a date without a
// time of day means the end of that day (until 2026-11-30 includes the
// 30th).
func ParseUntil(s string, now time.Time) (time.Time, error) {
	t, date, err := parseBound(s, now)
	if err != nil {
		return time.Time{}, msg.Errorf("--until %q: want a span like 7d or a date like 2026-11-30", s)
	}
	if date && t.Equal(t.Truncate(24*time.Hour)) {
		t = t.Add(24*time.Hour - time.Nanosecond)
	}
	return t, nil
}

// parseBound reads a span back from now or a time; date reports a time
// written without a time of day.
func parseBound(s string, now time.Time) (t time.Time, date bool, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false, nil
	}
	if t, ok, err := ago(s, now); ok {
		return t, false, err
	}
	t, err = element.ParseTime(s)
	return t, !strings.ContainsAny(s, ":T"), err
}

// ago reads "<n><unit>" (h, d, w, m = 30 days, y = 365 days) as now minus
// that span; ok is false when s has another form.
func ago(s string, now time.Time) (time.Time, bool, error) {
	units := map[byte]time.Duration{'h': time.Hour, 'd': 24 * time.Hour, 'w': 7 * 24 * time.Hour, 'm': 30 * 24 * time.Hour, 'y': 365 * 24 * time.Hour}
	if len(s) < 2 {
		return time.Time{}, false, nil
	}
	u, ok := units[s[len(s)-1]]
	if !ok {
		return time.Time{}, false, nil
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil {
		return time.Time{}, false, nil
	}
	if n < 0 || n > 100*365 {
		return time.Time{}, true, msg.Errorf("span %q out of range", s)
	}
	return now.Add(-time.Duration(n) * u), true, nil
}
