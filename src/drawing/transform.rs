//! A model transform applied to a drawing: units, scale, quarter turns about Z, mirrors,
//! translation and placement, keeping arcs arcs and outlines counter-clockwise.

use super::{Drawing, Path};
use crate::geom::DVec2;
use crate::mesh::transform::{Axis, Placement};

/// Why a transform cannot apply to a drawing: the job field and the reason.
#[derive(Clone, Debug, PartialEq)]
pub struct DrawingTransformError {
    /// The job field (`model.scale`, `model.rotate`).
    pub field: &'static str,
    /// Why.
    pub message: String,
}

fn map_points(d: &mut Drawing, f: impl Fn(DVec2) -> DVec2) {
    let each = |p: &mut Path| {
        for v in &mut p.vertices {
            v.p = f(v.p);
        }
    };
    for s in &mut d.shapes {
        each(&mut s.outline);
        s.holes.iter_mut().for_each(each);
    }
    d.open.iter_mut().for_each(each);
}

/// Mirroring turns every path the other way round: run them backwards so outlines stay
/// counter-clockwise and holes clockwise, and every bulge keeps its meaning.
fn mirror(d: &mut Drawing, axis: Axis) {
    map_points(d, |p| match axis {
        Axis::X => DVec2::new(-p.x, p.y),
        _ => DVec2::new(p.x, -p.y),
    });
    let flip = |p: &mut Path| {
        for v in &mut p.vertices {
            v.bulge = -v.bulge;
        }
        p.reverse();
    };
    for s in &mut d.shapes {
        flip(&mut s.outline);
        s.holes.iter_mut().for_each(flip);
    }
    for p in &mut d.open {
        for v in &mut p.vertices {
            v.bulge = -v.bulge;
        }
    }
}

/// How to place a drawing: the job's model transform, in its order.
#[derive(Clone, Debug, PartialEq)]
pub struct Placing {
    /// Factor from millimetres to the job's units.
    pub units: f64,
    /// Scale per axis (X and Y must agree; Z is ignored).
    pub scale: [f64; 3],
    /// Quarter turns about an axis (only Z applies to a drawing).
    pub rotate: Vec<(Axis, i32)>,
    /// Axes to mirror along (Z is ignored).
    pub mirror: Vec<Axis>,
    /// Offset (Z ignored).
    pub translate: [f64; 3],
    /// Where the drawing ends up.
    pub place: Option<Placement>,
}

/// Applies `t` to a drawing read in millimetres.
pub fn apply(d: &mut Drawing, t: &Placing) -> Result<(), DrawingTransformError> {
    let bad = |field, message: String| Err(DrawingTransformError { field, message });
    if t.scale
        .iter()
        .any(|s| !s.is_finite() || *s <= 0.0 || *s > 1.0e6)
    {
        return bad(
            "model.scale",
            format!("{:?} must be positive numbers", t.scale),
        );
    }
    if t.scale[0] != t.scale[1] {
        return bad(
            "model.scale",
            format!(
                "a drawing scales the same along X and Y (its arcs stay arcs), not {} and {}",
                t.scale[0], t.scale[1]
            ),
        );
    }
    if t.translate
        .iter()
        .any(|v| !v.is_finite() || v.abs() > 1.0e6)
    {
        return bad(
            "model.translate",
            format!("{:?} must be finite numbers", t.translate),
        );
    }
    let k = t.scale[0] * t.units;
    if k != 1.0 {
        map_points(d, |p| p * k);
    }
    for &(axis, turns) in &t.rotate {
        if axis != Axis::Z {
            return bad(
                "model.rotate",
                "a drawing turns about Z only: it lies flat on the bed".to_string(),
            );
        }
        let turns = turns.rem_euclid(4);
        map_points(d, |p| match turns {
            1 => DVec2::new(-p.y, p.x),
            2 => -p,
            3 => DVec2::new(p.y, -p.x),
            _ => p,
        });
    }
    for a in &t.mirror {
        if *a == Axis::Z {
            continue;
        }
        mirror(d, *a);
    }
    let off = DVec2::new(t.translate[0], t.translate[1]);
    if off != DVec2::ZERO {
        map_points(d, |p| p + off);
    }
    if let Some(b) = d.bounds() {
        let shift = match t.place {
            None => DVec2::ZERO,
            Some(Placement::Center) => -(b.min + b.max) * 0.5,
            Some(Placement::Origin) => -b.min,
        };
        if shift != DVec2::ZERO {
            map_points(d, |p| p + shift);
        }
    }
    Ok(())
}
