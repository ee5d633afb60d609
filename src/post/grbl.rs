//! GRBL 1.1: no tool changer, no blending words, short lines, `M30`.

use std::fmt;

use super::capabilities::Capabilities;
use super::writer::Emitter;
use super::{PostError, PostSettings};

pub const CAPABILITIES: Capabilities = Capabilities {
    name: "GRBL",
    // M6 is "unsupported command" (error 20); a T word alone is accepted and ignored.
    tool_change: false,
    tool_length_offset: false,
    // No G64; G61 is GRBL's only (implicit) path mode, so writing it says nothing.
    path_blending: false,
    comment_open: '(',
    comment_close: ')',
    // GRBL ends a parenthesised comment at the first ')' and does not nest.
    comment_forbidden: &['(', ')'],
    program_end: "M30",
    max_line_chars: 79,
    arcs_need_xy: true,
    g_codes: &["G0", "G1", "G17", "G20", "G21", "G90", "G94"],
    m_codes: &["M3", "M5", "M30"],
};

/// The tool can only be named: the operator loads it before running the program.
pub(crate) fn setup<W: fmt::Write + ?Sized>(
    e: &mut Emitter<'_, W>,
    s: &PostSettings,
) -> Result<(), PostError> {
    if s.tool_number > 0 {
        e.comment(
            &format!("Tool {}: ", s.tool_number),
            "load by hand before running, GRBL has no tool change",
        )?;
    }
    Ok(())
}
