package symbolic

import (
	"context"
	"fmt"
	"time"

	"github.com/go-air/gini/logic"
	"github.com/go-air/gini/z"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
)

// cnfFormula is the whole formula of one exact check (every gate, the
// fault sorter included: what Check gave its solver before it encoded only
// the question's cone), as a clause list, so that other solvers can be
// measured on it (solver_compare_test.go; the figures in
// docs/performance.md were taken on this whole formula). Variables are those of the circuit (1..NumVars,
// z.Lit numbering).
type cnfFormula struct {
	NumVars int
	// Clauses are the circuit's clauses (logic.C.ToCnf, every gate), the
	// at-most-one-crash clauses and the asynchrony constraints, without
	// unit clauses.
	Clauses [][]z.Lit
	// Units must hold in every call: the circuit's constant true, the
	// question, the crash budget and the omission budget.
	Units []z.Lit
	// Faults are the literals whose number of true ones is a model's fault
	// count (omissions, "n crashed", then the asynchrony faults).
	Faults []z.Lit
	card   *logic.CardSort

	Gates     int
	BuildTime time.Duration // universe and circuit (encoder.build), question, sorters
	CnfTime   time.Duration // ToCnf into the clause list
}

// Leq is the literal "at most k faults" of the cardinality sorter Check
// shrinks models with.
func (f *cnfFormula) Leq(k int) z.Lit { return f.card.Leq(k) }

// clauseList collects the clauses of logic.C.ToCnf, units apart.
type clauseList struct {
	f   *cnfFormula
	cur []z.Lit
}

func (a *clauseList) Add(m z.Lit) {
	if m != z.LitNull {
		a.cur = append(a.cur, m)
		return
	}
	if len(a.cur) == 1 {
		a.f.Units = append(a.f.Units, a.cur[0])
	} else {
		a.f.Clauses = append(a.f.Clauses, a.cur)
	}
	a.cur = nil
}

// buildCNF builds the whole formula for prog under p: the same encoder,
// question, crash budget and fault sorter as Check, every gate encoded,
// and pairwise at-most-one-crash clauses.
func buildCNF(ctx context.Context, prog *dedalus.Program, p fault.Params, opts Options) (*cnfFormula, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if prog.Pre == dedalus.NoRel || prog.Post == dedalus.NoRel {
		return nil, fmt.Errorf("the program has no pre/post invariant to check")
	}
	start := time.Now()
	e := newEncoder(ctx, prog, p, opts.MaxInstances)
	if err := e.build(); err != nil {
		return nil, err
	}
	bad, _, _ := e.question()
	f := &cnfFormula{}
	f.Faults = e.faults.costs()
	f.card = logic.NewCardSort(f.Faults, e.c)
	var budget *logic.CardSort
	if crashed := e.faults.crashed(); len(crashed) > 0 {
		budget = logic.NewCardSort(crashed, e.c)
	}
	omissions := e.faults.omissionBudget()
	f.BuildTime = time.Since(start)

	start = time.Now()
	l := &clauseList{f: f}
	e.c.ToCnf(l)
	f.Units = append(f.Units, bad)
	if budget != nil {
		f.Units = append(f.Units, budget.Leq(p.MaxCrashes))
	}
	if omissions != z.LitNull {
		f.Units = append(f.Units, omissions)
	}
	f.Clauses = append(f.Clauses, e.faults.asyncClauses()...)
	for _, n := range p.Nodes {
		vs := e.faults.crash[n]
		for i := range vs {
			for j := i + 1; j < len(vs); j++ {
				f.Clauses = append(f.Clauses, []z.Lit{vs[i].Not(), vs[j].Not()})
			}
		}
	}
	f.CnfTime = time.Since(start)
	f.Gates = e.c.Len()
	f.NumVars = e.c.Len() - 1
	return f, nil
}
