//! The modal writer shared by every dialect.
//!
//! State is kept as *quanta* (integers of `10^-decimals`, see [`super::number`]): the last
//! commanded X, Y, Z, motion mode and feed. A word is written only when its quantum differs
//! from the modal state, so "unchanged" means unchanged on the machine, after rounding; a
//! toolpath point whose every axis rounds to where the tool already is writes nothing.
//!
//! Each line is assembled in one reused `String`, checked against the dialect's length limit,
//! then handed to the sink: the program is never built twice.
//!
//! What differs between controllers is read from their [`Capabilities`] row, never from
//! the dialect's name: the writer knows no controller by name.

use crate::geom::Det;
use std::fmt;

use super::capabilities::Capabilities;
use super::error::{PostError, Setting};
use super::number::Fixed;
use super::settings::{Blend, PostSettings, RATE_DECIMALS};
use crate::geom::DVec3;
use crate::toolpath::{Move, Step, Toolpath};
use crate::units::Units;

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
    /// Arc lines (G2/G3), helices included.
    pub arc_blocks: usize,
    /// Toolpath arcs written as straight feed moves instead (too small or too flat to
    /// survive rounding to the output precision as an arc).
    pub arcs_flattened: usize,
    /// Toolpath points that moved nothing once rounded to the output precision.
    pub dropped_points: usize,
    /// Lifts to safe height inserted before sideways rapids that were too low.
    pub lifts_added: usize,
    /// Least commanded position on each axis (axes never commanded read 0).
    pub min: DVec3,
    /// Greatest commanded position on each axis (axes never commanded read 0).
    pub max: DVec3,
}

/// One operation of a program: its toolpath and its tool.
#[derive(Clone, Debug)]
pub struct Section<'a> {
    /// The moves, in program units.
    pub toolpath: &'a Toolpath,
    /// Tool number (0: no tool change, the cutter in the spindle stays).
    pub tool_number: u32,
    /// What the operation is, for a comment line.
    pub comment: String,
    /// Cutting feed for this section (the tool's own); `None`: the settings' feed.
    pub feed: Option<f64>,
    /// Plunge feed for this section; `None`: the settings' plunge feed.
    pub plunge_feed: Option<f64>,
    /// Spindle speed for this section; `None`: the settings' speed.
    pub spindle_rpm: Option<f64>,
}

/// The motion modes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Motion {
    Rapid,
    Linear,
    ArcCw,
    ArcCcw,
}

/// The modal state and the line being assembled.
struct Emitter<'o, W: ?Sized> {
    out: &'o mut W,
    caps: &'static Capabilities,
    coord: Fixed,
    rate: Fixed,
    /// Safe height as a quantum.
    safe: i64,
    line: String,
    mode: Option<Motion>,
    pos: [Option<i64>; 3],
    feed: Option<i64>,
    /// The next block number, where the controller numbers blocks.
    block: Option<u32>,
    stats: ProgramStats,
}

impl<'o, W: fmt::Write + ?Sized> Emitter<'o, W> {
    fn new(out: &'o mut W, s: &PostSettings) -> Result<Self, PostError> {
        let coord = Fixed::new(s.decimals);
        let safe = coord
            .quantize(s.safe_height)
            .map_err(|e| PostError::Setting {
                field: Setting::SafeHeight,
                value: s.safe_height,
                problem: super::error::Problem::Number(e),
            })?;
        Ok(Emitter {
            out,
            caps: s.dialect.capabilities(),
            coord,
            rate: Fixed::new(RATE_DECIMALS),
            safe,
            line: String::with_capacity(96),
            mode: None,
            pos: [None; 3],
            feed: None,
            block: s.dialect.capabilities().line_numbers.map(|n| n.start),
            stats: ProgramStats {
                min: DVec3::INFINITY,
                max: DVec3::NEG_INFINITY,
                ..ProgramStats::default()
            },
        })
    }

    /// Appends `letter` + the formatted quantum, space-separated from what came before.
    fn word(&mut self, letter: char, q: i64, fixed: Fixed) {
        if !self.line.is_empty() {
            self.line.push(' ');
        }
        self.line.push(letter);
        let start = self.line.len();
        // Writing into a String cannot fail.
        let _ = fixed.write(&mut self.line, q);
        if self.caps.decimal_point && !self.line[start..].contains('.') {
            self.line.push('.');
        }
    }

    /// Appends literal words (trusted text such as `G90 G94`).
    fn words(&mut self, text: &str) {
        if !self.line.is_empty() {
            self.line.push(' ');
        }
        self.line.push_str(text);
    }

