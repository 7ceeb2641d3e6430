package search

import (
	"context"
	"strconv"
	"testing"

	"github.com/ldfi/ldfi/fault"
)

// BenchmarkExhaustive measures the baseline loop, where runs dominate:
// compare parallel1 and parallel2.
func BenchmarkExhaustive(b *testing.B) {
	prog, err := loadProgram("../examples/paxos-synod.ded")
	if err != nil {
		b.Fatal(err)
	}
	p := fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 7, EFF: 3}
	for _, par := range []int{1, 2} {
		b.Run("parallel"+strconv.Itoa(par), func(b *testing.B) {
			for b.Loop() {
				res, err := Check(context.Background(), prog, Config{Params: p, Strategy: Exhaustive, Parallel: par})
				if err != nil || res.Executions != 4096 {
					b.Fatal(err, res.Executions)
				}
			}
		})
	}
}
