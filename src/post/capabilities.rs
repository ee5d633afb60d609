//! What a controller dialect supports, as plain data.
//!
//! Posts are data-like: the shared writer (`writer.rs`) produces every program, and a
//! dialect is a [`Capabilities`] value plus the few header and footer lines only it writes
//! (`linuxcnc.rs`, `grbl.rs`). Adding a controller is mostly filling in this table.

/// The features and limits of one controller's G-code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// Human name, used in the header comment.
    pub name: &'static str,
    /// `T<n> M6` performs a tool change. GRBL 1.1 rejects M6 (error 20).
    pub tool_change: bool,
    /// `G43 H<n>` applies the tool table's length offset after the change.
    pub tool_length_offset: bool,
    /// `G64 P<tol>` (blend within a tolerance) and `G61` (exact stop) exist. GRBL has
    /// neither G64 nor a tolerance: it always blends by its junction-deviation setting.
    pub path_blending: bool,
    /// Comment delimiters. Both dialects use parentheses; GRBL also accepts `;` but
    /// parentheses are understood everywhere.
    pub comment_open: char,
    pub comment_close: char,
    /// Characters that may not appear inside a comment: they would close it early or nest
    /// (LinuxCNC reports nested comments as an error).
    pub comment_forbidden: &'static [char],
    /// The program end word: `M2` or `M30`.
    pub program_end: &'static str,
    /// Longest line in characters, not counting the newline. LinuxCNC refuses lines of 253
    /// characters and more ("Command too long", measured with `rs274`). GRBL 1.1 keeps an
    /// 80-byte line buffer (`LINE_BUFFER_SIZE`), i.e. 79 characters after it strips spaces
    /// and comments; senders using character counting also need lines under its 128-byte
    /// serial buffer. We hold every raw GRBL line, comments and spaces included, to 79.
    pub max_line_chars: usize,
    /// An arc (G2/G3) must name at least one of X and Y. GRBL fails with error 26 otherwise
    /// (Kiri:Moto grid-apps#411). No arcs are written yet; the arc writer must honour this.
    pub arcs_need_xy: bool,
    /// G codes this post may write for the dialect (documentation and self-checks).
    pub g_codes: &'static [&'static str],
    /// M codes this post may write for the dialect.
    pub m_codes: &'static [&'static str],
}

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
    #[test]
    fn sanitise() {
        let c = super::super::linuxcnc::CAPABILITIES;
        assert_eq!(
            c.sanitise_comment("  part (v2)\nline\ttwo  ", 100),
            "part [v2] line two"
        );
        assert_eq!(c.sanitise_comment("Ünïcode ok", 100), "?n?code ok");
        assert_eq!(c.sanitise_comment("abc def", 5), "abc d");
        assert_eq!(c.sanitise_comment("abcdef", 3), "abc");
        assert_eq!(c.sanitise_comment("\r\n", 10), "");
    }
}
