package search

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
)

// The soundness sweep (issue 10, "Tests"): every program of the bench at its
// bench bounds, at one more crash and at two more EFF, checked by the
// default strategy and by the exact one. They must agree; every
// counterexample must replay as a violation; every certificate must survive
// random runs and, where the space is small enough, the exhaustive
// enumeration.
//
// With LDFI_SWEEP=1 the sweep is complete (every row, three bound settings,
// 20,000 random runs, exhaustive search up to 200,000 schedules) and takes
// 20 to 30 minutes on 2 cores for the 29 rows (87 settings):
//
//	LDFI_SWEEP=1 go test ./search -run TestSoundnessSweep -v -timeout 3h
//
// LDFI_SWEEP_OUT=FILE also writes the Markdown table there, and
// LDFI_SWEEP_ROWS=name,name,... restricts the sweep to those bench rows.
// Without LDFI_SWEEP, a smoke version runs a few rows at their bench
// bounds.

// sweepRow is the part of examples/bench.json the sweep reads.
type sweepRow struct {
	Name    string   `json:"name"`
	Files   []string `json:"files"`
	Nodes   []string `json:"nodes"`
	EOT     int      `json:"eot"`
	EFF     int      `json:"eff"`
	Crashes int      `json:"crashes"`
	Expect  string   `json:"expect"`
	// The asynchrony bounds (absent: off; omissions absent: unbounded).
	Delay      int  `json:"delay"`
	Duplicates bool `json:"duplicates"`
	Partitions int  `json:"partitions"`
	Omissions  *int `json:"omissions"`
}

// sweepSetup sizes the sweep.
type sweepSetup struct {
	rows          map[string]bool // nil: every row
	settings      int             // bound settings per row (1: bench bounds only)
	randomRuns    int
	exhaustiveMax int64         // exhaustive search where fault.Count is at most this
	timeout       time.Duration // per search (0: none)
}

var (
	fullSweep = sweepSetup{settings: 3, randomRuns: 20000, exhaustiveMax: 200000, timeout: 10 * time.Minute}
	// The smoke sweep keeps to rows whose searches take milliseconds, one
	// of each kind: counterexample by a lost message, by a crash, exact
	// certificates of programs with negation.
	smokeSweep = sweepSetup{
		rows:     map[string]bool{"simple-deliv": true, "2pc": true, "redun-deliv": true, "bully": true, "heartbeat": true},
		settings: 1, randomRuns: 500, exhaustiveMax: 5000, timeout: time.Minute,
	}
)

// sweepBounds returns the bound settings of a row: its bench bounds, one
// more crash, and two more EFF. EFF must stay below EOT (messages sent at
// EOT are never delivered), so where EFF+2 would reach EOT, EOT is raised
// by 2 as well: EFF always grows by exactly 2.
func sweepBounds(r sweepRow) []fault.Params {
	base := fault.Params{Nodes: r.Nodes, EOT: r.EOT, EFF: r.EFF, MaxCrashes: r.Crashes,
		MaxDelay: r.Delay, Duplicates: r.Duplicates, MaxPartitions: r.Partitions}
	if r.Omissions != nil {
		base.OmissionsBounded, base.MaxOmissions = true, *r.Omissions
	}
	crash := base
	crash.MaxCrashes = min(base.MaxCrashes+1, len(base.Nodes))
	eff := base
	eff.EFF += 2
	if eff.EFF > eff.EOT-1 {
		eff.EOT += 2
	}
	return []fault.Params{base, crash, eff}
}

// sweepLine is one line of the sweep's table.
type sweepLine struct {
	row, setting string
	p            fault.Params
	expect       string // the bench's expected verdict (bench bounds only)

	def, exact           *Result
	defWall, exactWall   time.Duration
	random, exhaustive   *Result
	randWall, exhWall    time.Duration
	count                *big.Int
	exhaustiveSkipReason string
	failures             []string
}

