package search

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
)

// benchEntry is the part of examples/bench.json these tests read.
type benchEntry struct {
	Name    string   `json:"name"`
	Files   []string `json:"files"`
	Nodes   []string `json:"nodes"`
	Crashes int      `json:"crashes"`
}

func loadBench(t *testing.T) []benchEntry {
	t.Helper()
	data, err := os.ReadFile("../examples/bench.json")
	if err != nil {
		t.Fatal(err)
	}
	var rows []benchEntry
	if err := json.Unmarshal(data, &rows); err != nil {
		t.Fatal(err)
	}
	return rows
}

// smallBounds returns bounds small enough for exhaustive search on the
// example's node set: omissions on 3 nodes, crashes (and a short omission
// window) on larger sets.
func smallBounds(nodes []string) []fault.Params {
	switch {
	case len(nodes) <= 3:
		return []fault.Params{
			{Nodes: nodes, EOT: 5, EFF: 3, MaxCrashes: 0},
			{Nodes: nodes, EOT: 5, EFF: 2, MaxCrashes: 1},
		}
	case len(nodes) == 4:
		return []fault.Params{
			{Nodes: nodes, EOT: 7, EFF: 1, MaxCrashes: 1},
			{Nodes: nodes, EOT: 6, EFF: 2, MaxCrashes: 0},
		}
	default:
		return []fault.Params{{Nodes: nodes, EOT: 7, EFF: 1, MaxCrashes: 1}}
	}
}

// TestExamplesAgreeWithExhaustive runs LDFI and exhaustive search on every
// example at small bounds: LDFI must never certify what exhaustive search
// breaks, and must find a counterexample whenever exhaustive search does.
func TestExamplesAgreeWithExhaustive(t *testing.T) {
	if testing.Short() {
		t.Skip("exhaustive cross-check is slow; run without -short")
	}
	seen := map[string]bool{}
	for _, row := range loadBench(t) {
		key := fmt.Sprint(row.Files, row.Nodes)
		if seen[key] {
			continue
		}
		seen[key] = true
		files := make([]string, len(row.Files))
		for i, f := range row.Files {
			files[i] = filepath.Join("..", f)
		}
		prog, err := dedalus.LoadFiles(files...)
		if err != nil {
			t.Fatalf("%s: %v", row.Name, err)
		}
		for _, p := range smallBounds(row.Nodes) {
			name := fmt.Sprintf("%s/eot%d-eff%d-c%d", row.Name, p.EOT, p.EFF, p.MaxCrashes)
			t.Run(name, func(t *testing.T) {
				exh, err := Check(context.Background(), prog, Config{Params: p, Strategy: Exhaustive, Symmetry: true, Parallel: 2, MaxRuns: 5000})
				if err != nil {
					t.Fatal(err)
				}
				ldfi, err := Check(context.Background(), prog, Config{Params: p, Strategy: LDFI, Symmetry: true, NegativeSupport: true, Parallel: 2})
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("exhaustive %s in %d, ldfi %s in %d", exh.Verdict, exh.Executions, ldfi.Verdict, ldfi.Executions)
				if exh.Verdict != ldfi.Verdict {
					t.Errorf("verdicts differ: exhaustive %s (%v), ldfi %s after %d executions",
						exh.Verdict, exh.Counterexamples, ldfi.Verdict, ldfi.Executions)
				}
				for _, c := range ldfi.Counterexamples {
					assertViolates(t, prog, p, c.Schedule)
				}
			})
		}
	}
}

// assertViolates replays a schedule independently of the search.
func assertViolates(t *testing.T, prog *dedalus.Program, p fault.Params, s fault.Schedule) {
	t.Helper()
	eng, err := eval.New(prog)
	if err != nil {
		t.Fatal(err)
	}
	r, err := eng.Run(context.Background(), p, s, eval.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.OK() {
		t.Errorf("counterexample %s does not violate the invariant on replay", s)
	}
}
