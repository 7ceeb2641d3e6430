// Command ldfi finds fault-tolerance bugs in Dedalus protocols by
// lineage-driven fault injection. See README.md and `ldfi --help`.
package main

import (
	"os"

	"github.com/ldfi/ldfi/internal/cli"
)

func main() { os.Exit(cli.Main()) }
