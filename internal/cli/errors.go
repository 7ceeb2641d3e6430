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

// evidenceError maps an error of the runs re-made for the text and the
// report: the program's own failures (its arithmetic overflows, it derives
// past --max-tuples) are what they are in the search, whose first runs a
// time limit or an interrupt may have cut short; anything else is a bug.
func evidenceError(err error) error {
	switch {
	case errors.Is(err, eval.ErrTupleLimit):
		return tupleLimitError(err)
	case errors.Is(err, eval.ErrOverflow):
		return usageError("%v", err)
	}
	return internalError(err)
}
