package bridgenet

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/vishvananda/netlink"
)

func TestNextFree(t *testing.T) {
	p := netip.MustParsePrefix
	a := netip.MustParseAddr
	for _, tc := range []struct {
		subnet string
		used   []string
		want   string // "" for exhausted
	}{
		{"10.88.0.0/24", nil, "10.88.0.2"},
		{"10.88.0.0/24", []string{"10.88.0.2", "10.88.0.3"}, "10.88.0.4"},
		{"10.88.0.0/24", []string{"10.88.0.3"}, "10.88.0.2"},
		{"10.88.0.0/30", nil, "10.88.0.2"},
		{"10.88.0.0/30", []string{"10.88.0.2"}, ""},
		{"10.88.0.252/30", []string{"10.88.0.254"}, ""},
		{"10.88.0.0/29", []string{"10.88.0.2", "10.88.0.3", "10.88.0.4", "10.88.0.5"}, "10.88.0.6"},
		{"10.88.0.0/29", []string{"10.88.0.2", "10.88.0.3", "10.88.0.4", "10.88.0.5", "10.88.0.6"}, ""},
	} {
		used := map[netip.Addr]bool{}
		for _, u := range tc.used {
			used[a(u)] = true
		}
		got, err := nextFree(p(tc.subnet), used)
		if tc.want == "" {
			if err == nil || !strings.Contains(err.Error(), "exhausted") {
				t.Errorf("%s %v: got %v, %v; want exhausted", tc.subnet, tc.used, got, err)
			}
			continue
		}
		if err != nil || got != a(tc.want) {
			t.Errorf("%s %v: got %v, %v; want %s", tc.subnet, tc.used, got, err, tc.want)
		}
	}
}

func TestParseSubnet(t *testing.T) {
	for s, want := range map[string]string{
		"10.88.0.0/24":  "",
		"10.88.0.0/30":  "",
		"10.88.0.0/31":  "too small",
		"10.88.0.5/24":  "did you mean 10.88.0.0/24",
		"fd00::/64":     "only IPv4",
		"10.88.0.0":     "--subnet",
		"10.88.0.0/240": "--subnet",
	} {
		_, err := parseSubnet(s)
		if want == "" && err != nil || want != "" && (err == nil || !strings.Contains(err.Error(), want)) {
			t.Errorf("parseSubnet(%q) = %v, want %q", s, err, want)
		}
	}
}

func TestVethNameFitsIFNAMSIZ(t *testing.T) {
	a, b := vethName(strings.Repeat("x", 1024)), vethName("web")
	if len(a) > 15 || a == b {
		t.Errorf("vethName: %q, %q", a, b)
	}
}

// testBridge gives a test a bridge name and state dir of its own, and
// removes the bridge at the end.
func testBridge(t *testing.T) Options {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	name := fmt.Sprintf("sktb%06x", rand.IntN(1<<24))
	t.Cleanup(func() { exec.Command("ip", "link", "del", name).Run() })
	return Options{Bridge: name, Subnet: "10.199.251.0/24", StateDir: t.TempDir()}
}

