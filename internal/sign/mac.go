package sign

import (
	"crypto/sha256"
	"hash"
	"sync"
)

// maxPooledBuf is the largest scratch buffer kept in a pool; a state that
// grew beyond it (an unusually large request) gives its buffer back to the
// garbage collector instead of pinning it.
const maxPooledBuf = 64 << 10

// macState is one reusable HMAC computation: the keyed hash, the secret it
// was keyed with, and scratch space for the string to sign and the digest.
type macState struct {
	secret string // the secret mac is keyed with (before any suffix)
	mac    hash.Hash
	buf    []byte
	sum    [sha256.Size]byte
}

// macPool hands out macState values keyed with a requested secret. A state
// that was keyed with the same secret is reused after Reset (no allocation);
// one keyed with a different secret is re-keyed, which allocates. The zero
// value is ready to use.
type macPool struct {
	pool sync.Pool
}

// get returns a state whose mac is keyed for secret and ready for writing.
// newMAC builds a fresh keyed hash for secret; it is only called on a miss.
func (p *macPool) get(secret string, newMAC func(secret string) hash.Hash) *macState {
	st, _ := p.pool.Get().(*macState)
	if st == nil {
		st = &macState{}
	}
	if st.mac != nil && st.secret == secret {
		st.mac.Reset()
		return st
	}
	st.mac = newMAC(secret)
	st.secret = secret
	return st
}

// put returns st to the pool.
func (p *macPool) put(st *macState) {
	if cap(st.buf) > maxPooledBuf {
		st.buf = nil
	}
	p.pool.Put(st)
}
