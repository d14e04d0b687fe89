package cgroups

import (
	"fmt"
	"strconv"

	specs "github.com/opencontainers/runtime-spec/specs-go"
)

// throttle is one of the four per-device rate lists of linux.resources.blockIO.
type throttle struct {
	field string
	v1    string // v1 file
	v2    string // key in v2 io.max
	devs  []specs.LinuxThrottleDevice
}

func throttles(b *specs.LinuxBlockIO) []throttle {
	return []throttle{
		{"linux.resources.blockIO.throttleReadBpsDevice", "blkio.throttle.read_bps_device", "rbps", b.ThrottleReadBpsDevice},
		{"linux.resources.blockIO.throttleWriteBpsDevice", "blkio.throttle.write_bps_device", "wbps", b.ThrottleWriteBpsDevice},
		{"linux.resources.blockIO.throttleReadIOPSDevice", "blkio.throttle.read_iops_device", "riops", b.ThrottleReadIOPSDevice},
		{"linux.resources.blockIO.throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", "wiops", b.ThrottleWriteIOPSDevice},
	}
}

// v1BlockIO: weights go to blkio.weight (CFQ) or, on kernels where only
// BFQ is left, blkio.bfq.weight; throttles to blkio.throttle.*.
func v1BlockIO(r *specs.LinuxResources, f v1Features) ([]write, error) {
	b := r.BlockIO
	if b == nil || !f.controllers["blkio"] {
		return nil, nil
	}
	w := func(file, value, field string) write {
		return write{key: "blkio", file: file, value: value, field: field}
	}
	weight, weightDev := "blkio.weight", "blkio.weight_device"
	if !f.files[weight] && f.files["blkio.bfq.weight"] {
		weight, weightDev = "blkio.bfq.weight", "blkio.bfq.weight_device"
	}
	var ws []write
	if v := u16(b.Weight); v != 0 {
		if !f.files[weight] {
			return nil, fmt.Errorf("%s: no proportional I/O scheduler (neither blkio.weight nor blkio.bfq.weight exists)", fBlkWeight)
		}
		ws = append(ws, w(weight, strconv.Itoa(int(v)), fBlkWeight))
	}
	// Leaf weights were a CFQ feature; kernels without CFQ have no file and
	// nothing that would honour the value, so they are skipped there.
	if v := u16(b.LeafWeight); v != 0 && f.files["blkio.leaf_weight"] {
		ws = append(ws, w("blkio.leaf_weight", strconv.Itoa(int(v)), fBlkLeafWeight))
	}
	for i, d := range b.WeightDevice {
		field := indexed(fBlkWeightDevice, i)
		if v := u16(d.Weight); v != 0 {
			if !f.files[weightDev] {
				return nil, fmt.Errorf("%s: no proportional I/O scheduler (neither blkio.weight_device nor blkio.bfq.weight_device exists)", field)
			}
			ws = append(ws, w(weightDev, devNum(d.Major, d.Minor)+" "+strconv.Itoa(int(v)), field))
		}
		if v := u16(d.LeafWeight); v != 0 && f.files["blkio.leaf_weight_device"] {
			ws = append(ws, w("blkio.leaf_weight_device", devNum(d.Major, d.Minor)+" "+strconv.Itoa(int(v)), field))
		}
	}
	for _, t := range throttles(b) {
		for i, d := range t.devs {
			ws = append(ws, w(t.v1, devNum(d.Major, d.Minor)+" "+strconv.FormatUint(d.Rate, 10), indexed(t.field, i)))
		}
	}
	return ws, nil
}

// v2IO: io.bfq.weight takes the v1 range as is; io.weight (iocost) has its
// own range, so the value is converted. Throttles are one io.max line per
// device. leafWeight has no v2 counterpart and is ignored.
func v2IO(r *specs.LinuxResources, f v2Features) ([]write, error) {
	b := r.BlockIO
	if b == nil || !f.controllers["io"] {
		return nil, nil
	}
	w := func(file, value, field string) write {
		return write{key: "", file: file, value: value, field: field}
	}
	bfq := f.files["io.bfq.weight"]
	if !bfq && !f.files["io.weight"] && (u16(b.Weight) != 0 || len(b.WeightDevice) > 0) {
		field := fBlkWeight
		if u16(b.Weight) == 0 {
			field = fBlkWeightDevice
		}
		return nil, fmt.Errorf("%s: no proportional I/O controller (neither io.weight nor io.bfq.weight exists)", field)
	}
	var ws []write
	if v := u16(b.Weight); v != 0 {
		if bfq {
			ws = append(ws, w("io.bfq.weight", strconv.Itoa(int(v)), fBlkWeight))
		} else {
			ws = append(ws, w("io.weight", "default "+strconv.FormatUint(blkioToIOWeight(v), 10), fBlkWeight))
		}
	}
	for i, d := range b.WeightDevice {
		v := u16(d.Weight)
		if v == 0 {
			continue
		}
		if bfq {
			ws = append(ws, w("io.bfq.weight", devNum(d.Major, d.Minor)+" "+strconv.Itoa(int(v)), indexed(fBlkWeightDevice, i)))
		} else {
			ws = append(ws, w("io.weight", devNum(d.Major, d.Minor)+" "+strconv.FormatUint(blkioToIOWeight(v), 10), indexed(fBlkWeightDevice, i)))
		}
	}
	return append(ws, ioMax(b)...), nil
}

// ioMax groups the throttles per device, in order of first mention. A v1
// rate of 0 means "no limit", which v2 spells max.
func ioMax(b *specs.LinuxBlockIO) []write {
	type line struct {
		dev, text, field string
	}
	var lines []*line
	byDev := map[string]*line{}
	for _, t := range throttles(b) {
		for i, d := range t.devs {
			dev := devNum(d.Major, d.Minor)
			l := byDev[dev]
			if l == nil {
				l = &line{dev: dev, text: dev, field: indexed(t.field, i)}
				byDev[dev] = l
				lines = append(lines, l)
			}
			v := "max"
			if d.Rate != 0 {
				v = strconv.FormatUint(d.Rate, 10)
			}
			l.text += " " + t.v2 + "=" + v
		}
	}
	ws := make([]write, 0, len(lines))
	for _, l := range lines {
		ws = append(ws, write{key: "", file: "io.max", value: l.text, field: l.field})
	}
	return ws
}

// blkioToIOWeight maps blkio weights [10, 1000] onto io.weight [1, 10000]
// with runc's formula.
func blkioToIOWeight(v uint16) uint64 {
	w := uint64(min(max(v, 10), 1000))
	return 1 + (w-10)*9999/990
}

func devNum(major, minor int64) string {
	return fmt.Sprintf("%d:%d", major, minor)
}
