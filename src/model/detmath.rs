//! Deterministic transcendental functions: the same bits on every CPU and operating system.
//!
//! `f64::exp`, `ln` and `powf` call the system maths library, which picks an implementation at
//! run time (glibc uses FMA variants where the CPU has them), so the same run could differ in the
//! last bits between machines and a threshold could then flip a decision. All model code (and the
//! random samplers in [`super::sampling`]) goes through this module instead, which uses the
//! pure-Rust `libm` crate (a port of musl's libm, compiled without FMA contraction). Clippy's
//! `disallowed-methods` list (`clippy.toml`) keeps the system functions out of `src/model`.
//! `sqrt` needs no replacement: IEEE 754 requires it to be correctly rounded.

/// Deterministic maths on `f64`, as methods so formulas read as before (`x.dpow(y)` for
/// `x.powf(y)`).
pub trait DetMath {
    fn dexp(self) -> f64;
    fn dln(self) -> f64;
    fn dlog10(self) -> f64;
    fn dpow(self, y: f64) -> f64;
    fn dpowi(self, n: i32) -> f64;
}

impl DetMath for f64 {
    #[inline]
    fn dexp(self) -> f64 {
        libm::exp(self)
    }
    #[inline]
    fn dln(self) -> f64 {
        libm::log(self)
    }
    #[inline]
    fn dlog10(self) -> f64 {
        libm::log10(self)
    }
    #[inline]
    fn dpow(self, y: f64) -> f64 {
        libm::pow(self, y)
    }
    #[inline]
    fn dpowi(self, n: i32) -> f64 {
        libm::pow(self, f64::from(n))
    }
}

/// ln Γ(x) for x > 0 (the Poisson sampler's acceptance test).
#[inline]
pub fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_system_library_to_the_last_bits() {
        // The values may differ from the system's in the last ulp, never more.
        for &x in &[1e-3, 0.1, 0.5, 1.0, 2.5, 10.0, 123.456, 1e6] {
            let close = |a: f64, b: f64| (a - b).abs() <= 4.0 * f64::EPSILON * b.abs().max(1e-300);
            #[allow(clippy::disallowed_methods)]
            {
                assert!(close(x.dexp().min(1e300), x.exp().min(1e300)), "exp {x}");
                assert!(close(x.dln(), x.ln()), "ln {x}");
                assert!(close(x.dlog10(), x.log10()), "log10 {x}");
                assert!(close(x.dpow(0.37), x.powf(0.37)), "pow {x}");
                assert!(close(x.dpowi(3), x.powi(3)), "powi {x}");
            }
        }
        assert!((ln_gamma(5.0) - 24f64.dln()).abs() < 1e-12);
    }
}
