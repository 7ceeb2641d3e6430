//go:build unix

package layoutcache

import (
	"os"
	"syscall"
)

// owned reports whether the file belongs to the user, is writable by the
// user alone, and is a regular file or a directory the user can write.
func owned(st os.FileInfo) bool {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok || int(sys.Uid) != os.Getuid() {
		return false
	}
	m := st.Mode()
	if m.Perm()&0o022 != 0 || m.Perm()&0o600 != 0o600 {
		return false
	}
	return m.IsRegular() || m.IsDir() && m.Perm()&0o100 != 0
}
