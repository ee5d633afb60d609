//! Stock to leave, by an inflated cutter.
//!
//! The tool keeps a distance of at least `a` from the model exactly when the tool grown by
//! `a` in every direction (its Minkowski sum with a ball of radius `a`) does not reach into
//! the model. So the question "where may the tool go and leave `a`?" becomes the ordinary
//! drop-cutter question for a fatter tool, which the engine already answers exactly.
//!
//! A cutter here is the solid on and above its profile (flutes, then shank and holder, all
//! at most the cutting radius wide), so the sum is again such a solid:
//!
//! | tool | grown by `a` | its tip below the tool's tip |
//! |---|---|---|
//! | ball `R` | ball `R + a` | `a` |
//! | flat `R` | bull `R + a`, corner `a` | `a` |
//! | bull `R`, corner `c` | bull `R + a`, corner `c + a` | `a` |
//! | cone, half angle `α`, radius `R` | (contained in) cone `α`, radius `R + a` | `a / sin α` |
//!
//! The first three are exact: every point of the profile moves by `a` along its normal, so
//! flat faces stay flat, circular arcs gain `a` of radius, and the bottom moves `a` down.
//!
//! The cone is not closed under the sum: its apex becomes a sphere cap and its rim a torus.
//! The flank, the line `z = r cot α` in the `(r, z)` plane, moves by `a` along its outward
//! normal `(cos α, -sin α)` to the parallel line
//! `z = (r - a cos α) cot α - a sin α = r cot α - a / sin α`: the same cone with its apex
//! `a / sin α` below the tool's tip. The ball of radius `a` round the apex touches that
//! line (its distance from the apex is `(a / sin α) sin α = a`), so it is inside; past the
//! flank's offset end `r = R + a cos α` the straight line runs outside the rim's torus arc,
//! which bends upwards, so extending the parallel cone to the radius `R + a` (and the shank
//! above it) contains the torus too. The cone used is thus a safe superset: it leaves `a`
//! on the flanks and `a / sin α ≥ a` under the apex, which on a horizontal face means a
//! little more than asked.
//!
//! Axial stock `a_z` (on horizontal faces) differs from the radial `a_r` only by lifting
//! the tool: a lift of `δ` leaves `a_r + δ` on horizontal faces and never less than `a_r`
//! anywhere, so the tip goes `max(d, a_z)` above the grown tool's tip, `d` being the depth
//! in the table. When `a_z < a_r` the floors keep `a_r` (a grown tool cannot leave less
//! below it than round it); the finishing pass removes the difference.

use crate::cutter::{Cutter, Shape};
use crate::geom::Det;

/// A grown cutter and how far the real tool's tip sits above the grown one's.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Allowance {
    /// The tool grown by the radial stock to leave.
    pub cutter: Cutter,
    /// Tool tip height minus the grown tool's drop-cutter height.
    pub lift: f64,
}

/// The grown cutter for radial stock `radial` and axial stock `axial` (both `≥ 0`).
pub fn inflate(tool: &Cutter, radial: f64, axial: f64) -> Allowance {
    let a = radial.max(0.0);
    let axial = axial.max(0.0);
    if a <= 0.0 {
        return Allowance {
            cutter: *tool,
            lift: axial,
        };
    }
    let d = 2.0 * (tool.radius() + a);
    let flutes = tool.flute_length() + a;
    let (shape, depth) = match tool.shape() {
        Shape::Ball => (Shape::Ball, a),
        Shape::Flat => (Shape::Bull { corner_radius: a }, a),
        Shape::Bull { corner_radius } => (
            Shape::Bull {
                corner_radius: corner_radius + a,
            },
            a,
        ),
        Shape::Cone { angle_deg } => {
            let half = (angle_deg / 2.0).to_radians();
            (Shape::Cone { angle_deg }, a / half.dsin())
        }
    };
    // The shape parameters only grow from a valid cutter, so this cannot fail; fall back to
    // the tool itself (no allowance) rather than panic should it ever.
    match Cutter::new(shape, d, flutes) {
        Ok(cutter) => Allowance {
            cutter,
            lift: depth.max(axial),
        },
        Err(_) => Allowance {
            cutter: *tool,
            lift: axial,
        },
    }
}

