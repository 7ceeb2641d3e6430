package symbolic

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
)

// diffOutcome is what one differential comparison saw.
type diffOutcome struct {
	loaded    bool
	violated  bool  // the common verdict
	faults    int   // faults of the fewest-fault violation
	schedules int64 // fault.Count of the bounds
	runs      int   // schedules exhaustive enumeration ran
	preTuples int   // pre tuples at EOT that can hold in some schedule
	// overflow: the exact check gave up on an integer overflow and the
	// evaluator overflows in some run too (both refuse, neither wraps).
	overflow bool
	// tooLarge: the exact check gave up on the size or the time of the
	// formula and the evaluator hits its tuple limit in some run.
	tooLarge bool
	// want is exhaustive enumeration's first fewest-fault violation.
	want fault.Schedule
}

// firstViolation runs every schedule of p, smallest first, and returns the
// first that violates the invariant (so one with the fewest faults) and the
// number of runs.
func firstViolation(eng *eval.Engine, p fault.Params, limit int, opts ...eval.Options) (fault.Schedule, bool, int, error) {
	var o eval.Options
	if len(opts) > 0 {
		o = opts[0]
	}
	n := 0
	for s := range fault.Enumerate(p) {
		n++
		if n > limit {
			return fault.Schedule{}, false, n, fmt.Errorf("more than %d schedules", limit)
		}
		r, err := eng.Run(context.Background(), p, s, o)
		if err != nil {
			return fault.Schedule{}, false, n, fmt.Errorf("run %s: %w", s, err)
		}
		if !r.OK() {
			return s, true, n, nil
		}
	}
	return fault.Schedule{}, false, n, nil
}

// replayViolates replays s and reports whether it breaks the invariant.
func replayViolates(eng *eval.Engine, p fault.Params, s fault.Schedule) (bool, error) {
	if err := p.ValidateSchedule(s); err != nil {
		return false, fmt.Errorf("model %s is not a valid schedule: %w", s, err)
	}
	r, err := eng.Run(context.Background(), p, s, eval.Options{})
	if err != nil {
		return false, fmt.Errorf("replay %s: %w", s, err)
	}
	return !r.OK(), nil
}

// compareExact checks the exact verdict of prog at p against exhaustive
// enumeration: the same verdict, a model that replays as a violation, and
// as few faults as the smallest violating schedule. A non-nil error is a
// disagreement (or a failure of either side).
func compareExact(prog *dedalus.Program, p fault.Params, limit int) (diffOutcome, error) {
	out := diffOutcome{loaded: true, schedules: fault.Count(p).Int64()}
	ctx, cancel := context.WithTimeout(context.Background(), exactTimeout)
	res, err := Check(ctx, prog, p, Options{})
	cancel()
	if want := refusal(err); want != nil {
		// Inconclusive, honestly. The evaluator must refuse such a program
		// too, in some run.
		eng, nerr := eval.New(prog)
		if nerr != nil {
			return out, nerr
		}
		if _, _, _, rerr := firstViolation(eng, p, limit); !errors.Is(rerr, want) {
			return out, fmt.Errorf("exact check: %w; exhaustive enumeration did not refuse with %q (%v)", err, want, rerr)
		}
		out.overflow, out.tooLarge = want == eval.ErrOverflow, want == eval.ErrTupleLimit
		return out, nil
	}
	if err != nil {
		return out, fmt.Errorf("exact check: %w", err)
	}
	out.preTuples = res.Stats.PreTuples
	eng, err := eval.New(prog)
	if err != nil {
		return out, fmt.Errorf("eval.New: %w", err)
	}
	want, bad, runs, err := firstViolation(eng, p, limit)
	out.runs = runs
	if err != nil {
		return out, fmt.Errorf("exhaustive: %w", err)
	}
	if res.Violated != bad {
		if bad {
			return out, fmt.Errorf("DISAGREEMENT: exact certifies, exhaustive finds %s", want)
		}
		return out, fmt.Errorf("DISAGREEMENT: exact finds %s, exhaustive certifies (%d schedules)", res.Schedule, runs)
	}
	out.violated = bad
	if !bad {
		if int64(runs) != out.schedules {
			// A certificate is only as good as the enumeration it is
			// compared with.
			return out, fmt.Errorf("fault.Enumerate yielded %d schedules, fault.Count says %d", runs, out.schedules)
		}
		return out, nil
	}
	ok, err := replayViolates(eng, p, res.Schedule)
	if err != nil {
		return out, err
	}
	if !ok {
		return out, fmt.Errorf("exact model %s does not replay as a violation (exhaustive: %s)", res.Schedule, want)
	}
	out.faults = want.Size()
	out.want = want
	if res.Schedule.Size() != want.Size() {
		return out, fmt.Errorf("exact model %s has %d faults, exhaustive's first violation %s has %d", res.Schedule, res.Schedule.Size(), want, want.Size())
	}
	return out, nil
}

