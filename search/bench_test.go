package search

import (
	"context"
	"testing"

	"github.com/ldfi/ldfi/fault"
)

// BenchmarkSearch measures whole searches on corpus rows; compare
// -bench=Search/parallel1 and parallel2 for the speed-up of --parallel.
func BenchmarkSearch(b *testing.B) {
	rows := []struct {
		name string
		file string
		p    fault.Params
	}{
		{"anti-entropy", "../examples/anti-entropy.ded", fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 6, EFF: 3, MaxCrashes: 1}},
		{"paxos-synod", "../examples/paxos-synod.ded", fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 7, EFF: 6}},
		{"kafka", "../examples/kafka.ded", fault.Params{Nodes: []string{"C", "Z", "a", "b", "c"}, EOT: 6, EFF: 4, MaxCrashes: 1}},
	}
	for _, r := range rows {
		prog, err := loadProgram(r.file)
		if err != nil {
			b.Fatal(err)
		}
		for _, par := range []int{1, 2} {
			b.Run(r.name+"/parallel"+string(rune('0'+par)), func(b *testing.B) {
				var res *Result
				for b.Loop() {
					res, err = Check(context.Background(), prog, Config{Params: r.p, Strategy: LDFI, NegativeSupport: true, Symmetry: true, Parallel: par})
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(res.Executions), "executions")
				b.ReportMetric(float64(res.Stats.SolverTime.Microseconds())/1000, "solver-ms")
				b.ReportMetric(float64(res.Stats.EvalTime.Microseconds())/1000, "eval-ms")
			})
		}
	}
}
