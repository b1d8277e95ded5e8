//go:build tools

// Package tools pins the YAML language host `make pulumi` builds, so go.sum covers it.
package tools

import (
	_ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
)
