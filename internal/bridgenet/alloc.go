package bridgenet

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"sort"

	"golang.org/x/sys/unix"
)

// The allocator's files, in <state dir>/<bridge>/.
const (
	lockName    = "lock"
	recordsName = "addresses.json"
)

// records is one bridge's allocation file: which container holds which
// address of the subnet.
type records struct {
	Bridge     string            `json:"bridge"`
	Subnet     string            `json:"subnet"`
	Containers map[string]Record `json:"containers"`
}

// Record is one container's share of a bridge network.
type Record struct {
	ID      string `json:"-"`
	Bridge  string `json:"-"`
	Address string `json:"address"` // with the subnet's prefix length: 10.88.0.2/24
	Veth    string `json:"veth"`    // the host end, attached to the bridge
}

// store is one bridge's allocation directory, locked by its holder.
type store struct {
	dir  string
	lock *os.File
}

// openStore creates the bridge's directory if needed and takes its lock
// (flock: released by the kernel if the hook dies), so that concurrent
// hooks never hand out the same address.
func openStore(stateDir, bridge string) (*store, error) {
	dir := filepath.Join(stateDir, bridge)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("state dir: %w", err)
	}
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state dir: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return &store{dir: dir, lock: f}, nil
}

// Close releases the lock.
func (s *store) Close() error { return s.lock.Close() }

func (s *store) load(bridge string) (*records, error) {
	return readRecords(filepath.Join(s.dir, recordsName), bridge)
}

func readRecords(path, bridge string) (*records, error) {
	r := &records{Bridge: bridge, Containers: map[string]Record{}}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(data, r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.Containers == nil {
		r.Containers = map[string]Record{}
	}
	return r, nil
}

// save replaces the file whole (write, then rename), so a crash leaves
// the old records or the new ones, never half of them.
func (s *store) save(r *records) error {
	data, err := json.MarshalIndent(r, "", "\t")
	if err != nil {
		return err
	}
	path := filepath.Join(s.dir, recordsName)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, append(data, '\n'), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// gateway is the subnet's first address, which the bridge gets.
func gateway(subnet netip.Prefix) netip.Addr {
	return subnet.Addr().Next()
}

// nextFree returns the lowest address of the subnet that is not the
// network address, the gateway, the broadcast address, or used.
func nextFree(subnet netip.Prefix, used map[netip.Addr]bool) (netip.Addr, error) {
	for a := gateway(subnet).Next(); subnet.Contains(a); a = a.Next() {
		if !subnet.Contains(a.Next()) {
			break // the broadcast address
		}
		if !used[a] {
			return a, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("subnet %s exhausted: all %d container addresses are in use", subnet, hostCount(subnet))
}

// hostCount is how many containers a subnet has room for.
func hostCount(subnet netip.Prefix) int {
	return 1<<(32-subnet.Bits()) - 3
}

// parseSubnet accepts an IPv4 network of at least one container address.
func parseSubnet(s string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(s)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("--subnet: %w", err)
	}
	if !p.Addr().Is4() {
		return netip.Prefix{}, fmt.Errorf("--subnet %s: only IPv4 subnets are supported", s)
	}
	if p.Bits() > 30 {
		return netip.Prefix{}, fmt.Errorf("--subnet %s: too small: a /30 is the smallest, for one container", s)
	}
	if p.Masked() != p {
		return netip.Prefix{}, fmt.Errorf("--subnet %s: not a network address (did you mean %s?)", s, p.Masked())
	}
	return p, nil
}

// List returns every bridge's records under stateDir, by bridge and id.
func List(stateDir string) ([]Record, error) {
	entries, err := os.ReadDir(stateDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var all []Record
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		r, err := readRecords(filepath.Join(stateDir, e.Name(), recordsName), e.Name())
		if err != nil {
			return nil, err
		}
		for id, rec := range r.Containers {
			rec.ID, rec.Bridge = id, r.Bridge
			all = append(all, rec)
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].Bridge != all[j].Bridge {
			return all[i].Bridge < all[j].Bridge
		}
		return all[i].ID < all[j].ID
	})
	return all, nil
}
