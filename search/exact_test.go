package search

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
)

// What the exact check cannot encode makes the verdict inconclusive, with
// the rule's position: never a certificate.
func TestExactUnsupportedIsInconclusive(t *testing.T) {
	var facts []string
	for k := range 13 {
		facts = append(facts, fmt.Sprintf(`v("a", %d)@%d;`, 1<<k, k+1))
	}
	prog, err := dedalus.LoadSource("p.ded", strings.Join(facts, " ")+`
peer("a", "b")@1;
peer(N, M)@next :- peer(N, M);
got(M, X)@async :- v(N, X), peer(N, M);
got(N, X)@next :- got(N, X);
total(N, sum<X>) :- got(N, X);
pre(N) :- peer(N, _);
post(N) :- peer(N, _), total(_, _);
`)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Check(context.Background(), prog, Config{Strategy: Exact, Params: fault.Params{Nodes: []string{"a", "b"}, EOT: 15, EFF: 14}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != Inconclusive || !strings.Contains(res.Reason, "p.ded:6:") {
		t.Fatalf("verdict %s, reason %q; want inconclusive naming p.ded:6", res.Verdict, res.Reason)
	}
}

// The exact strategy's counterexample is replayed, shrunk and confirmed;
// its executions are those replays.
func TestExactStrategyCounterexample(t *testing.T) {
	prog := mustLoad(t, "../examples/retry-deliv.ded")
	p := fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 4, EFF: 2, MaxCrashes: 1}
	res := check(t, prog, Config{Params: p, Strategy: Exact})
	if res.Verdict != Counterexample || res.FoundBy != FoundByExact {
		t.Fatalf("got %s found by %q", res.Verdict, res.FoundBy)
	}
	c := res.Counterexamples[0]
	assertViolates(t, prog, p, c.Schedule)
	if c.Schedule.Size() != 2 || c.Run != res.Executions || !res.Runs[len(res.Runs)-1].Violated() {
		t.Fatalf("counterexample %s at run %d of %d", c.Schedule, c.Run, res.Executions)
	}
	if res.Exact == nil || res.Exact.Clauses == 0 {
		t.Fatalf("no formula figures: %+v", res.Exact)
	}
}

// An exhaustive search whose run limit equals the number of schedules runs
// them all and certifies (it used to stop as inconclusive at the limit).
func TestExhaustiveAtExactlyTheRunLimit(t *testing.T) {
	prog := mustLoad(t, "../examples/chain.ded")
	p := fault.Params{Nodes: []string{"C", "h", "m", "t"}, EOT: 8, EFF: 2}
	n := int(fault.Count(p).Int64())
	res := check(t, prog, Config{Params: p, Strategy: Exhaustive, MaxRuns: n})
	if res.Verdict != Certified || res.Executions != n {
		t.Fatalf("got %s after %d of %d schedules (%s)", res.Verdict, res.Executions, n, res.Reason)
	}
	res = check(t, prog, Config{Params: p, Strategy: Exhaustive, MaxRuns: n, Symmetry: true})
	if res.Verdict != Certified {
		t.Fatalf("with symmetry: got %s (%s)", res.Verdict, res.Reason)
	}
}
