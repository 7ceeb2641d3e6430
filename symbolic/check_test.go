package symbolic

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"os"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
)

// exhaustive runs every schedule of p (smallest first) and returns the
// first that violates the invariant, and how many schedules it ran.
func exhaustive(t *testing.T, prog *dedalus.Program, p fault.Params, limit int) (fault.Schedule, bool, int) {
	t.Helper()
	eng, err := eval.New(prog)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for s := range fault.Enumerate(p) {
		n++
		if n > limit {
			t.Skipf("more than %d schedules", limit)
		}
		r, err := eng.Run(context.Background(), p, s, eval.Options{})
		if err != nil {
			t.Fatalf("run %s: %v", s, err)
		}
		if !r.OK() {
			return s, true, n
		}
	}
	return fault.Schedule{}, false, n
}

// violates replays s and reports whether it breaks the invariant.
func violates(t *testing.T, prog *dedalus.Program, p fault.Params, s fault.Schedule) bool {
	t.Helper()
	eng, err := eval.New(prog)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.ValidateSchedule(s); err != nil {
		t.Fatalf("model %s is not a valid schedule: %v", s, err)
	}
	r, err := eng.Run(context.Background(), p, s, eval.Options{})
	if err != nil {
		t.Fatalf("replay %s: %v", s, err)
	}
	return !r.OK()
}

// agree checks the exact verdict against exhaustive enumeration: same
// verdict, a model that replays, and the fewest faults.
func agree(t *testing.T, prog *dedalus.Program, p fault.Params, limit int) *Result {
	t.Helper()
	res, err := Check(context.Background(), prog, p, Options{})
	if err != nil {
		t.Fatalf("exact check: %v", err)
	}
	want, bad, _ := exhaustive(t, prog, p, limit)
	if res.Violated != bad {
		t.Fatalf("exact says violated=%v (%s), exhaustive says %v (%s)", res.Violated, res.Schedule, bad, want)
	}
	if res.Violated {
		if !violates(t, prog, p, res.Schedule) {
			t.Fatalf("exact model %s does not replay as a violation", res.Schedule)
		}
		if res.Schedule.Size() != want.Canonical().Size() {
			t.Fatalf("exact model %s has %d faults, exhaustive found %s with %d", res.Schedule, res.Schedule.Size(), want, want.Canonical().Size())
		}
	}
	return res
}

type benchRow struct {
	Name    string   `json:"name"`
	Files   []string `json:"files"`
	Nodes   []string `json:"nodes"`
	EOT     int      `json:"eot"`
	EFF     int      `json:"eff"`
	Crashes int      `json:"crashes"`
	Expect  string   `json:"expect"`
	// The asynchrony bounds (omitted: off; Omissions omitted: no budget).
	Delay      int  `json:"delay"`
	Duplicates bool `json:"duplicates"`
	Partitions int  `json:"partitions"`
	Omissions  *int `json:"omissions"`
}

// params are the row's own bounds.
func (row benchRow) params() fault.Params {
	p := fault.Params{Nodes: row.Nodes, EOT: row.EOT, EFF: row.EFF, MaxCrashes: row.Crashes,
		MaxDelay: row.Delay, Duplicates: row.Duplicates, MaxPartitions: row.Partitions}
	if row.Omissions != nil {
		p.OmissionsBounded, p.MaxOmissions = true, *row.Omissions
	}
	return p
}

func benchRows(t *testing.T) []benchRow {
	data, err := os.ReadFile("../examples/bench.json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []benchRow
	if err := json.Unmarshal(data, &rows); err != nil {
		t.Fatal(err)
	}
	return rows
}

func loadRow(t *testing.T, row benchRow) *dedalus.Program {
	var files []string
	for _, f := range row.Files {
		files = append(files, "../"+f)
	}
	prog, err := dedalus.LoadFiles(files...)
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

// TestExamplesSmallBounds compares the exact check with exhaustive
// enumeration on every example at bounds small enough to enumerate, and at
// the row's own bounds when they have asynchrony faults and at most 20,000
// schedules (LDFI_LONG: all).
func TestExamplesSmallBounds(t *testing.T) {
	for _, row := range benchRows(t) {
		prog := loadRow(t, row)
		var bounds []fault.Params
		switch n := row.Nodes; {
		case len(n) <= 3:
			bounds = []fault.Params{{Nodes: n, EOT: 5, EFF: 3}, {Nodes: n, EOT: 5, EFF: 2, MaxCrashes: 1}, {Nodes: n, EOT: 6, EFF: 0, MaxCrashes: 2}}
		case len(n) == 4:
			bounds = []fault.Params{{Nodes: n, EOT: 7, EFF: 1, MaxCrashes: 1}, {Nodes: n, EOT: 6, EFF: 2}, {Nodes: n, EOT: 8, EFF: 0, MaxCrashes: 2}}
		default:
			bounds = []fault.Params{{Nodes: n, EOT: 7, EFF: 1, MaxCrashes: 1}}
		}
		if p := row.params(); p.Async() && (fault.Count(p).Cmp(big.NewInt(20000)) <= 0 || os.Getenv("LDFI_LONG") != "") {
			// Larger ones cost 20,000 runs and a skip when certified
			// (the corpus has -small twins of its rows for this).
			bounds = append(bounds, p)
		}
		for _, p := range bounds {
			name := fmt.Sprintf("%s/eot%d-eff%d-c%d", row.Name, p.EOT, p.EFF, p.MaxCrashes)
			if p.Async() {
				name += "-async"
			}
			t.Run(name, func(t *testing.T) {
				agree(t, prog, p, 20000)
			})
		}
	}
}

// TestExamplesBenchBounds runs the exact check at every bench row's own
// bounds: counterexamples replay and the expected verdicts hold.
func TestExamplesBenchBounds(t *testing.T) {
	for _, row := range benchRows(t) {
		t.Run(row.Name, func(t *testing.T) {
			prog := loadRow(t, row)
			p := row.params()
			res, err := Check(context.Background(), prog, p, Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("violated=%v %s tuples=%d inst=%d gates=%d vars=%d clauses=%d calls=%d build=%s solve=%s",
				res.Violated, res.Schedule, res.Stats.Tuples, res.Stats.Instances, res.Stats.Gates, res.Stats.Vars, res.Stats.Clauses, res.Stats.SolverCalls, res.Stats.BuildTime, res.Stats.SolveTime)
			if res.Violated && !violates(t, prog, p, res.Schedule) {
				t.Fatalf("model %s does not replay", res.Schedule)
			}
			if got := map[bool]string{true: "counterexample", false: "certified"}[res.Violated]; got != row.Expect {
				t.Errorf("verdict %s, bench expects %s", got, row.Expect)
			}
		})
	}
}
