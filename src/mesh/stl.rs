//! STL import and export, binary and ASCII, detected from content and streamed.
//!
//! The page reads a dropped file through `File.stream()`, so the reader is push-style:
//! [`StlReader::push`] takes chunks of any size, split anywhere (inside a record, a token or a
//! line), and [`StlReader::finish`] returns the [`Mesh`]. Only the output buffer grows with the
//! file: a 500 MB binary STL becomes a 360 MB `Vec<f32>` reserved once from the declared count,
//! never a byte copy of the file plus the buffer. [`read_stl`] and [`parse_stl`] are thin
//! wrappers for native callers and tests.
//!
//! Stored normals are ignored entirely: many exporters write them zero or wrong, and every
//! consumer derives normals from the vertex order anyway.
//!
//! # Telling binary from ASCII
//! The 80-byte binary header is free text, and real exporters write `solid ...` into it, so the
//! first word cannot decide. In order:
//! 1. When the total size is known and equals `84 + 50 * count` (the count at byte 80), the
//!    file is binary whatever its header says. This is the common, exact case.
//! 2. Otherwise the first [`SNIFF_BYTES`] are inspected: ASCII STL starts with `solid` and is
//!    text throughout. A binary file is followed by its count and float records, which contain
//!    control bytes (`00` in nearly every float) long before 1 KiB, so "text" is decisive. The
//!    parser then insists on `facet`/`endsolid`, with a line number if they are missing.
//! 3. Files that are clearly something else (PNG, ZIP/3MF, OBJ, ...) are named by their magic
//!    bytes or first line, so the user learns what they dropped.
//! 4. Anything else is read as binary, and the size checks report what is wrong with it.

mod ascii;
mod binary;
mod sniff;
mod write;

use super::{is_degenerate, Mesh, FLOATS_PER_TRIANGLE};
use ascii::{Ascii, Out};
use binary::{binary_size, Binary, BINARY_HEADER, BINARY_RECORD};
use sniff::{header_text, impostor, is_text, starts_with_keyword, strip_bom, trim_start};
use std::fmt;
use std::io::Read;
pub use write::{write_ascii_stl, write_binary_stl};

/// Bytes inspected before deciding binary or ASCII (or neither).
pub const SNIFF_BYTES: usize = 1024;

/// Buffer size used by [`read_stl`].
const READ_CHUNK: usize = 64 * 1024;
/// Triangles reserved before the real size of an ASCII file can be estimated.
const ASCII_FIRST_RESERVE: usize = 1024;
/// Without a size hint, a binary file's declared count is not trusted for more than this many
/// triangles up front: a corrupt count must not allocate gigabytes before a byte confirms it.
const UNVERIFIED_RESERVE: usize = 1 << 20;

/// Limits for the reader.
#[derive(Clone, Copy, Debug)]
pub struct StlOptions {
    /// Refuse files that declare or contain more triangles than this.
    pub max_triangles: usize,
}

impl Default for StlOptions {
    fn default() -> Self {
        StlOptions {
            max_triangles: 50_000_000,
        }
    }
}

/// The two STL encodings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StlFormat {
    /// The 84-byte header and 50-byte records.
    Binary,
    /// `solid` ... `endsolid` text.
    Ascii,
}

/// What the reader found out about the file besides its triangles.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StlInfo {
    /// Binary or ASCII.
    pub format: StlFormat,
    /// Binary: the 80-byte header as text (printable ASCII kept, trailing padding trimmed).
    /// ASCII: the name after the first `solid` keyword.
    pub name: String,
    /// Binary: the triangle count stored at byte 80. ASCII: `None`.
    pub declared_triangles: Option<u32>,
}

