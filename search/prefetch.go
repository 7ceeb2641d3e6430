package search

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
)

// execution is what one run tells the search.
type execution struct {
	// violations are the outcomes whose post is missing (see Violations).
	violations []Outcome
	// good are the good outcomes of the run (see GoodOutcomes).
	good []Outcome
	// present holds the post tuples of the good outcomes, keyed by their
	// atom text.
	present map[string]eval.Tuple
	// ids are the tuple IDs of the present outcomes in result.
	ids map[string]eval.TupleID
	// preIDs are the IDs of the pre tuples of the present outcomes.
	preIDs []eval.TupleID
	// result is the run, kept until the search has learned from it (nil
	// when provenance was not recorded).
	result *eval.Result
	// target is a Target's run with its lineage, in place of result
	// (target.go).
	target *TargetRun
}

// hasPre reports whether the run has a pre tuple at EOT: each one is a good
// outcome (its post holds) or a violation (it does not).
func (e *execution) hasPre() bool { return len(e.good)+len(e.violations) > 0 }

// executor runs one schedule. It must be safe for concurrent use. A run
// that the search's context stops returns an error wrapping ctx.Err().
type executor func(s fault.Schedule, provenance bool) (*execution, error)

// stopped reports whether err is the search's context stopping a run or a
// solver call (rather than a failure): the search then ends like at a time
// limit.
func stopped(ctx context.Context, err error) bool {
	return err != nil && ctx.Err() != nil && errors.Is(err, ctx.Err())
}

// future is a run started, possibly ahead of its turn.
type future struct {
	done chan struct{}
	res  *execution
	err  error
	dur  time.Duration
}

// prefetcher runs schedules on up to n workers ahead of the sequential
// search, which consumes results strictly in its own order; so parallelism
// changes wall time only. Results whose turn never comes are discarded.
type prefetcher struct {
	exec    executor
	prov    bool
	n       int
	sem     chan struct{}
	mu      sync.Mutex
	futures map[string]*future
	wasted  int
	evalDur time.Duration
}

func newPrefetcher(exec executor, provenance bool, parallel int) *prefetcher {
	if parallel < 1 {
		parallel = 1
	}
	return &prefetcher{exec: exec, prov: provenance, n: parallel,
		sem: make(chan struct{}, parallel), futures: map[string]*future{}}
}

// start begins running s in the background unless already started. With one
// worker it does nothing: get runs the schedule in place.
func (p *prefetcher) start(s fault.Schedule) {
	if p.n <= 1 {
		return
	}
	key := s.String()
	p.mu.Lock()
	defer p.mu.Unlock()
	if _, ok := p.futures[key]; ok {
		return
	}
	f := &future{done: make(chan struct{})}
	p.futures[key] = f
	go func() {
		p.sem <- struct{}{}
		t0 := time.Now()
		f.res, f.err = p.exec(s, p.prov)
		f.dur = time.Since(t0)
		<-p.sem
		close(f.done)
	}()
}

// get returns the result of s, running it now if it was not started.
func (p *prefetcher) get(s fault.Schedule) (*execution, error) {
	key := s.String()
	p.mu.Lock()
	f, ok := p.futures[key]
	delete(p.futures, key)
	p.mu.Unlock()
	if !ok {
		t0 := time.Now()
		res, err := p.exec(s, p.prov)
		p.evalDur += time.Since(t0)
		return res, err
	}
	<-f.done
	p.evalDur += f.dur
	return f.res, f.err
}

// discard forgets a started run whose turn will not come.
func (p *prefetcher) discard(s fault.Schedule) {
	key := s.String()
	p.mu.Lock()
	if _, ok := p.futures[key]; ok {
		delete(p.futures, key)
		p.wasted++
	}
	p.mu.Unlock()
}

// busy reports how many runs are started and not yet consumed.
func (p *prefetcher) pending() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.futures)
}
