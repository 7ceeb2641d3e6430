package dedalus

import "math"

// Arith applies the arithmetic operator op (ExprAdd .. ExprMod) to a and b,
// the one definition of integer arithmetic for every evaluator. ok is false
// when the expression has no value: a division or remainder by zero (the
// binding then fails, as language.md says) or a result outside int64
// (overflow is then true; evaluators report it as an error, since the
// program's arithmetic would otherwise wrap silently).
func Arith(op ExprOp, a, b int64) (v int64, ok, overflow bool) {
	switch op {
	case ExprAdd:
		v = a + b
		if (a >= 0) == (b >= 0) && (v >= 0) != (a >= 0) {
			return 0, false, true
		}
		return v, true, false
	case ExprSub:
		v = a - b
		if (a >= 0) != (b >= 0) && (v >= 0) != (a >= 0) {
			return 0, false, true
		}
		return v, true, false
	case ExprMul:
		if a == 0 || b == 0 {
			return 0, true, false
		}
		v = a * b
		if v/b != a || a == -1 && b == math.MinInt64 || b == -1 && a == math.MinInt64 {
			return 0, false, true
		}
		return v, true, false
	case ExprDiv, ExprMod:
		if b == 0 {
			return 0, false, false
		}
		if b == -1 {
			if op == ExprMod {
				return 0, true, false
			}
			if a == math.MinInt64 {
				return 0, false, true
			}
			return -a, true, false
		}
		if op == ExprDiv {
			return a / b, true, false
		}
		return a % b, true, false
	}
	return 0, false, false
}

// Symbol is the source spelling of an arithmetic operator.
func (op ExprOp) Symbol() string {
	switch op {
	case ExprAdd:
		return "+"
	case ExprSub:
		return "-"
	case ExprMul:
		return "*"
	case ExprDiv:
		return "/"
	case ExprMod:
		return "%"
	}
	return "?"
}
