//! STL writers (tests, the demo command and the benchmark's generated models).

use super::binary::BINARY_RECORD;
use crate::mesh::{Mesh, FLOATS_PER_TRIANGLE};
use std::io::Write;

/// The unit normal of a triangle by the right-hand rule (zero for a degenerate one), for
/// writers: readers never trust stored normals, but other programs may.
fn normal(t: &[f32]) -> [f32; 3] {
    let e1 = [t[3] - t[0], t[4] - t[1], t[5] - t[2]];
    let e2 = [t[6] - t[0], t[7] - t[1], t[8] - t[2]];
    let c = [
        e1[1] * e2[2] - e1[2] * e2[1],
        e1[2] * e2[0] - e1[0] * e2[2],
        e1[0] * e2[1] - e1[1] * e2[0],
    ];
    let len = (c[0] * c[0] + c[1] * c[1] + c[2] * c[2]).sqrt();
    if len > 0.0 && len.is_finite() {
        [c[0] / len, c[1] / len, c[2] / len]
    } else {
        [0.0; 3]
    }
}

/// Writes a binary STL (used by tests and the benchmark's generated models). Wrap `w` in a
/// `BufWriter` for files: each triangle is one 50-byte `write_all`.
pub fn write_binary_stl<W: Write>(mesh: &Mesh, mut w: W) -> std::io::Result<()> {
    let mut header = [b' '; 80];
    header[..5].copy_from_slice(b"swarf");
    w.write_all(&header)?;
    w.write_all(&(mesh.len() as u32).to_le_bytes())?;
    let mut rec = [0u8; BINARY_RECORD];
    for t in mesh.triangles().chunks_exact(FLOATS_PER_TRIANGLE) {
        for (k, v) in normal(t).iter().chain(t).enumerate() {
            rec[4 * k..4 * k + 4].copy_from_slice(&v.to_le_bytes());
        }
        w.write_all(&rec)?;
    }
    Ok(())
}

/// Writes an ASCII STL named `name`. Coordinates use Rust's shortest round-trip notation
/// (`1.5e0`), so reading the file back gives bit-identical floats.
pub fn write_ascii_stl<W: Write>(mesh: &Mesh, name: &str, mut w: W) -> std::io::Result<()> {
    writeln!(w, "solid {name}")?;
    for t in mesh.triangles().chunks_exact(FLOATS_PER_TRIANGLE) {
        let n = normal(t);
        writeln!(w, "  facet normal {:e} {:e} {:e}", n[0], n[1], n[2])?;
        writeln!(w, "    outer loop")?;
        for v in t.chunks_exact(3) {
            writeln!(w, "      vertex {:e} {:e} {:e}", v[0], v[1], v[2])?;
        }
        writeln!(w, "    endloop")?;
        writeln!(w, "  endfacet")?;
    }
    writeln!(w, "endsolid {name}")
}
