package notebook

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/fracdyn/fracdyn/internal/fsutil"
)

// CacheDir is where Cached keeps results: $FRACDYN_CACHE, or fracdyn/notebook
// in the user's cache directory.
func CacheDir() (string, error) {
	if d := os.Getenv("FRACDYN_CACHE"); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("notebook cache: %w (set FRACDYN_CACHE)", err)
	}
	return filepath.Join(d, "fracdyn", "notebook"), nil
}

// Cached returns compute's result for key, computing it only when no
// earlier call stored it: GoNB re-runs every declaration on each cell, and
// a kernel restart loses memory, so results are kept on disk (CacheDir), in
// NAME-HASH.gob, HASH the SHA-256 of key's JSON. key must hold everything
// the result depends on (a run's Config, an epoch, a scale…): fracdyn's
// results are deterministic given those. T must be gob-encodable (exported
// fields). A cache entry that cannot be read is computed again.
func Cached[T any](name string, key any, compute func() (T, error)) (T, error) {
	var zero T
	k, err := json.Marshal(key)
	if err != nil {
		return zero, fmt.Errorf("notebook cache %q: key: %w", name, err)
	}
	dir, err := CacheDir()
	if err != nil {
		return zero, err
	}
	sum := sha256.Sum256(append([]byte(name+"\x00"), k...))
	path := filepath.Join(dir, name+"-"+hex.EncodeToString(sum[:8])+".gob")
	if b, err := os.ReadFile(path); err == nil {
		var v T
		if gob.NewDecoder(bytes.NewReader(b)).Decode(&v) == nil {
			return v, nil
		}
	}
	v, err := compute()
	if err != nil {
		return zero, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return v, fmt.Errorf("notebook cache %q: %w", name, err)
	}
	err = fsutil.WriteFileAtomic(path, func(w io.Writer) error { return gob.NewEncoder(w).Encode(v) })
	if err != nil {
		return v, fmt.Errorf("notebook cache %q: %w", name, err)
	}
	return v, nil
}
