package lineage

import (
	"slices"
	"strconv"
	"strings"
)

// Builder grows one hash-consed support graph across many runs: equal
// sub-formulas (same kind, event and children) get the same NodeID, so the
// lineage learned from a hundred runs of a protocol shares everything the
// runs have in common. Constructors simplify as they go (an And with a False
// child is False, an Or with a True child is True, True children of And and
// False children of Or are dropped, a one-child And/Or is its child).
type Builder struct {
	g     Graph
	index map[string]NodeID
	// roots holds, per outcome tuple, the roots learned so far (one per run
	// that derived the outcome); the outcome survives while any survives.
	roots map[string][]NodeID
	// scratch holds OutcomeSurvives's buffers.
	scratch scratch
}

// NewBuilder returns an empty builder holding the True and False constants.
func NewBuilder() *Builder {
	b := &Builder{index: map[string]NodeID{}, roots: map[string][]NodeID{}}
	b.add(Node{Kind: True, Label: "true"})
	b.add(Node{Kind: False, Label: "false"})
	return b
}

// The constant nodes every builder starts with.
const (
	TrueID  NodeID = 0
	FalseID NodeID = 1
)

func (b *Builder) add(n Node) NodeID {
	var k strings.Builder
	k.WriteString(strconv.Itoa(int(n.Kind)))
	switch n.Kind {
	case Send:
		k.WriteString("|" + n.Event.From + "|" + n.Event.To + "|" + strconv.Itoa(n.Event.Time))
	case And, Or, Not:
		for _, c := range n.Children {
			k.WriteString("|" + strconv.Itoa(int(c)))
		}
	}
	key := k.String()
	if id, ok := b.index[key]; ok {
		return id
	}
	id := NodeID(len(b.g.Nodes))
	b.g.Nodes = append(b.g.Nodes, n)
	b.index[key] = id
	return id
}

// Send returns the node for event e.
func (b *Builder) Send(e Event) NodeID {
	return b.add(Node{Kind: Send, Event: e, Label: e.String()})
}

// And returns a node that survives when all children survive.
func (b *Builder) And(label string, children ...NodeID) NodeID {
	return b.combine(And, label, children)
}

// Or returns a node that survives when any child survives.
func (b *Builder) Or(label string, children ...NodeID) NodeID {
	return b.combine(Or, label, children)
}

func (b *Builder) combine(kind Kind, label string, children []NodeID) NodeID {
	unit, zero := TrueID, FalseID // And: True is the unit, False absorbs
	if kind == Or {
		unit, zero = FalseID, TrueID
	}
	cs := make([]NodeID, 0, len(children))
	for _, c := range children {
		switch c {
		case zero:
			return zero
		case unit:
			continue
		}
		cs = append(cs, c)
	}
	slices.Sort(cs)
	cs = slices.Compact(cs)
	switch len(cs) {
	case 0:
		return unit
	case 1:
		return cs[0]
	}
	return b.add(Node{Kind: kind, Children: cs, Label: label})
}

// Not returns a node that survives exactly when child does not.
func (b *Builder) Not(label string, child NodeID) NodeID {
	switch child {
	case TrueID:
		return FalseID
	case FalseID:
		return TrueID
	}
	if n := b.g.Nodes[child]; n.Kind == Not {
		return n.Children[0]
	}
	return b.add(Node{Kind: Not, Children: []NodeID{child}, Label: label})
}

// Len is the number of nodes in the graph.
func (b *Builder) Len() int { return len(b.g.Nodes) }

// AddOutcome records that, in some run, outcome tuple survived through root.
// It reports whether root was new for that outcome.
func (b *Builder) AddOutcome(tuple string, root NodeID) bool {
	if slices.Contains(b.roots[tuple], root) {
		return false
	}
	b.roots[tuple] = append(b.roots[tuple], root)
	return true
}

// Outcomes lists the known outcome tuples, sorted.
func (b *Builder) Outcomes() []string {
	out := make([]string, 0, len(b.roots))
	for t := range b.roots {
		out = append(out, t)
	}
	slices.Sort(out)
	return out
}

// Support returns the support formulas of the given outcomes (all known
// outcomes when tuples is nil) over a snapshot of the graph: each outcome's
// root is the Or of every root learned for it.
func (b *Builder) Support(tuples []string) *Support {
	if tuples == nil {
		tuples = b.Outcomes()
	}
	var outs []Outcome
	for _, t := range tuples {
		outs = append(outs, Outcome{Tuple: t, Root: b.Or(t, b.roots[t]...)})
	}
	slices.SortFunc(outs, func(x, y Outcome) int { return strings.Compare(x.Tuple, y.Tuple) })
	// Nodes are immutable once added and the builder only appends, so the
	// snapshot can share the backing array: capping its capacity keeps the
	// builder's later appends out of its view.
	g := Graph{Nodes: b.g.Nodes[:len(b.g.Nodes):len(b.g.Nodes)]}
	return &Support{Graph: g, Outcomes: outs}
}

// OutcomeSurvives reports whether outcome tuple keeps at least one learned
// derivation when removed says which events a schedule removes
// (Graph.Survives over the outcome's roots). An unknown outcome does not
// survive.
func (b *Builder) OutcomeSurvives(tuple string, removed func(Event) bool) (bool, error) {
	return b.scratch.survives(&b.g, b.roots[tuple], removed)
}
