package lineage

import (
	"errors"
	"fmt"
	"slices"
)

// ErrMalformed is wrapped by the errors about a malformed graph: a child
// that does not come before its parent (an ID out of range included), a
// Not without exactly one child, a node of unknown kind.
var ErrMalformed = errors.New("malformed support graph")

// checkNode reports what is wrong with node id, or nil.
func (g *Graph) checkNode(id NodeID) error {
	if id < 0 || int(id) >= len(g.Nodes) {
		return fmt.Errorf("%w: node %d out of range", ErrMalformed, id)
	}
	n := &g.Nodes[id]
	for _, c := range n.Children {
		if c < 0 || c >= id {
			return fmt.Errorf("%w: node %d has child %d (children must come before their parent)", ErrMalformed, id, c)
		}
	}
	switch n.Kind {
	case True, False, Send, And, Or:
	case Not:
		if len(n.Children) != 1 {
			return fmt.Errorf("%w: not node %d has %d children (want 1)", ErrMalformed, id, len(n.Children))
		}
	default:
		return fmt.Errorf("%w: node %d has unknown kind %d", ErrMalformed, id, n.Kind)
	}
	return nil
}

// Check reports the first malformed node of g, or nil.
func (g *Graph) Check() error {
	for i := range g.Nodes {
		if err := g.checkNode(NodeID(i)); err != nil {
			return err
		}
	}
	return nil
}

// Plan is the evaluator of support graphs: a list of nodes of one graph,
// checked once (Graph.Plan) and evaluated under any number of schedules
// (Plan.Eval). Search, hypothesis and the tests all evaluate graphs with
// it; nothing else says what a node's value is.
type Plan struct {
	size  int    // the graph's number of nodes
	steps []step // in ascending order of node
	kids  []NodeID
}

// step evaluates one node. Its children are a window of Plan.kids, copied
// out of the graph for a compact loop.
type step struct {
	id   NodeID
	kind Kind
	kids []NodeID
}

// Plan prepares the evaluation of nodes, which must be in strictly
// ascending order (so children come before their parents) and
// well-formed; a malformed node is an error wrapping ErrMalformed.
func (g *Graph) Plan(nodes []NodeID) (*Plan, error) {
	p := &Plan{}
	if err := g.planInto(p, nodes); err != nil {
		return nil, err
	}
	return p, nil
}

// planInto fills p, reusing its buffers.
func (g *Graph) planInto(p *Plan, nodes []NodeID) error {
	p.size, p.steps, p.kids = len(g.Nodes), p.steps[:0], p.kids[:0]
	for k, id := range nodes {
		if err := g.checkNode(id); err != nil {
			return err
		}
		if k > 0 && id <= nodes[k-1] {
			return fmt.Errorf("lineage: plan nodes out of order (%d after %d)", id, nodes[k-1])
		}
		n := &g.Nodes[id]
		if n.Kind == And || n.Kind == Or || n.Kind == Not {
			p.kids = append(p.kids, n.Children...)
		}
		p.steps = append(p.steps, step{id: id, kind: n.Kind})
	}
	// The windows, once kids has its final backing array.
	end := len(p.kids)
	for k := len(p.steps) - 1; k >= 0; k-- {
		st := &p.steps[k]
		if st.kind == And || st.kind == Or || st.kind == Not {
			n := len(g.Nodes[st.id].Children)
			st.kids = p.kids[end-n : end : end]
			end -= n
		}
	}
	return nil
}

// Eval computes, for each node of the plan in turn, whether it survives a
// schedule, into val (indexed by NodeID, one entry per node of the graph).
// True and False are constants; And survives when all its children do, Or
// when one does, Not when its child does not, reading the children's
// values from val. Send nodes are the leaves: Eval leaves them as val holds
// them, so the caller sets each to whether the schedule keeps its event
// (fault.Params.Lost says when it does not). Nodes outside the plan keep
// the values val gives them. A nil plan has no nodes.
func (p *Plan) Eval(val []bool) error {
	if p == nil {
		return nil // no nodes
	}
	if len(val) < p.size {
		return fmt.Errorf("lineage: %d values for a graph of %d nodes", len(val), p.size)
	}
	for i := range p.steps {
		st := &p.steps[i]
		switch st.kind {
		case True:
			val[st.id] = true
		case False:
			val[st.id] = false
		case And:
			v := true
			for _, c := range st.kids {
				if !val[c] {
					v = false
					break
				}
			}
			val[st.id] = v
		case Or:
			v := false
			for _, c := range st.kids {
				if val[c] {
					v = true
					break
				}
			}
			val[st.id] = v
		case Not:
			val[st.id] = !val[st.kids[0]]
		}
	}
	return nil
}

// Survival evaluates every node of g when removed says which send events a
// schedule removes: val[i] reports whether node i survives.
func (g *Graph) Survival(removed func(Event) bool) ([]bool, error) {
	all := make([]NodeID, len(g.Nodes))
	val := make([]bool, len(g.Nodes))
	for i := range g.Nodes {
		all[i] = NodeID(i)
		if n := &g.Nodes[i]; n.Kind == Send {
			val[i] = !removed(n.Event)
		}
	}
	p, err := g.Plan(all)
	if err != nil {
		return nil, err
	}
	return val, p.Eval(val)
}

// Survives reports whether at least one of roots survives when removed
// says which send events a schedule removes. Only the nodes the roots
// reach are evaluated.
func (g *Graph) Survives(roots []NodeID, removed func(Event) bool) (bool, error) {
	var sc scratch
	return sc.survives(g, roots, removed)
}

// scratch holds the buffers of Survives, reused across calls (a Builder
// keeps one).
type scratch struct {
	val  []bool
	seen []bool
	cone []NodeID
	plan Plan
}

func (sc *scratch) survives(g *Graph, roots []NodeID, removed func(Event) bool) (bool, error) {
	if len(roots) == 0 {
		return false, nil
	}
	if len(sc.val) < len(g.Nodes) {
		sc.val = make([]bool, len(g.Nodes))
		sc.seen = make([]bool, len(g.Nodes))
	}
	cone, err := sc.reach(g, roots)
	// seen is all false again for the next call.
	for _, id := range cone {
		sc.seen[id] = false
	}
	if err != nil {
		return false, err
	}
	if err := g.planInto(&sc.plan, cone); err != nil {
		return false, err
	}
	for _, id := range cone {
		if n := &g.Nodes[id]; n.Kind == Send {
			sc.val[id] = !removed(n.Event)
		}
	}
	if err := sc.plan.Eval(sc.val); err != nil {
		return false, err
	}
	return slices.ContainsFunc(roots, func(r NodeID) bool { return sc.val[r] }), nil
}

// reach collects into sc.cone, in ascending order, the nodes that roots
// reach, marking them in sc.seen.
func (sc *scratch) reach(g *Graph, roots []NodeID) ([]NodeID, error) {
	cone := sc.cone[:0]
	defer func() { sc.cone = cone }()
	for _, r := range roots {
		if r < 0 || int(r) >= len(g.Nodes) {
			return cone, fmt.Errorf("%w: root %d out of range", ErrMalformed, r)
		}
		if !sc.seen[r] {
			sc.seen[r] = true
			cone = append(cone, r)
		}
	}
	// cone doubles as the work list: children are appended as found.
	for i := 0; i < len(cone); i++ {
		id := cone[i]
		for _, c := range g.Nodes[id].Children {
			if c < 0 || c >= id {
				return cone, g.checkNode(id)
			}
			if !sc.seen[c] {
				sc.seen[c] = true
				cone = append(cone, c)
			}
		}
	}
	slices.Sort(cone)
	return cone, nil
}
