package cli

import (
	"github.com/ldfi/ldfi/calm"
	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/report"
)

// consistency runs the static CALM analysis (ldfi calm) on the program's
// pre and post for the HTML report's consistency section. The analysis
// reads the program only; report renders what it is given. It cannot fail
// without --outcome names, but a failure would only drop the section.
func consistency(prog *dedalus.Program) *report.Consistency {
	rep, err := calm.Analyze(prog, nil)
	if err != nil {
		return nil
	}
	return consistencyOf(rep)
}

// consistencyOf converts calm's findings to the report's.
func consistencyOf(rep *calm.Report) *report.Consistency {
	c := &report.Consistency{}
	for _, o := range rep.Outcomes {
		co := report.ConsistencyOutcome{Relation: o.Relation, Confluent: o.Confluent, Class: o.Class}
		for _, p := range o.Points {
			co.Points = append(co.Points, report.PointOfOrder{
				Kind: p.Kind, Relation: p.Relation, File: p.File, Line: p.Line, Col: p.Col,
				Rule: p.Rule, Reads: p.Reads, Via: p.Via, Why: p.Detail, Fix: p.Fix,
			})
		}
		c.Outcomes = append(c.Outcomes, co)
	}
	return c
}
