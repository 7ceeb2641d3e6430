package dedalus

import (
	"math"
	"math/big"
	"testing"

	"pgregory.net/rapid"
)

// TestArith compares Arith with arbitrary-precision arithmetic: a result
// that fits in int64 is exact, one that does not is an overflow, and
// division by zero has no value.
func TestArith(t *testing.T) {
	edge := []int64{0, 1, -1, 2, -2, math.MaxInt64, math.MinInt64, math.MaxInt64 - 1, math.MinInt64 + 1, 1 << 32, -(1 << 32), 3037000500, -3037000500}
	gen := rapid.OneOf(rapid.Int64(), rapid.SampledFrom(edge))
	ops := []ExprOp{ExprAdd, ExprSub, ExprMul, ExprDiv, ExprMod}
	rapid.Check(t, func(t *rapid.T) {
		a, b := gen.Draw(t, "a"), gen.Draw(t, "b")
		op := rapid.SampledFrom(ops).Draw(t, "op")
		v, ok, over := Arith(op, a, b)
		if (op == ExprDiv || op == ExprMod) && b == 0 {
			if ok || over {
				t.Fatalf("%d %s 0: ok %v overflow %v", a, op.Symbol(), ok, over)
			}
			return
		}
		x, y, z := big.NewInt(a), big.NewInt(b), new(big.Int)
		switch op {
		case ExprAdd:
			z.Add(x, y)
		case ExprSub:
			z.Sub(x, y)
		case ExprMul:
			z.Mul(x, y)
		case ExprDiv:
			z.Quo(x, y) // truncated, like Go
		case ExprMod:
			z.Rem(x, y)
		}
		if !z.IsInt64() {
			if ok || !over {
				t.Fatalf("%d %s %d = %s overflows, got %d ok %v overflow %v", a, op.Symbol(), b, z, v, ok, over)
			}
			return
		}
		if !ok || over || v != z.Int64() {
			t.Fatalf("%d %s %d = %s, got %d ok %v overflow %v", a, op.Symbol(), b, z, v, ok, over)
		}
	})
}