/// Why an STL file was refused. Every variant prints as one self-contained line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StlError {
    /// Zero bytes.
    Empty,
    /// The content is recognisably another kind of file; `what` reads like "a PNG image".
    NotStl {
        /// What it is instead.
        what: &'static str,
    },
    /// Shorter than a binary header and not ASCII STL text.
    TooShort {
        /// The file's length.
        bytes: u64,
    },
    /// A binary file that ends before its declared triangles do.
    Truncated {
        /// Triangles the header declares.
        declared: u64,
        /// The file's length.
        bytes: u64,
    },
    /// A binary file longer than its declared triangles need.
    CountMismatch {
        /// Triangles the header declares.
        declared: u64,
        /// The file's length.
        bytes: u64,
    },
    /// More triangles than [`StlOptions::max_triangles`]. `exact` is false when reading
    /// stopped at the limit (ASCII), so `count` is a lower bound.
    TooManyTriangles {
        /// Triangles in the file (a lower bound unless `exact`).
        count: u64,
        /// The limit.
        limit: u64,
        /// Whether `count` is the file's real count.
        exact: bool,
    },
    /// A file with no triangles at all, or only zero-area ones.
    NoTriangles {
        /// Zero-area triangles dropped.
        dropped_degenerate: usize,
    },
    /// A NaN or infinite coordinate; `triangle` counts from 1, `line` is set for ASCII.
    NonFinite {
        /// The triangle, counting from 1.
        triangle: u64,
        /// Its line (ASCII only).
        line: Option<u64>,
    },
    /// ASCII that does not follow the grammar.
    Syntax {
        /// Line number, counting from 1.
        line: u64,
        /// What the grammar allows there.
        expected: &'static str,
        /// What the line has instead (shortened).
        found: String,
    },
    /// The output buffer could not be allocated.
    OutOfMemory {
        /// Triangles the buffer was to hold.
        triangles: u64,
    },
    /// The underlying reader failed.
    Io(String),
}

impl fmt::Display for StlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StlError::Empty => f.write_str("the file is empty"),
            StlError::NotStl { what } => write!(f, "this is {what}, not an STL file"),
            StlError::TooShort { bytes } => write!(
                f,
                "the file is only {bytes} bytes: too short for a binary STL (84-byte header) and not ASCII STL text"
            ),
            StlError::Truncated { declared, bytes } => write!(
                f,
                "binary STL is truncated: the header declares {declared} triangles ({} bytes) but the file has only {bytes} bytes",
                binary_size(*declared)
            ),
            StlError::CountMismatch { declared, bytes } => write!(
                f,
                "binary STL face count disagrees with the file size: the header declares {declared} triangles ({} bytes) but the file has {bytes} bytes",
                binary_size(*declared)
            ),
            StlError::TooManyTriangles {
                count,
                limit,
                exact: true,
            } => write!(
                f,
                "the file declares {count} triangles, more than the limit of {limit} \
                 ({} in the engine at {ENGINE_BYTES_PER_TRIANGLE} bytes a triangle; \
                 the page's engine, WebAssembly, stops at 4 GB)",
                gigabytes(*count)
            ),
            StlError::TooManyTriangles { count, limit, .. } => write!(
                f,
                "the file has at least {count} triangles, more than the limit of {limit}"
            ),
            StlError::NoTriangles {
                dropped_degenerate: 0,
            } => f.write_str("the file contains zero triangles"),
            StlError::NoTriangles { dropped_degenerate } => write!(
                f,
                "the file contains zero usable triangles: all {dropped_degenerate} have zero area"
            ),
            StlError::NonFinite {
                triangle,
                line: None,
            } => write!(f, "triangle {triangle} has a NaN or infinite coordinate"),
            StlError::NonFinite {
                triangle,
                line: Some(line),
            } => write!(
                f,
                "triangle {triangle} (line {line}) has a NaN or infinite coordinate"
            ),
            StlError::Syntax {
                line,
                expected,
                found,
            } => write!(
                f,
                "malformed ASCII STL at line {line}: expected {expected}, found {found}"
            ),
            StlError::OutOfMemory { triangles } => write!(
                f,
                "not enough memory for {triangles} triangles ({} MB)",
                triangles * 36 / 1_000_000
            ),
            StlError::Io(e) => write!(f, "read error: {e}"),
        }
    }
}

