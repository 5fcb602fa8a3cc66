// form_vec_push's Go peer: 500k appends to a []int64 starting empty, best of 21 runs.
package main

import (
	"fmt"
	"time"
)

const n = 500000

var sink int64

func run() int64 {
	start := time.Now()
	var s []int64
	for i := int64(0); i < n; i++ {
		s = append(s, i)
	}
	sink = s[n-1] + int64(len(s))
	return time.Since(start).Nanoseconds()
}

func main() {
	best := int64(1 << 62)
	for i := 0; i < 21; i++ {
		if t := run(); t < best {
			best = t
		}
	}
	fmt.Printf("vec_push_go %d\n", best)
}
