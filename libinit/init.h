// skiff-init: a container's init, in C, with no language runtime to start.
//
// The host side (internal/initplan) decides everything a container's init
// does and sends it as a plan: a list of steps, each one thin syscall work
// with its arguments already computed and validated. This program joins and
// creates the namespaces (steps 1-5 of internal/handshake), then executes
// the plan in order (steps 6-8) and ends in execve of the user's process.
//
// Why C and not Go: a Go init pays a second Go runtime start on every
// create and exec (threads, heap, package inits, a JSON decoder), about
// 6 ms on the 2-CPU CI VM, and its resident memory is charged to the
// container's cgroup. This one starts like /bin/true.
#ifndef SKIFF_INIT_H
#define SKIFF_INIT_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

// Plan operations. The numbers are the wire format: internal/initplan/plan.go
// holds the same list (a Go test compares the two).
enum {
	OP_CLOEXEC_FROM = 1, // from: mark fds >= from close-on-exec
	OP_UMASK,            // mask
	OP_OOM_SCORE_ADJ,    // value
	OP_LOOPBACK_UP,      //
	OP_HOSTNAME,         // name
	OP_DOMAINNAME,       // name
	OP_WRITE_FILE,       // path, data
	OP_KEYRING,          // name
	OP_MOUNT,            // source, target, fstype, flags, data
	OP_OPEN_ROOT,        // path
	OP_MOUNT_AT,         // source, dest, fstype, flags, data, bind, remount, attrset, attrclr, propagation...
	OP_RECV_FDS,         // n
	OP_IDMAP_AT,         // dest, remount, attrset, attrclr, propagation...
	OP_CGROUP_AT,        // dest, flags, readonly, tree, then per hierarchy: name, fstype, data, source
	OP_DEVICE_AT,        // path, mode, major, minor, uid, gid, bind
	OP_SYMLINK_AT,       // target, path
	OP_MKDIR_AT,         // path
	OP_HOOKS_IN_PARENT,  //
	OP_HOOK,             // timeout, state, path, argc, args..., env...
	OP_PIVOT_ROOT,       // rootfs
	OP_MOVE_ROOT,        // rootfs
	OP_CHROOT,           // rootfs
	OP_MASK,             // path
	OP_READONLY,         // path
	OP_REMOUNT,          // path, flags
	OP_CONSOLE,          // fd, uid, gid, rows, cols
	OP_CWD,              // path
	OP_LOOKPATH,         // name, PATH
	OP_RLIMIT,           // resource, soft, hard
	OP_PERSONALITY,      // domain
	OP_SCHEDULER,        // policy, flags, nice, priority, runtime, deadline, period
	OP_IOPRIO,           // value
	OP_MEMPOLICY,        // mode, maxnode, mask bytes
	OP_AFFINITY,         // mask bytes
	OP_SECCOMP_PROGRAM,  // BPF program (struct sock_filter[])
	OP_SECCOMP,          // flags, listener
	OP_READY,            //
	OP_OPEN_FIFO,        // procfd, pid, fifofd
	OP_CLOSE_SOCKET,     //
	OP_START,            //
	OP_LSM_LABEL,        // attr, value
	OP_CREDENTIALS,      // uid, gid, umask, bounding, effective, permitted, inheritable, ambient, nnp, gids...
	OP_EXEC,             // argc, args..., env...
	OP_MAX
};

// One argument: bytes with a NUL after them (not counted in len), so
// that text arguments are C strings in place.
struct arg {
	const char *s;
	uint32_t len;
};

// One step of the plan. Argument 0 is always the context that prefixes
// its errors, e.g. "config.json: mounts[3] (/proc)".
struct op {
	uint16_t code;
	uint16_t argc;
	struct arg *argv;
};

// report.c: the way back to the parent.
extern int g_sock; // handshake socket; -1 once closed
extern int g_fifo; // exec FIFO open for writing; -1 until OP_OPEN_FIFO
int write_all(int fd, const void *buf, size_t len);
int read_all(int fd, void *buf, size_t len);
void send_message(const char *type);
int read_message_type(char *type, size_t size);
void send_fd(int fd);
int send_fd_over(int sock, int fd, const void *data, size_t len);
int recv_fds(int *fds, int n);
__attribute__((noreturn, format(printf, 2, 3))) void fail(int err, const char *fmt, ...);
// fail_read: a failed read from the parent; quiet when the parent is gone.
__attribute__((noreturn)) void fail_read(const char *what);
// fail_hint adds " (hint)" after the errno text: what the errno means here.
__attribute__((noreturn, format(printf, 3, 4))) void fail_hint(int err, const char *hint, const char *fmt, ...);

// stage.c: steps 1-5.
// run_stage returns in the container's init. With a late cgroup it
// returns the namespaces init must still create once it is in the
// container's cgroup (a new cgroup namespace), else 0.
int run_stage(void);

// plan.c: step 6.
void read_plan(struct op **ops, size_t *n);
uint64_t arg_u64(const struct op *op, int i);
int64_t arg_i64(const struct op *op, int i);
const char *arg_str(const struct op *op, int i);
void need_args(const struct op *op, int n);
char **arg_list(const struct op *op, int from, int n);

// One file per kind of work; each returns only on success.
void mount_op(const struct op *op);      // mounts.c
void cgroup_op(const struct op *op);     // cgroupmount.c
void device_op(const struct op *op);     // devices.c
void root_op(const struct op *op);      // pivot.c
void process_op(const struct op *op);   // process.c
void attr_op(const struct op *op);      // attrs.c
void console_op(const struct op *op);   // console.c
void hook_op(const struct op *op);      // hooks.c
void seccomp_op(const struct op *op);   // seccomp.c
void namespace_op(const struct op *op); // environment.c

// inroot.c: paths from config.json, resolved inside the rootfs.
extern int g_root; // O_PATH fd of the rootfs, -1 before OP_OPEN_ROOT
// openat2_in is openat2(2) with flags and resolve in one call.
int openat2_in(int dirfd, const char *path, uint64_t flags, uint64_t resolve);
int open_in_root(const char *path);
int mkdir_all_in_root(const char *path, int as_file);
void fd_path(char *buf, size_t size, int fd);
int open_target(const char *ctx, const char *path, char *target, size_t size);
int remount(const char *target, unsigned long flags);
void remount_in_root(const char *ctx, const char *dest, unsigned long flags); // mounts.c

// seccompcompile.c: linux.seccomp into BPF, for the compile mode.
struct sock_filter;
struct sock_filter *seccomp_compile(const char *ctx, const char *buf, size_t len, size_t *n);
// enosys.c: the block in front of libseccomp's program.
struct sock_filter *enosys_stub(const uint32_t *tokens, size_t ntokens, const char *const *names, size_t nnames,
				size_t *len);
// seccomptool.c: the host side's seccomp modes.
int seccomp_compile_main(void);
int seccomp_arches_main(int argc, char **argv);

// process.c
extern char g_exe[4096]; // the program OP_LOOKPATH found

#endif