impl std::error::Error for StlError {}

/// Push-style STL parser: feed chunks with [`push`](Self::push), then call
/// [`finish`](Self::finish). After an error every later call returns the same error.
#[derive(Debug)]
pub struct StlReader {
    opts: StlOptions,
    size_hint: Option<u64>,
    /// The first bytes, kept only until the format is decided (at most [`SNIFF_BYTES`]).
    head: Vec<u8>,
    info: Option<StlInfo>,
    tris: Vec<f32>,
    dropped: usize,
    /// Total bytes pushed so far.
    fed: u64,
    state: State,
}

#[derive(Debug)]
enum State {
    Sniffing,
    Binary(Binary),
    Ascii(Box<Ascii>),
    Failed(StlError),
}

impl StlReader {
    /// `size_hint` is the total byte length when known (file metadata, a browser `File.size`).
    /// It decides binary files with a `solid` header exactly, lets a wrong face count fail
    /// before any parsing, and sizes the ASCII output buffer.
    pub fn new(size_hint: Option<u64>, opts: &StlOptions) -> StlReader {
        StlReader {
            opts: *opts,
            size_hint,
            head: Vec::new(),
            info: None,
            tris: Vec::new(),
            dropped: 0,
            fed: 0,
            state: State::Sniffing,
        }
    }

    /// What was detected so far: `None` until the first [`SNIFF_BYTES`] have arrived (or
    /// [`finish`](Self::finish) ran on a shorter file).
    pub fn info(&self) -> Option<&StlInfo> {
        self.info.as_ref()
    }

    /// Triangles accepted so far (for progress reporting).
    pub fn triangles_read(&self) -> usize {
        self.tris.len() / FLOATS_PER_TRIANGLE
    }

