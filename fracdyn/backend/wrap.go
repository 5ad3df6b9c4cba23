package backend

import "github.com/gomlx/gomlx/backends"

// wrap adds what a backend lacks for training fracdyn's models.
// For now it is the identity; see the performance work.
func wrap(b backends.Backend) backends.Backend { return b }
