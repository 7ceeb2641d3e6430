package symbolic

import (
	"context"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
)

// TestThreePhaseCommitScenario is the three-phase commit of issue 10, in
// our own program (testdata/3pc-timeouts.ded): agents commit by timeout
// once precommitted, the coordinator aborts on a timeout with a missing ack;
// the invariant says every agent agrees with its coordinator. The LDFI loop
// certified the program; the exact check must find the violation.
func TestThreePhaseCommitScenario(t *testing.T) {
	prog, err := dedalus.LoadFiles("testdata/3pc-timeouts.ded")
	if err != nil {
		t.Fatal(err)
	}
	eng, err := eval.New(prog)
	if err != nil {
		t.Fatal(err)
	}
	nodes := []string{"C", "a", "b", "d"}

	// The fault-free run commits everywhere.
	p := fault.Params{Nodes: nodes, EOT: 9, EFF: 7, MaxCrashes: 1}
	if v, err := replayViolates(eng, p, fault.Schedule{}); err != nil || v {
		t.Fatalf("fault-free run: violated=%v err=%v", v, err)
	}
	// The witness: a's ack lost at 4, C's abort to b lost at 6.
	witness := fault.Schedule{Omissions: []fault.Omission{{From: "a", To: "C", Time: 4}, {From: "C", To: "b", Time: 6}}}
	if v, err := replayViolates(eng, p, witness); err != nil || !v {
		t.Fatalf("witness %s: violated=%v err=%v", witness, v, err)
	}

	// EOT 9, EFF 7, 1 crash (2^72 omission sets): only the exact check
	// decides it; exhaustive enumeration, smallest first, confirms the
	// fewest faults.
	res, err := Check(context.Background(), prog, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("EOT 9, EFF 7, 1 crash: violated=%v %s; tuples=%d instances=%d gates=%d vars=%d clauses=%d calls=%d build=%s solve=%s",
		res.Violated, res.Schedule, res.Stats.Tuples, res.Stats.Instances, res.Stats.Gates, res.Stats.Vars, res.Stats.Clauses,
		res.Stats.SolverCalls, res.Stats.BuildTime, res.Stats.SolveTime)
	if !res.Violated {
		t.Fatal("exact check certifies 3PC at EOT 9, EFF 7, 1 crash; the witness above violates")
	}
	if v, err := replayViolates(eng, p, res.Schedule); err != nil || !v {
		t.Fatalf("exact model %s: violated=%v err=%v", res.Schedule, v, err)
	}
	first, bad, runs, err := firstViolation(eng, p, 50000)
	if err != nil || !bad {
		t.Fatalf("exhaustive (smallest first): bad=%v err=%v", bad, err)
	}
	t.Logf("exhaustive: first violation %s after %d runs", first, runs)
	if res.Schedule.Size() != first.Size() {
		t.Errorf("exact model %s has %d faults; the smallest violating schedule %s has %d", res.Schedule, res.Schedule.Size(), first, first.Size())
	}

	// EOT 8, EFF 0, 2 crashes: 417 schedules, small enough to run them all
	// and count the violating ones.
	p2 := fault.Params{Nodes: nodes, EOT: 8, EFF: 0, MaxCrashes: 2}
	if n := fault.Count(p2).Int64(); n != 417 {
		t.Fatalf("fault.Count = %d, want 417", n)
	}
	res2, err := Check(context.Background(), prog, p2, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var violating []fault.Schedule
	for s := range fault.Enumerate(p2) {
		if v, err := replayViolates(eng, p2, s); err != nil {
			t.Fatal(err)
		} else if v {
			violating = append(violating, s)
		}
	}
	t.Logf("EOT 8, EFF 0, 2 crashes: exact %s; %d of 417 schedules violate, the first %v", res2.Schedule, len(violating), violating[:min(len(violating), 1)])
	if !res2.Violated || len(violating) == 0 {
		t.Fatalf("exact violated=%v, exhaustive finds %d violating schedules", res2.Violated, len(violating))
	}
	if v, err := replayViolates(eng, p2, res2.Schedule); err != nil || !v {
		t.Fatalf("exact model %s: violated=%v err=%v", res2.Schedule, v, err)
	}
	if res2.Schedule.Size() != violating[0].Size() {
		t.Errorf("exact model %s has %d faults, the smallest violating schedule %s has %d", res2.Schedule, res2.Schedule.Size(), violating[0], violating[0].Size())
	}
	// An agent's crash at 3 (no ack) and the coordinator's at 4 (its abort
	// never leaves): the agents commit by timeout.
	both := fault.Schedule{Crashes: []fault.Crash{{Node: "C", Time: 4}, {Node: "a", Time: 3}}}
	if v, _ := replayViolates(eng, p2, both); !v {
		t.Errorf("%s does not violate", both)
	}

	// With one crash only, or with omissions only before the ack round,
	// every schedule keeps agreement: exact certificates that exhaustive
	// enumeration confirms.
	for _, q := range []fault.Params{
		{Nodes: nodes, EOT: 9, EFF: 0, MaxCrashes: 1},
		{Nodes: nodes, EOT: 9, EFF: 2, MaxCrashes: 0},
	} {
		r, err := Check(context.Background(), prog, q, Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, bad, runs, err := firstViolation(eng, q, 5000)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("EOT %d, EFF %d, %d crashes: exact violated=%v %s, exhaustive violated=%v after %d runs", q.EOT, q.EFF, q.MaxCrashes, r.Violated, r.Schedule, bad, runs)
		if r.Violated != bad || bad {
			t.Errorf("EOT %d, EFF %d, %d crashes: exact violated=%v, exhaustive %v; want both certified", q.EOT, q.EFF, q.MaxCrashes, r.Violated, bad)
		}
	}
}
