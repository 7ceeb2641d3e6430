package search

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
)

// FuzzCheck runs the whole search on arbitrary programs at tiny bounds:
// nothing may panic, and every counterexample must replay as a violation.
// The corpus programs are the seeds.
func FuzzCheck(f *testing.F) {
	files, _ := filepath.Glob("../examples/*.ded")
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err == nil {
			f.Add(string(data))
		}
	}
	f.Add(genProtocolSeed)
	p := fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 3, EFF: 2, MaxCrashes: 1}
	f.Fuzz(func(t *testing.T, src string) {
		prog, err := dedalus.LoadSource("fuzz.ded", src)
		if err != nil || prog.Pre == dedalus.NoRel || prog.Post == dedalus.NoRel {
			return
		}
		res, err := Check(context.Background(), prog, Config{Params: p, Strategy: LDFI, NegativeSupport: true,
			Symmetry: true, MaxRuns: 40, Timeout: 2 * time.Second})
		if err != nil {
			return // e.g. a runaway program hitting the tuple limit: an error, not a panic
		}
		for _, c := range res.Counterexamples {
			assertViolates(t, prog, p, c.Schedule)
		}
	})
}

const genProtocolSeed = `node("a", "b")@1;
node("b", "c")@1;
node(N, M)@next :- node(N, M);
m("a", "v")@1;
m(M, V)@async :- m(N, V), node(N, M);
m(N, V)@next :- m(N, V);
pre(N, V) :- node(_, N), m(_, V), notin crash(_, N, _);
post(N, V) :- m(N, V);
`
