package raft

import (
	"testing"

	"github.com/ldfi/ldfi/ldfitest"
	"github.com/ldfi/ldfi/search"
)

var bounds = ldfitest.Bounds{EOT: 7, EFF: 4, Crashes: 1}

// A voter that switches to a lower-id candidate elects two leaders in one
// term when the lower candidate's first request is lost.
func TestFickleVoterElectsTwoLeaders(t *testing.T) {
	rep, err := ldfitest.Search(Fickle(), bounds)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Result.Verdict != search.Counterexample {
		t.Fatalf("want a counterexample, got:\n%s", rep.Text())
	}
	s := rep.Result.Counterexamples[0].Schedule
	run, err := ldfitest.Replay(Fickle(), bounds, s.String())
	if err != nil || !run.Violated() {
		t.Fatalf("replaying %s: violated %v, %v", s, err == nil && run.Violated(), err)
	}
	t.Logf("%s", rep.Headline())
}

// One vote per term keeps one leader per term.
func TestElectionIsSafe(t *testing.T) {
	ldfitest.Check(t, Election(), bounds)
}
