//go:build tools

// Package tools pins the main packages `make pulumi` builds, so go.sum covers them.
package tools

import (
	_ "github.com/pulumi/pulumi-yaml/cmd/pulumi-language-yaml"
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)