    /// Numbers the assembled block where the controller numbers blocks, then sends it.
    fn end_line(&mut self) -> Result<(), PostError> {
        if let (Some(n), Some(rule)) = (self.block, self.caps.line_numbers) {
            let number = format!("N{n} ");
            self.line.insert_str(0, &number);
            let next = n.saturating_add(rule.step);
            self.block = Some(if next > rule.max { rule.start } else { next });
        }
        self.send_line()
    }

    /// Sends the assembled line to the sink as it is.
    fn send_line(&mut self) -> Result<(), PostError> {
        let chars = self.line.chars().count();
        let st = &mut self.stats;
        st.lines += 1;
        if chars > self.caps.max_line_chars {
            return Err(PostError::LineTooLong {
                line: st.lines,
                chars,
                max: self.caps.max_line_chars,
            });
        }
        st.bytes += self.line.len() + 1;
        st.max_line_chars = st.max_line_chars.max(chars);
        let r = self
            .out
            .write_str(&self.line)
            .and_then(|_| self.out.write_char('\n'));
        self.line.clear();
        r.map_err(|_| PostError::Sink)
    }

    /// A whole line of literal words.
    fn line(&mut self, text: &str) -> Result<(), PostError> {
        self.words(text);
        self.end_line()
    }

    /// A comment line: `prefix` is trusted, `text` is sanitised and cut to fit the line
    /// (with its block number, where blocks are numbered).
    fn comment(&mut self, prefix: &str, text: &str) -> Result<(), PostError> {
        let caps = self.caps;
        let number = match (self.block, caps.line_numbers) {
            (Some(_), Some(rule)) => format!("N{} ", rule.max).len(),
            _ => 0,
        };
        let room = caps.max_line_chars.saturating_sub(
            number + prefix.chars().count() + caps.comment_open.len() + caps.comment_close.len(),
        );
        let body = caps.sanitise_comment(text, room);
        self.line.push_str(caps.comment_open);
        if caps.comment_upper {
            self.line.push_str(&prefix.to_ascii_uppercase());
        } else {
            self.line.push_str(prefix);
        }
        self.line.push_str(&body);
        self.line.push_str(caps.comment_close);
        self.end_line()
    }

    /// The motion word of `m`, written when the mode changes or the controller wants it on
    /// every motion line.
    fn motion_word(&mut self, m: Motion) {
        if self.mode != Some(m) || !self.caps.modal_motion {
            self.words(match m {
                Motion::Rapid => "G0",
                Motion::Linear => "G1",
                Motion::ArcCw => "G2",
                Motion::ArcCcw => "G3",
            });
            self.mode = Some(m);
        }
    }

    /// Moves to `target` (axes given as quanta; `None` = leave alone). Writes only the words
    /// that change the modal state; writes nothing and returns `false` if no axis changes.
    fn motion(
        &mut self,
        m: Motion,
        target: [Option<i64>; 3],
        feed: Option<i64>,
    ) -> Result<bool, PostError> {
        let moves = |i: usize| target[i].is_some() && target[i] != self.pos[i];
        if !(moves(0) || moves(1) || moves(2)) {
            return Ok(false);
        }
        self.motion_word(m);
        for (i, letter) in ['X', 'Y', 'Z'].into_iter().enumerate() {
            if let Some(q) = target[i] {
                if self.pos[i] != Some(q) {
                    self.word(letter, q, self.coord);
                    self.pos[i] = Some(q);
                    let v = self.coord.value(q);
                    self.stats.min[i] = self.stats.min[i].min(v);
                    self.stats.max[i] = self.stats.max[i].max(v);
                }
            }
        }
        if let Some(f) = feed {
            if self.feed != Some(f) {
                self.word('F', f, self.rate);
                self.feed = Some(f);
            }
        }
        match m {
            Motion::Rapid => self.stats.rapid_blocks += 1,
            Motion::Linear => self.stats.feed_blocks += 1,
            Motion::ArcCw | Motion::ArcCcw => self.stats.arc_blocks += 1,
        }
        self.end_line()?;
        Ok(true)
    }

    /// Forgets the modal position, so the next move states every axis.
    fn forget_position(&mut self) {
        self.pos = [None; 3];
        self.mode = None;
    }

    fn below_safe(&self) -> bool {
        self.pos[2].is_none_or(|z| z < self.safe)
    }

