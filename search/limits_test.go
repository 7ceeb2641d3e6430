package search

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
)

// within runs f and fails the test if it does not return within d: a loop
// that ignores its limits fails here instead of hanging the test binary.
func within(t *testing.T, d time.Duration, f func()) {
	t.Helper()
	done := make(chan struct{})
	go func() {
		defer close(done)
		f()
	}()
	select {
	case <-done:
	case <-time.After(d):
		t.Fatalf("still running after %s: a loop ignores its limits", d)
	}
}

// Random draws that have covered every schedule up to symmetry end the
// search as the exhaustive one would, whatever the run limit (issue 9: the
// draws went on forever, drawing only repeats).
func TestRandomDrawnOutSpaceEndsLikeExhaustive(t *testing.T) {
	prog := mustLoad(t, "../examples/retry-deliv.ded")
	p := fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 4, EFF: 3}
	exh := check(t, prog, Config{Params: p, Strategy: Exhaustive, Symmetry: true})
	var rnd *Result
	within(t, 60*time.Second, func() {
		rnd = check(t, prog, Config{Params: p, Strategy: Random, Symmetry: true, Seed: 3, MaxRuns: 3000, Timeout: 30 * time.Second})
	})
	if rnd.Verdict != exh.Verdict || rnd.Executions != exh.Executions {
		t.Fatalf("random: %s after %d executions (%s), exhaustive: %s after %d", rnd.Verdict, rnd.Executions, rnd.Reason, exh.Verdict, exh.Executions)
	}
	if exh.Verdict != Certified {
		t.Fatalf("exhaustive gave %s, want certified (the test needs a space without counterexample)", exh.Verdict)
	}
}

// The loop that skips repeated draws checks the limits itself: a sequence
// of repeats only (no new execution, so the run limit never comes) stops on
// the other limits.
func TestBaselineRepeatsCheckTheLimits(t *testing.T) {
	prog := mustLoad(t, "../examples/simple-deliv.ded")
	p := fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 4, EFF: 2}
	eng, err := eval.New(prog)
	if err != nil {
		t.Fatal(err)
	}
	sym := FindSymmetry(prog, p)
	if !sym.Active() {
		t.Fatal("the test needs interchangeable nodes")
	}
	cfg := Config{Params: p, Strategy: Random, Symmetry: true}
	exec := newEvalExecutor(context.Background(), eng, p)
	res := &Result{}
	calls := 0
	b := &baselineSearch{cfg: &cfg, exec: exec, sym: sym, res: res, start: time.Now(),
		pf: newPrefetcher(exec, false, 1),
		limit: func() (string, bool) {
			calls++
			return "stopped by the test", calls > 1000
		},
		nextSched: func() (fault.Schedule, bool) { return fault.Schedule{}, true },
	}
	within(t, 30*time.Second, func() { err = b.run() })
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != Inconclusive || res.Reason != "stopped by the test" || res.Executions != 1 {
		t.Fatalf("got %s after %d executions (%q), want inconclusive after 1 (stopped by the test)", res.Verdict, res.Executions, res.Reason)
	}
}

// A cancelled search ends like a time limit, with a partial result whose
// reason names the cause of the cancellation.
func TestCancelledSearchIsInconclusive(t *testing.T) {
	prog := mustLoad(t, "../examples/ack-deliv.ded")
	p := fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 6, EFF: 4}
	for _, strategy := range []Strategy{LDFI, Random} {
		ctx, cancel := context.WithCancelCause(context.Background())
		cfg := Config{Params: p, Strategy: strategy, Symmetry: true, NegativeSupport: true}
		cfg.Progress = func(pr Progress) {
			if pr.Executions >= 3 {
				cancel(errors.New("interrupted"))
			}
		}
		res, err := Check(ctx, prog, cfg)
		if err != nil {
			t.Fatal(err)
		}
		if res.Verdict != Inconclusive || res.Reason != "interrupted" || res.Executions < 3 || len(res.Runs) != res.Executions {
			t.Errorf("%s: got %s after %d executions, %d runs (%q), want inconclusive (interrupted) after at least 3",
				strategy, res.Verdict, res.Executions, len(res.Runs), res.Reason)
		}
		cancel(nil)
	}
	// Without a cause, and for a time limit, the reasons differ.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got := stopReason(ctx); got != "the search was cancelled" {
		t.Errorf("cancelled: %q", got)
	}
	ctx, cancel = context.WithTimeout(context.Background(), -time.Second)
	defer cancel()
	if got := stopReason(ctx); got != "the time limit was reached" {
		t.Errorf("timeout: %q", got)
	}
}

// The runs take the search's context: a run it stops ends the search like
// a time limit, inconclusive with the cause as reason, never as an error,
// whichever strategy ran it (the fault-free run included).
func TestStoppedRunIsInconclusive(t *testing.T) {
	prog := mustLoad(t, "../examples/ack-deliv.ded")
	small := fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 4, EFF: 3}
	for _, strategy := range []Strategy{LDFI, Exact, Random, Exhaustive} {
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(errors.New("interrupted"))
		res, err := Check(ctx, prog, Config{Params: small, Strategy: strategy, Symmetry: true, NegativeSupport: true})
		if err != nil {
			t.Fatalf("%s: %v", strategy, err)
		}
		if res.Verdict != Inconclusive || res.Reason != "interrupted" || res.Executions != 0 || len(res.Runs) != 0 {
			t.Errorf("%s: got %s after %d executions, %d runs (%q), want inconclusive (interrupted) after none",
				strategy, res.Verdict, res.Executions, len(res.Runs), res.Reason)
		}
	}
	// Stopped inside a run of the LDFI loop: the third run sees the
	// context done at its first timestep.
	eng, err := eval.New(prog)
	if err != nil {
		t.Fatal(err)
	}
	p := fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 6, EFF: 4}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	real := newEvalExecutor(ctx, eng, p)
	runs := 0
	exec := func(s fault.Schedule, provenance bool) (*execution, error) {
		if runs++; runs == 3 {
			cancel(errors.New("interrupted"))
		}
		return real(s, provenance)
	}
	cfg := Config{Params: p, Strategy: LDFI, Symmetry: true, NegativeSupport: true}
	c := &checkRun{ctx: ctx, prog: prog, cfg: &cfg, res: &Result{}, start: time.Now(), exec: exec}
	c.symmetry()
	if err := c.ldfi(); err != nil {
		t.Fatal(err)
	}
	if res := c.res; res.Verdict != Inconclusive || res.Reason != "interrupted" || res.Executions != 2 {
		t.Errorf("stopped in run 3: got %s after %d executions (%q), want inconclusive (interrupted) after 2", res.Verdict, res.Executions, res.Reason)
	}
}
