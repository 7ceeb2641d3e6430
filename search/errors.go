package search

import (
	"errors"
	"fmt"
)

// ErrInternal is wrapped by the errors of Check that are a bug of ldfi
// rather than a problem of the program or the configuration: a solver
// failure, a run that fails on a schedule the search built, a
// counterexample that does not replay. Every other error of Check describes
// bad input.
var ErrInternal = errors.New("internal error")

// internalError marks err as an internal error (once).
func internalError(err error) error {
	if err == nil || errors.Is(err, ErrInternal) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrInternal, err)
}
