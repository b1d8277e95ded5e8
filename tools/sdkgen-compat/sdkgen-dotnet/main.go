// Command sdkgen-dotnet writes the .NET SDK of a Pulumi package schema with Pulumi's .NET code
// generator. It lives in pkg/v3 up to v3.171.0 (later in pulumi-dotnet, whose modules the Go
// module proxy here does not serve), so this module pins that release, as pulumi-java-gen needs.
//
// Usage: sdkgen-dotnet SCHEMA OUT writes the SDK into OUT (emptied first).
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/pkg/v3/codegen/dotnet"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

type logoOnly struct{ url string }

func (t logoOnly) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.String() != t.url {
		return nil, fmt.Errorf("sdkgen-dotnet makes no network requests (asked for %s)", req.URL)
	}
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	draw.Draw(img, img.Bounds(), &image.Uniform{color.RGBA{0x1f, 0x3a, 0x5f, 0xff}}, image.Point{}, draw.Src)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return &http.Response{
		StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"image/png"}}, Body: io.NopCloser(&buf),
		ContentLength: int64(buf.Len()), Request: req,
	}, nil
}

func run(schemaPath, out string) error {
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	// The schema refers to no other package, so no loader is needed beyond the default one.
	pkg, diags, err := schema.BindSpec(spec, nil, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return diags
	}
	// The generator downloads the package's logo (logoUrl) into logo.png, the NuGet icon.
	// Generation stays offline and reproducible: that one download is answered with a plain
	// 64x64 image drawn here, and any other request fails.
	http.DefaultTransport = logoOnly{url: pkg.LogoURL}
	files, err := dotnet.GeneratePackage("pulumi-language-dotnet", pkg, nil, nil)
	if err != nil {
		return err
	}
	if err := os.RemoveAll(out); err != nil {
		return err
	}
	for name, content := range files {
		path := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: sdkgen-dotnet SCHEMA OUT")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "sdkgen-dotnet:", err)
		os.Exit(1)
	}
}
