package fault

import (
	"math/big"
	"os"
	"slices"
	"strings"
	"testing"
)

// The asynchrony faults: every raw combination of faults at small bounds
// (crash times, per message omitted or not, delay 0..D and duplicate
// 0..D, and sets of partitions in both group orders, overlapping and
// touching ones included), those ValidateSchedule accepts canonicalised
// (the budgets are applied to the raw schedule, so raw partitions that
// merge can exceed it);
// the set of canonical forms must be exactly what Enumerate yields and
// have Count(p) members. It knows nothing of Enumerate's or Count's
// construction.
func TestEnumerateMatchesBruteForce(t *testing.T) {
	cases := []Params{
		{Nodes: nodes(2), EOT: 2, EFF: 3, MaxCrashes: 1, MaxDelay: 1, MaxPartitions: 2},
		{Nodes: nodes(2), EOT: 3, EFF: 3, MaxCrashes: 2, MaxPartitions: 2, OmissionsBounded: true, MaxOmissions: 1},
		{Nodes: nodes(2), EOT: 2, EFF: 2, MaxCrashes: 1, MaxDelay: 2, Duplicates: true, MaxPartitions: 1, OmissionsBounded: true},
		{Nodes: nodes(2), EOT: 2, EFF: 2, MaxCrashes: 2, MaxDelay: 3, Duplicates: true, OmissionsBounded: true, MaxOmissions: 1},
		{Nodes: nodes(3), EOT: 2, EFF: 2, MaxCrashes: 1, MaxPartitions: 2, OmissionsBounded: true, MaxOmissions: 1},
		{Nodes: nodes(3), EOT: 2, EFF: 2, MaxCrashes: 1, MaxDelay: 1},
	}
	if os.Getenv("LDFI_LONG") != "" {
		cases = append(cases,
			Params{Nodes: nodes(2), EOT: 3, EFF: 3, MaxCrashes: 1, MaxDelay: 1, Duplicates: true, MaxPartitions: 2, OmissionsBounded: true, MaxOmissions: 2},
			Params{Nodes: nodes(3), EOT: 2, EFF: 2, MaxCrashes: 1, MaxDelay: 1, Duplicates: true, MaxPartitions: 1},
			Params{Nodes: nodes(3), EOT: 2, EFF: 3, MaxCrashes: 1, MaxPartitions: 1, OmissionsBounded: true, MaxOmissions: 3},
		)
	}
	for _, p := range cases {
		want := bruteCanonical(t, p)
		var got []string
		for s := range Enumerate(p) {
			got = append(got, s.String())
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%+v: Enumerate yields %d schedules, brute force %d\n%s", p, len(got), len(want), setDiff(got, want))
		}
		if c := Count(p); c.Cmp(big.NewInt(int64(len(want)))) != 0 {
			t.Errorf("%+v: Count %s, brute force %d", p, c, len(want))
		}
	}
}

// setDiff shows a few members of each sorted set missing from the other.
func setDiff(got, want []string) string {
	var b strings.Builder
	for _, x := range got {
		if _, ok := slices.BinarySearch(want, x); !ok && b.Len() < 500 {
			b.WriteString("  extra: " + x + "\n")
		}
	}
	for _, x := range want {
		if _, ok := slices.BinarySearch(got, x); !ok && b.Len() < 1000 {
			b.WriteString("  missing: " + x + "\n")
		}
	}
	return b.String()
}

