//! STL import (binary and ASCII). Stub: the real streaming reader lands with issue 3.

use super::Mesh;
use std::fmt;
use std::io::Read;

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

/// Why an STL file was refused.
#[derive(Debug)]
pub struct StlError(pub String);

impl fmt::Display for StlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StlError {}

/// Reads an STL from any reader. `size_hint` is the total byte length when known (a file's
/// metadata, a browser `File.size`), used to check a binary file's declared face count.
pub fn read_stl<R: Read>(
    mut r: R,
    _size_hint: Option<u64>,
    opts: &StlOptions,
) -> Result<Mesh, StlError> {
    let mut bytes = Vec::new();
    r.read_to_end(&mut bytes)
        .map_err(|e| StlError(format!("read error: {e}")))?;
    if bytes.len() < 84 {
        return Err(StlError("file too short".into()));
    }
    let n = u32::from_le_bytes([bytes[80], bytes[81], bytes[82], bytes[83]]) as usize;
    if n > opts.max_triangles || 84 + 50 * n != bytes.len() {
        return Err(StlError("bad binary STL".into()));
    }
    let mut tris = Vec::with_capacity(9 * n);
    for i in 0..n {
        let rec = &bytes[84 + 50 * i + 12..84 + 50 * i + 48];
        for c in rec.chunks_exact(4) {
            tris.push(f32::from_le_bytes([c[0], c[1], c[2], c[3]]));
        }
    }
    Mesh::from_triangles(tris).map_err(|e| StlError(e.to_string()))
}

/// Parses an STL held in memory.
pub fn parse_stl(bytes: &[u8], opts: &StlOptions) -> Result<Mesh, StlError> {
    read_stl(bytes, Some(bytes.len() as u64), opts)
}

/// Writes a binary STL (used by tests and the benchmark's generated models).
pub fn write_binary_stl<W: std::io::Write>(mesh: &Mesh, mut w: W) -> std::io::Result<()> {
    let mut header = [0u8; 80];
    header[..5].copy_from_slice(b"swarf");
    w.write_all(&header)?;
    w.write_all(&(mesh.len() as u32).to_le_bytes())?;
    for t in mesh.triangles().chunks_exact(9) {
        w.write_all(&[0u8; 12])?;
        for v in t {
            w.write_all(&v.to_le_bytes())?;
        }
        w.write_all(&[0u8; 2])?;
    }
    Ok(())
}
