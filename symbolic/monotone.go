package symbolic

import "github.com/ldfi/ldfi/dedalus"

// Monotone reports whether prog is monotone in the faults: no negation, no
// aggregation and no read of the crash oracle. Faults then only remove
// derivations, so a tuple absent from a faulty run's lineage stays absent
// and the lineage-driven search's certificate is exact. Any of the three
// lets a fault add a tuple (a timeout that fires because an ack was lost, a
// count that changes, a crash tuple itself), and only the exact check can
// certify. It speaks of omissions and crashes: a delay or a duplicate makes
// a message hold at a later time, which adds derivations to any program,
// so certificates under those faults need the exact check regardless.
func Monotone(prog *dedalus.Program) bool {
	for _, r := range prog.Rules {
		if r.HasAgg {
			return false
		}
		for _, a := range r.Body {
			if a.Negated || a.Rel == prog.Crash {
				return false
			}
		}
	}
	return true
}
