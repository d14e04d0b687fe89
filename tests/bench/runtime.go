package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// ociRuntime is one OCI runtime under test, with its own --root, bundles and
// container id prefix, so that runtimes never see each other's containers.
type ociRuntime struct {
	name    string // skiff, runc, crun
	path    string
	version string // first line of --version
	dir     string // private temp dir: root/, bundles, command output
	root    string // --root
	prefix  string // every container id starts with it
	timeout time.Duration

	// bundles, by the process they run
	bundleTrue  string // /bin/true
	bundleSleep string // sleep 1000000
	bundleMem   string // /bin/true under a memory limit, rewritten per step
	// bundleSeccomp runs /bin/true under a seccomp profile (Docker's).
	bundleSeccomp string

	mu   sync.Mutex
	live map[string]bool // ids possibly still present, for cleanup
}

// track notes that id may exist from now on; forget, that it is gone.
func (r *ociRuntime) track(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.live[id] = true
}

func (r *ociRuntime) forget(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.live, id)
}

// id names container i of benchmark b for this runtime.
func (r *ociRuntime) id(b string, i int) string {
	return fmt.Sprintf("%s-%s%d", r.prefix, b, i)
}

// cmdError is a runtime command that failed: its exit status and output.
type cmdError struct {
	args   []string
	err    error
	output string
}

func (e *cmdError) Error() string {
	out := strings.TrimSpace(e.output)
	if i := strings.LastIndexByte(out, '\n'); i >= 0 {
		out = out[i+1:] // runtimes put the reason on the last line
	}
	if out == "" {
		return fmt.Sprintf("%s: %v", strings.Join(e.args, " "), e.err)
	}
	return fmt.Sprintf("%s: %v: %s", strings.Join(e.args, " "), e.err, out)
}

// command runs `runtime --root R args...` with stdin from /dev/null and
// stdout+stderr into a fresh file (never a pipe: a pipe would keep the
// command's wait tied to whoever else holds its write end, such as the
// container process). It returns the wall time from fork to reaped exit,
// the output, and a *cmdError if the command did not exit 0.
func (r *ociRuntime) command(ctx context.Context, args ...string) (time.Duration, []byte, error) {
	return r.commandWrapped(ctx, nil, args...)
}

// commandWrapped is command with the runtime started by wrapper (e.g.
// GNU time) rather than directly.
func (r *ociRuntime) commandWrapped(ctx context.Context, wrapper []string, args ...string) (time.Duration, []byte, error) {
	full := append([]string{r.path, "--root", r.root}, args...)
	full = append(append([]string(nil), wrapper...), full...)
	out, err := os.CreateTemp(r.dir, "out-")
	if err != nil {
		return 0, nil, err
	}
	defer os.Remove(out.Name())
	defer out.Close()
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, full[0], full[1:]...)
	cmd.Stdout, cmd.Stderr = out, out
	t0 := time.Now()
	err = cmd.Run()
	d := time.Since(t0)
	output, _ := os.ReadFile(out.Name())
	if err != nil {
		if ctx.Err() == context.DeadlineExceeded {
			err = fmt.Errorf("timed out after %v", r.timeout)
		}
		return d, output, &cmdError{args: append([]string{r.name}, args...), err: err, output: string(output)}
	}
	return d, output, nil
}

// ociState is the part of `state` output the bench reads.
type ociState struct {
	Status string `json:"status"`
	Pid    int    `json:"pid"`
}

func (r *ociRuntime) state(ctx context.Context, id string) (ociState, error) {
	var st ociState
	_, out, err := r.command(ctx, "state", id)
	if err != nil {
		return st, err
	}
	if err := json.Unmarshal(out, &st); err != nil {
		return st, fmt.Errorf("%s state %s: %v: %q", r.name, id, err, out)
	}
	return st, nil
}

