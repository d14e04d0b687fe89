// Package oneproc runs skiff's Go code on one processor (GOMAXPROCS=1)
// from the start of the process; import it for that side effect, before
// any package whose init does real work.
//
// A skiff command is a short, sequential program that mostly waits on the
// kernel and on its children. With a P per CPU, every goroutine the
// runtime starts and every wake-up finds an idle P and wakes or clones a
// thread to run it, to find nothing to do; on the CI VM (2 vCPUs, a PVM
// guest where futex wake-ups and fresh pages are dear) it cost, as
// medians of 150-300 runs of each build, alternating:
//
//	skiff state <missing>   12.07 -> 10.30 ms wall, 14.2 -> 11.9 ms CPU
//	skiff run /bin/true     38.35 -> 35.34 ms wall, 40.2 -> 36.7 ms CPU
//
// Setting it here, from the first package init that can run (this one
// imports only runtime), costs 0.1-0.3 ms; from main it cost 0.8 ms more,
// since the runtime had already started threads by then.
//
// Work that blocks a goroutine in a long system call while others must
// keep running (a terminal relay reading stdin) calls Release first: with
// one P, a goroutine blocked in a system call holds it until the
// runtime's monitor thread takes it back, up to 10 ms later.
package oneproc

import "runtime"

// runtimeChoice is GOMAXPROCS as the runtime chose it.
var runtimeChoice = runtime.GOMAXPROCS(1)

// Release gives back the processors the runtime would have used.
func Release() {
	if runtime.GOMAXPROCS(0) < runtimeChoice {
		runtime.GOMAXPROCS(runtimeChoice)
	}
}
