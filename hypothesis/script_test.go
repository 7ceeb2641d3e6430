package hypothesis

import (
	"bufio"
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/ldfi/ldfi/fault"
	"github.com/ldfi/ldfi/internal/golden"
	"github.com/ldfi/ldfi/lineage"
)

// TestScripts runs the cases of the archives testdata/*.txtar. A case is
// a pair of files: NN.script, a list of directives, and NN.want, the
// expected hypotheses (one per line, or "(none)"):
//
//	nodes a,b,c            the node set
//	eot 4 / eff 3 / crashes 1
//	send NAME FROM TO TIME  a send node
//	and NAME CHILD...       / or NAME CHILD... / true NAME / false NAME
//	not NAME CHILD          a Not node
//	outcome TUPLE NAME      a good outcome and its root
//	base FAULT...           Options.Base: crash=a,2 or omit=a,b,1
//	exclude FAULT...        one Options.Exclude entry
//	limit N / maxsize N     Options.Limit / Options.MaxSize
//
// go test -update rewrites the .want files from the results; read the
// diff before committing.
func TestScripts(t *testing.T) {
	golden.Run(t, "testdata/*.txtar", func(t *testing.T, a *golden.Archive) {
		n := 0
		for _, f := range a.Files {
			name, ok := strings.CutSuffix(f.Name, ".script")
			if !ok {
				continue
			}
			n++
			got, err := runScript(string(f.Data))
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			a.CheckFile(t, name+".want", got)
		}
		if n == 0 {
			t.Fatalf("%s has no .script file", a.Path)
		}
	})
}

func runScript(input string) (string, error) {
	var (
		p     fault.Params
		o     Options
		g     lineage.Graph
		sup   lineage.Support
		names = map[string]lineage.NodeID{}
	)
	add := func(name string, n lineage.Node) error {
		if _, dup := names[name]; dup {
			return fmt.Errorf("node %s defined twice", name)
		}
		names[name] = lineage.NodeID(len(g.Nodes))
		n.Label = name
		g.Nodes = append(g.Nodes, n)
		return nil
	}
	atoi := func(s string) int { n, _ := strconv.Atoi(s); return n }
	sched := func(fields []string) (fault.Schedule, error) {
		var s fault.Schedule
		for _, f := range fields {
			kind, arg, _ := strings.Cut(f, "=")
			switch kind {
			case "crash":
				c, err := fault.ParseCrash(arg)
				if err != nil {
					return s, err
				}
				s.Crashes = append(s.Crashes, c)
			case "omit":
				om, err := fault.ParseOmission(arg)
				if err != nil {
					return s, err
				}
				s.Omissions = append(s.Omissions, om)
			default:
				return s, fmt.Errorf("bad fault %q", f)
			}
		}
		return s, nil
	}
	sc := bufio.NewScanner(strings.NewReader(input))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) == 0 || strings.HasPrefix(f[0], "#") {
			continue
		}
		var err error
		switch f[0] {
		case "nodes":
			p.Nodes = strings.Split(f[1], ",")
		case "eot":
			p.EOT = atoi(f[1])
		case "eff":
			p.EFF = atoi(f[1])
		case "crashes":
			p.MaxCrashes = atoi(f[1])
		case "limit":
			o.Limit = atoi(f[1])
		case "maxsize":
			o.MaxSize = atoi(f[1])
		case "true", "false":
			kind := map[string]lineage.Kind{"true": lineage.True, "false": lineage.False}[f[0]]
			err = add(f[1], lineage.Node{Kind: kind})
		case "send":
			err = add(f[1], lineage.Node{Kind: lineage.Send, Event: lineage.Event{From: f[2], To: f[3], Time: atoi(f[4])}})
		case "and", "or":
			kind := map[string]lineage.Kind{"and": lineage.And, "or": lineage.Or}[f[0]]
			var cs []lineage.NodeID
			for _, c := range f[2:] {
				id, ok := names[c]
				if !ok {
					return "", fmt.Errorf("unknown node %s", c)
				}
				cs = append(cs, id)
			}
			err = add(f[1], lineage.Node{Kind: kind, Children: cs})
		case "not":
			id, ok := names[f[2]]
			if !ok {
				return "", fmt.Errorf("unknown node %s", f[2])
			}
			err = add(f[1], lineage.Node{Kind: lineage.Not, Children: []lineage.NodeID{id}})
		case "outcome":
			id, ok := names[f[2]]
			if !ok {
				return "", fmt.Errorf("unknown node %s", f[2])
			}
			sup.Outcomes = append(sup.Outcomes, lineage.Outcome{Tuple: f[1], Root: id})
		case "base":
			o.Base, err = sched(f[1:])
		case "exclude":
			var x fault.Schedule
			x, err = sched(f[1:])
			o.Exclude = append(o.Exclude, x)
		default:
			err = fmt.Errorf("unknown directive %q", f[0])
		}
		if err != nil {
			return "", err
		}
	}
	sup.Graph = g
	hs, _, err := Minimal(context.Background(), &sup, p, o)
	if err != nil {
		return "error: " + err.Error() + "\n", nil
	}
	if len(hs) == 0 {
		return "(none)\n", nil
	}
	var b strings.Builder
	for _, h := range hs {
		cut, err := Cuts(&sup, p, h)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(&b, "%s    # cuts %s\n", h, strings.Join(cut, " "))
	}
	return b.String(), nil
}
