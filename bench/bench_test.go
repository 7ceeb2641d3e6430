package bench

import (
	"bytes"
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/internal/golden"
	"github.com/ldfi/ldfi/search"
)

func loadSmoke(t *testing.T) ([]Entry, []*dedalus.Program) {
	t.Helper()
	entries, err := ReadFile("testdata/smoke.json")
	if err != nil {
		t.Fatal(err)
	}
	progs := make([]*dedalus.Program, len(entries))
	for i, e := range entries {
		if progs[i], err = dedalus.LoadFiles(e.Files...); err != nil {
			t.Fatalf("%s: %v", e.Name, err)
		}
	}
	return entries, progs
}

// TestSmoke runs the small CI bench: every verdict must match its row's
// expectation, every baseline must agree, and the measurements must not
// depend on parallelism.
func TestSmoke(t *testing.T) {
	entries, progs := loadSmoke(t)
	opts := Options{RandomTrials: 3, ExhaustiveLimit: 2000, Timeout: 30 * time.Second, Parallel: 2, Repeat: 2}
	rows := Run(context.Background(), entries, progs, opts)
	if len(rows) != len(entries) {
		t.Fatalf("%d rows for %d entries", len(rows), len(entries))
	}
	exhaustiveCertified := 0
	for _, r := range rows {
		if !r.Match {
			t.Errorf("%s: %v", r.Name, r.Problems)
		}
		if r.LDFI.Verdict != r.Expect {
			t.Errorf("%s: LDFI verdict %s, want %s", r.Name, r.LDFI.Verdict, r.Expect)
		}
		if r.LDFI.Executions < 1 {
			t.Errorf("%s: %d executions: the fault-free run always counts", r.Name, r.LDFI.Executions)
		}
		switch r.Expect {
		case search.Counterexample:
			if r.LDFI.Counterexample == "" && r.LDFI.Executions > 1 {
				t.Errorf("%s: counterexample verdict without a schedule", r.Name)
			}
			if r.Random == nil || r.Random.TrialsRun != 3 || r.Random.Found == 0 {
				t.Errorf("%s: random trials %+v, want 3 run and some found", r.Name, r.Random)
			}
		case search.Certified:
			if r.Random != nil || r.RandomSkipped == "" {
				t.Errorf("%s: random search ran on a certified row", r.Name)
			}
			// An exhaustive certificate runs every schedule of the model.
			if x := r.Exhaustive; x != nil {
				exhaustiveCertified++
				if x.Verdict != search.Certified || strconv.Itoa(x.Executions) != r.Schedules {
					t.Errorf("%s: exhaustive %s after %d executions, want certified after %s", r.Name, x.Verdict, x.Executions, r.Schedules)
				}
			}
		}
		if r.Exhaustive == nil && r.ExhaustiveSkipped == "" {
			t.Errorf("%s: exhaustive search neither ran nor said why", r.Name)
		}
		// The exact strategy runs on every row and agrees; its formula is
		// measured whenever the fault-free run does not already violate.
		if x := r.Exact; x == nil || x.Verdict != r.Expect || x.Executions < 1 {
			t.Errorf("%s: exact strategy %+v, want %s", r.Name, x, r.Expect)
		} else if x.Executions > 1 || x.Verdict == search.Certified {
			if f := x.Exact; f == nil || f.Vars == 0 || f.Clauses == 0 || f.Tuples == 0 || f.Instances == 0 || f.SolverCalls == 0 || f.Build == nil || f.Solve == nil {
				t.Errorf("%s: exact check figures %+v", r.Name, f)
			}
		}
		if r.LDFI.Verdict == search.Certified && r.LDFI.CertificateMethod != search.MethodExact && r.LDFI.CertificateMethod != search.MethodLineage {
			t.Errorf("%s: LDFI certificate method %q", r.Name, r.LDFI.CertificateMethod)
		}
		if r.LDFI.CertificateMethod == search.MethodExact && r.LDFI.Exact == nil {
			t.Errorf("%s: certified by the exact check without its figures", r.Name)
		}
	}
	if exhaustiveCertified == 0 {
		t.Error("no certified row small enough for the exhaustive search: the smoke bench checks nothing against it")
	}

	// Deterministic: the same measurements sequentially, times aside.
	opts.Parallel = 1
	again := Run(context.Background(), entries, progs, opts)
	StripTimes(rows)
	StripTimes(again)
	a, _ := (&Report{Rows: rows}).JSON()
	b, _ := (&Report{Rows: again}).JSON()
	if !bytes.Equal(a, b) {
		t.Errorf("measurements differ between --parallel 2 and 1:\n%s\n----\n%s", a, b)
	}
}

