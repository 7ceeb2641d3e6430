package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// writeInPlace rewrites the file at path with data, for fmt --write: a
// symlink is followed and its target written, the file is written through
// its own inode (so hard links, mode and owner stay), and a file that
// cannot be written is refused rather than replaced (a rename in a
// writable directory would replace even a read-only file of another user).
// The content is written before the file is cut to its new length, so that
// a failed write leaves at worst the old text followed by part of the new,
// never an empty file.
func writeInPlace(path string, data []byte) error {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return err
	}
	st, err := os.Stat(target)
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("not a regular file (%s): not written", st.Mode().Type())
	}
	if st.Mode().Perm()&0o222 == 0 {
		return fmt.Errorf("read-only file (mode %04o): not written", st.Mode().Perm())
	}
	f, err := os.OpenFile(target, os.O_WRONLY, 0)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("cannot write the file (permission denied): not written")
		}
		return err
	}
	_, werr := f.WriteAt(data, 0)
	var terr, serr error
	if werr == nil {
		terr = f.Truncate(int64(len(data)))
		serr = f.Sync()
	}
	cerr := f.Close()
	return firstErr(werr, terr, serr, cerr)
}