// waitStopped polls state until the container is stopped (untimed glue
// between kill and delete).
func (r *ociRuntime) waitStopped(ctx context.Context, id string) error {
	deadline := time.Now().Add(r.timeout)
	for {
		st, err := r.state(ctx, id)
		if err != nil {
			return err
		}
		if st.Status == "stopped" {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s %s: still %s %v after kill", r.name, id, st.Status, r.timeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// forceDelete removes id whatever its status; errors are returned for
// reporting but the id is forgotten either way when it is gone.
func (r *ociRuntime) forceDelete(ctx context.Context, id string) error {
	_, _, err := r.command(ctx, "delete", "--force", id)
	if err == nil || !r.exists(ctx, id) {
		r.forget(id)
		return nil
	}
	return err
}

// exists asks the runtime itself whether it still knows id.
func (r *ociRuntime) exists(ctx context.Context, id string) bool {
	ids, err := r.list(ctx)
	if err != nil {
		return true
	}
	for _, x := range ids {
		if x == id {
			return true
		}
	}
	return false
}

// list returns the ids `list -q` prints.
func (r *ociRuntime) list(ctx context.Context) ([]string, error) {
	_, out, err := r.command(ctx, "list", "-q")
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(out)), nil
}

// cleanup force-deletes every container this runtime may still have and
// returns what it could not remove.
func (r *ociRuntime) cleanup(ctx context.Context) []string {
	var problems []string
	ids, err := r.list(ctx)
	if err != nil {
		problems = append(problems, err.Error())
	}
	for _, id := range ids {
		if strings.HasPrefix(id, r.prefix) {
			r.track(id)
		}
	}
	r.mu.Lock()
	var live []string
	for id := range r.live {
		live = append(live, id)
	}
	r.mu.Unlock()
	for _, id := range live {
		if err := r.forceDelete(ctx, id); err != nil {
			problems = append(problems, err.Error())
		}
	}
	return problems
}

// writeBundles writes the bundles: a config from `skiff spec` (the same
// base for every runtime), args adjusted, no terminal, the shared
// read-only rootfs; crun gets ociVersion 1.0.2, the newest it takes.
// seccomp, if set, is the linux.seccomp of bundleSeccomp.
func (r *ociRuntime) writeBundles(base map[string]any, rootfs string, seccomp any) error {
	r.bundleTrue = filepath.Join(r.dir, "bundle-true")
	r.bundleSleep = filepath.Join(r.dir, "bundle-sleep")
	r.bundleMem = filepath.Join(r.dir, "bundle-mem")
	if err := r.writeConfig(r.bundleTrue, base, rootfs, []string{"/bin/true"}, 0); err != nil {
		return err
	}
	if err := r.writeConfig(r.bundleSleep, base, rootfs, []string{"/bin/sleep", "1000000"}, 0); err != nil {
		return err
	}
	if seccomp != nil {
		withSeccomp := map[string]any{}
		if err := deepCopy(&withSeccomp, base); err != nil {
			return err
		}
		linux, _ := withSeccomp["linux"].(map[string]any)
		if linux == nil {
			return errors.New("skiff spec: config lacks linux")
		}
		linux["seccomp"] = seccomp
		r.bundleSeccomp = filepath.Join(r.dir, "bundle-seccomp")
		if err := r.writeConfig(r.bundleSeccomp, withSeccomp, rootfs, []string{"/bin/true"}, 0); err != nil {
			return err
		}
	}
	return r.writeConfig(r.bundleMem, base, rootfs, []string{"/bin/true"}, 64<<20)
}

// writeConfig writes dir/config.json: base with args, terminal false,
// root.path = rootfs and, if memLimit > 0, linux.resources.memory.limit.
func (r *ociRuntime) writeConfig(dir string, base map[string]any, rootfs string, args []string, memLimit int64) error {
	var c map[string]any
	if err := deepCopy(&c, base); err != nil {
		return err
	}
	proc, ok1 := c["process"].(map[string]any)
	root, ok2 := c["root"].(map[string]any)
	linux, ok3 := c["linux"].(map[string]any)
	if !ok1 || !ok2 || !ok3 {
		return errors.New("skiff spec: config lacks process, root or linux")
	}
	proc["terminal"] = false
	proc["args"] = args
	root["path"] = rootfs
	root["readonly"] = true
	if r.name == "crun" {
		c["ociVersion"] = "1.0.2"
	}
	if memLimit > 0 {
		res, _ := linux["resources"].(map[string]any)
		if res == nil {
			res = map[string]any{}
			linux["resources"] = res
		}
		res["memory"] = map[string]any{"limit": memLimit}
	}
	data, err := json.MarshalIndent(c, "", "\t")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "config.json"), data, 0o644)
}

func deepCopy(dst *map[string]any, src map[string]any) error {
	data, err := json.Marshal(src)
	if err != nil {
		return err
	}
	return json.Unmarshal(data, dst)
}

// versionOf returns the first line of `path --version`.
func versionOf(path string) string {
	out, err := exec.Command(path, "--version").Output()
	if err != nil {
		return "?"
	}
	line, _, _ := bytes.Cut(bytes.TrimSpace(out), []byte("\n"))
	return string(line)
}
