//! The circles through the two ends of a run (a pencil of circles), named by how far their
//! arc bulges from the chord, and where one of them touches a run's pieces.
//!
//! # The bulge
//!
//! Let the chord from `p0` to `p1` have its middle `m`, half length `h`, direction `e` and a
//! unit normal `f`; write a point as `q = m + x e + y f`. Every circle through both ends has
//! its centre on the bisector, `c = m + t f`, and radius `√(h² + t²)`. Its arc between the
//! ends that turns less than half a turn (the one a G2/G3 means) bulges from the chord by
//! the signed *bulge* `β` along `f`: `β = t + r` for `t < 0` (centre behind, arc ahead) and
//! `β = t − r` for `t > 0`, so `|β| ≤ h`, and back again `t = (β² − h²) / (2β)`.
//!
//! Within the strip `|x| < h` these arcs are nested: the arc of a larger `β` lies wholly on
//! the `+f` side of the arc of a smaller one. So each point `q` of the strip lies on exactly
//! one of them, with
//!
//! ```text
//! t(q) = (x² + y² − h²) / (2y),   β(q) = t(q) ± √(h² + t(q)²)   (the sign of y),
//! ```
//!
//! and `q` is on the `−f` side of (or on) the arc of bulge `β` exactly when `β(q) ≤ β`.
//! Hence the arc that keeps a whole run on its `−f` side and bulges the least is the one of
//! bulge `β* = max β(q)` over the run: the arc that *touches* the run from the `+f` side.
//! Any other arc that keeps the run behind it lies further out, so it strays further.
//!
//! The maximum over a straight piece is at an end or where the piece's line is tangent to a
//! circle of the pencil. Tangency to the circle of centre `(0, t)` from the line through `a`
//! with unit direction `d`: the distance `|d_x t + u|`, `u = d_y a_x − d_x a_y`, equals the
//! radius, which is the quadratic `d_y² t² − 2 d_x u t + h² − u² = 0`. Tangency to a
//! circle `(c', r')` (a short arc of the run): `|c − c'| = r ± r'` squares to
//! `4 (c'_y² − r'²) t² − 4 K c'_y t + K² − 4 r'² h² = 0` with `K = |c'|² − h² − r'²`; the
//! points of contact are `c' ± r' (c − c')/|c − c'|`. Each contact point that lies on the
//! piece is a candidate, and the largest `β` of the candidates and the run's inner points is
//! `β*`. The candidate only proposes a circle: the fit is then verified exactly (see
//! [`radial_range`] and the module doc of `arcfit`), so a rounding here can cost an arc,
//! never let a bad one through.

use super::{cross, dot, len, sub, Piece};
use crate::geom::Det;
use crate::toolpath::arc_sweep;

/// The pencil of circles through the ends of a chord, with the normal `f` that bulges are
/// measured along.
pub(super) struct Pencil {
    m: [f64; 2],
    e: [f64; 2],
    f: [f64; 2],
    h: f64,
}

impl Pencil {
    /// The pencil through `p0` and `p1`, bulges measured towards the left of the travel
    /// from `p0` to `p1` (`left`) or towards its right.
    pub(super) fn new(p0: [f64; 2], p1: [f64; 2], left: bool) -> Pencil {
        let d = sub(p1, p0);
        let l = len(d);
        let e = [d[0] / l, d[1] / l];
        let f = if left { [-e[1], e[0]] } else { [e[1], -e[0]] };
        Pencil {
            m: [(p0[0] + p1[0]) / 2.0, (p0[1] + p1[1]) / 2.0],
            e,
            f,
            h: l / 2.0,
        }
    }

    /// `q` in the chord's frame: `(x, y)` along `e` and `f`.
    fn frame(&self, q: [f64; 2]) -> [f64; 2] {
        let w = sub(q, self.m);
        [dot(w, self.e), dot(w, self.f)]
    }

    /// The point of frame coordinates `(x, y)`.
    fn world(&self, x: f64, y: f64) -> [f64; 2] {
        [
            self.m[0] + x * self.e[0] + y * self.f[0],
            self.m[1] + x * self.e[1] + y * self.f[1],
        ]
    }

