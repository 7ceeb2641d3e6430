package search

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/lineage"
)

// oneShot is a target by hand: a sends once to b and to c at step 1; the
// receivers must get it (got(X) with support a->X@1). With none set, the
// invariant requires nothing.
type oneShot struct{ none bool }

func (oneShot) Interchangeable() [][]string { return [][]string{{"c", "b", "x"}, {"a"}} }

func (o oneShot) Run(ctx context.Context, p fault.Params, s fault.Schedule, lin bool) (*TargetRun, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	tr := &TargetRun{}
	b := lineage.NewBuilder()
	for _, n := range []string{"b", "c"} {
		if o.none {
			break
		}
		post := eval.Tuple{Rel: "got", Time: p.EOT, Args: []dedalus.Value{{Type: dedalus.TypeString, Str: n}}}
		tr.Outcomes = append(tr.Outcomes, TargetOutcome{Outcome: Outcome{Pre: post, Post: post},
			Holds: !p.Lost(s, "a", n, 1), PreRoot: lineage.TrueID,
			PostRoot: b.Send(lineage.Event{From: "a", To: n, Time: 1})})
	}
	if lin {
		g := b.Support([]string{}).Graph
		tr.Lineage = &g
	}
	return tr, nil
}

func TestCheckTarget(t *testing.T) {
	p := fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 3, EFF: 2}
	ctx := context.Background()
	res, err := CheckTarget(ctx, oneShot{}, Config{Params: p, Symmetry: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Verdict != Counterexample || res.Executions != 2 || res.Counterexamples[0].Schedule.String() != "omit(a->b@1)" {
		t.Fatalf("%s after %d: %v", res.Verdict, res.Executions, res.Counterexamples)
	}
	if want := [][]string{{"b", "c"}}; !reflect.DeepEqual(res.SymmetryClasses, want) {
		t.Errorf("symmetry classes %v, want %v (declared classes within the node set)", res.SymmetryClasses, want)
	}
	res, err = CheckTarget(ctx, oneShot{none: true}, Config{Params: p})
	if err != nil || res.Verdict != Vacuous {
		t.Fatalf("nothing required: %v, %v; want vacuous", res.Verdict, err)
	}
	res, err = CheckTarget(ctx, oneShot{}, Config{Params: fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 3, EFF: 1}})
	if err != nil || res.Verdict != NoCounterexample || res.CertificateMethod != MethodLineageGuided {
		t.Fatalf("nothing omittable: %v (%s), %v; want no counterexample within the lineage-guided search", res.Verdict, res.CertificateMethod, err)
	}
	if _, err := CheckTarget(ctx, oneShot{}, Config{Params: p, Strategy: Exact}); !errors.Is(err, ErrNoExact) {
		t.Errorf("exact: %v", err)
	}
	stop, cancel := context.WithCancel(ctx)
	cancel()
	if res, err := CheckTarget(stop, oneShot{}, Config{Params: p}); err != nil || res.Verdict != Inconclusive {
		t.Errorf("cancelled: %v, %v; want inconclusive", res, err)
	}
}

// The importer copies a graph node for node, renaming events.
func TestImporterRenames(t *testing.T) {
	src := lineage.NewBuilder()
	ab := src.Send(lineage.Event{From: "a", To: "b", Time: 1})
	bc := src.Send(lineage.Event{From: "b", To: "c", Time: 2})
	root := src.Or("o", src.And("x", ab, bc), src.Not("n", ab))
	g := src.Support([]string{}).Graph
	kb := lineage.NewBuilder()
	got := newImporter(kb, &g, map[string]string{"b": "c", "c": "b"}).node(root)
	want := kb.Or("", kb.And("", kb.Send(lineage.Event{From: "a", To: "c", Time: 1}), kb.Send(lineage.Event{From: "c", To: "b", Time: 2})),
		kb.Not("", kb.Send(lineage.Event{From: "a", To: "c", Time: 1})))
	if got != want {
		t.Fatalf("imported root %d, want %d (the renamed formula)", got, want)
	}
	if id := newImporter(kb, &g, nil).node(lineage.NodeID(len(g.Nodes))); id != lineage.FalseID {
		t.Errorf("an ID outside the graph imports as %d, want False", id)
	}
}
