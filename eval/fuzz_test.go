package eval

import (
	"context"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/internal/golden"
)

// FuzzRun: any program the front end accepts runs without panicking, under
// a few schedules, with provenance, and its derivations re-check.
// go test -fuzz FuzzRun ./eval
func FuzzRun(f *testing.F) {
	archives, err := golden.Files("testdata/*.txtar")
	if err != nil {
		f.Fatal(err)
	}
	for _, ar := range archives {
		for _, file := range ar.Files {
			if file.Name == "prog.ded" {
				f.Add(string(file.Data), uint8(3))
			}
		}
	}
	f.Fuzz(func(t *testing.T, src string, eot uint8) {
		prog, err := dedalus.LoadSource("fuzz.ded", src)
		if err != nil {
			return
		}
		e, err := New(prog)
		if err != nil {
			t.Fatalf("New rejects a program the front end accepts: %v", err)
		}
		p := fault.Params{Nodes: []string{"a", "b", "z"}, EOT: 1 + int(eot%6), EFF: 2, MaxCrashes: 1}
		for _, s := range []fault.Schedule{{}, {Omissions: []fault.Omission{{From: "a", To: "b", Time: 1}}, Crashes: []fault.Crash{{Node: "b", Time: 1}}}} {
			res, err := e.Run(context.Background(), p, s, Options{Provenance: true, MaxTuples: 20000})
			if err != nil {
				continue
			}
			for id := range TupleID(res.NumTuples()) {
				for _, d := range res.Derivations(id) {
					if err := recheck(res, id, d); err != nil {
						t.Fatalf("%s: %v", res.Tuple(id), err)
					}
				}
			}
			res.Messages()
			res.Tables()
			res.Violations()
		}
	})
}