// TestMismatch: a row whose expectation is wrong is reported, with the
// contradicting baselines.
func TestMismatch(t *testing.T) {
	entries, progs := loadSmoke(t)
	i := slices.IndexFunc(entries, func(e Entry) bool { return e.Name == "simple-deliv" })
	e := entries[i]
	e.Expect = search.Certified
	row := RunEntry(context.Background(), &e, progs[i], Options{RandomTrials: 2, ExhaustiveLimit: 1000}, nil)
	if row.Match {
		t.Fatal("a wrong expectation matched")
	}
	rep := &Report{Rows: []Row{row}}
	if got := rep.Mismatches(); len(got) == 0 || got[0] != "simple-deliv: LDFI verdict counterexample, expected certified" {
		t.Errorf("mismatches %q", got)
	}
	if !slices.Contains(row.Problems, "exhaustive verdict counterexample, expected certified") {
		t.Errorf("problems %q lack the exhaustive disagreement", row.Problems)
	}
}

func TestJudge(t *testing.T) {
	r := Row{Name: "x", Expect: search.Certified, LDFI: Outcome{Verdict: search.Certified, Executions: 3}}
	r.Judge()
	if !r.Match || len(r.Problems) != 0 {
		t.Errorf("%+v", r)
	}
	r.LDFI.Nondeterministic = "run 2: certified after 4 executions (), run 1: certified after 3 ()"
	r.Judge()
	if r.Match || len(r.Problems) != 1 || !strings.HasPrefix(r.Problems[0], "LDFI is not deterministic: run 2") {
		t.Errorf("%+v", r)
	}
	r.LDFI.Nondeterministic = ""
	r.Exhaustive = &Outcome{Verdict: search.Counterexample, Executions: 9, Counterexample: "crash(a@1)"}
	r.Judge()
	want := []string{"exhaustive verdict counterexample, expected certified", "LDFI certified, yet exhaustive search found a counterexample: crash(a@1)"}
	if r.Match || !slices.Equal(r.Problems, want) {
		t.Errorf("problems %q, want %q", r.Problems, want)
	}

	// The exact strategy is judged like the other strategies.
	r.Exhaustive = nil
	r.Exact = &Outcome{Verdict: search.Counterexample, Executions: 3, Counterexample: "omit(a->b@1)"}
	r.Judge()
	want = []string{"exact verdict counterexample, expected certified", "LDFI certified, yet the exact strategy found a counterexample: omit(a->b@1)"}
	if r.Match || !slices.Equal(r.Problems, want) {
		t.Errorf("problems %q, want %q", r.Problems, want)
	}
	r.Exact = &Outcome{Verdict: search.Inconclusive, Reason: "the time limit was reached during the exact check"}
	r.Judge()
	if !r.Match {
		t.Errorf("an inconclusive exact check is a measurement, not a mismatch: %q", r.Problems)
	}
	r.Expect = search.Counterexample
	r.LDFI = Outcome{Verdict: search.Counterexample, Executions: 2, Counterexample: "omit(a->b@1)"}
	r.Exact = &Outcome{Verdict: search.Certified, Executions: 1, CertificateMethod: search.MethodExact}
	r.Judge()
	want = []string{"exact verdict certified, expected counterexample", "the exact strategy certified, yet LDFI found a counterexample that replays: omit(a->b@1)"}
	if r.Match || !slices.Equal(r.Problems, want) {
		t.Errorf("problems %q, want %q", r.Problems, want)
	}
}

