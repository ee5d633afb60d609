//! The geometry vocabulary every module speaks: points and vectors are glam's `DVec2` and
//! `DVec3` (f64: contact maths and toolpaths are computed in double precision; only the
//! triangle buffer and the emitted toolpath are f32), boxes are [`Rect`] (XY) and [`Box3`].
//!
//! Use the vector methods rather than writing the maths out by hand: `a.distance(b)`,
//! `a.cross(b)`, `a.dot(b)`, `v.length_squared()`, `a.lerp(b, t)`. A box is read by name
//! (`stock.max.z` is the top of the stock), never by position in an array.

pub use glam::{DVec2, DVec3};

/// Transcendental functions with the same bits on every target.
///
/// `f64::sin` and friends call the platform's C library natively (glibc) but a Rust port of
/// musl's in WebAssembly, and the two round differently in the last place. A decision taken
/// near a threshold (does this arc stay within the tolerance?) can then go one way in the CLI
/// and the other in the page, and the programs differ. These methods call the `libm` crate
/// everywhere, so the page and the CLI compute the same bits. `clippy.toml` forbids the std
/// methods in this crate; `sqrt`, `mul_add` and the arithmetic are IEEE-exact and stay.
/// `x.ceil()` without a call into libm (x86-64's baseline has no rounding instruction):
/// the same value for every `|x| < 2^53`, as in the cell spans of the inner loops.
#[inline]
pub fn ceil_fast(x: f64) -> f64 {
    let t = x as i64 as f64;
    if t < x {
        t + 1.0
    } else {
        t
    }
}

/// `x.floor()` without a call into libm; see [`ceil_fast`].
#[inline]
pub fn floor_fast(x: f64) -> f64 {
    let t = x as i64 as f64;
    if t > x {
        t - 1.0
    } else {
        t
    }
}

pub trait Det: Sized {
    fn dsin(self) -> Self;
    fn dcos(self) -> Self;
    fn dsin_cos(self) -> (Self, Self);
    fn dtan(self) -> Self;
    fn dasin(self) -> Self;
    fn dacos(self) -> Self;
    fn datan(self) -> Self;
    /// `self.atan2(x)`: the angle of (x, self).
    fn datan2(self, x: Self) -> Self;
    fn dhypot(self, other: Self) -> Self;
    fn dexp(self) -> Self;
    fn dln(self) -> Self;
    fn dpowf(self, e: Self) -> Self;
    fn dcbrt(self) -> Self;
}

macro_rules! det {
    ($t:ty, $sin:ident, $cos:ident, $sincos:ident, $tan:ident, $asin:ident, $acos:ident,
     $atan:ident, $atan2:ident, $hypot:ident, $exp:ident, $ln:ident, $pow:ident, $cbrt:ident) => {
        impl Det for $t {
            fn dsin(self) -> $t {
                libm::$sin(self)
            }
            fn dcos(self) -> $t {
                libm::$cos(self)
            }
            fn dsin_cos(self) -> ($t, $t) {
                libm::$sincos(self)
            }
            fn dtan(self) -> $t {
                libm::$tan(self)
            }
            fn dasin(self) -> $t {
                libm::$asin(self)
            }
            fn dacos(self) -> $t {
                libm::$acos(self)
            }
            fn datan(self) -> $t {
                libm::$atan(self)
            }
            fn datan2(self, x: $t) -> $t {
                libm::$atan2(self, x)
            }
            fn dhypot(self, other: $t) -> $t {
                libm::$hypot(self, other)
            }
            fn dexp(self) -> $t {
                libm::$exp(self)
            }
            fn dln(self) -> $t {
                libm::$ln(self)
            }
            fn dpowf(self, e: $t) -> $t {
                libm::$pow(self, e)
            }
            fn dcbrt(self) -> $t {
                libm::$cbrt(self)
            }
        }
    };
}

