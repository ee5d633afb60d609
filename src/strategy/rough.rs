//! Z-level roughing. Being built (issue 5).

use super::Cancelled;
use crate::index::Index;
use crate::job::{Resolved, RoughSpec};
use crate::mesh::Mesh;
use crate::toolpath::Toolpath;

/// Builds the roughing toolpath.
pub fn generate(
    _mesh: &Mesh,
    _index: &Index,
    _spec: &RoughSpec,
    _res: &Resolved,
    _progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Toolpath, Cancelled> {
    Err(Cancelled)
}
