// Command elib is the content element library and similarity-fingerprint
// engine for short-video marketing teams. See README.md and `elib help`.
package main

import "os"

func main() {
	os.Exit(Execute(os.Args[1:]))
}