func TestSoundnessSweep(t *testing.T) {
	setup := smokeSweep
	if os.Getenv("LDFI_SWEEP") != "" {
		setup = fullSweep
	}
	if only := os.Getenv("LDFI_SWEEP_ROWS"); only != "" {
		setup.rows = map[string]bool{}
		for _, name := range strings.Split(only, ",") {
			setup.rows[name] = true
		}
	}
	data, err := os.ReadFile("../examples/bench.json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []sweepRow
	if err := json.Unmarshal(data, &rows); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var lines []*sweepLine
	for ri, row := range rows {
		if setup.rows != nil && !setup.rows[row.Name] {
			continue
		}
		files := make([]string, len(row.Files))
		for i, f := range row.Files {
			files[i] = filepath.Join("..", f)
		}
		prog, err := dedalus.LoadFiles(files...)
		if err != nil {
			t.Fatalf("%s: %v", row.Name, err)
		}
		for si, p := range sweepBounds(row)[:setup.settings] {
			l := &sweepLine{row: row.Name, setting: []string{"bench", "+1 crash", "+2 EFF"}[si], p: p}
			if si == 0 {
				l.expect = row.Expect
			}
			seed := int64(1000*(ri+1) + si)
			t.Run(fmt.Sprintf("%s/eot%d-eff%d-c%d", row.Name, p.EOT, p.EFF, p.MaxCrashes), func(t *testing.T) {
				sweepOne(t, prog, l, setup, seed)
			})
			lines = append(lines, l)
		}
	}
	table := sweepTable(lines)
	t.Logf("soundness sweep: %d settings in %s\n%s", len(lines), time.Since(start).Round(time.Second), table)
	if out := os.Getenv("LDFI_SWEEP_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(table), 0o644); err != nil {
			t.Error(err)
		}
	}
}

// sweepOne checks one row at one bound setting.
func sweepOne(t *testing.T, prog *dedalus.Program, l *sweepLine, setup sweepSetup, seed int64) {
	p := l.p
	run := func(cfg Config) (*Result, time.Duration) {
		t.Helper()
		cfg.Params, cfg.Parallel, cfg.Timeout = p, 2, setup.timeout
		begin := time.Now()
		res, err := Check(context.Background(), prog, cfg)
		if err != nil {
			t.Fatalf("%s: %v", cfg.Strategy, err)
		}
		return res, time.Since(begin)
	}
	fail := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...)
		l.failures = append(l.failures, msg)
		t.Error(msg)
	}

	l.def, l.defWall = run(Config{Strategy: LDFI, NegativeSupport: true, Symmetry: true})
	l.exact, l.exactWall = run(Config{Strategy: Exact})
	for _, r := range []*Result{l.def, l.exact} {
		if r.Verdict == Inconclusive {
			t.Logf("INCONCLUSIVE: %s", r.Reason)
		}
	}
	if l.def.Verdict != Inconclusive && l.exact.Verdict != Inconclusive && l.def.Verdict != l.exact.Verdict {
		fail("CRITICAL: the strategies disagree: default %s (%s) after %d executions, exact %s (%s)",
			l.def.Verdict, describeCounterexamples(l.def), l.def.Executions, l.exact.Verdict, describeCounterexamples(l.exact))
	}
	for _, r := range []*Result{l.def, l.exact} {
		for _, c := range r.Counterexamples {
			if !sweepViolates(t, prog, p, c.Schedule) {
				fail("CRITICAL: counterexample %s does not violate the invariant on replay", c.Schedule)
			}
		}
	}

	certified := l.def.Verdict == Certified || l.exact.Verdict == Certified
	// Every certificate faces random runs; the exhaustive enumeration also
	// runs on counterexample verdicts, where it must find one too.
	if certified {
		l.random, l.randWall = run(Config{Strategy: Random, MaxRuns: setup.randomRuns, Seed: seed})
		if l.random.Verdict == Counterexample {
			s := l.random.Counterexamples[0].Schedule
			fail("CRITICAL: a certificate is broken by random run %d: %s; minimal: %s",
				l.random.Counterexamples[0].Run, s, sweepShrink(t, prog, p, s))
		}
	}
	l.count = fault.Count(p)
	if l.count.Cmp(big.NewInt(setup.exhaustiveMax)) > 0 {
		l.exhaustiveSkipReason = fmt.Sprintf("%s schedules", countText(l.count))
		return
	}
	n := int(l.count.Int64())
	l.exhaustive, l.exhWall = run(Config{Strategy: Exhaustive, MaxRuns: n})
	// With MaxRuns equal to the size of the space, the exhaustive search
	// may stop on the run limit right after its last schedule: every
	// schedule ran all the same, which is what the sweep needs.
	ranAll := l.exhaustive.Verdict == Certified ||
		l.exhaustive.Verdict == Inconclusive && l.exhaustive.Executions == n && len(l.exhaustive.Counterexamples) == 0
	switch {
	case l.exhaustive.Verdict == Counterexample && certified:
		s := l.exhaustive.Counterexamples[0].Schedule
		fail("CRITICAL: a certificate is broken by the exhaustive search: %s; minimal: %s", s, sweepShrink(t, prog, p, s))
	case ranAll && (l.def.Verdict == Counterexample || l.exact.Verdict == Counterexample):
		fail("CRITICAL: the exhaustive search ran every schedule and found no counterexample where a strategy found one")
	case l.exhaustive.Verdict == Inconclusive && !ranAll:
		fail("the exhaustive search is inconclusive after %d of %d schedules: %s", l.exhaustive.Executions, n, l.exhaustive.Reason)
	case l.exhaustive.Verdict == Inconclusive:
		t.Logf("the exhaustive search ran all %d schedules without a counterexample but says %s: %s", n, l.exhaustive.Verdict, l.exhaustive.Reason)
	}
}

