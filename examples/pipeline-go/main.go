//go:build !inline

// `pulumi up` of this folder (runtime: go) runs this main: the program is in program.go.
package main

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

func main() {
	pulumi.Run(program)
}
