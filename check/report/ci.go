package report

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"

	"elib/check"
)

func verdictMessage(res *check.Result, threshold float64) string {
	msg := fmt.Sprintf("duplication %s %s threshold %s", pct(res.Duplication),
		map[bool]string{true: ">", false: "<="}[res.Verdict == check.Reject], pct(threshold))
	if res.Level != "" {
		msg += fmt.Sprintf(", platform level %s (%s)", res.Level, res.Level.Band())
	}
	if res.Reason != "" {
		msg += "; " + res.Reason
	}
	if src := topSources(res, 3); len(src) > 0 {
		ids := make([]string, len(src))
		for i, s := range src {
			ids[i] = s.AssetID
		}
		msg += "; sources: " + strings.Join(ids, ", ")
	}
	return msg
}

// JUnit XML (the schema GitLab and Jenkins read).
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Error     *junitFailure `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

func writeJUnit(w io.Writer, r *Report) error {
	s := junitSuite{Name: "elib check"}
	for _, res := range r.Results {
		c := junitCase{Name: res.File, Classname: "elib.check", File: res.File,
			SystemOut: verdictMessage(res, r.Threshold) + warningLines(res)}
		if res.Verdict == check.Reject {
			var body strings.Builder
			for _, e := range res.Elements {
				if len(e.Matches) == 0 {
					continue
				}
				m := e.Matches[0]
				fmt.Fprintf(&body, "%s (line %d): %s duplicated, best match %s (%s) containment %s\n",
					e.Type, e.Line, pct(e.Duplication), m.ElementID, m.AssetID, pct(m.Containment))
			}
			c.Failure = &junitFailure{Message: verdictMessage(res, r.Threshold), Type: "duplication", Body: body.String()}
			s.Failures++
		}
		s.Cases = append(s.Cases, c)
	}
	for _, e := range sortedErrors(r.Errors) {
		s.Cases = append(s.Cases, junitCase{Name: e.File, Classname: "elib.check", File: e.File,
			Error: &junitFailure{Message: e.Error, Type: "input"}})
		s.Errors++
	}
	s.Tests = len(s.Cases)
	doc := junitSuites{Name: "elib", Tests: s.Tests, Failures: s.Failures, Errors: s.Errors, Suites: []junitSuite{s}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// SARIF 2.1.0, the subset GitHub code scanning reads.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID               string       `json:"id"`
	Name             string       `json:"name"`
	ShortDescription sarifMessage `json:"shortDescription"`
	FullDescription  sarifMessage `json:"fullDescription"`
	DefaultConfig    struct {
		Level string `json:"level"`
	} `json:"defaultConfiguration"`
}

type sarifMessage struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID     string          `json:"ruleId"`
	Level      string          `json:"level"`
	Message    sarifMessage    `json:"message"`
	Locations  []sarifLocation `json:"locations"`
	Properties map[string]any  `json:"properties,omitempty"`
}

type sarifLocation struct {
	Physical sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	Artifact struct {
		URI string `json:"uri"`
	} `json:"artifactLocation"`
	Region sarifRegion `json:"region"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
	EndLine   int `json:"endLine"`
}

func sarifLoc(file string, start, end int) sarifLocation {
	var l sarifLocation
	l.Physical.Artifact.URI = file
	l.Physical.Region = sarifRegion{StartLine: start, EndLine: end}
	return l
}

const (
	ruleDuplication = "elib/duplication"
	ruleInput       = "elib/input"
	ruleFatigue     = "elib/fatigue"
)

// reasonSuffix is "; <reason>" for a result rejected for a reason beyond
// its duplication ("" otherwise).
func reasonSuffix(res *check.Result) string {
	if res.Reason == "" {
		return ""
	}
	return "; " + res.Reason
}

// warningLines is the result's warnings, one "warning: …" line each after
// a newline ("" without warnings).
func warningLines(res *check.Result) string {
	var b strings.Builder
	for _, w := range res.Warnings {
		b.WriteString("\nwarning: " + w.Message)
	}
	return b.String()
}

