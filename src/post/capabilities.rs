//! The controllers, as plain data: one [`Capabilities`] row per [`Dialect`].
//!
//! The writer (`writer.rs`) produces every program and reads nothing but this table to
//! decide what a controller gets: a tool change or a comment and a pause, a length offset,
//! blending words, the program end, the line length. Adding a controller is adding a
//! [`Dialect`] variant and its row in [`CONTROLLERS`].

/// The controller a program is written for.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// LinuxCNC's rs274ngc interpreter (also the reference the tests run programs through).
    #[default]
    Linuxcnc,
    /// GRBL 1.1, the firmware of most hobby machines.
    Grbl,
    /// Mach3 and Mach4 (ArtSoft / Newfangled Solutions).
    Mach3,
    /// Marlin 2.x built for a spindle or router (`SPINDLE_FEATURE`, `ARC_SUPPORT`).
    Marlin,
    /// Fanuc-style controls: `%` tape delimiters, an `O` program number, `N` block numbers.
    Fanuc,
    /// The plainest common subset of RS-274 for a controller not listed.
    Generic,
}

impl Dialect {
    /// Every dialect, in the order of [`CONTROLLERS`].
    pub fn all() -> impl Iterator<Item = Dialect> {
        CONTROLLERS.iter().map(|c| c.dialect)
    }

    /// What this dialect supports: its row of [`CONTROLLERS`].
    pub fn capabilities(self) -> &'static Capabilities {
        &CONTROLLERS[self as usize]
    }
}

/// How blocks are numbered (`N10`, `N20`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct LineNumbers {
    /// The first block's number.
    pub start: u32,
    /// The step between blocks.
    pub step: u32,
    /// The largest number the controller reads; past it numbering starts again at `start`
    /// (block numbers are labels for searching, not addresses, so repeats are legal).
    pub max: u32,
}

/// The features and limits of one controller's G-code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Capabilities {
    /// The dialect this row describes (its index in [`CONTROLLERS`]).
    pub dialect: Dialect,
    /// Human name, used in the header comment and in messages.
    pub name: &'static str,
    /// File extension of a program for this controller, without the dot.
    pub file_extension: &'static str,
    /// `T<n> M6` performs a tool change. Without it the program names the tool in a comment
    /// and, between operations, pauses with `M0` for a change by hand (GRBL 1.1 rejects M6
    /// with error 20).
    pub tool_change: bool,
    /// `G43 H<n>` applies the tool table's length offset after each tool change.
    pub tool_length_offset: bool,
    /// The largest tool number the controller accepts. Tool number 0 is never written: it
    /// means "no tool change, the cutter is already in the spindle" (to LinuxCNC `T0` would
    /// mean an empty spindle).
    pub max_tool_number: u32,
    /// `G64` (blend) and `G61` (exact stop) exist. Without them the blend setting is
    /// ignored (GRBL always blends by its junction-deviation setting).
    pub path_blending: bool,
    /// `G64` takes a tolerance, `G64 P<tol>`. Without it a blending controller gets a plain
    /// `G64` and the tolerance setting is not its concern.
    pub blend_tolerance: bool,
    /// Opening comment delimiter.
    pub comment_open: &'static str,
    /// Closing comment delimiter (empty for a comment that runs to the end of the line).
    pub comment_close: &'static str,
    /// Characters that may not appear inside a comment: they would close it early or nest
    /// (LinuxCNC reports nested comments as an error), or end the program (`%`).
    pub comment_forbidden: &'static [char],
    /// Comments are written in upper case (tape-era controls read no lower case).
    pub comment_upper: bool,
    /// `G20` (inch) exists. Without it inch programs are refused: the controller would run
    /// inch figures as millimetres.
    pub inch: bool,
    /// The most decimals the controller reads, in millimetres and in inches. A program set
    /// to write more is refused (naming `decimals`).
    pub max_decimals: [usize; 2],
    /// Every real number carries a decimal point (`X10.`): on Fanuc-style controls `X10`
    /// means ten increments of the least input unit (0.01 mm), not 10 mm.
    pub decimal_point: bool,
    /// The motion word (`G0`, `G1`, `G2`, `G3`) is modal. Without it every motion line
    /// repeats its word (Marlin reads a line without a G word as an unknown command unless
    /// built with `GCODE_MOTION_MODES`).
    pub modal_motion: bool,
    /// The lines after the units line that set the modes (one command per line where the
    /// controller reads only one).
    pub setup: &'static [&'static str],
    /// Spindle start, `{rpm}` standing for the speed.
    pub spindle_on: &'static str,
    /// The program end word (`M2`, `M30`), or empty where the controller has none and the
    /// program simply stops.
    pub program_end: &'static str,
    /// A `%` line opens and closes the program (the tape's start and end of record).
    pub percent_delimiters: bool,
    /// A program number line after the opening `%` (`O0001`), or empty for none.
    pub program_number: &'static str,
    /// Block numbers on every line but the `%` and program number lines, or `None`.
    pub line_numbers: Option<LineNumbers>,
    /// Longest line in characters, not counting the newline (block numbers included).
    pub max_line_chars: usize,
    /// G codes this post may write for the dialect (documentation and self-checks).
    pub g_codes: &'static [&'static str],
    /// M codes this post may write for the dialect.
    pub m_codes: &'static [&'static str],
}

