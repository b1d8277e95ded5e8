// Command pulumi-sdkgen writes the Node.js or Go SDK of a Pulumi package from its schema.
//
//	pulumi-sdkgen <schema.json> nodejs|python|go <out folder>
//
// It runs Pulumi's own code generators (pkg/v3/codegen/{nodejs,python,go}, the ones the
// language hosts run when `pulumi package gen-sdk` asks them). Those hosts cannot be built from
// the Go module proxy, and the CLI delegates gen-sdk to them, so `make pulumi` builds this
// instead (docs/reference/pulumi-cli-build.md). The layout is gen-sdk's: <out>/nodejs/,
// <out>/python/ and <out>/go/<package>/, plus a <out>/go.mod for the Go module the schema's
// importBasePath names.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/blang/semver"
	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/nodejs"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

const tool = "pulumi-sdkgen"

func main() {
	if len(os.Args) != 4 || (os.Args[2] != "nodejs" && os.Args[2] != "python" && os.Args[2] != "go") {
		fmt.Fprintln(os.Stderr, "usage: pulumi-sdkgen <schema.json> nodejs|python|go <out folder>")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-sdkgen: %v\n", err)
		os.Exit(1)
	}
}

func run(schemaPath, language, out string) error {
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	pkg, diags, err := schema.BindSpec(spec, noLoader{}, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return diags
	}
	var files map[string][]byte
	switch language {
	case "nodejs":
		files, err = nodejs.GeneratePackage(tool, pkg, nil, nil, false, noLoader{})
	case "python":
		files, err = python.GeneratePackage(tool, pkg, nil, noLoader{})
	case "go":
		files, err = gogen.GeneratePackage(tool, pkg, nil)
		if err == nil {
			files, err = withGoMod(pkg, files)
		}
	}
	if err != nil {
		return err
	}
	root := filepath.Join(out, language)
	if err := os.RemoveAll(root); err != nil {
		return err
	}
	for name, content := range files {
		path := filepath.Join(root, filepath.FromSlash(name))
		if name == "../go.mod" {
			path = filepath.Join(out, "go.mod")
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("%s SDK of %s %s: %d files in %s\n", language, pkg.Name, pkg.Version, len(files), root)
	return nil
}

// withGoMod adds <out>/go.mod: the module is importBasePath up to its "/go/" folder, as in
// the official layout (github.com/<org>/pulumi-<name>/sdk holding go/<package>).
func withGoMod(pkg *schema.Package, files map[string][]byte) (map[string][]byte, error) {
	info, _ := pkg.Language["go"].(gogen.GoPackageInfo)
	base := info.ImportBasePath
	i := strings.LastIndex(base, "/go/")
	if i < 0 {
		return nil, fmt.Errorf("importBasePath %q has no /go/ folder to put a go.mod above", base)
	}
	files["../go.mod"] = []byte(fmt.Sprintf(
		"module %s\n\ngo 1.22\n\nrequire github.com/pulumi/pulumi/sdk/v3 v3.274.1\n", base[:i]))
	return files, nil
}

// noLoader loads no other package: the schema must be self-contained (it is: it references
// only its own types and Pulumi's built-in ones).
type noLoader struct{}

func (noLoader) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema references package %q; pulumi-sdkgen loads no others", name)
}

func (l noLoader) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return l.LoadPackage(d.Name, nil)
}

func (l noLoader) LoadPackageReference(name string, v *semver.Version) (schema.PackageReference, error) {
	_, err := l.LoadPackage(name, v)
	return nil, err
}

func (l noLoader) LoadPackageReferenceV2(
	_ context.Context, d *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return l.LoadPackageReference(d.Name, nil)
}
