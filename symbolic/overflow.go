package symbolic

import "github.com/ldfi/ldfi/dedalus"

// overflowAt is the first integer overflow met while evaluating a binding.
type overflowAt struct {
	op   dedalus.ExprOp
	a, b int64
}

// overflowError reports an overflow in rule r. The binding belongs to the
// over-approximated universe, so it may occur in no run: the error wraps
// ErrUnsupported (the check is inconclusive) and names the rule.
func (e *encoder) overflowError(r *dedalus.Rule, o *overflowAt) error {
	return e.unsupported(r.Pos, "integer overflow: %d %s %d does not fit in 64 bits in rule %s, for a binding of the over-approximated universe", o.a, o.op.Symbol(), o.b, r.Text)
}
