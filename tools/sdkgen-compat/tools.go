//go:build tools

// Package tools pins the main package `make sdks` builds for Java, so go.sum covers it.
package tools

import (
	_ "github.com/pulumi/pulumi-java/pkg/cmd/pulumi-java-gen"
)
