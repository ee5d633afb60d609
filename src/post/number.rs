//! Fixed-point numbers for G-code words.
//!
//! Every number the post writes goes through [`Fixed`]: the value is first *quantized* to an
//! integer count of `10^-decimals`, then that integer is printed with the decimal point put
//! back and trailing zeros trimmed. Working on the integer makes the awkward cases fall out
//! by construction:
//!
//! - `-0.0004` at 3 decimals quantizes to `0` and prints `0`, never `-0` or `-0.000`;
//! - an integer cannot be printed in exponent notation;
//! - two values are the same *on the machine* exactly when their quanta are equal, which is
//!   how the modal writer decides that a word has not changed and can be left out.
//!
//! Magnitudes are capped at [`MAX_MAGNITUDE`] and decimals at [`MAX_DECIMALS`] so that
//! `value * 10^decimals` stays below 2^53: the product is then an exactly representable
//! integer in `f64` and the rounding is the only approximation made.

use std::fmt;

/// Most digits after the decimal point (f32 coordinates carry about 7 significant digits).
pub const MAX_DECIMALS: usize = 6;

/// Largest magnitude accepted, in program units. No machine travels a thousand kilometres;
/// anything this large is a bug upstream, and refusing it keeps the arithmetic exact.
pub const MAX_MAGNITUDE: f64 = 1.0e9;

/// Why a value cannot be written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NumberError {
    /// NaN or infinite.
    NonFinite,
    /// Magnitude above [`MAX_MAGNITUDE`].
    TooLarge,
}

impl fmt::Display for NumberError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NumberError::NonFinite => f.write_str("not a finite number"),
            NumberError::TooLarge => write!(f, "magnitude above {MAX_MAGNITUDE:e}"),
        }
    }
}

impl std::error::Error for NumberError {}

/// A fixed number of decimals: quantizes values and prints quanta.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Fixed {
    decimals: usize,
    scale: f64,
}

impl Fixed {
    /// `decimals` above [`MAX_DECIMALS`] is clamped to it.
    pub fn new(decimals: usize) -> Fixed {
        let decimals = decimals.min(MAX_DECIMALS);
        Fixed {
            decimals,
            scale: 10f64.powi(decimals as i32),
        }
    }

    /// Digits after the decimal point.
    pub fn decimals(&self) -> usize {
        self.decimals
    }

    /// The value as a whole number of `10^-decimals`, rounded half away from zero.
    pub fn quantize(&self, v: f64) -> Result<i64, NumberError> {
        if !v.is_finite() {
            return Err(NumberError::NonFinite);
        }
        if v.abs() > MAX_MAGNITUDE {
            return Err(NumberError::TooLarge);
        }
        // |v * scale| <= 1e15 < 2^53, so the cast is exact and cannot saturate.
        Ok((v * self.scale).round() as i64)
    }

    /// The value a quantum stands for.
    pub fn value(&self, q: i64) -> f64 {
        q as f64 / self.scale
    }

    /// Writes a quantum: shortest decimal form, no trailing zeros, no `-0`, no exponent.
    pub fn write<W: fmt::Write + ?Sized>(&self, out: &mut W, q: i64) -> fmt::Result {
        // Built backwards from the last digit; 20 digits + '.' + '-' always fit.
        let mut buf = [0u8; 24];
        let mut i = buf.len();
        let mut m = q.unsigned_abs();
        let mut frac = self.decimals;
        while frac > 0 && m.is_multiple_of(10) {
            m /= 10;
            frac -= 1;
        }
        for _ in 0..frac {
            i -= 1;
            buf[i] = b'0' + (m % 10) as u8;
            m /= 10;
        }
        if frac > 0 {
            i -= 1;
            buf[i] = b'.';
        }
        loop {
            i -= 1;
            buf[i] = b'0' + (m % 10) as u8;
            m /= 10;
            if m == 0 {
                break;
            }
        }
        if q < 0 {
            i -= 1;
            buf[i] = b'-';
        }
        // Only ASCII digits, '.' and '-' were written.
        out.write_str(std::str::from_utf8(&buf[i..]).map_err(|_| fmt::Error)?)
    }

