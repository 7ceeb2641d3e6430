package search

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
)

func mustLoad(t *testing.T, files ...string) *dedalus.Program {
	t.Helper()
	prog, err := dedalus.LoadFiles(files...)
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

func check(t *testing.T, prog *dedalus.Program, cfg Config) *Result {
	t.Helper()
	if cfg.Strategy == "" {
		cfg.Strategy = LDFI
		cfg.NegativeSupport = true
		cfg.Symmetry = true
	}
	res, err := Check(context.Background(), prog, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// A single lost message is found in two executions: one to learn, one to
// break.
func TestSingleLostMessageInTwoExecutions(t *testing.T) {
	prog := mustLoad(t, "../examples/simple-deliv.ded")
	res := check(t, prog, Config{Params: fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 4, EFF: 2}})
	if res.Verdict != Counterexample || res.Executions != 2 {
		t.Fatalf("got %s after %d executions, want a counterexample after 2", res.Verdict, res.Executions)
	}
	c := res.Counterexamples[0]
	if c.Schedule.Size() != 1 || len(c.Schedule.Omissions) != 1 || c.Schedule.Omissions[0].From != "a" {
		t.Errorf("counterexample %s, want one omission of a message from a", c.Schedule)
	}
	assertViolates(t, prog, fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 4, EFF: 2}, c.Schedule)
}

// The result does not depend on parallelism, and is the same run after run.
func TestDeterministicWhateverParallelism(t *testing.T) {
	cases := []struct {
		file string
		p    fault.Params
	}{
		{"../examples/kafka.ded", fault.Params{Nodes: []string{"C", "Z", "a", "b", "c"}, EOT: 6, EFF: 4, MaxCrashes: 1}},
		{"../examples/ack-deliv.ded", fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 6, EFF: 4}},
		{"../examples/retry-deliv.ded", fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 4, EFF: 2, MaxCrashes: 1}},
	}
	for _, c := range cases {
		prog := mustLoad(t, c.file)
		var first *Result
		for _, par := range []int{1, 8, 1, 8} {
			res := check(t, prog, Config{Params: c.p, Parallel: par})
			res.Stats = Stats{} // timings differ; everything else must not
			if first == nil {
				first = res
				continue
			}
			if !reflect.DeepEqual(first, res) {
				t.Fatalf("%s: result at --parallel %d differs from the first run", c.file, par)
			}
		}
	}
}

// Negative support matters: the Kafka-style replication loses an
// acknowledged write only through a run where faults make a tuple appear
// (the in-sync set shrinks once the leader stops hearing from followers).
// Without negative support the lineage loop runs out of hypotheses; the
// exact check that must confirm every certificate of a program with
// negation then finds the counterexample. With it, the loop finds it.
func TestNegativeSupportFindsWhatPlainLineageMisses(t *testing.T) {
	prog := mustLoad(t, "../examples/kafka.ded")
	p := fault.Params{Nodes: []string{"C", "Z", "a", "b", "c"}, EOT: 6, EFF: 4, MaxCrashes: 1}
	plain := check(t, prog, Config{Params: p, Strategy: LDFI, Symmetry: true})
	with := check(t, prog, Config{Params: p, Strategy: LDFI, Symmetry: true, NegativeSupport: true})
	if with.Verdict != Counterexample || with.FoundBy != "" {
		t.Fatalf("with negative support: %s (found by %q) after %d executions, want a counterexample found by the loop", with.Verdict, with.FoundBy, with.Executions)
	}
	assertViolates(t, prog, p, with.Counterexamples[0].Schedule)
	if plain.Verdict != Counterexample || plain.FoundBy != FoundByExact {
		t.Fatalf("without negative support: %s (found by %q); want the exact check to find what plain lineage misses", plain.Verdict, plain.FoundBy)
	}
	assertViolates(t, prog, p, plain.Counterexamples[0].Schedule)
	if plain.Exact == nil || plain.Exact.SolverCalls == 0 {
		t.Errorf("the exact check's figures are missing: %+v", plain.Exact)
	}
}

// The exhaustive strategy refuses spaces above its run limit.
func TestExhaustiveRefusesLargeSpaces(t *testing.T) {
	prog := mustLoad(t, "../examples/simple-deliv.ded")
	_, err := Check(context.Background(), prog, Config{Strategy: Exhaustive, MaxRuns: 10,
		Params: fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 4, EFF: 3}})
	if err == nil || !strings.Contains(err.Error(), "too large") {
		t.Fatalf("got %v, want a refusal", err)
	}
}

