package fault

import "math/big"

// PublishedSize is the fault-space size as the LDFI literature reports it
// (the "combinations" figure of Molly's papers and output), for comparison
// with published tables. With n nodes, L = 2^(n-1) and C = MaxCrashes:
//
//	C(n, C) · (L^EFF)^(n−C) · (Σ_{c=1}^{EOT+1} L^min(EFF, c−1))^C
//
// read literally: L^EFF is the number of omission patterns of one
// non-crashing node (a subset of its n−1 outgoing channels at each of EFF
// send times), and the sum runs over the crash times 1..EOT plus a last term
// for "crashes after EOT", each crashing node keeping the omission patterns
// of the times before its crash. This reading reproduces every published
// value: (EOT, EFF, crashes, nodes) = (3,2,2,2) → 121, (4,2,0,3) → 4096,
// (4,2,1,3) → 40704, (5,3,0,3) → 262144, (5,0,1,4) → 24, (8,0,1,4) → 36.
//
// It is not the number of distinct schedules: it counts omissions at EFF
// send times where our model has EFF−1 (1 <= t < EFF), chooses exactly C
// crashing nodes, and counts the same schedule several times. Count gives
// the exact number for our model. Negative parameters count as zero.
func PublishedSize(p Params) *big.Int {
	n := int64(len(p.Nodes))
	c := clampInt64(p.MaxCrashes, n)
	eff := int64(max(p.EFF, 0))
	eot := int64(max(p.EOT, 0))
	if n == 0 {
		return big.NewInt(1)
	}
	L := new(big.Int).Lsh(big.NewInt(1), uint(n-1))

	res := new(big.Int).Binomial(n, c)
	perNode := new(big.Int).Exp(L, big.NewInt(eff), nil)
	res.Mul(res, new(big.Int).Exp(perNode, big.NewInt(n-c), nil))

	sum := new(big.Int)
	for t := int64(1); t <= eot+1; t++ {
		sum.Add(sum, new(big.Int).Exp(L, big.NewInt(min(eff, t-1)), nil))
	}
	return res.Mul(res, sum.Exp(sum, big.NewInt(c), nil))
}

// Count is the exact number of distinct canonical schedules the model
// admits (ValidateSchedule accepts them and Canonical leaves them as they
// are): any set of omissions (from, to, t) with from != to and 1 <= t < EFF,
// plus crashes of at most MaxCrashes distinct nodes at times 1..EOT, where an
// omission from a node crashed at or before its send time is not a separate
// schedule. With n nodes, W = max(EFF−1, 0) omission times and
// m = n−1 channels per sender:
//
//	Σ_{k=0}^{C} C(n, k) · (2^(m·W))^(n−k) · (Σ_{c=1}^{EOT} 2^(m·min(W, c−1)))^k
//
// The empty schedule (no faults) is counted. Negative parameters count as
// zero. Enumerate yields exactly Count(p) schedules.
func Count(p Params) *big.Int {
	n := int64(len(p.Nodes))
	if n == 0 {
		return big.NewInt(1)
	}
	c := clampInt64(p.MaxCrashes, n)
	w := int64(max(p.EFF-1, 0))
	m := n - 1
	eot := int64(max(p.EOT, 0))
	pow2 := func(e int64) *big.Int { return new(big.Int).Lsh(big.NewInt(1), uint(e)) }

	free := pow2(m * w) // omission patterns of a node that does not crash
	crashed := new(big.Int)
	for t := int64(1); t <= eot; t++ {
		crashed.Add(crashed, pow2(m*min(w, t-1)))
	}
	total := new(big.Int)
	for k := int64(0); k <= c; k++ {
		term := new(big.Int).Binomial(n, k)
		term.Mul(term, new(big.Int).Exp(free, big.NewInt(n-k), nil))
		term.Mul(term, new(big.Int).Exp(crashed, big.NewInt(k), nil))
		total.Add(total, term)
	}
	return total
}

func clampInt64(v int, hi int64) int64 {
	return min(max(int64(v), 0), hi)
}
