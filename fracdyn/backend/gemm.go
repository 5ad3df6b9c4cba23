package backend

import (
	"runtime"
	"slices"
	"sync"
)

// Blocking of the float32 matrix product (Goto's scheme): micro-tiles of
// mr×nr outputs accumulate in registers; the packed A block (mc×kc) stays
// in L2, each B panel (kc×nr) in L1.
const (
	mr = 6
	nr = 16
	kc = 256
	mc = 96
	nc = 2048
)

// operand is a DotGeneral operand described by offset tables: element
// (b, i, k) — batch b, cross (row) i, contracting k — is at
// data[batch[b]+cross[i]+contract[k]]. Tables make any axis layout one
// case; a contract table with constant step is strideK (else 0).
type operand struct {
	data                   []float32
	batch, cross, contract []int
	strideK                int
}

// gemm sets out[b, i, j] = Σ_k lhs(b, i, k)·rhs(b, j, k), out being
// [B, M, N] row-major, using up to workers goroutines.
func gemm(out []float32, lhs, rhs *operand, workers int) {
	B, M, N := len(lhs.batch), len(lhs.cross), len(rhs.cross)
	if len(lhs.contract) == 0 {
		clear(out)
		return
	}
	type task struct{ b, m0, m1, n0, n1 int }
	var tasks []task
	switch {
	case workers <= 1 || int64(B)*int64(M)*int64(N)*int64(len(lhs.contract)) < 1<<18:
		for b := range B {
			tasks = append(tasks, task{b, 0, M, 0, N})
		}
	case B >= workers:
		for b := range B {
			tasks = append(tasks, task{b, 0, M, 0, N})
		}
	case N >= M:
		chunk := max((N/workers+nr-1)/nr*nr, nr)
		for b := range B {
			for n0 := 0; n0 < N; n0 += chunk {
				tasks = append(tasks, task{b, 0, M, n0, min(n0+chunk, N)})
			}
		}
	default:
		chunk := max((M/workers+mr-1)/mr*mr, mr)
		for b := range B {
			for m0 := 0; m0 < M; m0 += chunk {
				tasks = append(tasks, task{b, m0, min(m0+chunk, M), 0, N})
			}
		}
	}
	run := func(ts []task) {
		ws := workspaces.Get().(*workspace)
		for _, t := range ts {
			gemmBlock(out[t.b*M*N:(t.b+1)*M*N], N, lhs, rhs, t.b, t.m0, t.m1, t.n0, t.n1, ws)
		}
		workspaces.Put(ws)
	}
	if len(tasks) == 1 || workers <= 1 {
		run(tasks)
		return
	}
	workers = min(workers, len(tasks))
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*len(tasks)/workers, (w+1)*len(tasks)/workers
		wg.Add(1)
		go func() {
			defer wg.Done()
			run(tasks[lo:hi])
		}()
	}
	wg.Wait()
}

// workspace holds one goroutine's packing buffers.
type workspace struct {
	a, b []float32
	bPtr []int // per B panel: offset into b (packed) or into rhs.data (direct)
	bDir []bool
	tile [mr * nr]float32
}

var workspaces = sync.Pool{New: func() any {
	return &workspace{
		a:    make([]float32, mc*kc),
		b:    make([]float32, nc*kc),
		bPtr: make([]int, nc/nr),
		bDir: make([]bool, nc/nr),
	}
}}

// gemmBlock computes rows [m0, m1) and columns [n0, n1) of batch b into c
// (the [M, N] matrix of that batch, row stride ldc). The first k block
// stores, later ones accumulate, so c need not be cleared.
func gemmBlock(c []float32, ldc int, lhs, rhs *operand, b, m0, m1, n0, n1 int, ws *workspace) {
	K := len(lhs.contract)
	lb, rb := lhs.batch[b], rhs.batch[b]
	for jc := n0; jc < n1; jc += nc {
		ncur := min(nc, n1-jc)
		panels := (ncur + nr - 1) / nr
		for pc := 0; pc < K; pc += kc {
			kcur := min(kc, K-pc)
			first := pc == 0
			packB(ws, rhs, rb, jc, ncur, panels, pc, kcur)
			for ic := m0; ic < m1; ic += mc {
				mcur := min(mc, m1-ic)
				packA(ws.a, lhs, lb, ic, mcur, pc, kcur)
				for q := range panels {
					j := jc + q*nr
					w := min(nr, n1-j)
					var bData []float32
					ldb := nr
					if ws.bDir[q] {
						bData, ldb = rhs.data[ws.bPtr[q]:], rhs.strideK
					} else {
						bData = ws.b[ws.bPtr[q]:]
					}
					for p := 0; p*mr < mcur; p++ {
						i := ic + p*mr
						h := min(mr, m1-i)
						a := ws.a[p*mr*kcur:]
						if h == mr && w == nr {
							microKernel(kcur, a, bData, ldb, c[i*ldc+j:], ldc, !first)
							continue
						}
						microKernel(kcur, a, bData, ldb, ws.tile[:], nr, false)
						for ii := range h {
							row := c[(i+ii)*ldc+j : (i+ii)*ldc+j+w]
							tile := ws.tile[ii*nr : ii*nr+w]
							if first {
								copy(row, tile)
								continue
							}
							for jj := range row {
								row[jj] += tile[jj]
							}
						}
					}
				}
			}
		}
	}
}

