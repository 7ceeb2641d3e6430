package symbolic

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
)

// fuzzParams decodes the bounds of a fuzz input: b[0] the number of nodes
// (1-4), b[1] EOT (1-6), b[2] EFF (0-4), b[3] crashes. The nodes are the
// distinct string locations of the program's facts, in order (so the
// examples run on their own node names), padded with a, b, c, d.
func fuzzParams(prog *dedalus.Program, b []byte) fault.Params {
	at := func(i int) int {
		if i < len(b) {
			return int(b[i])
		}
		return 0
	}
	var nodes []string
	for _, f := range prog.Facts {
		if len(f.Args) > 0 && f.Args[0].Type == dedalus.TypeString && f.Args[0].Str != "" && !slices.Contains(nodes, f.Args[0].Str) {
			nodes = append(nodes, f.Args[0].Str)
		}
	}
	for _, n := range []string{"a", "b", "c", "d"} {
		if !slices.Contains(nodes, n) {
			nodes = append(nodes, n)
		}
	}
	n := 1 + at(0)%4
	return fault.Params{Nodes: nodes[:n], EOT: 1 + at(1)%6, EFF: at(2) % 5, MaxCrashes: min(at(3)%3, n)}
}

// FuzzCheck runs the exact check on arbitrary programs at tiny bounds
// (at most 2,000 schedules): it must not panic; a certificate means
// exhaustive enumeration finds no violation; a model replays as a
// violation and has as few faults as the smallest violating schedule.
func FuzzCheck(f *testing.F) {
	files, _ := filepath.Glob("../examples/*.ded")
	files = append(files, "testdata/3pc-timeouts.ded")
	for i, file := range files {
		data, err := os.ReadFile(file)
		if err == nil {
			f.Add(string(data), []byte{byte(i), 4, byte(i), byte(i)})
		}
	}
	for seed := uint64(1); seed <= 12; seed++ {
		c := genProgram(seed, 2000)
		f.Add(c.src, []byte{byte(len(c.params.Nodes) - 1), byte(c.params.EOT - 1), byte(c.params.EFF), byte(c.params.MaxCrashes)})
	}
	f.Fuzz(func(t *testing.T, src string, bounds []byte) {
		prog, err := dedalus.LoadSource("fuzz.ded", src)
		if err != nil || prog.Pre == dedalus.NoRel || prog.Post == dedalus.NoRel {
			return
		}
		p := fuzzParams(prog, bounds)
		if c := fault.Count(p); !c.IsInt64() || c.Int64() > 2000 {
			return
		}
		res, err := Check(context.Background(), prog, p, Options{MaxInstances: 50_000})
		if err != nil {
			if errors.Is(err, ErrTooLarge) || errors.Is(err, ErrUnsupported) {
				return
			}
			t.Fatalf("exact check at %+v: %v", p, err)
		}
		eng, err := eval.New(prog)
		if err != nil {
			t.Fatalf("eval.New: %v", err)
		}
		want, bad, runs, err := firstViolation(eng, p, 2000, eval.Options{MaxTuples: 100_000})
		if err != nil {
			if errors.Is(err, eval.ErrTupleLimit) {
				return // a runaway program: the evaluator's limit, not a verdict
			}
			t.Fatalf("exhaustive at %+v: %v", p, err)
		}
		if res.Violated != bad {
			t.Fatalf("bounds %+v: exact violated=%v (%s), exhaustive violated=%v (%s, %d runs)", p, res.Violated, res.Schedule, bad, want, runs)
		}
		if !res.Violated {
			return
		}
		if ok, err := replayViolates(eng, p, res.Schedule); err != nil || !ok {
			t.Fatalf("bounds %+v: exact model %s does not replay (err %v)", p, res.Schedule, err)
		}
		if res.Schedule.Size() != want.Size() {
			t.Fatalf("bounds %+v: exact model %s has %d faults, exhaustive's %s has %d", p, res.Schedule, res.Schedule.Size(), want, want.Size())
		}
	})
}
