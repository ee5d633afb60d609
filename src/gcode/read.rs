//! Reads a LinuxCNC or GRBL program into straight and circular moves, in millimetres.
//!
//! What it understands: `G0`/`G1`/`G2`/`G3` (arcs by `I`/`J` offsets or by `R`, helical with a
//! `Z`), `G17` (arcs in the XY plane; `G18`/`G19` are refused), `G20`/`G21`, `G90`/`G91`,
//! `G94` (`G93` inverse time is refused), `F`, line numbers and `O` program numbers, `( … )` and `;` comments, and
//! the words a program carries for the machine rather than the path (`S`, `T`, `M`, `H`, `P`,
//! `G4`, `G17`, `G40`, `G43`, `G49`, `G54`–`G59`, `G61`, `G64`, `G80`, `G90.1`/`G91.1`…),
//! which it skips. A word it does not know, or a number it cannot read, is one error naming
//! the line. Comments that start with `Operation:` (as Swarf writes them) name the
//! operation the following moves belong to.

use crate::geom::{DVec2, DVec3};
use std::fmt;

/// How the tool moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `G0`.
    Rapid,
    /// `G1`.
    Linear,
    /// `G2`.
    ArcCw,
    /// `G3`.
    ArcCcw,
}

/// One move, in millimetres.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Motion {
    /// The program line it comes from (1-based).
    pub line: usize,
    /// How.
    pub kind: Kind,
    /// Start.
    pub from: DVec3,
    /// End.
    pub to: DVec3,
    /// For an arc: its centre (XY).
    pub centre: Option<DVec2>,
    /// The programmed feed, mm/min (0 before any `F`; rapids ignore it).
    pub feed: f64,
    /// Index into [`Program::operations`] of the operation it belongs to.
    pub operation: usize,
    /// Every axis of `from` was set by an earlier move. The controller's position before a
    /// program's first moves is unknown; an unknown axis reads as 0 in `from`/`to`, which
    /// is right for timing but not for where the tool was.
    pub start_known: bool,
    /// Every axis of `to` was set by this move or an earlier one.
    pub end_known: bool,
}

/// A program as moves.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Program {
    /// Every move that changes the position, in order.
    pub moves: Vec<Motion>,
    /// Operation names, from `(Operation: …)` comments; the first is `""` for moves before
    /// any such comment.
    pub operations: Vec<String>,
}

/// A line the reader cannot take.
#[derive(Clone, Debug, PartialEq)]
pub struct ReadError {
    /// 1-based line number.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for ReadError {}

/// The longest program read (bytes): a few hundred megabytes of G-code is a day of
/// machining; past that the file is not a program.
pub const MAX_PROGRAM_BYTES: usize = 1 << 30;

/// Splits a line into its comment texts and its code words.
fn split(line: &str) -> (String, Vec<String>) {
    let mut code = String::with_capacity(line.len());
    let mut comment = String::new();
    let mut depth = 0;
    for c in line.chars() {
        match c {
            ';' if depth == 0 => {
                comment.push_str(&line[line.find(';').map_or(line.len(), |i| i + 1)..]);
                break;
            }
            '(' => {
                depth += 1;
                if depth == 1 {
                    continue;
                }
                comment.push(c);
            }
            ')' if depth > 0 => {
                depth -= 1;
                if depth > 0 {
                    comment.push(c);
                }
            }
            _ if depth > 0 => comment.push(c),
            _ => code.push(c),
        }
    }
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    (comment, vec![code])
}

/// Parses `code` (no spaces) into (letter, number) words.
fn words(code: &str, line: usize) -> Result<Vec<(char, f64)>, ReadError> {
    let mut out = Vec::new();
    let b = code.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let l = (b[i] as char).to_ascii_uppercase();
        if !l.is_ascii_alphabetic() {
            return Err(ReadError {
                line,
                message: format!("unexpected {:?} where a word letter should be", l),
            });
        }
        i += 1;
        let start = i;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.' || b[i] == b'-' || b[i] == b'+')
        {
            i += 1;
        }
        let num = &code[start..i];
        let v: f64 = num.parse().map_err(|_| ReadError {
            line,
            message: format!("{l} has no number ({num:?})"),
        })?;
        if !v.is_finite() {
            return Err(ReadError {
                line,
                message: format!("{l}{num} is not a finite number"),
            });
        }
        out.push((l, v));
    }
    Ok(out)
}

