//go:build linux

package symbolic

// Solver comparison for the exact check (issue 10, "Solver"; figures in
// docs/performance.md, "Exact check: solver comparison"): the formula of
// each example (bench bounds, 2x EOT and EFF, a few larger bounds) is built
// once (buildCNF, the same clauses Check gives gini) and solved with gini
// and with gophersat, first the question, then the cardinality-bound
// sequence that shrinks the model to the fewest faults. Every solver must
// agree with Check. Times are process CPU (getrusage, hence linux only)
// and wall. Not part of the normal suite:
//
//	LDFI_SOLVER_COMPARE=1 go test -run TestSolverCompare -v -timeout 60m ./symbolic
//
// LDFI_SOLVER_COMPARE_ONLY (a regexp on the case name) selects cases,
// LDFI_SOLVER_COMPARE_RUNS sets the runs per case and solver (median
// reported; by default 21 when one run takes less than 10 ms, 3 when it
// takes more than 2 s, else 5).
//
// The profiles of the exact check are taken with the benchmarks below:
//
//	go test -run '^$' -bench 'ExactCheck/flux' -benchtime 3x -cpuprofile flux.prof ./symbolic

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	gophersat "github.com/crillab/gophersat/solver"
	"github.com/go-air/gini"
	"github.com/go-air/gini/z"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
)

// compareCase is one formula: a bench row at some bounds.
type compareCase struct {
	name string
	row  benchRow
	p    fault.Params
}

func compareCases(rows []benchRow) []compareCase {
	var cs []compareCase
	add := func(label string, row benchRow, eot, eff, crashes int) {
		name := fmt.Sprintf("%s/%s-%d-%d-%d", row.Name, label, eot, eff, crashes)
		cs = append(cs, compareCase{name, row, fault.Params{Nodes: row.Nodes, EOT: eot, EFF: eff, MaxCrashes: crashes}})
	}
	for _, row := range rows {
		add("bench", row, row.EOT, row.EFF, row.Crashes)
	}
	for _, row := range rows {
		add("2x", row, 2*row.EOT, 2*row.EFF, row.Crashes)
	}
	for _, row := range rows {
		switch row.Name {
		case "paxos-synod":
			add("large", row, 120, 119, 1)
		case "flux":
			add("large", row, 100, 99, 1)
		case "3pc", "quorum-r1":
			// Counterexamples at 4x: the shrinking sequence on a larger formula.
			add("4x", row, 4*row.EOT, 4*row.EFF, row.Crashes)
		}
	}
	return cs
}

// answer is what a solver says about one formula: violated, and the fewest
// faults of a violating schedule.
type answer struct {
	sat   bool
	min   int
	calls int
}

func (a answer) String() string {
	if !a.sat {
		return "UNSAT (certified)"
	}
	return fmt.Sprintf("SAT, %d fault(s), %d calls", a.min, a.calls)
}

// backend is one solver loaded with a formula.
type backend interface {
	solve(assume ...z.Lit) bool
	value(m z.Lit) bool
}

// shrink is Check's sequence: the question, then a binary search on "at
// most k faults" under assumptions. q is the time of the first call.
func shrink(f *cnfFormula, s backend, check func(backend)) (a answer, q span) {
	start := now()
	sat := s.solve()
	q = start.since()
	a.calls = 1
	if !sat {
		return a, q
	}
	if check != nil {
		check(s)
	}
	size := func() int {
		n := 0
		for _, m := range f.Faults {
			if s.value(m) {
				n++
			}
		}
		return n
	}
	lo, hi := 0, size()
	for lo < hi {
		mid := (lo + hi) / 2
		sat := s.solve(f.Leq(mid))
		a.calls++
		if sat {
			if check != nil {
				check(s)
			}
			hi = size()
			if hi > mid {
				panic(fmt.Sprintf("model with %d faults under at most %d", hi, mid))
			}
		} else {
			lo = mid + 1
		}
	}
	a.sat, a.min = true, hi
	return a, q
}