// netnsProcess starts a process in a new network namespace, as a
// container's init would be, and returns its state.
func netnsProcess(t *testing.T, id string) *specs.State {
	t.Helper()
	cmd := exec.Command("unshare", "--net", "sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	netnsWait(cmd.Process.Pid)
	return &specs.State{ID: id, Pid: cmd.Process.Pid}
}

func TestUpDownConcurrent(t *testing.T) {
	o := testBridge(t)
	const n = 6
	states := make([]*specs.State, n)
	for i := range states {
		states[i] = netnsProcess(t, fmt.Sprintf("c%d", i))
	}
	recs := make([]Record, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range states {
		wg.Add(1)
		go func() {
			defer wg.Done()
			recs[i], errs[i] = Up(o, states[i])
		}()
	}
	wg.Wait()
	seen := map[string]string{}
	for i, r := range recs {
		if errs[i] != nil {
			t.Fatalf("up c%d: %v", i, errs[i])
		}
		if other, dup := seen[r.Address]; dup {
			t.Errorf("c%d and %s both got %s", i, other, r.Address)
		}
		seen[r.Address] = r.ID
	}
	listed, err := List(o.StateDir)
	if err != nil || len(listed) != n {
		t.Fatalf("List = %v, %v; want %d records", listed, err, n)
	}
	out, err := exec.Command("nsenter", "-t", fmt.Sprint(states[0].Pid), "-n", "ip", "route").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "default via 10.199.251.1 dev eth0") {
		t.Errorf("route in the container: %s %v", out, err)
	}
	for _, st := range states {
		if err := Down(o, st.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := netlink.LinkByName(vethName(st.ID)); err == nil {
			t.Errorf("down %s left its veth", st.ID)
		}
	}
	if listed, _ := List(o.StateDir); len(listed) != 0 {
		t.Errorf("after down: %v", listed)
	}
	// Down again is not an error: the poststop hook of a failed create.
	if err := Down(o, "c0"); err != nil {
		t.Errorf("second down: %v", err)
	}
}

func TestUpExhaustedAndReleased(t *testing.T) {
	o := testBridge(t)
	o.Subnet = "10.199.252.0/30"
	a, b := netnsProcess(t, "a"), netnsProcess(t, "b")
	if _, err := Up(o, a); err != nil {
		t.Fatal(err)
	}
	_, err := Up(o, b)
	if err == nil || !strings.Contains(err.Error(), "subnet 10.199.252.0/30 exhausted") {
		t.Fatalf("second up on a /30: %v, want exhausted", err)
	}
	if _, err := netlink.LinkByName(vethName("b")); err == nil {
		t.Error("the failed up left a veth")
	}
	if err := Down(o, "a"); err != nil {
		t.Fatal(err)
	}
	if r, err := Up(o, b); err != nil || r.Address != "10.199.252.2/30" {
		t.Fatalf("up after down: %v, %v", r, err)
	}
}

// A container whose namespace died without a poststop hook (a create that
// failed after the hook) does not keep its address.
func TestUpReclaimsDeadContainers(t *testing.T) {
	o := testBridge(t)
	o.Subnet = "10.199.252.4/30"
	cmd := exec.Command("unshare", "--net", "sleep", "60")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	netnsWait(cmd.Process.Pid)
	st := &specs.State{ID: "dead", Pid: cmd.Process.Pid}
	if _, err := Up(o, st); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Kill()
	cmd.Wait()
	// The kernel destroys the namespace, and the veth pair with it, from
	// a worker: wait for it.
	for i := 0; i < 100; i++ {
		if _, err := netlink.LinkByName(vethName("dead")); err != nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if r, err := Up(o, netnsProcess(t, "alive")); err != nil || r.Address != "10.199.252.6/30" {
		t.Fatalf("up: %v, %v; want the dead container's address", r, err)
	}
}

// netnsWait waits until pid is in a network namespace other than ours:
// unshare(1) execs its command only after unsharing.
func netnsWait(pid int) {
	self, _ := os.Readlink("/proc/self/ns/net")
	for i := 0; i < 1000; i++ {
		ns, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", pid))
		if ns != "" && ns != self {
			return
		}
		time.Sleep(time.Millisecond)
	}
}

func TestUpBridgeNameTaken(t *testing.T) {
	o := testBridge(t)
	if out, err := exec.Command("ip", "link", "add", o.Bridge, "type", "veth", "peer", "name", o.Bridge+"p").CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	_, err := Up(o, netnsProcess(t, "x"))
	want := fmt.Sprintf("bridge %s: the name is taken by a veth device, not a bridge", o.Bridge)
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
	if listed, _ := List(o.StateDir); len(listed) != 0 {
		t.Errorf("allocated: %v", listed)
	}
}

// A failure after the bridge and veth exist removes both (the bridge only
// because this call made it) and allocates nothing.
func TestUpFailureRemovesWhatItMade(t *testing.T) {
	o := testBridge(t)
	st := netnsProcess(t, "y")
	// eth0 taken in the container: the veth's peer cannot be made.
	if out, err := exec.Command("nsenter", "-t", fmt.Sprint(st.Pid), "-n", "ip", "link", "add", "eth0", "type", "veth", "peer", "name", "eth0p").CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	_, err := Up(o, st)
	if err == nil || !strings.Contains(err.Error(), "create veth") {
		t.Fatalf("err = %v, want a veth error", err)
	}
	if _, err := netlink.LinkByName(vethName("y")); err == nil {
		t.Error("veth left")
	}
	if _, err := netlink.LinkByName(o.Bridge); err == nil {
		t.Error("bridge made by the failed up left")
	}
	if listed, _ := List(o.StateDir); len(listed) != 0 {
		t.Errorf("allocated: %v", listed)
	}
}
