package twopc

import (
	"testing"

	"github.com/ldfi/ldfi/ldfitest"
	"github.com/ldfi/ldfi/search"
)

var bounds = ldfitest.Bounds{EOT: 5, EFF: 0, Crashes: 1, Symmetry: true}

// A coordinator crash after the votes blocks the agents.
func TestCoordinatorCrashBlocks(t *testing.T) {
	rep, err := ldfitest.Search(Blocking(), bounds)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Result.Verdict != search.Counterexample {
		t.Fatalf("want a counterexample, got:\n%s", rep.Text())
	}
	s := rep.Result.Counterexamples[0].Schedule
	if s.String() != "crash(C@3)" {
		t.Errorf("counterexample %s, want crash(C@3)", s)
	}
	run, err := ldfitest.Replay(Blocking(), bounds, s.String())
	if err != nil || !run.Violated() {
		t.Fatalf("replaying %s: violated %v, %v", s, err == nil && run.Violated(), err)
	}
}

// Timeouts and cooperative termination fix it, at the same bounds: LDFI
// finds nothing, and the exhaustive strategy runs all 21 schedules.
func TestTerminatingDecides(t *testing.T) {
	ldfitest.Check(t, Terminating(), bounds)
	ex := bounds
	ex.Strategy, ex.Symmetry = search.Exhaustive, false
	if rep := ldfitest.Check(t, Terminating(), ex); rep != nil && rep.Result.Executions != 21 {
		t.Errorf("exhaustive: %s", rep.Headline())
	}
}