// TestHandOver: an LDFI search that hands over to the exact check says so,
// and the exact check's figures come with it.
func TestHandOver(t *testing.T) {
	entries, progs := loadSmoke(t)
	i := slices.IndexFunc(entries, func(e Entry) bool { return e.Name == "gossip" })
	opts := Options{ExactAfter: 2, NoExact: true}
	row := RunEntry(context.Background(), &entries[i], progs[i], opts, nil)
	o := row.LDFI
	if !row.Match || o.Verdict != search.Certified || !o.HandedOver || o.CertificateMethod != search.MethodExact || o.Exact == nil || o.Executions != 2 {
		t.Fatalf("%+v (problems %v)", o, row.Problems)
	}
	if row.Exact != nil || row.ExactSkipped != "off" {
		t.Errorf("NoExact: exact %+v, skipped %q", row.Exact, row.ExactSkipped)
	}
	if c := ldfiCell(&o); c != "2 (exact after hand-over)" {
		t.Errorf("cell %q", c)
	}
	// Without a hand-over the same row needs more executions, and the
	// exact check only confirms.
	row = RunEntry(context.Background(), &entries[i], progs[i], Options{}, nil)
	if o := row.LDFI; o.HandedOver || o.Executions <= 2 || o.CertificateMethod != search.MethodExact || row.Exact == nil || row.Exact.Verdict != search.Certified {
		t.Errorf("%+v, exact %+v", o, row.Exact)
	}
}

func TestSummarize(t *testing.T) {
	ro := &RandomOutcome{Executions: []int{2, 4, 4, 4, 5, 5, 7, 9}}
	ro.summarize()
	if ro.TrialsRun != 8 || ro.Mean != 5 || ro.Min != 2 || ro.Max != 9 {
		t.Errorf("%+v", ro)
	}
	if d := ro.Stddev - 2.138089935299395; d > 1e-9 || d < -1e-9 { // sample sd: sqrt(32/7)
		t.Errorf("stddev %v", ro.Stddev)
	}
	one := &RandomOutcome{Executions: []int{3}}
	one.summarize()
	if one.Mean != 3 || one.Stddev != 0 {
		t.Errorf("%+v", one)
	}
	none := &RandomOutcome{}
	none.summarize()
	if none.TrialsRun != 0 || randomCell(none, "") != "— (no trial finished)" {
		t.Errorf("%+v", none)
	}
}