// packA packs rows [ic, ic+mcur) × contracting [pc, pc+kcur) of lhs into
// panels of mr rows, k-major: a[p·mr·kcur + k·mr + ii]; rows past the end
// are zero.
func packA(a []float32, lhs *operand, lb, ic, mcur, pc, kcur int) {
	ks := lhs.contract[pc : pc+kcur]
	for p := 0; p*mr < mcur; p++ {
		panel := a[p*mr*kcur : (p+1)*mr*kcur]
		i0 := ic + p*mr
		if p*mr+mr <= mcur && lhs.strideK > 1 && consecutive(lhs.cross[i0:i0+mr]) {
			// Rows adjacent in memory, k strided: copy mr values per k.
			src := lhs.data[lb+lhs.cross[i0]+ks[0]:]
			s := lhs.strideK
			for k := range kcur {
				copy(panel[k*mr:k*mr+mr], src[k*s:k*s+mr])
			}
			continue
		}
		for ii := range mr {
			i := p*mr + ii
			if i >= mcur {
				for k := range kcur {
					panel[k*mr+ii] = 0
				}
				continue
			}
			base := lb + lhs.cross[ic+i]
			if s := lhs.strideK; s != 0 {
				src := lhs.data[base+ks[0]:]
				for k := range kcur {
					panel[k*mr+ii] = src[k*s]
				}
				continue
			}
			for k, off := range ks {
				panel[k*mr+ii] = lhs.data[base+off]
			}
		}
	}
}

// packB prepares the B panels of columns [jc, jc+ncur) × contracting
// [pc, pc+kcur): a panel whose nr columns are consecutive in rhs.data, with
// a constant contracting stride, is read in place (bDir); the others are
// packed k-major into ws.b, zero past the last column.
func packB(ws *workspace, rhs *operand, rb, jc, ncur, panels, pc, kcur int) {
	ks := rhs.contract[pc : pc+kcur]
	for q := range panels {
		j := jc + q*nr
		w := min(nr, jc+ncur-j)
		if w == nr && rhs.strideK != 0 && consecutive(rhs.cross[j:j+nr]) {
			ws.bDir[q] = true
			ws.bPtr[q] = rb + rhs.cross[j] + ks[0]
			continue
		}
		ws.bDir[q] = false
		ws.bPtr[q] = q * nr * kcur
		panel := ws.b[q*nr*kcur : (q+1)*nr*kcur]
		if w == nr && rhs.strideK == 1 {
			// Columns are rows of memory: transpose 16 streams, k outermost
			// so each panel row is written once.
			var src [nr][]float32
			for jj := range nr {
				off := rb + rhs.cross[j+jj] + ks[0]
				src[jj] = rhs.data[off : off+kcur]
			}
			for k := range kcur {
				dst := panel[k*nr : k*nr+nr]
				for jj := range dst {
					dst[jj] = src[jj][k]
				}
			}
			continue
		}
		for jj := range nr {
			if jj >= w {
				for k := range kcur {
					panel[k*nr+jj] = 0
				}
				continue
			}
			base := rb + rhs.cross[j+jj]
			for k, off := range ks {
				panel[k*nr+jj] = rhs.data[base+off]
			}
		}
	}
}

func consecutive(offsets []int) bool {
	for i := 1; i < len(offsets); i++ {
		if offsets[i] != offsets[0]+i {
			return false
		}
	}
	return true
}

// microKernelGo is the portable micro-kernel: c[ii·ldc + jj] (+)=
// Σ_k a[k·mr + ii]·b[k·ldb + jj] for a full mr×nr tile, adding to c if
// accumulate, else storing.
func microKernelGo(k int, a, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	var acc [mr][nr]float32
	for p := range k {
		brow := b[p*ldb : p*ldb+nr]
		acol := a[p*mr : p*mr+mr]
		for ii, av := range acol {
			for jj, bv := range brow {
				acc[ii][jj] += av * bv
			}
		}
	}
	for ii := range mr {
		row := c[ii*ldc : ii*ldc+nr]
		if !accumulate {
			copy(row, acc[ii][:])
			continue
		}
		for jj := range row {
			row[jj] += acc[ii][jj]
		}
	}
}

// gemmWorkers is how many goroutines one product uses.
var gemmWorkers = runtime.GOMAXPROCS(0)

// gemmIndexPool holds the index slices of Gemm's operands: a product of
// many rows would otherwise allocate them afresh on every call.
var gemmIndexPool = sync.Pool{New: func() any { return new([]int) }}

// Gemm sets c = op(a)·op(b) for row-major float32 matrices, where op(a) is
// m×k (a is m×k, or k×m when transA) and op(b) is k×n (b is k×n, or n×k
// when transB); c is m×n. It is the AVX2/FMA kernel behind DotGeneral, for
// plain slices, and runs on up to GOMAXPROCS goroutines.
func Gemm(transA, transB bool, m, n, k int, a, b, c []float32) {
	if len(a) < m*k || len(b) < k*n || len(c) < m*n {
		panic("backend.Gemm: a slice is shorter than its matrix")
	}
	idx := gemmIndexPool.Get().(*[]int)
	defer gemmIndexPool.Put(idx)
	*idx = slices.Grow((*idx)[:0], m+n+2*k)[:m+n+2*k]
	ix := *idx
	lhs := &operand{data: a, batch: []int{0}, cross: ix[:m], contract: ix[m : m+k]}
	rhs := &operand{data: b, batch: []int{0}, cross: ix[m+k : m+k+n], contract: ix[m+k+n:]}
	fill := func(op *operand, stepCross, stepK int) {
		for i := range op.cross {
			op.cross[i] = i * stepCross
		}
		for j := range op.contract {
			op.contract[j] = j * stepK
		}
		op.strideK = stepK
	}
	if transA {
		fill(lhs, 1, m)
	} else {
		fill(lhs, k, 1)
	}
	if transB {
		fill(rhs, k, 1)
	} else {
		fill(rhs, 1, n)
	}
	gemm(c[:m*n], lhs, rhs, runtime.GOMAXPROCS(0))
}
