// Package bridgenet is skiff's opt-in bridge network, run as two OCI hooks
// (`skiff network-hook up|down`): a createRuntime hook that plugs the new
// container into a host bridge through a veth pair, with an address from a
// file-backed allocator, and a poststop hook that gives the address back.
//
// No NAT and no firewall rules: containers reach each other and the host's
// bridge address, and whatever the host routes for them.
package bridgenet

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"
)

// Defaults of `skiff network-hook` and `skiff spec --network bridge`. The
// state dir is beside the runtime's root, not in it: there a directory
// "network" would be taken for a container of that name.
const (
	DefaultBridge   = "skiff0"
	DefaultSubnet   = "10.88.0.0/24"
	DefaultStateDir = "/run/skiff-network"
)

// containerIf is the name of the container's end of the veth pair.
const containerIf = "eth0"

// Options names one bridge network.
type Options struct {
	Bridge   string
	Subnet   string // an IPv4 network; the bridge gets its first address
	StateDir string // the allocator's files are in StateDir/Bridge
}

// Hooks returns the hook entries that put a container on the network:
// exe is the absolute path of the skiff binary.
func Hooks(exe string, o Options) (createRuntime, poststop specs.Hook) {
	args := []string{"--bridge", o.Bridge, "--subnet", o.Subnet}
	if o.StateDir != DefaultStateDir {
		args = append(args, "--state-dir", o.StateDir)
	}
	createRuntime = specs.Hook{Path: exe, Args: append([]string{"skiff", "network-hook", "up"}, args...)}
	poststop = specs.Hook{Path: exe, Args: append([]string{"skiff", "network-hook", "down"}, args...)}
	return createRuntime, poststop
}

// Up attaches the container of st to the bridge: the bridge (made if
// missing), an address for the container, a veth pair with the host end
// on the bridge and the other end as eth0 in the container's network
// namespace, and a default route through the bridge. On failure it
// removes what it made.
func Up(o Options, st *specs.State) (Record, error) {
	subnet, err := parseSubnet(o.Subnet)
	if err != nil {
		return Record{}, err
	}
	if st.Pid <= 0 {
		return Record{}, fmt.Errorf("container %q: the state has no pid (the hook must be a createRuntime hook)", st.ID)
	}
	s, err := openStore(o.StateDir, o.Bridge)
	if err != nil {
		return Record{}, err
	}
	defer s.Close()
	r, err := s.load(o.Bridge)
	if err != nil {
		return Record{}, err
	}
	pruneDead(r)
	if r.Subnet != "" && r.Subnet != subnet.String() && len(r.Containers) > 0 {
		return Record{}, fmt.Errorf("bridge %s: in use with subnet %s, not %s", o.Bridge, r.Subnet, subnet)
	}
	r.Subnet = subnet.String()
	if old, ok := r.Containers[st.ID]; ok {
		return Record{}, fmt.Errorf("container %q: already has %s on bridge %s", st.ID, old.Address, o.Bridge)
	}
	used := map[netip.Addr]bool{}
	for _, c := range r.Containers {
		if p, err := netip.ParsePrefix(c.Address); err == nil {
			used[p.Addr()] = true
		}
	}
	addr, err := nextFree(subnet, used)
	if err != nil {
		return Record{}, fmt.Errorf("bridge %s: %w", o.Bridge, err)
	}
	rec := Record{
		ID:      st.ID,
		Bridge:  o.Bridge,
		Address: netip.PrefixFrom(addr, subnet.Bits()).String(),
		Veth:    vethName(st.ID),
	}
	undo, err := attach(o.Bridge, subnet, addr, rec.Veth, fmt.Sprintf("/proc/%d/ns/net", st.Pid))
	if err != nil {
		return Record{}, err
	}
	r.Containers[st.ID] = rec
	if err := s.save(r); err != nil {
		undo()
		return Record{}, fmt.Errorf("save allocation: %w", err)
	}
	return rec, nil
}

// Down gives the container's address back, and removes the host end of
// its veth pair if the kernel has not already: it goes with the container's
// network namespace. A container that has no address is not an error, so
// that the poststop hook of a failed create succeeds.
func Down(o Options, id string) error {
	if _, err := os.Stat(filepath.Join(o.StateDir, o.Bridge)); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	s, err := openStore(o.StateDir, o.Bridge)
	if err != nil {
		return err
	}
	defer s.Close()
	r, err := s.load(o.Bridge)
	if err != nil {
		return err
	}
	rec, ok := r.Containers[id]
	if !ok {
		return nil
	}
	if err := deleteVeth(rec.Veth); err != nil {
		return err
	}
	delete(r.Containers, id)
	if err := s.save(r); err != nil {
		return fmt.Errorf("save allocation: %w", err)
	}
	return nil
}

// pruneDead forgets containers whose veth pair is gone: the kernel
// destroyed it with their network namespace, so the address is free
// even if no poststop hook ran (a create that failed after this hook).
func pruneDead(r *records) {
	for id, c := range r.Containers {
		if _, err := netlink.LinkByName(c.Veth); isNotFound(err) {
			delete(r.Containers, id)
		}
	}
}

