package report

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/ldfi/ldfi/dedalus"
	"github.com/ldfi/ldfi/search"
)

// Write writes the report of a search into dir: runs.json (the summary).
// Files are written to a temporary name and renamed, so a failed write
// leaves no half-written file.
func Write(dir string, prog *dedalus.Program, cfg search.Config, res *search.Result, sum *Summary) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	data, err := JSON(sum)
	if err != nil {
		return err
	}
	return writeAtomic(filepath.Join(dir, "runs.json"), data)
}

func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".ldfi-*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
