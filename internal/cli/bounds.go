package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/fault"
)

// boundsFlags are the flags that state the bounds of a run or a search:
// --eot, --eff, --crashes, --nodes, with Molly's spellings (--EOT, --EFF,
// --crashes, --nodes) accepted as aliases.
type boundsFlags struct {
	eot, eff, crashes int
	nodes             string
	async             asyncFlags
}

// asyncFlags bound the asynchrony faults (check and bench): --delay,
// --duplicates, --partitions, --omissions. Off by default, so the model is
// Molly's.
type asyncFlags struct {
	registered bool
	delay      int
	duplicates bool
	partitions int
	omissions  int
}

// registerAsync adds the asynchrony bounds to cmd.
func (b *boundsFlags) registerAsync(cmd *cobra.Command) {
	f := cmd.Flags()
	a := &b.async
	a.registered = true
	f.IntVar(&a.delay, "delay", 0, "a message sent before EFF may arrive up to this many steps late, which reorders messages (0: always one step, as Molly)")
	f.BoolVar(&a.duplicates, "duplicates", false, "a message sent before EFF may also arrive a second time, 1..--delay steps late")
	f.IntVar(&a.partitions, "partitions", 0, "up to this many network partitions, each cutting the nodes in two groups for an interval of send times before EFF")
	f.IntVar(&a.omissions, "omissions", 0, "at most this many lost messages (default: any number sent before EFF, as Molly; 0 with --delay: bugs that need no loss)")
}

// apply sets the asynchrony bounds of p from the flags.
func (a *asyncFlags) apply(cmd *cobra.Command, p *fault.Params) {
	if !a.registered {
		return
	}
	p.MaxDelay, p.Duplicates, p.MaxPartitions = a.delay, a.duplicates, a.partitions
	if cmd.Flags().Changed("omissions") {
		p.OmissionsBounded, p.MaxOmissions = true, a.omissions
	}
}

func (b *boundsFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.IntVar(&b.eot, "eot", 4, "end of time: the last timestep (time runs 1..EOT)")
	f.IntVar(&b.eff, "eff", 2, "end of finite failures: messages can be lost only when sent at t < EFF (at most --eot)")
	f.IntVar(&b.crashes, "crashes", 0, "crash budget: at most this many nodes crash")
	f.StringVar(&b.nodes, "nodes", "", "comma-separated node set, e.g. a,b,c (default: the nodes the program names, printed on stderr)")
	f.IntVar(&b.eot, "EOT", 4, "Molly's spelling of --eot")
	f.IntVar(&b.eff, "EFF", 2, "Molly's spelling of --eff")
	_ = f.MarkHidden("EOT")
	_ = f.MarkHidden("EFF")
}

// params validates the flags and returns the bounds.
func (b *boundsFlags) params(cmd *cobra.Command) (fault.Params, error) {
	f := cmd.Flags()
	if f.Changed("eot") && f.Changed("EOT") || f.Changed("eff") && f.Changed("EFF") {
		return fault.Params{}, usageError("give each bound once (--eot or --EOT, --eff or --EFF)")
	}
	var nodes []string
	if b.nodesOmitted() {
		// Inferred from the program once it is loaded (programBounds).
		nodes = placeholderNodes(max(b.crashes, min(b.async.partitions, 1)*2))
	} else {
		for _, n := range strings.Split(b.nodes, ",") {
			nodes = append(nodes, strings.TrimSpace(n))
		}
	}
	p := fault.Params{Nodes: nodes, EOT: b.eot, EFF: b.eff, MaxCrashes: b.crashes}
	b.async.apply(cmd, &p)
	if !f.Changed("eff") && !f.Changed("EFF") && p.EFF > p.EOT && p.EOT >= 1 {
		p.EFF = p.EOT // the default EFF (2) with --eot 1
	}
	if err := p.Validate(); err != nil {
		return p, usageError("%v", boundsFlagError(err))
	}
	if p.EFF > p.EOT {
		return p, usageError("--eff %d exceeds --eot %d: messages can be lost only when sent before EFF, and time ends at EOT (use at most --eff %d)", p.EFF, p.EOT, p.EOT)
	}
	if b.nodesOmitted() {
		p.Nodes = nil
	}
	return p, nil
}

// paramFlags maps the fields of fault.Params to the flags that set them.
var paramFlags = map[string]string{
	"Nodes": "--nodes", "EOT": "--eot", "EFF": "--eff", "MaxCrashes": "--crashes",
	"MaxDelay": "--delay", "Duplicates": "--duplicates", "MaxPartitions": "--partitions", "MaxOmissions": "--omissions",
}

// boundsFlagError prefixes a fault.Params error with the flag that set the
// faulty bound: the library describes the problem, the CLI names the flag.
func boundsFlagError(err error) error {
	var pe *fault.ParamError
	if errors.As(err, &pe) && paramFlags[pe.Field] != "" {
		return fmt.Errorf("%s: %w", paramFlags[pe.Field], err)
	}
	return err
}

// checkLoadError prints a program's diagnostics (one per line,
// file:line:col: message) and ends the command with exit 2.
func checkLoadError(cmd *cobra.Command, err error) error {
	var list dedalus.ErrorList
	if errors.As(err, &list) {
		for _, e := range list {
			fmt.Fprintln(cmd.ErrOrStderr(), e.Error())
		}
		return exitCode(ExitBadInput)
	}
	return usageError("%v", err)
}
