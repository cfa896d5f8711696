package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"
)

// childArg, as bench's first argument, makes it the go-between that runs one
// measured install: bench -measure-child RESULT_FILE COMMAND [ARG…] runs
// COMMAND, passes its output and exit code through and writes its time and
// peak memory to RESULT_FILE as JSON (a childResult).
//
// Why a go-between: on Linux a child's max RSS counts the memory of the
// process that started it, as it was when the child called exec (Go starts
// children with vfork, so the child's old address space is the parent's
// itself). The benchmark holds hundreds of MB of generated tarballs while it
// publishes, and every tool it started directly was reported at that size
// (1.6 GB for a 7 ms no-op install with the bigtarball profile). The
// go-between is a fresh, small process (a few MB), so its children's figures
// are their own, plus at most its few MB. It times the command too, so that
// its own start-up is not counted.
const childArg = "-measure-child"

// childResult is what the go-between reports about one command.
type childResult struct {
	Nanoseconds int64 `json:"ns"`
	MaxRSS      int64 `json:"maxRSS"`
}

// measured runs cmd (not started) through the go-between and returns its
// time and peak memory; cmd's combined output is in the error when it fails.
func measured(cmd *exec.Cmd, resultFile string) (time.Duration, int64, error) {
	self, err := os.Executable()
	if err != nil {
		return 0, 0, fmt.Errorf("find the bench executable: %w", err)
	}
	w := exec.Command(self, append([]string{childArg, resultFile, cmd.Path}, cmd.Args[1:]...)...)
	w.Env, w.Dir = cmd.Env, cmd.Dir
	if out, err := w.CombinedOutput(); err != nil {
		return 0, 0, fmt.Errorf("%v: %s", err, out)
	}
	b, err := os.ReadFile(resultFile)
	if err != nil {
		return 0, 0, fmt.Errorf("read the go-between's result: %w", err)
	}
	var r childResult
	if err := json.Unmarshal(b, &r); err != nil {
		return 0, 0, fmt.Errorf("read the go-between's result %s: %w", resultFile, err)
	}
	return time.Duration(r.Nanoseconds), r.MaxRSS, nil
}

// runChild is the go-between's main (args: RESULT_FILE COMMAND [ARG…]); it
// returns the exit code.
func runChild(args []string) int {
	if len(args) < 2 {
		fmt.Fprintf(os.Stderr, "bench %s: want RESULT_FILE COMMAND [ARG…]\n", childArg)
		return 2
	}
	cmd := exec.Command(args[1], args[2:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		return exit.ExitCode()
	case err != nil:
		fmt.Fprintf(os.Stderr, "bench %s: %v\n", childArg, err)
		return 1
	}
	b, _ := json.Marshal(childResult{Nanoseconds: d.Nanoseconds(), MaxRSS: maxRSS(cmd.ProcessState)})
	if err := os.WriteFile(args[0], b, 0o644); err != nil {
		fmt.Fprintf(os.Stderr, "bench %s: %v\n", childArg, err)
		return 1
	}
	return 0
}