    /// The bulge of the pencil's arc through `q` (frame coordinates); 0 on the chord's line.
    /// Written so that a point near the chord loses no digits.
    fn bulge_at(&self, [x, y]: [f64; 2]) -> f64 {
        let h = self.h;
        if y == 0.0 {
            return 0.0;
        }
        let t = (x * x + y * y - h * h) / (2.0 * y);
        let r = h.dhypot(t);
        match (y > 0.0, t <= 0.0) {
            (true, true) => h * h / (r - t),
            (true, false) => t + r,
            (false, false) => -h * h / (r + t),
            (false, true) => t - r,
        }
    }

    /// The centre of the pencil's circle whose arc bulges by `b` (not 0).
    pub(super) fn centre(&self, b: f64) -> [f64; 2] {
        let t = (b * b - self.h * self.h) / (2.0 * b);
        self.world(0.0, t)
    }

    /// The bulges of the inner points of `pts` (every point but the ends, which lie on
    /// every circle of the pencil) and of the points where its pieces touch a circle of the
    /// pencil: the arc of the largest touches the run from the side of `f`, the arc of the
    /// smallest from the other side.
    pub(super) fn bulges(&self, pts: &[[f64; 2]], pieces: &[Piece]) -> (f64, f64) {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        let mut take = |b: f64| {
            if b.is_finite() {
                lo = lo.min(b);
                hi = hi.max(b);
            }
        };
        for &p in &pts[1..pts.len() - 1] {
            take(self.bulge_at(self.frame(p)));
        }
        for (w, piece) in pts.windows(2).zip(pieces) {
            match *piece {
                Piece::Line => self.line_contacts(w[0], w[1], &mut take),
                Piece::Arc { centre, ccw } => self.arc_contacts(w[0], w[1], centre, ccw, &mut take),
            }
        }
        (lo, hi)
    }

    /// The bulges where the segment `a`–`b` is tangent to a circle of the pencil.
    fn line_contacts(&self, a: [f64; 2], b: [f64; 2], take: &mut impl FnMut(f64)) {
        let (a, b) = (self.frame(a), self.frame(b));
        let s = sub(b, a);
        let l = len(s);
        if l <= 0.0 {
            return;
        }
        let d = [s[0] / l, s[1] / l];
        let h = self.h;
        let u = d[1] * a[0] - d[0] * a[1];
        let mut roots = [f64::NAN; 2];
        if d[1].abs() < 1e-12 {
            if (d[0] * u).abs() > 0.0 {
                roots[0] = (h * h - u * u) / (2.0 * d[0] * u);
            }
        } else {
            let disc = u * u - d[1] * d[1] * h * h;
            if disc >= 0.0 {
                let sq = disc.sqrt();
                roots = [
                    (d[0] * u + sq) / (d[1] * d[1]),
                    (d[0] * u - sq) / (d[1] * d[1]),
                ];
            }
        }
        for t in roots.into_iter().filter(|t| t.is_finite()) {
            // The foot of the centre on the line.
            let k = -a[0] * d[0] + (t - a[1]) * d[1];
            if k > 0.0 && k < l {
                take(self.bulge_at([a[0] + k * d[0], a[1] + k * d[1]]));
            }
        }
    }

    /// The bulges where the arc from `a` to `b` round `c2` is tangent to a circle of the
    /// pencil.
    fn arc_contacts(
        &self,
        a: [f64; 2],
        b: [f64; 2],
        c2: [f64; 2],
        ccw: bool,
        take: &mut impl FnMut(f64),
    ) {
        let h = self.h;
        let r2 = (len(sub(a, c2)) + len(sub(b, c2))) / 2.0;
        let [cx, cy] = self.frame(c2);
        let k = cx * cx + cy * cy - h * h - r2 * r2;
        let qa = 4.0 * (cy * cy - r2 * r2);
        let qb = -4.0 * k * cy;
        let qc = k * k - 4.0 * r2 * r2 * h * h;
        let mut roots = [f64::NAN; 2];
        if qa.abs() < 1e-12 * (qb.abs() + qc.abs()) {
            if qb != 0.0 {
                roots[0] = -qc / qb;
            }
        } else {
            let disc = qb * qb - 4.0 * qa * qc;
            if disc >= 0.0 {
                let sq = disc.sqrt();
                roots = [(-qb + sq) / (2.0 * qa), (-qb - sq) / (2.0 * qa)];
            }
        }
        let whole = arc_sweep(a, b, c2, ccw).abs();
        for t in roots.into_iter().filter(|t| t.is_finite()) {
            let w = [-cx, t - cy];
            let lw = len(w);
            if lw <= 0.0 {
                continue;
            }
            for s in [1.0, -1.0] {
                let q = [cx + s * r2 * w[0] / lw, cy + s * r2 * w[1] / lw];
                let qw = self.world(q[0], q[1]);
                if arc_sweep(a, qw, c2, ccw).abs() < whole {
                    take(self.bulge_at(q));
                }
            }
        }
    }
}