func writeSARIF(w io.Writer, r *Report) error {
	dup := sarifRule{ID: ruleDuplication, Name: "ScriptDuplication",
		ShortDescription: sarifMessage{"Script duplicates library material"},
		FullDescription:  sarifMessage{fmt.Sprintf("The share of the script's countable characters found in the element library is above the threshold (%s); platforms demote homogeneous content.", pct(r.Threshold))}}
	dup.DefaultConfig.Level = "error"
	in := sarifRule{ID: ruleInput, Name: "UnreadableScript",
		ShortDescription: sarifMessage{"Script could not be read"},
		FullDescription:  sarifMessage{"The input could not be decoded or parsed, so it was not checked."}}
	in.DefaultConfig.Level = "error"
	fat := sarifRule{ID: ruleFatigue, Name: "FatiguedElement",
		ShortDescription: sarifMessage{"Script reuses a fatigued element"},
		FullDescription:  sarifMessage{"An element reuses library material that many assets reused within the last days; audiences tire of it. A warning, never a rejection."}}
	fat.DefaultConfig.Level = "warning"
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: "elib", Version: r.Version, Rules: []sarifRule{dup, in, fat}}}}
	for _, res := range r.Results {
		for _, wn := range res.Warnings {
			line := 1
			if wn.Element >= 0 && wn.Element < len(res.Elements) {
				line = max(1, res.Elements[wn.Element].Line)
			}
			run.Results = append(run.Results, sarifResult{RuleID: ruleFatigue, Level: "warning",
				Message: sarifMessage{wn.Message}, Locations: []sarifLocation{sarifLoc(res.File, line, line)}})
		}
		if res.Verdict != check.Reject {
			continue
		}
		for i := range res.Elements {
			e := &res.Elements[i]
			if len(e.Matches) == 0 {
				continue
			}
			var locs []sarifLocation
			for _, m := range e.Matches {
				for _, s := range m.Spans {
					a, b := lineSpan(e, s.Start, s.End)
					locs = append(locs, sarifLoc(res.File, a, b))
				}
			}
			m := e.Matches[0]
			run.Results = append(run.Results, sarifResult{
				RuleID: ruleDuplication, Level: "error",
				Message: sarifMessage{fmt.Sprintf("%s element is %s duplicated (script %s %s %s, platform level %s); best match %s in %s, containment %s%s",
					e.Type, pct(e.Duplication), pct(res.Duplication), map[bool]string{true: ">", false: "<="}[res.Duplication > r.Threshold],
					pct(r.Threshold), res.Level, m.ElementID, m.AssetID, pct(m.Containment), reasonSuffix(res))},
				Locations:  locs[:1],
				Properties: map[string]any{"duplication": res.Duplication, "platform_level": res.Level, "element_duplication": e.Duplication, "spans": len(locs)},
			})
		}
	}
	for _, e := range sortedErrors(r.Errors) {
		line := max(e.Line, 1)
		run.Results = append(run.Results, sarifResult{RuleID: ruleInput, Level: "error",
			Message: sarifMessage{e.Error}, Locations: []sarifLocation{sarifLoc(e.File, line, line)}})
	}
	if run.Results == nil {
		run.Results = []sarifResult{}
	}
	doc := sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// GitHub workflow commands: one annotation per rejected element, a notice
// per passing file.
func writeGitHub(w io.Writer, r *Report) error {
	var b strings.Builder
	for _, res := range r.Results {
		for _, wn := range res.Warnings {
			fmt.Fprintf(&b, "::warning file=%s,title=%s::%s\n", ghProp(res.File), ghProp("elib: "+wn.Kind), ghData(wn.Message))
		}
		if res.Verdict != check.Reject {
			fmt.Fprintf(&b, "::notice file=%s,title=%s::%s\n", ghProp(res.File), ghProp("elib: pass"), ghData(verdictMessage(res, r.Threshold)))
			continue
		}
		annotated := false
		for i := range res.Elements {
			e := &res.Elements[i]
			if len(e.Matches) == 0 || len(e.Matches[0].Spans) == 0 {
				continue
			}
			sp := e.Matches[0].Spans
			a, _ := lineSpan(e, sp[0].Start, sp[0].End)
			_, z := lineSpan(e, sp[len(sp)-1].Start, sp[len(sp)-1].End)
			fmt.Fprintf(&b, "::error file=%s,line=%d,endLine=%d,title=%s::%s\n", ghProp(res.File), a, z,
				ghProp("elib: duplicated "+string(e.Type)),
				ghData(fmt.Sprintf("%s duplicated, matches %s (%s); %s", pct(e.Duplication), e.Matches[0].ElementID, e.Matches[0].AssetID, verdictMessage(res, r.Threshold))))
			annotated = true
		}
		if !annotated {
			fmt.Fprintf(&b, "::error file=%s,title=%s::%s\n", ghProp(res.File), ghProp("elib: reject"), ghData(verdictMessage(res, r.Threshold)))
		}
	}
	for _, e := range sortedErrors(r.Errors) {
		fmt.Fprintf(&b, "::error file=%s,line=%d,title=%s::%s\n", ghProp(e.File), max(e.Line, 1), ghProp("elib: unreadable input"), ghData(e.Error))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ghData escapes a workflow-command message; ghProp a property value.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func ghProp(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
