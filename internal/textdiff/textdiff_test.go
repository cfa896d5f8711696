package textdiff

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnified(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		want     string
	}{
		{name: "equal", old: "a\nb\n", new: "a\nb\n", want: ""},
		{
			name: "insert",
			old:  "{\n  \"dependencies\": {\n    \"a\": \"1\"\n  }\n}\n",
			new:  "{\n  \"dependencies\": {\n    \"a\": \"1\",\n    \"b\": \"2\"\n  }\n}\n",
			want: "--- a/manifest.json\n+++ b/manifest.json\n@@ -1,5 +1,6 @@\n {\n   \"dependencies\": {\n-    \"a\": \"1\"\n+    \"a\": \"1\",\n+    \"b\": \"2\"\n   }\n }\n",
		},
		{
			name: "no final newline",
			old:  "{\n  \"a\": 1\n}",
			new:  "{\n  \"a\": 2\n}",
			want: "--- a/manifest.json\n+++ b/manifest.json\n@@ -1,3 +1,3 @@\n {\n-  \"a\": 1\n+  \"a\": 2\n }\n\\ No newline at end of file\n",
		},
		{
			name: "final newline added",
			old:  "x\ny",
			new:  "x\ny\n",
			want: "--- a/manifest.json\n+++ b/manifest.json\n@@ -1,2 +1,2 @@\n x\n-y\n\\ No newline at end of file\n+y\n",
		},
		{
			name: "CRLF file",
			old:  "{\r\n  \"a\": 1\r\n}\r\n",
			new:  "{\r\n  \"a\": 2\r\n}\r\n",
			want: "--- a/manifest.json (CRLF)\n+++ b/manifest.json (CRLF)\n@@ -1,3 +1,3 @@\n {\n-  \"a\": 1\n+  \"a\": 2\n }\n",
		},
		{
			name: "CRLF without final newline",
			old:  "{\r\n  \"a\": 1\r\n}",
			new:  "{\r\n  \"a\": 2\r\n}",
			want: "--- a/manifest.json (CRLF)\n+++ b/manifest.json (CRLF)\n@@ -1,3 +1,3 @@\n {\n-  \"a\": 1\n+  \"a\": 2\n }\n\\ No newline at end of file\n",
		},
		{
			name: "mixed line endings",
			old:  "a\r\nb\nc\n",
			new:  "a\r\nb\r\nc\n",
			want: "--- a/manifest.json\n+++ b/manifest.json\n@@ -1,3 +1,3 @@\n a␍\n-b\n+b␍\n c\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Unified("a/manifest.json", "b/manifest.json", []byte(tt.old), []byte(tt.new))
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s\ngot:\n%s", diff, got)
			}
		})
	}
}
