package cli

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/ldfi/ldfi/dedalus"
)

const vetExamples = `

Examples:
  # Check a program (and the files it includes); silent when it is clean:
  ldfi vet examples/simple-deliv.ded

  # Diagnostics as JSON, for editors and scripts:
  ldfi vet --format json prog.ded

  # See what the program means: explicit time columns, @next as T + 1,
  # @async as a message joined with the delivery relation clock:
  ldfi vet --desugared examples/simple-deliv.ded`

func init() { register(10, newVetCmd) }

// jsonDiagnostic is one diagnostic in --format json.
type jsonDiagnostic struct {
	File     string `json:"file"`
	Line     int    `json:"line"`
	Col      int    `json:"col"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
}

func newVetCmd() *cobra.Command {
	var (
		format    string
		desugared bool
	)
	cmd := &cobra.Command{
		Use:   "vet [flags] FILE...",
		Short: "Check Dedalus programs and report every problem with its position",
		Long: `vet parses the files (several files form one program; includes are followed)
and runs every check: syntax, arity, column types, safety, stratification,
facts, aggregates and times. It prints nothing and exits 0 when the program is
clean; otherwise it prints every diagnostic, sorted, as file:line:col: message
on stderr and exits 2. Warnings (a relation read but never defined, pre
without post) are printed too but leave the exit code at 0.

With --desugared it prints the program in the explicit form the evaluator
follows (on stdout, when the program is valid).` + vetExamples,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			if format != "text" && format != "json" {
				return usageError("--format must be text or json, got %q", format)
			}
			prog, list := dedalus.Vet(files...)
			if format == "json" {
				if err := writeJSONDiagnostics(cmd.OutOrStdout(), list); err != nil {
					return err
				}
			} else {
				writeDiagnostics(cmd.ErrOrStderr(), list)
			}
			if list.HasErrors() {
				return exitCode(ExitBadInput)
			}
			if desugared {
				fmt.Fprint(cmd.OutOrStdout(), dedalus.Desugar(prog))
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "diagnostics format: text (on stderr) or json (on stdout)")
	cmd.Flags().BoolVar(&desugared, "desugared", false, "print the desugared program on stdout")
	return cmd
}

// writeDiagnostics prints diagnostics one per line, related positions
// indented below.
func writeDiagnostics(w io.Writer, list dedalus.ErrorList) {
	for _, e := range list {
		fmt.Fprintln(w, e.Error())
		for _, r := range e.Related {
			fmt.Fprintf(w, "\t%s: (related)\n", r)
		}
	}
}

func writeJSONDiagnostics(w io.Writer, list dedalus.ErrorList) error {
	out := make([]jsonDiagnostic, 0, len(list))
	for _, e := range list {
		out = append(out, jsonDiagnostic{File: e.Pos.File, Line: e.Pos.Line, Col: e.Pos.Col, Severity: e.Severity.String(), Message: e.Msg})
	}
	b, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", b)
	return err
}
