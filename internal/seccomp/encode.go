package seccomp

import "encoding/binary"

// Encode renders f as skiff-init's compile mode reads it on stdin
// (libinit/seccompcompile.c, Compile); it is also the program cache's key
// (progcache). Integers are native-endian; a
// string is a u32 length, its bytes and a NUL not counted in the length,
// so that C uses it in place.
//
//	u32 default action, u32 1 if newer syscalls get ENOSYS (else 0)
//	u32 count, then per architecture: string field, string name, string libseccomp name
//	u32 count, then the profile's syscall names (strings), for the ENOSYS horizon
//	u32 count, then per rule: string field, u32 action,
//	    u32 count, then the names (strings),
//	    u32 count, then per condition set: u32 count, then per condition:
//	        u32 argument, u32 operator, u64 value, u64 valueTwo
func (f *Filter) Encode() []byte {
	var e encoder
	e.u32(uint32(f.DefaultAction))
	e.bool(f.ENOSYS)
	e.u32(uint32(len(f.Arches)))
	for _, a := range f.Arches {
		e.str(a.Field)
		e.str(a.Name)
		e.str(a.Lib)
	}
	e.strs(f.Names)
	e.u32(uint32(len(f.Rules)))
	for _, r := range f.Rules {
		e.str(r.Field)
		e.u32(uint32(r.Action))
		e.strs(r.Names)
		e.u32(uint32(len(r.Conds)))
		for _, set := range r.Conds {
			e.u32(uint32(len(set)))
			for _, c := range set {
				e.u32(uint32(c.Arg))
				e.u32(uint32(c.Op))
				e.b = binary.NativeEndian.AppendUint64(e.b, c.Value)
				e.b = binary.NativeEndian.AppendUint64(e.b, c.ValueTwo)
			}
		}
	}
	return e.b
}

type encoder struct{ b []byte }

func (e *encoder) u32(v uint32) { e.b = binary.NativeEndian.AppendUint32(e.b, v) }

func (e *encoder) bool(v bool) {
	if v {
		e.u32(1)
	} else {
		e.u32(0)
	}
}

func (e *encoder) str(s string) {
	e.u32(uint32(len(s)))
	e.b = append(e.b, s...)
	e.b = append(e.b, 0)
}

func (e *encoder) strs(ss []string) {
	e.u32(uint32(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}
