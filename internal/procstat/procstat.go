// Package procstat reads a process's memory from /proc/<pid>/status
// (Linux): the provider's own peak (SAGESAFE_HEAPPROFILE_DIR) and the
// bench's sampling of the provider processes Terraform starts. Resident
// memory is split into anonymous memory (the Go heap, stacks, the
// runtime) and file pages (the executable's code and read-only data that
// have been touched), which no Go setting shrinks.
package procstat

import (
	"bytes"
	"os"
	"strconv"
)

// Status is what /proc/<pid>/status says of a process's memory, in kB.
type Status struct {
	Name string
	PPid int
	// RSS is resident memory now (VmRSS), HWM its peak (VmHWM); Anon and
	// File split RSS (RssAnon, RssFile).
	RSS, HWM, Anon, File uint64
}

// Read reads the status of process pid ("self" when pid is 0); false when
// it cannot be read (the process has gone, or this is not Linux).
func Read(pid int) (Status, bool) {
	who := "self"
	if pid != 0 {
		who = strconv.Itoa(pid)
	}
	b, err := os.ReadFile("/proc/" + who + "/status")
	if err != nil {
		return Status{}, false
	}
	return Parse(b), true
}

// Parse reads the fields of Status from the text of a status file.
func Parse(b []byte) Status {
	var s Status
	for line := range bytes.SplitSeq(b, []byte("\n")) {
		key, value, ok := bytes.Cut(line, []byte(":"))
		if !ok {
			continue
		}
		f := bytes.Fields(value)
		if len(f) == 0 {
			continue
		}
		n, _ := strconv.ParseUint(string(f[0]), 10, 64)
		switch string(key) {
		case "Name":
			s.Name = string(f[0])
		case "PPid":
			s.PPid = int(n)
		case "VmRSS":
			s.RSS = n
		case "VmHWM":
			s.HWM = n
		case "RssAnon":
			s.Anon = n
		case "RssFile":
			s.File = n
		}
	}
	return s
}
