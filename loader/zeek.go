package loader

import "io"

func sniffZeek(head []byte) bool { return false }

func readZeek(c *collector, r io.Reader) error { return errNotYet }
