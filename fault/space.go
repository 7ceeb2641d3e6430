package fault

import (
	"encoding/binary"
	"math/big"
	"math/bits"
	"slices"
)

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
//
// The asynchrony faults have no published figure; this extends the formula
// in its own style, as a product of independent choices that reduces to
// the literature's figure when they are off. Per node and send time, each
// of the n−1 outgoing channels has b choices instead of 2 (on time or
// lost): b = 2 + D, plus C(D+1, 2) = D(D+1)/2 with duplicates (the second
// copy late by 1..D, or both copies late, the earlier by less), so
// L = b^(n−1). Partitions multiply it by the number of sets of at most P
// of the S·EFF(EFF+1)/2 (split, interval) pairs, S = 2^(n−1) − 1 splits and
// intervals within EFF send times, as for omissions; overlaps are not
// removed, as the literature removes no duplicates. The omission budget is
// not reflected: a budget couples the nodes' choices, which a per-node
// product cannot say, and the literature has none (the figure is that of
// the model without the budget). Count is the exact figure with all of it.
func PublishedSize(p Params) *big.Int {
	n := int64(len(p.Nodes))
	c := clampInt64(p.MaxCrashes, n)
	eff := int64(max(p.EFF, 0))
	eot := int64(max(p.EOT, 0))
	if n == 0 {
		return big.NewInt(1)
	}
	L := new(big.Int).Exp(big.NewInt(channelChoices(p)+1), big.NewInt(n-1), nil)

	res := new(big.Int).Binomial(n, c)
	perNode := new(big.Int).Exp(L, big.NewInt(eff), nil)
	res.Mul(res, new(big.Int).Exp(perNode, big.NewInt(n-c), nil))

	sum := new(big.Int)
	for t := int64(1); t <= eot+1; t++ {
		sum.Add(sum, new(big.Int).Exp(L, big.NewInt(min(eff, t-1)), nil))
	}
	res.Mul(res, sum.Exp(sum, big.NewInt(c), nil))
	if parts := int64(max(p.MaxPartitions, 0)); parts > 0 && n >= 2 && n < 64 {
		pairs := new(big.Int).Lsh(big.NewInt(1), uint(n-1))
		pairs.Sub(pairs, big.NewInt(1))
		pairs.Mul(pairs, big.NewInt(eff*(eff+1)/2))
		res.Mul(res, binomialSum(pairs, parts))
	}
	return res
}

// binomialSum is Σ_{j=0}^{k} C(n, j) for a big n.
func binomialSum(n *big.Int, k int64) *big.Int {
	sum, term := big.NewInt(1), big.NewInt(1)
	for j := int64(1); j <= k; j++ {
		// C(n, j) = C(n, j−1) · (n−j+1) / j; zero once j > n.
		f := new(big.Int).Sub(n, big.NewInt(j-1))
		if f.Sign() <= 0 {
			break
		}
		term.Mul(term, f)
		term.Quo(term, big.NewInt(j))
		sum.Add(sum, term)
	}
	return sum
}

// channelChoices is a, the number of ways a message that is not lost can
// arrive: on time or 1..D late (D+1 ways), and with duplicates also as two
// copies at two distinct delays in 0..D (C(D+1, 2) ways; the copies are
// alike, so the pair is unordered). 1 without asynchrony faults.
func channelChoices(p Params) int64 {
	d := int64(max(p.MaxDelay, 0))
	a := 1 + d
	if p.Duplicates {
		a += d * (d + 1) / 2
	}
	return a
}

