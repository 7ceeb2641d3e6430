// Package cli implements the ldfi command line. Each subcommand lives in its
// own file and registers itself with register from an init function, so that
// subcommands can be added without touching this file.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/spf13/cobra"
)

// Exit codes of the whole tool.
const (
	ExitOK           = 0 // success, invariant holds, certified
	ExitViolation    = 1 // violation found, counterexample
	ExitBadInput     = 2 // bad input or usage
	ExitInconclusive = 3 // a limit was reached before a verdict, or an interrupt
	ExitInternal     = 4 // internal error: a bug of ldfi, not of the input
	ExitOutput       = 5 // the result could not be written (stdout, --out)
	// ExitVacuous is check's exit when no schedule has a pre tuple: the
	// input checked nothing, a mistake in the input like any other.
	ExitVacuous = ExitBadInput
)

// exitError carries an exit code out of a command. Commands return it (via
// exitCode) when they have already printed what the user needs to see.
type exitError struct {
	code int
	err  error // printed by Main when non-nil
}

func (e *exitError) Error() string {
	if e.err != nil {
		return e.err.Error()
	}
	return fmt.Sprintf("exit %d", e.code)
}

// exitCode ends the command with code, printing nothing more.
func exitCode(code int) error { return &exitError{code: code} }

// usageError ends the command with exit 2 and prints err.
func usageError(format string, args ...any) error {
	return &exitError{code: ExitBadInput, err: fmt.Errorf(format, args...)}
}

// Version is the ldfi version, set at link time or read from build info.
var Version = ""

func version() string {
	if Version != "" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

type commandFactory struct {
	order int
	make  func() *cobra.Command
}

var factories []commandFactory

// register adds a subcommand; order sorts the help listing.
func register(order int, make func() *cobra.Command) {
	factories = append(factories, commandFactory{order, make})
}

const rootLong = `ldfi finds the fault-tolerance bugs of distributed protocols written in
Dedalus, or certifies that none exist within stated bounds, by lineage-driven
fault injection: it runs the protocol, learns why good outcomes happened, and
injects the smallest combinations of lost messages and crashed nodes that could
prevent them.

Exit codes:
  0  success: the invariant holds, the program is certified, or vet is clean
  1  violation: a run violates the invariant, or a counterexample was found
  2  bad input or usage: malformed program, flag or file; and the verdict
     vacuous of check: no schedule within the bounds has a pre tuple at EOT,
     so the invariant constrained nothing (wrong --nodes, EOT too small, a
     pre rule reading a relation nothing derives)
  3  inconclusive: a limit (runs, time) was reached before a verdict, or the
     search was interrupted (Ctrl-C)
  4  internal error: a bug in ldfi, not in the input (please report it)
  5  output error: standard output or the --out report could not be
     written (a verdict that was printed before stands)`

// NewRoot builds the root command with every registered subcommand.
func NewRoot(stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:           "ldfi",
		Short:         "Lineage-driven fault injection for Dedalus protocols",
		Long:          rootLong,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version(),
	}
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: ExitBadInput, err: fmt.Errorf("%w\nRun '%s --help' for usage.", err, c.CommandPath())}
	})
	fs := slices.Clone(factories)
	slices.SortStableFunc(fs, func(a, b commandFactory) int { return a.order - b.order })
	for _, f := range fs {
		root.AddCommand(f.make())
	}
	return root
}

// Main runs the command line with os.Args and returns the exit code.
func Main() int { return Run(os.Args[1:], os.Stdout, os.Stderr) }

// Run runs the command line with args and returns the exit code. Errors are
// printed once, here. A failed write to stdout (a full disk) ends every
// command with exit 5, whatever it returned: its output is incomplete.
func Run(args []string, stdout, stderr io.Writer) int {
	out := &outputWriter{w: stdout}
	code := run(args, out, stderr)
	if out.err != nil {
		fmt.Fprintln(stderr, "ldfi: "+outputError(out.err).Error())
		return ExitOutput
	}
	return code
}

func run(args []string, stdout, stderr io.Writer) int {
	root := NewRoot(stdout, stderr)
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return ExitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintln(stderr, "ldfi: "+strings.TrimSpace(ee.err.Error()))
		}
		return ee.code
	}
	// cobra's own errors (unknown command, bad args) are usage errors.
	fmt.Fprintln(stderr, "ldfi: "+err.Error())
	return ExitBadInput
}

func init() {
	register(100, func() *cobra.Command {
		return &cobra.Command{
			Use:   "version",
			Short: "Print the ldfi version",
			Args:  cobra.NoArgs,
			RunE: func(cmd *cobra.Command, _ []string) error {
				fmt.Fprintf(cmd.OutOrStdout(), "ldfi %s\n", version())
				return nil
			},
		}
	})
}