// vethName is the host end's name for a container: stable, so that down
// finds it, and within IFNAMSIZ whatever the id.
func vethName(id string) string {
	sum := sha256.Sum256([]byte(id))
	return "skh" + hex.EncodeToString(sum[:])[:10]
}

// attach makes the links and addresses for one container and returns how
// to remove them.
func attach(bridge string, subnet netip.Prefix, addr netip.Addr, veth, nsPath string) (undo func(), err error) {
	br, created, err := ensureBridge(bridge, subnet)
	if err != nil {
		return nil, err
	}
	remove := func() {
		deleteVeth(veth)
		if created {
			netlink.LinkDel(br)
		}
	}
	defer func() {
		if err != nil {
			remove()
		}
	}()
	ns, err := netns.GetFromPath(nsPath)
	if err != nil {
		return nil, fmt.Errorf("container network namespace: %w", err)
	}
	defer ns.Close()

	// The peer is created right in the container's namespace, under its
	// final name: nothing of it ever shows on the host.
	v := &netlink.Veth{
		LinkAttrs:     netlink.LinkAttrs{Name: veth, MasterIndex: br.Attrs().Index},
		PeerName:      containerIf,
		PeerNamespace: netlink.NsFd(int(ns)),
	}
	if err := netlink.LinkAdd(v); err != nil {
		return nil, fmt.Errorf("create veth %s (%s in the container): %w", veth, containerIf, err)
	}
	host, err := netlink.LinkByName(veth)
	if err != nil {
		return nil, fmt.Errorf("veth %s: %w", veth, err)
	}
	if err := netlink.LinkSetUp(host); err != nil {
		return nil, fmt.Errorf("set %s up: %w", veth, err)
	}

	in, err := netlink.NewHandleAt(ns, unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("netlink in %s: %w", nsPath, err)
	}
	defer in.Close()
	eth, err := in.LinkByName(containerIf)
	if err != nil {
		return nil, fmt.Errorf("%s in the container: %w", containerIf, err)
	}
	if err := in.AddrAdd(eth, &netlink.Addr{IPNet: ipNet(netip.PrefixFrom(addr, subnet.Bits()))}); err != nil {
		return nil, fmt.Errorf("add %s to %s in the container: %w", addr, containerIf, err)
	}
	if err := in.LinkSetUp(eth); err != nil {
		return nil, fmt.Errorf("set %s up in the container: %w", containerIf, err)
	}
	if lo, err := in.LinkByName("lo"); err == nil {
		if err := in.LinkSetUp(lo); err != nil {
			return nil, fmt.Errorf("set lo up in the container: %w", err)
		}
	}
	gw := gateway(subnet)
	if err := in.RouteAdd(&netlink.Route{LinkIndex: eth.Attrs().Index, Gw: gw.AsSlice()}); err != nil {
		return nil, fmt.Errorf("add default route via %s in the container: %w", gw, err)
	}
	return remove, nil
}

// ensureBridge returns the bridge, made if missing, up and with the
// subnet's gateway address; created tells whether this call made it.
func ensureBridge(name string, subnet netip.Prefix) (br netlink.Link, created bool, err error) {
	br, err = netlink.LinkByName(name)
	switch {
	case err == nil && br.Type() != "bridge":
		return nil, false, fmt.Errorf("bridge %s: the name is taken by a %s device, not a bridge", name, br.Type())
	case isNotFound(err):
		if err := netlink.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: name}}); err != nil {
			return nil, false, fmt.Errorf("create bridge %s: %w", name, err)
		}
		created = true
		if br, err = netlink.LinkByName(name); err != nil {
			return nil, false, fmt.Errorf("bridge %s: %w", name, err)
		}
	case err != nil:
		return nil, false, fmt.Errorf("bridge %s: %w", name, err)
	}
	defer func() {
		if err != nil && created {
			netlink.LinkDel(br)
		}
	}()
	gw := netip.PrefixFrom(gateway(subnet), subnet.Bits())
	if err := netlink.AddrAdd(br, &netlink.Addr{IPNet: ipNet(gw)}); err != nil && !errors.Is(err, unix.EEXIST) {
		return nil, false, fmt.Errorf("add %s to bridge %s: %w", gw, name, err)
	}
	if err := netlink.LinkSetUp(br); err != nil {
		return nil, false, fmt.Errorf("set bridge %s up: %w", name, err)
	}
	return br, created, nil
}

// deleteVeth removes a host veth end (and so its peer) if it is there.
func deleteVeth(name string) error {
	link, err := netlink.LinkByName(name)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("veth %s: %w", name, err)
	}
	if link.Type() != "veth" {
		return fmt.Errorf("%s is a %s device, not skiff's veth: left alone", name, link.Type())
	}
	if err := netlink.LinkDel(link); err != nil && !isNotFound(err) {
		return fmt.Errorf("delete veth %s: %w", name, err)
	}
	return nil
}

func isNotFound(err error) bool {
	var nf netlink.LinkNotFoundError
	return errors.As(err, &nf) || errors.Is(err, unix.ENODEV)
}

func ipNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), 32)}
}
