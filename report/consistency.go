package report

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/ldfi/ldfi/dedalus"
)

// Consistency is what the page's "consistency" section shows: the findings
// of the static CALM analysis of the program (ldfi calm). The caller runs
// the analysis and fills this in (internal/cli from calm.Report); report
// only renders it. It is not part of runs.json (`ldfi calm --format json`
// prints the analysis itself). A nil Consistency omits the section.
type Consistency struct {
	Outcomes []ConsistencyOutcome
}

// ConsistencyOutcome is the verdict on one outcome relation.
type ConsistencyOutcome struct {
	Relation string
	// Confluent: the same at EOT under every delivery order.
	Confluent bool
	// Class is the analysis' class of the relation (local, monotone,
	// transient, settles, order-sensitive).
	Class string
	// Points are the points of order that make the outcome
	// order-sensitive (none when it is confluent).
	Points []PointOfOrder
}

// PointOfOrder is a rule where a non-monotone step meets message-derived
// data: where the order of arrival can change what is derived.
type PointOfOrder struct {
	Kind     string // negation, aggregate, coincidence, persistence, ...
	Relation string // the relation the rule derives
	File     string // as in the program's files
	Line     int
	Col      int
	Rule     string   // the rule as written; empty for a relation not carried forward
	Reads    string   // the body literal at fault
	Via      []string // how messages reach it: its relation first, the @async head last
	Why      string
	Fix      string
}

// consistencyView is the section as the template renders it: each point
// of order once (several outcomes may share one), numbered in order of
// position, with the outcomes it affects.
type consistencyView struct {
	Verdict   string
	Confluent bool
	Outcomes  []outcomeView
	Points    []pointView
}

type outcomeView struct {
	Relation  string
	Confluent bool
	Verdict   string
	Points    []int // numbers of its points of order
}

type pointView struct {
	N int
	PointOfOrder
	Where   string   // file:line
	Anchor  string   // id of its first line in the listing; "" when not shown
	ViaText string   // how messages reach what it reads
	Affects []string // the outcomes it makes order-sensitive
	fileIdx int
}

// pointKey identifies a point of order shared by several outcomes.
func pointKey(p PointOfOrder) string {
	return fmt.Sprintf("%s\x00%d\x00%d\x00%s\x00%s\x00%s", p.File, p.Line, p.Col, p.Kind, p.Relation, p.Reads)
}

// newConsistencyView numbers the distinct points of order by position
// (file order of the program, then line, column, kind, relation, literal) and links
// each to its line in the listing.
func newConsistencyView(c *Consistency, prog *dedalus.Program) *consistencyView {
	if c == nil {
		return nil
	}
	fileIdx, lines := map[string]int{}, map[string]int{}
	for i, f := range prog.Files {
		fileIdx[f.Path] = i
		lines[f.Path] = strings.Count(strings.TrimSuffix(f.Text, "\n"), "\n") + 1
	}
	byKey := map[string]*pointView{}
	var points []*pointView
	for _, o := range c.Outcomes {
		for _, p := range o.Points {
			k := pointKey(p)
			if pv, ok := byKey[k]; ok {
				pv.Affects = append(pv.Affects, o.Relation)
				continue
			}
			// A file the program does not have sorts last and links nowhere.
			pv := &pointView{PointOfOrder: p, Affects: []string{o.Relation}, fileIdx: len(prog.Files)}
			if i, ok := fileIdx[p.File]; ok {
				pv.fileIdx = i
				if p.Line > 0 && p.Line <= lines[p.File] {
					pv.Anchor = lineAnchor(i, p.Line)
				}
			}
			byKey[k] = pv
			points = append(points, pv)
		}
	}
	slices.SortFunc(points, func(a, b *pointView) int {
		return cmp.Or(cmp.Compare(a.fileIdx, b.fileIdx), cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Col, b.Col), cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Relation, b.Relation), cmp.Compare(a.Reads, b.Reads))
	})
	v := &consistencyView{Confluent: true}
	for i, pv := range points {
		pv.N = i + 1
		pv.Where = fmt.Sprintf("%s:%d", pv.File, pv.Line)
		pv.ViaText = viaText(pv.Via)
		slices.Sort(pv.Affects)
		pv.Affects = slices.Compact(pv.Affects)
		v.Points = append(v.Points, *pv)
	}
	sensitive := 0
	for _, o := range c.Outcomes {
		ov := outcomeView{Relation: o.Relation, Confluent: o.Confluent, Verdict: "confluent (" + o.Class + ")"}
		if !o.Confluent {
			ov.Verdict = "order-sensitive"
			sensitive++
			v.Confluent = false
		}
		for _, p := range o.Points {
			ov.Points = append(ov.Points, byKey[pointKey(p)].N)
		}
		slices.Sort(ov.Points)
		ov.Points = slices.Compact(ov.Points)
		v.Outcomes = append(v.Outcomes, ov)
	}
	v.Verdict = consistencyVerdict(len(c.Outcomes), sensitive)
	return v
}

// consistencyVerdict sums up the section in the words of ldfi calm.
func consistencyVerdict(outcomes, sensitive int) string {
	switch {
	case outcomes == 0:
		return "no outcome checked"
	case sensitive == 0:
		return fmt.Sprintf("confluent (%s): the same at EOT under every delivery order, with no coordination", countOf(outcomes, "outcome", "outcomes"))
	}
	return fmt.Sprintf("order-sensitive (%d of %s): what holds at EOT may depend on the order messages arrive in", sensitive, countOf(outcomes, "outcome", "outcomes"))
}

func countOf(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// viaText says how messages reach the literal a point reads, as ldfi calm
// prints it.
func viaText(via []string) string {
	switch {
	case len(via) > 1:
		return "messages via " + strings.Join(via, " <- ")
	case len(via) == 1:
		return "a message relation"
	}
	return ""
}

// lineAnchor is the id of line n (1-based) of the program's i-th file in
// the listing.
func lineAnchor(i, n int) string { return fmt.Sprintf("src-%d-%d", i, n) }

// pointLines returns, per file path, the titles of the listing's lines
// that belong to the rule of a point of order: every line of the clause,
// titled with each point on it ("point of order #1: aggregate in latest").
func pointLines(prog *dedalus.Program, v *consistencyView) map[string]map[int][]string {
	out := map[string]map[int][]string{}
	if v == nil {
		return out
	}
	text := map[string]string{}
	for _, f := range prog.Files {
		text[f.Path] = f.Text
	}
	for _, p := range v.Points {
		src, ok := text[p.File]
		if !ok || p.Anchor == "" {
			continue
		}
		if out[p.File] == nil {
			out[p.File] = map[int][]string{}
		}
		title := fmt.Sprintf("point of order #%d: %s in %s", p.N, p.Kind, p.Relation)
		col := max(p.Col, 1)
		for l := p.Line; l <= clauseEndLine(src, p.Line, col); l++ {
			if !slices.Contains(out[p.File][l], title) {
				out[p.File][l] = append(out[p.File][l], title)
			}
		}
	}
	return out
}
