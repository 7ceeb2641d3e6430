package eval

import (
	"context"
	"fmt"
	"os"
	"strings"
	"syscall"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
)

// Benchmarks of whole runs (go test -bench . ./eval). The programs are in
// testdata/bench; synth.ded gets its node facts from synthProgram.

func loadBench(tb testing.TB, file string) *Engine {
	tb.Helper()
	prog, err := dedalus.LoadFiles("testdata/bench/" + file)
	if err != nil {
		tb.Fatal(err)
	}
	e, err := New(prog)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func nodeNames(n int) []string {
	var out []string
	for i := range n {
		out = append(out, fmt.Sprintf("n%d", i))
	}
	return out
}

// synthProgram is synth.ded with facts for the given nodes: full
// membership, a leader n0 proposing "v", and a clock per node.
func synthProgram(tb testing.TB, nodes []string) *Engine {
	tb.Helper()
	src, err := os.ReadFile("testdata/bench/synth.ded")
	if err != nil {
		tb.Fatal(err)
	}
	var b strings.Builder
	b.Write(src)
	for _, n := range nodes {
		for _, m := range nodes {
			fmt.Fprintf(&b, "member(%q, %q)@1;\n", n, m)
		}
		fmt.Fprintf(&b, "leader(%q, %q)@1;\ntick(%q, 1)@1;\n", n, nodes[0], n)
	}
	fmt.Fprintf(&b, "propose(%q, \"v\")@1;\n", nodes[0])
	prog, err := dedalus.LoadSource("synth.ded", b.String())
	if err != nil {
		tb.Fatal(err)
	}
	e, err := New(prog)
	if err != nil {
		tb.Fatal(err)
	}
	return e
}

func cpuTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

func benchRun(b *testing.B, e *Engine, p fault.Params, s fault.Schedule) {
	for _, prov := range []bool{false, true} {
		b.Run(fmt.Sprintf("prov=%v", prov), func(b *testing.B) {
			b.ReportAllocs()
			var tuples int
			cpu0 := cpuTime()
			for b.Loop() {
				res, err := e.Run(context.Background(), p, s, Options{Provenance: prov})
				if err != nil {
					b.Fatal(err)
				}
				tuples = res.NumTuples()
			}
			b.ReportMetric(float64(tuples), "tuples")
			// CPU time of the process per run: on a shared, loaded machine
			// it is a steadier figure than wall time.
			b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N), "cpu-ns/op")
		})
	}
}

var abc = []string{"a", "b", "c"}

func BenchmarkBroadcast(b *testing.B) {
	for _, file := range []string{"bcast.ded", "retry.ded"} {
		e := loadBench(b, file)
		p := fault.Params{Nodes: abc, EOT: 4, EFF: 2, MaxCrashes: 1}
		b.Run(strings.TrimSuffix(file, ".ded")+"/nofaults", func(b *testing.B) { benchRun(b, e, p, fault.Schedule{}) })
		s := fault.Schedule{Omissions: []fault.Omission{{From: "a", To: "b", Time: 1}}, Crashes: []fault.Crash{{Node: "a", Time: 3}}}
		b.Run(strings.TrimSuffix(file, ".ded")+"/faults", func(b *testing.B) { benchRun(b, e, p, s) })
	}
}

func BenchmarkSynthetic(b *testing.B) {
	nodes := nodeNames(5)
	e := synthProgram(b, nodes)
	benchRun(b, e, fault.Params{Nodes: nodes, EOT: 10, EFF: 3, MaxCrashes: 1}, fault.Schedule{})
}

func BenchmarkScaleNodes(b *testing.B) {
	for _, n := range []int{3, 5, 10, 20} {
		nodes := nodeNames(n)
		e := synthProgram(b, nodes)
		b.Run(fmt.Sprintf("nodes=%d", n), func(b *testing.B) {
			benchRun(b, e, fault.Params{Nodes: nodes, EOT: 10, EFF: 3}, fault.Schedule{})
		})
	}
}

func BenchmarkScaleEOT(b *testing.B) {
	nodes := nodeNames(5)
	e := synthProgram(b, nodes)
	for _, eot := range []int{5, 10, 20, 50} {
		b.Run(fmt.Sprintf("eot=%d", eot), func(b *testing.B) {
			benchRun(b, e, fault.Params{Nodes: nodes, EOT: eot, EFF: 3}, fault.Schedule{})
		})
	}
}

// TestBenchPrograms checks that the benchmark programs do what they say,
// so that the benchmarks measure real work.
func TestBenchPrograms(t *testing.T) {
	p := fault.Params{Nodes: abc, EOT: 4, EFF: 2, MaxCrashes: 1}
	for _, file := range []string{"bcast.ded", "retry.ded"} {
		e := loadBench(t, file)
		res, err := e.Run(context.Background(), p, fault.Schedule{}, Options{})
		if err != nil || !res.OK() {
			t.Fatalf("%s: fault-free run: err %v, violations %v", file, err, res.Violations())
		}
		res, err = e.Run(context.Background(), p, fault.Schedule{Omissions: []fault.Omission{{From: "a", To: "b", Time: 1}}}, Options{})
		if err != nil || res.OK() != (file == "retry.ded") {
			t.Fatalf("%s: with a->b lost at 1: err %v, violations %v", file, err, res.Violations())
		}
	}
	nodes := nodeNames(5)
	e := synthProgram(t, nodes)
	res, err := e.Run(context.Background(), fault.Params{Nodes: nodes, EOT: 10, EFF: 3}, fault.Schedule{}, Options{Provenance: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK() || len(res.Post()) != len(nodes) {
		t.Fatalf("synth: violations %v, post %d", res.Violations(), len(res.Post()))
	}
	for _, rel := range []string{"trusted", "last", "decided", "known"} {
		n := 0
		for _, tab := range res.Tables() {
			if tab.Rel == rel {
				n = len(tab.Rows)
			}
		}
		if n == 0 {
			t.Errorf("synth: no %s tuples", rel)
		}
	}
	t.Logf("synth 5 nodes EOT 10: %d tuples, %d messages", res.NumTuples(), res.NumMessages())
}
