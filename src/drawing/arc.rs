//! Arc maths in the bulge form that DXF polylines and `cavalier_contours` share.
//!
//! A segment from `a` to `b` with bulge `k` is a straight line when `k = 0`, otherwise the arc
//! whose signed sweep is `θ = 4·atan(k)` (positive counter-clockwise, Y up). With the chord
//! `d = b − a`, its left normal `n = (−d.y, d.x)` and the midpoint `m`:
//! radius `r = |d|·(1 + k²) / (4|k|)` and centre `c = m + n·(1 − k²) / (4k)`.

use crate::geom::DVec2;
use crate::geom::Det;
use std::f64::consts::PI;

/// Centre and radius of the arc from `a` to `b` with bulge `k` (`k != 0`).
pub fn centre_radius(a: DVec2, b: DVec2, k: f64) -> (DVec2, f64) {
    let d = b - a;
    let n = DVec2::new(-d.y, d.x);
    let c = (a + b) * 0.5 + n * ((1.0 - k * k) / (4.0 * k));
    (c, d.length() * (1.0 + k * k) / (4.0 * k.abs()))
}

/// The bulge of an arc with signed sweep `sweep` (radians, positive counter-clockwise).
pub fn bulge(sweep: f64) -> f64 {
    (sweep / 4.0).dtan()
}

/// The signed sweep from direction `u` to direction `v` about a centre, turning
/// counter-clockwise when `ccw`, in `(0, 2π]` (a zero turn is a full turn).
pub fn sweep(u: DVec2, v: DVec2, ccw: bool) -> f64 {
    let mut t = u.angle_to(v); // (−π, π]
    if ccw {
        if t <= 1e-15 {
            t += 2.0 * PI;
        }
        t
    } else {
        if t >= -1e-15 {
            t -= 2.0 * PI;
        }
        t
    }
}

/// Points along the segment `a → b` with bulge `k`, excluding `a`, including `b`, no farther
/// than `tol` from the true arc. A chord of angle `φ` on radius `r` strays by its sagitta
/// `r(1 − cos(φ/2))`, so `φ = 2·acos(1 − tol/r)`.
pub fn flatten_into(a: DVec2, b: DVec2, k: f64, tol: f64, out: &mut Vec<DVec2>) {
    if k == 0.0 || !k.is_finite() {
        out.push(b);
        return;
    }
    let (c, r) = centre_radius(a, b, k);
    let theta = 4.0 * k.datan();
    let step = if tol >= r {
        PI / 2.0
    } else {
        2.0 * (1.0 - tol / r).dacos()
    };
    // A bounded count: a tolerance far below the radius must not allocate without limit.
    let n = ((theta.abs() / step.max(1e-9)).ceil() as usize).clamp(1, 4096);
    let u = a - c;
    for i in 1..n {
        let t = theta * i as f64 / n as f64;
        out.push(c + DVec2::from_angle(t).rotate(u));
    }
    out.push(b);
}

/// The tight box round the arc: its ends plus each axis extreme its sweep passes.
pub fn bounds(a: DVec2, b: DVec2, k: f64) -> (DVec2, DVec2) {
    let (mut lo, mut hi) = (a.min(b), a.max(b));
    if k == 0.0 {
        return (lo, hi);
    }
    let (c, r) = centre_radius(a, b, k);
    let theta = 4.0 * k.datan();
    let start = (a - c).to_angle();
    for q in 0..4 {
        let ang = q as f64 * PI / 2.0;
        // How far round the sweep the extreme at `ang` lies.
        let mut t = (ang - start).rem_euclid(2.0 * PI);
        if theta < 0.0 {
            t = (start - ang).rem_euclid(2.0 * PI);
        }
        if t < theta.abs() {
            let p = c + DVec2::from_angle(ang) * r;
            lo = lo.min(p);
            hi = hi.max(p);
        }
    }
    (lo, hi)
}

