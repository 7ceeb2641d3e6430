package report

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/goccy/go-graphviz"
	"github.com/rogpeppe/go-internal/txtar"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/internal/golden"
	"github.com/ldfi/ldfi/search"
)

// reportCase is one report the tests build: a search (check) or one run.
type reportCase struct {
	name  string
	files []string
	p     fault.Params
	omit  []fault.Omission // run mode when omit or crash is set, or run is true
	crash []fault.Crash
	// the asynchrony faults of a run
	delays []fault.Delay
	dups   []fault.Duplicate
	parts  []fault.Partition
	run    bool
	// strategy of the search (default ldfi).
	strategy search.Strategy
	// consistency adds the static CALM analysis (the page's consistency
	// section), as ldfi check --out does.
	consistency bool
}

// cases are the golden cases. Searches whose run order the LDFI strategy
// decides are kept to the most stable ones (the search may change its
// order); the richer pictures come from single runs.
var cases = []reportCase{
	{name: "simple-deliv", files: []string{"../examples/simple-deliv.ded"},
		p: fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 4, EFF: 2}},
	{name: "redun-deliv-certified", files: []string{"../examples/redun-deliv.ded"},
		p: fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 4, EFF: 2}},
	{name: "simple-deliv-exhaustive", files: []string{"../examples/simple-deliv.ded"}, strategy: search.Exhaustive,
		p: fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 4, EFF: 2}},
	{name: "run-simple-deliv-omit", files: []string{"../examples/simple-deliv.ded"}, run: true,
		p:    fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 4, EFF: 2},
		omit: []fault.Omission{{From: "a", To: "b", Time: 1}}},
	{name: "run-retry-deliv-crash", files: []string{"../examples/retry-deliv.ded"}, run: true,
		p:     fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 4, EFF: 2, MaxCrashes: 1},
		omit:  []fault.Omission{{From: "a", To: "b", Time: 1}},
		crash: []fault.Crash{{Node: "a", Time: 2}}},
	asyncCase,
}

// asyncCase is a run with each asynchrony fault: a's retried broadcast
// to b sent at 1 arrives 2 steps late, to c sent at 1 arrives twice (at 2
// and 4), and a partition {a,b} | {c} loses a's sends to c at 2 and 3.
var asyncCase = reportCase{name: "run-retry-deliv-async", files: []string{"../examples/retry-deliv.ded"}, run: true,
	p:      fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 5, EFF: 4, MaxDelay: 2, Duplicates: true, MaxPartitions: 1},
	delays: []fault.Delay{{From: "a", To: "b", Time: 1, By: 2}},
	dups:   []fault.Duplicate{{From: "a", To: "c", Time: 1, By: 2}},
	parts:  []fault.Partition{{Groups: [2][]string{{"a", "b"}, {"c"}}, From: 2, To: 3}}}

func (c reportCase) schedule() fault.Schedule {
	return fault.Schedule{Omissions: c.omit, Crashes: c.crash, Delays: c.delays, Duplicates: c.dups, Partitions: c.parts}
}

// retryCheck is a search with a crash and an omission in its
// counterexample and several runs (the browser tests click through them).
var retryCheck = reportCase{name: "retry-deliv", files: []string{"../examples/retry-deliv.ded"},
	p: fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 4, EFF: 2, MaxCrashes: 1}}

func caseNamed(t testing.TB, name string) reportCase {
	for _, c := range cases {
		if c.name == name {
			return c
		}
	}
	t.Fatalf("no case %s", name)
	return reportCase{}
}

// writeCase builds the case's report into dir.
func writeCase(t testing.TB, c reportCase, dir string, parallel int) {
	t.Helper()
	prog, err := dedalus.LoadFiles(c.files...)
	if err != nil {
		t.Fatal(err)
	}
	if c.run {
		if err := writeRun(dir, prog, c.p, c.schedule()); err != nil {
			t.Fatal(err)
		}
		return
	}
	cfg := search.Config{Params: c.p, Strategy: search.LDFI, Parallel: parallel, NegativeSupport: true, Symmetry: true}
	if c.strategy != "" {
		cfg.Strategy = c.strategy
	}
	res, err := search.Check(context.Background(), prog, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ev, err := search.NewEvidence(context.Background(), prog, cfg.Params, res, PageDraw)
	if err != nil {
		t.Fatal(err)
	}
	sum := NewSummary(prog, cfg, res, "test")
	if c.consistency {
		sum.Consistency = calmFindings(t, prog)
	}
	if err := Write(dir, prog, cfg, res, ev, sum); err != nil {
		t.Fatal(err)
	}
}

func readDir(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, e := range ents {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = data
	}
	return out
}

func names(m map[string][]byte) []string {
	var ns []string
	for n := range m {
		ns = append(ns, n)
	}
	slices.Sort(ns)
	return ns
}

// TestGolden compares runs.json and every DOT file with the archive
// testdata/golden/<case>.txtar (go test -update rewrites it).
func TestGolden(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeCase(t, c, dir, 1)
			got := readDir(t, dir)
			if _, ok := got["index.html"]; !ok {
				t.Fatalf("no index.html among %v", names(got))
			}
			// The page states how a certificate was obtained, like runs.json.
			if strings.Contains(string(got["runs.json"]), `"certificate_method": "exact"`) &&
				!strings.Contains(string(got["index.html"]), `<dd id="certificate">exact</dd>`) {
				t.Errorf("index.html does not show the exact certificate")
			}
			delete(got, "index.html")
			var files []txtar.File
			for _, n := range names(got) {
				files = append(files, txtar.File{Name: n, Data: got[n]})
			}
			golden.Read(t, filepath.Join("testdata", "golden", c.name+".txtar")).CheckAll(t, 0, files)
		})
	}
}

