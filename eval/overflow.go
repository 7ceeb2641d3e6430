package eval

import (
	"errors"
	"fmt"

	"github.com/ldfi/ldfi/dedalus"
)

// ErrOverflow is wrapped by the error Run returns when a rule's arithmetic
// leaves int64: the run stops rather than wrap silently.
var ErrOverflow = errors.New("integer overflow")

// OverflowError is the integer overflow of one rule's arithmetic.
type OverflowError struct {
	Pos  dedalus.Pos // the rule's head
	Rule string      // the rule as written
	Op   string      // + - * / %
	A, B int64
	Time int // the timestep of the binding
}

func (e *OverflowError) Error() string {
	return fmt.Sprintf("%s: integer overflow: %d %s %d does not fit in 64 bits (rule %s, at time %d)", e.Pos, e.A, e.Op, e.B, e.Rule, e.Time)
}

func (e *OverflowError) Unwrap() error { return ErrOverflow }

// arith applies op for the current rule; an overflow stops the run (r.err)
// and fails the binding.
func (r *run) arith(op dedalus.ExprOp, a, b int64) (int64, bool) {
	v, ok, over := dedalus.Arith(op, a, b)
	if over && r.err == nil {
		e := &OverflowError{Op: op.Symbol(), A: a, B: b, Time: r.t}
		if r.cr != nil && r.cr.src != nil {
			e.Pos, e.Rule = r.cr.src.Pos, r.cr.src.Text
		}
		r.err = e
	}
	return v, ok
}