/// One row per controller, in [`Dialect`] order.
///
/// Not in the table because every controller gets the same: GRBL refuses an arc (G2/G3)
/// that names neither X nor Y (error 26, Kiri:Moto grid-apps#411), so the writer states X,
/// Y, I and J on every arc line for all of them (LinuxCNC accepts that too). Feeds are in
/// units per minute everywhere (`G94` where the controller has the word, its only mode
/// where it has not).
pub static CONTROLLERS: [Capabilities; 6] = [
    Capabilities {
        dialect: Dialect::Linuxcnc,
        name: "LinuxCNC",
        file_extension: "ngc",
        tool_change: true,
        tool_length_offset: true,
        // rs274 reads T and H as a C int: T2147483648 is refused as a "negative tool id"
        // (measured with rs274 and a tool table holding that number).
        max_tool_number: i32::MAX as u32,
        path_blending: true,
        blend_tolerance: true,
        comment_open: "(",
        comment_close: ")",
        comment_forbidden: &['(', ')'],
        comment_upper: false,
        inch: true,
        max_decimals: [super::number::MAX_DECIMALS; 2],
        decimal_point: false,
        modal_motion: true,
        setup: &["G90 G94 G17"],
        spindle_on: "S{rpm} M3",
        program_end: "M2",
        percent_delimiters: false,
        program_number: "",
        line_numbers: None,
        // rs274 refuses lines of 253 characters and more ("Command too long", measured);
        // keep a little margin.
        max_line_chars: 250,
        g_codes: &[
            "G0", "G1", "G2", "G3", "G17", "G20", "G21", "G43", "G61", "G64", "G90", "G94",
        ],
        m_codes: &["M0", "M2", "M3", "M5", "M6"],
    },
    Capabilities {
        dialect: Dialect::Grbl,
        name: "GRBL",
        file_extension: "gcode",
        // M6 is "unsupported command" (error 20); a T word alone is accepted and ignored.
        tool_change: false,
        tool_length_offset: false,
        // GRBL 1.1's parser: MAX_TOOL_NUMBER 255 (an 8-bit value). No T word is written,
        // but a sender or a later post that passes the number on must not exceed it.
        max_tool_number: 255,
        // No G64; G61 is GRBL's only (implicit) path mode, so writing it says nothing.
        path_blending: false,
        blend_tolerance: false,
        comment_open: "(",
        comment_close: ")",
        // GRBL ends a parenthesised comment at the first ')' and does not nest.
        comment_forbidden: &['(', ')'],
        comment_upper: false,
        inch: true,
        max_decimals: [super::number::MAX_DECIMALS; 2],
        decimal_point: false,
        modal_motion: true,
        setup: &["G90 G94 G17"],
        spindle_on: "S{rpm} M3",
        program_end: "M30",
        percent_delimiters: false,
        program_number: "",
        line_numbers: None,
        // GRBL 1.1 keeps an 80-byte line buffer (LINE_BUFFER_SIZE), i.e. 79 characters after
        // it strips spaces and comments; senders using character counting also need lines
        // under its 128-byte serial buffer. Every raw line, comments and spaces included,
        // is held to 79.
        max_line_chars: 79,
        g_codes: &["G0", "G1", "G2", "G3", "G17", "G20", "G21", "G90", "G94"],
        m_codes: &["M0", "M3", "M5", "M30"],
    },
    Capabilities {
        dialect: Dialect::Mach3,
        name: "Mach3/Mach4",
        file_extension: "tap",
        tool_change: true,
        tool_length_offset: true,
        // Mach3's tool table holds tools 1 to 254 (Mach4's more): the smaller is kept.
        max_tool_number: 254,
        // Mach3's G64 is "constant velocity mode" and takes no tolerance (its corner
        // rounding is a setting of the machine, not of the program); G61 is exact stop.
        path_blending: true,
        blend_tolerance: false,
        comment_open: "(",
        comment_close: ")",
        comment_forbidden: &['(', ')'],
        comment_upper: false,
        inch: true,
        max_decimals: [super::number::MAX_DECIMALS; 2],
        decimal_point: false,
        modal_motion: true,
        setup: &["G90 G94 G17"],
        spindle_on: "S{rpm} M3",
        // M30 ends and rewinds, which is what Mach3's own posts write.
        program_end: "M30",
        percent_delimiters: false,
        program_number: "",
        line_numbers: None,
        // No limit is documented; LinuxCNC's is kept (Mach3 reads the same RS-274/NGC).
        max_line_chars: 250,
        g_codes: &[
            "G0", "G1", "G2", "G3", "G17", "G20", "G21", "G43", "G61", "G64", "G90", "G94",
        ],
        m_codes: &["M0", "M3", "M5", "M6", "M30"],
    },
    Capabilities {
        dialect: Dialect::Marlin,
        name: "Marlin",
        file_extension: "gcode",
        // Marlin's T selects an extruder; there is no M6. A change is a pause by hand (M0,
        // which needs a display or host prompts: HAS_RESUME_CONTINUE).
        tool_change: false,
        tool_length_offset: false,
        // No T word is written; the number only appears in the change comment.
        max_tool_number: i32::MAX as u32,
        // No G64; Marlin's G61 restores a saved position (G60), it is not exact stop.
        path_blending: false,
        blend_tolerance: false,
        // Parenthesised comments need PAREN_COMMENTS, off by default; ';' always works.
        comment_open: "; ",
        comment_close: "",
        comment_forbidden: &[],
        comment_upper: false,
        // G20 needs INCH_MODE_SUPPORT, off by default: without it G20 is an unknown
        // command and the inch figures would run as millimetres.
        inch: false,
        max_decimals: [super::number::MAX_DECIMALS; 2],
        decimal_point: false,
        // Axis-only lines need GCODE_MOTION_MODES, off by default.
        modal_motion: false,
        // One command per line (the first word is the command, the rest its parameters);
        // G17 needs CNC_WORKSPACE_PLANES and XY is the arc plane anyway; there is no G94
        // (feeds are always mm per minute).
        setup: &["G90"],
        // The command first: "S12000 M3" would be read as an unknown command S.
        spindle_on: "M3 S{rpm}",
        // Marlin has no M2, and its M30 deletes a file from the SD card: the program just
        // stops after M5.
        program_end: "",
        percent_delimiters: false,
        program_number: "",
        line_numbers: None,
        // MAX_CMD_SIZE 96 (Configuration_adv.h): 95 characters and the terminating NUL.
        max_line_chars: 95,
        g_codes: &["G0", "G1", "G2", "G3", "G21", "G90"],
        m_codes: &["M0", "M3", "M5"],
    },
    Capabilities {
        dialect: Dialect::Fanuc,
        name: "Fanuc",
        file_extension: "nc",
        tool_change: true,
        tool_length_offset: true,
        // Two-digit T codes are the common setting of a Fanuc mill.
        max_tool_number: 99,
        // G64 is cutting mode (the default) and G61 exact stop mode; neither takes a
        // tolerance.
        path_blending: true,
        blend_tolerance: false,
        comment_open: "(",
        comment_close: ")",
        // '%' inside a comment would read as the end of the program.
        comment_forbidden: &['(', ')', '%'],
        comment_upper: true,
        inch: true,
        // Increment system IS-B, the usual one: least input 0.001 mm and 0.0001 in. More
        // digits are refused by the control rather than rounded.
        max_decimals: [3, 4],
        decimal_point: true,
        modal_motion: true,
        setup: &["G90 G94 G17"],
        spindle_on: "S{rpm} M3",
        program_end: "M30",
        percent_delimiters: true,
        program_number: "O0001",
        line_numbers: Some(LineNumbers {
            start: 10,
            step: 10,
            max: 99999,
        }),
        // No limit is documented for a block; 128 keeps every line short of the usual
        // serial and DNC buffers (the longest motion line written is under 80).
        max_line_chars: 128,
        g_codes: &[
            "G0", "G1", "G2", "G3", "G17", "G20", "G21", "G43", "G61", "G64", "G90", "G94",
        ],
        m_codes: &["M3", "M5", "M6", "M30"],
    },
    Capabilities {
        dialect: Dialect::Generic,
        name: "Generic RS-274",
        file_extension: "nc",
        // The subset every controller shares has no tool changer: a comment and M0.
        tool_change: false,
        tool_length_offset: false,
        // No T word is written; the number only appears in the change comment.
        max_tool_number: i32::MAX as u32,
        path_blending: false,
        blend_tolerance: false,
        comment_open: "(",
        comment_close: ")",
        comment_forbidden: &['(', ')'],
        comment_upper: false,
        inch: true,
        max_decimals: [super::number::MAX_DECIMALS; 2],
        decimal_point: false,
        modal_motion: true,
        setup: &["G90 G94 G17"],
        spindle_on: "S{rpm} M3",
        program_end: "M2",
        percent_delimiters: false,
        program_number: "",
        line_numbers: None,
        // Short enough for a 128-byte serial buffer with its line ending.
        max_line_chars: 120,
        g_codes: &["G0", "G1", "G2", "G3", "G17", "G20", "G21", "G90", "G94"],
        m_codes: &["M0", "M2", "M3", "M5"],
    },
];

