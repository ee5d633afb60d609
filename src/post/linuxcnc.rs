//! LinuxCNC (rs274ngc): tool change with length offset, path blending, `M2`.

use std::fmt;

use super::capabilities::Capabilities;
use super::writer::Emitter;
use super::{Blend, PostError, PostSettings};

pub const CAPABILITIES: Capabilities = Capabilities {
    name: "LinuxCNC",
    tool_change: true,
    tool_length_offset: true,
    path_blending: true,
    comment_open: '(',
    comment_close: ')',
    comment_forbidden: &['(', ')'],
    program_end: "M2",
    // rs274 refuses 253 characters and more; keep a little margin.
    max_line_chars: 250,
    arcs_need_xy: false,
    g_codes: &[
        "G0", "G1", "G17", "G20", "G21", "G43", "G61", "G64", "G90", "G94",
    ],
    m_codes: &["M2", "M3", "M5", "M6"],
};

/// Tool change, length offset and blending mode, after the modal setup line.
pub(crate) fn setup<W: fmt::Write + ?Sized>(
    e: &mut Emitter<'_, W>,
    s: &PostSettings,
) -> Result<(), PostError> {
    if s.tool_number > 0 {
        e.words(&format!("T{}", s.tool_number));
        e.line("M6")?;
        e.line(&format!("G43 H{}", s.tool_number))?;
    }
    match s.blend {
        Blend::Tolerance(t) => {
            // validate() made sure the tolerance is finite and positive at this precision.
            let q = e.coord.quantize(t).unwrap_or(1);
            e.words("G64");
            e.word('P', q, e.coord);
            e.end_line()
        }
        Blend::ExactStop => e.line("G61"),
    }
}
