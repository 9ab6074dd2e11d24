package loader

import "io"

func sniffIPRep(head []byte) bool { return false }

func sniffDataset(head []byte) bool { return false }

func readSuricataDataset(c *collector, r io.Reader) error { return errNotYet }

func readSuricataIPRep(c *collector, r io.Reader) error { return errNotYet }
