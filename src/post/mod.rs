//! G-code writers, one shared writer driven by each controller's row of data.
//!
//! Map of the module (each module imports only from those above it in this list):
//! - `number`: fixed-point formatting ([`Fixed`]); every number in a program is printed by it.
//! - `capabilities`: the controllers as data: [`Dialect`] and its [`Capabilities`] row
//!   (arcs aside, which all of them take: blending, tool change, comment style, block
//!   numbers, `%` delimiters, line length, decimals, program end). It names no writer.
//! - `error`: [`PostError`], each variant carrying the setting, point or line and the figure.
//! - `settings`: [`PostSettings`] and the check that they can be written.
//! - `writer`: the one modal writer every dialect shares: safe-height discipline, modal
//!   words, dropped no-op moves, line-length checks, tool changes as the table says. It
//!   reads a controller's row and never its name.
//!
//! The toolpath is already in program units: the post converts nothing, it only chooses
//! `G21`/`G20` to say which units those are.
//!
//! Rapids and safe height: every rapid that changes X or Y runs at or above the safe height.
//! A toolpath rapid that would move sideways below it is lifted to safe height first, and a
//! rapid to a point below safe height is split into a sideways move at the current height and
//! a vertical descent. The only rapids below safe height are therefore vertical ones, which
//! is how a strategy brings the tool down to a clearance plane before a plunge.

mod capabilities;
mod error;
mod number;
mod settings;
mod writer;

use std::fmt;

use crate::toolpath::Toolpath;
pub use crate::units::Units;

pub use capabilities::{Capabilities, Dialect, LineNumbers, CONTROLLERS};
pub use error::{PostError, Problem, Setting};
pub use number::{Fixed, NumberError, MAX_DECIMALS, MAX_MAGNITUDE};
pub use settings::{Blend, PostSettings, RATE_DECIMALS};
pub use writer::{ProgramStats, Section};

/// Writes a whole program into a string.
pub fn write_gcode(tp: &Toolpath, s: &PostSettings) -> Result<String, PostError> {
    // About 24 bytes per motion line is typical of 3-decimal raster output.
    let mut out = String::with_capacity(512 + 24 * tp.len());
    write_gcode_to(tp, s, &mut out)?;
    Ok(out)
}

/// Writes a program of several operations (each with its own tool) as one string.
pub fn write_gcode_sections(
    sections: &[Section<'_>],
    s: &PostSettings,
) -> Result<String, PostError> {
    let n: usize = sections.iter().map(|x| x.toolpath.len()).sum();
    let mut out = String::with_capacity(512 + 24 * n);
    writer::write_sections(sections, s, &mut out)?;
    Ok(out)
}

/// Writes a whole program into any [`fmt::Write`] sink, line by line, and returns what it
/// wrote. On error the sink holds a partial program that must be discarded.
pub fn write_gcode_to<W: fmt::Write + ?Sized>(
    tp: &Toolpath,
    s: &PostSettings,
    out: &mut W,
) -> Result<ProgramStats, PostError> {
    writer::write_program(tp, s, out)
}

/// Writes a whole program into a [`std::io::Write`] sink (a file, a socket). The writer
/// issues one small write per line, so give it a `BufWriter`.
pub fn write_gcode_io<W: std::io::Write>(
    tp: &Toolpath,
    s: &PostSettings,
    out: W,
) -> Result<ProgramStats, PostError> {
    struct Adapter<W> {
        inner: W,
        error: Option<std::io::Error>,
    }
    impl<W: std::io::Write> fmt::Write for Adapter<W> {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            self.inner.write_all(s.as_bytes()).map_err(|e| {
                self.error = Some(e);
                fmt::Error
            })
        }
    }
    let mut a = Adapter {
        inner: out,
        error: None,
    };
    let r = writer::write_program(tp, s, &mut a);
    match (r, a.error.take()) {
        (_, Some(e)) => Err(PostError::Io(e.kind())),
        (r, None) => {
            let stats = r?;
            a.inner.flush().map_err(|e| PostError::Io(e.kind()))?;
            Ok(stats)
        }
    }
}
