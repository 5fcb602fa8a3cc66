// The Go siblings of the Hale programs in this directory: the same work with plain structs,
// methods and calls (no goroutines), one workload per process, named by the first argument.
// Each prints "NAME NS" with the same rounds and the same best-of rule as its Hale program.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"
)

var sink int64

type cell struct{ v int64 }

//go:noinline
func (c *cell) read() int64 { return c.v }

//go:noinline
func one(seed int64) int64 {
	c := &cell{v: seed}
	return c.read()
}

func locusInstantiation() int64 {
	seed := int64(os.Getpid())
	best := int64(1 << 62)
	for r := 0; r < 5; r++ {
		t0 := time.Now()
		var s int64
		for i := int64(0); i < 100000; i++ {
			s ^= one(i + seed)
		}
		best = min64(best, time.Since(t0).Nanoseconds())
		sink += s
	}
	return best
}

type worker struct{ n int64 }

//go:noinline
func (w *worker) run() {}

type coord struct{ batch, seen int64 }

//go:noinline
func (c *coord) accept(w *worker) {}

//go:noinline
func (c *coord) release(w *worker) { c.seen++ }

//go:noinline
func (c *coord) runAll() {
	for i := int64(0); i < c.batch; i++ {
		w := &worker{n: i}
		c.accept(w)
		w.run()
		c.release(w)
	}
}

func coordWithChurn() int64 {
	best := int64(1 << 62)
	for m := 0; m < 3; m++ {
		t0 := time.Now()
		for r := 0; r < 50; r++ {
			c := &coord{batch: 2000}
			c.runAll()
			sink += c.seen
		}
		best = min64(best, time.Since(t0).Nanoseconds()/50)
	}
	return best
}

type fanWorker struct{ id, items int64 }

//go:noinline
func (w *fanWorker) compute() int64 {
	var sum int64
	for i := int64(0); i < w.items; i++ {
		sum += i
	}
	return sum
}

type fanCoord struct{ workers, items, total int64 }

//go:noinline
func (c *fanCoord) accept(w *fanWorker) { c.total += w.compute() }

//go:noinline
func (c *fanCoord) run() {
	for i := int64(0); i < c.workers; i++ {
		c.accept(&fanWorker{id: i, items: c.items})
	}
}

func treeFanout() int64 {
	best := int64(1 << 62)
	for m := 0; m < 3; m++ {
		t0 := time.Now()
		for r := 0; r < 200; r++ {
			c := &fanCoord{workers: 20, items: 2000}
			c.run()
			sink += c.total
		}
		best = min64(best, time.Since(t0).Nanoseconds()/200)
	}
	return best
}

type entry struct{ id, v int64 }

func formHashmapSet() int64 {
	best := int64(1 << 62)
	for r := 0; r < 3; r++ {
		m := map[int64]entry{}
		t0 := time.Now()
		for i := int64(0); i < 1000000; i++ {
			m[i] = entry{id: i, v: i + 1}
		}
		best = min64(best, time.Since(t0).Nanoseconds())
		sink += int64(len(m))
	}
	return best
}

func formVecPush() int64 {
	var v []int64
	t0 := time.Now()
	for i := int64(0); i < 500000; i++ {
		v = append(v, i)
	}
	ns := time.Since(t0).Nanoseconds()
	sink += int64(len(v))
	return ns
}

type quote struct {
	Sym   string `json:"sym"`
	Bid   int64  `json:"bid"`
	Ask   int64  `json:"ask"`
	Bidsz int64  `json:"bidsz"`
	Asksz int64  `json:"asksz"`
	Ts    int64  `json:"ts"`
	Seq   int64  `json:"seq"`
}

func jsonParse() int64 {
	body := []byte(`{"sym": "ETHUSD", "bid": 50000, "ask": 50010, "bidsz": 12, "asksz": 8, "ts": 1765000000000, "seq": 42}`)
	best := int64(1 << 62)
	for r := 0; r < 3; r++ {
		t0 := time.Now()
		var total int64
		for i := 0; i < 200000; i++ {
			var q quote
			if err := json.Unmarshal(body, &q); err != nil {
				panic(err)
			}
			total += q.Bid + q.Ask
		}
		best = min64(best, time.Since(t0).Nanoseconds())
		sink += total
	}
	return best
}

func step(x int64) int64    { return x*2 + 1 }
func stepOdd(x int64) int64 { return x*2 + 3 }

func fnCall() int64 {
	f := step
	if os.Getpid()%2 == 1 {
		f = stepOdd
	}
	best := int64(1 << 62)
	for r := 0; r < 3; r++ {
		t0 := time.Now()
		var acc int64
		for i := int64(0); i < 10000000; i++ {
			acc ^= f(i)
		}
		best = min64(best, time.Since(t0).Nanoseconds())
		sink += acc
	}
	return best
}

func inner(x int64) int64                         { return x + 1 }
func innerOdd(x int64) int64                      { return x + 2 }
func outer(x int64, g func(int64) int64) int64    { return g(x) * 3 }
func outerOdd(x int64, g func(int64) int64) int64 { return g(x) * 5 }

func fnModular() int64 {
	f, g := outer, inner
	if os.Getpid()%2 == 1 {
		f, g = outerOdd, innerOdd
	}
	best := int64(1 << 62)
	for r := 0; r < 3; r++ {
		t0 := time.Now()
		var acc int64
		for i := int64(0); i < 10000000; i++ {
			acc ^= f(i, g)
		}
		best = min64(best, time.Since(t0).Nanoseconds())
		sink += acc
	}
	return best
}

func main() {
	shapes := map[string]func() int64{
		"locus_instantiation": locusInstantiation,
		"coord_with_churn":    coordWithChurn,
		"tree_fanout":         treeFanout,
		"form_hashmap_set":    formHashmapSet,
		"form_vec_push":       formVecPush,
		"json_parse":          jsonParse,
		"fn_call":             fnCall,
		"fn_modular":          fnModular,
	}
	if len(os.Args) != 2 || shapes[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: shapes_go WORKLOAD")
		os.Exit(2)
	}
	fmt.Printf("%s %d\n", os.Args[1], shapes[os.Args[1]]())
	if sink == 42 {
		fmt.Println("")
	}
}

func min64(a, b int64) int64 {
	if a < b {
		return a
	}
	return b
}
