package initplan

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestOpsMatchInitHeader keeps the op numbers here and in libinit/init.h
// the same: both are the wire format of a plan.
func TestOpsMatchInitHeader(t *testing.T) {
	data, err := os.ReadFile("../../libinit/init.h")
	if err != nil {
		t.Fatal(err)
	}
	body := string(data)
	start := strings.Index(body, "OP_CLOEXEC_FROM = 1")
	end := strings.Index(body, "OP_MAX")
	if start < 0 || end < start {
		t.Fatal("no op enum in init.h")
	}
	names := regexp.MustCompile(`\bOP_[A-Z_]+`).FindAllString(body[start:end], -1)
	cNames := map[Op]string{
		OpCloexecFrom: "CLOEXEC_FROM", OpUmask: "UMASK", OpOOMScoreAdj: "OOM_SCORE_ADJ", OpLoopbackUp: "LOOPBACK_UP",
		OpHostname: "HOSTNAME", OpDomainname: "DOMAINNAME", OpWriteFile: "WRITE_FILE", OpKeyring: "KEYRING",
		OpMount: "MOUNT", OpOpenRoot: "OPEN_ROOT", OpMountAt: "MOUNT_AT", OpRecvFds: "RECV_FDS", OpIDMapAt: "IDMAP_AT",
		OpCgroupAt: "CGROUP_AT", OpDeviceAt: "DEVICE_AT", OpSymlinkAt: "SYMLINK_AT", OpMkdirAt: "MKDIR_AT",
		OpHooksInParent: "HOOKS_IN_PARENT", OpHook: "HOOK", OpPivotRoot: "PIVOT_ROOT", OpMoveRoot: "MOVE_ROOT",
		OpChroot: "CHROOT", OpMask: "MASK", OpReadonly: "READONLY", OpRemount: "REMOUNT", OpConsole: "CONSOLE",
		OpCwd: "CWD", OpLookPath: "LOOKPATH", OpRlimit: "RLIMIT", OpPersonality: "PERSONALITY",
		OpScheduler: "SCHEDULER", OpIOPrio: "IOPRIO", OpMemPolicy: "MEMPOLICY", OpAffinity: "AFFINITY",
		OpSeccompProgram: "SECCOMP_PROGRAM", OpSeccomp: "SECCOMP", OpReady: "READY", OpOpenFifo: "OPEN_FIFO", OpCloseSocket: "CLOSE_SOCKET",
		OpStart: "START", OpLSMLabel: "LSM_LABEL", OpCredentials: "CREDENTIALS", OpExec: "EXEC",
	}
	if len(names) != int(opMax)-1 || len(cNames) != len(names) {
		t.Fatalf("init.h has %d ops, plan.go %d, this test maps %d", len(names), int(opMax)-1, len(cNames))
	}
	for i, n := range names {
		if want := "OP_" + cNames[Op(i+1)]; n != want {
			t.Errorf("op %d: init.h says %s, plan.go says %s", i+1, n, want)
		}
	}
}
