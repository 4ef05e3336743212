// Package wire encodes records for a file format that is little-endian on every machine, the
// way portable formats are: with encoding/binary. Its one shortcut, Header, copies the machine's
// own memory instead — the bug that only a big-endian target (s390x) shows.
package wire

import (
	"encoding/binary"
	"unsafe"
)

// Put writes v little-endian into the first 4 bytes of b.
func Put(b []byte, v uint32) { binary.LittleEndian.PutUint32(b, v) }

// Get reads what Put wrote.
func Get(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

// Header is the record's magic as bytes, taken from memory: right only where the machine is
// little-endian.
func Header(magic uint32) [4]byte { return *(*[4]byte)(unsafe.Pointer(&magic)) }
