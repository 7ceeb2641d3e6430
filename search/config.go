package search

import (
	"fmt"
	"time"

	"github.com/ldfi/ldfi/fault"
)

// Strategy names a way to explore the fault space.
type Strategy string

const (
	// LDFI is lineage-driven fault injection: hypotheses from the lineage
	// of good outcomes, smallest first.
	LDFI Strategy = "ldfi"
	// Random draws schedules uniformly within the bounds, from a seed.
	Random Strategy = "random"
	// Exhaustive runs every schedule of the model, smallest first.
	Exhaustive Strategy = "exhaustive"
	// Exact asks the symbolic stage once: the boolean lineage of every
	// schedule, compiled to SAT. Its executions are the replays of the model.
	Exact Strategy = "exact"
)

// DefaultMaxRuns bounds a search when Config.MaxRuns is zero.
const DefaultMaxRuns = 10000

// Config configures one search.
type Config struct {
	Params   fault.Params
	Strategy Strategy
	// MaxRuns bounds the number of executions (0: DefaultMaxRuns). Reaching
	// it gives an inconclusive verdict; the exhaustive strategy refuses to
	// start when the space is larger.
	MaxRuns int
	// Timeout bounds the wall time (0: none). Reaching it gives an
	// inconclusive verdict (the only source of nondeterminism, by nature).
	Timeout time.Duration
	// Seed drives the random strategy.
	Seed int64
	// All keeps searching after the first counterexample and reports every
	// minimal counterexample found.
	All bool
	// Parallel is the number of executions run at once (0 or 1:
	// sequential). It changes wall time only, never the result.
	Parallel int
	// NegativeSupport adds, to derivations that relied on an absent tuple,
	// the lineage of what suppressed it as further ways to cut them.
	NegativeSupport bool
	// Symmetry runs one schedule per class of schedules that are equal up
	// to a permutation of interchangeable nodes.
	Symmetry bool
	// Confirm runs the exact check before the LDFI strategy certifies even
	// a program monotone in the faults (where the lineage certificate is
	// already exact). Programs with negation, aggregation or crash reads
	// are always confirmed.
	Confirm bool
	// ExactAfter hands the LDFI loop over to the exact check once this many
	// executions have found no counterexample (0: DefaultExactAfter; -1:
	// never): on protocols whose lineage keeps growing, one SAT question
	// over every schedule is cheaper than more hypotheses.
	ExactAfter int
	// MaxInstances bounds the exact check's ground rule instances (0:
	// symbolic.DefaultMaxInstances); above it the verdict is inconclusive.
	MaxInstances int
	// Progress, when set, is called after each execution (for a terminal
	// progress line). It must not block for long.
	Progress func(Progress)
}

// Progress is a snapshot of a running search.
type Progress struct {
	Executions      int
	Queued          int // hypotheses pending (LDFI)
	Counterexamples int // found so far
	Elapsed         time.Duration
}

// DefaultExactAfter is Config.ExactAfter's default: above every execution
// count of the bench's certified rows (at most 75), so the loop's own
// figures stay comparable with Molly's.
const DefaultExactAfter = 100

func (c *Config) exactAfter() int {
	switch {
	case c.ExactAfter < 0:
		return 0
	case c.ExactAfter == 0:
		return DefaultExactAfter
	}
	return c.ExactAfter
}

func (c *Config) maxRuns() int {
	if c.MaxRuns > 0 {
		return c.MaxRuns
	}
	return DefaultMaxRuns
}

func (c *Config) validate() error {
	if err := c.Params.Validate(); err != nil {
		return err
	}
	switch c.Strategy {
	case LDFI, Exact, Random, Exhaustive:
	case "":
		c.Strategy = LDFI
	default:
		return fmt.Errorf("unknown strategy %q (want ldfi, exact, random or exhaustive)", c.Strategy)
	}
	if c.MaxRuns < 0 {
		return fmt.Errorf("max runs must not be negative, got %d", c.MaxRuns)
	}
	if c.Timeout < 0 {
		return fmt.Errorf("timeout must not be negative, got %s", c.Timeout)
	}
	if c.MaxInstances < 0 {
		return fmt.Errorf("the instance limit must not be negative, got %d", c.MaxInstances)
	}
	if c.Parallel < 0 {
		return fmt.Errorf("parallelism must not be negative, got %d", c.Parallel)
	}
	return nil
}
