package eval

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/ldfi/ldfi/fault"
	"pgregory.net/rapid"
)

// genAsyncParams returns bounds with some asynchrony faults enabled.
func genAsyncParams(rng *rand.Rand, eot int) fault.Params {
	p := genParams(rng, eot)
	p.EFF = 2 + rng.IntN(eot) // room for a late send time
	p.MaxDelay = 1 + rng.IntN(3)
	p.Duplicates = rng.IntN(2) == 0
	p.MaxPartitions = rng.IntN(3)
	return p
}

// genAsyncSchedule returns a random valid schedule of p with omissions,
// crashes, delays, duplicates and partitions. Delays and duplicates are
// mostly of the messages sent (the messages of a run without them), so
// that they matter; the rest are drawn at random. Faults the schedule does
// not accept (a second delay of a message, a duplicate with its delay's
// By, ...) are dropped.
func genAsyncSchedule(rng *rand.Rand, p fault.Params, sent []Message) fault.Schedule {
	s := genSchedule(rng, p)
	sent = slices.DeleteFunc(slices.Clone(sent), func(m Message) bool {
		return m.From == m.To || m.SendTime >= p.EFF || !p.HasNode(m.To)
	})
	slot := func() (string, string, int, bool) {
		if len(sent) > 0 && rng.IntN(4) > 0 {
			m := sent[rng.IntN(len(sent))]
			return m.From, m.To, m.SendTime, true
		}
		from, to := p.Nodes[rng.IntN(len(p.Nodes))], p.Nodes[rng.IntN(len(p.Nodes))]
		return from, to, 1 + rng.IntN(p.EFF-1), from != to
	}
	try := func(add func(*fault.Schedule)) {
		next := s
		next.Delays = slices.Clone(s.Delays)
		next.Duplicates = slices.Clone(s.Duplicates)
		next.Partitions = slices.Clone(s.Partitions)
		add(&next)
		if p.ValidateSchedule(next) == nil {
			s = next
		}
	}
	for range rng.IntN(6) {
		if from, to, t, ok := slot(); ok {
			by := 1 + rng.IntN(p.MaxDelay)
			try(func(n *fault.Schedule) { n.Delays = append(n.Delays, fault.Delay{From: from, To: to, Time: t, By: by}) })
		}
	}
	for range rng.IntN(4) {
		if from, to, t, ok := slot(); ok && p.Duplicates {
			by := 1 + rng.IntN(p.MaxDelay)
			try(func(n *fault.Schedule) {
				n.Duplicates = append(n.Duplicates, fault.Duplicate{From: from, To: to, Time: t, By: by})
			})
		}
	}
	for range rng.IntN(p.MaxPartitions + 1) {
		var g [2][]string
		for _, n := range p.Nodes {
			k := rng.IntN(2)
			g[k] = append(g[k], n)
		}
		lo := 1 + rng.IntN(p.EFF-1)
		hi := lo + rng.IntN(p.EFF-lo)
		try(func(n *fault.Schedule) {
			n.Partitions = append(n.Partitions, fault.Partition{Groups: g, From: lo, To: hi})
		})
	}
	return s
}

// TestDifferentialAsync compares the engine with the reference evaluator
// (which reads the fault model off the schedule its own way) on random
// programs under schedules with delays, duplicates and partitions, and
// re-checks every derivation against its rule and fault.Params.Delivers;
// a run without provenance gives the same result.
func TestDifferentialAsync(t *testing.T) {
	late, cut := 0, 0
	for seed := range propPrograms {
		rng := rand.New(rand.NewPCG(seed, 11))
		eot := 2 + rng.IntN(5)
		prog := genProgram(seed, genOpts{negation: true, aggs: true, crash: true, atTime: true, sends: true, eot: eot})
		e, err := New(prog)
		if err != nil {
			t.Fatalf("seed %d: New: %v", seed, err)
		}
		for range 3 {
			par := genAsyncParams(rng, eot)
			free, err := e.Run(context.Background(), par, fault.Schedule{}, Options{})
			if err != nil {
				t.Fatalf("seed %d: Run: %v", seed, err)
			}
			s := genAsyncSchedule(rng, par, free.Messages())
			res, err := e.Run(context.Background(), par, s, Options{Provenance: true})
			if err != nil {
				t.Fatalf("seed %d, schedule %s: Run: %v", seed, s, err)
			}
			if again, err := e.Run(context.Background(), par, s, Options{}); err != nil || resultJSON(t, again) != resultJSON(t, res) {
				t.Fatalf("seed %d, schedule %s: a run without provenance differs (err %v)", seed, s, err)
			}
			got, want := engineLines(res), refRun(prog, par, s).lines()
			if !slices.Equal(got, want) {
				t.Fatalf("seed %d, schedule %s: engine and reference differ:\n%s", seed, s, diffLines(want, got))
			}
			for id := range TupleID(res.NumTuples()) {
				for _, d := range res.Derivations(id) {
					if err := recheck(res, id, d); err != nil {
						t.Fatalf("seed %d, schedule %s: %s: %v", seed, s, res.Tuple(id), err)
					}
				}
			}
			for _, m := range res.Messages() {
				switch {
				case m.Status == LostPartition:
					cut++
				case m.Delay > 0 || m.Dup > 0:
					late++
				}
			}
		}
	}
	// The generator must exercise what the test is about.
	if late == 0 || cut == 0 {
		t.Fatalf("only %d late and %d partitioned messages over all runs", late, cut)
	}
	t.Logf("%d late and %d partitioned messages", late, cut)
}

