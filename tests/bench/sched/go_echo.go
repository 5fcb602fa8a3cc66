// The Go peer for the churn benchmark: the idiomatic goroutine-per-connection echo server.
// Same protocol as tests/sched/echo_server.c: prints "port N", echoes, closes at end of stream.
package main

import (
	"fmt"
	"net"
	"os"
)

func main() {
	addr := "127.0.0.1:0"
	if len(os.Args) > 1 {
		addr = "127.0.0.1:" + os.Args[1]
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Printf("port %d\n", ln.Addr().(*net.TCPAddr).Port)
	os.Stdout.Sync()
	for {
		c, err := ln.Accept()
		if err != nil {
			continue
		}
		go func(c net.Conn) {
			defer c.Close()
			// A plain read/write loop, like the C servers (io.Copy would splice through pipes).
			buf := make([]byte, 16*1024)
			for {
				n, err := c.Read(buf)
				if n > 0 {
					if _, werr := c.Write(buf[:n]); werr != nil {
						return
					}
				}
				if err != nil {
					return // io.EOF: the client half-closed; anything else: gone
				}
			}
		}(c)
	}
}
