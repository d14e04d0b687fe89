// Package netdev moves host network devices into a container's network
// namespace for linux.netDevices (config-linux.md "Network Devices").
//
// Only the move: the spec forbids moving a device back on delete, because
// the kernel does that when the namespace dies (network_namespaces(7):
// physical devices return to the initial namespace, virtual ones such as
// veth are destroyed).
package netdev

import (
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"

	specs "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/skiffrt/skiff/internal/spec"
)

// move is one device of linux.netDevices, as found on the host before
// anything is moved.
type move struct {
	host   string // name on the host: the entry's key
	target string // name in the container; may hold a %d template
	index  int    // ifindex on the host
	mac    net.HardwareAddr
	up     bool           // to restore on the host if the move is undone
	addrs  []netlink.Addr // what the move carries over
	// Set once the device is in the container's namespace.
	moved   bool
	inIndex int
}

// MoveInto moves each device of linux.netDevices from the caller's network
// namespace into the one at nsPath (/proc/<init>/ns/net), renamed to its
// "name", with its permanent global-scope addresses, and sets it up.
//
// Every device is checked before any is moved, so a missing device or a
// name already taken in the container moves nothing. If a move fails
// midway, the devices already moved are moved back with their names and
// addresses.
func MoveInto(devices map[string]specs.LinuxNetDevice, nsPath string) error {
	if len(devices) == 0 {
		return nil
	}
	target, err := netns.GetFromPath(nsPath)
	if err != nil {
		return fmt.Errorf("config.json: linux.netDevices: open network namespace %s: %w", nsPath, err)
	}
	defer target.Close()
	hostNs, err := netns.Get()
	if err != nil {
		return fmt.Errorf("config.json: linux.netDevices: open the runtime's network namespace: %w", err)
	}
	defer hostNs.Close()
	host, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("config.json: linux.netDevices: netlink: %w", err)
	}
	defer host.Close()
	in, err := netlink.NewHandleAt(target, unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("config.json: linux.netDevices: netlink in %s: %w", nsPath, err)
	}
	defer in.Close()

	plan, err := planMoves(host, in, devices)
	if err != nil {
		return err
	}
	for i, m := range plan {
		if err := m.apply(in, target); err != nil {
			var errs []error
			for j := i; j >= 0; j-- {
				if plan[j].moved {
					if uerr := plan[j].undo(host, target, hostNs); uerr != nil {
						errs = append(errs, uerr)
					}
				}
			}
			err = fieldError(m.host, err)
			if len(errs) > 0 {
				err = fmt.Errorf("%w (moving back: %w)", err, errors.Join(errs...))
			}
			return err
		}
	}
	return nil
}

func fieldError(host string, err error) error {
	// Named as the validator names map keys: linux.netDevices.eth1, or
	// linux.netDevices["eth0.100"] for a key that is not an identifier.
	return fmt.Errorf("config.json: %s: %w", spec.JoinKey("linux.netDevices", host), err)
}

// planMoves checks that every device can be moved (config-linux.md: the
// runtime MUST check that moving is possible) and records what the move
// must carry over, in the order of the host names.
func planMoves(host, in *netlink.Handle, devices map[string]specs.LinuxNetDevice) ([]*move, error) {
	names := make([]string, 0, len(devices))
	for n := range devices {
		names = append(names, n)
	}
	sort.Strings(names)
	var plan []*move
	for _, n := range names {
		m := &move{host: n, target: devices[n].Name}
		if m.target == "" {
			m.target = n
		}
		link, err := host.LinkByName(n)
		if err != nil {
			var nf netlink.LinkNotFoundError
			if errors.As(err, &nf) {
				return nil, fieldError(n, errors.New("no such network device on the host"))
			}
			return nil, fieldError(n, err)
		}
		if why := cannotMove(link); why != "" {
			return nil, fieldError(n, errors.New(why))
		}
		// Without a template the name must be free in the container;
		// with one the kernel picks a free name (config-linux.md).
		if !strings.Contains(m.target, "%d") {
			if _, err := in.LinkByName(m.target); err == nil {
				return nil, fieldError(n, fmt.Errorf("%q already exists in the container's network namespace (append %%d to the name to let the kernel pick a free one)", m.target))
			}
		}
		attrs := link.Attrs()
		m.index, m.mac, m.up = attrs.Index, attrs.HardwareAddr, attrs.Flags&net.FlagUp != 0
		m.addrs, err = carriedAddrs(host, link)
		if err != nil {
			return nil, fieldError(n, err)
		}
		plan = append(plan, m)
	}
	return plan, nil
}

// cannotMove says why the kernel would refuse to move link, for the cases
// that can be told in advance: loopback and bridge devices are local to
// their namespace (NETIF_F_NETNS_LOCAL).
func cannotMove(link netlink.Link) string {
	if link.Attrs().Flags&net.FlagLoopback != 0 {
		return "a loopback device cannot leave its network namespace"
	}
	if link.Type() == "bridge" {
		return "a bridge cannot leave its network namespace"
	}
	return ""
}

// carriedAddrs lists the addresses the move must keep: permanent
// (IFA_F_PERMANENT) with global scope (RT_SCOPE_UNIVERSE), of any family
// (config-linux.md, RFC 3549 2.3.3.2). Link-local and dynamic or temporary
// addresses belong to the host's network and stay behind.
func carriedAddrs(h *netlink.Handle, link netlink.Link) ([]netlink.Addr, error) {
	for i := 0; ; i++ {
		all, err := h.AddrList(link, netlink.FAMILY_ALL)
		if errors.Is(err, netlink.ErrDumpInterrupted) && i < 5 {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("list addresses: %w", err)
		}
		return keepAddrs(all), nil
	}
}

