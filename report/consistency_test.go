package report

import (
	"bytes"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/ldfi/ldfi/calm"
	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/internal/golden"
)

// calmFindings runs the static analysis as ldfi check --out does and
// converts its report (internal/cli does the same for the command).
func calmFindings(t testing.TB, prog *dedalus.Program) *Consistency {
	t.Helper()
	rep, err := calm.Analyze(prog, nil)
	if err != nil {
		t.Fatal(err)
	}
	c := &Consistency{}
	for _, o := range rep.Outcomes {
		co := ConsistencyOutcome{Relation: o.Relation, Confluent: o.Confluent, Class: o.Class}
		for _, p := range o.Points {
			co.Points = append(co.Points, PointOfOrder{Kind: p.Kind, Relation: p.Relation, File: p.File, Line: p.Line, Col: p.Col,
				Rule: p.Rule, Reads: p.Reads, Via: p.Via, Why: p.Detail, Fix: p.Fix})
		}
		c.Outcomes = append(c.Outcomes, co)
	}
	return c
}

// consistencyCases: an arrival-ordered register (two points of order), a
// G-counter (confluent) and an OR-set (two points shared by pre and post).
var consistencyCases = []string{"lww-arrival", "crdt-gcounter", "crdt-orset"}

var (
	sectionRE = regexp.MustCompile(`(?s)<section class="card" id="consistency">.*?</section>\n`)
	pofLineRE = regexp.MustCompile(`<span class="line[^"]* pof"[^>]*>[^<]*</span>`)
)

// emptyPage is a page without runs: the consistency section and the
// listing do not depend on them.
func emptyPage() *page {
	return &page{data: pageData{Mode: "check", Runs: []runData{}, Outcomes: []outcomeData{}}}
}

// TestConsistencyGolden compares the page's consistency section and the
// marked lines of its listing with testdata/golden/consistency-<name>.txtar
// (go test -update rewrites it).
func TestConsistencyGolden(t *testing.T) {
	for _, name := range consistencyCases {
		t.Run(name, func(t *testing.T) {
			prog, err := dedalus.LoadFiles("../examples/" + name + ".ded")
			if err != nil {
				t.Fatal(err)
			}
			sum := &Summary{Params: ParamsJSON{Nodes: []string{}}, Consistency: calmFindings(t, prog)}
			html, err := renderHTML(prog, sum, emptyPage())
			if err != nil {
				t.Fatal(err)
			}
			page := string(html)
			section := sectionRE.FindString(page)
			if section == "" {
				t.Fatal("no consistency section in index.html")
			}
			lines := strings.Join(pofLineRE.FindAllString(page, -1), "\n")
			golden.Read(t, filepath.Join("testdata", "golden", "consistency-"+name+".txtar")).CheckAll(t, 0,
				[]txtar.File{{Name: "section.html", Data: []byte(section)}, {Name: "marked-lines.html", Data: []byte(lines)}})
		})
	}
}

// TestConsistencyWrite: a report written with the findings differs from
// the one without only in index.html (runs.json and the DOT files are the
// same bytes), and the page without them has no trace of the section.
func TestConsistencyWrite(t *testing.T) {
	c := reportCase{name: "lww-arrival", files: []string{"../examples/lww-arrival.ded"}, consistency: true,
		p: fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 6, EFF: 3}}
	with, without := t.TempDir(), t.TempDir()
	writeCase(t, c, with, 1)
	c.consistency = false
	writeCase(t, c, without, 1)
	a, b := readDir(t, with), readDir(t, without)
	if !slices.Equal(names(a), names(b)) {
		t.Fatalf("files %v with the section, %v without", names(a), names(b))
	}
	for _, n := range names(b) {
		if n != "index.html" && !bytes.Equal(a[n], b[n]) {
			t.Errorf("%s differs with the consistency section", n)
		}
	}
	page, old := string(a["index.html"]), string(b["index.html"])
	if !sectionRE.MatchString(page) || len(pofLineRE.FindAllString(page, -1)) != 2 {
		t.Error("the report lacks the section or its two marked lines")
	}
	if strings.Contains(old, `id="consistency"`) || strings.Contains(old, consistencyCSS) || strings.Contains(old, " pof") {
		t.Error("the page without findings has the section, its style or marked lines")
	}
}

