package search

import (
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
	// exhausts reports whether reaching the end of the sequence certifies.
	exhausts bool
}

func (s *baselineSearch) run() error {
	tried := map[string]bool{}
	var window []fault.Schedule // drawn ahead for prefetching, in order
	pull := func() (fault.Schedule, bool) {
		for {
			sc, ok := s.nextSched()
			if !ok {
				return sc, false
			}
			if s.sym.Active() {
				key := s.sym.Canonical(sc).String()
				if tried[key] {
					s.res.Stats.Symmetric++
					continue
				}
				tried[key] = true
			}
			return sc, true
		}
	}
	ended := false
	fill := func() {
		for !ended && len(window) < max(1, s.pf.n*16) {
			sc, ok := pull()
			if !ok {
				ended = true
				return
			}
			window = append(window, sc)
			s.pf.start(sc)
		}
	}
	for {
		if reason, hit := s.limit(); hit {
			s.res.Verdict, s.res.Reason = Inconclusive, reason
			if len(s.res.Counterexamples) > 0 {
				s.res.Verdict = Counterexample
			}
			return nil
		}
		fill()
		if len(window) == 0 {
			break
		}
		sc := window[0]
		window = window[1:]
		e, err := s.pf.get(sc)
		if err != nil {
			return err
		}
		s.res.Executions++
		s.res.Runs = append(s.res.Runs, Run{Index: s.res.Executions, Schedule: sc.Canonical(), Violations: e.violations})
		if len(e.violations) > 0 {
			if err := confirm(s.exec, sc, e.violations); err != nil {
				return err
			}
			s.res.Counterexamples = append(s.res.Counterexamples, CounterexampleRun{Run: s.res.Executions, Schedule: sc.Canonical(), Violations: e.violations})
			s.res.Verdict = Counterexample
			if !s.cfg.All {
				for _, w := range window {
					s.pf.discard(w)
				}
				return nil
			}
		}
		if s.cfg.Progress != nil {
			s.cfg.Progress(Progress{Executions: s.res.Executions, Elapsed: time.Since(s.start)})
		}
	}
	switch {
	case len(s.res.Counterexamples) > 0:
		s.res.Verdict = Counterexample
	case s.exhausts:
		s.res.Verdict = Certified
	default:
		s.res.Verdict = Inconclusive
		s.res.Reason = "the random sequence ended without a counterexample"
	}
	return nil
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
