package report

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/search"
)

// Limits of the HTML report (the page stays small and fast to build).
const (
	// MaxDrawnRuns is the number of runs (in search order) whose diagrams
	// the page embeds; counterexample runs are always embedded.
	MaxDrawnRuns = 200
	// MaxOutcomes is the number of distinct good outcomes whose lineage
	// graphs the page embeds.
	MaxOutcomes = 16
	// maxRunOutcomes is the number of outcomes shown for one run.
	maxRunOutcomes = 4
	// maxDOTRuns is the number of runs written as DOT files.
	maxDOTRuns = 10
)

// pageData is everything the HTML page draws, embedded as JSON.
type pageData struct {
	Mode     string        `json:"mode"` // "check" or "run"
	Selected int           `json:"selected"`
	Note     string        `json:"note"`
	Runs     []runData     `json:"runs"`
	Outcomes []outcomeData `json:"outcomes"`
}

type runData struct {
	Index      int          `json:"index"`
	Verdict    string       `json:"verdict"`
	Faults     string       `json:"faults"`
	Violations []string     `json:"violations"`
	Targets    []string     `json:"targets"`
	Spacetime  *stView      `json:"spacetime"` // nil beyond MaxDrawnRuns
	Lineage    []runLineage `json:"lineage"`
	Notes      []string     `json:"notes"`
	Replay     string       `json:"replay"`
}

// runLineage is how one outcome's fault-free lineage fares in a run.
type runLineage struct {
	Outcome int       `json:"outcome"` // index into pageData.Outcomes
	Missing []string  `json:"missing"` // tuple nodes absent in the run
	Cut     []cutData `json:"cut"`     // cut firings
	Holds   bool      `json:"holds"`   // the outcome itself holds in the run
	st      *lstatus  // for DOT
	g       *lgraph   // for DOT
}

type cutData struct {
	Node string `json:"node"`
	Why  string `json:"why"` // send, late, body or neg
}

type outcomeData struct {
	Atom      string            `json:"atom"`
	SVG       string            `json:"svg"` // Graphviz layout, sanitised; "" on error
	Tips      map[string]string `json:"tips"`
	Truncated bool              `json:"truncated"`
	Error     string            `json:"error,omitempty"`
	g         *lgraph
}

// page holds the built page and the DOT files.
type page struct {
	data pageData
	dots []dotFile
}

type dotFile struct{ name, text string }

// PageDraw is what the HTML report draws: the first MaxDrawnRuns runs and
// every counterexample (see search.NewEvidence).
var PageDraw = search.Draw{Runs: MaxDrawnRuns, Counterexamples: -1}

// TextDraw is what CheckText draws: the first counterexample.
var TextDraw = search.Draw{Counterexamples: 1}

// buildPage draws the fault-free run of ev (its lineage graphs) and the runs
// of res that ev holds (see PageDraw).
func buildPage(ctx context.Context, prog *dedalus.Program, res *search.Result, ev *search.Evidence, mode string) (*page, error) {
	b := &pageBuilder{ctx: ctx, prog: prog, ev: ev, outcomeIdx: map[string]int{},
		pg: &page{data: pageData{Mode: mode, Runs: []runData{}, Outcomes: []outcomeData{}}}}
	defer b.close()
	pg := b.pg
	isCex := map[int]bool{}
	for _, c := range res.Counterexamples {
		isCex[c.Run] = true
	}
	pg.data.Selected = 1
	if len(res.Counterexamples) > 0 {
		pg.data.Selected = res.Counterexamples[0].Run
	} else if len(res.Runs) > 0 {
		pg.data.Selected = res.Runs[0].Index
	}
	// The DOT files are written for the counterexamples and the selected
	// run only, and at most maxDOTRuns of them.
	var featured []int
	for i := range res.Runs {
		r := &res.Runs[i]
		rd, drawn := b.run(r)
		if drawn && (isCex[r.Index] || r.Index == pg.data.Selected) && len(featured) < maxDOTRuns {
			featured = append(featured, len(pg.data.Runs))
		}
		pg.data.Runs = append(pg.data.Runs, rd)
	}
	if n := len(res.Runs) - MaxDrawnRuns; n > 0 {
		pg.data.Note = fmt.Sprintf("diagrams are embedded for the first %d runs and every counterexample; %d later runs are listed only (runs.json has them all)", MaxDrawnRuns, n)
	}
	for _, k := range featured {
		b.addDOTs(&pg.data.Runs[k])
	}
	return pg, nil
}

