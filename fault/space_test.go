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
