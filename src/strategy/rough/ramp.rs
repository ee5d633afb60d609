//! Walking along a path by arc length, and ramped entries.
//!
//! A flat end mill cannot drill: its centre does not cut. Where a layer must start inside
//! material, the tool descends along a path instead, at the ramp angle `θ` from the
//! horizontal, so it cuts with its side as it goes down: a depth `Δz` needs a horizontal
//! run of `Δz / tan θ`. The run follows a closed loop (a pocket ring, a small helix, or a
//! fill line walked there and back), lapping it as often as needed; the ramped stretch is
//! then cut again at full depth by the pass itself.

use crate::geom::Det;
use crate::geom::{DVec2, DVec3};
use crate::toolpath::Toolpath;

/// A closed polyline with its cumulative lengths, walked by arc length (wrapping round).
pub struct Walk<'a> {
    pts: &'a [DVec2],
    /// `cum[k]`: length from `pts[0]` to `pts[k]`; `cum[n]` is the perimeter.
    cum: Vec<f64>,
}

impl<'a> Walk<'a> {
    /// The closed polyline `pts` (its last point joins its first), measured.
    pub fn new(pts: &'a [DVec2]) -> Walk<'a> {
        let n = pts.len();
        let mut cum = Vec::with_capacity(n + 1);
        let mut acc = 0.0;
        cum.push(0.0);
        for k in 0..n {
            acc += pts[k].distance(pts[(k + 1) % n]);
            cum.push(acc);
        }
        Walk { pts, cum }
    }

    /// The length of one lap.
    pub fn perimeter(&self) -> f64 {
        *self.cum.last().unwrap_or(&0.0)
    }

    /// The point at arc length `t` (any real; wraps round).
    pub fn at(&self, t: f64) -> DVec2 {
        let n = self.pts.len();
        let p = self.perimeter();
        if n == 0 || p <= 0.0 {
            return self.pts.first().copied().unwrap_or(DVec2::ZERO);
        }
        let t = t.rem_euclid(p);
        let k = self.cum.partition_point(|&c| c <= t).clamp(1, n) - 1;
        let (a, b) = (self.pts[k], self.pts[(k + 1) % n]);
        let len = self.cum[k + 1] - self.cum[k];
        let u = if len > 0.0 {
            (t - self.cum[k]) / len
        } else {
            0.0
        };
        a + (b - a) * u
    }

    /// Points from arc length `t0` to `t1 ≥ t0`: every vertex passed, then the end point,
    /// each with its arc length.
    pub fn span(&self, t0: f64, t1: f64, out: &mut Vec<(DVec2, f64)>) {
        let p = self.perimeter();
        let n = self.pts.len();
        if n == 0 || p <= 0.0 || t1 <= t0 {
            return;
        }
        let lap0 = (t0 / p).floor();
        let mut lap = lap0;
        let mut k = self.cum.partition_point(|&c| c <= t0 - lap0 * p);
        loop {
            if k > n {
                k = 1;
                lap += 1.0;
            }
            let t = lap * p + self.cum[k];
            if t >= t1 {
                break;
            }
            out.push((self.pts[k % n], t));
            k += 1;
        }
        out.push((self.at(t1), t1));
    }
}

/// The descent from `z0` to `z1 < z0` along the closed loop `pts` from its first point,
/// at slope `tan θ`: the points (x, y, z) after the start, and the arc length where the
/// loop reaches `z1`. Empty when the loop has no length.
pub fn descend(pts: &[DVec2], z0: f64, z1: f64, slope: f64) -> (Vec<DVec3>, f64) {
    let w = Walk::new(pts);
    if w.perimeter() <= 0.0 || z0 <= z1 {
        return (Vec::new(), 0.0);
    }
    let run = (z0 - z1) / slope;
    let mut pts2 = Vec::new();
    w.span(0.0, run, &mut pts2);
    let out = pts2
        .into_iter()
        .map(|(p, t)| p.extend((z0 - t * slope).max(z1)))
        .collect();
    (out, run)
}

/// A circle of radius `r` through `p` (its centre `r` from `p` along +X), as 16 points
/// starting at `p`, counter-clockwise when `ccw`.
pub fn helix_loop(p: DVec2, r: f64, ccw: bool) -> Vec<DVec2> {
    let c = p - DVec2::new(r, 0.0);
    (0..16)
        .map(|k| {
            let a = std::f64::consts::TAU * k as f64 / 16.0 * if ccw { 1.0 } else { -1.0 };
            c + DVec2::new(r * a.dcos(), r * a.dsin())
        })
        .collect()
}

/// Down from `z0` to `z1` round the circle about `c` through `p0` (where the tool is), in
/// half turns of arcs no steeper than `slope` (counter-clockwise when `ccw`), then one flat
/// lap at `z1`, ending at `p0`.
#[allow(clippy::too_many_arguments)]
pub fn helix(
    tp: &mut Toolpath,
    p0: DVec2,
    c: DVec2,
    rho: f64,
    ccw: bool,
    slope: f64,
    z0: f64,
    z1: f64,
) {
    let f3 = |p: DVec2, z: f64| [p.x as f32, p.y as f32, z as f32];
    let half = std::f64::consts::PI * rho * slope;
    let n = ((z0 - z1) / half).ceil().max(1.0) as usize;
    let opposite = c * 2.0 - p0;
    let cc = [c.x, c.y];
    for k in 1..=n {
        let z = z0 + (z1 - z0) * k as f64 / n as f64;
        let q = if k % 2 == 1 { opposite } else { p0 };
        tp.push_arc(ccw, cc, f3(q, z));
    }
    if n % 2 == 1 {
        tp.push_arc(ccw, cc, f3(p0, z1));
        tp.push_arc(ccw, cc, f3(opposite, z1));
        tp.push_arc(ccw, cc, f3(p0, z1));
    } else {
        tp.push_arc(ccw, cc, f3(opposite, z1));
        tp.push_arc(ccw, cc, f3(p0, z1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_wraps_and_descends() {
        let sq = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]].map(DVec2::from);
        let w = Walk::new(&sq);
        assert_eq!(w.perimeter(), 4.0);
        assert_eq!(w.at(5.5), DVec2::new(1.0, 0.5));
        let mut out = Vec::new();
        w.span(3.5, 5.5, &mut out);
        let p: Vec<[f64; 2]> = out.iter().map(|o| o.0.to_array()).collect();
        assert_eq!(p, vec![[0.0, 0.0], [1.0, 0.0], [1.0, 0.5]]);
        // 1 down at slope 0.25: 4 along, one lap, ending back at the start.
        let (d, run) = descend(&sq, 1.0, 0.0, 0.25);
        assert_eq!(run, 4.0);
        assert_eq!(d.len(), 4);
        assert_eq!(*d.last().unwrap(), DVec3::ZERO);
        assert_eq!(d[1], DVec3::new(1.0, 1.0, 0.5));
    }
}
