package jsonorder

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

type member struct{ name, value string }

func members(data string) ([]member, error) {
	var out []member
	err := StringMembers([]byte(data), func(name, value string) error {
		out = append(out, member{name, value})
		return nil
	})
	return out, err
}

func TestStringMembersKeepsOrder(t *testing.T) {
	got, err := members(" {\"com.b\": \"1.0.0\", \"com.a\":\"^2\" ,\n\"com.b\": \"3\", \"\\u0063om.\\\"q\\\"\": \"caf\\u00e9\"} \n")
	if err != nil {
		t.Fatal(err)
	}
	want := []member{{"com.b", "1.0.0"}, {"com.a", "^2"}, {"com.b", "3"}, {`com."q"`, "café"}}
	if len(got) != len(want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("member %d = %q, want %q", i, got[i], want[i])
		}
	}
	if got, err := members("{}"); err != nil || len(got) != 0 {
		t.Errorf("{} = %q, %v", got, err)
	}
}

func TestStringMembersRefuses(t *testing.T) {
	for _, in := range []string{
		``, `[]`, `"x"`, `null`, `{`, `{"a"}`, `{"a":}`, `{"a":"1",}`, `{"a":1}`, `{"a":null}`,
		`{"a":{"b":"c"}}`, `{"a":["1"]}`, `{"a":"1"} {}`, `{"a":"1"}x`, `{"a" "1"}`, `{1:"1"}`,
	} {
		if got, err := members(in); err == nil {
			t.Errorf("%q = %q, want an error", in, got)
		}
	}
	if _, err := members(`{"a":1}`); err == nil || !strings.Contains(err.Error(), `"a"`) {
		t.Errorf("a number value: %v, want an error naming the member", err)
	}
	stop := errors.New("stop")
	n := 0
	err := StringMembers([]byte(`{"a":"1","b":"2"}`), func(string, string) error { n++; return stop })
	if !errors.Is(err, stop) || n != 1 {
		t.Errorf("each's error: %v after %d calls, want stop after 1", err, n)
	}
}

// FuzzStringMembers: StringMembers accepts exactly the JSON objects of
// strings encoding/json accepts, and yields what it decodes.
func FuzzStringMembers(f *testing.F) {
	for _, s := range []string{`{"a":"1","b":"2"}`, `{}`, ` {"\u00e9":"\n"} `, `{"a":1}`, `[]`, `{"a":"1",}`, `{"a":"1"}{}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := map[string]string{}
		err := StringMembers(data, func(name, value string) error {
			got[name] = value
			return nil
		})
		var want map[string]string
		werr := json.Unmarshal(data, &want)
		if werr == nil && want == nil {
			werr = errors.New("null")
		}
		if (err == nil) != (werr == nil) {
			t.Fatalf("StringMembers: %v; encoding/json: %v", err, werr)
		}
		if err != nil {
			return
		}
		if len(got) != len(want) {
			t.Fatalf("got %q, want %q", got, want)
		}
		for k, v := range want {
			if got[k] != v {
				t.Fatalf("%q = %q, want %q", k, got[k], v)
			}
		}
	})
}