// exactTimeout bounds one exact check of the differential. Generated
// programs take milliseconds, except a runaway recursion within a timestep
// (X + 1 feeding X): grounding it one tuple per round takes far longer
// than the evaluator needs to hit its tuple limit.
const exactTimeout = 30 * time.Second

// refusal is the error the evaluator must share when the exact check
// gives up: eval.ErrOverflow for an integer overflow (a doubling recursion
// within a timestep), eval.ErrTupleLimit for a formula over the size
// limit or the time limit (a runaway recursion); nil when err is not a
// refusal.
func refusal(err error) error {
	switch {
	case errors.Is(err, ErrUnsupported) && strings.Contains(err.Error(), "integer overflow"):
		return eval.ErrOverflow
	case errors.Is(err, ErrTooLarge), errors.Is(err, context.DeadlineExceeded):
		return eval.ErrTupleLimit
	}
	return nil
}

// genStats tallies a differential run.
type genStats struct {
	mu           sync.Mutex
	programs     int
	notLoaded    int
	violated     int
	zeroFault    int // violated without any fault
	certified    int
	certNoFaults int // certified at bounds that admit no fault
	certNoPre    int // certified because pre can never hold
	overflow     int // both sides refuse: integer overflow
	tooLarge     int // both sides refuse: size (or time) limits
	// violated with a delay, a duplicate, a partition in exhaustive
	// enumeration's first fewest-fault violation
	withDelay, withDup, withPartition int
	runs                              int64
	failures                          []string
	firstLoadErrs                     []string
}

func (s *genStats) add(c genCase, o diffOutcome, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.programs++
	if err != nil {
		s.failures = append(s.failures, fmt.Sprintf("%v\n%s", err, c))
		return
	}
	if !o.loaded {
		s.notLoaded++
		return
	}
	s.runs += int64(o.runs)
	switch {
	case o.overflow:
		s.overflow++
	case o.tooLarge:
		s.tooLarge++
	case o.violated:
		s.violated++
		if o.faults == 0 {
			s.zeroFault++
		}
		s.withDelay += min(len(o.want.Delays), 1)
		s.withDup += min(len(o.want.Duplicates), 1)
		s.withPartition += min(len(o.want.Partitions), 1)
	default:
		s.certified++
		if o.schedules == 1 {
			s.certNoFaults++
		}
		if o.preTuples == 0 {
			s.certNoPre++
		}
	}
}

func (s *genStats) String() string {
	loaded := s.programs - s.notLoaded - len(s.failures)
	async := ""
	if s.withDelay+s.withDup+s.withPartition > 0 {
		async = fmt.Sprintf("; the first fewest-fault one with a delay %d, a duplicate %d, a partition %d", s.withDelay, s.withDup, s.withPartition)
	}
	return fmt.Sprintf("%d programs (%d did not load, %d failures); of %d checked: %d violated (%d with no fault%s), %d certified (%d at bounds without faults, %d with pre never holding), %d refused by both for integer overflow, %d for size; %d exhaustive runs",
		s.programs, s.notLoaded, len(s.failures), loaded, s.violated, s.zeroFault, async, s.certified, s.certNoFaults, s.certNoPre, s.overflow, s.tooLarge, s.runs)
}

// runGenerated compares the exact check with exhaustive enumeration on the
// generated programs of seeds [from, from+n), on all cores, until deadline
// (zero: none). It returns the tally.
func runGenerated(t *testing.T, from uint64, n int, limit int64, deadline time.Time) *genStats {
	return runGeneratedCases(t, from, n, limit, deadline, false)
}

// runGeneratedCases is runGenerated for either generator variant (async:
// asynchrony bounds and steps).
func runGeneratedCases(t *testing.T, from uint64, n int, limit int64, deadline time.Time, async bool) *genStats {
	st := &genStats{}
	var next atomic.Uint64
	next.Store(from)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				seed := next.Add(1) - 1
				if seed >= from+uint64(n) || (!deadline.IsZero() && time.Now().After(deadline)) {
					return
				}
				c := genCaseOf(seed, limit, async)
				prog, err := dedalus.LoadSource(fmt.Sprintf("gen%d.ded", seed), c.src)
				if err != nil {
					st.mu.Lock()
					if len(st.firstLoadErrs) < 3 {
						st.firstLoadErrs = append(st.firstLoadErrs, fmt.Sprintf("%v\n%s", err, c.src))
					}
					st.mu.Unlock()
					st.add(c, diffOutcome{}, nil)
					continue
				}
				o, err := compareExact(prog, c.params, int(limit))
				st.add(c, o, err)
			}
		}()
	}
	wg.Wait()
	for _, f := range st.failures {
		t.Errorf("%s", f)
	}
	for _, e := range st.firstLoadErrs {
		t.Logf("a generated program that does not load: %s", e)
	}
	return st
}