// TestDOTParses checks every DOT file is valid Graphviz input.
func TestDOTParses(t *testing.T) {
	ctx := context.Background()
	gv, err := graphviz.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer gv.Close()
	dir := t.TempDir()
	writeCase(t, retryCheck, dir, 1)
	n := 0
	for name, data := range readDir(t, dir) {
		if !strings.HasSuffix(name, ".dot") {
			continue
		}
		n++
		g, err := graphviz.ParseBytes(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		var buf bytes.Buffer
		if err := gv.Render(ctx, g, graphviz.SVG, &buf); err != nil {
			t.Errorf("%s: render: %v", name, err)
		}
		g.Close()
	}
	if n < 3 {
		t.Errorf("%d DOT files, want spacetime and two lineage graphs", n)
	}
}

// TestDeterministic builds each report twice (sequential and parallel
// search) and wants the same bytes in every file, index.html included.
func TestDeterministic(t *testing.T) {
	for _, c := range []reportCase{retryCheck, caseNamed(t, "simple-deliv")} {
		d1, d2 := t.TempDir(), t.TempDir()
		writeCase(t, c, d1, 1)
		writeCase(t, c, d2, 2)
		a, b := readDir(t, d1), readDir(t, d2)
		if !slices.Equal(names(a), names(b)) {
			t.Fatalf("%s: files %v vs %v", c.name, names(a), names(b))
		}
		for n := range a {
			if !bytes.Equal(a[n], b[n]) {
				t.Errorf("%s: %s differs between two builds", c.name, n)
			}
		}
	}
}

// TestStaleDOTRemoved writes a certified report over a counterexample
// report: the old run's DOT files must go.
func TestStaleDOTRemoved(t *testing.T) {
	dir := t.TempDir()
	writeCase(t, caseNamed(t, "simple-deliv"), dir, 1)
	if _, err := os.Stat(filepath.Join(dir, "spacetime-run2.dot")); err != nil {
		t.Fatal(err)
	}
	writeCase(t, caseNamed(t, "redun-deliv-certified"), dir, 1)
	if _, err := os.Stat(filepath.Join(dir, "spacetime-run2.dot")); !os.IsNotExist(err) {
		t.Errorf("spacetime-run2.dot of the earlier report still there (err %v)", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "spacetime-run1.dot")); err != nil {
		t.Error(err)
	}
}

// hostileProgram is a program whose strings, node names and file name are
// HTML and script; writeHostile builds its report and returns the dir.
const hostileProgram = `// hostile strings everywhere
node("a", "<svg onload=window.__pwned=4>")@1;
node("<svg onload=window.__pwned=4>", "a")@1;
bcast("a", "<script>window.__pwned=1</script>\N\l&amp;")@1;
bcast("a", "<img src=y onerror=window.__pwned=2>")@1;
node(N, M)@next :- node(N, M);
log(N, P)@next :- log(N, P);
log(N, P) :- bcast(N, P);
log(M, P)@async :- bcast(N, P), node(N, M);
pre(X, P) :- node(X, _), log(Y, P), notin crash(_, X, _), notin crash(_, Y, _);
post(X, P) :- log(X, P);
`

var hostileNode = "<svg onload=window.__pwned=4>"

func writeHostile(t *testing.T) string {
	t.Helper()
	src := filepath.Join(t.TempDir(), "evil<img src=x onerror=window.__pwned=3>.ded")
	if err := os.WriteFile(src, []byte(hostileProgram), 0o644); err != nil {
		t.Fatal(err)
	}
	c := reportCase{name: "hostile", files: []string{src}, p: fault.Params{Nodes: []string{"a", hostileNode}, EOT: 3, EFF: 2}}
	dir := t.TempDir()
	writeCase(t, c, dir, 1)
	return dir
}

// TestHostileEscaped: no user text reaches the page unescaped, the lineage
// graphs survive the SVG check, and the DOT files stay valid.
func TestHostileEscaped(t *testing.T) {
	dir := writeHostile(t)
	files := readDir(t, dir)
	page := string(files["index.html"])
	for _, bad := range []string{"<script>window", "<img src", "<svg onload", "</script>\\N"} {
		if strings.Contains(page, bad) {
			t.Errorf("index.html contains %q unescaped", bad)
		}
	}
	if n := strings.Count(page, "<script"); n != 2 {
		t.Errorf("%d <script elements, want 2 (data and code)", n)
	}
	if strings.Contains(page, "layout failed") || strings.Count(page, `"svg":"\u003csvg`) != 2 {
		t.Errorf("the lineage graphs were not laid out (or were rejected by the SVG check)")
	}
	for _, net := range []string{"http://", "https://", "//cdn", "@import", "src=\"http"} {
		if strings.Contains(strings.ReplaceAll(page, "http://www.w3.org/", ""), net) {
			t.Errorf("index.html references the network (%q)", net)
		}
	}
	ctx := context.Background()
	gv, err := graphviz.New(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer gv.Close()
	for name, data := range files {
		if !strings.HasSuffix(name, ".dot") {
			continue
		}
		g, err := graphviz.ParseBytes(data)
		if err != nil {
			t.Errorf("%s: %v\n%s", name, err, data)
			continue
		}
		var buf bytes.Buffer
		if err := gv.Render(ctx, g, graphviz.SVG, &buf); err != nil {
			t.Errorf("%s: %v", name, err)
		}
		svg := buf.String()
		for _, bad := range []string{"<script", "<img", "<svg onload"} {
			if strings.Contains(svg, bad) {
				t.Errorf("%s: Graphviz's SVG contains %q unescaped", name, bad)
			}
		}
		g.Close()
	}
}

// TestCheckSVGRejects: the SVG whitelist refuses scripts, handlers and links.
func TestCheckSVGRejects(t *testing.T) {
	for _, s := range []string{
		`<svg><script>alert(1)</script></svg>`,
		`<svg><g onload="alert(1)"></g></svg>`,
		`<svg><a href="javascript:alert(1)"><text>x</text></a></svg>`,
		`<svg><foreignObject><div>x</div></foreignObject></svg>`,
		`<svg><text>unclosed</svg>`,
	} {
		if err := checkSVG(s); err == nil {
			t.Errorf("checkSVG accepted %s", s)
		}
	}
	if err := checkSVG(`<svg width="1" viewBox="0 0 1 1"><g class="node t0"><title>t0</title><text x="0">&lt;b&gt;</text></g></svg>`); err != nil {
		t.Errorf("checkSVG refused a plain drawing: %v", err)
	}
}

// TestDrawnRunsCap: a search with more than MaxDrawnRuns runs embeds the
// diagrams of the first ones only, says so, and still lists every run.
func TestDrawnRunsCap(t *testing.T) {
	prog, err := dedalus.LoadFiles("../examples/redun-deliv.ded")
	if err != nil {
		t.Fatal(err)
	}
	p := fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 4, EFF: 2, MaxCrashes: 1}
	res, err := search.Check(context.Background(), prog, search.Config{Params: p, Strategy: search.Exhaustive, MaxRuns: 5000})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Runs) <= MaxDrawnRuns {
		t.Fatalf("only %d runs; the test needs more than %d", len(res.Runs), MaxDrawnRuns)
	}
	ev, err := search.NewEvidence(context.Background(), prog, p, res, PageDraw)
	if err != nil {
		t.Fatal(err)
	}
	pg, err := buildPage(context.Background(), prog, res, ev, "check")
	if err != nil {
		t.Fatal(err)
	}
	if len(pg.data.Runs) != len(res.Runs) {
		t.Errorf("%d runs listed, want %d", len(pg.data.Runs), len(res.Runs))
	}
	drawn := 0
	for i, r := range pg.data.Runs {
		if r.Spacetime != nil {
			drawn++
		} else if i < MaxDrawnRuns {
			t.Errorf("run %d has no diagram", r.Index)
		}
	}
	if drawn != MaxDrawnRuns {
		t.Errorf("%d runs drawn, want %d", drawn, MaxDrawnRuns)
	}
	if !strings.Contains(pg.data.Note, "later runs are listed only") {
		t.Errorf("no note about the undrawn runs: %q", pg.data.Note)
	}
	if len(pg.data.Outcomes) == 0 || len(pg.data.Runs[0].Lineage) == 0 {
		t.Errorf("no lineage graph for an exhaustive search")
	}
}
