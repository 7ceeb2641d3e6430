// Package ldfitest checks Go protocols (sim clusters) from go test:
//
//	func TestBroadcast(t *testing.T) {
//		ldfitest.Check(t, broadcast.Cluster(), ldfitest.Bounds{EOT: 4, EFF: 2, Symmetry: true})
//	}
//
// Check runs ldfi's search on the cluster and fails the test on a
// counterexample with its minimal schedule, the text spacetime of the
// failing run, and the command that replays it:
//
//	go test ./examples/go/broadcast -run '^TestBroadcast$' -ldfi.replay='omit(a->b@1)'
//
// With -ldfi.replay the search is skipped: Check runs that one schedule,
// prints its spacetime and transcript, and fails if it violates the
// invariant. With -ldfi.out DIR it writes, per call, DIR/<test name>/ with
// report.txt, runs.json (the summary ldfi check --format json prints) and a
// small index.html. Tests that expect a bug call Search and Replay instead,
// which return the report and the run rather than failing.
package ldfitest

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/search"
	"github.com/ldfi/ldfi/sim"
)

var (
	replayFlag = flag.String("ldfi.replay", "", "run only this fault schedule (as printed, e.g. 'omit(a->b@1) crash(C@2)') instead of searching")
	outFlag    = flag.String("ldfi.out", "", "write each check's report (report.txt, runs.json, index.html) under this directory")
)

// Bounds are the bounds of a check and how to search: the fault space
// (fault.Params without the nodes, which are the cluster's) and the
// search's options (search.Config).
type Bounds struct {
	EOT, EFF, Crashes int
	// The asynchrony faults (see fault.Params): all off when zero.
	MaxDelay         int
	Duplicates       bool
	Partitions       int
	MaxOmissions     int
	OmissionsBounded bool
	// Strategy is search.LDFI (default), search.Random or search.Exhaustive.
	Strategy search.Strategy
	MaxRuns  int
	Seed     int64
	// Symmetry uses the cluster's declared interchangeable nodes.
	Symmetry bool
	All      bool
	Parallel int
	Timeout  time.Duration
}

// Params are the fault-space bounds over nodes.
func (b Bounds) Params(nodes []string) fault.Params {
	return fault.Params{Nodes: nodes, EOT: b.EOT, EFF: b.EFF, MaxCrashes: b.Crashes, MaxDelay: b.MaxDelay,
		Duplicates: b.Duplicates, MaxPartitions: b.Partitions, MaxOmissions: b.MaxOmissions, OmissionsBounded: b.OmissionsBounded}
}

// Config is the search configuration over nodes.
func (b Bounds) Config(nodes []string) search.Config {
	return search.Config{Params: b.Params(nodes), Strategy: b.Strategy, MaxRuns: b.MaxRuns, Seed: b.Seed,
		Symmetry: b.Symmetry, All: b.All, Parallel: b.Parallel, Timeout: b.Timeout}
}

// Check searches c within b and fails t unless the search ends without a
// counterexample (a lineage-guided or exhaustive certificate); a vacuous
// or inconclusive search fails too. With -ldfi.replay it replays that
// schedule instead. It returns the report (nil after a replay).
func Check(t testing.TB, c *sim.Cluster, b Bounds) *Report {
	t.Helper()
	if *replayFlag != "" {
		checkReplay(t, c, b, *replayFlag)
		return nil
	}
	rep, err := Search(c, b)
	if err != nil {
		t.Fatalf("ldfi: %v", err)
		return nil
	}
	rep.Command = replayCommand(t.Name())
	writeOut(t, rep)
	if v := rep.Result.Verdict; v != search.Certified && v != search.NoCounterexample {
		t.Fatalf("ldfi: %s", rep.Text())
		return rep
	}
	t.Logf("ldfi: %s", rep.Headline())
	return rep
}

// Search runs the search and replays its first counterexample (Report.Run).
func Search(c *sim.Cluster, b Bounds) (*Report, error) {
	cfg := b.Config(c.Nodes)
	res, err := sim.Check(context.Background(), c, cfg)
	if err != nil {
		return nil, err
	}
	rep := &Report{Cluster: c, Config: cfg, Result: res}
	if len(res.Counterexamples) > 0 {
		rep.Run, err = sim.Simulate(context.Background(), c, cfg.Params, res.Counterexamples[0].Schedule, sim.Options{})
		if err != nil {
			return nil, err
		}
		// The fault-free run's lineage says what the schedule cut.
		rep.Free, err = sim.Simulate(context.Background(), c, cfg.Params, fault.Schedule{}, sim.Options{Lineage: true})
		if err != nil {
			return nil, err
		}
	}
	return rep, nil
}

// Replay runs c under the schedule text (as a counterexample prints it)
// within b, with lineage.
func Replay(c *sim.Cluster, b Bounds, schedule string) (*sim.Run, error) {
	s, err := sim.ParseSchedule(schedule)
	if err != nil {
		return nil, err
	}
	return sim.Simulate(context.Background(), c, b.Params(c.Nodes), s, sim.Options{Lineage: true})
}

func checkReplay(t testing.TB, c *sim.Cluster, b Bounds, schedule string) {
	t.Helper()
	r, err := Replay(c, b, schedule)
	if err != nil {
		t.Fatalf("ldfi: replaying %s: %v", schedule, err)
		return
	}
	var w strings.Builder
	fmt.Fprintf(&w, "replay of %s:\n", r.Schedule)
	r.Spacetime(&w)
	r.Transcript(&w)
	if r.Violated() {
		for _, v := range r.Violations() {
			fmt.Fprintf(&w, "violated: %s expected at EOT %d, not met\n", v.Key, b.EOT)
		}
		t.Fatalf("ldfi: %s", w.String())
		return
	}
	t.Logf("ldfi: %sthe invariant holds", w.String())
}

// replayCommand is the go test command line that reruns test name; the
// schedule flag is appended by Report.Text.
func replayCommand(name string) string {
	var parts []string
	for _, p := range strings.Split(name, "/") {
		parts = append(parts, "^"+regexp.QuoteMeta(p)+"$")
	}
	return fmt.Sprintf("go test %s -run '%s'", packageDir(), strings.Join(parts, "/"))
}

// packageDir is the test's package directory relative to its module root
// (go test runs in the package directory), or "." when none is found.
func packageDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			rel, err := filepath.Rel(dir, wd)
			if err != nil || rel == "." {
				return "."
			}
			return "./" + filepath.ToSlash(rel)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "."
		}
		dir = parent
	}
}

// writeOut writes the report under -ldfi.out, when set.
func writeOut(t testing.TB, rep *Report) {
	t.Helper()
	if *outFlag == "" {
		return
	}
	dir := filepath.Join(*outFlag, strings.NewReplacer("/", "_", " ", "_").Replace(t.Name()))
	if err := rep.Write(dir); err != nil {
		t.Errorf("ldfi: writing the report: %v", err)
		return
	}
	t.Logf("ldfi: report written to %s", dir)
}