// TestConsistencyView: points of order shared by outcomes are listed once,
// numbered by position whatever the order they are given in, linked to
// their line only when the listing has it, and every line of a rule's
// clause is marked.
func TestConsistencyView(t *testing.T) {
	prog, err := dedalus.LoadSource("p.ded", "a(X) :- b(X);\nc(X) :-\n  a(X),\n  notin d(X);\npost(X) :- c(X);\n")
	if err != nil {
		t.Fatal(err)
	}
	neg := PointOfOrder{Kind: "negation", Relation: "c", File: "p.ded", Line: 2, Col: 1, Reads: "notin d(X)", Via: []string{"d", "m"}}
	agg := PointOfOrder{Kind: "aggregate", Relation: "a", File: "p.ded", Line: 1, Col: 1}
	lost := PointOfOrder{Kind: "persistence", Relation: "z", File: "other.ded", Line: 3}
	beyond := PointOfOrder{Kind: "persistence", Relation: "y", File: "p.ded", Line: 99}
	c := &Consistency{Outcomes: []ConsistencyOutcome{
		{Relation: "post", Points: []PointOfOrder{neg, agg, lost, beyond}},
		{Relation: "pre", Points: []PointOfOrder{agg}},
		{Relation: "q", Confluent: true, Class: "monotone"},
	}}
	v := newConsistencyView(c, prog)
	var got []string
	for _, p := range v.Points {
		got = append(got, p.Kind+"@"+p.Where+"#"+p.Anchor+"["+strings.Join(p.Affects, ",")+"]")
	}
	want := []string{"aggregate@p.ded:1#src-0-1[post,pre]", "negation@p.ded:2#src-0-2[post]", "persistence@p.ded:99#[post]", "persistence@other.ded:3#[post]"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("points %q, want %q", got, want)
	}
	if v.Confluent || !strings.HasPrefix(v.Verdict, "order-sensitive (2 of 3 outcomes)") {
		t.Errorf("verdict %q (confluent %v)", v.Verdict, v.Confluent)
	}
	if o := v.Outcomes[1]; o.Verdict != "order-sensitive" || len(o.Points) != 1 || o.Points[0] != 1 {
		t.Errorf("pre: %+v", o)
	}
	if o := v.Outcomes[2]; o.Verdict != "confluent (monotone)" || len(o.Points) != 0 {
		t.Errorf("q: %+v", o)
	}
	if v.Points[1].ViaText != "messages via d <- m" {
		t.Errorf("via %q", v.Points[1].ViaText)
	}
	marked := pointLines(prog, v)["p.ded"]
	for l, want := range map[int]string{1: "point of order #1: aggregate in a", 2: "point of order #2: negation in c", 3: "point of order #2: negation in c", 4: "point of order #2: negation in c", 5: ""} {
		if got := strings.Join(marked[l], "\n"); got != want {
			t.Errorf("line %d marked %q, want %q", l, got, want)
		}
	}
	// The outcomes in another order give the same points.
	c.Outcomes[0], c.Outcomes[1] = c.Outcomes[1], c.Outcomes[0]
	c.Outcomes[1].Points = []PointOfOrder{beyond, lost, agg, neg}
	v2 := newConsistencyView(c, prog)
	for i := range v.Points {
		if v.Points[i].Where != v2.Points[i].Where || v.Points[i].N != v2.Points[i].N {
			t.Errorf("point %d: %s #%d, then %s #%d", i, v.Points[i].Where, v.Points[i].N, v2.Points[i].Where, v2.Points[i].N)
		}
	}
	if newConsistencyView(nil, prog) != nil || len(pointLines(prog, nil)) != 0 {
		t.Error("no findings, yet a section")
	}
}

// TestConsistencyEscaped: the findings' text reaches the page escaped.
func TestConsistencyEscaped(t *testing.T) {
	prog, err := dedalus.LoadSource("p.ded", "post(X) :- pre(X);\n")
	if err != nil {
		t.Fatal(err)
	}
	evil := "<script>window.__pwned=1</script>"
	sum := &Summary{Params: ParamsJSON{Nodes: []string{}}, Consistency: &Consistency{Outcomes: []ConsistencyOutcome{{Relation: evil,
		Points: []PointOfOrder{{Kind: evil, Relation: evil, File: "p.ded", Line: 1, Rule: evil, Reads: evil, Via: []string{evil, evil}, Why: evil, Fix: evil}}}}}}
	html, err := renderHTML(prog, sum, emptyPage())
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(html), "<script"); n != 2 {
		t.Errorf("%d <script elements, want 2 (data and code)", n)
	}
	if !strings.Contains(string(html), `title="point of order #1: &lt;script&gt;`) {
		t.Error("the marked line's title is not escaped")
	}
}