// sampleReport is a hand-made report covering every kind of cell.
func sampleReport() *Report {
	f := func(v float64) *float64 { return &v }
	return &Report{
		Date:     "2026-01-02 03:04 UTC",
		Machine:  &Machine{OS: "linux", Arch: "amd64", CPUs: 2, CPU: "Test CPU", Go: "go1.26", Version: "devel", Revision: "abc", Parallel: 2},
		Command:  "ldfi bench --random-trials 3",
		Settings: Settings{Programs: "examples/bench.json", RandomTrials: 3, MaxRuns: 100, ExhaustiveLimit: 1000, Timeout: "1m0s", Repeat: 3},
		Rows: []Row{
			{Name: "found", Files: []string{"found.ded"}, Nodes: []string{"a", "b"}, EOT: 4, EFF: 2, Crashes: 0, Expect: search.Counterexample,
				PublishedSize: "4096", Schedules: "64",
				LDFI:   Outcome{Verdict: search.Counterexample, Executions: 2, Counterexample: "omit(a->b@1)", Wall: f(1.25)},
				Random: &RandomOutcome{Trials: 3, TrialsRun: 3, Found: 3, Executions: []int{1, 4, 7}, Mean: 4, Stddev: 3, Min: 1, Max: 7, WallMean: f(0.5)},
				Exact: &Outcome{Verdict: search.Counterexample, Executions: 3, Counterexample: "omit(a->b@1)", Wall: f(4.5),
					Exact: &ExactFigures{Tuples: 120, Instances: 80, FaultVars: 4, Gates: 150, Vars: 149, Clauses: 420, SolverCalls: 2, Build: f(2.5), Solve: f(0.25)}},
				Exhaustive: &Outcome{Verdict: search.Counterexample, Executions: 5, Wall: f(2)},
				Match:      true, Problems: []string{},
				Paper: &Paper{Figure: "12", Molly: f(2), Random: f(4.08)}},
			{Name: "censored", Files: []string{"c1.ded", "c2.ded"}, Nodes: []string{"a", "b", "c"}, EOT: 6, EFF: 4, Crashes: 1, Expect: search.Counterexample,
				PublishedSize: "18830957416919597056", Schedules: "1234567890123",
				LDFI: Outcome{Verdict: search.Counterexample, Executions: 40, Wall: f(1500), FoundBy: search.FoundByExact,
					Exact: &ExactFigures{Tuples: 2642, Instances: 628, FaultVars: 98, Gates: 1685, Vars: 1684, Clauses: 5118, SolverCalls: 3, Build: f(224), Solve: f(24)}},
				Exact:             &Outcome{Verdict: search.Inconclusive, Executions: 1, Reason: "the time limit was reached during the exact check", Wall: f(60001)},
				Random:            &RandomOutcome{Trials: 3, TrialsRun: 2, Found: 1, Executions: []int{10, 100}, Mean: 55, Stddev: 63.64, Min: 10, Max: 100, Censored: true, WallMean: f(30)},
				ExhaustiveSkipped: "more than 1000 schedules",
				Match:             true, Problems: []string{},
				Paper: &Paper{Figure: "12", Molly: f(38), Random: f(1183.12)}},
			{Name: "slow", Files: []string{"slow.ded"}, Nodes: []string{"a"}, EOT: 22, EFF: 21, Crashes: 0, Expect: search.Certified,
				PublishedSize: "1", Schedules: "1",
				TimeGoal: "10s",
				LDFI:     Outcome{Verdict: search.Inconclusive, Executions: 36, Reason: "the time limit was reached", Wall: f(60500)},
				Exact: &Outcome{Verdict: search.Certified, Executions: 1, CertificateMethod: search.MethodExact, Wall: f(1970),
					Exact: &ExactFigures{Tuples: 36407, Instances: 9317, FaultVars: 242, Gates: 12059, Vars: 12058, Clauses: 35447, SolverCalls: 1, Build: f(1540), Solve: f(66)}},
				RandomSkipped: "random search cannot certify", ExhaustiveSkipped: "more than 1000 schedules",
				Match: false, Problems: []string{"LDFI verdict inconclusive, expected certified (the time limit was reached)"},
				Paper: &Paper{Figure: "13", Molly: f(187)}},
			{Name: "wrong", Files: []string{"wrong.ded"}, Nodes: []string{"a", "b"}, EOT: 5, EFF: 3, Crashes: 0, Expect: search.Counterexample,
				PublishedSize: "64", Schedules: "16",
				LDFI:              Outcome{Verdict: search.Certified, Executions: 6, Wall: f(80), CertificateMethod: search.MethodLineage},
				ExactSkipped:      "off",
				Random:            &RandomOutcome{Trials: 3, TrialsRun: 3, Found: 3, Executions: []int{2, 3, 4}, Mean: 3, Stddev: 1, Min: 2, Max: 4, WallMean: f(5)},
				ExhaustiveSkipped: "off",
				Match:             false, Problems: []string{"LDFI verdict certified, expected counterexample", "LDFI certified, yet random search found a counterexample in 3 of 3 trials"},
				Paper: &Paper{Figure: "12", Molly: f(5), Random: f(9)}},
			{Name: "extra", Files: []string{"extra.ded"}, Nodes: []string{"a", "b"}, EOT: 3, EFF: 2, Crashes: 0, Expect: search.Certified,
				PublishedSize: "16", Schedules: "4",
				LDFI: Outcome{Verdict: search.Certified, Executions: 100, Wall: f(950), CertificateMethod: search.MethodExact, HandedOver: true,
					Exact: &ExactFigures{Tuples: 10, Instances: 12, FaultVars: 2, Gates: 20, Vars: 19, Clauses: 50, SolverCalls: 1, Build: f(0.5), Solve: f(0.1)}},
				Exact: &Outcome{Verdict: search.Certified, Executions: 1, CertificateMethod: search.MethodExact, Wall: f(0.7),
					Exact: &ExactFigures{Tuples: 10, Instances: 12, FaultVars: 2, Gates: 20, Vars: 19, Clauses: 50, SolverCalls: 1, Build: f(0.5), Solve: f(0.1)}},
				RandomSkipped: "random search cannot certify",
				Exhaustive:    &Outcome{Verdict: search.Certified, Executions: 4, Wall: f(0.9)},
				Match:         true, Problems: []string{}},
		},
		Push: []PushResult{
			{Name: "slow", Nodes: []string{"a"}, Crashes: 1, BaseEOT: 22, MaxEOT: 100000,
				Largest: &Probe{EOT: 71, EFF: 70, Verdict: search.Certified, Executions: 1, Wall: f(2760), PeakRSS: 81 << 20, Load: 2.5,
					Exact: &ExactFigures{Tuples: 93296, Instances: 22763, FaultVars: 300, Gates: 29028, Vars: 29027, Clauses: 94939, SolverCalls: 1, Build: f(2620), Solve: f(21)}},
				Failed: &Probe{EOT: 72, EFF: 71, Verdict: search.Inconclusive, Executions: 1, Reason: "the time limit was reached during the exact check", Wall: f(3060), PeakRSS: 75 << 20},
				Probes: []Probe{
					{EOT: 22, EFF: 21, Verdict: search.Certified, Executions: 1, Wall: f(344), PeakRSS: 33 << 20},
					{EOT: 44, EFF: 43, Verdict: search.Certified, Executions: 1, Wall: f(1120), PeakRSS: 50 << 20},
					{EOT: 88, EFF: 87, Verdict: search.Inconclusive, Executions: 0, Reason: "killed at 8.1 GiB of resident memory (limit 8 GiB)", Wall: f(3030), PeakRSS: 8700 << 20},
					{EOT: 72, EFF: 71, Verdict: search.Inconclusive, Executions: 1, Reason: "the time limit was reached during the exact check", Wall: f(3060), PeakRSS: 75 << 20},
					{EOT: 71, EFF: 70, Verdict: search.Certified, Executions: 1, Wall: f(2760), PeakRSS: 81 << 20},
				}},
			{Name: "extra", Nodes: []string{"a", "b"}, Crashes: 1, BaseEOT: 3, MaxEOT: 8,
				Largest: &Probe{EOT: 8, EFF: 7, Verdict: search.Counterexample, Executions: 4, Wall: f(3)},
				Probes:  []Probe{{EOT: 3, EFF: 2, Verdict: search.Certified, Executions: 1, Wall: f(1)}, {EOT: 6, EFF: 5, Verdict: search.Certified, Executions: 1, Wall: f(2)}, {EOT: 8, EFF: 7, Verdict: search.Counterexample, Executions: 4, Wall: f(3)}}},
			{Name: "wrong", Nodes: []string{"a", "b"}, Crashes: 1, BaseEOT: 5, MaxEOT: 100000,
				Failed: &Probe{EOT: 1, EFF: 0, Verdict: search.Inconclusive, Reason: "the worker failed: panic: boom"},
				Probes: []Probe{{EOT: 5, EFF: 4, Verdict: search.Inconclusive, Reason: "the worker failed: panic: boom"}, {EOT: 2, EFF: 1, Verdict: search.Inconclusive, Reason: "the worker failed: panic: boom"}, {EOT: 1, EFF: 0, Verdict: search.Inconclusive, Reason: "the worker failed: panic: boom"}}},
		},
		PushSettings: &PushSettings{Entries: "slow,extra,wrong", Limit: "1m0s", Crashes: 1, MaxEOT: 100000, MaxRSS: "8 GiB", MaxInstances: 4000000},
		Notes:        "Kept notes.",
	}
}

