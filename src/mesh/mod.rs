//! The model: one flat `f32` buffer, nine floats per triangle (`x0 y0 z0 x1 y1 z1 x2 y2 z2`).
//!
//! No per-triangle objects exist anywhere in the engine. The same buffer is shown to
//! JavaScript as a `Float32Array` for the WebGL preview. Normals are never stored: every
//! consumer derives them from the vertices (many STL writers leave stored normals zero or
//! wrong, which is how PyCAM came to drop vertical faces).

pub mod decimate;
pub mod stl;
pub mod transform;

use std::fmt;

/// Floats per triangle in [`Mesh::triangles`].
pub const FLOATS_PER_TRIANGLE: usize = 9;

/// An axis-aligned box. Empty boxes have `min > max`.
#[derive(Clone, Copy, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Aabb {
    /// The corner with the smallest coordinates.
    pub min: [f32; 3],
    /// The corner with the largest coordinates.
    pub max: [f32; 3],
}

impl Aabb {
    /// The box holding nothing; [`Aabb::include`] grows it.
    pub const EMPTY: Aabb = Aabb {
        min: [f32::INFINITY; 3],
        max: [f32::NEG_INFINITY; 3],
    };

    /// True when the box holds no point.
    pub fn is_empty(&self) -> bool {
        self.min[0] > self.max[0] || self.min[1] > self.max[1] || self.min[2] > self.max[2]
    }

    /// Grows the box to hold `p`.
    pub fn include(&mut self, p: [f32; 3]) {
        for ((lo, hi), v) in self.min.iter_mut().zip(self.max.iter_mut()).zip(p) {
            *lo = lo.min(v);
            *hi = hi.max(v);
        }
    }

    /// Extents along X, Y and Z.
    pub fn size(&self) -> [f32; 3] {
        [
            self.max[0] - self.min[0],
            self.max[1] - self.min[1],
            self.max[2] - self.min[2],
        ]
    }
}

/// Why a triangle buffer was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum MeshError {
    /// The buffer length is not a multiple of nine floats.
    Ragged {
        /// The buffer's length.
        floats: usize,
    },
    /// A coordinate is NaN or infinite (`triangle` is its index in the input).
    NonFinite {
        /// Index of the triangle.
        triangle: usize,
    },
    /// Nothing left after dropping degenerate triangles.
    Empty {
        /// Zero-area triangles dropped.
        dropped_degenerate: usize,
    },
}

impl fmt::Display for MeshError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MeshError::Ragged { floats } => write!(
                f,
                "triangle buffer has {floats} floats, not a multiple of 9 (three xyz vertices per triangle)"
            ),
            MeshError::NonFinite { triangle } => {
                write!(f, "triangle {triangle} has a NaN or infinite coordinate")
            }
            MeshError::Empty { dropped_degenerate } => write!(
                f,
                "the model has no triangles with area ({dropped_degenerate} degenerate triangles dropped)"
            ),
        }
    }
}

impl std::error::Error for MeshError {}

/// A triangle mesh held as one flat buffer.
#[derive(Clone, Debug, Default)]
pub struct Mesh {
    tris: Vec<f32>,
    /// Zero-area triangles dropped while building the mesh.
    pub dropped_degenerate: usize,
}

/// True when the triangle has (numerically) zero area. Evaluated in f64 so that a thin but
/// real sliver of a large model is kept; only exact or near-exact collapses are dropped.
pub fn is_degenerate(t: &[f32]) -> bool {
    let a = [t[0] as f64, t[1] as f64, t[2] as f64];
    let e1 = [t[3] as f64 - a[0], t[4] as f64 - a[1], t[5] as f64 - a[2]];
    let e2 = [t[6] as f64 - a[0], t[7] as f64 - a[1], t[8] as f64 - a[2]];
    let c = [
        e1[1] * e2[2] - e1[2] * e2[1],
        e1[2] * e2[0] - e1[0] * e2[2],
        e1[0] * e2[1] - e1[1] * e2[0],
    ];
    let area2 = c[0] * c[0] + c[1] * c[1] + c[2] * c[2];
    let scale = (e1[0] * e1[0] + e1[1] * e1[1] + e1[2] * e1[2])
        .max(e2[0] * e2[0] + e2[1] * e2[1] + e2[2] * e2[2]);
    // |e1 x e2|^2 <= eps^2 |e|^4 : the triangle's height is below ~1e-12 of its longest side.
    area2 <= 1e-24 * scale * scale
}

