package attractor

import "math"

// Known systems with known attractors, for tests, examples and workshops.
// Each returns a Series of n steps after discarding transient steps.

// Logistic iterates x ← r·x(1−x) from x0.
func Logistic(r, x0 float64, n, transient int) Series {
	x := x0
	out := make([]float64, n)
	for t := -transient; t < n; t++ {
		x = r * x * (1 - x)
		if t >= 0 {
			out[t] = x
		}
	}
	return Univariate(out)
}

// Henon iterates (x, y) ← (1 − a·x² + y, b·x) from (0.1, 0.1); the series
// has two columns x, y.
func Henon(a, b float64, n, transient int) Series {
	x, y := 0.1, 0.1
	out := make([]float64, 2*n)
	for t := -transient; t < n; t++ {
		x, y = 1-a*x*x+y, b*x
		if t >= 0 {
			out[2*t], out[2*t+1] = x, y
		}
	}
	return Series{Data: out, Cols: 2}
}

// Flow is the right-hand side of an autonomous ODE dx/dt = f(x).
type Flow func(dst, x []float64)

// Integrate solves dx/dt = f(x) from x0 with the classical fourth-order
// Runge–Kutta method at step dt and returns n samples, one per step, after
// transient steps.
func Integrate(f Flow, x0 []float64, dt float64, n, transient int) Series {
	d := len(x0)
	x := append([]float64(nil), x0...)
	k1, k2, k3, k4, tmp := make([]float64, d), make([]float64, d), make([]float64, d), make([]float64, d), make([]float64, d)
	out := make([]float64, n*d)
	for t := -transient; t < n; t++ {
		f(k1, x)
		for i := range x {
			tmp[i] = x[i] + dt/2*k1[i]
		}
		f(k2, tmp)
		for i := range x {
			tmp[i] = x[i] + dt/2*k2[i]
		}
		f(k3, tmp)
		for i := range x {
			tmp[i] = x[i] + dt*k3[i]
		}
		f(k4, tmp)
		for i := range x {
			x[i] += dt / 6 * (k1[i] + 2*k2[i] + 2*k3[i] + k4[i])
		}
		if t >= 0 {
			copy(out[t*d:(t+1)*d], x)
		}
	}
	return Series{Data: out, Cols: d}
}

// Lorenz is the Lorenz system with parameters σ, ρ, β.
func Lorenz(sigma, rho, beta float64) Flow {
	return func(dst, x []float64) {
		dst[0] = sigma * (x[1] - x[0])
		dst[1] = x[0]*(rho-x[2]) - x[1]
		dst[2] = x[0]*x[1] - beta*x[2]
	}
}

// VanDerPol is the van der Pol oscillator ẍ − μ(1 − x²)ẋ + x = 0 as
// a first-order system in (x, ẋ).
func VanDerPol(mu float64) Flow {
	return func(dst, x []float64) {
		dst[0] = x[1]
		dst[1] = mu*(1-x[0]*x[0])*x[1] - x[0]
	}
}

// DampedOscillator is ẍ + 2ζω ẋ + ω² x = 0 in (x, ẋ).
func DampedOscillator(omega, zeta float64) Flow {
	return func(dst, x []float64) {
		dst[0] = x[1]
		dst[1] = -2*zeta*omega*x[1] - omega*omega*x[0]
	}
}

// Sine returns sin(2π t/period) for t = 0…n−1.
func Sine(period float64, n int) Series {
	out := make([]float64, n)
	for t := range out {
		out[t] = math.Sin(2 * math.Pi * float64(t) / period)
	}
	return Univariate(out)
}
