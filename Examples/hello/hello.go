// The demo program in Go, built for darwin, windows and linux from one host. It prints what hello.c
// prints, line for line, so Archway compares its runs with the native C build's: the greeting, a
// `target:` line (what genuinely differs, stripped before the comparison), floating-point formatting,
// integer wrap-around and a CRC-32 of a table written in a fixed byte order.
package main

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"runtime"
	"strconv"
	"strings"
	"unsafe"
)

// g formats like C's %.Ng.
func g(x float64, digits int) string { return strconv.FormatFloat(x, 'g', digits, 64) }

// hexFloat formats like C's %a: Go writes the exponent with at least two digits, C with one.
func hexFloat(x float64) string {
	text := strconv.FormatFloat(x, 'x', -1, 64)
	mantissa, exponent, _ := strings.Cut(text, "p")
	sign := exponent[:1]
	digits := strings.TrimLeft(exponent[1:], "0")
	if digits == "" {
		digits = "0"
	}
	return mantissa + "p" + sign + digits
}

func main() {
	who := "world"
	if len(os.Args) > 1 {
		who = os.Args[1]
	}
	fmt.Printf("hello, %s\n", who)

	one := uint16(1)
	order := "big"
	if *(*byte)(unsafe.Pointer(&one)) == 1 {
		order = "little"
	}
	fmt.Printf("target: %d-bit, %s-endian, go %s/%s\n", strconv.IntSize, order, runtime.GOOS, runtime.GOARCH)

	a, b := 0.1, 0.2
	third := float32(1) / float32(3)
	parsed, _ := strconv.ParseFloat("2.718281828459045", 64)
	fmt.Printf("float: 0.1+0.2=%s 1/3f=%s sqrt2=%s hex=%s parsed=%s\n", g(a+b, 17), g(float64(third), 9),
		g(math.Sqrt(2), 17), hexFloat(a), g(parsed, 17))

	big := uint64(math.MaxUint64)
	power := uint64(1)
	for i := 0; i < 22; i++ {
		power *= 7
	}
	zero := uint32(0)
	fmt.Printf("ints: u64max+1=%d 7^22=%d uint_wrap=%d\n", big+1, power, zero-1)

	serialized := make([]byte, 0, 1024)
	for _, entry := range crc32.IEEETable {
		serialized = binary.BigEndian.AppendUint32(serialized, entry)
	}
	fmt.Printf("table: crc32(\"123456789\")=%08x crc32(table)=%08x\n", crc32.ChecksumIEEE([]byte("123456789")),
		crc32.ChecksumIEEE(serialized))
}