// giniBackend: the clauses added once, questions asked under assumptions
// (what Check does, without its context polling).
type giniBackend struct{ g *gini.Gini }

func newGini(f *cnfFormula) giniBackend {
	g := gini.NewVc(f.NumVars, len(f.Clauses)+len(f.Units))
	for _, c := range f.Clauses {
		for _, m := range c {
			g.Add(m)
		}
		g.Add(z.LitNull)
	}
	for _, m := range f.Units {
		g.Add(m)
		g.Add(z.LitNull)
	}
	return giniBackend{g}
}

func (b giniBackend) solve(assume ...z.Lit) bool {
	b.g.Assume(assume...)
	return b.g.Solve() == 1
}
func (b giniBackend) value(m z.Lit) bool { return b.g.Value(m) }

// gophersat backends. Incremental: one solver built from the clauses
// without units (solver.Assume drops every binding made before it,
// including the problem's units, by which ParseSlice has already
// simplified the clauses away), every call assumes the units and the
// bound. Fresh: a new solver per call (ParseSlice with the units and the
// bound as unit clauses).
type gophersatBackend struct {
	f       *cnfFormula
	cnf     [][]int // clauses without units, DIMACS
	s       *gophersat.Solver
	fresh   bool
	model   []bool
	lastSat bool
}

func dimacs(f *cnfFormula) [][]int {
	out := make([][]int, len(f.Clauses))
	for i, c := range f.Clauses {
		out[i] = make([]int, len(c))
		for j, m := range c {
			out[i][j] = m.Dimacs()
		}
	}
	return out
}

func newGophersatBackend(f *cnfFormula, cnf [][]int, fresh bool) *gophersatBackend {
	b := &gophersatBackend{f: f, cnf: cnf, fresh: fresh}
	if !fresh {
		b.s = gophersat.New(gophersat.ParseSliceNb(cnf, f.NumVars))
	}
	return b
}

func (b *gophersatBackend) solve(assume ...z.Lit) bool {
	lits := slices.Concat(b.f.Units, assume)
	var st gophersat.Status
	if b.fresh {
		cnf := make([][]int, len(b.cnf), len(b.cnf)+len(lits))
		for i, c := range b.cnf {
			cnf[i] = slices.Clone(c) // ParseSlice's simplification edits clauses in place
		}
		for _, m := range lits {
			cnf = append(cnf, []int{m.Dimacs()})
		}
		b.s = gophersat.New(gophersat.ParseSliceNb(cnf, b.f.NumVars))
		st = b.s.Solve()
	} else if contradictory(lits) {
		// Assume binds its literals one after the other without checking
		// them against each other: "x and not x" would give a model.
		st = gophersat.Unsat
	} else {
		as := make([]gophersat.Lit, len(lits))
		for i, m := range lits {
			as[i] = gophersat.IntToLit(int32(m.Dimacs()))
		}
		if st = b.s.Assume(as); st != gophersat.Unsat {
			st = b.s.Solve()
		}
	}
	b.lastSat = st == gophersat.Sat
	if b.lastSat {
		b.model = b.s.Model()
	}
	return b.lastSat
}

func contradictory(lits []z.Lit) bool {
	for i, m := range lits {
		if slices.Contains(lits[i+1:], m.Not()) {
			return true
		}
	}
	return false
}

func (b *gophersatBackend) value(m z.Lit) bool {
	v := b.model[m.Var()-1]
	if !m.IsPos() {
		return !v
	}
	return v
}

// checkModel verifies that the current model satisfies every clause and
// unit (the assumptions are checked by shrink through the fault count).
func checkModel(t testing.TB, f *cnfFormula, name string) func(backend) {
	return func(s backend) {
		for _, m := range f.Units {
			if !s.value(m) {
				t.Fatalf("%s: model violates unit %v", name, m)
			}
		}
		for _, c := range f.Clauses {
			if !slices.ContainsFunc(c, s.value) {
				t.Fatalf("%s: model violates clause %v", name, c)
			}
		}
	}
}

