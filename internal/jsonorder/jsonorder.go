// Package jsonorder reads a JSON object of strings, such as a package's
// "dependencies", member by member in the order written: Go maps lose the
// order, and UPM keeps it (lock files list dependencies as registries and
// tables give them). It tokenizes with segmentio's encoding/json, without
// the allocations and the reflection of encoding/json's Decoder.Token,
// which made decoding the built-in package tables a millisecond of every
// install.
package jsonorder

import (
	"errors"
	"fmt"

	segjson "github.com/segmentio/encoding/json"
)

// StringMembers calls each with the name and value of every member of the
// JSON object data, in order. data must be one object (surrounding space
// allowed) whose values are all strings; duplicated names are passed as
// they come, for the caller to rule on. An error from each stops the walk
// and is returned.
func StringMembers(data []byte, each func(name, value string) error) error {
	if !segjson.Valid(data) {
		return errors.New("not valid JSON")
	}
	t := segjson.NewTokenizer(data)
	if !t.Next() || t.Delim != '{' {
		return errors.New("not an object")
	}
	for {
		// A member's name, or the end of the object.
		if !t.Next() {
			return tokenErr(t)
		}
		if t.Delim == '}' {
			break
		}
		if t.Delim == ',' && !t.Next() {
			return tokenErr(t)
		}
		if !t.IsKey || t.Kind().Class() != segjson.String {
			return errors.New("not an object")
		}
		name := string(t.String())
		if !t.Next() || t.Delim != ':' || !t.Next() {
			return tokenErr(t)
		}
		if t.Delim != 0 || t.Kind().Class() != segjson.String {
			return fmt.Errorf("%q: the value is not a string", name)
		}
		if err := each(name, string(t.String())); err != nil {
			return err
		}
	}
	if t.Next() {
		return errors.New("trailing data after the object")
	}
	return t.Err
}

// tokenErr is the tokenizer's error, or one for input that ended early
// (which segjson.Valid lets through only if it is wrong).
func tokenErr(t *segjson.Tokenizer) error {
	if t.Err != nil {
		return t.Err
	}
	return errors.New("the object ends early")
}
