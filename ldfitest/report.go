package ldfitest

import (
	"bytes"
	"fmt"
	"html/template"
	"os"
	"slices"
	"strings"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/lineage"
	"github.com/ldfi/ldfi/report"
	"github.com/ldfi/ldfi/search"
	"github.com/ldfi/ldfi/sim"
)

// Report is the outcome of a check: the search's result and, for a
// counterexample, its replayed run and the fault-free run it is judged
// against.
type Report struct {
	Cluster *sim.Cluster
	Config  search.Config
	Result  *search.Result
	// Run is the first counterexample, replayed (nil without one).
	Run *sim.Run
	// Free is the fault-free run with lineage (nil without a
	// counterexample).
	Free *sim.Run
	// Command reruns the test (set by Check): go test PKG -run 'NAME'.
	Command string
}

// Headline is the verdict in one line, in words that say what it means.
func (r *Report) Headline() string {
	res := r.Result
	var v string
	switch {
	case res.Verdict == search.NoCounterexample:
		v = "no counterexample within the lineage-guided search"
	case res.Verdict == search.Certified:
		v = "certified: every schedule within the bounds was run"
	case res.Verdict == search.Counterexample:
		v = "counterexample"
	default:
		v = string(res.Verdict)
	}
	return fmt.Sprintf("%s after %d executions (%s)", v, res.Executions, r.bounds())
}

func (r *Report) bounds() string {
	p := r.Config.Params
	s := fmt.Sprintf("nodes %s, EOT %d, EFF %d, crashes %d", strings.Join(p.Nodes, ","), p.EOT, p.EFF, p.MaxCrashes)
	if p.MaxDelay > 0 {
		s += fmt.Sprintf(", delay %d", p.MaxDelay)
	}
	if p.Duplicates {
		s += ", duplicates"
	}
	if p.MaxPartitions > 0 {
		s += fmt.Sprintf(", partitions %d", p.MaxPartitions)
	}
	if p.OmissionsBounded {
		s += fmt.Sprintf(", omissions %d", p.MaxOmissions)
	}
	strategy := r.Config.Strategy
	if strategy == "" {
		strategy = search.LDFI
	}
	return s + "; strategy " + string(strategy)
}

// Text is the report as a test failure prints it: the headline, why the
// search stopped, and for a counterexample its schedule, what it violated
// and why, the spacetime of the failing run and the replay command.
func (r *Report) Text() string {
	var w strings.Builder
	res := r.Result
	fmt.Fprintln(&w, r.Headline())
	if res.Reason != "" {
		fmt.Fprintf(&w, "stopped: %s\n", res.Reason)
	}
	for _, n := range res.Notes {
		fmt.Fprintf(&w, "note: %s\n", n)
	}
	if len(res.Counterexamples) == 0 || r.Run == nil {
		return w.String()
	}
	c := res.Counterexamples[0]
	fmt.Fprintf(&w, "counterexample (run %d): %s\n", c.Run, c.Schedule)
	for _, v := range r.Run.Violations() {
		fmt.Fprintf(&w, "  violated: %s expected at EOT %d, %s\n", v.Key, r.Config.Params.EOT, r.why(v))
	}
	fmt.Fprintf(&w, "spacetime of run %d:\n", c.Run)
	r.Run.Spacetime(&w)
	if r.Command != "" {
		fmt.Fprintf(&w, "replay: %s -ldfi.replay='%s'\n", r.Command, c.Schedule)
	} else {
		fmt.Fprintf(&w, "replay: go test -run TEST -ldfi.replay='%s'\n", c.Schedule)
	}
	return w.String()
}

// why says why expectation v fails: the send events of its fault-free
// lineage that the schedule removes or delays.
func (r *Report) why(v sim.Expectation) string {
	if r.Run.Holds(v.Key) {
		return "declared but broken (a conflicting outcome)"
	}
	if !r.Free.Holds(v.Key) {
		return "never declared, even without faults"
	}
	p, s := r.Config.Params, r.Run.Schedule
	late := map[lineage.Event]int{}
	var cut []lineage.Event
	for _, set := range r.Free.Support(v.Key) {
		for _, e := range set {
			f := p.Fate(s, e.From, e.To, e.Time)
			if (f.Cause != fault.Kept || f.Delay > 0) && !slices.Contains(cut, e) {
				cut = append(cut, e)
				late[e] = f.Delay
			}
		}
	}
	if len(cut) == 0 {
		return "never declared: the schedule changed what the code did beyond its lineage (e.g. a timeout fired)"
	}
	slices.SortFunc(cut, func(a, b lineage.Event) int {
		if a.Time != b.Time {
			return a.Time - b.Time
		}
		return strings.Compare(a.String(), b.String())
	})
	texts := make([]string, len(cut))
	for i, e := range cut {
		texts[i] = e.String()
		if d := late[e]; d > 0 {
			texts[i] += fmt.Sprintf(" (late +%d)", d)
		}
	}
	return "never declared: without faults it depended on the sends " + strings.Join(texts, ", ") + "; this schedule cuts them"
}

// Summary is the JSON summary of the search, in the runs.json format of
// ldfi check (report.Summary; files empty, version "ldfitest").
func (r *Report) Summary() *report.Summary {
	return report.NewSummary(&dedalus.Program{}, r.Config, r.Result, "ldfitest")
}

// Write writes report.txt, runs.json and index.html into dir (created if
// needed; the three files replaced).
func (r *Report) Write(dir string) error {
	data, err := report.JSON(r.Summary())
	if err != nil {
		return err
	}
	page, err := r.html()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for name, content := range map[string][]byte{"report.txt": []byte(r.Text()), "runs.json": data, "index.html": page} {
		if err := os.WriteFile(dir+"/"+name, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

var pageTmpl = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>ldfi: {{.Headline}}</title>
<style>body{font-family:sans-serif;margin:2em;max-width:70em}pre{background:#f6f6f6;padding:1em;overflow:auto}
td,th{padding:.2em .8em;text-align:left}tr.violation{color:#b00}</style></head><body>
<h1>{{.Headline}}</h1>
<pre>{{.Text}}</pre>
<h2>Runs</h2>
<table><tr><th>run</th><th>schedule</th><th>verdict</th><th>hypothesis</th></tr>
{{range .Runs}}<tr class="{{.Verdict}}"><td>{{.Index}}</td><td>{{.Schedule}}</td><td>{{.Verdict}}</td><td>{{.Targets}}</td></tr>
{{end}}</table></body></html>
`))

type pageRun struct {
	Index                      int
	Schedule, Verdict, Targets string
}

// html renders a small self-contained page: the text report and the runs.
func (r *Report) html() ([]byte, error) {
	var runs []pageRun
	for _, x := range r.Result.Runs {
		var ts []string
		for _, o := range x.Targets {
			ts = append(ts, o.Post.Atom())
		}
		runs = append(runs, pageRun{x.Index, x.Schedule.String(), string(x.Verdict()), strings.Join(ts, " ")})
	}
	var b bytes.Buffer
	err := pageTmpl.Execute(&b, map[string]any{"Headline": r.Headline(), "Text": r.Text(), "Runs": runs})
	return b.Bytes(), err
}