// span is a wall and a process CPU time (user + system, all threads: the
// garbage collector included). On a shared machine CPU time is the steadier
// figure.
type span struct{ wall, cpu time.Duration }

func now() span { return span{time.Duration(time.Now().UnixNano()), cpuTime()} }

func (s span) since() span {
	n := now()
	return span{n.wall - s.wall, n.cpu - s.cpu}
}

func (s span) add(o span) span { return span{s.wall + o.wall, s.cpu + o.cpu} }

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// timing is one solver's measurement of one formula (medians).
type timing struct {
	load, question, total span
}

func median(ss []span) span {
	w := make([]time.Duration, len(ss))
	c := make([]time.Duration, len(ss))
	for i, s := range ss {
		w[i], c[i] = s.wall, s.cpu
	}
	slices.Sort(w)
	slices.Sort(c)
	return span{w[len(w)/2], c[len(c)/2]}
}

func TestSolverCompare(t *testing.T) {
	if os.Getenv("LDFI_SOLVER_COMPARE") == "" {
		t.Skip("set LDFI_SOLVER_COMPARE=1 to compare gini and gophersat on the exact check's formulas")
	}
	only := regexp.MustCompile(os.Getenv("LDFI_SOLVER_COMPARE_ONLY"))
	runs, runsSet := 5, false
	if s := os.Getenv("LDFI_SOLVER_COMPARE_RUNS"); s != "" {
		runsSet = true
		var err error
		if runs, err = strconv.Atoi(s); err != nil || runs < 1 {
			t.Fatalf("LDFI_SOLVER_COMPARE_RUNS=%q", s)
		}
	}
	var table []string
	for _, cs := range compareCases(benchRows(t)) {
		if !only.MatchString(cs.name) {
			continue
		}
		prog := loadRow(t, cs.row)
		f, err := buildCNF(context.Background(), prog, cs.p, Options{})
		if err != nil {
			t.Fatalf("%s: %v", cs.name, err)
		}
		// The reference: Check itself (its fewest-fault count).
		ref, err := Check(context.Background(), prog, cs.p, Options{})
		if err != nil {
			t.Fatalf("%s: %v", cs.name, err)
		}
		cnf := dimacs(f)

		type variant struct {
			name string
			load func() backend
		}
		variants := []variant{
			{"gini", func() backend { return newGini(f) }},
			{"gophersat", func() backend { return newGophersatBackend(f, cnf, false) }},
			{"gophersat-fresh", func() backend { return newGophersatBackend(f, cnf, true) }},
		}
		res := map[string]timing{}
		var line []string
		for _, v := range variants {
			var loads, qs, totals []span
			n := runs
			for i := 0; i < n; i++ {
				if i == 0 {
					// An untimed run that checks every model and the answer.
					a, _ := shrink(f, v.load(), checkModel(t, f, cs.name+"/"+v.name))
					if a.sat != ref.Violated || (a.sat && a.min != ref.Schedule.Size()) {
						t.Errorf("%s: %s says %s, Check says violated=%v with %d faults", cs.name, v.name, a, ref.Violated, ref.Schedule.Size())
					}
				}
				runtime.GC()
				start := now()
				s := v.load()
				load := start.since()
				start = now()
				_, q := shrink(f, s, nil)
				total := load.add(start.since())
				loads, qs, totals = append(loads, load), append(qs, q), append(totals, total)
				if i == 0 && !runsSet {
					switch {
					case total.wall < 10*time.Millisecond:
						n = 21 // sub-millisecond figures need many runs
					case total.wall > 2*time.Second:
						n = 3
					}
				}
			}
			tm := timing{median(loads), median(qs), median(totals)}
			res[v.name] = tm
			line = append(line, fmt.Sprintf("%s (%d runs) load %s q %s total %s ms wall, %s / %s / %s ms cpu", v.name, n,
				ms(tm.load.wall), ms(tm.question.wall), ms(tm.total.wall), ms(tm.load.cpu), ms(tm.question.cpu), ms(tm.total.cpu)))
		}
		ans := answer{sat: ref.Violated, min: ref.Schedule.Size(), calls: ref.Stats.SolverCalls}
		t.Logf("%s: vars %d clauses %d (build %s, cnf %s) %s | %s", cs.name, f.NumVars, len(f.Clauses)+len(f.Units),
			ms(f.BuildTime), ms(f.CnfTime), ans, strings.Join(line, " | "))
		g, gs, gf := res["gini"], res["gophersat"], res["gophersat-fresh"]
		table = append(table, fmt.Sprintf("| %s | %s | %s | %s | %s / %s / %s | %s / %s / %s | %s | %s | %s |",
			cs.name, thousands(f.NumVars), thousands(len(f.Clauses)+len(f.Units)), ans,
			ms(g.load.cpu), ms(g.question.cpu), ms(g.total.cpu),
			ms(gs.load.cpu), ms(gs.question.cpu), ms(gs.total.cpu), ms(gf.total.cpu),
			ratio(gs.total.cpu, g.total.cpu), ratio(gs.total.wall, g.total.wall)))
	}
	t.Logf("CPU ms, medians\n| formula | vars | clauses | answer | gini load / question / total | gophersat load / question / total | gophersat fresh total | gophersat ÷ gini CPU | gophersat ÷ gini wall |\n|---|---|---|---|---|---|---|---|---|\n%s",
		strings.Join(table, "\n"))
}