impl Mesh {
    /// Takes ownership of a buffer of `9 * n` floats. Rejects non-finite coordinates and
    /// drops zero-area triangles in place (no second buffer).
    pub fn from_triangles(mut tris: Vec<f32>) -> Result<Mesh, MeshError> {
        if !tris.len().is_multiple_of(FLOATS_PER_TRIANGLE) {
            return Err(MeshError::Ragged { floats: tris.len() });
        }
        let n = tris.len() / FLOATS_PER_TRIANGLE;
        let mut keep = 0;
        let mut dropped = 0;
        for i in 0..n {
            let s = i * FLOATS_PER_TRIANGLE;
            if tris[s..s + FLOATS_PER_TRIANGLE]
                .iter()
                .any(|v| !v.is_finite())
            {
                return Err(MeshError::NonFinite { triangle: i });
            }
            if is_degenerate(&tris[s..s + FLOATS_PER_TRIANGLE]) {
                dropped += 1;
                continue;
            }
            if keep != i {
                tris.copy_within(s..s + FLOATS_PER_TRIANGLE, keep * FLOATS_PER_TRIANGLE);
            }
            keep += 1;
        }
        tris.truncate(keep * FLOATS_PER_TRIANGLE);
        if keep == 0 {
            return Err(MeshError::Empty {
                dropped_degenerate: dropped,
            });
        }
        Ok(Mesh {
            tris,
            dropped_degenerate: dropped,
        })
    }

    /// Builds a mesh from a buffer the caller vouches for (finite, no degenerate triangles,
    /// length a multiple of nine), as the STL reader does after checking each triangle.
    pub(crate) fn from_checked(tris: Vec<f32>, dropped_degenerate: usize) -> Mesh {
        debug_assert!(tris.len().is_multiple_of(FLOATS_PER_TRIANGLE));
        Mesh {
            tris,
            dropped_degenerate,
        }
    }

    /// The flat buffer: nine floats per triangle.
    pub fn triangles(&self) -> &[f32] {
        &self.tris
    }

    /// Mutable access for in-place reordering (index build) and transforms.
    pub(crate) fn triangles_mut(&mut self) -> &mut [f32] {
        &mut self.tris
    }

    /// Number of triangles.
    pub fn len(&self) -> usize {
        self.tris.len() / FLOATS_PER_TRIANGLE
    }

    /// True when the mesh has no triangles.
    pub fn is_empty(&self) -> bool {
        self.tris.is_empty()
    }

    /// Triangle `i` as three vertices.
    pub fn triangle(&self, i: usize) -> [[f32; 3]; 3] {
        let t = &self.tris[i * FLOATS_PER_TRIANGLE..(i + 1) * FLOATS_PER_TRIANGLE];
        [[t[0], t[1], t[2]], [t[3], t[4], t[5]], [t[6], t[7], t[8]]]
    }

    /// The box around every vertex.
    pub fn bounds(&self) -> Aabb {
        let mut b = Aabb::EMPTY;
        for v in self.tris.chunks_exact(3) {
            b.include([v[0], v[1], v[2]]);
        }
        b
    }

    /// Bytes the buffer holds (its capacity, which is what the allocator charged).
    pub fn heap_bytes(&self) -> usize {
        self.tris.capacity() * std::mem::size_of::<f32>()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn drops_degenerate_and_rejects_nan() {
        let good = [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0];
        let flat = [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0];
        let mut v = Vec::new();
        v.extend_from_slice(&flat);
        v.extend_from_slice(&good);
        let m = Mesh::from_triangles(v).unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(m.dropped_degenerate, 1);
        assert_eq!(m.triangle(0)[1], [1.0, 0.0, 0.0]);

        let mut bad = good.to_vec();
        bad[4] = f32::NAN;
        assert_eq!(
            Mesh::from_triangles(bad).unwrap_err(),
            MeshError::NonFinite { triangle: 0 }
        );
        assert!(matches!(
            Mesh::from_triangles(flat.to_vec()),
            Err(MeshError::Empty { .. })
        ));
        assert!(matches!(
            Mesh::from_triangles(vec![0.0; 10]),
            Err(MeshError::Ragged { floats: 10 })
        ));
    }
}
