package fault

import (
	"math/big"
	"strings"
	"testing"
)

func TestEnumerate(t *testing.T) {
	for n := 1; n <= 3; n++ {
		for eot := 1; eot <= 3; eot++ {
			for eff := 0; eff <= 3; eff++ {
				for c := 0; c <= n; c++ {
					p := Params{Nodes: nodes(n), EOT: eot, EFF: eff, MaxCrashes: c}
					limit := 0
					if n == 3 && eff == 3 {
						limit = 3000 // the whole space is ~10^5: check a prefix
					}
					checkEnumerate(t, p, limit)
				}
			}
		}
	}
	// Node names whose order differs from their String() order, and a
	// time >= 10 (String() puts @10 before @2).
	checkEnumerate(t, Params{Nodes: []string{"n", "n1", "m2"}, EOT: 11, EFF: 2, MaxCrashes: 2}, 0)
	checkEnumerate(t, Params{Nodes: []string{"x", "y"}, EOT: 2, EFF: 12, MaxCrashes: 1}, 5000)
}

// checkEnumerate checks the first limit schedules (all when limit is 0).
func checkEnumerate(t *testing.T, p Params, limit int) {
	t.Helper()
	seen := map[string]bool{}
	var prev Schedule
	count := 0
	for s := range Enumerate(p) {
		key := s.String()
		if count == 0 && !s.IsEmpty() {
			t.Fatalf("%+v: first schedule %s, want no faults", p, key)
		}
		if err := p.ValidateSchedule(s); err != nil {
			t.Fatalf("%+v: invalid schedule %s: %v", p, key, err)
		}
		c := s.Canonical()
		if c.String() != key || c.Size() != s.Size() {
			t.Fatalf("%+v: %s is not canonical (canonical: %s)", p, key, c)
		}
		if seen[key] {
			t.Fatalf("%+v: %s yielded twice", p, key)
		}
		seen[key] = true
		if count > 0 {
			if s.Size() < prev.Size() || s.Size() == prev.Size() && strings.Compare(prev.String(), key) >= 0 {
				t.Fatalf("%+v: %s after %s: not smallest first / String order", p, key, prev)
			}
		}
		prev = s
		count++
		if count == limit {
			return
		}
	}
	if want := Count(p); want.Cmp(big.NewInt(int64(count))) != 0 {
		t.Errorf("%+v: Enumerate yielded %d schedules, Count says %s", p, count, want)
	}
}

func TestEnumerateIsLazy(t *testing.T) {
	// 2^(5*4*9) omission sets: only a lazy enumeration can stop early.
	p := Params{Nodes: nodes(5), EOT: 10, EFF: 10, MaxCrashes: 2}
	var got []string
	for s := range Enumerate(p) {
		got = append(got, s.String())
		if len(got) == 60 {
			break
		}
	}
	if got[0] != "no faults" || got[1] != "crash(a@1)" || got[2] != "crash(a@10)" {
		t.Errorf("first schedules: %v", got[:3])
	}
	if len(got) != 60 {
		t.Errorf("stopped after %d schedules, want 60", len(got))
	}
	// Early stop inside a deeper level as well.
	n := 0
	for s := range Enumerate(p) {
		if s.Size() == 3 {
			break
		}
		n++
	}
	// Sizes 0..2 first: 1 + 50 + 180 (singletons) + pairs.
	if n < 1+50+180 {
		t.Errorf("only %d schedules before the first of size 3", n)
	}
}
