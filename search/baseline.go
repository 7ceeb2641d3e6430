package search

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/ldfi/ldfi/fault"
)

// baselineSearch runs a fixed sequence of schedules (random draws or the
// exhaustive enumeration) until the first counterexample (or, with All, to
// the end), on the same evaluator as LDFI and without provenance.
type baselineSearch struct {
	cfg   *Config
	exec  executor
	sym   *Symmetry
	pf    *prefetcher
	res   *Result
	start time.Time
	limit func() (string, bool)
	// nextSched yields the next schedule, or false at the end of the space.
	nextSched func() (fault.Schedule, bool)
	// sawPre is set once a run has a pre tuple at EOT.
	sawPre bool
	// exhausts reports whether reaching the end of the sequence certifies.
	exhausts bool
	// drawnOut is set when random draws have covered every schedule up to
	// symmetry: the search then ends as the exhaustive one would.
	drawnOut bool
}

// pullStatus says how pulling the next schedule went.
type pullStatus int

const (
	pulled    pullStatus = iota // a schedule not run yet (up to symmetry)
	spaceEnd                    // the sequence ended, or drew out the space
	limitStop                   // a limit was reached while drawing repeats
)

// draws is the sequence of schedules a baseline search runs, drawn ahead
// into a window so that the prefetcher can run them in parallel.
type draws struct {
	s      *baselineSearch
	tried  map[string]bool
	orbits int              // schedules up to symmetry, counted at the first repeat (0: too many to matter)
	window []fault.Schedule // drawn ahead for prefetching, in order
	ended  bool             // the sequence has no more schedules
}

// pull draws the next schedule to run, skipping repeats up to symmetry.
func (d *draws) pull() (fault.Schedule, pullStatus) {
	s := d.s
	for {
		sc, ok := s.nextSched()
		if !ok {
			return sc, spaceEnd
		}
		if !s.sym.Active() {
			return sc, pulled // drawn with replacement: a repeat runs again
		}
		key := s.sym.Canonical(sc).String()
		if !d.tried[key] {
			d.tried[key] = true
			return sc, pulled
		}
		// A repeat: not an execution, so this loop checks the limits
		// itself, and ends once every class has been drawn.
		s.res.Stats.Symmetric++
		if _, hit := s.limit(); hit {
			return sc, limitStop
		}
		if s.exhausts {
			continue // the enumeration ends by itself: no orbits to count
		}
		if d.orbits < 0 {
			d.orbits = s.countOrbits()
		}
		if d.orbits > 0 && len(d.tried) >= d.orbits {
			s.drawnOut = true
			return sc, spaceEnd
		}
	}
}

// fill tops the window up and starts the new schedules' runs.
func (d *draws) fill() {
	for !d.ended && len(d.window) < max(1, d.s.pf.n*16) {
		sc, st := d.pull()
		switch st {
		case spaceEnd:
			d.ended = true
			return
		case limitStop:
			return // the main loop reports the limit
		}
		d.window = append(d.window, sc)
		d.s.pf.start(sc)
	}
}

// discard drops the schedules drawn ahead.
func (d *draws) discard() {
	for _, w := range d.window {
		d.s.pf.discard(w)
	}
	d.window = nil
}

func (s *baselineSearch) run() error {
	d := &draws{s: s, tried: map[string]bool{}, orbits: -1}
	for {
		if reason, hit := s.limit(); hit {
			// A space that ends exactly at the run limit was run whole.
			if len(d.window) == 0 && !d.ended {
				d.fill()
			}
			if len(d.window) == 0 && d.ended {
				break
			}
			s.res.Verdict, s.res.Reason = Inconclusive, reason
			if len(s.res.Counterexamples) > 0 {
				s.res.Verdict = Counterexample
			}
			d.discard()
			return nil
		}
		d.fill()
		if len(d.window) == 0 {
			if !d.ended {
				continue // a limit stopped the draws: reported above
			}
			break
		}
		sc := d.window[0]
		d.window = d.window[1:]
		done, err := s.runOne(sc)
		if err != nil {
			return err
		}
		if done {
			d.discard()
			return nil
		}
	}
	if s.drawnOut {
		s.res.Notes = append(s.res.Notes, fmt.Sprintf("the random draws covered all %d schedules up to symmetry, as an exhaustive search would", d.orbits))
	}
	switch {
	case len(s.res.Counterexamples) > 0:
		s.res.Verdict = Counterexample
	case s.exhausts || s.drawnOut:
		s.res.Verdict = Certified
	default:
		s.res.Verdict = Inconclusive
		s.res.Reason = "the random sequence ended without a counterexample"
	}
	return nil
}