/// The grown cutter widened by `e` sideways: its Minkowski sum with a horizontal disk of
/// radius `e`. Its drop-cutter height at a point is the highest of the grown cutter's within
/// `e` of it, so its blocked region is the grown one's dilated by `e`. The roughing grid
/// classifies only its nodes, and every disk of radius `step / √2` holds a node: widened by
/// that, no blocked spot (a needle, a thin ridge) can hide between nodes and be cut through.
/// The price is up to `e` more stock on the walls, never less.
///
/// | grown | widened by `e` | tip |
/// |---|---|---|
/// | ball `R` | bull `R + e`, corner `R` | same |
/// | flat `R` | flat `R + e` | same |
/// | bull `R`, corner `c` | bull `R + e`, corner `c` | same |
/// | cone, half angle `α` | (contained in) cone `α`, radius `R + e` | `e cot α` lower |
///
/// The cone's flank moved out by `e` is the same cone with its apex `e cot α` lower, which
/// holds the sum (its flat disk at the apex included).
pub fn widen(al: Allowance, e: f64) -> Allowance {
    if e <= 0.0 {
        return al;
    }
    let t = al.cutter;
    let d = 2.0 * (t.radius() + e);
    let (shape, extra) = match t.shape() {
        Shape::Ball => (
            Shape::Bull {
                corner_radius: t.radius(),
            },
            0.0,
        ),
        Shape::Flat => (Shape::Flat, 0.0),
        Shape::Bull { corner_radius } => (Shape::Bull { corner_radius }, 0.0),
        Shape::Cone { angle_deg } => {
            let half = (angle_deg / 2.0).to_radians();
            (Shape::Cone { angle_deg }, e / half.dtan())
        }
    };
    match Cutter::new(shape, d, t.flute_length()) {
        Ok(cutter) => Allowance {
            cutter,
            lift: al.lift + extra,
        },
        // Validation keeps the tool, the stock and the sampling small enough that this
        // cannot fail; were it to, the unwidened cutter is still correct on the grid nodes.
        Err(_) => al,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lowest height of the grown tool (tip at 0, shifted down by `lift`) over radius `r`.
    fn grown(al: &Allowance, r: f64) -> f64 {
        if r > al.cutter.radius() {
            f64::INFINITY
        } else {
            al.cutter.profile(r) - al.lift
        }
    }

    /// Every point of the tool's profile, grown by `a` in 16 directions round it, lies on
    /// or above the grown cutter: the grown cutter holds the Minkowski sum.
    #[test]
    fn grown_cutter_contains_the_sum() {
        let a = 0.7;
        for tool in [
            Cutter::flat(6.0).unwrap(),
            Cutter::ball(6.0).unwrap(),
            Cutter::bull(6.0, 1.0).unwrap(),
            Cutter::cone(6.0, 90.0).unwrap(),
            Cutter::cone(6.0, 30.0).unwrap(),
        ] {
            let al = inflate(&tool, a, a);
            for i in 0..=200 {
                let r = tool.radius() * i as f64 / 200.0;
                let z = tool.profile(r);
                for k in 0..16 {
                    let t = std::f64::consts::TAU * k as f64 / 16.0;
                    let (pr, pz) = ((r + a * t.dcos()).abs(), z + a * t.dsin());
                    assert!(
                        pz >= grown(&al, pr) - 1e-9,
                        "{tool:?}: r {pr} z {pz} below {}",
                        grown(&al, pr)
                    );
                }
            }
            // And it is tight for the round shapes: the grown tip is `a` down.
            if !matches!(tool.shape(), Shape::Cone { .. }) {
                assert!((al.lift - a).abs() < 1e-12);
            }
        }
    }

    /// The widened cutter holds the grown one moved anywhere within `e` sideways.
    #[test]
    fn widened_cutter_holds_the_sideways_sum() {
        let e = 0.4;
        for tool in [
            Cutter::flat(6.0).unwrap(),
            Cutter::ball(6.0).unwrap(),
            Cutter::bull(6.0, 1.0).unwrap(),
            Cutter::cone(6.0, 90.0).unwrap(),
        ] {
            let al = inflate(&tool, 0.5, 0.5);
            let w = widen(al, e);
            for i in 0..=200 {
                let r = al.cutter.radius() * i as f64 / 200.0;
                let z = al.cutter.profile(r) - al.lift;
                for k in 0..=8 {
                    let pr = (r + e * (k as f64 / 4.0 - 1.0)).abs();
                    assert!(z >= grown(&w, pr) - 1e-9, "{tool:?}: r {pr} z {z}");
                }
            }
        }
    }

    #[test]
    fn axial_lifts_and_zero_is_the_tool() {
        let t = Cutter::flat(6.0).unwrap();
        let al = inflate(&t, 0.5, 1.5);
        assert_eq!(al.lift, 1.5);
        let al = inflate(&t, 0.0, 0.3);
        assert_eq!(al.cutter, t);
        assert_eq!(al.lift, 0.3);
    }
}
