// Package lineage turns the provenance of one run into support formulas: for
// each good outcome, a boolean AND/OR DAG over message send events that says
// when the outcome survives a fault schedule. The hypothesis package reads
// these formulas; it never sees the evaluator.
package lineage

import "fmt"

// Event is an inter-node message send: the messages from From to To sent at
// send time Time (all relations on that channel at that time). Whether a
// schedule removes it is fault's rule (fault.Params.Lost: the omission
// (From, To, Time) when Time < EFF, or a crash of From at any time <= Time).
type Event struct {
	From, To string
	Time     int
}

func (e Event) String() string { return fmt.Sprintf("%s->%s@%d", e.From, e.To, e.Time) }

// Kind is the kind of a formula node.
type Kind uint8

const (
	// True survives every fault (facts, local state, built-ins).
	True Kind = iota
	// False never survives (used for an alternative that does not exist).
	False
	// Send survives unless its Event is removed by a fault.
	Send
	// And survives when all its children survive (one derivation: its body
	// tuples and the send event it depended on).
	And
	// Or survives when at least one child survives (a tuple: any of its
	// derivations).
	Or
	// Not survives when its single child does not. It expresses that a
	// derivation relied on a tuple being absent: the derivation survives
	// only while that tuple's support is cut. Formulas with Not are not
	// monotone in the faults.
	Not
)

func (k Kind) String() string {
	return [...]string{"true", "false", "send", "and", "or", "not"}[k]
}

// NodeID indexes Graph.Nodes.
type NodeID int32

// Node is one node of the support DAG.
type Node struct {
	Kind     Kind
	Event    Event    // for Send
	Children []NodeID // for And / Or; exactly one for Not
	// Label describes the node for people: a tuple like "log(b,"x")@3" for
	// Or nodes, a rule for And nodes. Not used by the solver.
	Label string
}

// Graph is a shared DAG of support formulas. Nodes are hash-consed by the
// builder, so equal sub-formulas appear once. Children always have smaller
// IDs than their parents (the slice is in topological order).
type Graph struct {
	Nodes []Node
}

// Outcome is a good outcome (a post tuple at EOT of the run the graph was
// learned from) and the root of its support formula.
type Outcome struct {
	Tuple string // e.g. `post(b,"x")`
	Root  NodeID
}

// Support is what one run teaches the search: the support formula of every
// good outcome, over one shared graph.
type Support struct {
	Graph    Graph
	Outcomes []Outcome // sorted by Tuple
}
