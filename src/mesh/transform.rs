//! Model transforms: scale, quarter-turn rotations, mirror, translate, place on bed, units.
//!
//! All of them rewrite the one triangle buffer in place: a transform of a 10-million-triangle
//! model must not allocate a second 360 MB buffer. Only quarter turns are offered because
//! they are exact (coordinates are swapped and negated, never rounded) and they are what
//! fixturing a part needs; a model that must be rotated by an arbitrary angle is better
//! rotated in the CAD program it came from.
//!
//! Orientation: STL triangles are wound counter-clockwise seen from outside (the right-hand
//! rule gives the outward normal). A transform with a negative determinant (a mirror, or a
//! scale with an odd number of negative factors) turns the model inside out unless the
//! winding is flipped too, so those transforms swap two vertices of every triangle.
//!
//! Every transform either succeeds completely or leaves the mesh untouched: inputs are
//! checked, and the bounds are used to prove no coordinate can overflow to infinity, before
//! the first float is written.

use super::{Aabb, Mesh, FLOATS_PER_TRIANGLE};
use crate::units::Units;
use std::fmt;

/// A coordinate axis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Axis {
    /// The X axis.
    X,
    /// The Y axis.
    Y,
    /// The Z axis (the spindle's).
    Z,
}

impl Axis {
    fn index(self) -> usize {
        match self {
            Axis::X => 0,
            Axis::Y => 1,
            Axis::Z => 2,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Axis::X => "X",
            Axis::Y => "Y",
            Axis::Z => "Z",
        }
    }
}

/// Where [`Mesh::place_on_bed`] puts the model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Placement {
    /// Centred on the XY origin, lowest point at Z = 0 (work zero at the stock centre, top
    /// of the machine bed).
    Center,
    /// Minimum corner of the bounding box at the origin (work zero at a stock corner).
    Origin,
}

/// Why a transform was refused. The mesh is unchanged when one is returned.
#[derive(Clone, Debug, PartialEq)]
pub enum TransformError {
    /// A scale factor of zero (flattens the model) or NaN/infinite.
    BadScale {
        /// The axis scaled.
        axis: Axis,
        /// The factor refused.
        factor: f32,
    },
    /// A translation component that is NaN or infinite.
    BadOffset {
        /// The axis moved along.
        axis: Axis,
        /// The offset refused.
        offset: f32,
    },
    /// The result would not fit in `f32` (a coordinate would become infinite).
    Overflow {
        /// The axis that would overflow.
        axis: Axis,
    },
}

impl fmt::Display for TransformError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransformError::BadScale { axis, factor } => write!(
                f,
                "scale factor for {} must be finite and non-zero, got {factor}",
                axis.name()
            ),
            TransformError::BadOffset { axis, offset } => write!(
                f,
                "translation along {} must be finite, got {offset}",
                axis.name()
            ),
            TransformError::Overflow { axis } => write!(
                f,
                "the transform would move {} coordinates beyond the range of 32-bit floats",
                axis.name()
            ),
        }
    }
}

impl std::error::Error for TransformError {}

const AXES: [Axis; 3] = [Axis::X, Axis::Y, Axis::Z];

impl Mesh {
    /// Scales uniformly about the origin.
    pub fn scale(&mut self, factor: f32) -> Result<(), TransformError> {
        self.scale_xyz([factor; 3])
    }

    /// Scales each axis about the origin. Negative factors mirror; with an odd number of
    /// them the winding is flipped so the model stays outside-out.
    pub fn scale_xyz(&mut self, factors: [f32; 3]) -> Result<(), TransformError> {
        for (axis, &f) in AXES.iter().zip(&factors) {
            if f == 0.0 || !f.is_finite() {
                return Err(TransformError::BadScale {
                    axis: *axis,
                    factor: f,
                });
            }
        }
        let f = factors.map(f64::from);
        self.check_affine(f, [0.0; 3])?;
        // An f32 times an f32 is exact in f64, so this rounds once, like an f32 multiply.
        self.map_vertices(|v| {
            for k in 0..3 {
                v[k] = (v[k] as f64 * f[k]) as f32;
            }
        });
        if factors.iter().filter(|f| **f < 0.0).count() % 2 == 1 {
            self.flip_winding();
        }
        Ok(())
    }

