package fault

import (
	"fmt"
	"math/big"
	"testing"
)

func nodes(n int) []string {
	var ns []string
	for i := range n {
		ns = append(ns, string(rune('a'+i)))
	}
	return ns
}

// The figures published for Molly's case studies (spec §6).
func TestPublishedSize(t *testing.T) {
	for _, tc := range []struct {
		eot, eff, crashes, nodes int
		want                     string
	}{
		{3, 2, 2, 2, "121"},
		{4, 2, 0, 3, "4096"},
		{4, 2, 1, 3, "40704"},
		{5, 3, 0, 3, "262144"},
		{5, 0, 1, 4, "24"},
		{8, 0, 1, 4, "36"},
	} {
		p := Params{Nodes: nodes(tc.nodes), EOT: tc.eot, EFF: tc.eff, MaxCrashes: tc.crashes}
		if got := PublishedSize(p).String(); got != tc.want {
			t.Errorf("PublishedSize(eot=%d eff=%d crashes=%d nodes=%d) = %s, want %s",
				tc.eot, tc.eff, tc.crashes, tc.nodes, got, tc.want)
		}
	}
}

// Count is checked against a direct enumeration that knows nothing of the
// closed form: every subset of omissions times every crash assignment,
// deduplicated by canonical form.
func TestCountMatchesBruteForce(t *testing.T) {
	for n := 1; n <= 3; n++ {
		for eot := 1; eot <= 3; eot++ {
			for eff := 0; eff <= 3; eff++ {
				for c := 0; c <= n; c++ {
					if n == 3 && eff == 3 {
						continue // 2^12 omission sets x crash assignments: too slow for CI
					}
					p := Params{Nodes: nodes(n), EOT: eot, EFF: eff, MaxCrashes: c}
					want := bruteCount(p)
					if got := Count(p); got.Cmp(big.NewInt(int64(want))) != 0 {
						t.Errorf("Count(%+v) = %s, brute force %d", p, got, want)
					}
				}
			}
		}
	}
}

func bruteCount(p Params) int {
	var oms []Omission
	for _, a := range p.Nodes {
		for _, b := range p.Nodes {
			for t := 1; t < p.EFF; t++ {
				if a != b {
					oms = append(oms, Omission{a, b, t})
				}
			}
		}
	}
	seen := map[string]bool{}
	// crash[i] = 0 means node i does not crash.
	crash := make([]int, len(p.Nodes))
	var rec func(i int)
	rec = func(i int) {
		if i < len(p.Nodes) {
			for t := 0; t <= p.EOT; t++ {
				crash[i] = t
				rec(i + 1)
			}
			return
		}
		var cs []Crash
		for j, t := range crash {
			if t > 0 {
				cs = append(cs, Crash{p.Nodes[j], t})
			}
		}
		if len(cs) > p.MaxCrashes {
			return
		}
		for mask := 0; mask < 1<<len(oms); mask++ {
			s := Schedule{Crashes: cs}
			for k, o := range oms {
				if mask&(1<<k) != 0 {
					s.Omissions = append(s.Omissions, o)
				}
			}
			if err := p.ValidateSchedule(s); err != nil {
				panic(fmt.Sprint(p, s, err))
			}
			seen[s.String()] = true
		}
	}
	rec(0)
	return len(seen)
}

func TestCountExamples(t *testing.T) {
	// 2 nodes, EOT 3, EFF 2, 2 crashes: omissions a->b@1, b->a@1.
	// No crash: 4. One crash (2 nodes x (1 + 2 + 2) patterns x 2 for the
	// other node's omission): 20. Two crashes: 5 x 5 = 25. Total 49.
	p := Params{Nodes: nodes(2), EOT: 3, EFF: 2, MaxCrashes: 2}
	if got := Count(p).String(); got != "49" {
		t.Errorf("Count = %s, want 49", got)
	}
	// Large spaces do not overflow.
	big := Params{Nodes: nodes(5), EOT: 10, EFF: 8, MaxCrashes: 2}
	if Count(big).BitLen() < 100 || PublishedSize(big).BitLen() < 100 {
		t.Errorf("large space: Count %s, PublishedSize %s", Count(big), PublishedSize(big))
	}
}

// Counts of small asynchronous spaces, worked out by hand.
func TestCountAsyncExamples(t *testing.T) {
	two := func(edit func(*Params)) Params {
		p := Params{Nodes: nodes(2), EOT: 1, EFF: 2}
		edit(&p)
		return p
	}
	for _, c := range []struct {
		name string
		p    Params
		want string
	}{
		// Two slots a->b@1, b->a@1, each with its own choices.
		{"delay 1: on time, +1, lost", two(func(p *Params) { p.MaxDelay = 1 }), "9"},
		{"dups, D 1: on time, +1, twice (+0,+1), lost", two(func(p *Params) { p.MaxDelay, p.Duplicates = 1, true }), "16"},
		// on time, +1, +2, (+0,+1), (+0,+2), (+1,+2), lost
		{"dups, D 2", two(func(p *Params) { p.MaxDelay, p.Duplicates = 2, true }), "49"},
		// no omission; one; the other
		{"budget 1", two(func(p *Params) { p.OmissionsBounded, p.MaxOmissions = true, 1 }), "3"},
		{"budget 0, delay 1", two(func(p *Params) { p.OmissionsBounded, p.MaxDelay = true, 1 }), "4"},
		// 4 omission patterns, or the partition a|b@1 and nothing else
		{"one partition", two(func(p *Params) { p.MaxPartitions = 1 }), "5"},
		// EFF 3: no partition: 2^4; [1,1] or [2,2]: 2^2 each; [1,2]: 1;
		// [1,1]+[2,2] touch: Canonical merges them into [1,2].
		{"two partitions, EFF 3", two(func(p *Params) { p.EFF, p.MaxPartitions = 3, 2 }), "25"},
		// No crash: 3·3 (on time, +1, lost); a@1 removes a->b@1: 3; b@1: 3.
		{"crash, delay", two(func(p *Params) { p.MaxCrashes, p.MaxDelay = 1, 1 }), "15"},
	} {
		if got := Count(c.p).String(); got != c.want {
			t.Errorf("%s: Count = %s, want %s", c.name, got, c.want)
		}
	}
}

