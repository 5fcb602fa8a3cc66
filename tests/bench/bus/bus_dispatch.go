// Go peers of tests/bench/bus/bus_bench.c, measured in the same run:
//
//	go_chan       100k Tick messages through a buffered channel (capacity 1024) from a producer
//	              goroutine to a consumer goroutine that handles them (Go's usual pub/sub shape)
//	go_chan_sync  the same through an unbuffered channel
//	go_router     100k handler calls looked up by subject in a map[string]func (the shape of
//	              Hale's own published Go peer for bus_dispatch)
//	go_chan_1m    1M messages through the buffered channel (the cross-thread peer)
//
// Each line is "NAME NANOSECONDS_PER_MESSAGE", the best of several runs.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

type Tick struct {
	N int64
}

type Aggregator struct {
	count int64
	sum   int64
}

//go:noinline
func (a *Aggregator) onTick(t Tick) {
	a.count++
	a.sum += t.N
}

func viaChannel(n int, capacity int) float64 {
	ch := make(chan Tick, capacity)
	done := make(chan struct{})
	agg := &Aggregator{}
	t0 := time.Now()
	go func() {
		for t := range ch {
			agg.onTick(t)
		}
		close(done)
	}()
	for i := 0; i < n; i++ {
		ch <- Tick{N: int64(i)}
	}
	close(ch)
	<-done
	el := time.Since(t0).Nanoseconds()
	if agg.count != int64(n) {
		panic("lost messages")
	}
	return float64(el) / float64(n)
}

func viaRouter(n int) float64 {
	agg := &Aggregator{}
	router := map[string]func(Tick){"bench.tick": agg.onTick}
	subject := "bench.tick"
	t0 := time.Now()
	for i := 0; i < n; i++ {
		h := router[subject]
		h(Tick{N: int64(i)})
	}
	el := time.Since(t0).Nanoseconds()
	if agg.count != int64(n) {
		panic("lost messages")
	}
	return float64(el) / float64(n)
}

func best(f func() float64, rounds int) float64 {
	b := f()
	for r := 1; r < rounds; r++ {
		if v := f(); v < b {
			b = v
		}
	}
	return b
}

func main() {
	rounds := 15
	if len(os.Args) > 1 {
		if r, err := strconv.Atoi(os.Args[1]); err == nil {
			rounds = r
		}
	}
	fmt.Printf("go_chan %.2f\n", best(func() float64 { return viaChannel(100000, 1024) }, rounds))
	fmt.Printf("go_chan_sync %.2f\n", best(func() float64 { return viaChannel(100000, 0) }, rounds))
	fmt.Printf("go_router %.2f\n", best(func() float64 { return viaRouter(100000) }, rounds))
	fmt.Printf("go_chan_1m %.2f\n", best(func() float64 { return viaChannel(1000000, 1024) }, 5))
}
