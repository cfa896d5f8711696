package registry

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// bigPackument is shaped like a popular package's document on a Unity
// registry: versions × (display name, description, unity fields, a few
// dependencies, dist, and the fields UPM does not read: keywords, samples,
// repository, a changelog, publisher metadata).
func bigPackument(versions int) []byte {
	vs := map[string]any{}
	times := map[string]any{"modified": "2026-11-01T10:00:00.000Z", "created": "2020-01-01T10:00:00.000Z"}
	for i := range versions {
		v := fmt.Sprintf("%d.%d.%d", 10+i/50, (i/10)%5, i%10)
		deps := map[string]any{"com.unity.mathematics": "1.2.6", "com.unity.ugui": "1.0.0", "com.unity.modules.physics": "1.0.0", "com.unity.burst": fmt.Sprintf("1.8.%d", i%12)}
		vs[v] = map[string]any{
			"name": "com.example.render-pipelines.core", "version": v, "displayName": "Core RP Library",
			"description": strings.Repeat("SRP Core makes it easier to create or customize a Scriptable Render Pipeline. ", 6),
			"unity":       "2022.3", "unityRelease": "0f1", "dependencies": deps,
			"keywords":   []string{"srp", "pipeline", "core", "render", "graphics"},
			"samples":    []map[string]string{{"displayName": "Common", "description": "Common assets", "path": "Samples~/Common"}},
			"repository": map[string]string{"url": "https://example.com/graphics.git", "type": "git", "revision": strings.Repeat("ab", 20)},
			"_upm":       map[string]string{"changelog": strings.Repeat("### Fixed\n- Fixed an issue with the render graph.\n", 25)},
			"_id":        "com.example.render-pipelines.core@" + v,
			"_npmUser":   map[string]string{"name": "publisher", "email": "publisher@example.com"},
			"dist": map[string]any{
				"tarball":   "https://registry.example.com/com.example.render-pipelines.core/-/com.example.render-pipelines.core-" + v + ".tgz",
				"shasum":    strings.Repeat("0f", 20),
				"integrity": "sha512-" + strings.Repeat("A", 86) + "==",
			},
		}
		times[v] = "2024-01-01T10:00:00.000Z"
	}
	data, err := json.Marshal(map[string]any{
		"_id": "com.example.render-pipelines.core", "name": "com.example.render-pipelines.core",
		"dist-tags": map[string]string{"latest": "13.4.9"}, "versions": vs, "time": times,
		"description": "Core RP Library", "readme": strings.Repeat("A readme line.\n", 200),
	})
	if err != nil {
		panic(err)
	}
	return data
}

// BenchmarkDecodePackument decodes a 200-version document shaped like a
// render pipeline's on a Unity registry: every resolution decodes one per
// package, from the network or from the packument cache.
func BenchmarkDecodePackument(b *testing.B) {
	data := bigPackument(200)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		p, err := DecodePackument(data)
		if err != nil || len(p.Versions) != 200 {
			b.Fatalf("%d versions, %v", len(p.Versions), err)
		}
	}
}
