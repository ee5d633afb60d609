//! G-code writers, one per controller dialect.
//!
//! Map of the module:
//! - [`number`]: fixed-point formatting; every number in a program is printed by it.
//! - [`capabilities`]: what a dialect supports, as data ([`Capabilities`]).
//! - `writer`: the one modal writer every dialect shares: safe-height discipline, modal
//!   words, dropped no-op moves, line-length checks.
//! - `linuxcnc`, `grbl`: each dialect's capability table and its setup lines.
//!
//! The toolpath is already in program units: the post converts nothing, it only chooses
//! `G21`/`G20` to say which units those are.
//!
//! Rapids and safe height: every rapid that changes X or Y runs at or above the safe height.
//! A toolpath rapid that would move sideways below it is lifted to safe height first, and a
//! rapid to a point below safe height is split into a sideways move at the current height and
//! a vertical descent. The only rapids below safe height are therefore vertical ones, which
//! is how a strategy brings the tool down to a clearance plane before a plunge.

pub mod capabilities;
mod grbl;
mod linuxcnc;
pub mod number;
mod writer;

use std::fmt;

use crate::toolpath::Toolpath;
pub use crate::units::Units;

pub use capabilities::Capabilities;
pub use number::{Fixed, NumberError, MAX_DECIMALS, MAX_MAGNITUDE};
pub use writer::Section;

/// Decimals for feed rates (`F`). Spindle speeds are whole rpm.
pub const RATE_DECIMALS: usize = 2;

/// The controller a program is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    #[default]
    Linuxcnc,
    Grbl,
}

impl Dialect {
    /// What this dialect supports.
    pub fn capabilities(self) -> &'static Capabilities {
        match self {
            Dialect::Linuxcnc => &linuxcnc::CAPABILITIES,
            Dialect::Grbl => &grbl::CAPABILITIES,
        }
    }
}

/// Path blending mode (LinuxCNC; GRBL has no equivalent and the setting is ignored there).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Blend {
    /// `G64 P<tol>`: blend within this tolerance.
    Tolerance(f64),
    /// `G61`: the path goes exactly through every point, stopping where a corner needs it
    /// (LinuxCNC calls this exact path; `G61.1`, a full stop at every point, is not offered).
    ExactStop,
}

/// Everything the writer needs besides the toolpath.
#[derive(Clone, Debug, PartialEq)]
pub struct PostSettings {
    pub dialect: Dialect,
    pub units: Units,
    /// Cutting feed, units per minute.
    pub feed: f64,
    /// Plunge feed, units per minute.
    pub plunge_feed: f64,
    /// Spindle speed, rpm. 0 still writes `S0 M3` (for spindles set by hand).
    pub spindle_rpm: f64,
    /// Height all sideways rapids travel at.
    pub safe_height: f64,
    pub blend: Blend,
    /// Digits after the decimal point for coordinates (at most [`MAX_DECIMALS`]).
    pub decimals: usize,
    /// Tool number for the tool change line where the dialect has one; 0 = no tool change
    /// (the tool is already in the spindle).
    pub tool_number: u32,
    /// One-line description put in the header comment (sanitised by the writer).
    pub comment: String,
}

impl Default for PostSettings {
    fn default() -> PostSettings {
        PostSettings::for_units(Units::Mm)
    }
}

impl PostSettings {
    /// LinuxCNC defaults for the given units (the numbers are starting points, not advice
    /// for any particular material).
    pub fn for_units(units: Units) -> PostSettings {
        let (feed, plunge_feed, safe_height, tol) = match units {
            Units::Mm => (800.0, 200.0, 5.0, 0.01),
            Units::Inch => (30.0, 8.0, 0.2, 0.0005),
        };
        PostSettings {
            dialect: Dialect::Linuxcnc,
            units,
            feed,
            plunge_feed,
            spindle_rpm: 12000.0,
            safe_height,
            blend: Blend::Tolerance(tol),
            decimals: units.default_decimals(),
            tool_number: 1,
            comment: String::new(),
        }
    }