/// Reads a whole program.
pub fn read(text: &str) -> Result<Program, ReadError> {
    if text.len() > MAX_PROGRAM_BYTES {
        return Err(ReadError {
            line: 0,
            message: format!(
                "the program is {} bytes, more than {MAX_PROGRAM_BYTES}",
                text.len()
            ),
        });
    }
    let mut prog = Program {
        moves: Vec::new(),
        operations: vec![String::new()],
    };
    let mut pos: [Option<f64>; 3] = [None; 3];
    let mut mm_per_unit = 1.0;
    let mut absolute = true;
    let mut mode = Kind::Rapid;
    let mut feed = 0.0;
    for (n, raw) in text.lines().enumerate() {
        let line = n + 1;
        let (comment, code) = split(raw);
        let c = comment.trim();
        if let Some(name) = c.strip_prefix("Operation:") {
            prog.operations.push(name.trim().to_string());
        }
        let code = &code[0];
        let code = code.strip_prefix('%').unwrap_or(code);
        if code.is_empty() {
            continue;
        }
        let ws = words(code, line)?;
        let err = |m: String| ReadError { line, message: m };
        let mut motion: Option<Kind> = None;
        let mut axes: [Option<f64>; 3] = [None; 3];
        let (mut i, mut j, mut r) = (None, None, None);
        // Units and distance mode first: they apply to the numbers on their own line.
        for &(l, v) in &ws {
            if l == 'G' {
                let g = (v * 10.0).round() / 10.0;
                if g == 20.0 {
                    mm_per_unit = 25.4;
                } else if g == 21.0 {
                    mm_per_unit = 1.0;
                } else if g == 90.0 {
                    absolute = true;
                } else if g == 91.0 {
                    absolute = false;
                }
            }
        }
        for &(l, v) in &ws {
            match l {
                'G' => {
                    let g = (v * 10.0).round() / 10.0;
                    let k = match g {
                        0.0 => Some(Kind::Rapid),
                        1.0 => Some(Kind::Linear),
                        2.0 => Some(Kind::ArcCw),
                        3.0 => Some(Kind::ArcCcw),
                        18.0 | 19.0 => {
                            return Err(err(format!(
                                "G{g} selects arcs outside the XY plane, which a 3-axis check cannot follow"
                            )))
                        }
                        93.0 => {
                            return Err(err("G93 inverse-time feed is not supported".into()))
                        }
                        4.0 | 10.0 | 17.0 | 20.0 | 21.0 | 28.0 | 30.0 | 40.0 | 43.0 | 49.0
                        | 54.0 | 55.0 | 56.0 | 57.0 | 58.0 | 59.0 | 61.0 | 61.1 | 64.0
                        | 80.0 | 90.0 | 91.0 | 90.1 | 91.1 | 94.0 => None,
                        _ => return Err(err(format!("G{g} is not a code this reader knows"))),
                    };
                    if let Some(k) = k {
                        if motion.is_some() {
                            return Err(err("two motion codes on one line".into()));
                        }
                        motion = Some(k);
                    }
                }
                'X' => axes[0] = Some(v * mm_per_unit),
                'Y' => axes[1] = Some(v * mm_per_unit),
                'Z' => axes[2] = Some(v * mm_per_unit),
                'I' => i = Some(v * mm_per_unit),
                'J' => j = Some(v * mm_per_unit),
                'K' => {}
                'R' => r = Some(v * mm_per_unit),
                'F' => {
                    if v <= 0.0 {
                        return Err(err(format!("F{v} is not a positive feed")));
                    }
                    feed = v * mm_per_unit;
                }
                'N' | 'O' | 'S' | 'T' | 'M' | 'H' | 'P' | 'Q' | 'D' | 'L' | 'E' => {}
                _ => return Err(err(format!("{l} is not a word this reader knows"))),
            }
        }
        if let Some(k) = motion {
            mode = k;
        }
        if axes.iter().all(Option::is_none) && i.is_none() && j.is_none() {
            continue;
        }
        let start_known = pos.iter().all(Option::is_some);
        let from_known = pos.map(|p| p.unwrap_or(0.0));
        let mut to = from_known;
        for k in 0..3 {
            if let Some(v) = axes[k] {
                to[k] = if absolute {
                    v
                } else {
                    pos[k].unwrap_or(0.0) + v
                };
                pos[k] = Some(to[k]);
            }
        }
        let from = DVec3::from(from_known);
        let to = DVec3::from(to);
        let arc = matches!(mode, Kind::ArcCw | Kind::ArcCcw);
        let centre = if arc {
            Some(match (i, j, r) {
                (_, _, Some(r)) => centre_from_radius(from, to, r, mode == Kind::ArcCcw)
                    .ok_or_else(|| err(format!("R{r} is too small for the arc's chord")))?,
                (None, None, None) => {
                    return Err(err("an arc needs I and J or R".into()));
                }
                _ => DVec2::new(from.x + i.unwrap_or(0.0), from.y + j.unwrap_or(0.0)),
            })
        } else {
            None
        };
        if let Some(c) = centre {
            let r0 = DVec2::new(from.x, from.y).distance(c);
            let r1 = DVec2::new(to.x, to.y).distance(c);
            if (r0 - r1).abs() > 0.005f64.max(1e-3 * r0) {
                return Err(err(format!(
                    "the arc's radius is {r0:.4} at its start and {r1:.4} at its end"
                )));
            }
        }
        if from == to && !arc {
            continue;
        }
        if mode != Kind::Rapid && feed <= 0.0 {
            return Err(err("a feed move before any F word".into()));
        }
        prog.moves.push(Motion {
            line,
            kind: mode,
            from,
            to,
            centre,
            feed,
            operation: prog.operations.len() - 1,
            start_known,
            end_known: pos.iter().all(Option::is_some),
        });
    }
    Ok(prog)
}