// The run limit gives an inconclusive verdict.
func TestRunLimitIsInconclusive(t *testing.T) {
	prog := mustLoad(t, "../examples/ack-deliv.ded")
	res := check(t, prog, Config{Params: fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 6, EFF: 4}, MaxRuns: 2})
	if res.Verdict != Inconclusive || res.Executions != 2 || res.Reason == "" {
		t.Fatalf("got %s after %d executions (%q), want inconclusive after 2", res.Verdict, res.Executions, res.Reason)
	}
}

// The random strategy is reproducible from its seed and finds the easy bug.
func TestRandomIsSeeded(t *testing.T) {
	prog := mustLoad(t, "../examples/simple-deliv.ded")
	p := fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 4, EFF: 2}
	a := check(t, prog, Config{Params: p, Strategy: Random, Seed: 3, Parallel: 2})
	b := check(t, prog, Config{Params: p, Strategy: Random, Seed: 3, Parallel: 1})
	if a.Verdict != Counterexample || a.Executions != b.Executions || !reflect.DeepEqual(a.Counterexamples, b.Counterexamples) {
		t.Fatalf("seeded random runs differ or miss: %s/%d vs %s/%d", a.Verdict, a.Executions, b.Verdict, b.Executions)
	}
}

// Symmetry: schedules equal up to interchangeable nodes run once, and the
// verdict and the executions with symmetry never exceed those without.
func TestSymmetryReducesRuns(t *testing.T) {
	prog := mustLoad(t, "../examples/redun-deliv.ded")
	p := fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 4, EFF: 2, MaxCrashes: 1}
	sym := FindSymmetry(prog, p)
	if !reflect.DeepEqual(sym.Classes, [][]string{{"b", "c"}}) {
		t.Fatalf("symmetry classes %v, want [[b c]]", sym.Classes)
	}
	with := check(t, prog, Config{Params: p, Strategy: Exhaustive, Symmetry: true})
	without := check(t, prog, Config{Params: p, Strategy: Exhaustive})
	if with.Verdict != without.Verdict || with.Executions >= without.Executions {
		t.Fatalf("with symmetry %s in %d, without %s in %d", with.Verdict, with.Executions, without.Verdict, without.Executions)
	}
}

func loadProgram(file string) (*dedalus.Program, error) { return dedalus.LoadFiles(file) }

// An outcome whose lineage holds no message at all, only the absence of a
// suspicion that a lost heartbeat makes appear: negative support follows
// the suspicion back in time to the heartbeat that held it back.
func TestNegativeSupportFollowsStateBackInTime(t *testing.T) {
	prog := mustLoad(t, "testdata/suspect.ded")
	p := fault.Params{Nodes: []string{"a", "b"}, EOT: 4, EFF: 2}
	res := check(t, prog, Config{Params: p})
	if res.Verdict != Counterexample || res.Executions != 2 {
		t.Fatalf("got %s after %d executions, want a counterexample after 2", res.Verdict, res.Executions)
	}
	assertViolates(t, prog, p, res.Counterexamples[0].Schedule)
	exh := check(t, prog, Config{Params: p, Strategy: Exhaustive})
	if exh.Verdict != Counterexample {
		t.Fatalf("exhaustive search: %s", exh.Verdict)
	}
}

// With All, the search keeps going and reports every minimal counterexample
// it finds: each violates, and no counterexample contains another.
func TestAllCounterexamplesAreMinimal(t *testing.T) {
	prog := mustLoad(t, "../examples/retry-deliv.ded")
	p := fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 4, EFF: 2, MaxCrashes: 1}
	res := check(t, prog, Config{Params: p, Strategy: LDFI, NegativeSupport: true, All: true})
	if res.Verdict != Counterexample || len(res.Counterexamples) != 2 {
		t.Fatalf("got %s with %d counterexamples, want the two symmetric ones", res.Verdict, len(res.Counterexamples))
	}
	for i, c := range res.Counterexamples {
		assertViolates(t, prog, p, c.Schedule)
		for j, d := range res.Counterexamples {
			if i != j && contains(d.Schedule, c.Schedule) {
				t.Errorf("counterexample %s contains %s", d.Schedule, c.Schedule)
			}
		}
	}
}

func contains(big, small fault.Schedule) bool {
	for _, c := range small.Crashes {
		if ct, ok := big.CrashTime(c.Node); !ok || ct != c.Time {
			return false
		}
	}
	for _, o := range small.Omissions {
		found := false
		for _, x := range big.Omissions {
			found = found || x == o
		}
		if !found {
			return false
		}
	}
	return true
}
