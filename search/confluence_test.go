package search

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
)

func loadExample(t *testing.T, name string) *dedalus.Program {
	t.Helper()
	prog, err := dedalus.LoadFiles("../examples/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return prog
}

func confluenceCfg(strategy Strategy, eff, delay int, dups bool) Config {
	return Config{Strategy: strategy, Parallel: 2, Params: fault.Params{
		Nodes: []string{"a", "b", "c"}, EOT: 6, EFF: eff, MaxDelay: delay, Duplicates: dups}}
}

func atoms(ts []eval.Tuple) string {
	var out []string
	for _, t := range ts {
		out = append(out, t.Atom())
	}
	return strings.Join(out, " ")
}

// The arrival-ordered register's outcome depends on arrival order: every
// strategy finds it, with the same fewest-fault divergence where it
// reports the fewest faults; the versioned register is certified.
func TestConfluenceRegister(t *testing.T) {
	arrival, stamped := loadExample(t, "lww-arrival.ded"), loadExample(t, "lww-stamped.ded")
	for _, st := range []Strategy{LDFI, Exact, Exhaustive, Random} {
		cfg := confluenceCfg(st, 2, 2, false)
		cfg.MaxRuns = 2000
		res, err := CheckConfluence(context.Background(), arrival, cfg, nil)
		if err != nil {
			t.Fatalf("%s: %v", st, err)
		}
		if res.Verdict != Counterexample || res.Counterexample == nil {
			t.Fatalf("%s: verdict %s, want a counterexample", st, res.Verdict)
		}
		d := res.Counterexample
		if got := d.Schedule.String(); got != "delay(a->b@1+2)" {
			t.Errorf("%s: schedule %s, want delay(a->b@1+2)", st, got)
		}
		if atoms(d.Missing) != `post("b",7)` || atoms(d.Extra) != `post("b",5)` {
			t.Errorf("%s: missing %q extra %q", st, atoms(d.Missing), atoms(d.Extra))
		}
		if d.Run < 2 || d.Run > res.Executions {
			t.Errorf("%s: run %d of %d executions", st, d.Run, res.Executions)
		}
		res, err = CheckConfluence(context.Background(), stamped, cfg, nil)
		if err != nil {
			t.Fatalf("%s: %v", st, err)
		}
		if res.Verdict != Certified {
			t.Errorf("%s on lww-stamped: %s (%s), want certified", st, res.Verdict, res.Reason)
		}
		if st == Random && !slices.Contains(res.Notes, "the random draws covered every schedule within the bounds") {
			t.Errorf("random: the certificate does not say the draws covered the space: %q", res.Notes)
		}
	}
	// Fewer runs than the 729 schedules: random search cannot certify.
	cfg := confluenceCfg(Random, 2, 2, false)
	cfg.MaxRuns = 300
	res, err := CheckConfluence(context.Background(), stamped, cfg, nil)
	if err != nil || res.Verdict != Inconclusive || res.Executions != 300 {
		t.Errorf("random, 300 runs: %v %+v", err, res)
	}
}

// A certificate of the default strategy comes from the exact check, never
// from the proposals alone.
func TestConfluenceCertificateIsExact(t *testing.T) {
	res, err := CheckConfluence(context.Background(), loadExample(t, "lww-stamped.ded"), confluenceCfg(LDFI, 3, 2, true), []string{"post", "val"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != Certified || res.CertificateMethod != MethodExact || res.Exact == nil {
		t.Fatalf("verdict %s by %q", res.Verdict, res.CertificateMethod)
	}
	if !slices.Equal(res.Outcomes, []string{"post", "val"}) || len(res.Reference) != 6 {
		t.Errorf("outcomes %v, reference %v", res.Outcomes, atoms(res.Reference))
	}
	if res.Executions < 2 {
		t.Errorf("%d executions: the proposals did not run", res.Executions)
	}
}

// Bounds that allow a loss are refused; no delay is one schedule.
func TestConfluenceBounds(t *testing.T) {
	prog := loadExample(t, "lww-arrival.ded")
	for field, mod := range map[string]func(*fault.Params){
		"MaxCrashes":    func(p *fault.Params) { p.MaxCrashes = 1 },
		"MaxPartitions": func(p *fault.Params) { p.MaxPartitions = 1 },
		"MaxOmissions":  func(p *fault.Params) { p.OmissionsBounded, p.MaxOmissions = true, 1 },
	} {
		cfg := confluenceCfg(LDFI, 2, 2, false)
		mod(&cfg.Params)
		_, err := CheckConfluence(context.Background(), prog, cfg, nil)
		var pe *fault.ParamError
		if !errors.As(err, &pe) || pe.Field != field {
			t.Errorf("%s: error %v", field, err)
		}
	}
	res, err := CheckConfluence(context.Background(), prog, confluenceCfg(LDFI, 2, 0, false), nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != Certified || res.Executions != 1 || len(res.Notes) == 0 || !strings.Contains(res.Notes[len(res.Notes)-1], "only one delivery schedule") {
		t.Errorf("delay 0: %s after %d, notes %q", res.Verdict, res.Executions, res.Notes)
	}
	if _, err := CheckConfluence(context.Background(), prog, confluenceCfg(LDFI, 2, 2, false), []string{"nosuch"}); err == nil {
		t.Errorf("an unknown outcome relation: no error")
	}
}

// A duplicate that is counted twice changes the counter; the run limit
// and the hand-over are respected.
func TestConfluenceDuplicate(t *testing.T) {
	prog := loadExample(t, "dup-counter.ded")
	cfg := Config{Strategy: LDFI, Params: fault.Params{Nodes: []string{"a", "b", "s"}, EOT: 7, EFF: 2, MaxDelay: 1, Duplicates: true}}
	res, err := CheckConfluence(context.Background(), prog, cfg, []string{"total"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != Counterexample || res.Counterexample.Schedule.String() != "dup(a->s@1+1)" || res.FoundBy != "" {
		t.Fatalf("verdict %s, %+v, found by %q", res.Verdict, res.Counterexample, res.FoundBy)
	}
	cfg.MaxRuns = 1
	cfg.Strategy = Random
	res, err = CheckConfluence(context.Background(), prog, cfg, []string{"total"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != Inconclusive || res.Executions != 1 {
		t.Errorf("run limit 1: %s after %d", res.Verdict, res.Executions)
	}
}
