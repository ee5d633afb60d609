//! Not written yet: returns no moves (the engine reports the operation as cutting nothing).

use crate::drawing::Drawing;
use crate::job::{ProfileSpec, Resolved};
use crate::strategy::Cancelled;
use crate::toolpath::Toolpath;

/// The toolpath (none yet).
pub fn generate(
    _d: &Drawing,
    _s: &ProfileSpec,
    _res: &Resolved,
    _progress: &mut dyn FnMut(f32) -> bool,
) -> Result<Toolpath, Cancelled> {
    Ok(Toolpath::new())
}
