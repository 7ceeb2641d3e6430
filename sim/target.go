package sim

import (
	"context"

	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/lineage"
	"github.com/ldfi/ldfi/search"
)

// Target adapts cluster c to the search: search.CheckTarget runs LDFI,
// random and exhaustive search on it as on a Dedalus program.
func Target(c *Cluster) search.Target { return target{c} }

// Check searches the fault space of cluster c within cfg's bounds
// (cfg.Params.Nodes must be the cluster's nodes): search.CheckTarget on
// Target(c).
func Check(ctx context.Context, c *Cluster, cfg search.Config) (*search.Result, error) {
	return search.CheckTarget(ctx, Target(c), cfg)
}

type target struct{ c *Cluster }

func (t target) Interchangeable() [][]string { return t.c.Interchangeable }

func (t target) Run(ctx context.Context, p fault.Params, s fault.Schedule, lin bool) (*search.TargetRun, error) {
	r, err := Simulate(ctx, t.c, p, s, Options{Lineage: lin})
	if err != nil {
		return nil, err
	}
	return r.TargetRun(), nil
}

// TargetRun describes the run as the search reads it: each expectation an
// outcome (held or violated); with lineage, its support as a formula: the
// Or over the outcome's declarations of the And of the send events in the
// declaring node's causal past (a send event is removed by an omission of
// its channel at its send time, or a crash of its sender by then).
func (r *Run) TargetRun() *search.TargetRun {
	tr := &search.TargetRun{}
	var b *lineage.Builder
	roots := map[string]lineage.NodeID{}
	if r.lineage {
		b = lineage.NewBuilder()
		decls := map[string][]lineage.NodeID{}
		var order []string
		for _, d := range r.Declarations {
			var sends []lineage.NodeID
			for _, e := range r.eventsOf(d.past) {
				sends = append(sends, b.Send(e))
			}
			k := d.Key.text
			if _, ok := decls[k]; !ok {
				order = append(order, k)
			}
			decls[k] = append(decls[k], b.And(k+" at "+d.Node, sends...))
		}
		for _, k := range order {
			roots[k] = b.Or(k, decls[k]...)
		}
	}
	for _, e := range r.Expectations {
		post := e.Key.Tuple(r.Params.EOT)
		o := search.TargetOutcome{Outcome: search.Outcome{Pre: post, Post: post}, Holds: r.Met(e),
			PostRoot: lineage.FalseID, PreRoot: lineage.TrueID}
		if root, ok := roots[e.Key.text]; ok {
			o.PostRoot = root
		}
		if b != nil && len(e.Because) > 0 {
			var pre []lineage.NodeID
			for _, k := range e.Because {
				if root, ok := roots[k.text]; ok {
					pre = append(pre, root)
				}
			}
			o.PreRoot = b.And("because", pre...)
		}
		tr.Outcomes = append(tr.Outcomes, o)
	}
	if b != nil {
		g := b.Support([]string{}).Graph
		tr.Lineage = &g
	}
	tr.Delivered = r.delivered()
	return tr
}

// delivered lists the inter-node sends of which a copy arrived, each
// channel and send time once, in send order.
func (r *Run) delivered() []lineage.Event {
	seen := map[lineage.Event]bool{}
	var out []lineage.Event
	for _, s := range r.Sends {
		e := lineage.Event{From: s.From, To: s.To, Time: s.Sent}
		if s.From != s.To && len(s.Arrivals) > 0 && !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}