    /// Quantizes and formats in one go (convenience; the writer keeps the quanta instead).
    pub fn format(&self, v: f64) -> Result<String, NumberError> {
        let q = self.quantize(v)?;
        let mut s = String::new();
        // Writing to a String cannot fail.
        let _ = self.write(&mut s, q);
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(v: f64, d: usize) -> String {
        Fixed::new(d).format(v).unwrap()
    }

    #[test]
    fn trims_trailing_zeros() {
        assert_eq!(f(1.5, 3), "1.5");
        assert_eq!(f(2.0, 3), "2");
        assert_eq!(f(10.0, 4), "10");
        assert_eq!(f(100.25, 3), "100.25");
        assert_eq!(f(0.1, 3), "0.1");
        assert_eq!(f(0.001, 3), "0.001");
        assert_eq!(f(-0.05, 3), "-0.05");
        assert_eq!(f(1234.5678, 0), "1235");
    }

    #[test]
    fn never_negative_zero() {
        for v in [-0.0, -0.0004, -0.00049999, -1e-12, 0.0004] {
            assert_eq!(f(v, 3), "0", "{v}");
        }
        assert_eq!(f(-0.00004, 4), "0");
        assert_eq!(f(-0.4, 0), "0");
        assert_eq!(f(-0.0005001, 3), "-0.001");
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(f(0.25, 1), "0.3");
        assert_eq!(f(-0.25, 1), "-0.3");
        assert_eq!(f(1.23449, 3), "1.234");
        assert_eq!(f(1.9996, 3), "2");
        assert_eq!(f(-1.9996, 3), "-2");
        assert_eq!(f(0.99995, 4), "1");
    }

    #[test]
    fn f32_inputs_round_as_expected() {
        // 0.1f32 is 0.100000001490116..., and 12.345f32 is 12.3450002670288...
        assert_eq!(f(0.1f32 as f64, 6), "0.1");
        assert_eq!(f(12.345f32 as f64, 3), "12.345");
        assert_eq!(f(12.345f32 as f64, 2), "12.35");
        assert_eq!(f(-3.0001f32 as f64, 3), "-3");
    }

    #[test]
    fn large_values_have_no_exponent() {
        assert_eq!(f(1.0e9, 3), "1000000000");
        assert_eq!(f(-1.0e9, 6), "-1000000000");
        assert_eq!(f(123456789.125, 3), "123456789.125");
        assert_eq!(f(1.0e-7, 6), "0");
        assert_eq!(f(5.0e-6, 6), "0.000005");
        let s = f(987654321.987654, 6);
        assert!(!s.contains('e') && !s.contains('E'), "{s}");
    }

    #[test]
    fn refuses_non_finite_and_huge() {
        let x = Fixed::new(3);
        assert_eq!(x.quantize(f64::NAN), Err(NumberError::NonFinite));
        assert_eq!(x.quantize(f64::INFINITY), Err(NumberError::NonFinite));
        assert_eq!(x.quantize(f64::NEG_INFINITY), Err(NumberError::NonFinite));
        assert_eq!(x.quantize(1.0e10), Err(NumberError::TooLarge));
        assert_eq!(x.quantize(f32::MAX as f64), Err(NumberError::TooLarge));
    }

    #[test]
    fn decimals_clamped_and_value_roundtrips() {
        let x = Fixed::new(12);
        assert_eq!(x.decimals(), MAX_DECIMALS);
        let q = x.quantize(-2.5).unwrap();
        assert_eq!(q, -2_500_000);
        assert_eq!(x.value(q), -2.5);
    }

    #[test]
    fn extreme_quanta_print() {
        let x = Fixed::new(0);
        let mut s = String::new();
        x.write(&mut s, i64::MIN).unwrap();
        assert_eq!(s, "-9223372036854775808");
    }
}