    /// Feeds the next chunk of the file.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), StlError> {
        let r = self.push_inner(chunk);
        self.remember(r)
    }

    /// Ends the input and returns the mesh.
    pub fn finish(self) -> Result<Mesh, StlError> {
        self.finish_with_info().map(|(m, _)| m)
    }

    /// Like [`finish`](Self::finish), also returning what was detected.
    pub fn finish_with_info(mut self) -> Result<(Mesh, StlInfo), StlError> {
        if let State::Failed(e) = &self.state {
            return Err(e.clone());
        }
        if matches!(self.state, State::Sniffing) {
            let head = std::mem::take(&mut self.head);
            self.decide(&head, true)?;
            self.feed(&head)?;
        }
        let total = self.fed;
        match &mut self.state {
            State::Binary(b) => {
                let expected = binary_size(b.declared as u64);
                if total < expected {
                    return Err(StlError::Truncated {
                        declared: b.declared as u64,
                        bytes: total,
                    });
                }
                if total > expected {
                    return Err(StlError::CountMismatch {
                        declared: b.declared as u64,
                        bytes: total,
                    });
                }
            }
            State::Ascii(a) => {
                let mut out = Out {
                    tris: &mut self.tris,
                    dropped: &mut self.dropped,
                    size_hint: self.size_hint,
                    opts: &self.opts,
                    pos: total,
                };
                a.finish(&mut out)?;
                a.give_name(self.info.as_mut(), true);
                // Shrinking a large block is an in-place `realloc` on the allocators we run
                // on; only bother when the estimate overshot noticeably.
                if self.tris.capacity() - self.tris.len() > self.tris.len() / 16 {
                    self.tris.shrink_to_fit();
                }
            }
            State::Sniffing | State::Failed(_) => {}
        }
        if self.tris.is_empty() {
            return Err(StlError::NoTriangles {
                dropped_degenerate: self.dropped,
            });
        }
        let info = self.info.take().unwrap_or(StlInfo {
            format: StlFormat::Binary,
            name: String::new(),
            declared_triangles: None,
        });
        Ok((
            Mesh::from_checked(std::mem::take(&mut self.tris), self.dropped),
            info,
        ))
    }

    fn remember(&mut self, r: Result<(), StlError>) -> Result<(), StlError> {
        if let Err(e) = &r {
            self.state = State::Failed(e.clone());
            self.head = Vec::new();
            self.tris = Vec::new();
        }
        r
    }

    fn push_inner(&mut self, chunk: &[u8]) -> Result<(), StlError> {
        if let State::Failed(e) = &self.state {
            return Err(e.clone());
        }
        if !matches!(self.state, State::Sniffing) {
            return self.feed(chunk);
        }
        // A first chunk holding the whole sniff window is decided in place, so a caller that
        // pushes a whole file at once (`parse_stl`) never has it copied.
        if self.head.is_empty() && chunk.len() >= SNIFF_BYTES {
            self.decide(&chunk[..SNIFF_BYTES], false)?;
            return self.feed(chunk);
        }
        let take = (SNIFF_BYTES - self.head.len()).min(chunk.len());
        self.head.extend_from_slice(&chunk[..take]);
        if self.head.len() < SNIFF_BYTES {
            return Ok(());
        }
        let head = std::mem::take(&mut self.head);
        self.decide(&head, false)?;
        self.feed(&head)?;
        self.feed(&chunk[take..])
    }

    /// Sends bytes to the decided parser.
    fn feed(&mut self, data: &[u8]) -> Result<(), StlError> {
        let start = self.fed;
        self.fed += data.len() as u64;
        match &mut self.state {
            State::Binary(b) => b.feed(data, &mut self.tris, &mut self.dropped),
            State::Ascii(a) => {
                let r = a.feed(
                    data,
                    start,
                    &mut self.tris,
                    &mut self.dropped,
                    self.size_hint,
                    &self.opts,
                );
                a.give_name(self.info.as_mut(), false);
                r
            }
            State::Sniffing | State::Failed(_) => Ok(()),
        }
    }

    /// Chooses the format from the first bytes (`complete`: they are the whole file).
    fn decide(&mut self, window: &[u8], complete: bool) -> Result<(), StlError> {
        if window.is_empty() {
            return Err(StlError::Empty);
        }
        let declared = (window.len() >= BINARY_HEADER)
            .then(|| u32::from_le_bytes([window[80], window[81], window[82], window[83]]));
        let exact_binary = matches!((declared, self.size_hint),
            (Some(n), Some(size)) if binary_size(n as u64) == size);
        if !exact_binary {
            let text = strip_bom(window);
            if is_text(text) && starts_with_keyword(trim_start(text), b"solid") {
                self.info = Some(StlInfo {
                    format: StlFormat::Ascii,
                    name: String::new(),
                    declared_triangles: None,
                });
                self.tris = Vec::with_capacity(ascii_first_reserve(
                    self.size_hint,
                    self.opts.max_triangles,
                ));
                self.state = State::Ascii(Box::default());
                return Ok(());
            }
            if let Some(what) = impostor(window) {
                return Err(StlError::NotStl { what });
            }
        }
        let Some(n) = declared else {
            debug_assert!(complete);
            return Err(StlError::TooShort {
                bytes: window.len() as u64,
            });
        };
        if let Some(size) = self.size_hint {
            if size < binary_size(n as u64) {
                return Err(StlError::Truncated {
                    declared: n as u64,
                    bytes: size,
                });
            }
            if size > binary_size(n as u64) {
                return Err(StlError::CountMismatch {
                    declared: n as u64,
                    bytes: size,
                });
            }
        }
        if n as u64 > self.opts.max_triangles as u64 {
            return Err(StlError::TooManyTriangles {
                count: n as u64,
                limit: self.opts.max_triangles as u64,
                exact: true,
            });
        }
        let reserve = if self.size_hint.is_some() {
            n as usize
        } else {
            (n as usize).min(UNVERIFIED_RESERVE)
        };
        reserve_triangles(&mut self.tris, reserve)?;
        self.info = Some(StlInfo {
            format: StlFormat::Binary,
            name: header_text(&window[..80]),
            declared_triangles: Some(n),
        });
        self.state = State::Binary(Binary {
            declared: n,
            skip: BINARY_HEADER,
            rec: [0; BINARY_RECORD],
            rec_len: 0,
            records: 0,
        });
        Ok(())
    }
}

