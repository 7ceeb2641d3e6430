package symbolic

import "github.com/ldfi/ldfi/dedalus"

// overflow reports an integer overflow in the arithmetic of rule r under
// the binding vals, the way the evaluator meets it: the comparisons in
// order until one fails (the binding then never fires and computes no
// more), then the head's expressions. The binding belongs to the
// over-approximated universe, so it may occur in no run: the error wraps
// ErrUnsupported (the check is inconclusive) and names the rule.
func (e *encoder) overflow(r *dedalus.Rule, vals []dedalus.Value) error {
	if !hasArith(r) {
		return nil
	}
	var bad *overflowAt
	for i := range r.Cmps {
		c := &r.Cmps[i]
		_, ok1 := evalChecked(c.L, vals, &bad)
		_, ok2 := evalChecked(c.R, vals, &bad)
		if bad != nil {
			break
		}
		if !ok1 || !ok2 || !compare(c, vals) {
			return nil
		}
	}
	if bad == nil {
		for _, h := range r.Args {
			if h.Agg == dedalus.AggNone && h.Expr != nil {
				evalChecked(h.Expr, vals, &bad)
			}
		}
	}
	if bad == nil {
		return nil
	}
	return e.unsupported(r.Pos, "integer overflow: %d %s %d does not fit in 64 bits in rule %s, for a binding of the over-approximated universe", bad.a, bad.op.Symbol(), bad.b, r.Text)
}

// hasArith reports whether r computes anything (an expression that is not
// a variable or a constant): the common case without is cheap.
func hasArith(r *dedalus.Rule) bool {
	isArith := func(x *dedalus.Expr) bool { return x != nil && x.Op != dedalus.ExprVar && x.Op != dedalus.ExprConst }
	for i := range r.Cmps {
		if isArith(r.Cmps[i].L) || isArith(r.Cmps[i].R) {
			return true
		}
	}
	for _, h := range r.Args {
		if isArith(h.Expr) {
			return true
		}
	}
	return false
}

type overflowAt struct {
	op   dedalus.ExprOp
	a, b int64
}

// evalChecked is evalExpr with dedalus.Arith, recording the first overflow.
func evalChecked(x *dedalus.Expr, vals []dedalus.Value, bad **overflowAt) (dedalus.Value, bool) {
	switch x.Op {
	case dedalus.ExprVar:
		return vals[x.Var], true
	case dedalus.ExprConst:
		return x.Const, true
	}
	l, ok := evalChecked(x.L, vals, bad)
	if !ok {
		return l, false
	}
	r, ok := evalChecked(x.R, vals, bad)
	if !ok {
		return r, false
	}
	v, ok, over := dedalus.Arith(x.Op, l.Int, r.Int)
	if over && *bad == nil {
		*bad = &overflowAt{op: x.Op, a: l.Int, b: r.Int}
	}
	return dedalus.Value{Type: dedalus.TypeInt, Int: v}, ok
}
