package eval

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/internal/golden"
)

// Scenario archives (testdata/*.txtar) hold a program and runs:
//
//	-- prog.ded --
//	<Dedalus source>
//	-- run nodes=a,b eot=3 eff=2 crashes=1 omit=a,b,1 crash=b,2 show=log,post why=log("b","x")@2 --
//	<expected transcript>
//
// delay=a,b,1,2 dup=a,b,1,2 partition=a|b@1-2 add asynchrony faults and
// widen the bounds to allow them (MaxDelay, Duplicates, MaxPartitions).
//
// The transcript lists the tuples of the shown relations (all non-empty
// ones when show= is absent), every message, the verdict and, with why=,
// the derivations of one tuple. go test -update rewrites the transcripts;
// read the diff before committing.
func TestScenarios(t *testing.T) {
	golden.Run(t, "testdata/*.txtar", func(t *testing.T, a *golden.Archive) {
		var e *Engine
		for i, f := range a.Files {
			switch {
			case f.Name == "prog.ded":
				prog, err := dedalus.LoadSource(a.Path, string(f.Data))
				if err != nil {
					t.Fatalf("load: %v", err)
				}
				if e, err = New(prog); err != nil {
					t.Fatalf("New: %v", err)
				}
			case strings.HasPrefix(f.Name, "run"):
				if e == nil {
					t.Fatalf("run before prog.ded")
				}
				a.Check(t, i, runScenario(t, e, f.Name))
			}
		}
	})
}

func runScenario(t *testing.T, e *Engine, directive string) string {
	par := fault.Params{EOT: 4, EFF: 2}
	var sched fault.Schedule
	var show []string
	why := ""
	for _, f := range strings.Fields(directive)[1:] {
		k, v, _ := strings.Cut(f, "=")
		num := func() int {
			n, err := strconv.Atoi(v)
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			return n
		}
		switch k {
		case "nodes":
			par.Nodes = strings.Split(v, ",")
		case "eot":
			par.EOT = num()
		case "eff":
			par.EFF = num()
		case "crashes":
			par.MaxCrashes = num()
		case "omit":
			p := strings.Split(v, ",")
			tm, _ := strconv.Atoi(p[2])
			sched.Omissions = append(sched.Omissions, fault.Omission{From: p[0], To: p[1], Time: tm})
		case "crash":
			p := strings.Split(v, ",")
			tm, _ := strconv.Atoi(p[1])
			sched.Crashes = append(sched.Crashes, fault.Crash{Node: p[0], Time: tm})
		case "delay", "dup", "partition":
			addLate(t, &par, &sched, f)
		case "show":
			show = strings.Split(v, ",")
		case "why":
			why = v
		default:
			t.Fatalf("unknown run argument %q", f)
		}
	}
	res, err := e.Run(context.Background(), par, sched, Options{Provenance: true})
	if err != nil {
		return "error: " + err.Error() + "\n"
	}
	var b strings.Builder
	for _, tab := range res.Tables() {
		if show != nil && !slices.Contains(show, tab.Rel) || show == nil && len(tab.Rows) == 0 {
			continue
		}
		for _, row := range tab.Rows {
			fmt.Fprintln(&b, Tuple{Rel: tab.Rel, Time: row.Time, Args: row.Args})
		}
	}
	for _, m := range res.Messages() {
		if show == nil || slices.Contains(show, m.Rel) {
			fmt.Fprintln(&b, "msg", m)
		}
	}
	switch {
	case !res.HasInvariant():
		fmt.Fprintln(&b, "verdict: no invariant")
	case res.OK():
		fmt.Fprintln(&b, "verdict: ok")
	default:
		for _, v := range res.Violations() {
			fmt.Fprintln(&b, "violation:", v)
		}
	}
	if why != "" {
		writeWhy(&b, res, why)
	}
	return b.String()
}

// addLate adds the asynchrony fault f (kind=value) to sched, and widens par
// to allow it.
func addLate(t *testing.T, par *fault.Params, sched *fault.Schedule, f string) {
	t.Helper()
	one := parseFaults(t, f)
	for _, d := range one.Delays {
		par.MaxDelay = max(par.MaxDelay, d.By)
	}
	for _, d := range one.Duplicates {
		par.MaxDelay = max(par.MaxDelay, d.By)
		par.Duplicates = true
	}
	par.MaxPartitions += len(one.Partitions)
	sched.Delays = append(sched.Delays, one.Delays...)
	sched.Duplicates = append(sched.Duplicates, one.Duplicates...)
	sched.Partitions = append(sched.Partitions, one.Partitions...)
}

// writeWhy prints the derivations of the tuple written as rel(args)@t.
func writeWhy(b *strings.Builder, res *Result, text string) {
	id, ok := findText(res, text)
	if !ok {
		fmt.Fprintf(b, "why %s: does not hold\n", text)
		return
	}
	fmt.Fprintf(b, "why %s:\n", res.Tuple(id))
	for _, d := range res.Derivations(id) {
		fmt.Fprintf(b, "  %s rule=%d", d.Kind, d.Rule)
		for _, x := range d.Body {
			fmt.Fprintf(b, " %s", res.Tuple(x))
		}
		for _, n := range d.Negated {
			fmt.Fprintf(b, " %s", n)
		}
		if d.Send != nil {
			fmt.Fprintf(b, " send=%s", d.Send)
		}
		fmt.Fprintln(b)
	}
	fmt.Fprintf(b, "  sends: %v\n", res.Sends(id))
}

// findText finds a tuple written like `log("b","x")@2` (string columns quoted).
func findText(res *Result, text string) (TupleID, bool) {
	open := strings.IndexByte(text, '(')
	closeAt := strings.LastIndex(text, ")@")
	if open < 0 || closeAt < 0 {
		return -1, false
	}
	tm, err := strconv.Atoi(text[closeAt+2:])
	if err != nil {
		return -1, false
	}
	var args []dedalus.Value
	if inner := text[open+1 : closeAt]; inner != "" {
		for _, a := range strings.Split(inner, ",") {
			if s, err := strconv.Unquote(a); err == nil {
				args = append(args, dedalus.Value{Type: dedalus.TypeString, Str: s})
			} else if n, err := strconv.ParseInt(a, 10, 64); err == nil {
				args = append(args, dedalus.Value{Type: dedalus.TypeInt, Int: n})
			}
		}
	}
	return res.Find(text[:open], tm, args...)
}