// Each row sits at its dialect's index, so `Dialect::capabilities` is a plain lookup.
const _: () = {
    let mut i = 0;
    while i < CONTROLLERS.len() {
        assert!(CONTROLLERS[i].dialect as usize == i);
        i += 1;
    }
};

impl Capabilities {
    /// `text` made safe to sit between the comment delimiters: forbidden characters become
    /// brackets, control characters (newlines too) become spaces, non-ASCII becomes `?`, runs
    /// of spaces collapse, and the result is cut to at most `max_chars` characters.
    pub fn sanitise_comment(&self, text: &str, max_chars: usize) -> String {
        let mut out = String::with_capacity(text.len().min(max_chars));
        let mut count = 0;
        let mut pending_space = false;
        for c in text.chars() {
            let c = if self.comment_forbidden.contains(&c) {
                match c {
                    '(' | '{' | '<' => '[',
                    ')' | '}' | '>' => ']',
                    _ => '_',
                }
            } else if c.is_whitespace() || c.is_control() {
                ' '
            } else if !c.is_ascii() {
                '?'
            } else if self.comment_upper {
                c.to_ascii_uppercase()
            } else {
                c
            };
            if c == ' ' {
                pending_space = count > 0;
                continue;
            }
            let need = if pending_space { 2 } else { 1 };
            if count + need > max_chars {
                break;
            }
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
            count += need;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitise() {
        let c = Dialect::Linuxcnc.capabilities();
        assert_eq!(
            c.sanitise_comment("  part (v2)\nline\ttwo  ", 100),
            "part [v2] line two"
        );
        assert_eq!(c.sanitise_comment("Ünïcode ok", 100), "?n?code ok");
        assert_eq!(c.sanitise_comment("abc def", 5), "abc d");
        assert_eq!(c.sanitise_comment("abcdef", 3), "abc");
        assert_eq!(c.sanitise_comment("\r\n", 10), "");
        let f = Dialect::Fanuc.capabilities();
        assert_eq!(f.sanitise_comment("Part 50% (v2)", 100), "PART 50_ [V2]");
    }

    #[test]
    fn every_dialect_has_its_row() {
        let all = [
            Dialect::Linuxcnc,
            Dialect::Grbl,
            Dialect::Mach3,
            Dialect::Marlin,
            Dialect::Fanuc,
            Dialect::Generic,
        ];
        for d in all {
            assert_eq!(d.capabilities().dialect, d);
        }
        assert!(Dialect::all().eq(all));
    }
}
