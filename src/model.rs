//! A model ready for machining: the triangle buffer after the import transform, reordered
//! and indexed. Every query that needs "the mesh this index was built from" lives here, so
//! the two can never be paired wrongly.

use crate::cutter::Cutter;
use crate::index::Index;
use crate::job::{ModelTransform, Place};
use crate::mesh::transform::{Placement, TransformError};
use crate::mesh::Mesh;
use crate::units::Units;

/// A mesh ready for machining: transformed, reordered and indexed.
#[derive(Clone, Debug)]
pub struct Model {
    mesh: Mesh,
    index: Index,
}

impl Model {
    /// Applies the import transform and builds the index.
    /// `units` are the job's units, which the model is converted to from the file's.
    pub fn new(
        mut mesh: Mesh,
        transform: &ModelTransform,
        units: Units,
    ) -> Result<Model, TransformError> {
        apply_transform(&mut mesh, transform, units)?;
        let index = Index::build(&mut mesh);
        Ok(Model { mesh, index })
    }

    /// A model of triangles already transformed, checked and in Morton order (a part of
    /// another model, as [`Model::triangles_in`] copies them): indexed in the order given,
    /// neither transformed nor sorted again.
    pub fn from_placed(tris: Vec<f32>) -> Model {
        let mesh = Mesh::from_checked(tris, 0);
        let index = Index::build_in_order(&mesh);
        Model { mesh, index }
    }

    /// A copy of the triangles whose XY box meets `lo..hi` (9 floats each, in index order).
    pub fn triangles_in(&self, lo: [f64; 2], hi: [f64; 2]) -> Vec<f32> {
        let runs = self.runs_in(lo, hi);
        let tris = self.mesh.triangles();
        let mut out = Vec::with_capacity(9 * runs.iter().map(|r| r.len()).sum::<usize>());
        for r in runs {
            out.extend_from_slice(&tris[9 * r.start..9 * r.end]);
        }
        out
    }

    /// The same triangles as [`Model::triangles_in`], in the same order, as runs of
    /// consecutive triangle indices into [`Model::mesh`]'s buffer: the page copies them
    /// straight into a JS array, with no second copy in wasm memory.
    pub fn runs_in(&self, lo: [f64; 2], hi: [f64; 2]) -> Vec<std::ops::Range<usize>> {
        let tris = self.mesh.triangles();
        let base = tris.as_ptr() as usize;
        let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
        self.index
            .for_each_in_box(&self.mesh, lo, hi, f64::NEG_INFINITY, &mut |t| {
                let i = (t.as_ptr() as usize - base) / (9 * std::mem::size_of::<f32>());
                match runs.last_mut() {
                    Some(r) if r.end == i => r.end = i + 1,
                    _ => runs.push(i..i + 1),
                }
            });
        runs
    }

    /// The transformed, Morton-ordered triangle buffer.
    pub fn mesh(&self) -> &Mesh {
        &self.mesh
    }

    /// The bounding-volume hierarchy over [`Model::mesh`].
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Drop-cutter at `(x, y)`: the highest tip z at which `cutter` touches the model, or
    /// `None` when nothing is within reach.
    pub fn drop_cutter(&self, cutter: &Cutter, x: f64, y: f64) -> Option<f64> {
        self.index.drop_cutter(&self.mesh, cutter, x, y)
    }

    /// As [`Model::drop_cutter`], counting only contacts above `floor`, with raster
    /// coherence: `hint` carries the triangle that decided the previous, nearby query.
    pub fn drop_cutter_hinted(
        &self,
        cutter: &Cutter,
        x: f64,
        y: f64,
        floor: f64,
        hint: &mut Option<u32>,
    ) -> Option<f64> {
        self.index
            .drop_cutter_hinted(&self.mesh, cutter, x, y, floor, hint)
    }

    /// Calls `f` with every triangle whose box meets the XY box `lo..hi` and whose top is
    /// above `zmin` (the candidates for a push-cutter along a fiber).
    pub fn for_each_in_box(
        &self,
        lo: [f64; 2],
        hi: [f64; 2],
        zmin: f64,
        f: &mut dyn FnMut(&[f32]),
    ) {
        self.index.for_each_in_box(&self.mesh, lo, hi, zmin, f)
    }

    /// Bytes the engine holds for this model: the triangle buffer plus the index.
    pub fn engine_bytes(&self) -> usize {
        self.mesh.heap_bytes() + self.index.heap_bytes()
    }
}

/// Applies a [`ModelTransform`] in place.
///
/// The order is the one a maker reads in the job: file units, scale, rotations, mirrors,
/// translation, then placement on the bed.
pub fn apply_transform(
    mesh: &mut Mesh,
    t: &ModelTransform,
    job_units: Units,
) -> Result<(), TransformError> {
    if t.units != job_units {
        mesh.convert_units(t.units, job_units)?;
    }
    if t.scale != [1.0; 3] {
        mesh.scale_xyz(t.scale.map(|s| s as f32))?;
    }
    for r in &t.rotate {
        mesh.rotate_quarter_turns(r.axis, r.turns);
    }
    for a in &t.mirror {
        mesh.mirror(*a);
    }
    if t.translate != [0.0; 3] {
        mesh.translate(t.translate.map(|v| v as f32))?;
    }
    match t.place {
        Place::None => {}
        Place::Center => mesh.place_on_bed(Placement::Center)?,
        Place::Origin => mesh.place_on_bed(Placement::Origin)?,
    }
    Ok(())
}
