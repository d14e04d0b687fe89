package initplan

import (
	"fmt"
	"sort"
	"strings"

	"golang.org/x/sys/unix"
)

// mountOpts is the parsed form of one mount's options: what goes into
// mount(2) flags and data, what is applied afterwards as propagation, and
// the recursive attributes that need mount_setattr(2).
type mountOpts struct {
	flags       uintptr   // MS_* for the mount call
	propagation []uintptr // MS_SHARED etc., each applied by a separate call
	attrSet     uint64    // MOUNT_ATTR_* set recursively
	attrClr     uint64    // MOUNT_ATTR_* cleared recursively
	data        string    // filesystem-specific options
	idmap       bool      // idmap/ridmap requested
}

type flagOpt struct {
	clear bool
	flag  uintptr
}

// mountFlagOpts are the options mount(8) turns into flags.
var mountFlagOpts = map[string]flagOpt{
	"defaults":      {false, 0},
	"ro":            {false, unix.MS_RDONLY},
	"rw":            {true, unix.MS_RDONLY},
	"nosuid":        {false, unix.MS_NOSUID},
	"suid":          {true, unix.MS_NOSUID},
	"nodev":         {false, unix.MS_NODEV},
	"dev":           {true, unix.MS_NODEV},
	"noexec":        {false, unix.MS_NOEXEC},
	"exec":          {true, unix.MS_NOEXEC},
	"sync":          {false, unix.MS_SYNCHRONOUS},
	"async":         {true, unix.MS_SYNCHRONOUS},
	"dirsync":       {false, unix.MS_DIRSYNC},
	"remount":       {false, unix.MS_REMOUNT},
	"mand":          {false, unix.MS_MANDLOCK},
	"nomand":        {true, unix.MS_MANDLOCK},
	"noatime":       {false, unix.MS_NOATIME},
	"atime":         {true, unix.MS_NOATIME},
	"nodiratime":    {false, unix.MS_NODIRATIME},
	"diratime":      {true, unix.MS_NODIRATIME},
	"relatime":      {false, unix.MS_RELATIME},
	"norelatime":    {true, unix.MS_RELATIME},
	"strictatime":   {false, unix.MS_STRICTATIME},
	"nostrictatime": {true, unix.MS_STRICTATIME},
	"lazytime":      {false, unix.MS_LAZYTIME},
	"nolazytime":    {true, unix.MS_LAZYTIME},
	"silent":        {false, unix.MS_SILENT},
	"loud":          {true, unix.MS_SILENT},
	"nosymfollow":   {false, unix.MS_NOSYMFOLLOW},
	"symfollow":     {true, unix.MS_NOSYMFOLLOW},
	"iversion":      {false, unix.MS_I_VERSION},
	"noiversion":    {true, unix.MS_I_VERSION},
	"bind":          {false, unix.MS_BIND},
	"rbind":         {false, unix.MS_BIND | unix.MS_REC},
}

var propagationOpts = map[string]uintptr{
	"private":     unix.MS_PRIVATE,
	"rprivate":    unix.MS_PRIVATE | unix.MS_REC,
	"shared":      unix.MS_SHARED,
	"rshared":     unix.MS_SHARED | unix.MS_REC,
	"slave":       unix.MS_SLAVE,
	"rslave":      unix.MS_SLAVE | unix.MS_REC,
	"unbindable":  unix.MS_UNBINDABLE,
	"runbindable": unix.MS_UNBINDABLE | unix.MS_REC,
}

type attrOpt struct {
	clear bool
	attr  uint64
}

// recursiveAttrOpts are the "r" options of runtime-spec 1.1 (config.md,
// Mounts): they apply to every submount, which only mount_setattr can do.
var recursiveAttrOpts = map[string]attrOpt{
	"rro":          {false, unix.MOUNT_ATTR_RDONLY},
	"rrw":          {true, unix.MOUNT_ATTR_RDONLY},
	"rnosuid":      {false, unix.MOUNT_ATTR_NOSUID},
	"rsuid":        {true, unix.MOUNT_ATTR_NOSUID},
	"rnodev":       {false, unix.MOUNT_ATTR_NODEV},
	"rdev":         {true, unix.MOUNT_ATTR_NODEV},
	"rnoexec":      {false, unix.MOUNT_ATTR_NOEXEC},
	"rexec":        {true, unix.MOUNT_ATTR_NOEXEC},
	"rnodiratime":  {false, unix.MOUNT_ATTR_NODIRATIME},
	"rdiratime":    {true, unix.MOUNT_ATTR_NODIRATIME},
	"rnosymfollow": {false, unix.MOUNT_ATTR_NOSYMFOLLOW},
	"rsymfollow":   {true, unix.MOUNT_ATTR_NOSYMFOLLOW},
}

// recursiveAtimeOpts form one field of the attribute word: setting one
// replaces the others (mount_setattr(2), MOUNT_ATTR__ATIME). "ratime" asks
// for the kernel's default, relatime; "rnorelatime" for full updates.
var recursiveAtimeOpts = map[string]uint64{
	"rrelatime":    unix.MOUNT_ATTR_RELATIME,
	"ratime":       unix.MOUNT_ATTR_RELATIME,
	"rnoatime":     unix.MOUNT_ATTR_NOATIME,
	"rstrictatime": unix.MOUNT_ATTR_STRICTATIME,
	"rnorelatime":  unix.MOUNT_ATTR_STRICTATIME,
}

// parseMountOptions sorts a mount's options into flags, propagation,
// recursive attributes and data, in the order given (a later option wins).
func parseMountOptions(options []string) mountOpts {
	var o mountOpts
	var data []string
	for _, opt := range options {
		if f, ok := mountFlagOpts[opt]; ok {
			if f.clear {
				o.flags &^= f.flag
			} else {
				o.flags |= f.flag
			}
			continue
		}
		if p, ok := propagationOpts[opt]; ok {
			o.propagation = append(o.propagation, p)
			continue
		}
		if a, ok := recursiveAttrOpts[opt]; ok {
			if a.clear {
				o.attrClr |= a.attr
				o.attrSet &^= a.attr
			} else {
				o.attrSet |= a.attr
				o.attrClr &^= a.attr
			}
			continue
		}
		if a, ok := recursiveAtimeOpts[opt]; ok {
			o.attrSet = o.attrSet&^unix.MOUNT_ATTR__ATIME | a
			o.attrClr |= unix.MOUNT_ATTR__ATIME
			continue
		}
		if opt == "idmap" || opt == "ridmap" {
			o.idmap = true
			continue
		}
		data = append(data, opt)
	}
	o.data = strings.Join(data, ",")
	return o
}

// MountOptionNames lists every mount option skiff recognizes, for the
// features document (features.md "Mount Options").
func MountOptionNames() []string {
	var names []string
	for n := range mountFlagOpts {
		names = append(names, n)
	}
	for n := range propagationOpts {
		names = append(names, n)
	}
	for n := range recursiveAttrOpts {
		names = append(names, n)
	}
	for n := range recursiveAtimeOpts {
		names = append(names, n)
	}
	names = append(names, "idmap", "ridmap")
	sort.Strings(names)
	return names
}

// isBind tells whether a mount entry is a bind mount: by type or options.
func isBind(typ string, o mountOpts) bool {
	return typ == "bind" || typ == "rbind" || o.flags&unix.MS_BIND != 0
}

// parsePropagation maps linux.rootfsPropagation to flags.
func parsePropagation(s string) (uintptr, error) {
	p, ok := propagationOpts[s]
	if !ok {
		return 0, fmt.Errorf("config.json: linux.rootfsPropagation: unknown value %q", s)
	}
	return p, nil
}
