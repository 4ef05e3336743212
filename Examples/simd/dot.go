// The dot product of dot.c, in Go: GOAMD64=v3 or GOARM=7 make the runtime or the code need that CPU.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	n := 1000
	if len(os.Args) > 1 {
		var err error
		if n, err = strconv.Atoi(os.Args[1]); err != nil || n < 1 || n > 1000000 {
			os.Exit(2)
		}
	}
	a, b := make([]float32, n), make([]float32, n)
	for i := range a {
		a[i], b[i] = float32(i%7), float32(i%5)
	}
	var sum float32
	for i := range a {
		sum += a[i] * b[i]
	}
	fmt.Printf("dot %d: %.0f\n", n, sum)
}
