package search

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/lineage"
)

// A Target is a system the search runs under fault schedules other than a
// Dedalus program (which Check takes): the sim package's clusters of Go
// nodes are one. CheckTarget searches it with the same strategies, the same
// hypothesis engine and the same result as Check, with these differences:
// no exact encoding exists, so the LDFI strategy's certificate is
// MethodLineageGuided ("no counterexample within the lineage-guided
// search") and the exact strategy is refused; the exhaustive strategy
// certifies as it does for Dedalus; symmetry is the target's declared one.
type Target interface {
	// Run executes one schedule within p. With lineage, the run reports
	// the support of its outcomes (TargetRun.Lineage). It must be
	// deterministic and safe for concurrent use; a run that ctx stops
	// returns an error wrapping ctx.Err().
	Run(ctx context.Context, p fault.Params, s fault.Schedule, lineage bool) (*TargetRun, error)
	// Interchangeable declares the classes of nodes that no code tells
	// apart (nil: none); used when Config.Symmetry is set.
	Interchangeable() [][]string
}

// TargetRun is what one run of a Target tells the search.
type TargetRun struct {
	// Outcomes are the invariant's obligations on the run (Dedalus's pre
	// tuples at EOT), each held or violated.
	Outcomes []TargetOutcome
	// Lineage is the support graph the roots of Outcomes index (nil when
	// the run recorded no lineage).
	Lineage *lineage.Graph
	// Delivered lists the inter-node message sends whose copies arrived
	// (each channel and send time once): what late and duplicate
	// arrivals are proposed from, with asynchrony faults.
	Delivered []lineage.Event
}

// TargetOutcome is one obligation of a target's invariant on a run.
type TargetOutcome struct {
	// Outcome names the obligation: Post is the outcome required (its atom
	// text is its key in the search, as a Dedalus post tuple's) and Pre
	// what required it (printed for a violation). String arguments that
	// name nodes are renamed by symmetry.
	Outcome
	// Holds reports whether the outcome holds at EOT.
	Holds bool
	// PostRoot is the support of Post in Lineage (when it holds); PreRoot
	// the support of the precondition, or lineage.TrueID when unknown.
	PostRoot, PreRoot lineage.NodeID
}

// MethodLineageGuided: the LDFI loop ran out of hypotheses on a target
// whose lineage the runtime recorded. Not a proof: a target may depend on
// absent messages (a timeout) in ways its lineage does not show.
const MethodLineageGuided = "lineage-guided"

// ErrNoExact is returned by CheckTarget for the exact strategy.
var ErrNoExact = errors.New("the exact strategy needs a Dedalus program (no exact encoding of a target)")

// CheckTarget searches the fault space of t within cfg's bounds, as Check
// does for a Dedalus program. The result is deterministic for a given
// deterministic target and Config (Parallel and Progress aside), unless
// the Timeout fires. Config.ExactAfter, Confirm, NegativeSupport and
// MaxInstances do not apply.
func CheckTarget(ctx context.Context, t Target, cfg Config) (*Result, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	if cfg.Strategy == Exact {
		return nil, ErrNoExact
	}
	cfg.ExactAfter = -1 // nothing to hand over to
	if cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Timeout)
		defer cancel()
	}
	c := &checkRun{ctx: ctx, cfg: &cfg, res: &Result{}, start: time.Now(),
		exec: newTargetExecutor(ctx, t, cfg.Params), sym: targetSymmetry(t, cfg)}
	if len(c.sym.Classes) > 0 {
		c.res.SymmetryClasses = c.sym.Classes
	}
	var err error
	if cfg.Strategy == LDFI {
		err = c.targetLDFI()
	} else {
		err = c.targetBaseline()
	}
	if stopped(ctx, err) {
		c.res.Verdict, c.res.Reason = Inconclusive, stopReason(ctx)
		if len(c.res.Counterexamples) > 0 {
			c.res.Verdict = Counterexample
		}
		err = nil
	}
	if err != nil {
		return nil, err
	}
	c.res.Stats.Wall = time.Since(c.start)
	return c.res, nil
}

