package cli

import (
	"errors"
	"fmt"

	"github.com/ldfi/ldfi/eval"
	"github.com/ldfi/ldfi/search"
)

// internalHint follows every internal error.
const internalHint = "this is a bug in ldfi, not a problem of your program: please report it with the command line and the program"

// internalError ends the command with exit 4: something went wrong that is
// not the user's fault.
func internalError(err error) error {
	if !errors.Is(err, search.ErrInternal) {
		err = fmt.Errorf("internal error: %w", err)
	}
	return &exitError{code: ExitInternal, err: fmt.Errorf("%w\n%s", err, internalHint)}
}

// searchError maps an error of search.Check to its exit code, naming the
// flag where the library describes a bound: internal errors exit 4, the
// tuple limit 3, every other one is bad input (exit 2).
func searchError(err error) error {
	switch {
	case errors.Is(err, search.ErrInternal):
		return internalError(err)
	case errors.Is(err, search.ErrSpaceTooLarge):
		return usageError("--max-runs: %v (raise --max-runs, or use --strategy ldfi)", err)
	case errors.Is(err, eval.ErrTupleLimit):
		return tupleLimitError(err) // a limit, like --max-runs: exit 3
	}
	return usageError("%v", boundsFlagError(err))
}
