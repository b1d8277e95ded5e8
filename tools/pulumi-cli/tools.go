//go:build tools

// Package tools pins the CLI package `make pulumi` builds, so go.sum covers it.
package tools

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
