package wire

import "testing"

func TestRoundTrip(t *testing.T) {
	b := make([]byte, 4)
	for _, v := range []uint32{0, 1, 0xdeadbeef, 1 << 31} {
		Put(b, v)
		if got := Get(b); got != v {
			t.Fatalf("Get(Put(%#x)) = %#x", v, got)
		}
	}
}

func TestPutIsLittleEndian(t *testing.T) {
	b := make([]byte, 4)
	Put(b, 0x01020304)
	if b[0] != 0x04 || b[3] != 0x01 {
		t.Fatalf("Put(0x01020304) = % x, want 04 03 02 01", b)
	}
}

// The planted failure: Header copies memory, so on a big-endian machine its bytes come out reversed.
func TestHeaderMatchesPut(t *testing.T) {
	b := make([]byte, 4)
	Put(b, 0x41524357)
	if h := Header(0x41524357); string(h[:]) != string(b) {
		t.Fatalf("Header = % x, Put = % x: Header depends on the machine's byte order", h, b)
	}
}
