//go:build !unix

package dedalus

import "time"

func cpuTime() time.Duration { return 0 }