// drawAsync draws bounds and a valid schedule for the nodes abc: faults
// are drawn freely and those the schedule does not accept are dropped.
func drawAsync(t *rapid.T) (fault.Params, fault.Schedule) {
	eot := rapid.IntRange(1, 6).Draw(t, "eot")
	p := fault.Params{Nodes: abc, EOT: eot, EFF: rapid.IntRange(1, eot+1).Draw(t, "eff"),
		MaxCrashes: rapid.IntRange(0, 1).Draw(t, "maxCrashes"), MaxDelay: rapid.IntRange(0, 3).Draw(t, "maxDelay"),
		MaxPartitions: rapid.IntRange(0, 2).Draw(t, "maxPartitions")}
	p.Duplicates = p.MaxDelay > 0 && rapid.Bool().Draw(t, "dups")
	node := rapid.SampledFrom(abc)
	tm := rapid.IntRange(1, max(1, p.EFF))
	by := rapid.IntRange(1, max(1, p.MaxDelay))
	var s fault.Schedule
	keep := func(n fault.Schedule) {
		if p.ValidateSchedule(n) == nil {
			s = n
		}
	}
	for range rapid.IntRange(0, 8).Draw(t, "faults") {
		n := s
		n.Omissions, n.Crashes = slices.Clone(s.Omissions), slices.Clone(s.Crashes)
		n.Delays, n.Duplicates, n.Partitions = slices.Clone(s.Delays), slices.Clone(s.Duplicates), slices.Clone(s.Partitions)
		from, to, at := node.Draw(t, "from"), node.Draw(t, "to"), tm.Draw(t, "time")
		switch rapid.IntRange(0, 4).Draw(t, "kind") {
		case 0:
			n.Omissions = append(n.Omissions, fault.Omission{From: from, To: to, Time: at})
		case 1:
			n.Crashes = append(n.Crashes, fault.Crash{Node: from, Time: at})
		case 2:
			n.Delays = append(n.Delays, fault.Delay{From: from, To: to, Time: at, By: by.Draw(t, "by")})
		case 3:
			n.Duplicates = append(n.Duplicates, fault.Duplicate{From: from, To: to, Time: at, By: by.Draw(t, "by")})
		case 4:
			var g [2][]string
			for _, x := range abc {
				k := rapid.IntRange(0, 1).Draw(t, "side")
				g[k] = append(g[k], x)
			}
			n.Partitions = append(n.Partitions, fault.Partition{Groups: g, From: at, To: at + rapid.IntRange(0, 2).Draw(t, "len")})
		}
		keep(n)
	}
	return p, s
}

// TestFateAgrees: under random schedules, every message of a broadcast
// program arrives exactly when fault.Params.Fate says (its arrivals within
// EOT), the receiver's tuple holds exactly at those times, and the
// Message reports the same fate.
func TestFateAgrees(t *testing.T) {
	e := loadAsync(t, "bcast.ded")
	rapid.Check(t, func(t *rapid.T) {
		p, s := drawAsync(t)
		res, err := e.Run(context.Background(), p, s, Options{})
		if err != nil {
			t.Fatalf("Run(%s): %v", s, err)
		}
		msgs := map[[3]string]Message{}
		for _, m := range res.Messages() {
			msgs[[3]string{m.From, m.To, strconv.Itoa(m.SendTime)}] = m
		}
		for _, from := range abc {
			for _, to := range abc {
				for sent := 1; sent <= p.EOT; sent++ {
					checkFate(t, res, p, s, from, to, sent, msgs[[3]string{from, to, strconv.Itoa(sent)}])
				}
			}
		}
	})
}

func checkFate(t *rapid.T, res *Result, p fault.Params, s fault.Schedule, from, to string, sent int, m Message) {
	f := p.Fate(s, from, to, sent)
	var want []int
	for _, at := range f.Arrivals(sent) {
		if at <= p.EOT {
			want = append(want, at)
		}
	}
	var got []int
	for at := 1; at <= p.EOT; at++ {
		if _, ok := res.Find("got", at, sv(to), sv(from), iv(int64(sent))); ok {
			got = append(got, at)
		}
	}
	where := fmt.Sprintf("%s: %s->%s sent@%d (fate %+v)", s, from, to, sent, f)
	if !slices.Equal(got, want) {
		t.Fatalf("%s: got holds at %v, want %v", where, got, want)
	}
	status := map[fault.Cause]MessageStatus{fault.Crashed: LostCrash, fault.Omitted: LostOmission, fault.Partitioned: LostPartition}[f.Cause]
	if f.Cause == fault.Kept && len(want) == 0 {
		status = AfterEOT
	}
	if m.Status != status || !slices.Equal(m.Arrivals(), f.Arrivals(sent)) {
		t.Fatalf("%s: message %s", where, m)
	}
	if cf := p.Fate(res.Schedule(), from, to, sent); m.Delay != cf.Delay || m.Dup != cf.Dup {
		t.Fatalf("%s: message %s, canonical fate %+v", where, m, cf)
	}
}