// runOne records the run of sc (started by the prefetcher); done reports
// that the search ends with it (a counterexample, unless All).
func (s *baselineSearch) runOne(sc fault.Schedule) (done bool, err error) {
	e, err := s.pf.get(sc)
	if err != nil {
		return false, err
	}
	s.res.Executions++
	s.res.Runs = append(s.res.Runs, Run{Index: s.res.Executions, Schedule: sc.Canonical(), Violations: e.violations})
	s.sawPre = s.sawPre || e.hasPre()
	if len(e.violations) > 0 {
		if err := confirm(s.exec, sc, e.violations); err != nil {
			return false, err
		}
		s.res.Counterexamples = append(s.res.Counterexamples, CounterexampleRun{Run: s.res.Executions, Schedule: sc.Canonical(), Violations: e.violations})
		s.res.Verdict = Counterexample
		if !s.cfg.All {
			return true, nil
		}
	}
	if s.cfg.Progress != nil {
		s.cfg.Progress(Progress{Executions: s.res.Executions, Counterexamples: len(s.res.Counterexamples), Elapsed: time.Since(s.start)})
	}
	return false, nil
}

// countOrbits returns the number of schedules of the space up to symmetry,
// or 0 when there are more than the run limit (the draws then never cover
// the space: the run limit comes first). It stops early, returning 0, when
// a limit is reached while counting.
func (s *baselineSearch) countOrbits() int {
	group := big.NewInt(int64(len(s.sym.Perms()) + 1))
	limit := bigInt(s.cfg.maxRuns())
	if fault.Count(s.cfg.Params).Cmp(limit.Mul(limit, group)) > 0 {
		return 0 // at least Count/|group| classes, more than the run limit
	}
	seen := map[string]bool{}
	i := 0
	for sc := range fault.Enumerate(s.cfg.Params) {
		if i++; i%4096 == 0 {
			if _, hit := s.limit(); hit {
				return 0
			}
		}
		seen[s.sym.Canonical(sc).String()] = true
	}
	return len(seen)
}

// randomSchedules draws schedules uniformly within the bounds: a crash count
// uniform in 0..MaxCrashes, distinct crashing nodes, crash times uniform in
// 1..EOT, and each possible omission (from != to, 1 <= t < EFF) independently
// with probability 1/2 (every omission subset equally likely).
func randomSchedules(p fault.Params, seed int64) func() (fault.Schedule, bool) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6c646669))
	nodes := slices.Clone(p.Nodes)
	slices.Sort(nodes)
	return func() (fault.Schedule, bool) {
		var s fault.Schedule
		k := rng.IntN(p.MaxCrashes + 1)
		perm := rng.Perm(len(nodes))
		for _, i := range perm[:k] {
			s.Crashes = append(s.Crashes, fault.Crash{Node: nodes[i], Time: 1 + rng.IntN(p.EOT)})
		}
		if p.Async() {
			randomAsync(p, rng, nodes, &s)
			return s.Canonical(), true
		}
		for t := 1; t < p.EFF; t++ {
			for _, from := range nodes {
				for _, to := range nodes {
					if from != to && rng.IntN(2) == 0 {
						s.Omissions = append(s.Omissions, fault.Omission{From: from, To: to, Time: t})
					}
				}
			}
		}
		return s.Canonical(), true
	}
}