/// The least and greatest distance from `c` to a piece of a run from `a` to `b`: for a
/// segment its nearest point and its farther end (the distance is convex along it); for an
/// arc round `c2`, the points of its circle nearest and farthest from `c` when they lie on
/// it, else its ends. With it, for an arc, whether the angle seen from `c` turns the same
/// way all along it: `Some(true)` counter-clockwise, `Some(false)` clockwise, `None` when it
/// turns back somewhere.
pub(super) fn radial_range(
    a: [f64; 2],
    b: [f64; 2],
    piece: Piece,
    c: [f64; 2],
) -> ((f64, f64), Option<bool>) {
    let (u, v) = (sub(a, c), sub(b, c));
    let ends = (len(u).min(len(v)), len(u).max(len(v)));
    match piece {
        Piece::Line => {
            let s = sub(v, u);
            let ss = dot(s, s);
            let k = if ss > 0.0 {
                (-dot(u, s) / ss).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let near = len([u[0] + k * s[0], u[1] + k * s[1]]);
            let turn = cross(u, v) > 0.0;
            ((near, ends.1), Some(turn))
        }
        Piece::Arc { centre: c2, ccw } => {
            let r2 = (len(sub(a, c2)) + len(sub(b, c2))) / 2.0;
            let w = sub(c2, c);
            let dd = len(w);
            let (mut lo, mut hi) = ends;
            if dd > 0.0 {
                let whole = arc_sweep(a, b, c2, ccw).abs();
                let on = |q: [f64; 2]| arc_sweep(a, q, c2, ccw).abs() < whole;
                let far = [c2[0] + r2 * w[0] / dd, c2[1] + r2 * w[1] / dd];
                let near = [c2[0] - r2 * w[0] / dd, c2[1] - r2 * w[1] / dd];
                if on(far) {
                    hi = hi.max(dd + r2);
                }
                if on(near) {
                    lo = lo.min((dd - r2).abs());
                }
            } else {
                (lo, hi) = (lo.min(r2), hi.max(r2));
            }
            // Seen from `c`, a point `q` of the arc moves by `dθ/ds ∝ (q − c)·(q − c2)`
            // times the arc's own sense, which is `(|q − c|² − dd² + r2²) / 2`: its sign is
            // that of the expression at the least distance if positive there, of the
            // expression at the greatest if negative there, and changes otherwise.
            let at = |rho: f64| rho * rho - dd * dd + r2 * r2;
            let turn = if at(lo) > 0.0 {
                Some(ccw)
            } else if at(hi) < 0.0 {
                Some(!ccw)
            } else {
                None
            };
            ((lo, hi), turn)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bulge of the arc through three points, by brute force: its circle's centre on
    /// the bisector, then the arc's middle.
    #[test]
    fn bulge_of_a_point_is_that_of_its_circle() {
        let p = Pencil::new([0.0, 0.0], [4.0, 0.0], true);
        // A half circle of radius 2 above: bulge 2 through (2, 2) and (2 + √2, √2).
        assert!((p.bulge_at(p.frame([2.0, 2.0])) - 2.0).abs() < 1e-12);
        assert!((p.bulge_at(p.frame([2.0 + 2f64.sqrt(), 2f64.sqrt()])) - 2.0).abs() < 1e-12);
        // The circle of centre (2, 1.5), radius 2.5: its lower arc bulges by −1.
        let q = [2.0 + 2.5 * (-1.2f64).dcos(), 1.5 + 2.5 * (-1.2f64).dsin()];
        assert!((p.bulge_at(p.frame(q)) + 1.0).abs() < 1e-12);
        let c = p.centre(-1.0);
        assert!(
            (c[0] - 2.0).abs() < 1e-12 && (c[1] - 1.5).abs() < 1e-12,
            "{c:?}"
        );
        // Measured to the right, the same point bulges the other way.
        let r = Pencil::new([0.0, 0.0], [4.0, 0.0], false);
        assert!((r.bulge_at(r.frame(q)) - 1.0).abs() < 1e-12);
        // A point just off the chord keeps its digits.
        let b = p.bulge_at(p.frame([2.0, 1e-9]));
        assert!((b - 1e-9).abs() < 1e-20, "{b}");
    }

    /// The largest bulge along `q(s)`, `s` in 0..=1, by dense sampling.
    fn sampled(p: &Pencil, q: impl Fn(f64) -> [f64; 2]) -> f64 {
        (0..=100_000)
            .map(|k| p.bulge_at(p.frame(q(k as f64 / 1e5))))
            .fold(f64::NEG_INFINITY, f64::max)
    }

    #[test]
    fn contacts_find_the_highest_point_of_a_piece() {
        let p = Pencil::new([0.0, 0.0], [10.0, 0.0], true);
        // Arcs that bulge backwards curve up at both ends, so a straight piece under the
        // chord is highest in its middle: at (5, -0.5), bulge -0.5.
        let (a, b) = ([1.0, -0.5], [9.0, -0.5]);
        let best = sampled(&p, |s| [a[0] + s * (b[0] - a[0]), a[1]]);
        let (_, hi) = p.bulges(&[[0.0, 0.0], a, b, [10.0, 0.0]], &[Piece::Line; 3]);
        assert!(
            (hi - best).abs() < 1e-9 && (hi + 0.5).abs() < 1e-12,
            "{hi} vs {best}"
        );
        assert!(hi > p.bulge_at(p.frame(a)) + 0.5);
        // An arc piece: half a turn of radius 1 round (5, 1), clockwise from (4, 1) over
        // (5, 2) to (6, 1); highest at (5, 2), bulge 2, between its ends.
        let (c2, a, b) = ([5.0, 1.0], [4.0, 1.0], [6.0, 1.0]);
        let best = sampled(&p, |s| {
            let ang = std::f64::consts::PI * (1.0 - s);
            [c2[0] + ang.dcos(), c2[1] + ang.dsin()]
        });
        let pieces = [
            Piece::Line,
            Piece::Arc {
                centre: c2,
                ccw: false,
            },
            Piece::Line,
        ];
        let (_, hi) = p.bulges(&[[0.0, 0.0], a, b, [10.0, 0.0]], &pieces);
        assert!(
            (hi - best).abs() < 1e-9 && (hi - 2.0).abs() < 1e-12,
            "{hi} vs {best}"
        );
    }

    #[test]
    fn radial_range_of_segments_and_arcs() {
        let c = [0.0, 0.0];
        let ((lo, hi), turn) = radial_range([3.0, -4.0], [3.0, 4.0], Piece::Line, c);
        assert_eq!((lo, hi, turn), (3.0, 5.0, Some(true)));
        // A quarter arc round (5, 0) of radius 1 from (6, 0) to (5, 1): nearest (4, 0) is
        // not on it, farthest (6, 0) is its start.
        let arc = Piece::Arc {
            centre: [5.0, 0.0],
            ccw: true,
        };
        let ((lo, hi), turn) = radial_range([6.0, 0.0], [5.0, 1.0], arc, c);
        assert!((lo - 26f64.sqrt()).abs() < 1e-12 && (hi - 6.0).abs() < 1e-12);
        assert_eq!(turn, Some(true));
        // Half a turn from (5, -1) to (5, 1) through (6, 0), counter-clockwise round (5, 0):
        // its farthest point (6, 0) is on it, and seen from the origin it turns
        // counter-clockwise throughout.
        let ((lo, hi), turn) = radial_range([5.0, -1.0], [5.0, 1.0], arc, c);
        assert!((lo - 26f64.sqrt()).abs() < 1e-12 && (hi - 6.0).abs() < 1e-12);
        assert_eq!(turn, Some(true));
        // The other half, through (4, 0): nearest point on it, and it turns back.
        let ((lo, _), turn) = radial_range([5.0, 1.0], [5.0, -1.0], arc, c);
        assert!((lo - 4.0).abs() < 1e-12);
        assert_eq!(turn, None);
    }
}