    /// Checks the settings; the error names the field.
    pub fn validate(&self) -> Result<(), PostError> {
        let bad = |field: &'static str, message: String| Err(PostError::Setting { field, message });
        if self.decimals > MAX_DECIMALS {
            return bad("decimals", format!("must be at most {MAX_DECIMALS}"));
        }
        let rate = Fixed::new(RATE_DECIMALS);
        for (field, v) in [("feed", self.feed), ("plunge_feed", self.plunge_feed)] {
            match rate.quantize(v) {
                Ok(q) if q > 0 => {}
                Ok(_) => return bad(field, format!("must be positive, got {v}")),
                Err(e) => return bad(field, format!("{e}, got {v}")),
            }
        }
        match Fixed::new(0).quantize(self.spindle_rpm) {
            Ok(q) if q >= 0 => {}
            Ok(_) => {
                return bad(
                    "spindle_rpm",
                    format!("must not be negative, got {}", self.spindle_rpm),
                )
            }
            Err(e) => return bad("spindle_rpm", format!("{e}, got {}", self.spindle_rpm)),
        }
        let coord = Fixed::new(self.decimals);
        if let Err(e) = coord.quantize(self.safe_height) {
            return bad("safe_height", format!("{e}, got {}", self.safe_height));
        }
        // The blend setting means nothing to a dialect without blending words.
        let blends = self.dialect.capabilities().path_blending;
        if let (true, Blend::Tolerance(t)) = (blends, self.blend) {
            match coord.quantize(t) {
                Ok(q) if q > 0 => {}
                Ok(_) => {
                    return bad(
                        "blend",
                        format!(
                            "tolerance {t} is zero at {} decimals; use exact stop instead",
                            self.decimals
                        ),
                    )
                }
                Err(e) => return bad("blend", format!("{e}, got {t}")),
            }
        }
        Ok(())
    }
}

/// Why a program could not be written.
#[derive(Clone, Debug, PartialEq)]
pub enum PostError {
    /// A setting is out of range.
    Setting {
        field: &'static str,
        message: String,
    },
    /// A toolpath coordinate cannot be written (NaN, infinite, absurdly large).
    Point {
        index: usize,
        axis: char,
        value: f32,
        problem: NumberError,
    },
    /// A line would exceed the dialect's limit (1-based line number in the output).
    LineTooLong {
        line: usize,
        chars: usize,
        max: usize,
    },
    /// The output sink failed.
    Write(String),
}

impl fmt::Display for PostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PostError::Setting { field, message } => write!(f, "post setting {field}: {message}"),
            PostError::Point {
                index,
                axis,
                value,
                problem,
            } => write!(f, "toolpath point {index}: {axis} = {value} is {problem}"),
            PostError::LineTooLong { line, chars, max } => {
                write!(
                    f,
                    "G-code line {line} has {chars} characters, the controller takes {max}"
                )
            }
            PostError::Write(m) => write!(f, "writing G-code failed: {m}"),
        }
    }
}

impl std::error::Error for PostError {}

/// What a written program contains.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct ProgramStats {
    /// Lines written, comments included.
    pub lines: usize,
    /// Bytes written, newlines included.
    pub bytes: usize,
    /// Longest line in characters (without its newline).
    pub max_line_chars: usize,
    /// Motion lines at rapid rate (G0).
    pub rapid_blocks: usize,
    /// Motion lines at feed (G1), plunges included.
    pub feed_blocks: usize,
    /// Toolpath points that moved nothing once rounded to the output precision.
    pub dropped_points: usize,
    /// Lifts to safe height inserted before sideways rapids that were too low.
    pub lifts_added: usize,
    /// Bounds of every commanded position (axes not yet commanded are not counted).
    pub min: [f64; 3],
    pub max: [f64; 3],
}

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
        (_, Some(e)) => Err(PostError::Write(e.to_string())),
        (r, None) => {
            let stats = r?;
            a.inner
                .flush()
                .map_err(|e| PostError::Write(e.to_string()))?;
            Ok(stats)
        }
    }
}
