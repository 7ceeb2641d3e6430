package ldfitest_test

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/examples/go/broadcast"
	"github.com/ldfi/ldfi/ldfitest"
	"github.com/ldfi/ldfi/sim"
)

// fakeT records what Check reports instead of failing the real test.
type fakeT struct {
	testing.TB
	name   string
	failed bool
	out    strings.Builder
}

func (f *fakeT) Helper()      {}
func (f *fakeT) Name() string { return f.name }
func (f *fakeT) Fatalf(format string, args ...any) {
	f.failed = true
	fmt.Fprintf(&f.out, format+"\n", args...)
}
func (f *fakeT) Errorf(format string, args ...any) { f.Fatalf(format, args...) }
func (f *fakeT) Logf(format string, args ...any)   { fmt.Fprintf(&f.out, format+"\n", args...) }

var bounds = ldfitest.Bounds{EOT: 4, EFF: 2, Symmetry: true}

func TestCheckFailsWithTheReplayCommand(t *testing.T) {
	f := &fakeT{name: "TestBcast/best_effort"}
	ldfitest.Check(f, broadcast.BestEffort(), bounds)
	want := "replay: go test ./ldfitest -run '^TestBcast$/^best_effort$' -ldfi.replay='omit(a->b@1)'"
	if !f.failed || !strings.Contains(f.out.String(), want) {
		t.Fatalf("failed %v, output:\n%s\nwant a line %q", f.failed, f.out.String(), want)
	}
	for _, w := range []string{"counterexample after 2 executions", "spacetime of run 2:", "-> b payload(hello)  LOST (omission)"} {
		if !strings.Contains(f.out.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, f.out.String())
		}
	}
}

func TestCheckPassesWithoutACounterexample(t *testing.T) {
	f := &fakeT{name: "TestRetry"}
	rep := ldfitest.Check(f, broadcast.Retrying(), bounds)
	if f.failed || !strings.Contains(f.out.String(), "no counterexample within the lineage-guided search after 1 executions") {
		t.Fatalf("failed %v, output:\n%s", f.failed, f.out.String())
	}
	if strings.Contains(rep.Text(), "certified") {
		t.Errorf("a lineage-guided verdict says certified:\n%s", rep.Text())
	}
}

// A check that requires nothing is vacuous, and fails.
func TestVacuousCheckFails(t *testing.T) {
	c := broadcast.BestEffort()
	c.Invariant = func(*sim.Run) []sim.Expectation { return nil }
	f := &fakeT{name: "TestNothing"}
	ldfitest.Check(f, c, bounds)
	if !f.failed || !strings.Contains(f.out.String(), "vacuous") {
		t.Fatalf("failed %v, output:\n%s", f.failed, f.out.String())
	}
}

// -ldfi.replay runs the one schedule: it fails when it violates the
// invariant, passes when it does not.
func TestReplayFlag(t *testing.T) {
	defer flag.Set("ldfi.replay", "")
	for _, tc := range []struct {
		sched string
		fail  bool
	}{{"omit(a->b@1)", true}, {"omit(a->b@1)", false}, {"no faults", false}, {"omit(a->b@9)", true}} {
		c := broadcast.BestEffort()
		if !tc.fail && tc.sched != "no faults" {
			c = broadcast.Retrying()
		}
		flag.Set("ldfi.replay", tc.sched)
		f := &fakeT{name: "TestReplay"}
		if rep := ldfitest.Check(f, c, bounds); rep != nil {
			t.Errorf("%s: a replay returned a search report", tc.sched)
		}
		if f.failed != tc.fail {
			t.Errorf("%s: failed %v, want %v:\n%s", tc.sched, f.failed, tc.fail, f.out.String())
		}
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	defer flag.Set("ldfi.out", "")
	flag.Set("ldfi.out", dir)
	ldfitest.Check(&fakeT{name: "TestOut/x"}, broadcast.Retrying(), bounds)
	data, err := os.ReadFile(filepath.Join(dir, "TestOut_x", "runs.json"))
	if err != nil {
		t.Fatal(err)
	}
	var sum struct {
		V          string `json:"verdict"`
		M          string `json:"certificate_method"`
		Executions int    `json:"executions"`
	}
	if err := json.Unmarshal(data, &sum); err != nil {
		t.Fatal(err)
	}
	if sum.V != "no-counterexample" || sum.M != "lineage-guided" || sum.Executions != 1 {
		t.Errorf("runs.json: %s", data)
	}
	for _, name := range []string{"report.txt", "index.html"} {
		b, err := os.ReadFile(filepath.Join(dir, "TestOut_x", name))
		if err != nil || !strings.Contains(string(b), "no counterexample within the lineage-guided search") {
			t.Errorf("%s: %v\n%s", name, err, b)
		}
	}
}
