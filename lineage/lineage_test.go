package lineage

import (
	"context"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
)

func TestBuilderSimplifiesAndShares(t *testing.T) {
	b := NewBuilder()
	x := b.Send(Event{"a", "b", 1})
	y := b.Send(Event{"a", "c", 1})
	if b.Send(Event{"a", "b", 1}) != x {
		t.Error("equal sends must share a node")
	}
	if b.And("", x, y) != b.And("other label", y, x) {
		t.Error("And must be hash-consed regardless of child order and label")
	}
	cases := []struct {
		name      string
		got, want NodeID
	}{
		{"And with False", b.And("", x, FalseID), FalseID},
		{"Or with True", b.Or("", x, TrueID), TrueID},
		{"And drops True", b.And("", x, TrueID), x},
		{"Or drops False", b.Or("", FalseID, y), y},
		{"empty And", b.And(""), TrueID},
		{"empty Or", b.Or(""), FalseID},
		{"Not True", b.Not("", TrueID), FalseID},
		{"double Not", b.Not("", b.Not("", x)), x},
	}
	for _, c := range cases {
		if c.got != c.want {
			t.Errorf("%s: got node %d, want %d", c.name, c.got, c.want)
		}
	}
}

func TestSurvives(t *testing.T) {
	b := NewBuilder()
	ab, ac := b.Send(Event{"a", "b", 1}), b.Send(Event{"a", "c", 1})
	either := b.Or("", ab, ac)
	both := b.And("", ab, ac)
	notAB := b.Not("", ab)
	g := b.Support(nil).Graph
	lost := func(e Event) func(Event) bool { return func(x Event) bool { return x == e } }
	none := func(Event) bool { return false }
	for _, c := range []struct {
		id      NodeID
		removed func(Event) bool
		want    bool
	}{
		{either, lost(Event{"a", "b", 1}), true},
		{both, lost(Event{"a", "b", 1}), false},
		{both, none, true},
		{notAB, none, false},
		{notAB, lost(Event{"a", "b", 1}), true},
	} {
		got, err := g.Survives([]NodeID{c.id}, c.removed)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("node %v: survives = %v, want %v", g.Nodes[c.id].Kind, got, c.want)
		}
	}
}

const relay = `
node("a", "b")@1; node("a", "c")@1; node("b", "c")@1;
node(N, M)@next :- node(N, M);
msg("a", "x")@1;
got(M, V)@async :- msg(N, V), node(N, M);
got(M, V)@async :- got(N, V), node(N, M);
got(N, V)@next :- got(N, V);
pre(N, V) :- got(N, V);
post(N, V) :- got(N, V);
`

// The support of got("c","x") learned from a fault-free run is cut exactly
// by the schedules that remove both of its ways: a->c directly, or via b.
func TestLearnMatchesTheRun(t *testing.T) {
	prog, err := dedalus.LoadSource("relay.ded", relay)
	if err != nil {
		t.Fatal(err)
	}
	p := fault.Params{Nodes: []string{"a", "b", "c"}, EOT: 3, EFF: 3, MaxCrashes: 1}
	eng, err := eval.New(prog)
	if err != nil {
		t.Fatal(err)
	}
	free, err := eng.Run(context.Background(), p, fault.Schedule{}, eval.Options{Provenance: true})
	if err != nil {
		t.Fatal(err)
	}
	id, ok := free.Find("got", 2, dedalus.Value{Type: dedalus.TypeString, Str: "c"}, dedalus.Value{Type: dedalus.TypeString, Str: "x"})
	if !ok {
		t.Fatal(`got("c","x")@2 not derived`)
	}
	b := NewBuilder()
	l := NewLearner(prog, p, true)
	root := l.Learn(b, free, []eval.TupleID{id}, nil, nil)[0]
	g := b.Support(nil).Graph
	// At time 2, c has x only from the direct send a->c@1.
	for _, c := range []struct {
		s    fault.Schedule
		want bool
	}{
		{fault.Schedule{}, true},
		{fault.Schedule{Omissions: []fault.Omission{{From: "a", To: "b", Time: 1}}}, true},
		{fault.Schedule{Omissions: []fault.Omission{{From: "a", To: "c", Time: 1}}}, false},
		{fault.Schedule{Crashes: []fault.Crash{{Node: "a", Time: 1}}}, false},
		{fault.Schedule{Crashes: []fault.Crash{{Node: "a", Time: 2}}}, true},
	} {
		rm := func(e Event) bool { return p.Lost(c.s, e.From, e.To, e.Time) }
		got, err := g.Survives([]NodeID{root}, rm)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("under %s: survives = %v, want %v", c.s, got, c.want)
		}
		// The formula agrees with the evaluator itself.
		r, err := eng.Run(context.Background(), p, c.s, eval.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, present := r.Find("got", 2, dedalus.Value{Type: dedalus.TypeString, Str: "c"}, dedalus.Value{Type: dedalus.TypeString, Str: "x"})
		if present != c.want {
			t.Errorf("under %s: evaluator says present = %v, formula %v", c.s, present, c.want)
		}
	}
	// Renaming b and c maps the events.
	b2 := NewBuilder()
	root2 := l.Learn(b2, free, []eval.TupleID{id}, map[string]string{"b": "c", "c": "b"}, nil)[0]
	g2 := b2.Support(nil).Graph
	rm := func(e Event) bool { return e == Event{"a", "b", 1} }
	if ok, err := g2.Survives([]NodeID{root2}, rm); err != nil || ok {
		t.Error("renamed support must be cut by losing a->b@1")
	}
}
