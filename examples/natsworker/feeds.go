package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// feedSync mirrors an object store bucket into a local directory.
type feedSync struct {
	obs  jetstream.ObjectStore
	dir  string
	have map[string]string // object name -> digest of the local copy
}

// localPath is the local file of object name, or an error for a name
// that would leave the directory or be hidden from the loader.
func (f *feedSync) localPath(name string) (string, error) {
	p := filepath.FromSlash(name)
	if !filepath.IsLocal(p) {
		return "", fmt.Errorf("object %q: not a relative path inside the bucket", name)
	}
	for _, el := range strings.Split(p, string(filepath.Separator)) {
		if strings.HasPrefix(el, ".") {
			return "", fmt.Errorf("object %q: hidden names are not read by the loader", name)
		}
	}
	return filepath.Join(f.dir, p), nil
}

// apply brings the local copy of one object up to date; changed reports
// whether a file was written or removed.
func (f *feedSync) apply(ctx context.Context, info *jetstream.ObjectInfo) (changed bool, err error) {
	p, err := f.localPath(info.Name)
	if err != nil {
		return false, err
	}
	if info.Deleted {
		if _, ok := f.have[info.Name]; !ok {
			return false, nil
		}
		delete(f.have, info.Name)
		if err := os.Remove(p); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return false, err
		}
		return true, nil
	}
	if d, ok := f.have[info.Name]; ok && d == info.Digest {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return false, err
	}
	r, err := f.obs.Get(ctx, info.Name)
	if err != nil {
		return false, fmt.Errorf("object %q: %w", info.Name, err)
	}
	defer r.Close()
	tmp, err := os.CreateTemp(filepath.Dir(p), ".tmp-")
	if err != nil {
		return false, err
	}
	_, err = io.Copy(tmp, r) // the object result checks the digest at EOF
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), p)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return false, fmt.Errorf("object %q: %w", info.Name, err)
	}
	f.have[info.Name] = info.Digest
	return true, nil
}

// initial reads the watcher's first values (the bucket's current
// objects, up to the nil that ends them), mirrors them and removes the
// local files that are not in the bucket.
func (f *feedSync) initial(ctx context.Context, w jetstream.ObjectWatcher, timeout time.Duration) error {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		select {
		case info, ok := <-w.Updates():
			if !ok {
				return errors.New("bucket watcher closed")
			}
			if info == nil {
				return f.prune()
			}
			if _, err := f.apply(ctx, info); err != nil {
				return err
			}
		case <-t.C:
			return fmt.Errorf("bucket: no initial listing within %v", timeout)
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// prune removes the regular files of dir that no object gave.
func (f *feedSync) prune() error {
	keep := map[string]bool{}
	for name := range f.have {
		p, _ := f.localPath(name)
		keep[p] = true
	}
	return filepath.WalkDir(f.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && !keep[p] {
			return os.Remove(p)
		}
		return nil
	})
}

// openBucket returns the object store bucket, created when missing and
// create is set.
func openBucket(ctx context.Context, js jetstream.JetStream, bucket string, create bool) (jetstream.ObjectStore, error) {
	obs, err := js.ObjectStore(ctx, bucket)
	if errors.Is(err, jetstream.ErrBucketNotFound) && create {
		obs, err = js.CreateObjectStore(ctx, jetstream.ObjectStoreConfig{Bucket: bucket, Description: "iocmatch feed files"})
		if errors.Is(err, jetstream.ErrBucketExists) || errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
			obs, err = js.ObjectStore(ctx, bucket)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("-bucket %s: %w", bucket, err)
	}
	return obs, nil
}

// publishFeeds puts every regular, non-hidden file under c.publishFeeds
// into the bucket, named by its slash path under the directory (a file
// given instead of a directory: by its base name). Objects whose content
// is unchanged are put all the same (cheap; the workers compare digests).
func publishFeeds(ctx context.Context, c *config, stderr io.Writer) error {
	root := c.publishFeeds
	st, err := os.Stat(root)
	if err != nil {
		return fmt.Errorf("-publish-feeds: %w", err)
	}
	nc, err := nats.Connect(c.url, c.natsOptions("natsworker publish-feeds")...)
	if err != nil {
		return fmt.Errorf("-nats %s: %w", c.url, err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		return err
	}
	obs, err := openBucket(ctx, js, c.bucket, true)
	if err != nil {
		return err
	}
	put := func(p, name string) error {
		fh, err := os.Open(p)
		if err != nil {
			return err
		}
		defer fh.Close()
		info, err := obs.Put(ctx, jetstream.ObjectMeta{Name: name}, fh)
		if err != nil {
			return fmt.Errorf("put %s: %w", p, err)
		}
		fmt.Fprintf(stderr, "natsworker: put %s (%d bytes) into %s\n", info.Name, info.Size, c.bucket)
		return nil
	}
	if !st.IsDir() {
		return put(root, filepath.Base(root))
	}
	n := 0
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p != root && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		n++
		return put(p, filepath.ToSlash(rel))
	})
	if err == nil && n == 0 {
		err = fmt.Errorf("-publish-feeds %s: no file", root)
	}
	return err
}