// Count is the exact number of distinct canonical schedules the model
// admits (ValidateSchedule accepts them and Canonical leaves them as they
// are); Enumerate yields exactly Count(p) schedules. The empty schedule (no
// faults) is counted. Negative parameters count as zero.
//
// Without asynchrony faults a schedule is any set of omissions (from, to, t)
// with from != to and 1 <= t < EFF, plus crashes of at most MaxCrashes
// distinct nodes at times 1..EOT, where an omission from a node crashed at
// or before its send time is not a separate schedule. With n nodes,
// W = max(EFF−1, 0) omission times and m = n−1 channels per sender:
//
//	Σ_{k=0}^{C} C(n, k) · (2^(m·W))^(n−k) · (Σ_{c=1}^{EOT} 2^(m·min(W, c−1)))^k
//
// With asynchrony faults, a message slot (from != to, 1 <= t < EFF) that no
// crash and no partition removes is free, and a free slot is lost (an
// omission), or arrives in one of a ways (channelChoices): on time, d late
// (1 <= d <= D), and with duplicates also twice, at two distinct delays in
// 0..D (the delay being the earlier: Canonical orders the copies), so
// a = 1 + D + [duplicates]·D(D+1)/2. Summing over the crash assignments κ
// (at most C nodes, times 1..EOT) and the sets π of canonical partitions
// (at most P, of a split into two non-empty groups and an interval
// 1 <= From <= To < EFF, those of one split neither overlapping nor
// adjacent), with F(κ, π) the free slots:
//
//	Σ_{κ, π} g(F(κ, π)),   g(F) = [x^0..x^K] (a + x)^F = Σ_{j=0}^{min(K,F)} C(F, j) · a^(F−j)
//
// where x counts omissions and the sum of coefficients stops at the
// omission budget K (without a budget, g(F) = (a+1)^F). Without partitions
// and budget the nodes are independent and this is the closed form above
// with 2 replaced by a+1; otherwise Count sums explicitly over the
// partition sets and, per set, over the crash assignments by the number of
// free slots they leave (countFree), which is fast at the small bounds
// where partitions are asked for. Measured (CPU): the closed form ~10 µs
// (5 nodes, EOT 10, EFF 8, 2 crashes; with delays and duplicates alike),
// a budget ~0.1 ms there and ~2 ms at 10 nodes, EOT 30, EFF 20, 3 crashes,
// K 5; 2 partitions ~0.2 ms at 3 nodes (EFF 4), ~5 ms at 4 (EFF 5), ~40 ms
// at 5 (EFF 6). Partitions are listed for at most 31 nodes (2^30 splits,
// far beyond any search); past that Count and Enumerate leave them out.
func Count(p Params) *big.Int {
	n := int64(len(p.Nodes))
	if n == 0 {
		return big.NewInt(1)
	}
	if (max(p.MaxPartitions, 0) == 0 || n < 2) && !p.OmissionsBounded {
		return closedCount(p, channelChoices(p)+1)
	}
	nodes := slices.Clone(p.Nodes)
	slices.Sort(nodes)
	nodes = slices.Compact(nodes)
	free := countFree(p, nodes)
	return sumFree(free, channelChoices(p), p.OmissionsBounded, max(p.MaxOmissions, 0))
}

