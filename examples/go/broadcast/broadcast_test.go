package broadcast

import (
	"strings"
	"testing"

	"github.com/ldfi/ldfi/ldfitest"
	"github.com/ldfi/ldfi/search"
)

// One lost message breaks best-effort broadcast; the printed schedule
// replays the failure.
func TestBestEffortLosesAMessage(t *testing.T) {
	b := ldfitest.Bounds{EOT: 4, EFF: 2, Symmetry: true}
	rep, err := ldfitest.Search(BestEffort(), b)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Result.Verdict != search.Counterexample {
		t.Fatalf("want a counterexample, got:\n%s", rep.Text())
	}
	s := rep.Result.Counterexamples[0].Schedule
	if s.String() != "omit(a->b@1)" {
		t.Errorf("counterexample %s, want omit(a->b@1)", s)
	}
	text := rep.Text()
	for _, want := range []string{"violated: delivered(\"b\",\"hello\")", "a->b@1", "LOST (omission)", "-ldfi.replay='omit(a->b@1)'"} {
		if !strings.Contains(text, want) {
			t.Errorf("the report lacks %q:\n%s", want, text)
		}
	}
	run, err := ldfitest.Replay(BestEffort(), b, s.String())
	if err != nil || !run.Violated() {
		t.Fatalf("replaying %s: violated %v, %v", s, err == nil && run.Violated(), err)
	}
}

// Retrying broadcast survives any loss before EFF.
func TestRetryingSurvivesLosses(t *testing.T) {
	rep := ldfitest.Check(t, Retrying(), ldfitest.Bounds{EOT: 4, EFF: 2, Symmetry: true})
	if rep != nil && rep.Result.CertificateMethod != search.MethodLineageGuided {
		t.Errorf("certificate %q, want lineage-guided", rep.Result.CertificateMethod)
	}
	// The exhaustive strategy runs all 64 schedules and certifies.
	rep = ldfitest.Check(t, Retrying(), ldfitest.Bounds{EOT: 4, EFF: 2, Strategy: search.Exhaustive})
	if rep != nil && (rep.Result.CertificateMethod != search.MethodExhaustive || rep.Result.Executions != 64) {
		t.Errorf("exhaustive: %s", rep.Headline())
	}
}

// A lost message then a crash of the sender breaks retrying broadcast too.
func TestRetryingLosesToLossAndCrash(t *testing.T) {
	b := ldfitest.Bounds{EOT: 4, EFF: 2, Crashes: 1, Symmetry: true}
	rep, err := ldfitest.Search(Retrying(), b)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Result.Verdict != search.Counterexample {
		t.Fatalf("want a counterexample, got:\n%s", rep.Text())
	}
	s := rep.Result.Counterexamples[0].Schedule
	if len(s.Crashes) != 1 || s.Crashes[0].Node != "a" || len(s.Omissions) != 1 {
		t.Errorf("counterexample %s, want a crash of a and one omission", s)
	}
	run, err := ldfitest.Replay(Retrying(), b, s.String())
	if err != nil || !run.Violated() {
		t.Fatalf("replaying %s: violated %v, %v", s, err == nil && run.Violated(), err)
	}
}
