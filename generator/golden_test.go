package generator

import "flag"

// update makes golden-file tests rewrite their golden files: go test -update.
var update = flag.Bool("update", false, "rewrite golden files")
