// The Go peers of locus_instantiation and coord_with_churn: a goroutine per locus running its
// lifecycle on a heap-allocated struct, the spawner waiting for it (locus_instantiation), and a
// coordinator that spawns 2,000 worker goroutines per round and collects each result over a
// channel (coord_with_churn). Same rounds as the Hale programs; prints the best times.
package main

import (
	"fmt"
	"time"
)

type leaf struct {
	id, acc int64
}

func (l *leaf) birth()    { l.acc = l.id * 3 }
func (l *leaf) run()      { l.acc = l.acc + 1 }
func (l *leaf) dissolve() { l.acc = l.acc - 1 }

var sink int64

func instantiation(n int64) int64 {
	start := time.Now()
	done := make(chan struct{})
	for i := int64(0); i < n; i++ {
		l := &leaf{id: i}
		go func() {
			l.birth()
			l.run()
			l.dissolve()
			done <- struct{}{}
		}()
		<-done
		sink += l.acc
	}
	return time.Since(start).Nanoseconds()
}

type worker struct {
	id, result int64
}

func churn(rounds, width int64) (int64, int64) {
	start := time.Now()
	results := make(chan *worker, width)
	var tally int64
	for r := int64(0); r < rounds; r++ {
		for i := int64(0); i < width; i++ {
			w := &worker{id: i}
			go func() {
				w.result = (w.id*7 + 3) % 1000
				results <- w
			}()
		}
		for i := int64(0); i < width; i++ {
			w := <-results
			tally += w.result
		}
	}
	return time.Since(start).Nanoseconds(), tally
}

func main() {
	best := int64(1 << 62)
	for r := 0; r < 11; r++ {
		if t := instantiation(100000); t < best {
			best = t
		}
	}
	fmt.Printf("locus_instantiation_go %d\n", best)
	best = 1 << 62
	var tally int64
	for r := 0; r < 5; r++ {
		t, s := churn(50, 2000)
		if t < best {
			best = t
		}
		tally = s
	}
	fmt.Printf("coord_with_churn_go %d tally %d\n", best, tally)
}