// keepAddrs is the filter of carriedAddrs. The label (which starts with
// the host name) and the interface index do not survive a rename; of the
// flags only those an address can be created with are kept.
func keepAddrs(all []netlink.Addr) []netlink.Addr {
	var keep []netlink.Addr
	for _, a := range all {
		if a.Flags&unix.IFA_F_PERMANENT == 0 || a.Scope != unix.RT_SCOPE_UNIVERSE {
			continue
		}
		keep = append(keep, netlink.Addr{
			IPNet:     a.IPNet,
			Peer:      a.Peer,
			Broadcast: a.Broadcast,
			Flags:     a.Flags & (unix.IFA_F_NODAD | unix.IFA_F_NOPREFIXROUTE),
		})
	}
	return keep
}

// apply moves the device into target, renamed, then adds its addresses
// and sets it up there.
func (m *move) apply(in *netlink.Handle, target netns.NsHandle) error {
	before, err := linkIndexes(in)
	if err != nil {
		return err
	}
	if err := setNsAndName(nil, m.index, m.target, int(target)); err != nil {
		return fmt.Errorf("move into the container's network namespace: %w", err)
	}
	m.moved, m.inIndex = true, m.index // the kernel's choice unless taken
	link, err := m.findMoved(in, before)
	if err != nil {
		return err
	}
	m.inIndex = link.Attrs().Index
	for _, a := range m.addrs {
		if err := in.AddrAdd(link, &a); err != nil {
			return fmt.Errorf("add address %s in the container: %w", a.IPNet, err)
		}
	}
	if err := in.LinkSetUp(link); err != nil {
		return fmt.Errorf("set %s up in the container: %w", link.Attrs().Name, err)
	}
	return nil
}

// findMoved finds the device in the container after the move: by name,
// or for a %d template, as the device that was not there before (the
// kernel keeps the ifindex only when it is free in the target).
func (m *move) findMoved(in *netlink.Handle, before map[int]bool) (netlink.Link, error) {
	if !strings.Contains(m.target, "%d") {
		link, err := in.LinkByName(m.target)
		if err != nil {
			return nil, fmt.Errorf("find %s in the container after the move: %w", m.target, err)
		}
		return link, nil
	}
	links, err := listLinks(in)
	if err != nil {
		return nil, err
	}
	var found netlink.Link
	for _, l := range links {
		a := l.Attrs()
		if before[a.Index] || (len(m.mac) > 0 && a.HardwareAddr.String() != m.mac.String()) {
			continue
		}
		if found == nil || a.Index == m.index {
			found = l
		}
	}
	if found == nil {
		return nil, fmt.Errorf("find the device named from %q in the container after the move", m.target)
	}
	return found, nil
}

// undo moves the device back to the host under its host name, with its
// addresses, and up again if it was up.
func (m *move) undo(host *netlink.Handle, target, hostNs netns.NsHandle) error {
	sock, err := nl.GetNetlinkSocketAt(target, netns.None(), unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("%s: netlink in the container: %w", m.host, err)
	}
	defer sock.Close()
	if err := setNsAndName(sock, m.inIndex, m.host, int(hostNs)); err != nil {
		return fmt.Errorf("%s: %w", m.host, err)
	}
	link, err := host.LinkByName(m.host)
	if err != nil {
		return fmt.Errorf("%s: %w", m.host, err)
	}
	var errs []error
	for _, a := range m.addrs {
		if err := host.AddrAdd(link, &a); err != nil && !errors.Is(err, unix.EEXIST) {
			errs = append(errs, fmt.Errorf("%s: add address %s: %w", m.host, a.IPNet, err))
		}
	}
	if m.up {
		if err := host.LinkSetUp(link); err != nil {
			errs = append(errs, fmt.Errorf("%s: set up: %w", m.host, err))
		}
	}
	return errors.Join(errs...)
}

// setNsAndName moves the device with this index (in the namespace of sock,
// or the caller's when nil) into the namespace nsFd and names it there,
// in one RTM_NEWLINK: the kernel checks the new name against the target
// namespace, so a device never lands there under a clashing name, and
// expands a %d template to a free name (dev_change_net_namespace). This
// is how runc does it too; netlink.LinkSetNsFd cannot rename.
func setNsAndName(sock *nl.NetlinkSocket, index int, name string, nsFd int) error {
	req := nl.NewNetlinkRequest(unix.RTM_NEWLINK, unix.NLM_F_ACK)
	if sock != nil {
		req.Sockets = map[int]*nl.SocketHandle{unix.NETLINK_ROUTE: {Socket: sock}}
	}
	msg := nl.NewIfInfomsg(unix.AF_UNSPEC)
	msg.Index = int32(index)
	req.AddData(msg)
	req.AddData(nl.NewRtAttr(unix.IFLA_IFNAME, nl.ZeroTerminated(name)))
	req.AddData(nl.NewRtAttr(unix.IFLA_NET_NS_FD, nl.Uint32Attr(uint32(nsFd))))
	_, err := req.Execute(unix.NETLINK_ROUTE, 0)
	return err
}

func linkIndexes(h *netlink.Handle) (map[int]bool, error) {
	links, err := listLinks(h)
	if err != nil {
		return nil, err
	}
	idx := make(map[int]bool, len(links))
	for _, l := range links {
		idx[l.Attrs().Index] = true
	}
	return idx, nil
}

// listLinks retries a dump the kernel interrupted because the list
// changed meanwhile (NLM_F_DUMP_INTR).
func listLinks(h *netlink.Handle) ([]netlink.Link, error) {
	for i := 0; ; i++ {
		links, err := h.LinkList()
		if errors.Is(err, netlink.ErrDumpInterrupted) && i < 5 {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("list devices in the container: %w", err)
		}
		return links, nil
	}
}
