package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ldfi/ldfi/dedalus"
)

const fmtExamples = `

Examples:
  # Print a program in canonical form:
  ldfi fmt prog.ded

  # Rewrite files in place (only files without syntax errors are written):
  ldfi fmt --write examples/*.ded

  # List the files whose formatting differs, as a CI check:
  ldfi fmt --list examples/*.ded`

func init() { register(15, newFmtCmd) }

func newFmtCmd() *cobra.Command {
	var write, list bool
	cmd := &cobra.Command{
		Use:   "fmt [flags] FILE...",
		Short: "Print Dedalus programs in canonical form, or rewrite them in place",
		Long: `fmt parses each file and prints it in canonical form: one clause per line,
", " between columns and body literals, spaces around operators, comments
kept, at most one blank line between clauses. Includes are not followed.

With --write each file is rewritten in place when its form changes: a
symlink's target is written, hard links, mode and owner are kept, and a file
that cannot be written (read-only) is refused (exit 2). With --list the
names of the files whose form would change are printed. A file with syntax errors is never written: its diagnostics are
printed on stderr and the exit code is 2.` + fmtExamples,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			failed := false
			for _, path := range files {
				src, err := dedalus.ReadSourceFile(path)
				if err != nil {
					fmt.Fprintf(cmd.ErrOrStderr(), "%s:1:1: cannot read %s: %v\n", path, path, unwrapPathError(err))
					failed = true
					continue
				}
				f, err := dedalus.ParseFile(path, src)
				if err != nil {
					fmt.Fprintln(cmd.ErrOrStderr(), err)
					failed = true
					continue
				}
				out := []byte(f.String())
				changed := string(out) != src
				switch {
				case list:
					if changed {
						fmt.Fprintln(cmd.OutOrStdout(), path)
					}
					if write && changed {
						if err := writeInPlace(path, out); err != nil {
							fmt.Fprintf(cmd.ErrOrStderr(), "%s: %v\n", path, err)
							failed = true
						}
					}
				case write:
					if changed {
						if err := writeInPlace(path, out); err != nil {
							fmt.Fprintf(cmd.ErrOrStderr(), "%s: %v\n", path, err)
							failed = true
						}
					}
				default:
					cmd.OutOrStdout().Write(out)
				}
			}
			if failed {
				return exitCode(ExitBadInput)
			}
			return nil
		},
	}
	cmd.Flags().BoolVarP(&write, "write", "w", false, "rewrite the files in place")
	cmd.Flags().BoolVarP(&list, "list", "l", false, "list the files whose formatting differs")
	return cmd
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// writeFileAtomic replaces path with data through a temporary file in the
// same directory, keeping the file's mode.
func writeFileAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ldfi-fmt-*")
	if err != nil {
		return err
	}
	name := tmp.Name()
	_, werr := tmp.Write(data)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := firstErr(werr, serr, cerr, os.Chmod(name, mode)); err != nil {
		os.Remove(name)
		return err
	}
	if err := os.Rename(name, path); err != nil {
		os.Remove(name)
		return err
	}
	return nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