// pageBuilder is the state of buildPage: the page so far, the outcomes
// drawn (each once, however many runs show it) and the Graphviz layouter,
// started only when the first outcome is drawn.
type pageBuilder struct {
	ctx        context.Context
	prog       *dedalus.Program
	ev         *search.Evidence
	pg         *page
	outcomeIdx map[string]int // outcome atom -> index in pg.data.Outcomes
	layout     *layouter
}

func (b *pageBuilder) close() {
	if b.layout != nil {
		b.layout.close()
	}
}

// outcome returns the index of o's lineage graph in the page's outcomes,
// drawing it on first use; or -1 and a note saying why it is not drawn. A
// layout failure is noted on the outcome rather than failing the page.
func (b *pageBuilder) outcome(o search.Outcome) (int, string) {
	pg := b.pg
	atom := postText(o)
	if i, ok := b.outcomeIdx[atom]; ok {
		return i, ""
	}
	if len(pg.data.Outcomes) >= MaxOutcomes {
		return -1, fmt.Sprintf("lineage of %s not drawn (more than %d outcomes)", atom, MaxOutcomes)
	}
	id, ok := b.ev.Free.Find(o.Post.Rel, o.Post.Time, o.Post.Args...)
	if !ok {
		return -1, fmt.Sprintf("%s does not hold even without faults: no lineage to cut", atom)
	}
	g := buildLineage(b.ev.Free, id, atom)
	od := outcomeData{Atom: atom, Tips: map[string]string{}, Truncated: g.truncated, g: g}
	for i := range g.nodes {
		od.Tips[g.nodes[i].name] = g.nodes[i].tip()
	}
	var err error
	if b.layout == nil {
		b.layout, err = newLayouter(b.ctx)
	}
	if err == nil {
		od.SVG, err = b.layout.svg(g.dot("", nil, false))
	}
	if err != nil {
		od.Error = "layout failed: " + err.Error()
	}
	b.outcomeIdx[atom] = len(pg.data.Outcomes)
	pg.data.Outcomes = append(pg.data.Outcomes, od)
	return b.outcomeIdx[atom], ""
}

// run is the page's data for run r, and whether its diagrams are drawn:
// runs ev does not hold, or could not re-run, are listed with a note.
func (b *pageBuilder) run(r *search.Run) (runData, bool) {
	ev, p := b.ev, b.ev.Params()
	rd := runData{
		Index: r.Index, Verdict: string(r.Verdict()), Faults: r.Schedule.Canonical().String(),
		Violations: preTexts(r.Violations), Targets: postTexts(r.Targets),
		Lineage: []runLineage{}, Notes: []string{}, Replay: ReplayCommand(p, r.Schedule, b.prog),
	}
	run, drawn, err := ev.Drawn(r.Index)
	if !drawn {
		rd.Notes = append(rd.Notes, "diagrams not embedded (beyond the first runs)")
		return rd, false
	}
	if err != nil {
		rd.Notes = append(rd.Notes, "re-running failed: "+err.Error())
		return rd, false
	}
	rd.Spacetime = newSpacetime(run)
	for _, o := range runOutcomes(r, ev.Good) {
		oi, note := b.outcome(o)
		if oi < 0 {
			rd.Notes = append(rd.Notes, note)
			continue
		}
		g := b.pg.data.Outcomes[oi].g
		st := g.statusIn(run, p, r.Schedule)
		rl := runLineage{Outcome: oi, Missing: []string{}, Cut: []cutData{}, Holds: !st.missing[0], st: &st, g: g}
		for j := range g.nodes {
			if st.missing[j] {
				rl.Missing = append(rl.Missing, g.nodes[j].name)
			}
			if st.cut[j] != "" {
				rl.Cut = append(rl.Cut, cutData{g.nodes[j].name, st.cut[j]})
			}
		}
		rd.Lineage = append(rd.Lineage, rl)
	}
	return rd, true
}

