package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
)

// This file holds what check and run learn from the loaded program about
// their bounds: the node set when --nodes is omitted, the facts at nodes
// outside --nodes, and pre/post rules that read undefined relations.

// placeholderNodes stands for an omitted --nodes while the flags are
// validated before the program is loaded: enough distinct names for the
// crash budget. programBounds replaces them.
func placeholderNodes(crashes int) []string {
	nodes := []string{"?"}
	for i := 1; i < crashes; i++ {
		nodes = append(nodes, fmt.Sprintf("?%d", i))
	}
	return nodes
}

// programBounds completes the bounds from the loaded program and checks the
// program against them, for check and run:
//   - without --nodes, the node set is the program's location constants
//     (dedalus.Program.LocationConstants), printed on stderr;
//   - with --nodes, every node outside it that locates a fact gets a
//     warning on stderr at its first fact (such a node never acts);
//   - a pre or post rule that reads a relation nothing defines is an error
//     (exit 2), each printed as file:line:col.
func (b *boundsFlags) programBounds(cmd *cobra.Command, prog *dedalus.Program, p *fault.Params) error {
	stderr := cmd.ErrOrStderr()
	if list := prog.UndefinedInvariantReads(); len(list) > 0 {
		for _, e := range list {
			fmt.Fprintln(stderr, e.Error())
		}
		return exitCode(ExitBadInput)
	}
	if b.nodesOmitted() {
		nodes := prog.LocationConstants()
		if len(nodes) == 0 {
			return usageError("--nodes is needed: the program names no node (no string constant in a location column); give e.g. --nodes a,b,c")
		}
		p.Nodes = nodes
		if err := p.Validate(); err != nil {
			return usageError("the node set inferred from the program (%s): %v; give --nodes", strings.Join(nodes, ","), err)
		}
		fmt.Fprintf(stderr, "nodes: %s (inferred from the program; give --nodes to choose)\n", strings.Join(nodes, ","))
		return nil
	}
	for _, nf := range prog.FactsOutside(p.Nodes) {
		fmt.Fprintf(stderr, "%s: warning: fact at node %q, outside the node set %s (--nodes): the node never acts, its facts are ignored\n",
			nf.Pos, nf.Node, strings.Join(p.Nodes, ","))
	}
	return nil
}

// nodesOmitted reports whether --nodes was left out (or empty).
func (b *boundsFlags) nodesOmitted() bool { return strings.TrimSpace(b.nodes) == "" }
