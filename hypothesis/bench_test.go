package hypothesis

import (
	"context"
	"fmt"
	"testing"
)

var benchSizes = []struct{ nodes, eot, peers int }{
	{7, 7, 2},   // ~100 graph nodes
	{12, 16, 3}, // ~1,000
	{25, 42, 5}, // ~10,000
}

// BenchmarkMinimal measures one call of Minimal on relay supports of about
// 100, 1,000 and 10,000 graph nodes, in two scenarios: "few" (one outcome,
// EFF 3, one crash: a handful of hypotheses) and "many" (every node's
// outcome, EFF 4, two crashes, the first 100 hypotheses). Besides ns/op it
// reports the process CPU time per call (steadier than wall time on a
// shared machine), the hypotheses returned, the solver calls, and the time
// spent building solvers and inside the solver (Stats) in the last call.
func BenchmarkMinimal(b *testing.B) {
	for _, sz := range benchSizes {
		for _, sc := range []struct {
			name                   string
			outcomes, eff, crashes int
			limit                  int
		}{
			{"few", 1, 3, 1, 0},
			{"many", sz.nodes, 4, 2, 100},
		} {
			sup, p := relaySupport(sz.nodes, sz.eot, sz.peers, sc.outcomes, 1)
			p.EFF, p.MaxCrashes = sc.eff, sc.crashes
			name := fmt.Sprintf("nodes=%d/events=%d/%s", len(sup.Graph.Nodes), countEvents(sup), sc.name)
			b.Run(name, func(b *testing.B) {
				var st Stats
				var n int
				cpu0 := cpuTime()
				for b.Loop() {
					hs, s, err := Minimal(context.Background(), sup, p, Options{Limit: sc.limit})
					if err != nil {
						b.Fatal(err)
					}
					st, n = s, len(hs)
				}
				if cpu := cpuTime() - cpu0; cpu > 0 {
					b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
				}
				b.ReportMetric(float64(n), "hyps")
				b.ReportMetric(float64(st.SolverCalls), "calls")
				b.ReportMetric(float64(st.Build.Microseconds())/1000, "build-ms")
				b.ReportMetric(float64(st.Solve.Microseconds())/1000, "solve-ms")
			})
		}
	}
}

// BenchmarkWideLevel: an outcome with `alts` alternative derivations of
// `width` distinct sends each (no crashes) has width^alts minimal cuts, all
// of size alts. Limit 20 alone must still enumerate the whole level to sort
// it; PartialLevel stops after 20.
func BenchmarkWideLevel(b *testing.B) {
	for _, alts := range []int{4, 6, 8} {
		sup, p := wideSupport(alts, 3)
		for _, partial := range []bool{false, true} {
			b.Run(fmt.Sprintf("cuts=%d/partial=%v", pow(3, alts), partial), func(b *testing.B) {
				var st Stats
				var n int
				cpu0 := cpuTime()
				for b.Loop() {
					hs, s, err := Minimal(context.Background(), sup, p, Options{Limit: 20, PartialLevel: partial})
					if err != nil {
						b.Fatal(err)
					}
					st, n = s, len(hs)
				}
				if cpu := cpuTime() - cpu0; cpu > 0 {
					b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
				}
				b.ReportMetric(float64(n), "hyps")
				b.ReportMetric(float64(st.SolverCalls), "calls")
			})
		}
	}
}

func pow(a, n int) int {
	r := 1
	for range n {
		r *= a
	}
	return r
}

// BenchmarkLargeCuts: minimal cut sets of many faults. One outcome with
// `alts` alternative derivations of 2 sends each needs alts omissions to
// cut, whatever the choice; the call asks for 8 hypotheses as the search
// does (Limit 8, PartialLevel). Exact proves at each call that no smaller
// set cuts; Auto (ExactSize 8) finds sets above 8 faults greedily.
func BenchmarkLargeCuts(b *testing.B) {
	for _, alts := range largeCutSizes {
		sup, p := wideSupport(alts, 2)
		for _, mode := range []Mode{Exact, Auto} {
			b.Run(fmt.Sprintf("size=%d/%v", alts, mode), func(b *testing.B) {
				var st Stats
				var n int
				cpu0 := cpuTime()
				for b.Loop() {
					hs, s, err := Minimal(context.Background(), sup, p, Options{Limit: 8, PartialLevel: true, Mode: mode})
					if err != nil {
						b.Fatal(err)
					}
					st, n = s, len(hs)
				}
				if cpu := cpuTime() - cpu0; cpu > 0 {
					b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
				}
				b.ReportMetric(float64(n), "hyps")
				b.ReportMetric(float64(st.SolverCalls), "calls")
				b.ReportMetric(float64(st.Solve.Microseconds())/1000, "solve-ms")
			})
		}
	}
}

var largeCutSizes = []int{8, 12, 16}
