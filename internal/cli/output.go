package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/report"
)

// outputWriter passes writes through to w and keeps the first error; every
// later write fails at once with it. Run reports it (exit 5): commands may
// then ignore the errors of their own writes to standard output.
type outputWriter struct {
	w   io.Writer
	err error
}

func (o *outputWriter) Write(p []byte) (int, error) {
	if o.err != nil {
		return 0, o.err
	}
	n, err := o.w.Write(p)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		o.err = err
	}
	return n, err
}

// outputError is the message of a failed standard output.
func outputError(err error) error {
	return fmt.Errorf("could not write to standard output: %w", err)
}

// checkOutFlag validates --out before any work is done (a search may last
// long): not empty, and a directory that can take the report (new, empty, or
// an earlier ldfi report, in a writable place; see report.CheckDir).
func checkOutFlag(cmd *cobra.Command, dir string) error {
	if !cmd.Flags().Changed("out") {
		return nil
	}
	if strings.TrimSpace(dir) == "" {
		return usageError("--out: empty directory name (leave --out out for no report)")
	}
	if err := report.CheckDir(dir); err != nil {
		return usageError("--out: %v", err)
	}
	return nil
}

// The report writers, replaced by tests to make the write fail after the
// search.
var (
	writeCheckReport = report.Write
	writeRunReport   = report.WriteRun
)

// reportError ends a command whose verdict has been printed but whose
// report could not be written.
func reportError(dir string, err error) error {
	return &exitError{code: ExitOutput, err: fmt.Errorf("could not write the report to %s: %w (the verdict above stands)", dir, err)}
}

// maxTuplesFlag registers --max-tuples.
func maxTuplesFlag(cmd *cobra.Command, limit *int) {
	cmd.Flags().IntVar(limit, "max-tuples", eval.DefaultMaxTuples, "stop with exit 3 (inconclusive) when a run derives more tuples and messages than this")
}

// setMaxTuples validates --max-tuples and makes it the limit of every run
// of the command (the search's and the report's).
func setMaxTuples(limit int) error {
	if limit < 1 {
		return usageError("--max-tuples must be at least 1, got %d", limit)
	}
	eval.SetDefaultMaxTuples(limit)
	return nil
}

// tupleLimitError ends a command whose run exceeded the tuple limit: a
// limit, like --max-runs and --timeout (exit 3).
func tupleLimitError(err error) error {
	return &exitError{code: ExitInconclusive, err: fmt.Errorf("%w (raise --max-tuples, or lower --eot)", err)}
}