det!(f64, sin, cos, sincos, tan, asin, acos, atan, atan2, hypot, exp, log, pow, cbrt);
det!(f32, sinf, cosf, sincosf, tanf, asinf, acosf, atanf, atan2f, hypotf, expf, logf, powf, cbrtf);

/// An axis-aligned rectangle in XY. Empty when `min > max` on an axis.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Rect {
    /// The corner with the smallest coordinates.
    pub min: DVec2,
    /// The corner with the largest coordinates.
    pub max: DVec2,
}

impl Rect {
    /// The rectangle with these two corners (`min <= max` on both axes is the caller's).
    pub const fn new(min: DVec2, max: DVec2) -> Rect {
        Rect { min, max }
    }

    /// Extent along X and Y.
    pub fn size(&self) -> DVec2 {
        self.max - self.min
    }

    /// Extent along X.
    pub fn width(&self) -> f64 {
        self.max.x - self.min.x
    }

    /// Extent along Y.
    pub fn height(&self) -> f64 {
        self.max.y - self.min.y
    }

    /// Area (zero or negative for an empty rectangle).
    pub fn area(&self) -> f64 {
        self.width() * self.height()
    }

    /// True when the rectangle holds no point.
    pub fn is_empty(&self) -> bool {
        self.min.x > self.max.x || self.min.y > self.max.y
    }

    /// The rectangle grown by `d` on every side (shrunk when `d < 0`).
    pub fn inflate(&self, d: f64) -> Rect {
        Rect::new(self.min - DVec2::splat(d), self.max + DVec2::splat(d))
    }

    /// The smallest rectangle holding both.
    pub fn union(&self, o: &Rect) -> Rect {
        Rect::new(self.min.min(o.min), self.max.max(o.max))
    }

    /// True when `p` lies inside or on the boundary.
    pub fn contains(&self, p: DVec2) -> bool {
        p.cmpge(self.min).all() && p.cmple(self.max).all()
    }

    /// The centre point.
    pub fn center(&self) -> DVec2 {
        (self.min + self.max) * 0.5
    }
}

/// An axis-aligned box in 3D (f64). Empty when `min > max` on an axis.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Box3 {
    /// The corner with the smallest coordinates.
    pub min: DVec3,
    /// The corner with the largest coordinates.
    pub max: DVec3,
}

impl Box3 {
    /// The box with these two corners.
    pub const fn new(min: DVec3, max: DVec3) -> Box3 {
        Box3 { min, max }
    }

    /// Extents along X, Y and Z.
    pub fn size(&self) -> DVec3 {
        self.max - self.min
    }

    /// The box seen from above.
    pub fn rect(&self) -> Rect {
        Rect::new(self.min.truncate(), self.max.truncate())
    }

    /// The top face's height.
    pub fn top(&self) -> f64 {
        self.max.z
    }

    /// The bottom face's height.
    pub fn bottom(&self) -> f64 {
        self.min.z
    }

    /// True when the box holds no point.
    pub fn is_empty(&self) -> bool {
        self.min.cmpgt(self.max).any()
    }
}

