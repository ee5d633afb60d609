//! The ASCII STL grammar, fed token by token from arbitrary chunks.
//!
//! A hand-written tokenizer: whitespace-separated tokens are taken straight from the chunk,
//! keywords compared case-insensitively (exporters write `FACET NORMAL` as often as
//! `facet normal`), numbers parsed with `str::parse` on the token's bytes.

use super::sniff::{is_space, strip_bom};
use super::{push_triangle, reserve_triangles, StlError, StlInfo, StlOptions, ASCII_FIRST_RESERVE};
use crate::mesh::FLOATS_PER_TRIANGLE;

/// A token longer than this cannot be part of an ASCII STL; refusing it bounds the carry
/// buffer when a chunk boundary splits a token (a 500 MB file without whitespace must not be
/// buffered whole).
const MAX_TOKEN: usize = 256;
/// Bytes of the solid name kept for [`StlInfo`].
const MAX_NAME: usize = 256;

/// Where the ASCII grammar is. Each state names the token it expects next.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Expect {
    #[default]
    Solid,
    /// Skipping the rest of a `solid` line (`name`: the solid's name) or `endsolid` line.
    RestOfLine {
        name: bool,
    },
    FacetOrEndsolid,
    NormalOrOuter,
    NormalComponent(u8),
    Outer,
    Loop,
    Vertex(u8),
    Coordinate(u8),
    Endloop,
    Endfacet,
    /// After `endsolid`: another `solid` (some exporters concatenate parts) or the end.
    SolidOrEnd,
}

/// ASCII tokenizer and grammar. Whitespace-separated tokens are handed to [`Ascii::token`]
/// straight from the chunk; only a token split by a chunk boundary is copied into `carry`.
#[derive(Debug, Default)]
pub(super) struct Ascii {
    expect: Expect,
    carry: Vec<u8>,
    line: u64,
    coords: [f32; FLOATS_PER_TRIANGLE],
    /// Facets started so far (the number of the current one, counting from 1).
    facets: u64,
    name: Vec<u8>,
    name_done: bool,
    /// The name has been copied into [`StlInfo`].
    name_given: bool,
}

impl Ascii {
    pub(super) fn feed(
        &mut self,
        data: &[u8],
        start: u64,
        tris: &mut Vec<f32>,
        dropped: &mut usize,
        size_hint: Option<u64>,
        opts: &StlOptions,
    ) -> Result<(), StlError> {
        if self.line == 0 {
            self.line = 1;
        }
        let mut data = data;
        if start == 0 {
            data = strip_bom(data);
        }
        let mut out = Out {
            tris,
            dropped,
            size_hint,
            opts,
            pos: start,
        };
        let mut i = 0;
        while i < data.len() {
            if let Expect::RestOfLine { name } = self.expect {
                let end = data[i..].iter().position(|&b| b == b'\n');
                let stop = end.map_or(data.len(), |e| i + e);
                if name && !self.name_done {
                    let room = MAX_NAME.saturating_sub(self.name.len());
                    let piece = &data[i..stop];
                    self.name.extend_from_slice(&piece[..piece.len().min(room)]);
                }
                match end {
                    Some(_) => {
                        self.name_done |= name;
                        self.line += 1;
                        self.expect = if name {
                            Expect::FacetOrEndsolid
                        } else {
                            Expect::SolidOrEnd
                        };
                        i = stop + 1;
                    }
                    None => i = data.len(),
                }
                continue;
            }
            let b = data[i];
            if is_space(b) {
                if !self.carry.is_empty() {
                    out.pos = start + i as u64;
                    let tok = std::mem::take(&mut self.carry);
                    let r = self.token(&tok, &mut out);
                    self.carry = tok;
                    self.carry.clear();
                    r?;
                    // Re-examine this byte: the token may have started a rest-of-line skip.
                    continue;
                }
                if b == b'\n' {
                    self.line += 1;
                }
                i += 1;
                continue;
            }
            let s = i;
            while i < data.len() && !is_space(data[i]) {
                i += 1;
            }
            if i == data.len() || !self.carry.is_empty() {
                if self.carry.len() + (i - s) > MAX_TOKEN {
                    let mut t = std::mem::take(&mut self.carry);
                    t.extend_from_slice(&data[s..i]);
                    return Err(self.unexpected(&t));
                }
                self.carry.extend_from_slice(&data[s..i]);
                continue;
            }
            out.pos = start + i as u64;
            self.token(&data[s..i], &mut out)?;
        }
        Ok(())
    }

    /// End of input: a token cut by the end of the file still counts (a last `endsolid`
    /// without a newline), and the grammar must be at a point where a file may end.
    pub(super) fn finish(&mut self, out: &mut Out<'_>) -> Result<(), StlError> {
        if !self.carry.is_empty() {
            let tok = std::mem::take(&mut self.carry);
            self.token(&tok, out)?;
        }
        match self.expect {
            Expect::SolidOrEnd | Expect::RestOfLine { name: false } => Ok(()),
            e => Err(StlError::Syntax {
                line: self.line,
                expected: describe(match e {
                    Expect::RestOfLine { .. } => Expect::FacetOrEndsolid,
                    e => e,
                }),
                found: "end of file".into(),
            }),
        }
    }

    /// Copies the solid name into `info` once its line is complete (or at the end of the
    /// input with `force`), so [`super::StlReader::info`] shows it while parsing goes on.
    pub(super) fn give_name(&mut self, info: Option<&mut StlInfo>, force: bool) {
        if self.name_given || !(self.name_done || force) {
            return;
        }
        if let Some(info) = info {
            info.name = String::from_utf8_lossy(&self.name).trim().to_string();
            self.name_given = true;
        }
    }

