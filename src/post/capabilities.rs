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
    /// `G64 P<tol>` (blend within a tolerance) and `G61` (exact stop) exist. Without them
    /// the blend setting is ignored (GRBL always blends by its junction-deviation setting).
    pub path_blending: bool,
    /// Opening comment delimiter.
    pub comment_open: char,
    /// Closing comment delimiter.
    pub comment_close: char,
    /// Characters that may not appear inside a comment: they would close it early or nest
    /// (LinuxCNC reports nested comments as an error).
    pub comment_forbidden: &'static [char],
    /// The program end word: `M2` or `M30`.
    pub program_end: &'static str,
    /// Longest line in characters, not counting the newline.
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
/// Y, I and J on every arc line for all of them (LinuxCNC accepts that too).
pub static CONTROLLERS: [Capabilities; 2] = [
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
        comment_open: '(',
        comment_close: ')',
        comment_forbidden: &['(', ')'],
        program_end: "M2",
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
        comment_open: '(',
        comment_close: ')',
        // GRBL ends a parenthesised comment at the first ')' and does not nest.
        comment_forbidden: &['(', ')'],
        program_end: "M30",
        // GRBL 1.1 keeps an 80-byte line buffer (LINE_BUFFER_SIZE), i.e. 79 characters after
        // it strips spaces and comments; senders using character counting also need lines
        // under its 128-byte serial buffer. Every raw line, comments and spaces included,
        // is held to 79.
        max_line_chars: 79,
        g_codes: &["G0", "G1", "G2", "G3", "G17", "G20", "G21", "G90", "G94"],
        m_codes: &["M0", "M3", "M5", "M30"],
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
    }

    #[test]
    fn every_dialect_has_its_row() {
        for d in [Dialect::Linuxcnc, Dialect::Grbl] {
            assert_eq!(d.capabilities().dialect, d);
        }
        assert!(Dialect::all().eq([Dialect::Linuxcnc, Dialect::Grbl]));
    }
}
