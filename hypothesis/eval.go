package hypothesis

import (
	"fmt"

	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/lineage"
)

// Cuts returns the outcomes of s (their tuples, in the support's order)
// whose support formula is false under sched within the bounds p: every
// derivation lost a message send that sched removes (fault.Params.Lost),
// or, through a Not node, a tuple it relied on being absent survives. The
// graph is evaluated by lineage.Graph.Eval; a malformed graph or an
// outcome root out of range is an error wrapping ErrGraph.
func Cuts(s *lineage.Support, p fault.Params, sched fault.Schedule) ([]string, error) {
	val, err := s.Graph.Survival(func(e lineage.Event) bool { return p.Lost(sched, e.From, e.To, e.Time) })
	if err != nil {
		return nil, err
	}
	var out []string
	for _, o := range s.Outcomes {
		if o.Root < 0 || int(o.Root) >= len(val) {
			return nil, fmt.Errorf("%w: outcome %s has root %d out of range", ErrGraph, o.Tuple, o.Root)
		}
		if !val[o.Root] {
			out = append(out, o.Tuple)
		}
	}
	return out, nil
}