    fn unexpected(&self, tok: &[u8]) -> StlError {
        StlError::Syntax {
            line: self.line,
            expected: describe(self.expect),
            found: quote_token(tok),
        }
    }

    fn token(&mut self, tok: &[u8], out: &mut Out<'_>) -> Result<(), StlError> {
        let kw = |k: &[u8]| tok.eq_ignore_ascii_case(k);
        self.expect = match self.expect {
            Expect::Solid if kw(b"solid") => Expect::RestOfLine { name: true },
            Expect::SolidOrEnd if kw(b"solid") => Expect::RestOfLine { name: true },
            Expect::FacetOrEndsolid if kw(b"facet") => {
                self.facets += 1;
                Expect::NormalOrOuter
            }
            Expect::FacetOrEndsolid if kw(b"endsolid") => Expect::RestOfLine { name: false },
            Expect::NormalOrOuter if kw(b"normal") => Expect::NormalComponent(0),
            // A facet without `normal` is tolerated: the normal is ignored anyway.
            Expect::NormalOrOuter if kw(b"outer") => Expect::Loop,
            Expect::NormalComponent(k) => {
                // Normals are never used, but they must still be numbers for the file to
                // be the STL it claims to be.
                parse_number(tok).ok_or_else(|| self.unexpected(tok))?;
                if k == 2 {
                    Expect::Outer
                } else {
                    Expect::NormalComponent(k + 1)
                }
            }
            Expect::Outer if kw(b"outer") => Expect::Loop,
            Expect::Loop if kw(b"loop") => Expect::Vertex(0),
            Expect::Vertex(v) if kw(b"vertex") => Expect::Coordinate(3 * v),
            Expect::Coordinate(c) => {
                self.coords[c as usize] = parse_number(tok).ok_or_else(|| self.unexpected(tok))?;
                match c {
                    8 => Expect::Endloop,
                    2 | 5 => Expect::Vertex(c / 3 + 1),
                    _ => Expect::Coordinate(c + 1),
                }
            }
            Expect::Endloop if kw(b"endloop") => Expect::Endfacet,
            Expect::Endfacet if kw(b"endfacet") => {
                out.triangle(&self.coords, self.facets, self.line)?;
                Expect::FacetOrEndsolid
            }
            _ => return Err(self.unexpected(tok)),
        };
        Ok(())
    }
}

/// Where accepted ASCII triangles go, with what is needed to size the buffer.
pub(super) struct Out<'a> {
    pub(super) tris: &'a mut Vec<f32>,
    pub(super) dropped: &'a mut usize,
    pub(super) size_hint: Option<u64>,
    pub(super) opts: &'a StlOptions,
    /// Byte offset in the file of the current token.
    pub(super) pos: u64,
}

impl Out<'_> {
    fn triangle(
        &mut self,
        t: &[f32; FLOATS_PER_TRIANGLE],
        number: u64,
        line: u64,
    ) -> Result<(), StlError> {
        let count = self.tris.len() / FLOATS_PER_TRIANGLE;
        if count >= self.opts.max_triangles {
            return Err(StlError::TooManyTriangles {
                count: count as u64 + 1,
                limit: self.opts.max_triangles as u64,
                exact: false,
            });
        }
        if self.tris.len() == self.tris.capacity() {
            self.grow(count)?;
        }
        push_triangle(t, number, Some(line), self.tris, self.dropped)
    }

    /// ASCII facets vary from ~80 to ~300 bytes, so the count is unknown up front. Once the
    /// first reservation is full, the bytes per triangle seen so far and the bytes left give
    /// the rest, plus 10%: one exact reservation instead of a chain of doublings whose last
    /// step can briefly hold 1.5x the final buffer twice over. Without a size hint `Vec`'s
    /// own doubling is the fallback.
    fn grow(&mut self, count: usize) -> Result<(), StlError> {
        let room = self.opts.max_triangles - count;
        let extra = match self.size_hint {
            Some(size) if count > 0 && size > self.pos => {
                let per = self.pos as f64 / (count + *self.dropped) as f64;
                ((size - self.pos) as f64 / per * 1.1) as usize + 64
            }
            _ => count.max(ASCII_FIRST_RESERVE),
        };
        reserve_triangles(self.tris, extra.min(room).max(1))
    }
}

fn describe(e: Expect) -> &'static str {
    match e {
        Expect::Solid => "`solid`",
        Expect::RestOfLine { .. } => "the end of the line",
        Expect::FacetOrEndsolid => "`facet` or `endsolid`",
        Expect::NormalOrOuter => "`normal` or `outer loop`",
        Expect::NormalComponent(_) => "a number (facet normal)",
        Expect::Outer => "`outer loop`",
        Expect::Loop => "`loop` (after `outer`)",
        Expect::Vertex(_) => "`vertex`",
        Expect::Coordinate(_) => "a number (vertex coordinate)",
        Expect::Endloop => "`endloop`",
        Expect::Endfacet => "`endfacet`",
        Expect::SolidOrEnd => "`solid` or the end of the file",
    }
}

/// Parses an ASCII coordinate. `str::parse` is exact (correctly rounded) and accepts the
/// scientific notation exporters write; "nan"/"inf" parse too and are then refused as
/// non-finite coordinates with their triangle number.
fn parse_number(tok: &[u8]) -> Option<f32> {
    std::str::from_utf8(tok).ok()?.parse().ok()
}

/// A token as it appears in an error message: quoted, printable, and short.
fn quote_token(tok: &[u8]) -> String {
    let mut s = String::from("`");
    for &b in tok.iter().take(24) {
        if (0x20..0x7f).contains(&b) {
            s.push(b as char);
        } else {
            s.push_str(&format!("\\x{b:02x}"));
        }
    }
    if tok.len() > 24 {
        s.push_str("...");
    }
    s.push('`');
    s
}
