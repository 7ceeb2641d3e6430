package primarybackup

import (
	"testing"

	"github.com/ldfi/ldfi/ldfitest"
	"github.com/ldfi/ldfi/search"
)

var bounds = ldfitest.Bounds{EOT: 6, EFF: 4, Crashes: 1, Symmetry: true}

// Acknowledging before replicating loses an acknowledged write to a lost
// forward and a primary crash.
func TestEarlyAckLosesAWrite(t *testing.T) {
	rep, err := ldfitest.Search(EarlyAck(), bounds)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Result.Verdict != search.Counterexample {
		t.Fatalf("want a counterexample, got:\n%s", rep.Text())
	}
	s := rep.Result.Counterexamples[0].Schedule
	if len(s.Crashes) != 1 || s.Crashes[0].Node != "p" || len(s.Omissions) != 1 {
		t.Errorf("counterexample %s, want a crash of p and one lost message", s)
	}
	run, err := ldfitest.Replay(EarlyAck(), bounds, s.String())
	if err != nil || !run.Violated() {
		t.Fatalf("replaying %s: violated %v, %v", s, err == nil && run.Violated(), err)
	}
}

// Synchronous replication keeps every acknowledged write.
func TestSynchronousIsDurable(t *testing.T) {
	ldfitest.Check(t, Synchronous(), bounds)
}
