package procstat

import (
	"os"
	"runtime"
	"testing"
)

func TestParse(t *testing.T) {
	in := "Name:\tterraform-provi\nUmask:\t0022\nPPid:\t4242\nVmHWM:\t  160128 kB\nVmRSS:\t  150000 kB\nRssAnon:\t   70000 kB\nRssFile:\t   80000 kB\nRssShmem:\t       0 kB\n"
	want := Status{Name: "terraform-provi", PPid: 4242, HWM: 160128, RSS: 150000, Anon: 70000, File: 80000}
	if got := Parse([]byte(in)); got != want {
		t.Errorf("Parse = %+v, want %+v", got, want)
	}
}

func TestReadSelf(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/proc/self/status is Linux only")
	}
	s, ok := Read(0)
	if !ok || s.RSS == 0 || s.HWM < s.RSS || s.Anon+s.File > s.RSS+1024 || s.PPid != os.Getppid() {
		t.Errorf("Read(0) = %+v, %v", s, ok)
	}
}