/// The point of triangle `a b c` nearest to `p`, by the triangle's Voronoi regions
/// (vertices, edges, face) from the dot products of `p`'s offsets with two edges. A
/// degenerate triangle (a sliver, no face) gives the nearest point of its edges.
pub fn closest_on_triangle(p: DVec3, a: DVec3, b: DVec3, c: DVec3) -> DVec3 {
    let (ab, ac, ap) = (b - a, c - a, p - a);
    let (d1, d2) = (ab.dot(ap), ac.dot(ap));
    if d1 <= 0.0 && d2 <= 0.0 {
        return a;
    }
    let bp = p - b;
    let (d3, d4) = (ab.dot(bp), ac.dot(bp));
    if d3 >= 0.0 && d4 <= d3 {
        return b;
    }
    let vc = d1 * d4 - d3 * d2;
    if vc <= 0.0 && d1 >= 0.0 && d3 <= 0.0 {
        return a + ab * (d1 / (d1 - d3));
    }
    let cp = p - c;
    let (d5, d6) = (ab.dot(cp), ac.dot(cp));
    if d6 >= 0.0 && d5 <= d6 {
        return c;
    }
    let vb = d5 * d2 - d1 * d6;
    if vb <= 0.0 && d2 >= 0.0 && d6 <= 0.0 {
        return a + ac * (d2 / (d2 - d6));
    }
    let va = d3 * d6 - d5 * d4;
    if va <= 0.0 && d4 - d3 >= 0.0 && d5 - d6 >= 0.0 {
        return b + (c - b) * ((d4 - d3) / ((d4 - d3) + (d5 - d6)));
    }
    let den = va + vb + vc;
    if den.is_nan() || den <= 0.0 {
        let seg = |o: DVec3, e: DVec3| {
            let l2 = e.length_squared();
            let t = if l2 > 0.0 {
                ((p - o).dot(e) / l2).clamp(0.0, 1.0)
            } else {
                0.0
            };
            o + e * t
        };
        // The nearest of the three (a NaN distance loses, as `f64::min` has it).
        let mut best = seg(a, ab);
        for q in [seg(a, ac), seg(b, c - b)] {
            let (dq, db) = ((p - q).length_squared(), (p - best).length_squared());
            if dq < db || db.is_nan() {
                best = q;
            }
        }
        return best;
    }
    a + ab * (vb / den) + ac * (vc / den)
}

#[cfg(test)]
mod tests {

    #[test]
    fn fast_rounding_is_libms() {
        let mut xs = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            -0.5,
            1e15 + 0.5,
            -1e15 - 0.5,
            4503599627370495.5,
        ];
        xs.extend((-2000..2000).map(|k| k as f64 * 0.37 + 1e-9 * k as f64));
        xs.extend((-50..50).map(|k| k as f64 * 0.1));
        for x in xs {
            assert_eq!(ceil_fast(x), x.ceil(), "ceil {x}");
            assert_eq!(floor_fast(x), x.floor(), "floor {x}");
        }
    }

    use super::*;

    #[test]
    fn closest_point_regions() {
        let (a, b, c) = (DVec3::ZERO, DVec3::X, DVec3::Y);
        let q = closest_on_triangle(DVec3::new(0.2, 0.2, 1.0), a, b, c);
        assert!((q - DVec3::new(0.2, 0.2, 0.0)).length() < 1e-12);
        assert_eq!(closest_on_triangle(DVec3::new(-1.0, -1.0, 0.0), a, b, c), a);
        assert_eq!(
            closest_on_triangle(DVec3::new(0.5, -1.0, 0.0), a, b, c),
            DVec3::new(0.5, 0.0, 0.0)
        );
        let q = closest_on_triangle(DVec3::new(1.0, 1.0, 0.0), a, b, c);
        assert!((q - DVec3::new(0.5, 0.5, 0.0)).length() < 1e-12);
    }

    #[test]
    fn rect_reads_by_name() {
        let r = Rect::new(DVec2::new(0.0, 1.0), DVec2::new(4.0, 3.0));
        assert_eq!(r.size(), DVec2::new(4.0, 2.0));
        assert_eq!(r.area(), 8.0);
        assert!(r.contains(DVec2::new(4.0, 1.0)));
        assert!(!r.contains(DVec2::new(4.1, 1.0)));
        assert_eq!(r.inflate(1.0).min, DVec2::new(-1.0, 0.0));
        assert!(Rect::new(DVec2::ONE, DVec2::ZERO).is_empty());
    }

    #[test]
    fn box_top_and_plan() {
        let b = Box3::new(DVec3::new(0.0, 0.0, -5.0), DVec3::new(2.0, 3.0, 7.0));
        assert_eq!(b.top(), 7.0);
        assert_eq!(b.bottom(), -5.0);
        assert_eq!(b.rect().size(), DVec2::new(2.0, 3.0));
        assert!(!b.is_empty());
    }
}
