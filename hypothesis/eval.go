package hypothesis

import (
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/lineage"
)

// Cuts returns the outcomes of s (their tuples, in the support's order)
// whose support formula is false under sched: every derivation lost a
// message send that sched removes (fault.Schedule.Lost), or, through a Not
// node, a tuple it relied on being absent survives. The schedule should
// be valid for the bounds it is used with (omissions only at t < EFF).
// Malformed graphs (a child after its parent, an ID out of range) count the
// broken node as surviving.
func Cuts(s *lineage.Support, sched fault.Schedule) []string {
	val := Eval(&s.Graph, sched)
	var out []string
	for _, o := range s.Outcomes {
		if o.Root >= 0 && int(o.Root) < len(val) && !val[o.Root] {
			out = append(out, o.Tuple)
		}
	}
	return out
}

// Eval returns, for every node of g, whether it survives sched.
func Eval(g *lineage.Graph, sched fault.Schedule) []bool {
	val := make([]bool, len(g.Nodes))
	for i, n := range g.Nodes {
		switch n.Kind {
		case lineage.True:
			val[i] = true
		case lineage.False:
			val[i] = false
		case lineage.Send:
			val[i] = !sched.Lost(n.Event.From, n.Event.To, n.Event.Time)
		case lineage.And:
			val[i] = true
			for _, c := range n.Children {
				if c >= 0 && int(c) < i && !val[c] {
					val[i] = false
					break
				}
			}
		case lineage.Or:
			val[i] = false
			for _, c := range n.Children {
				if c < 0 || int(c) >= i || val[c] {
					val[i] = true
					break
				}
			}
		case lineage.Not:
			val[i] = true // a malformed Not survives
			if len(n.Children) == 1 {
				if c := n.Children[0]; c >= 0 && int(c) < i {
					val[i] = !val[c]
				}
			}
		default:
			val[i] = true
		}
	}
	return val
}