// sweepViolates replays a schedule on a fresh evaluator.
func sweepViolates(t *testing.T, prog *dedalus.Program, p fault.Params, s fault.Schedule) bool {
	t.Helper()
	if err := p.ValidateSchedule(s); err != nil {
		t.Errorf("schedule %s is outside the bounds: %v", s, err)
		return false
	}
	eng, err := eval.New(prog)
	if err != nil {
		t.Fatal(err)
	}
	r, err := eng.Run(context.Background(), p, s, eval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return !r.OK()
}

// sweepShrink drops faults from a violating schedule while it still
// violates: a subset-minimal counterexample, for the failure report.
func sweepShrink(t *testing.T, prog *dedalus.Program, p fault.Params, s fault.Schedule) string {
	t.Helper()
	cur := s.Canonical()
	for i := 0; i < cur.Size(); {
		if cand := cur.Without(i); sweepViolates(t, prog, p, cand) {
			cur = cand
			continue
		}
		i++
	}
	var flags []string
	for _, c := range cur.Crashes {
		flags = append(flags, fmt.Sprintf("--crash %s,%d", c.Node, c.Time))
	}
	for _, o := range cur.Omissions {
		flags = append(flags, fmt.Sprintf("--omit %s,%s,%d", o.From, o.To, o.Time))
	}
	return fmt.Sprintf("%s (ldfi run --nodes %s --eot %d --eff %d --crashes %d %s)",
		cur, strings.Join(p.Nodes, ","), p.EOT, p.EFF, p.MaxCrashes, strings.Join(flags, " "))
}

func describeCounterexamples(r *Result) string {
	if len(r.Counterexamples) == 0 {
		if r.Reason != "" {
			return r.Reason
		}
		return "no counterexample"
	}
	c := r.Counterexamples[0]
	return fmt.Sprintf("%s violating %s", c.Schedule, strings.Join(preAtoms(c.Violations), ", "))
}

// sweepTable formats the sweep as a Markdown table.
func sweepTable(lines []*sweepLine) string {
	var b strings.Builder
	b.WriteString("| program | bounds | EOT/EFF/crashes | default (executions, method) | default wall | exact (executions) | exact formula (instances / vars / clauses) | exact wall | counterexample (default; exact if different) | random | random wall | exhaustive | exhaustive wall | result |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, l := range lines {
		fmt.Fprintf(&b, "| %s | %s | %d/%d/%d | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			l.row, l.setting, l.p.EOT, l.p.EFF, l.p.MaxCrashes,
			verdictCell(l.def, true), wallCell(l.def, l.defWall),
			verdictCell(l.exact, false), formulaCell(l.exact), wallCell(l.exact, l.exactWall),
			counterexampleCell(l.def, l.exact),
			baselineCell(l.random, false, "—"), wallCell(l.random, l.randWall),
			baselineCell(l.exhaustive, true, "— ("+l.exhaustiveSkipReason+")"), wallCell(l.exhaustive, l.exhWall),
			resultCell(l))
	}
	return b.String()
}

func verdictCell(r *Result, method bool) string {
	if r == nil {
		return "—"
	}
	s := fmt.Sprintf("%s (%d", r.Verdict, r.Executions)
	if method && r.CertificateMethod != "" {
		s += ", " + r.CertificateMethod
	}
	if r.FoundBy != "" {
		s += ", found by " + r.FoundBy
	}
	s += ")"
	if r.Verdict == Inconclusive {
		s += ": " + r.Reason
	}
	return s
}

func counterexampleCell(def, exact *Result) string {
	var parts []string
	for _, r := range []*Result{def, exact} {
		if r == nil || len(r.Counterexamples) == 0 {
			continue
		}
		s := "`" + r.Counterexamples[0].Schedule.String() + "`"
		if len(parts) == 0 || parts[0] != s {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return "—"
	}
	return strings.Join(parts, "; ")
}

// countText prints a schedule count, in scientific notation past 10^9.
func countText(n *big.Int) string {
	if n.Cmp(big.NewInt(1e9)) <= 0 {
		return n.String()
	}
	return new(big.Float).SetInt(n).Text('e', 1)
}

func formulaCell(r *Result) string {
	if r == nil || r.Exact == nil {
		return "—"
	}
	return fmt.Sprintf("%d / %d / %d", r.Exact.Instances, r.Exact.Vars, r.Exact.Clauses)
}

func baselineCell(r *Result, exhaustive bool, none string) string {
	switch {
	case r == nil:
		return none
	case r.Verdict == Counterexample:
		return fmt.Sprintf("counterexample at run %d", r.Counterexamples[0].Run)
	case r.Verdict == Certified:
		return fmt.Sprintf("%d runs, none violates", r.Executions)
	case r.Verdict == Inconclusive && strings.Contains(r.Reason, "run limit"):
		// Random: every draw ran. Exhaustive: every schedule ran, but the
		// search stopped on the run limit instead of certifying.
		if !exhaustive {
			return fmt.Sprintf("%d runs, none violates", r.Executions)
		}
		return fmt.Sprintf("%d runs, none violates (search says inconclusive: %s)", r.Executions, r.Reason)
	}
	return fmt.Sprintf("%s: %s", r.Verdict, r.Reason)
}

func wallCell(r *Result, d time.Duration) string {
	if r == nil {
		return "—"
	}
	switch {
	case d < time.Millisecond:
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	case d < time.Second:
		return fmt.Sprintf("%.0f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

func resultCell(l *sweepLine) string {
	var notes []string
	if len(l.failures) > 0 {
		notes = append(notes, "**FAIL**")
	} else {
		notes = append(notes, "ok")
	}
	if l.expect != "" && l.def.Verdict != Inconclusive && string(l.def.Verdict) != l.expect {
		notes = append(notes, "bench expects "+l.expect)
	}
	return strings.Join(notes, "; ")
}