// bruteCanonical returns the sorted canonical forms of every valid raw
// schedule of p, checking that each is valid and a fixed point.
func bruteCanonical(t *testing.T, p Params) []string {
	t.Helper()
	var slots []Omission
	for _, a := range p.Nodes {
		for _, b := range p.Nodes {
			for tm := 1; tm < p.EFF; tm++ {
				if a != b {
					slots = append(slots, Omission{a, b, tm})
				}
			}
		}
	}
	var rawParts []Partition
	for mask := 1; mask < 1<<len(p.Nodes)-1; mask++ {
		var g [2][]string
		for i, n := range p.Nodes {
			g[mask>>i&1] = append(g[mask>>i&1], n)
		}
		for from := 1; from < p.EFF; from++ {
			for to := from; to < p.EFF; to++ {
				rawParts = append(rawParts, Partition{Groups: g, From: from, To: to})
			}
		}
	}
	seen := map[string]bool{}
	visit := func(s Schedule) {
		if p.ValidateSchedule(s) != nil {
			return
		}
		c := s.Canonical()
		if err := p.ValidateSchedule(c); err != nil {
			t.Fatalf("%+v: %v is valid, its canonical form %v is not: %v", p, s.Faults(), c.Faults(), err)
		}
		if a, b := strings.Join(c.Faults(), " "), strings.Join(c.Canonical().Faults(), " "); a != b {
			t.Fatalf("%+v: Canonical not idempotent: %s then %s", p, a, b)
		}
		seen[c.String()] = true
	}
	forCrashes(p, func(cs []Crash) {
		forSubsets(rawParts, p.MaxPartitions, func(ps []Partition) {
			forSlots(p, slots, Schedule{Crashes: cs, Partitions: ps}, visit)
		})
	})
	keys := make([]string, 0, len(seen))
	for k := range seen {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// forCrashes calls f with every assignment of crash times (or none) to at
// most MaxCrashes nodes.
func forCrashes(p Params, f func([]Crash)) {
	var rec func(i int, cs []Crash)
	rec = func(i int, cs []Crash) {
		if i == len(p.Nodes) {
			f(slices.Clone(cs))
			return
		}
		rec(i+1, cs)
		if len(cs) < p.MaxCrashes {
			for tm := 1; tm <= p.EOT; tm++ {
				rec(i+1, append(cs, Crash{p.Nodes[i], tm}))
			}
		}
	}
	rec(0, nil)
}

// forSubsets calls f with every subset of xs of at most k elements.
func forSubsets[T any](xs []T, k int, f func([]T)) {
	var rec func(i int, cur []T)
	rec = func(i int, cur []T) {
		if i == len(xs) {
			f(slices.Clone(cur))
			return
		}
		rec(i+1, cur)
		if len(cur) < k {
			rec(i+1, append(cur, xs[i]))
		}
	}
	rec(0, nil)
}

// forSlots calls f with base plus, per message slot, every choice of
// omitted or not, delay 0..D and (with duplicates) duplicate 0..D, except
// the combinations ValidateSchedule always rejects.
func forSlots(p Params, slots []Omission, base Schedule, f func(Schedule)) {
	dups := 0
	if p.Duplicates {
		dups = p.MaxDelay
	}
	s := base
	var rec func(i int)
	rec = func(i int) {
		if i == len(slots) {
			f(s) // f only reads s; the lists are reused
			return
		}
		o := slots[i]
		no, nd, nu := len(s.Omissions), len(s.Delays), len(s.Duplicates)
		for _, omit := range []bool{false, true} {
			for d := 0; d <= p.MaxDelay; d++ {
				for u := 0; u <= dups; u++ {
					if omit && d+u > 0 || u > 0 && u == d {
						continue // invalid (TestValidateScheduleAsync): skipped for speed
					}
					s.Omissions, s.Delays, s.Duplicates = s.Omissions[:no], s.Delays[:nd], s.Duplicates[:nu]
					if omit {
						s.Omissions = append(s.Omissions, o)
					}
					if d > 0 {
						s.Delays = append(s.Delays, Delay{o.From, o.To, o.Time, d})
					}
					if u > 0 {
						s.Duplicates = append(s.Duplicates, Duplicate{o.From, o.To, o.Time, u})
					}
					rec(i + 1)
				}
			}
		}
		s.Omissions, s.Delays, s.Duplicates = s.Omissions[:no], s.Delays[:nd], s.Duplicates[:nu]
	}
	rec(0)
}