    /// One toolpath point; see the module doc of `post` for the safe-height rules.
    fn point(&mut self, kind: Move, q: [i64; 3], rates: (i64, i64)) -> Result<bool, PostError> {
        let [x, y, z] = q;
        let sideways = self.pos[0] != Some(x) || self.pos[1] != Some(y);
        match kind {
            Move::Rapid => {
                if !sideways {
                    return self.motion(Motion::Rapid, [None, None, Some(z)], None);
                }
                if self.below_safe() {
                    self.motion(Motion::Rapid, [None, None, Some(self.safe)], None)?;
                    self.stats.lifts_added += 1;
                }
                if z >= self.safe {
                    // Both ends at or above safe height: the straight line is too.
                    self.motion(Motion::Rapid, [Some(x), Some(y), Some(z)], None)
                } else {
                    self.motion(Motion::Rapid, [Some(x), Some(y), None], None)?;
                    self.motion(Motion::Rapid, [None, None, Some(z)], None)?;
                    Ok(true)
                }
            }
            Move::Plunge | Move::Feed | Move::ArcCw | Move::ArcCcw => {
                let f = if kind == Move::Plunge {
                    rates.1
                } else {
                    rates.0
                };
                let mut wrote = false;
                if self.pos[0].is_none() || self.pos[1].is_none() {
                    // Cutting from an unknown place: get above the point at safe height first.
                    if self.below_safe() {
                        self.motion(Motion::Rapid, [None, None, Some(self.safe)], None)?;
                        self.stats.lifts_added += 1;
                    }
                    wrote = self.motion(Motion::Rapid, [Some(x), Some(y), None], None)?;
                }
                Ok(self.motion(Motion::Linear, [Some(x), Some(y), Some(z)], Some(f))? || wrote)
            }
        }
    }
}

impl<W: fmt::Write + ?Sized> Emitter<'_, W> {
    /// An arc (or helix) move `step`, ending at `q` (quanta), at feed rate `f`.
    ///
    /// The centre is written as I/J from the *rounded* start, and nudged by up to one
    /// quantum on each axis so that the rounded start and end lie at the same distance from
    /// it: interpreters refuse an arc whose two radii differ (LinuxCNC by more than
    /// 0.00127 mm and 0.1 %, GRBL by more than 0.005 mm and 0.1 %). X and Y are written on
    /// every arc (GRBL refuses an arc that names neither, error 26) and so are I and J. An
    /// arc too flat to survive rounding, whose rounded ends coincide though it is not a full
    /// circle, or whose radii cannot be matched, is written as feed moves within one
    /// quantum of the curve instead.
    fn arc(&mut self, step: &Step, q: [i64; 3], f: i64) -> Result<bool, PostError> {
        let Some((centre, sweep)) = step.arc else {
            return self.point(Move::Feed, q, (f, f));
        };
        let (Some(sx), Some(sy)) = (self.pos[0], self.pos[1]) else {
            return self.point(Move::Feed, q, (f, f));
        };
        let quantum = self.coord.value(1);
        let r = (step.from[0] - centre[0]).dhypot(step.from[1] - centre[1]);
        let half = (sweep.abs().min(std::f64::consts::PI)) / 2.0;
        let sagitta = r * (1.0 - half.dcos());
        let full = sweep.abs() > std::f64::consts::TAU - 1e-9;
        let same_ends = q[0] == sx && q[1] == sy;
        let centre_q = (
            self.coord.quantize(centre[0]).ok(),
            self.coord.quantize(centre[1]).ok(),
        );
        let best = match centre_q {
            (Some(cx), Some(cy)) if sagitta >= quantum && same_ends == full => {
                let radius = |ax: i64, ay: i64, cx: i64, cy: i64| {
                    ((ax - cx) as f64).dhypot((ay - cy) as f64) * quantum
                };
                let diff = |x: i64, y: i64| (radius(sx, sy, x, y) - radius(q[0], q[1], x, y)).abs();
                // The rounded centre unless a neighbour matches the radii clearly better.
                let mut best = (diff(cx, cy), cx, cy);
                for dx in -1..=1 {
                    for dy in -1..=1 {
                        let (x, y) = (cx + dx, cy + dy);
                        let d = diff(x, y);
                        if d < best.0 - 0.01 * quantum {
                            best = (d, x, y);
                        }
                    }
                }
                let ok = best.0 <= 0.4 * quantum || best.0 <= 5e-4 * r;
                ok.then_some((best.1, best.2))
            }
            _ => None,
        };
        let Some((cx, cy)) = best else {
            self.stats.arcs_flattened += 1;
            return self.flatten_arc(step, q, f, quantum);
        };
        let m = if sweep > 0.0 {
            Motion::ArcCcw
        } else {
            Motion::ArcCw
        };
        self.motion_word(m);
        for (i, letter) in ['X', 'Y', 'Z'].into_iter().enumerate() {
            if i < 2 || self.pos[i] != Some(q[i]) {
                self.word(letter, q[i], self.coord);
                self.pos[i] = Some(q[i]);
                let v = self.coord.value(q[i]);
                self.stats.min[i] = self.stats.min[i].min(v);
                self.stats.max[i] = self.stats.max[i].max(v);
            }
        }
        self.word('I', cx - sx, self.coord);
        self.word('J', cy - sy, self.coord);
        if self.feed != Some(f) {
            self.word('F', f, self.rate);
            self.feed = Some(f);
        }
        self.stats.arc_blocks += 1;
        self.end_line()?;
        Ok(true)
    }

    /// An arc as feed moves no further than one quantum from it.
    fn flatten_arc(
        &mut self,
        step: &Step,
        q: [i64; 3],
        f: i64,
        quantum: f64,
    ) -> Result<bool, PostError> {
        let (centre, sweep) = step.arc.unwrap_or(([0.0; 2], 0.0));
        let r = (step.from[0] - centre[0]).dhypot(step.from[1] - centre[1]);
        let n = crate::toolpath::arc_pieces(r, sweep, quantum);
        let mut wrote = false;
        for k in 1..n {
            let p = step.at(k as f64 / n as f64);
            let mut t = [0i64; 3];
            for (a, v) in t.iter_mut().zip(p) {
                // The points lie between two that quantised: they quantise too.
                *a = self.coord.quantize(v).unwrap_or(0);
            }
            wrote |= self.motion(Motion::Linear, t.map(Some), Some(f))?;
        }
        Ok(self.motion(Motion::Linear, q.map(Some), Some(f))? || wrote)
    }
}