// closedCount is the closed form of Count for independent nodes, with b
// choices per message slot (2: omitted or not).
func closedCount(p Params, b int64) *big.Int {
	n := int64(len(p.Nodes))
	c := clampInt64(p.MaxCrashes, n)
	w := int64(max(p.EFF-1, 0))
	m := n - 1
	eot := int64(max(p.EOT, 0))
	B := big.NewInt(b)
	pow := func(e int64) *big.Int { return new(big.Int).Exp(B, big.NewInt(e), nil) }

	free := pow(m * w) // patterns of a node that does not crash
	crashed := new(big.Int)
	for t := int64(1); t <= eot; t++ {
		crashed.Add(crashed, pow(m*min(w, t-1)))
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

// sumFree is Σ_F free[F] · g(F) (see Count), g computed for F = 0, 1, ...
// by g(F+1) = (a+1)·g(F) − C(F, K)·a^(F−K): the coefficients of
// (a+x)^(F+1) = (a+x)·(a+x)^F up to x^K are a times those of (a+x)^F up
// to x^K plus those up to x^(K−1), i.e. (a+1)·g(F) less its x^K
// coefficient C(F, K)·a^(F−K). Without a budget, g(F) = (a+1)^F.
func sumFree(free []*big.Int, a int64, bounded bool, k int) *big.Int {
	total := new(big.Int)
	g := big.NewInt(1) // g(0)
	A, A1 := big.NewInt(a), big.NewInt(a+1)
	binom := big.NewInt(1) // C(F, K), once F >= K
	apow := big.NewInt(1)  // a^(F−K), once F >= K
	for f, n := range free {
		if n != nil {
			total.Add(total, new(big.Int).Mul(n, g))
		}
		next := new(big.Int).Mul(g, A1)
		if bounded && f >= k {
			next.Sub(next, new(big.Int).Mul(binom, apow))
			// C(F+1, K) = C(F, K)·(F+1)/(F+1−K)
			binom.Mul(binom, big.NewInt(int64(f+1)))
			binom.Quo(binom, big.NewInt(int64(f+1-k)))
			apow.Mul(apow, A)
		}
		g = next
	}
	return total
}

func clampInt64(v int, hi int64) int64 {
	return min(max(int64(v), 0), hi)
}

// countFree counts the pairs (crash assignment, partition set) of the model
// by the number of free message slots they leave: free[F] pairs leave F.
// The partition sets are listed explicitly (partitionProfiles); the crash
// assignments are summed per profile they leave (crashDistribution).
func countFree(p Params, nodes []string) []*big.Int {
	n, w := len(nodes), max(p.EFF-1, 0)
	free := make([]*big.Int, n*(n-1)*w+1)
	profiles := partitionProfiles(p, nodes)
	keys := make([]string, 0, len(profiles))
	for k := range profiles {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		crashDistribution(p, profiles[k].prefix, free, profiles[k].sets)
	}
	return free
}

// profile is what a set of partitions leaves for the crash assignments:
// per node v and j in 0..w, prefix[v][j] is the number of v's message
// slots at send times 1..j that no partition cuts. sets counts the
// partition sets that leave it.
type profile struct {
	prefix [][]int
	sets   int64
}

// partitionProfiles lists the sets of canonical partitions (at most P, in
// canonical order, those of one split apart: Canonical would merge them)
// and groups them by the profile they leave, its nodes in sorted order:
// the sum over crash assignments treats the nodes alike, so sets that
// differ by a renaming of the nodes are summed once.
func partitionProfiles(p Params, nodes []string) map[string]*profile {
	n, w := len(nodes), max(p.EFF-1, 0)
	var tokens []Partition
	budget := max(p.MaxPartitions, 0)
	if budget > 0 && n >= 2 {
		tokens = partitionTokens(nodes, p.EFF)
	}
	side := make([]uint64, len(tokens)) // bit v: node v in group 0
	for i, x := range tokens {
		for v, name := range nodes {
			if slices.Contains(x.Groups[0], name) {
				side[i] |= 1 << v
			}
		}
	}
	all := uint64(1)<<n - 1
	out := map[string]*profile{}
	var chosen []int
	prefix := make([][]int, n)
	for v := range prefix {
		prefix[v] = make([]int, w+1)
	}
	var key []byte
	var rec func(start int)
	rec = func(start int) {
		for v := range prefix {
			for t := 1; t <= w; t++ {
				var cut uint64 // the nodes v cannot reach at t
				for _, i := range chosen {
					if x := tokens[i]; t < x.From || t > x.To {
						continue
					}
					if side[i]>>v&1 == 1 {
						cut |= all &^ side[i] // v in group 0: group 1 is cut off
					} else {
						cut |= side[i]
					}
				}
				prefix[v][t] = prefix[v][t-1] + n - 1 - bits.OnesCount64(cut)
			}
		}
		slices.SortFunc(prefix, slices.Compare)
		key = key[:0]
		for _, row := range prefix {
			for _, x := range row {
				key = binary.AppendUvarint(key, uint64(x))
			}
		}
		if pr, ok := out[string(key)]; ok {
			pr.sets++
		} else {
			cp := make([][]int, n)
			for v := range cp {
				cp[v] = slices.Clone(prefix[v])
			}
			out[string(key)] = &profile{prefix: cp, sets: 1}
		}
		if len(chosen) == budget {
			return
		}
		for i := start; i < len(tokens); i++ {
			x := tokens[i]
			if slices.ContainsFunc(chosen, func(j int) bool {
				q := tokens[j]
				return q.sameSplit(x) && x.From <= q.To+1 && q.From <= x.To+1
			}) {
				continue
			}
			chosen = append(chosen, i)
			rec(i + 1)
			chosen = chosen[:len(chosen)-1]
		}
	}
	rec(0)
	return out
}

// crashDistribution adds to free[F] times the number of crash assignments
// (at most MaxCrashes nodes, each at a time 1..EOT) that leave F free
// slots, given each node's prefix (see profile): a node that does not crash keeps
// prefix[v][w], one crashing at c keeps prefix[v][min(w, c−1)]. A dynamic
// program over the nodes, by number of crashes and free slots so far.
func crashDistribution(p Params, prefix [][]int, free []*big.Int, times int64) {
	n := len(prefix)
	w := len(prefix[0]) - 1
	budget := min(max(p.MaxCrashes, 0), n)
	mult := make([]*big.Int, w+1) // crash times c with min(w, c−1) = j
	for c := 1; c <= p.EOT; c++ {
		j := min(w, c-1)
		if mult[j] == nil {
			mult[j] = new(big.Int)
		}
		mult[j].Add(mult[j], big.NewInt(1))
	}
	grid := func() [][]big.Int {
		g := make([][]big.Int, budget+1)
		for k := range g {
			g[k] = make([]big.Int, len(free))
		}
		return g
	}
	dp, next := grid(), grid()
	dp[0][0].SetInt64(1)
	var prod big.Int
	for v := range n {
		for k := range next {
			for u := range next[k] {
				next[k][u].SetInt64(0)
			}
		}
		for k, row := range dp {
			for u := range row {
				c := &row[u]
				if c.Sign() == 0 {
					continue
				}
				x := &next[k][u+prefix[v][w]]
				x.Add(x, c)
				for j := 0; k < budget && j <= w; j++ {
					if mult[j] != nil {
						x := &next[k+1][u+prefix[v][j]]
						x.Add(x, prod.Mul(c, mult[j]))
					}
				}
			}
		}
		dp, next = next, dp
	}
	t := big.NewInt(times)
	for _, row := range dp {
		for u := range row {
			if row[u].Sign() != 0 {
				if free[u] == nil {
					free[u] = new(big.Int)
				}
				free[u].Add(free[u], prod.Mul(&row[u], t))
			}
		}
	}
}
