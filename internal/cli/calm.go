package cli

import (
	"github.com/spf13/cobra"

	"github.com/ldfi/ldfi/calm"
	"github.com/ldfi/ldfi/dedalus"
)

const calmExamples = `

Examples:
  # Which outcomes can depend on message order, and where (exit 1 if any):
  ldfi calm examples/2pc.ded

  # A broadcast that logs every message it receives is confluent (exit 0):
  ldfi calm examples/redun-deliv.ded

  # Judge another relation too, as JSON for scripts:
  ldfi calm --outcome decided --format json examples/2pc.ded`

func init() { register(40, newCalmCmd) }

func newCalmCmd() *cobra.Command {
	var (
		format   string
		outcomes []string
	)
	cmd := &cobra.Command{
		Use:   "calm [flags] FILE...",
		Short: "Find the outcomes whose result can depend on message order (CALM analysis)",
		Long: `calm analyses the program statically (no run): for each relation it says
whether it depends on messages at all, whether it is monotone (only grows as
messages arrive, to a set that is the same whatever their order), and if not
why; for each outcome (pre, post, and every --outcome relation) whether it is
confluent — its contents at EOT are the same under every delivery schedule
without loss: any delays, reordering and duplicates of messages sent before
EFF, for an EOT large enough — or order-sensitive, listing each point of
order: the rule where a notin, an aggregate, a join that needs a message and
other changing data in the same timestep, a relation not carried forward, or
a read at a fixed time meets message-derived data, with what would remove it.

The analysis is conservative: an outcome it calls confluent is confluent; one
it calls order-sensitive may still be confluent (a notin that only skips
redundant sends, say). docs/consistency.md explains how to read it.

Exit status: 0 when every outcome is confluent, 1 when one is order-sensitive,
2 on bad input.` + calmExamples,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			if format != "text" && format != "json" {
				return usageError("--format must be text or json, got %q", format)
			}
			prog, err := dedalus.LoadFiles(files...)
			if err != nil {
				return checkLoadError(cmd, err)
			}
			rep, err := calm.Analyze(prog, outcomes)
			if err != nil {
				return usageError("--outcome: %v", err)
			}
			if format == "json" {
				err = calm.WriteJSON(cmd.OutOrStdout(), rep)
			} else {
				err = calm.WriteText(cmd.OutOrStdout(), rep)
			}
			if err != nil {
				return err
			}
			if !rep.Confluent {
				return exitCode(ExitViolation)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringArrayVar(&outcomes, "outcome", nil, "also judge this relation as an outcome (repeatable)")
	return cmd
}