func ratio(a, b time.Duration) string {
	if b <= 0 {
		return "—"
	}
	return fmt.Sprintf("%.1f×", float64(a)/float64(b))
}

func ms(d time.Duration) string {
	switch {
	case d >= 100*time.Millisecond:
		return thousands(int(d.Round(time.Millisecond) / time.Millisecond))
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.1f", float64(d)/1e6)
	default:
		return fmt.Sprintf("%.2f", float64(d)/1e6)
	}
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// BenchmarkExactCheck runs Check (the production path: encoder, ToCnf into
// gini, question, shrinking) on the large bounds of the issue, for CPU
// profiles. It reports the build/CNF split of buildCNF once.
func BenchmarkExactCheck(b *testing.B) {
	data, err := os.ReadFile("../examples/bench.json")
	if err != nil {
		b.Fatal(err)
	}
	var list []benchRow
	if err := json.Unmarshal(data, &list); err != nil {
		b.Fatal(err)
	}
	rows := map[string]benchRow{}
	for _, r := range list {
		rows[r.Name] = r
	}
	for _, c := range []struct {
		row               string
		eot, eff, crashes int
	}{{"flux", 100, 99, 1}, {"paxos-synod", 250, 249, 1}} {
		row := rows[c.row]
		p := fault.Params{Nodes: row.Nodes, EOT: c.eot, EFF: c.eff, MaxCrashes: c.crashes}
		b.Run(fmt.Sprintf("%s-%d-%d-%d", c.row, c.eot, c.eff, c.crashes), func(b *testing.B) {
			var files []string
			for _, f := range row.Files {
				files = append(files, "../"+f)
			}
			prog, err := dedalus.LoadFiles(files...)
			if err != nil {
				b.Fatal(err)
			}
			var res *Result
			for b.Loop() {
				var err error
				if res, err = Check(context.Background(), prog, p, Options{}); err != nil {
					b.Fatal(err)
				}
			}
			st := res.Stats
			b.ReportMetric(float64(st.BuildTime.Milliseconds()), "build-ms")
			b.ReportMetric(float64(st.SolveTime.Milliseconds()), "solve-ms")
			b.ReportMetric(float64(st.Vars), "vars")
			b.ReportMetric(float64(st.Clauses), "clauses")
			b.ReportMetric(float64(st.SolverCalls), "calls")
			b.Logf("violated=%v %s tuples=%d instances=%d gates=%d", res.Violated, res.Schedule, st.Tuples, st.Instances, st.Gates)
		})
	}
}
