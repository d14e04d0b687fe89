package netdev

import (
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

func TestKeepAddrs(t *testing.T) {
	ipnet := func(s string) *net.IPNet {
		ip, n, err := net.ParseCIDR(s)
		if err != nil {
			t.Fatal(err)
		}
		n.IP = ip
		return n
	}
	all := []netlink.Addr{
		{IPNet: ipnet("10.1.0.1/24"), Flags: unix.IFA_F_PERMANENT, Scope: unix.RT_SCOPE_UNIVERSE, Label: "veth0"},
		{IPNet: ipnet("fd00::1/64"), Flags: unix.IFA_F_PERMANENT | unix.IFA_F_NODAD, Scope: unix.RT_SCOPE_UNIVERSE},
		{IPNet: ipnet("10.1.0.2/24"), Flags: 0, Scope: unix.RT_SCOPE_UNIVERSE},                   // dynamic
		{IPNet: ipnet("fe80::1/64"), Flags: unix.IFA_F_PERMANENT, Scope: unix.RT_SCOPE_LINK},     // link-local
		{IPNet: ipnet("fd00::2/64"), Flags: unix.IFA_F_TEMPORARY, Scope: unix.RT_SCOPE_UNIVERSE}, // privacy
		{IPNet: ipnet("127.0.0.2/8"), Flags: unix.IFA_F_PERMANENT, Scope: unix.RT_SCOPE_HOST},
	}
	got := keepAddrs(all)
	if len(got) != 2 || got[0].IPNet.String() != "10.1.0.1/24" || got[1].IPNet.String() != "fd00::1/64" {
		t.Fatalf("kept %v, want 10.1.0.1/24 and fd00::1/64", got)
	}
	if got[0].Label != "" || got[1].Flags != unix.IFA_F_NODAD {
		t.Errorf("label %q flags %#x: want no label, only creatable flags", got[0].Label, got[1].Flags)
	}
}

// testNet is a veth pair on the host and an empty network namespace.
type testNet struct {
	a, b string // veth ends on the host
	ns   string // path of the namespace
}

func newTestNet(t *testing.T) *testNet {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	tag := fmt.Sprintf("%06x", rand.IntN(1<<24))
	n := &testNet{a: "sknd" + tag + "a", b: "sknd" + tag + "b"}
	nsName := "sknd" + tag
	run(t, "ip", "netns", "add", nsName)
	n.ns = "/run/netns/" + nsName
	t.Cleanup(func() { exec.Command("ip", "netns", "del", nsName).Run() })
	run(t, "ip", "link", "add", n.a, "type", "veth", "peer", "name", n.b)
	t.Cleanup(func() { exec.Command("ip", "link", "del", n.b).Run() })
	return n
}

func run(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// inNs runs a command in the test namespace.
func (n *testNet) inNs(t *testing.T, args ...string) string {
	t.Helper()
	return run(t, append([]string{"ip", "netns", "exec", n.ns[len("/run/netns/"):]}, args...)...)
}

func onHost(name string) bool {
	_, err := netlink.LinkByName(name)
	return err == nil
}

func TestMoveIntoRenamesCarriesAddressesAndSetsUp(t *testing.T) {
	n := newTestNet(t)
	run(t, "ip", "addr", "add", "10.201.0.1/24", "dev", n.a)
	run(t, "ip", "addr", "add", "fd00:201::1/64", "dev", n.a, "nodad")
	run(t, "ip", "addr", "add", "10.201.0.9/24", "dev", n.a, "valid_lft", "300", "preferred_lft", "300")
	run(t, "ip", "addr", "add", "169.254.7.7/16", "dev", n.a, "scope", "link")

	err := MoveInto(map[string]specs.LinuxNetDevice{n.a: {Name: "eth1"}}, n.ns)
	if err != nil {
		t.Fatal(err)
	}
	if onHost(n.a) {
		t.Errorf("%s is still on the host", n.a)
	}
	out := n.inNs(t, "ip", "addr", "show", "eth1")
	t.Log(out)
	for _, want := range []string{"10.201.0.1/24", "fd00:201::1/64", "UP"} {
		if !strings.Contains(out, want) {
			t.Errorf("eth1 in the namespace lacks %q", want)
		}
	}
	for _, not := range []string{"10.201.0.9", "169.254.7.7"} {
		if strings.Contains(out, not) {
			t.Errorf("eth1 has %s, which is not permanent and global", not)
		}
	}
}

func TestMoveIntoTemplateLetsTheKernelName(t *testing.T) {
	n := newTestNet(t)
	// Take eth0 first, so that the template has to skip it.
	if err := MoveInto(map[string]specs.LinuxNetDevice{n.b: {Name: "eth0"}}, n.ns); err != nil {
		t.Fatal(err)
	}
	if err := MoveInto(map[string]specs.LinuxNetDevice{n.a: {Name: "eth%d"}}, n.ns); err != nil {
		t.Fatal(err)
	}
	out := n.inNs(t, "ip", "-o", "link", "show", "up")
	if !strings.Contains(out, ": eth1@") {
		t.Errorf("no eth1 up in the namespace:\n%s", out)
	}
}

func TestMoveIntoNameClashMovesNothing(t *testing.T) {
	n := newTestNet(t)
	if err := MoveInto(map[string]specs.LinuxNetDevice{n.b: {Name: "eth1"}}, n.ns); err != nil {
		t.Fatal(err)
	}
	err := MoveInto(map[string]specs.LinuxNetDevice{n.a: {Name: "eth1"}}, n.ns)
	want := fmt.Sprintf(`config.json: linux.netDevices.%s: "eth1" already exists`, n.a)
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("err = %v, want %s...", err, want)
	}
	if !onHost(n.a) {
		t.Errorf("%s left the host", n.a)
	}
}

func TestMoveIntoMissingDeviceMovesNothing(t *testing.T) {
	n := newTestNet(t)
	err := MoveInto(map[string]specs.LinuxNetDevice{n.a: {Name: "eth1"}, "sknomissing": {}}, n.ns)
	want := `config.json: linux.netDevices.sknomissing: no such network device on the host`
	if err == nil || err.Error() != want {
		t.Fatalf("err = %v, want %s", err, want)
	}
	if !onHost(n.a) {
		t.Errorf("%s left the host", n.a)
	}
}

// A move that fails after another succeeded moves that one back: the
// kernel refuses a name with a space, which only the config validation
// would have caught before.
func TestMoveIntoFailureMovesBack(t *testing.T) {
	n := newTestNet(t)
	run(t, "ip", "addr", "add", "10.202.0.1/24", "dev", n.a)
	run(t, "ip", "link", "set", n.a, "up")
	err := MoveInto(map[string]specs.LinuxNetDevice{n.a: {Name: "eth1"}, n.b: {Name: "bad name"}}, n.ns)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf(`linux.netDevices.%s`, n.b)) {
		t.Fatalf("err = %v, want an error naming %s", err, n.b)
	}
	link, lerr := netlink.LinkByName(n.a)
	if lerr != nil {
		t.Fatalf("%s is not back on the host: %v (move error: %v)", n.a, lerr, err)
	}
	if link.Attrs().Flags&net.FlagUp == 0 {
		t.Errorf("%s is back but down", n.a)
	}
	if out := run(t, "ip", "addr", "show", n.a); !strings.Contains(out, "10.202.0.1/24") {
		t.Errorf("%s is back without its address:\n%s", n.a, out)
	}
	if out := n.inNs(t, "ip", "-o", "link"); strings.Contains(out, "eth1") {
		t.Errorf("eth1 is still in the namespace:\n%s", out)
	}
}

func TestMoveIntoRefusesLoopback(t *testing.T) {
	n := newTestNet(t)
	err := MoveInto(map[string]specs.LinuxNetDevice{"lo": {Name: "lo2"}}, n.ns)
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("err = %v, want a loopback error", err)
	}
}
