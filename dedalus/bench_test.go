package dedalus

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// benchProgram returns a valid program of exactly 100 lines mixing facts,
// deductive, @next, @async, negated and aggregate rules, as protocols do.
func benchProgram() string {
	var b strings.Builder
	lines := 0
	add := func(format string, args ...any) {
		fmt.Fprintf(&b, format+"\n", args...)
		lines++
	}
	add("// benchmark program")
	for i := 0; i < 10; i++ {
		add(`node("n%d", "n%d")@1;`, i, (i+1)%10)
		add(`log("n%d", "m%d")@1;`, i, i)
		add(`size("n%d", %d)@1;`, i, i+1)
	}
	for i := 0; lines < 100; i++ {
		switch i % 7 {
		case 0:
			add("node(N, M)@next :- node(N, M);")
		case 1:
			add("log(N, P)@next :- log(N, P), notin done%d(N, P);", i)
		case 2:
			add("log(M, P)@async :- node(N, M), log(N, P), notin crash(_, M, _);")
		case 3:
			add("seen%d(N, count<P>) :- log(N, P);", i)
		case 4:
			add("done%d(N, P) :- log(N, P), size(N, S), S > %d / 2 + 1, P != \"x\";", i-3, i)
		case 5:
			add("pre(N, P) :- log(M, P), node(M, N), notin crash(_, N, _);")
		case 6:
			add("post(N, P) :- log(N, P), seen%d(N, C), C >= 1;", i-3)
		}
	}
	return b.String()
}

func TestBenchProgramValid(t *testing.T) {
	src := benchProgram()
	if n := strings.Count(src, "\n"); n != 100 {
		t.Fatalf("%d lines", n)
	}
	if _, err := LoadSource("bench.ded", src); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkLoad100Lines measures parse + check + lower of 100 lines.
func BenchmarkLoad100Lines(b *testing.B) {
	src := benchProgram()
	b.SetBytes(int64(len(src)))
	start := cpuTime()
	for b.Loop() {
		if _, err := LoadSource("bench.ded", src); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}

// reportCPU adds the process CPU time per operation (GC included), which
// stays meaningful when other jobs share the machine.
func reportCPU(b *testing.B, start time.Duration) {
	if used := cpuTime() - start; used > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

// BenchmarkParse100Lines measures parsing alone.
func BenchmarkParse100Lines(b *testing.B) {
	src := benchProgram()
	b.SetBytes(int64(len(src)))
	start := cpuTime()
	for b.Loop() {
		if _, err := ParseFile("bench.ded", src); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, start)
}

// BenchmarkDesugar100Lines measures desugaring a loaded program.
func BenchmarkDesugar100Lines(b *testing.B) {
	p, err := LoadSource("bench.ded", benchProgram())
	if err != nil {
		b.Fatal(err)
	}
	start := cpuTime()
	for b.Loop() {
		_ = Desugar(p)
	}
	reportCPU(b, start)
}