// targetSymmetry is the declared symmetry when asked for (classes of at
// least two nodes of the node set, each sorted).
func targetSymmetry(t Target, cfg Config) *Symmetry {
	if !cfg.Symmetry {
		return NoSymmetry
	}
	var classes [][]string
	for _, c := range t.Interchangeable() {
		var in []string
		for _, n := range c {
			if cfg.Params.HasNode(n) && !slices.Contains(in, n) {
				in = append(in, n)
			}
		}
		if len(in) > 1 {
			slices.Sort(in)
			classes = append(classes, in)
		}
	}
	slices.SortFunc(classes, func(a, b []string) int { return strings.Compare(a[0], b[0]) })
	if len(classes) == 0 || groupOrderAbove(classes, maxSymmetryGroup) {
		return &Symmetry{Classes: classes}
	}
	return &Symmetry{Classes: classes, perms: groupPermutations(classes)}
}

// targetLDFI is the LDFI loop on a target: Check's, without the exact
// check beside it.
func (c *checkRun) targetLDFI() error {
	cfg, res := c.cfg, c.res
	s := &ldfiSearch{
		cfg: cfg, exec: c.exec, sym: c.sym, kb: lineage.NewBuilder(),
		pf:      newPrefetcher(c.exec, true, cfg.Parallel),
		exclude: map[string][]fault.Schedule{}, tried: map[string]bool{},
		res: res, start: c.start, ctx: c.ctx, preName: "pre", limit: c.limit,
		solve: defaultSolve,
	}
	if err := s.run(); err != nil {
		return err
	}
	if res.Verdict == Certified {
		res.Verdict, res.CertificateMethod = NoCounterexample, MethodLineageGuided
		if !s.freePre {
			targetVacuous(res)
		}
	}
	res.Stats.GraphNodes = s.kb.Len()
	res.Stats.Speculative = s.pf.wasted
	res.Stats.EvalTime = s.pf.evalDur
	return nil
}

// targetBaseline runs the random or the exhaustive strategy on a target.
func (c *checkRun) targetBaseline() error { return c.runBaseline(targetVacuous) }

// targetVacuous turns a certificate into the Vacuous verdict: no run the
// search saw had an obligation.
func targetVacuous(res *Result) {
	res.Verdict = Vacuous
	res.Reason = "the invariant required no outcome in the runs of the search: nothing was checked"
	res.Notes = append(res.Notes, "does the invariant return its expectations, and does the cluster run long enough (EOT) to reach them?")
	res.CertificateMethod = ""
}

// newTargetExecutor runs schedules on t and reports what the search needs.
func newTargetExecutor(ctx context.Context, t Target, p fault.Params) executor {
	return func(s fault.Schedule, provenance bool) (*execution, error) {
		tr, err := t.Run(ctx, p, s, provenance)
		if err != nil {
			if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
				return nil, err
			}
			return nil, fmt.Errorf("running %s: %w", s, err)
		}
		e := &execution{present: map[string]eval.Tuple{}}
		var held []TargetOutcome
		for _, o := range tr.Outcomes {
			if o.Holds {
				held = append(held, o)
			} else {
				e.violations = append(e.violations, o.Outcome)
			}
		}
		slices.SortStableFunc(held, func(a, b TargetOutcome) int { return strings.Compare(a.Post.Atom(), b.Post.Atom()) })
		slices.SortStableFunc(e.violations, func(a, b Outcome) int { return strings.Compare(a.Pre.Atom(), b.Pre.Atom()) })
		for _, o := range held {
			e.good = append(e.good, o.Outcome)
			e.present[o.Post.Atom()] = o.Post
		}
		if provenance && tr.Lineage != nil {
			e.target = tr
		}
		return e, nil
	}
}