// A budget no smaller than the number of message slots bounds nothing: the
// explicit sum over crash assignments (countFree, sumFree) must agree with
// the closed form.
func TestCountBudgetPathAgrees(t *testing.T) {
	for n := 1; n <= 4; n++ {
		for eff := 0; eff <= 4; eff++ {
			for c := 0; c <= n; c++ {
				for _, d := range []int{0, 1, 3} {
					p := Params{Nodes: nodes(n), EOT: eff + 2, EFF: eff, MaxCrashes: c, MaxDelay: d, Duplicates: d > 0}
					q := p
					q.OmissionsBounded, q.MaxOmissions = true, n*(n-1)*max(eff-1, 0)
					if a, b := Count(p), Count(q); a.Cmp(b) != 0 {
						t.Errorf("%+v: closed form %s, with a budget of every slot %s", p, a, b)
					}
				}
			}
		}
	}
}

// sumFree's recurrence against the direct sum Σ_{j<=K} C(F, j)·a^(F−j).
func TestSumFree(t *testing.T) {
	for a := int64(1); a <= 6; a++ {
		for k := 0; k <= 5; k++ {
			for f := 0; f <= 30; f++ {
				free := make([]*big.Int, f+1)
				free[f] = big.NewInt(1)
				want := new(big.Int)
				for j := 0; j <= min(k, f); j++ {
					term := new(big.Int).Binomial(int64(f), int64(j))
					want.Add(want, term.Mul(term, new(big.Int).Exp(big.NewInt(a), big.NewInt(int64(f-j)), nil)))
				}
				if got := sumFree(free, a, true, k); got.Cmp(want) != 0 {
					t.Errorf("a=%d K=%d F=%d: %s, want %s", a, k, f, got, want)
				}
			}
		}
	}
}

func TestPublishedSizeAsync(t *testing.T) {
	base := Params{Nodes: nodes(2), EOT: 1, EFF: 1}
	for _, c := range []struct {
		name string
		edit func(*Params)
		want string
	}{
		// L = b^(n−1) with b = 2 + D (+ D(D+1)/2 with duplicates); C(2,0)·(L^1)^2.
		{"off", func(*Params) {}, "4"},
		{"delay 1", func(p *Params) { p.MaxDelay = 1 }, "9"},
		{"delay 2, dups", func(p *Params) { p.MaxDelay, p.Duplicates = 2, true }, "49"},
		// one (split, interval) pair: sets of at most one: 2
		{"one partition", func(p *Params) { p.MaxPartitions = 1 }, "8"},
		// EFF 2: 3 intervals; at most 2 of 3 pairs: 1+3+3 = 7; L^EFF = 2^2
		{"two partitions, EFF 2", func(p *Params) { p.EFF, p.MaxPartitions = 2, 2 }, "112"},
		{"budget ignored", func(p *Params) { p.OmissionsBounded = true }, "4"},
	} {
		p := base
		c.edit(&p)
		if got := PublishedSize(p).String(); got != c.want {
			t.Errorf("%s: PublishedSize = %s, want %s", c.name, got, c.want)
		}
	}
}

// Count runs on every `ldfi check`: go test -bench Count ./fault.
func BenchmarkCount(b *testing.B) {
	for _, c := range []struct {
		name string
		p    Params
	}{
		{"omissions-crashes", Params{Nodes: nodes(5), EOT: 10, EFF: 8, MaxCrashes: 2}},
		{"large-omissions", Params{Nodes: nodes(10), EOT: 30, EFF: 20, MaxCrashes: 3}},
		{"delay-dups", Params{Nodes: nodes(5), EOT: 10, EFF: 8, MaxCrashes: 2, MaxDelay: 2, Duplicates: true}},
		{"budget", Params{Nodes: nodes(5), EOT: 10, EFF: 8, MaxCrashes: 2, OmissionsBounded: true, MaxOmissions: 3}},
		{"large-budget", Params{Nodes: nodes(10), EOT: 30, EFF: 20, MaxCrashes: 3, OmissionsBounded: true, MaxOmissions: 5}},
		{"partitions-3", Params{Nodes: nodes(3), EOT: 5, EFF: 4, MaxCrashes: 1, MaxDelay: 1, MaxPartitions: 2}},
		{"partitions-4", Params{Nodes: nodes(4), EOT: 6, EFF: 5, MaxCrashes: 1, MaxDelay: 2, MaxPartitions: 2, OmissionsBounded: true, MaxOmissions: 2}},
		{"partitions-5", Params{Nodes: nodes(5), EOT: 8, EFF: 6, MaxCrashes: 2, MaxDelay: 2, MaxPartitions: 2}},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				Count(c.p)
			}
		})
	}
}
