package jsonpos

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func TestParseTree(t *testing.T) {
	in := "\xEF\xBB\xBF{\r\n  \"b\": [1, -2.5e+3, true, false, null],\r\n  \"a\": {\"s\": \"x\\u00e9\\n\\/\"},\r\n  \"b\": \"dup\"\r\n}\r\n"
	v, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	want := &Value{Kind: Object, Offset: 3, End: 92, Members: []Member{
		{Key: "b", KeyOffset: 8, Value: &Value{Kind: Array, Offset: 13, End: 44, Elems: []*Value{
			{Kind: Number, Offset: 14, End: 15, Str: "1"},
			{Kind: Number, Offset: 17, End: 24, Str: "-2.5e+3"},
			{Kind: Bool, Offset: 26, End: 30, Bool: true},
			{Kind: Bool, Offset: 32, End: 37},
			{Kind: Null, Offset: 39, End: 43},
		}}},
		{Key: "a", KeyOffset: 49, Value: &Value{Kind: Object, Offset: 54, End: 74, Members: []Member{
			{Key: "s", KeyOffset: 55, Value: &Value{Kind: String, Offset: 60, End: 73, Str: "xé\n/"}},
		}}},
		{Key: "b", KeyOffset: 79, Value: &Value{Kind: String, Offset: 84, End: 89, Str: "dup"}},
	}}
	if diff := cmp.Diff(want, v); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	// Offsets point at the values themselves, and Offset:End is a value's text.
	for _, m := range v.Members {
		if in[m.KeyOffset] != '"' {
			t.Errorf("key %q offset %d points at %q", m.Key, m.KeyOffset, in[m.KeyOffset])
		}
		if text := in[m.Value.Offset:m.Value.End]; !json.Valid([]byte(text)) {
			t.Errorf("key %q: value text %q is not JSON", m.Key, text)
		}
	}
}

func TestPosition(t *testing.T) {
	data := []byte("\xEF\xBB\xBFab\r\ncé\nx")
	tests := []struct{ off, line, col int }{
		{0, 1, 1}, {3, 1, 1}, {4, 1, 2}, {5, 1, 3}, {6, 1, 4}, // "\r" is a column, "\n" ends the line
		{7, 2, 1}, {8, 2, 2}, {10, 2, 3}, {11, 3, 1}, {12, 3, 2}, {99, 3, 2},
	}
	for _, tt := range tests {
		if line, col := Position(data, tt.off); line != tt.line || col != tt.col {
			t.Errorf("Position(%d) = %d:%d, want %d:%d", tt.off, line, col, tt.line, tt.col)
		}
	}
}

func TestSyntaxErrors(t *testing.T) {
	tests := []struct {
		in   string
		off  int
		want string
	}{
		{"", 0, "unexpected end of file, expected a value"},
		{"   ", 3, "unexpected end of file, expected a value"},
		{"{", 1, "unexpected end of file, expected a string key"},
		{`{"a"`, 4, `unexpected end of file, expected ':' after key "a"`},
		{`{"a":}`, 5, "unexpected character '}', expected a value"},
		{`{"a":1,}`, 7, "unexpected character '}', expected a string key"},
		{`{"a":1 "b":2}`, 7, `unexpected character '"', expected ',' or '}' after the value of "a"`},
		{`[1,]`, 3, "unexpected character ']', expected a value"},
		{`[1 2]`, 3, "unexpected character '2', expected ',' or ']' after an array element"},
		{`{'a':1}`, 1, `unexpected character '\'', expected a string key`},
		{`{a:1}`, 1, "unexpected character 'a', expected a string key"},
		{`tru`, 0, "invalid literal, expected true"},
		{`nul`, 0, "invalid literal, expected null"},
		{`01`, 1, "a number cannot have a leading zero"},
		{`-`, 1, "unexpected end of file in a number, expected a digit"},
		{`1.`, 2, "unexpected end of file in a number, expected a digit"},
		{`1e`, 2, "unexpected end of file in a number, expected a digit"},
		{`+1`, 0, "unexpected character '+', expected a value"},
		{`"abc`, 0, "string not terminated"},
		{"\"a\tb\"", 2, "control character U+0009 in a string (escape it)"},
		{`"\x"`, 1, `invalid escape sequence "\\x" in a string`},
		{`"\u12"`, 1, `invalid \u escape, expected four hex digits`},
		{`"\u12G4"`, 1, `invalid \u escape, expected four hex digits`},
		{"\"\xff\"", 1, "invalid UTF-8 byte 0xff in a string"},
		{"\xff", 0, "invalid UTF-8 byte 0xff, expected a value"},
		{`{} {}`, 3, "unexpected character '{' after the end of the top-level value"},
		{`// c` + "\n{}", 0, "unexpected character '/', expected a value"},
		{"\xFE\xFF\x00{", 0, "the file is UTF-16 encoded; save it as UTF-8"},
		{strings.Repeat("[", MaxDepth+1), MaxDepth, "nested more than 256 levels deep"},
	}
	for _, tt := range tests {
		_, err := Parse([]byte(tt.in))
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) err = %v, want *SyntaxError", tt.in, err)
			continue
		}
		if se.Offset != tt.off || se.Msg != tt.want {
			t.Errorf("Parse(%q) = offset %d %q, want offset %d %q", tt.in, se.Offset, se.Msg, tt.off, tt.want)
		}
	}
}

