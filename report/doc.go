// Package report renders the results of ldfi: the deterministic JSON summary
// of a search (runs.json), the terminal text, and the self-contained HTML
// report with spacetime and lineage diagrams and their Graphviz DOT files.
//
// After a search, the runs to draw are re-run by search.NewEvidence (report
// never evaluates a program: it renders the typed results and runs it is
// given):
//
//	res, err := search.Check(ctx, prog, cfg)
//	sum := report.NewSummary(prog, cfg, res, version)
//	ev, err := search.NewEvidence(ctx, prog, cfg.Params, res, report.PageDraw)
//	report.CheckText(os.Stdout, prog, cfg, res, ev, sum) // terminal summary
//	data, _ := report.JSON(sum)                          // runs.json bytes
//	err = report.Write("out", prog, cfg, res, ev, sum)   // runs.json, index.html, *.dot
//
// For one run (ldfi run --out), search.RunEvidence describes the run and
// report.WriteRun writes the same files.
//
// Write takes the fault-free run with provenance and the drawn runs from
// the evidence, builds the lineage graph of each missing good outcome in the
// fault-free run (lineage.go), marks what of it is left in each run
// (missing tuples, cut firings and why), lays the graphs out once per
// outcome with Graphviz compiled to WebAssembly (layout.go: goccy/go-graphviz,
// the SVG checked against a whitelist), and embeds everything as JSON in one
// HTML page (html.go, page.html, page.css, page.js) whose script draws the
// spacetime diagrams and restyles the lineage SVG for the selected run.
// When the summary carries the findings of the static CALM analysis
// (Summary.Consistency, filled by the caller from package calm), the page
// adds a consistency section and marks the points of order in the program
// listing (consistency.go); without them the page is as it was.
// Every output is deterministic: same inputs, same bytes. docs/report.md
// documents the files and the runs.json schema.
package report