/// What the engine holds per triangle once loaded and indexed: the nine floats (36 bytes)
/// and the index (6); see BENCHMARKS.md.
pub const ENGINE_BYTES_PER_TRIANGLE: u64 = 42;

/// `count` triangles' engine memory, as a person reads it ("2.1 GB").
fn gigabytes(count: u64) -> String {
    format!(
        "{:.1} GB",
        count as f64 * ENGINE_BYTES_PER_TRIANGLE as f64 / 1e9
    )
}

/// Reserves room for `extra` more triangles exactly, as a value error rather than an abort
/// (wasm has a hard 4 GB ceiling; a failed allocation must reach the page as a message).
fn reserve_triangles(tris: &mut Vec<f32>, extra: usize) -> Result<(), StlError> {
    extra
        .checked_mul(FLOATS_PER_TRIANGLE)
        .ok_or(())
        .and_then(|floats| tris.try_reserve_exact(floats).map_err(|_| ()))
        .map_err(|_| StlError::OutOfMemory {
            triangles: (tris.len() / FLOATS_PER_TRIANGLE + extra) as u64,
        })
}

fn ascii_first_reserve(size_hint: Option<u64>, max: usize) -> usize {
    // The shortest possible facet ("facet normal 0 0 0 outer loop vertex 0 0 0 ...") is about
    // 80 bytes, so a small file never gets more than it can hold.
    let bound = size_hint.map_or(usize::MAX, |s| (s / 80) as usize + 1);
    ASCII_FIRST_RESERVE.min(bound).min(max) * FLOATS_PER_TRIANGLE
}

/// The one acceptance rule for both formats: finite, then non-degenerate (the rule of
/// [`is_degenerate`], so a mesh read here equals `Mesh::from_triangles` of the same floats).
#[inline]
fn push_triangle(
    t: &[f32; FLOATS_PER_TRIANGLE],
    number: u64,
    line: Option<u64>,
    tris: &mut Vec<f32>,
    dropped: &mut usize,
) -> Result<(), StlError> {
    if !t.iter().all(|v| v.is_finite()) {
        return Err(StlError::NonFinite {
            triangle: number,
            line,
        });
    }
    if is_degenerate(t) {
        *dropped += 1;
    } else {
        tris.extend_from_slice(t);
    }
    Ok(())
}

/// Reads an STL from any reader through a fixed 64 KiB buffer. `size_hint` is the total
/// byte length when known (see [`StlReader::new`]).
pub fn read_stl<R: Read>(
    mut r: R,
    size_hint: Option<u64>,
    opts: &StlOptions,
) -> Result<Mesh, StlError> {
    let mut reader = StlReader::new(size_hint, opts);
    let mut buf = vec![0u8; READ_CHUNK];
    loop {
        match r.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => reader.push(&buf[..n])?,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(StlError::Io(e.to_string())),
        }
    }
    reader.finish()
}

/// Parses an STL held in memory (no copy of `bytes` is made).
pub fn parse_stl(bytes: &[u8], opts: &StlOptions) -> Result<Mesh, StlError> {
    let mut reader = StlReader::new(Some(bytes.len() as u64), opts);
    reader.push(bytes)?;
    reader.finish()
}
