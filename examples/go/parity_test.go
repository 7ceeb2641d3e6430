// Package goexamples holds the parity test between the Go examples and the
// Dedalus programs of the same protocols.
package goexamples

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/examples/go/broadcast"
	"github.com/ldfi/ldfi/examples/go/primarybackup"
	"github.com/ldfi/ldfi/examples/go/raft"
	"github.com/ldfi/ldfi/examples/go/twopc"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/search"
	"github.com/ldfi/ldfi/sim"
)

type twin struct {
	file    string
	params  fault.Params
	cluster *sim.Cluster
}

func twins() []twin {
	abc := []string{"a", "b", "c"}
	return []twin{
		{"simple-deliv.ded", fault.Params{Nodes: abc, EOT: 4, EFF: 2}, broadcast.BestEffort()},
		{"retry-deliv.ded", fault.Params{Nodes: abc, EOT: 4, EFF: 2}, broadcast.Retrying()},
		{"retry-deliv.ded", fault.Params{Nodes: abc, EOT: 4, EFF: 2, MaxCrashes: 1}, broadcast.Retrying()},
		{"2pc.ded", fault.Params{Nodes: []string{"C", "a", "b", "c"}, EOT: 5, MaxCrashes: 1}, twopc.Blocking()},
		{"primary-backup.ded", fault.Params{Nodes: []string{"C", "p", "b", "c"}, EOT: 6, EFF: 4, MaxCrashes: 1}, primarybackup.Synchronous()},
		{"raft-election.ded", fault.Params{Nodes: abc, EOT: 7, EFF: 4, MaxCrashes: 1}, raft.Election()},
	}
}

func (tw twin) name() string {
	p := tw.params
	return fmt.Sprintf("%s EOT %d EFF %d crashes %d", tw.file, p.EOT, p.EFF, p.MaxCrashes)
}

// The Go twin gets the Dedalus program's verdict at the same bounds, with
// executions within 2x (either way). The searches use ldfi check's
// defaults: LDFI, symmetry (found in Dedalus, declared in Go), negative
// support (Dedalus).
func TestParityWithDedalus(t *testing.T) {
	ctx := context.Background()
	for _, tw := range twins() {
		prog, err := dedalus.LoadFiles("../" + tw.file)
		if err != nil {
			t.Fatal(err)
		}
		ded, err := search.Check(ctx, prog, search.Config{Params: tw.params, Symmetry: true, NegativeSupport: true})
		if err != nil {
			t.Fatal(err)
		}
		gor, err := sim.Check(ctx, tw.cluster, search.Config{Params: tw.params, Symmetry: true})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-40s Dedalus %s in %d, Go %s (%s) in %d", tw.name(), ded.Verdict, ded.Executions, gor.Verdict, gor.CertificateMethod, gor.Executions)
		// A Go search that runs out of hypotheses has no exact check to
		// certify it: its "no counterexample" is the Dedalus certificate's
		// counterpart.
		same := ded.Verdict == gor.Verdict || ded.Verdict == search.Certified && gor.Verdict == search.NoCounterexample
		if !same {
			t.Errorf("%s: Dedalus %s, Go %s", tw.name(), ded.Verdict, gor.Verdict)
		}
		if gor.Executions > 2*ded.Executions || ded.Executions > 2*gor.Executions {
			t.Errorf("%s: %d executions in Go, %d in Dedalus: not within 2x", tw.name(), gor.Executions, ded.Executions)
		}
	}
}

// Run by run, each Go twin does what its Dedalus program does: under the
// smallest schedules of its bounds (and more with LDFI_LONG=1), the same
// expectations are violated (compared by their arguments: pre("b","hello")
// in Dedalus, delivered("b","hello") in Go).
func TestTwinsAgreeRunByRun(t *testing.T) {
	limit := 2000
	switch {
	case os.Getenv("LDFI_LONG") != "":
		limit = 100000
	case testing.Short():
		limit = 100
	}
	ctx := context.Background()
	for _, tw := range twins() {
		prog, err := dedalus.LoadFiles("../" + tw.file)
		if err != nil {
			t.Fatal(err)
		}
		eng, err := eval.New(prog)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for s := range fault.Enumerate(tw.params) {
			if n++; n > limit {
				break
			}
			dr, err := eng.Run(ctx, tw.params, s, eval.Options{})
			if err != nil {
				t.Fatal(err)
			}
			gr, err := sim.Simulate(ctx, tw.cluster, tw.params, s, sim.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var want, got []string
			for _, v := range search.Violations(dr) {
				want = append(want, args(v.Pre.Args))
			}
			for _, v := range gr.Violations() {
				got = append(got, args(v.Key.Tuple(0).Args))
			}
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Equal(want, got) {
				t.Fatalf("%s under %s: Dedalus violates %v, Go %v", tw.name(), s, want, got)
			}
		}
	}
}

func args(vs []dedalus.Value) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = eval.FormatValue(v)
	}
	return strings.Join(parts, ",")
}
