package symbolic

import (
	"context"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
)

// outcomeAt returns the tuples of rels at EOT of one run, as facts and as
// one comparable text.
func outcomeAt(t *testing.T, eng *eval.Engine, prog *dedalus.Program, p fault.Params, s fault.Schedule, rels []string) ([]Fact, string) {
	t.Helper()
	r, err := eng.Run(context.Background(), p, s, eval.Options{})
	if err != nil {
		t.Fatalf("run %s: %v", s, err)
	}
	var facts []Fact
	var b strings.Builder
	for _, rel := range rels {
		for _, id := range r.TuplesAt(rel, p.EOT) {
			tp := r.Tuple(id)
			facts = append(facts, Fact{Rel: prog.Rel(rel), Args: tp.Args})
			b.WriteString(tp.Atom() + " ")
		}
	}
	return facts, b.String()
}

// confluenceAgrees checks CheckConfluence against every schedule of p run
// by the evaluator: the same verdict, a model that changes the outcome
// when run, and the fewest faults of the first changing schedule of the
// enumeration (smallest first).
func confluenceAgrees(t *testing.T, prog *dedalus.Program, p fault.Params, rels []string) *ConfluenceResult {
	t.Helper()
	eng, err := eval.New(prog)
	if err != nil {
		t.Fatal(err)
	}
	ref, want := outcomeAt(t, eng, prog, p, fault.Schedule{}, rels)
	var ids []dedalus.RelID
	for _, r := range rels {
		ids = append(ids, prog.Rel(r))
	}
	res, err := CheckConfluence(context.Background(), prog, p, ids, ref, Options{})
	if err != nil {
		t.Fatal(err)
	}
	first, found := fault.Schedule{}, false
	for s := range fault.Enumerate(p) {
		if _, got := outcomeAt(t, eng, prog, p, s, rels); got != want {
			first, found = s, true
			break
		}
	}
	if res.Differs != found {
		t.Fatalf("exact says differs=%v (%s), the enumeration %v (%s)", res.Differs, res.Schedule, found, first)
	}
	if !found {
		return res
	}
	if err := p.ValidateSchedule(res.Schedule); err != nil {
		t.Fatalf("model %s: %v", res.Schedule, err)
	}
	if _, got := outcomeAt(t, eng, prog, p, res.Schedule, rels); got == want {
		t.Errorf("model %s does not change the outcome when run", res.Schedule)
	}
	if res.Schedule.Size() != first.Size() {
		t.Errorf("model %s has %d faults, the enumeration's first %s has %d", res.Schedule, res.Schedule.Size(), first, first.Size())
	}
	return res
}

func TestConfluenceExamples(t *testing.T) {
	abc := []string{"a", "b", "c"}
	cases := []struct {
		file    string
		p       fault.Params
		rels    []string
		differs bool
	}{
		{"lww-arrival.ded", fault.Params{Nodes: abc, EOT: 6, EFF: 2, MaxDelay: 2, OmissionsBounded: true}, []string{"post"}, true},
		{"lww-stamped.ded", fault.Params{Nodes: abc, EOT: 6, EFF: 2, MaxDelay: 2, OmissionsBounded: true}, []string{"post", "val"}, false},
		// the writes each replica has seen grow to the same set
		{"lww-arrival.ded", fault.Params{Nodes: abc, EOT: 6, EFF: 2, MaxDelay: 2, OmissionsBounded: true}, []string{"wrote"}, false},
		{"dup-counter.ded", fault.Params{Nodes: []string{"a", "b", "s"}, EOT: 7, EFF: 2, MaxDelay: 1, Duplicates: true, OmissionsBounded: true}, []string{"total"}, true},
	}
	for _, c := range cases {
		prog, err := dedalus.LoadFiles("../examples/" + c.file)
		if err != nil {
			t.Fatal(err)
		}
		res := confluenceAgrees(t, prog, c.p, c.rels)
		if res.Differs != c.differs {
			t.Errorf("%s %v: differs=%v, want %v", c.file, c.rels, res.Differs, c.differs)
		}
		if res.OutcomeTuples == 0 || res.Stats.SolverCalls == 0 {
			t.Errorf("%s: stats %+v", c.file, res)
		}
	}
}

// A reference that no schedule matches (a tuple the program never
// derives, or a derived tuple left out) differs already without faults.
func TestConfluenceReferenceMismatch(t *testing.T) {
	prog, err := dedalus.LoadFiles("../examples/lww-stamped.ded")
	if err != nil {
		t.Fatal(err)
	}
	p := fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 6, EFF: 2, MaxDelay: 1, OmissionsBounded: true}
	post := prog.Rel("post")
	bogus := []Fact{{Rel: post, Args: []dedalus.Value{{Type: dedalus.TypeString, Str: "z"}, {Type: dedalus.TypeInt, Int: 9}}}}
	for name, ref := range map[string][]Fact{"bogus": bogus, "empty": nil} {
		res, err := CheckConfluence(context.Background(), prog, p, []dedalus.RelID{post}, ref, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !res.Differs || !res.Schedule.IsEmpty() {
			t.Errorf("%s reference: differs=%v with %s, want the fault-free schedule", name, res.Differs, res.Schedule)
		}
	}
	if _, err := CheckConfluence(context.Background(), prog, p, []dedalus.RelID{dedalus.RelID(len(prog.Relations))}, nil, Options{}); err == nil {
		t.Errorf("an outcome relation outside the program: no error")
	}
}
