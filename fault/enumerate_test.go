package fault

import (
	"math/big"
	"os"
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

// asyncParams are small bounds with every combination of asynchrony
// faults on; whole spaces stay under ~10^4 schedules.
func asyncParams() []Params {
	var ps []Params
	for n := 1; n <= 3; n++ {
		for eff := 1; eff <= 3; eff++ {
			for _, d := range []int{0, 1, 2} {
				for _, dups := range []bool{false, true} {
					for parts := 0; parts <= 2; parts++ {
						for _, k := range []int{-1, 0, 1, 2} {
							if dups && d == 0 || parts > 0 && n < 2 {
								continue // invalid Params
							}
							p := Params{Nodes: nodes(n), EOT: eff + 1, EFF: eff, MaxCrashes: min(n, 1),
								MaxDelay: d, Duplicates: dups, MaxPartitions: parts,
								MaxOmissions: max(k, 0), OmissionsBounded: k >= 0}
							ps = append(ps, p)
						}
					}
				}
			}
		}
	}
	return ps
}

func TestEnumerateAsync(t *testing.T) {
	limit := int64(2000) // whole spaces up to this size (310 of 420; 84k schedules)
	if os.Getenv("LDFI_LONG") != "" {
		limit = 50000 // 361 of 420 whole, 866k schedules
	}
	for _, p := range asyncParams() {
		if c := Count(p); c.Cmp(big.NewInt(limit)) > 0 {
			checkEnumerate(t, p, 300) // the order of a prefix
			continue
		}
		checkEnumerate(t, p, 0)
	}
	// Names whose order differs from their String() order, EFF >= 10.
	checkEnumerate(t, Params{Nodes: []string{"n", "n1", "m2"}, EOT: 11, EFF: 11, MaxCrashes: 1,
		MaxDelay: 2, Duplicates: true, MaxPartitions: 2, OmissionsBounded: true, MaxOmissions: 1}, 20000)
	checkEnumerate(t, Params{Nodes: []string{"x", "y"}, EOT: 3, EFF: 11, MaxCrashes: 2,
		MaxPartitions: 2, OmissionsBounded: true}, 0)
}

// With every async field at zero, Enumerate yields what it always did: the
// first schedules of a space are pinned here.
func TestEnumerateOrderUnchanged(t *testing.T) {
	p := Params{Nodes: nodes(2), EOT: 2, EFF: 3, MaxCrashes: 1}
	var got []string
	for s := range Enumerate(p) {
		got = append(got, s.String())
		if len(got) == 12 {
			break
		}
	}
	want := "no faults|crash(a@1)|crash(a@2)|crash(b@1)|crash(b@2)|omit(a->b@1)|omit(a->b@2)|omit(b->a@1)|omit(b->a@2)|" +
		"crash(a@1) omit(b->a@1)|crash(a@1) omit(b->a@2)|crash(a@2) omit(a->b@1)"
	if g := strings.Join(got, "|"); g != want {
		t.Errorf("first schedules:\n%s\nwant\n%s", g, want)
	}
}

// checkEnumerate checks the first limit schedules (all when limit is 0).
func checkEnumerate(t *testing.T, p Params, limit int) {
	t.Helper()
	seen := map[string]bool{}
	var prev Schedule
	count := 0
	prevKey := ""
	for s := range Enumerate(p) {
		key := s.String()
		if count == 0 && !s.IsEmpty() {
			t.Fatalf("%+v: first schedule %s, want no faults", p, key)
		}
		if err := p.ValidateSchedule(s); err != nil {
			t.Fatalf("%+v: invalid schedule %s: %v", p, key, err)
		}
		// Faults prints s as it is; String prints its canonical form.
		if raw := strings.Join(s.Faults(), " "); raw != key && !(raw == "" && key == "no faults") {
			t.Fatalf("%+v: %s is not canonical (canonical: %s)", p, raw, key)
		}
		if seen[key] {
			t.Fatalf("%+v: %s yielded twice", p, key)
		}
		seen[key] = true
		if count > 0 {
			if s.Size() < prev.Size() || s.Size() == prev.Size() && strings.Compare(prevKey, key) >= 0 {
				t.Fatalf("%+v: %s after %s: not smallest first / String order", p, key, prev)
			}
		}
		prev, prevKey = s, key
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