// checkMix asserts that the generator is doing its job: most programs load
// and both verdicts occur often.
func checkMix(t *testing.T, st *genStats) {
	t.Helper()
	t.Log(st)
	checked := st.violated + st.certified
	if st.programs == 0 || checked == 0 {
		t.Fatal("no program checked")
	}
	if loaded := float64(st.programs-st.notLoaded) / float64(st.programs); loaded < 0.8 {
		t.Errorf("only %.0f%% of the generated programs load", 100*loaded)
	}
	if v := float64(st.violated) / float64(checked); v < 0.2 || v > 0.8 {
		t.Errorf("verdict mix: %.0f%% violated; want both verdicts at least 20%%", 100*v)
	}
	if nf := float64(st.violated-st.zeroFault) / float64(checked); nf < 0.1 {
		t.Errorf("only %.0f%% violated with at least one fault", 100*nf)
	}
	if nt := float64(st.certified-st.certNoFaults-st.certNoPre) / float64(checked); nt < 0.1 {
		t.Errorf("only %.0f%% certified at bounds with faults and a pre that can hold", 100*nt)
	}
}

// TestGeneratedAgreeWithExhaustive compares the exact check with
// exhaustive enumeration on 320 generated protocols (seeds 1-320; -short:
// 100) at bounds of at most 5,000 schedules: same verdict, models that
// replay, fewest faults. It also asserts the generator's mix: most
// programs load, and both verdicts occur often, with faults.
func TestGeneratedAgreeWithExhaustive(t *testing.T) {
	n := 320
	if testing.Short() {
		n = 100
	}
	st := runGenerated(t, 1, n, 5000, time.Time{})
	checkMix(t, st)
}

// TestGeneratedAgreeWithExhaustiveLong is the long run: LDFI_LONG=N checks
// N programs (LDFI_LONG=1: 20,000) from seed LDFI_SEED (default 1,000,000),
// stopping at LDFI_LONG_TIME (a duration, default 10m). A failure prints
// the seed; TestGeneratedSeed re-checks one seed.
func TestGeneratedAgreeWithExhaustiveLong(t *testing.T) {
	env := os.Getenv("LDFI_LONG")
	if env == "" {
		t.Skip("set LDFI_LONG=1 (or a program count) for the long differential run")
	}
	n, err := strconv.Atoi(env)
	if err != nil || n <= 1 {
		n = 20000
	}
	from, d := longSeedAndTime(t)
	start := time.Now()
	st := runGenerated(t, from, n, 5000, start.Add(d))
	t.Logf("seeds from %d, %s", from, time.Since(start).Round(time.Second))
	checkMix(t, st)
}

// longSeedAndTime reads the long runs' first seed (LDFI_SEED, default
// 1,000,000) and time limit (LDFI_LONG_TIME, default 10m).
func longSeedAndTime(t *testing.T) (uint64, time.Duration) {
	from := uint64(1_000_000)
	if s := os.Getenv("LDFI_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		from = v
	}
	d := 10 * time.Minute
	if s := os.Getenv("LDFI_LONG_TIME"); s != "" {
		var err error
		if d, err = time.ParseDuration(s); err != nil {
			t.Fatal(err)
		}
	}
	return from, d
}

// TestGeneratedSeed re-checks one generated program: LDFI_SEED=N go test
// -run TestGeneratedSeed -v prints it and both verdicts (LDFI_ASYNC=1:
// the program of the asynchrony variant).
func TestGeneratedSeed(t *testing.T) {
	s := os.Getenv("LDFI_SEED")
	if s == "" || os.Getenv("LDFI_LONG") != "" {
		t.Skip("set LDFI_SEED to re-check one generated program")
	}
	seed, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	c := genCaseOf(seed, 5000, os.Getenv("LDFI_ASYNC") != "")
	t.Logf("%s", c)
	prog, err := dedalus.LoadSource("gen.ded", c.src)
	if err != nil {
		t.Fatal(err)
	}
	o, err := compareExact(prog, c.params, 5000)
	t.Logf("%+v", o)
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
}