    /// Rotates by `quarter_turns` × 90° about `axis`, counter-clockwise when looking from the
    /// positive end of the axis toward the origin (right-hand rule); negative turns go the
    /// other way. Exact: coordinates are only swapped and negated.
    pub fn rotate_quarter_turns(&mut self, axis: Axis, quarter_turns: i32) {
        // (a, b) are the two coordinates that turn, in right-handed order: X turns Y->Z,
        // Y turns Z->X, Z turns X->Y. One quarter turn maps (a, b) to (-b, a).
        let (a, b) = match axis {
            Axis::X => (1, 2),
            Axis::Y => (2, 0),
            Axis::Z => (0, 1),
        };
        match quarter_turns.rem_euclid(4) {
            1 => self.map_vertices(|v| (v[a], v[b]) = (-v[b], v[a])),
            2 => self.map_vertices(|v| (v[a], v[b]) = (-v[a], -v[b])),
            3 => self.map_vertices(|v| (v[a], v[b]) = (v[b], -v[a])),
            _ => {}
        }
    }

    /// Mirrors about the plane through the origin perpendicular to `axis` (`Axis::X` negates
    /// X), flipping the winding so outward faces stay outward.
    pub fn mirror(&mut self, axis: Axis) {
        let k = axis.index();
        self.map_vertices(|v| v[k] = -v[k]);
        self.flip_winding();
    }

    /// Moves the model by `offset`.
    pub fn translate(&mut self, offset: [f32; 3]) -> Result<(), TransformError> {
        for (axis, &d) in AXES.iter().zip(&offset) {
            if !d.is_finite() {
                return Err(TransformError::BadOffset {
                    axis: *axis,
                    offset: d,
                });
            }
        }
        let d = offset.map(f64::from);
        self.check_affine([1.0; 3], d)?;
        self.map_vertices(|v| {
            for k in 0..3 {
                v[k] = (v[k] as f64 + d[k]) as f32;
            }
        });
        Ok(())
    }

    /// Moves the model onto the machine bed (see [`Placement`]). Does nothing to an empty mesh.
    pub fn place_on_bed(&mut self, placement: Placement) -> Result<(), TransformError> {
        let b = self.bounds();
        if b.is_empty() {
            return Ok(());
        }
        // Computed in f64: `min + max` of two large f32 values may overflow in f32.
        let mid = |k: usize| -(b.min[k] as f64 + b.max[k] as f64) / 2.0;
        let offset = match placement {
            Placement::Center => [mid(0), mid(1), -(b.min[2] as f64)],
            Placement::Origin => [-b.min[0] as f64, -b.min[1] as f64, -b.min[2] as f64],
        };
        self.check_affine([1.0; 3], offset)?;
        self.map_vertices(|v| {
            for k in 0..3 {
                v[k] = (v[k] as f64 + offset[k]) as f32;
            }
        });
        Ok(())
    }

    /// Rescales a model drawn in `from` units to `to` units (25.4 mm per inch).
    pub fn convert_units(&mut self, from: Units, to: Units) -> Result<(), TransformError> {
        if from == to {
            return Ok(());
        }
        let f = from.mm() / to.mm();
        self.check_affine([f; 3], [0.0; 3])?;
        self.map_vertices(|v| {
            for c in v.iter_mut() {
                *c = (*c as f64 * f) as f32;
            }
        });
        Ok(())
    }

    /// Refuses `v * scale + offset` if any coordinate would leave the finite `f32` range.
    /// The extreme results come from the bounding box corners, so checking them suffices.
    fn check_affine(&self, scale: [f64; 3], offset: [f64; 3]) -> Result<(), TransformError> {
        let b: Aabb = self.bounds();
        if b.is_empty() {
            return Ok(());
        }
        for (k, axis) in AXES.iter().enumerate() {
            for v in [b.min[k], b.max[k]] {
                let r = v as f64 * scale[k] + offset[k];
                if r.is_nan() || r.abs() > f32::MAX as f64 {
                    return Err(TransformError::Overflow { axis: *axis });
                }
            }
        }
        Ok(())
    }

    fn map_vertices(&mut self, mut f: impl FnMut(&mut [f32])) {
        for v in self.triangles_mut().chunks_exact_mut(3) {
            f(v);
        }
    }

    /// Swaps the second and third vertex of every triangle: same triangle, opposite normal.
    fn flip_winding(&mut self) {
        for t in self.triangles_mut().chunks_exact_mut(FLOATS_PER_TRIANGLE) {
            let (v1, v2) = t[3..].split_at_mut(3);
            v1.swap_with_slice(&mut v2[..3]);
        }
    }
}
