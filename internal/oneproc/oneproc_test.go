package oneproc

import (
	"runtime"
	"testing"
)

func TestOneProcUntilReleased(t *testing.T) {
	if got := runtime.GOMAXPROCS(0); got != 1 {
		t.Fatalf("GOMAXPROCS after import = %d, want 1", got)
	}
	Release()
	if got := runtime.GOMAXPROCS(0); got != runtimeChoice {
		t.Fatalf("GOMAXPROCS after Release = %d, want the runtime's own choice %d", got, runtimeChoice)
	}
	Release() // a second call changes nothing
	if got := runtime.GOMAXPROCS(0); got != runtimeChoice {
		t.Fatalf("GOMAXPROCS after a second Release = %d, want %d", got, runtimeChoice)
	}
}
