package lineage

import (
	"errors"
	"math/rand/v2"
	"testing"
)

// randomGraph builds a graph of n nodes over a few send events; with
// malformed set, children may point anywhere and kinds may be unknown.
func randomGraph(r *rand.Rand, n int, malformed bool) Graph {
	events := []Event{{"a", "b", 1}, {"a", "c", 1}, {"b", "c", 2}, {"c", "a", 2}}
	var g Graph
	for i := range n {
		var nd Node
		switch {
		case malformed:
			nd.Kind = Kind(r.IntN(7))
		case i < 2:
			nd.Kind = Kind(i) // True, False
		case i < 2+len(events):
			nd.Kind = Send
		default:
			nd.Kind = []Kind{And, Or, Not}[r.IntN(3)]
		}
		if nd.Kind == Send {
			nd.Event = events[r.IntN(len(events))]
		}
		switch {
		case malformed:
			for range r.IntN(4) {
				nd.Children = append(nd.Children, NodeID(r.IntN(n+4)-2))
			}
		case nd.Kind == Not:
			nd.Children = []NodeID{NodeID(r.IntN(i))}
		case nd.Kind == And || nd.Kind == Or:
			for range 1 + r.IntN(3) {
				nd.Children = append(nd.Children, NodeID(r.IntN(i)))
			}
		}
		g.Nodes = append(g.Nodes, nd)
	}
	return g
}

// survivesRef is the definition, node by node, with no memo and no order.
func survivesRef(g *Graph, id NodeID, removed func(Event) bool) bool {
	n := g.Nodes[id]
	switch n.Kind {
	case True:
		return true
	case Send:
		return !removed(n.Event)
	case And:
		for _, c := range n.Children {
			if !survivesRef(g, c, removed) {
				return false
			}
		}
		return true
	case Or:
		for _, c := range n.Children {
			if survivesRef(g, c, removed) {
				return true
			}
		}
		return false
	case Not:
		return !survivesRef(g, n.Children[0], removed)
	}
	return false
}

// Survival (every node) and Survives (the cone of some roots) agree with
// the definition on well-formed graphs.
func TestEvalAgreesWithDefinition(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		g := randomGraph(r, 8+r.IntN(30), false)
		if err := g.Check(); err != nil {
			t.Fatal(err)
		}
		lost := map[Event]bool{}
		for _, n := range g.Nodes {
			if n.Kind == Send && r.IntN(2) == 0 {
				lost[n.Event] = true
			}
		}
		removed := func(e Event) bool { return lost[e] }
		val, err := g.Survival(removed)
		if err != nil {
			t.Fatal(err)
		}
		var sc scratch // reused, like a Builder's
		for id := range g.Nodes {
			want := survivesRef(&g, NodeID(id), removed)
			if val[id] != want {
				t.Fatalf("Survival: node %d (%v) = %v, want %v", id, g.Nodes[id].Kind, val[id], want)
			}
			got, err := sc.survives(&g, []NodeID{NodeID(id)}, removed)
			if err != nil || got != want {
				t.Fatalf("Survives(%d) = %v, %v; want %v", id, got, err, want)
			}
		}
		roots := []NodeID{NodeID(r.IntN(len(g.Nodes))), NodeID(r.IntN(len(g.Nodes)))}
		got, err := g.Survives(roots, removed)
		if want := val[roots[0]] || val[roots[1]]; err != nil || got != want {
			t.Fatalf("Survives(%v) = %v, %v; want %v", roots, got, err, want)
		}
	}
}

// A malformed graph is an error wrapping ErrMalformed, never a panic.
func TestMalformedGraphIsAnError(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	never := func(Event) bool { return false }
	bad := 0
	for range 3000 {
		g := randomGraph(r, 1+r.IntN(6), true)
		checkErr := g.Check()
		if checkErr != nil {
			bad++
			if !errors.Is(checkErr, ErrMalformed) {
				t.Fatalf("Check: %v does not wrap ErrMalformed", checkErr)
			}
		}
		_, err := g.Survival(never)
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("Survival: %v does not wrap ErrMalformed", err)
		}
		if checkErr == nil && err != nil {
			t.Fatalf("Survival fails on a graph Check accepts: %v", err)
		}
		root := NodeID(r.IntN(len(g.Nodes)+4) - 2)
		_, err = g.Survives([]NodeID{root}, never)
		if err != nil && !errors.Is(err, ErrMalformed) {
			t.Fatalf("Survives: %v does not wrap ErrMalformed", err)
		}
		if checkErr == nil && root >= 0 && int(root) < len(g.Nodes) && err != nil {
			t.Fatalf("Survives fails on a graph Check accepts: %v", err)
		}
	}
	if bad == 0 {
		t.Fatal("no malformed graph generated")
	}
	// The Not of the old evaluator's panic.
	g := Graph{Nodes: []Node{{Kind: Not}}}
	if _, err := g.Survives([]NodeID{0}, never); !errors.Is(err, ErrMalformed) {
		t.Errorf("a Not without child: %v", err)
	}
}