// checkGolden compares got with the file name of testdata/report.txtar
// (go test -update rewrites it).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden.Read(t, "testdata/report.txtar").CheckFile(t, name, string(got))
}

func TestMarkdownGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := sampleReport().Markdown(&buf); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report.md", buf.Bytes())
	if got := ExtractNotes(buf.Bytes()); got != "Kept notes." {
		t.Errorf("notes round trip: %q", got)
	}

	// Without times: no date, machine or wall-time column.
	rep := sampleReport()
	rep.Date, rep.Machine = "", nil
	StripTimes(rep.Rows)
	StripPushTimes(rep.Push)
	buf.Reset()
	if err := rep.Markdown(&buf); err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report-notimes.md", buf.Bytes())
	for _, s := range []string{"wall", "2026", "Test CPU"} {
		if bytes.Contains(buf.Bytes(), []byte(s)) {
			t.Errorf("--no-times output mentions %q", s)
		}
	}
}

func TestJSONGolden(t *testing.T) {
	data, err := sampleReport().JSON()
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "report.json", data)
}

func TestExtractNotes(t *testing.T) {
	for _, tt := range []struct{ doc, want string }{
		{"", ""},
		{"# x\n" + NotesBegin + "\n" + NotesEnd + "\n", ""},
		{"# x\n" + NotesBegin + "\nline 1\n\nline 2\n" + NotesEnd + "\n", "line 1\n\nline 2"},
		{"# x\n" + NotesBegin + "\nunterminated\n", ""},
	} {
		if got := ExtractNotes([]byte(tt.doc)); got != tt.want {
			t.Errorf("ExtractNotes(%q) = %q, want %q", tt.doc, got, tt.want)
		}
	}
}