// addDOTs adds the DOT files of a featured run: its spacetime diagram and,
// for its first outcome, the lineage graph without faults and what is left
// of it in the run.
func (b *pageBuilder) addDOTs(rd *runData) {
	pg := b.pg
	name := fmt.Sprintf("run%d", rd.Index)
	pg.dots = append(pg.dots, dotFile{"spacetime-" + name + ".dot",
		rd.Spacetime.dot(fmt.Sprintf("spacetime of run %d: %s", rd.Index, rd.Faults))})
	if len(rd.Lineage) > 0 {
		rl := rd.Lineage[0]
		atom := pg.data.Outcomes[rl.Outcome].Atom
		pg.dots = append(pg.dots,
			dotFile{"lineage-" + name + "-free.dot", rl.g.dot(fmt.Sprintf("lineage of %s in the fault-free run", atom), nil, true)},
			dotFile{"lineage-" + name + ".dot", rl.g.dot(fmt.Sprintf("what is left of the lineage of %s in run %d: %s", atom, rd.Index, rd.Faults), rl.st, true)})
	}
}

// runOutcomes lists the good outcomes to draw for a run: the ones it
// violates, then the ones it was meant to cut; for a run with neither, the
// first good outcome.
func runOutcomes(r *search.Run, good []search.Outcome) []search.Outcome {
	var out []search.Outcome
	add := func(o search.Outcome) {
		if len(out) < maxRunOutcomes && !slices.ContainsFunc(out, func(x search.Outcome) bool { return postText(x) == postText(o) }) {
			out = append(out, o)
		}
	}
	for _, v := range r.Violations {
		add(v)
	}
	for _, t := range r.Targets {
		add(t)
	}
	if len(out) == 0 && len(good) > 0 {
		add(good[0])
	}
	return out
}

// invariantLines returns, per file path, the 1-based lines of the rules and
// facts defining pre and post.
func invariantLines(prog *dedalus.Program) map[string]map[int]bool {
	out := map[string]map[int]bool{}
	text := map[string]string{}
	for _, f := range prog.Files {
		text[f.Path] = f.Text
	}
	mark := func(pos dedalus.Pos) {
		src, ok := text[pos.File]
		if !ok || !pos.IsValid() {
			return
		}
		if out[pos.File] == nil {
			out[pos.File] = map[int]bool{}
		}
		end := clauseEndLine(src, pos.Line, pos.Col)
		for l := pos.Line; l <= end; l++ {
			out[pos.File][l] = true
		}
	}
	for i := range prog.Rules {
		r := &prog.Rules[i]
		if r.Head == prog.Pre || r.Head == prog.Post {
			if r.Head != dedalus.NoRel {
				mark(r.Pos)
			}
		}
	}
	for i := range prog.Facts {
		f := &prog.Facts[i]
		if f.Rel != dedalus.NoRel && (f.Rel == prog.Pre || f.Rel == prog.Post) {
			mark(f.Pos)
		}
	}
	return out
}

// clauseEndLine finds the line of the ';' ending the clause that starts at
// line:col of src, skipping strings and comments.
func clauseEndLine(src string, line, col int) int {
	off := 0
	for l := 1; l < line; l++ {
		i := strings.IndexByte(src[off:], '\n')
		if i < 0 {
			return line
		}
		off += i + 1
	}
	off += col - 1
	cur := line
	for i := off; i >= 0 && i < len(src); i++ {
		switch c := src[i]; {
		case c == '\n':
			cur++
		case c == ';':
			return cur
		case c == '"':
			j := strings.IndexAny(src[i+1:], "\"\n")
			if j < 0 {
				return cur
			}
			i += j + 1
			if src[i] == '\n' {
				cur++
			}
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			j := strings.IndexByte(src[i:], '\n')
			if j < 0 {
				return cur
			}
			i += j
			cur++
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			j := strings.Index(src[i+2:], "*/")
			if j < 0 {
				return cur
			}
			cur += strings.Count(src[i:i+2+j], "\n")
			i += j + 3
		}
	}
	return cur
}