/// The signed area between the chord `a → b` and its arc (positive when the arc bulges to the
/// right of the chord, i.e. it adds to a counter-clockwise polygon): `r²(θ − sin θ)/2`.
pub fn segment_area(a: DVec2, b: DVec2, k: f64) -> f64 {
    if k == 0.0 {
        return 0.0;
    }
    let (_, r) = centre_radius(a, b, k);
    let theta = 4.0 * k.datan();
    0.5 * r * r * (theta - theta.dsin())
}

/// Recognises a cubic Bézier that is the standard approximation of a circular arc (how usvg
/// turns SVG arcs, circles and rounded corners into cubics): the tangents at both ends are
/// perpendicular to the radii, both ends lie on one circle, and both handles are
/// `4/3·tan(θ/4)·r` long. Returns the bulge of that arc, or `None`.
pub fn arc_from_cubic(p0: DVec2, p1: DVec2, p2: DVec2, p3: DVec2, eps: f64) -> Option<f64> {
    let t0 = p1 - p0;
    let t1 = p3 - p2;
    let chord = p3 - p0;
    if t0.length() <= eps || t1.length() <= eps || chord.length() <= eps {
        return None;
    }
    // Centre: where the normals at both ends meet: p0 + s·perp(t0) = p3 + u·perp(t1).
    let (n0, n1) = (t0.perp(), t1.perp());
    let det = n0.perp_dot(-n1);
    if det.abs() <= 1e-12 * n0.length() * n1.length() {
        return None;
    }
    let s = chord.perp_dot(-n1) / det;
    let c = p0 + n0 * s;
    let (r0, r1) = (c.distance(p0), c.distance(p3));
    if (r0 - r1).abs() > eps {
        return None;
    }
    let r = 0.5 * (r0 + r1);
    let ccw = (p0 - c).perp_dot(t0) > 0.0;
    if ((p3 - c).perp_dot(t1) > 0.0) != ccw {
        return None;
    }
    let theta = sweep(p0 - c, p3 - c, ccw);
    if theta.abs() > PI * 0.75 {
        return None; // usvg splits arcs into quarter turns at most
    }
    let h = 4.0 / 3.0 * (theta.abs() / 4.0).dtan() * r;
    if (t0.length() - h).abs() > eps.max(1e-4 * h) || (t1.length() - h).abs() > eps.max(1e-4 * h) {
        return None;
    }
    Some(bulge(theta))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quarter_circle_bulge() {
        let (a, b) = (DVec2::new(1.0, 0.0), DVec2::new(0.0, 1.0));
        let k = bulge(PI / 2.0);
        let (c, r) = centre_radius(a, b, k);
        assert!(c.length() < 1e-12 && (r - 1.0).abs() < 1e-12);
        let (c, _) = centre_radius(b, a, -k);
        assert!(c.length() < 1e-12);
        assert!((segment_area(a, b, k) - (PI / 4.0 - 0.5)).abs() < 1e-12);
        let (lo, hi) = bounds(DVec2::new(1.0, 0.0), DVec2::new(-1.0, 0.0), 1.0);
        assert!((hi.y - 1.0).abs() < 1e-12 && lo.y.abs() < 1e-12);
    }

    #[test]
    fn cubic_quarter_is_recognised() {
        let h = 4.0 / 3.0 * (PI / 8.0).dtan() * 2.0;
        let p0 = DVec2::new(2.0, 0.0);
        let p3 = DVec2::new(0.0, 2.0);
        let k = arc_from_cubic(p0, p0 + DVec2::Y * h, p3 + DVec2::X * h, p3, 1e-9).unwrap();
        assert!((k - bulge(PI / 2.0)).abs() < 1e-9);
        // A handle a little too long is an ellipse-ish curve, not this arc.
        assert!(arc_from_cubic(p0, p0 + DVec2::Y * h * 1.1, p3 + DVec2::X * h, p3, 1e-9).is_none());
    }
}