func TestDepthLimitAllowsMaxDepth(t *testing.T) {
	in := strings.Repeat("[", MaxDepth) + strings.Repeat("]", MaxDepth)
	if _, err := Parse([]byte(in)); err != nil {
		t.Errorf("depth %d rejected: %v", MaxDepth, err)
	}
}

func TestSurrogates(t *testing.T) {
	for in, want := range map[string]string{
		`"\ud83d\ude00"`: "😀",
		`"\ud83d"`:       "\uFFFD",
		`"\ud83dx"`:      "\uFFFDx",
		`"\ude00\ud83d"`: "\uFFFD\uFFFD",
		`"\ud83d\u0041"`: "\uFFFDA",
	} {
		v, err := Parse([]byte(in))
		if err != nil {
			t.Errorf("Parse(%s): %v", in, err)
			continue
		}
		if v.Str != want {
			t.Errorf("Parse(%s) = %q, want %q", in, v.Str, want)
		}
	}
}

// plain turns a tree into what encoding/json decodes (last duplicate wins).
func plain(v *Value) any {
	switch v.Kind {
	case Bool:
		return v.Bool
	case Number:
		return json.Number(v.Str)
	case String:
		return v.Str
	case Object:
		m := map[string]any{}
		for _, mem := range v.Members {
			m[mem.Key] = plain(mem.Value)
		}
		return m
	case Array:
		a := []any{}
		for _, e := range v.Elems {
			a = append(a, plain(e))
		}
		return a
	}
	return nil
}

// FuzzParse checks Parse against encoding/json: on valid UTF-8 they accept
// the same documents and decode the same values; errors carry an offset
// inside the data.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"dependencies": {"com.example.a": "1.0.0"}, "x": [1, 2.5e-3, true, null]}`,
		"\xEF\xBB\xBF{\r\n}\r\n", `"\ud83d\ude00\ud800"`, `[{"a":{"b":[]}}]`, `-0.0E+1`, `{"a":1,"a":2}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Parse(data)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Offset < 0 || se.Offset > len(data) || se.Msg == "" {
				t.Fatalf("bad error %#v", err)
			}
		}
		body := bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
		if !utf8.Valid(body) || bytes.Count(body, []byte("["))+bytes.Count(body, []byte("{")) > MaxDepth {
			return
		}
		if valid := json.Valid(body); valid != (err == nil) {
			t.Fatalf("encoding/json valid=%v, jsonpos err=%v", valid, err)
		}
		if err != nil {
			return
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var want any
		if err := dec.Decode(&want); err != nil {
			t.Fatalf("encoding/json: %v", err)
		}
		if diff := cmp.Diff(want, plain(v)); diff != "" {
			t.Fatalf("decoded values differ (-encoding/json +jsonpos):\n%s", diff)
		}
	})
}

// FuzzCursor checks that a Cursor gives Position's answer for every offset
// of a sequence, rising or not, in any bytes (a BOM, CRLF, invalid UTF-8,
// offsets inside a character).
func FuzzCursor(f *testing.F) {
	f.Add([]byte("\xEF\xBB\xBF{\"a\": \"é\",\r\n \"b\": 1}"), []byte{0, 3, 5, 9, 12, 2, 20})
	f.Add([]byte("a\xffé\n\n\xe2\x82"), []byte{1, 2, 3, 4, 9, 1})
	f.Fuzz(func(t *testing.T, data, offsets []byte) {
		c := NewCursor(data)
		for _, o := range offsets {
			off := int(o)
			line, col := c.Position(off)
			wl, wc := Position(data, off)
			if line != wl || col != wc {
				t.Fatalf("Cursor.Position(%d) = %d:%d, Position = %d:%d (data %q, offsets %v)", off, line, col, wl, wc, data, offsets)
			}
		}
	})
}