// learnTarget is learn for a target's run: its support graph imported
// into the knowledge base, for the schedule and every symmetric image.
func (s *ldfiSearch) learnTarget(sched fault.Schedule, e *execution) (learned int) {
	tr := e.target
	byKey := map[string]TargetOutcome{}
	for _, o := range tr.Outcomes {
		byKey[o.Post.Atom()] = o
	}
	for i, perm := range s.perms() {
		im := newImporter(s.kb, tr.Lineage, perm)
		for _, o := range s.good {
			to, ok := byKey[o]
			if !ok {
				continue
			}
			pre := lineage.RenameTuple(eval.Tuple{Rel: s.preName, Args: to.Post.Args}, perm).Atom()
			s.kb.AddOutcome(pre, im.node(to.PreRoot))
			if to.Holds && s.kb.AddOutcome(s.renameOutcome(o, perm), im.node(to.PostRoot)) && i == 0 {
				learned++
			}
		}
		img := Permute(sched, perm)
		for _, o := range s.good {
			if _, ok := e.present[o]; ok || len(e.violations) > 0 {
				continue
			}
			// Gone, and nothing violated: not required any more (see learn).
			ro := s.renameOutcome(o, perm)
			s.exclude[ro] = append(s.exclude[ro], img)
		}
	}
	return learned
}

// importer copies the nodes of a run's support graph into the knowledge
// base, renaming node names (a symmetric image), memoised per node.
type importer struct {
	kb   *lineage.Builder
	g    *lineage.Graph
	perm map[string]string
	memo map[lineage.NodeID]lineage.NodeID
}

func newImporter(kb *lineage.Builder, g *lineage.Graph, perm map[string]string) *importer {
	return &importer{kb: kb, g: g, perm: perm, memo: map[lineage.NodeID]lineage.NodeID{}}
}

func (im *importer) ren(n string) string {
	if m, ok := im.perm[n]; ok {
		return m
	}
	return n
}

// node returns the knowledge base's node for node id of the run's graph
// (False for an ID outside it). Children come before parents in a graph,
// so the recursion is as deep as the graph, which sim keeps at three.
func (im *importer) node(id lineage.NodeID) lineage.NodeID {
	if id < 0 || int(id) >= len(im.g.Nodes) {
		return lineage.FalseID
	}
	if v, ok := im.memo[id]; ok {
		return v
	}
	n := &im.g.Nodes[id]
	kids := make([]lineage.NodeID, 0, len(n.Children))
	for _, c := range n.Children {
		if c >= id {
			return lineage.FalseID // malformed: keep the graph acyclic
		}
		kids = append(kids, im.node(c))
	}
	var v lineage.NodeID
	switch n.Kind {
	case lineage.True:
		v = lineage.TrueID
	case lineage.Send:
		v = im.kb.Send(lineage.Event{From: im.ren(n.Event.From), To: im.ren(n.Event.To), Time: n.Event.Time})
	case lineage.And:
		v = im.kb.And(n.Label, kids...)
	case lineage.Or:
		v = im.kb.Or(n.Label, kids...)
	case lineage.Not:
		v = lineage.FalseID
		if len(kids) == 1 {
			v = im.kb.Not(n.Label, kids[0])
		}
	default:
		v = lineage.FalseID
	}
	im.memo[id] = v
	return v
}

// lateTargetCandidates is lateCandidates for a target's fault-free run:
// the same proposals, from the sends it delivered.
func lateTargetCandidates(p fault.Params, tr *TargetRun, used map[lineage.Event]bool) (first, rest []fault.Schedule) {
	var slots []lineage.Event
	for _, k := range tr.Delivered {
		if p.RemovedBy(k.From, k.To, k.Time).Omittable && !slices.Contains(slots, k) {
			slots = append(slots, k)
		}
	}
	return lateSlots(p, slots, used)
}