/// The program: header, tool and path mode, spindle, safe height, the toolpath, the end.
pub(crate) fn write_program<W: fmt::Write + ?Sized>(
    tp: &Toolpath,
    s: &PostSettings,
    out: &mut W,
) -> Result<ProgramStats, PostError> {
    let one = [Section {
        toolpath: tp,
        tool_number: s.tool_number,
        comment: String::new(),
        feed: None,
        plunge_feed: None,
        spindle_rpm: None,
    }];
    write_sections(&one, s, out)
}

/// A program of several operations, each with its own tool: between sections the tool
/// rises to safe height, the spindle stops, the tool is changed (`T<n> M6` and its length
/// offset where the controller has a changer; otherwise a pause with `M0` for a change by
/// hand), and the spindle restarts.
pub(crate) fn write_sections<W: fmt::Write + ?Sized>(
    sections: &[Section<'_>],
    s: &PostSettings,
    out: &mut W,
) -> Result<ProgramStats, PostError> {
    s.validate()?;
    let caps = s.dialect.capabilities();
    for (section, sec) in sections.iter().enumerate() {
        if sec.tool_number > caps.max_tool_number {
            return Err(PostError::ToolNumber {
                section,
                number: sec.tool_number,
                max: caps.max_tool_number,
                controller: caps.name,
            });
        }
    }
    let mut e = Emitter::new(out, s)?;

    if caps.percent_delimiters {
        e.words("%");
        e.send_line()?;
    }
    if !caps.program_number.is_empty() {
        e.words(caps.program_number);
        e.send_line()?;
    }
    if s.comment.trim().is_empty() {
        e.comment("Swarf", "")?;
    } else {
        e.comment("Swarf: ", &s.comment)?;
    }
    // validate() made sure the speed is a finite, non-negative whole number once rounded.
    let rpm = fmt_f(Fixed::new(0), s.spindle_rpm);
    let points: usize = sections.iter().map(|x| x.toolpath.len()).sum();
    let about = format!(
        "{} {}, {} points, safe Z {}, feed {}, plunge {}, S{}",
        caps.name,
        s.units.name(),
        points,
        fmt_q(e.coord, e.safe),
        fmt_f(e.rate, s.feed),
        fmt_f(e.rate, s.plunge_feed),
        rpm,
    );
    e.comment("", &about)?;
    e.line(match s.units {
        Units::Mm => "G21",
        Units::Inch => "G20",
    })?;
    for setup in caps.setup {
        e.line(setup)?;
    }

    let mut base = 0;
    for (n, sec) in sections.iter().enumerate() {
        // validate() checked the settings' rates, and the job checked every tool's own.
        let rates = (
            e.rate.quantize(sec.feed.unwrap_or(s.feed)).unwrap_or(1),
            e.rate
                .quantize(sec.plunge_feed.unwrap_or(s.plunge_feed))
                .unwrap_or(1),
        );
        let rpm = fmt_f(Fixed::new(0), sec.spindle_rpm.unwrap_or(s.spindle_rpm));
        if n > 0 {
            if e.below_safe() {
                e.motion(Motion::Rapid, [None, None, Some(e.safe)], None)?;
            }
            e.line("M5")?;
            if !caps.tool_change && sec.tool_number > 0 {
                e.comment(
                    &format!("Change to tool {}: ", sec.tool_number),
                    "then resume",
                )?;
                e.line("M0")?;
            }
        }
        if !sec.comment.trim().is_empty() {
            e.comment("Operation: ", &sec.comment)?;
        }
        e.tool_and_path_mode(sec.tool_number, s.blend)?;
        if n > 0 {
            // A tool change may move the machine: state nothing about where it is.
            e.forget_position();
        }
        e.line(&caps.spindle_on.replace("{rpm}", &rpm))?;
        // Where the tool starts is unknown: the first move only rises to safe height.
        e.motion(Motion::Rapid, [None, None, Some(e.safe)], None)?;

        let tp = sec.toolpath;
        let mut steps = tp.steps().peekable();
        for i in 0..tp.len() {
            let p = tp.point(i);
            let mut q = [0i64; 3];
            for (k, axis) in ['X', 'Y', 'Z'].into_iter().enumerate() {
                q[k] = e
                    .coord
                    .quantize(p[k] as f64)
                    .map_err(|problem| PostError::Point {
                        index: base + i,
                        axis,
                        value: p[k],
                        problem,
                    })?;
            }
            let step = if steps.peek().is_some_and(|s| s.index == i) {
                steps.next()
            } else {
                None
            };
            let wrote = match step {
                Some(st) if st.kind.is_arc() => e.arc(&st, q, rates.0)?,
                _ => e.point(tp.kind(i), q, rates)?,
            };
            if !wrote {
                e.stats.dropped_points += 1;
            }
        }
        base += tp.len();
    }

    if e.below_safe() {
        e.motion(Motion::Rapid, [None, None, Some(e.safe)], None)?;
    }
    e.line("M5")?;
    if !caps.program_end.is_empty() {
        e.line(caps.program_end)?;
    }
    if caps.percent_delimiters {
        e.words("%");
        e.send_line()?;
    }

    let mut st = e.stats;
    for k in 0..3 {
        if st.min[k] > st.max[k] {
            st.min[k] = 0.0;
            st.max[k] = 0.0;
        }
    }
    Ok(st)
}

impl<W: fmt::Write + ?Sized> Emitter<'_, W> {
    /// The start of an operation: its tool, then the path mode. A controller with a tool
    /// changer gets `T<n> M6`, and `G43 H<n>` where it applies the tool table's length
    /// offsets; one without is told in a comment to load the tool by hand. Tool 0 writes
    /// no change: the cutter already in the spindle stays (`T0` would empty the spindle on
    /// LinuxCNC). Blending words follow on every operation where the controller has them.
    fn tool_and_path_mode(&mut self, tool: u32, blend: Blend) -> Result<(), PostError> {
        let caps = self.caps;
        if tool > 0 {
            if caps.tool_change {
                self.words(&format!("T{tool}"));
                self.line("M6")?;
                if caps.tool_length_offset {
                    self.line(&format!("G43 H{tool}"))?;
                }
            } else {
                self.comment(
                    &format!("Tool {tool}: "),
                    &format!(
                        "load by hand before running, {} has no tool change",
                        caps.name
                    ),
                )?;
            }
        }
        if !caps.path_blending {
            return Ok(());
        }
        match blend {
            Blend::Tolerance(_) if !caps.blend_tolerance => self.line("G64"),
            Blend::Tolerance(t) => {
                // validate() made sure the tolerance is finite and positive at this precision.
                let q = self.coord.quantize(t).unwrap_or(1);
                self.words("G64");
                self.word('P', q, self.coord);
                self.end_line()
            }
            Blend::ExactStop => self.line("G61"),
        }
    }
}

fn fmt_q(x: Fixed, q: i64) -> String {
    let mut s = String::new();
    let _ = x.write(&mut s, q);
    s
}

fn fmt_f(x: Fixed, v: f64) -> String {
    x.format(v).unwrap_or_default()
}