/// The centre of an arc given by its radius: `r > 0` the shorter way round, `r < 0` the
/// longer, counter-clockwise when `ccw`.
fn centre_from_radius(from: DVec3, to: DVec3, r: f64, ccw: bool) -> Option<DVec2> {
    let (a, b) = (DVec2::new(from.x, from.y), DVec2::new(to.x, to.y));
    let d = b - a;
    let h2 = r * r - d.length_squared() / 4.0;
    if h2 < -1e-9 * r * r || d.length() == 0.0 {
        return None;
    }
    let h = h2.max(0.0).sqrt();
    let m = (a + b) * 0.5;
    let n = d.perp().normalize();
    // Counter-clockwise the shorter way: the centre on the chord's left.
    let left = (r > 0.0) == ccw;
    Some(if left { m + n * h } else { m - n * h })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_modes_units_and_arcs() {
        let p = read(
            "%\n(Operation: first)\nG21 G90\nG0 X0 Y0 Z5\nG1 Z-1 F300 ; down\nX10\nG3 X0 Y10 I-10 J0\nG91 G1 X-5\nG20 G90 G0 X1 Y0\n(Operation: second)\nG2 X0 Y0 R0.5 F10\n%\n",
        )
        .unwrap();
        assert_eq!(p.operations, vec!["", "first", "second"]);
        let m = &p.moves;
        assert_eq!(m[0].kind, Kind::Rapid);
        assert_eq!(m[1].to, DVec3::new(0.0, 0.0, -1.0));
        assert_eq!(m[2].to.x, 10.0);
        assert_eq!(m[3].centre, Some(DVec2::new(0.0, 0.0)));
        assert_eq!(m[4].to, DVec3::new(-5.0, 10.0, -1.0));
        assert_eq!(m[5].to, DVec3::new(25.4, 0.0, -1.0));
        assert_eq!(m[6].feed, 254.0);
        assert_eq!(m[6].operation, 2);
        // A half circle by R: the centre is the chord's middle.
        let c = m[6].centre.unwrap();
        assert!(c.distance(DVec2::new(12.7, 0.0)) < 1e-9);
    }

    #[test]
    fn refuses_what_it_cannot_follow() {
        for (t, want) in [
            ("G18\n", "XY plane"),
            ("G1 X1\n", "before any F"),
            ("G0 X1 Q\n", "Q has no number"),
            ("G1 X1 F100 G0\n", "two motion codes"),
            ("G2 X1 F100\n", "I and J or R"),
            ("G0 X0 Y0\nG2 X10 Y0 I1 J0 F100\n", "radius"),
            ("W3\n", "not a word"),
            ("G65\n", "not a code"),
        ] {
            let e = read(t).unwrap_err().to_string();
            assert!(e.contains(want), "{t:?}: {e}");
        }
    }
}
