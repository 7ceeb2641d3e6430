package eval

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
)

var expectedAt = regexp.MustCompile(`Expected at EOT (\d+), EFF (\d+), crashes (\d+), nodes ([\w,]+)`)

// TestExamplesDifferential runs every protocol of examples/ at its stated
// bounds, fault-free and under random schedules, and compares the engine
// with the naive reference evaluator, with provenance re-checked.
func TestExamplesDifferential(t *testing.T) {
	files, _ := filepath.Glob("../examples/*.ded")
	if len(files) == 0 {
		t.Skip("no examples")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			m := expectedAt.FindStringSubmatch(string(src))
			if m == nil {
				t.Skip("no 'Expected at' bounds line")
			}
			var p fault.Params
			fmt.Sscan(m[1], &p.EOT)
			fmt.Sscan(m[2], &p.EFF)
			fmt.Sscan(m[3], &p.MaxCrashes)
			p.Nodes = strings.Split(m[4], ",")
			prog, err := dedalus.LoadFiles(file)
			if err != nil {
				t.Fatal(err)
			}
			e, err := New(prog)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(uint64(len(src)), 5))
			scheds := []fault.Schedule{{}}
			for range 2 {
				scheds = append(scheds, genSchedule(rng, p))
			}
			for _, s := range scheds {
				res, err := e.Run(context.Background(), p, s, Options{Provenance: true})
				if err != nil {
					t.Fatalf("%s: %v", s, err)
				}
				got, want := engineLines(res), refRun(prog, p, s).lines()
				if !slices.Equal(got, want) {
					t.Fatalf("%s: engine and reference differ:\n%s", s, diffLines(want, got))
				}
				for id := range TupleID(res.NumTuples()) {
					for _, d := range res.Derivations(id) {
						if err := recheck(res, id, d); err != nil {
							t.Fatalf("%s: %s: %v", s, res.Tuple(id), err)
						}
					}
				}
			}
		})
	}
}
