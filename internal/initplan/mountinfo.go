package initplan

import (
	"path/filepath"
	"strings"
)

// mountInfo is one line of /proc/self/mountinfo (proc(5)).
type mountInfo struct {
	root       string // root of the mount within its filesystem
	mountPoint string
	fsType     string
	superOpts  string
}

// parseMountInfo reads the lines of a mountinfo file.
func parseMountInfo(data string) []mountInfo {
	var out []mountInfo
	for _, line := range strings.Split(data, "\n") {
		if m, ok := parseMountInfoLine(line); ok {
			out = append(out, m)
		}
	}
	return out
}

// parseMountInfoLine splits "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue".
func parseMountInfoLine(line string) (mountInfo, bool) {
	fields := strings.Fields(line)
	sep := -1
	for i, f := range fields {
		if f == "-" {
			sep = i
			break
		}
	}
	if sep < 5 || len(fields) < sep+4 {
		return mountInfo{}, false
	}
	return mountInfo{
		root:       unescapeOctal(fields[3]),
		mountPoint: unescapeOctal(fields[4]),
		fsType:     fields[sep+1],
		superOpts:  fields[sep+3],
	}, true
}

// unescapeOctal undoes the kernel's \040-style escaping of spaces and tabs.
func unescapeOctal(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			var v byte
			ok := true
			for _, c := range s[i+1 : i+4] {
				if c < '0' || c > '7' {
					ok = false
					break
				}
				v = v*8 + byte(c-'0')
			}
			if ok {
				b.WriteByte(v)
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// mountPointOf returns the mount point that contains path.
func mountPointOf(mounts []mountInfo, path string) string {
	path = filepath.Clean(path)
	best := "/"
	for _, m := range mounts {
		mp := m.mountPoint
		if (path == mp || strings.HasPrefix(path, strings.TrimSuffix(mp, "/")+"/")) && len(mp) > len(best) {
			best = mp
		}
	}
	return best
}
