//! The binary STL body: an 80-byte header, a little-endian `u32` triangle count, then one
//! 50-byte record per triangle (stored normal, three vertices, attribute word). Records are
//! decoded straight from the pushed chunks.

use super::{push_triangle, reserve_triangles, StlError};
use crate::mesh::FLOATS_PER_TRIANGLE;

/// Size of the binary header plus the little-endian `u32` triangle count.
pub(super) const BINARY_HEADER: usize = 84;
/// One binary record: normal (12), three vertices (36), attribute word (2).
pub(super) const BINARY_RECORD: usize = 50;
/// The file size a binary STL declaring `declared` triangles must have.
pub(super) fn binary_size(declared: u64) -> u64 {
    BINARY_HEADER as u64 + BINARY_RECORD as u64 * declared
}

/// Binary body decoder. Records are decoded straight from the caller's chunk; only a record
/// split across two chunks is copied (into `rec`).
#[derive(Debug)]
pub(super) struct Binary {
    pub(super) declared: u32,
    /// Header bytes still to skip.
    pub(super) skip: usize,
    pub(super) rec: [u8; BINARY_RECORD],
    pub(super) rec_len: usize,
    /// Records decoded so far.
    pub(super) records: u64,
}

impl Binary {
    pub(super) fn feed(
        &mut self,
        mut data: &[u8],
        tris: &mut Vec<f32>,
        dropped: &mut usize,
    ) -> Result<(), StlError> {
        let skip = self.skip.min(data.len());
        self.skip -= skip;
        data = &data[skip..];
        // Bytes past the declared records are only counted (by the reader) and reported at
        // the end as a count mismatch.
        let left =
            (self.declared as u64 - self.records) * BINARY_RECORD as u64 - self.rec_len as u64;
        data = &data[..(data.len() as u64).min(left) as usize];
        if self.rec_len > 0 {
            let take = (BINARY_RECORD - self.rec_len).min(data.len());
            self.rec[self.rec_len..self.rec_len + take].copy_from_slice(&data[..take]);
            self.rec_len += take;
            data = &data[take..];
            if self.rec_len < BINARY_RECORD {
                return Ok(());
            }
            let rec = self.rec;
            self.record(&rec, tris, dropped)?;
            self.rec_len = 0;
        }
        let mut records = data.chunks_exact(BINARY_RECORD);
        for rec in &mut records {
            self.record(rec, tris, dropped)?;
        }
        let rest = records.remainder();
        self.rec[..rest.len()].copy_from_slice(rest);
        self.rec_len = rest.len();
        Ok(())
    }

    #[inline]
    fn record(
        &mut self,
        rec: &[u8],
        tris: &mut Vec<f32>,
        dropped: &mut usize,
    ) -> Result<(), StlError> {
        self.records += 1;
        if tris.len() == tris.capacity() {
            // Only without a size hint: the count is now confirmed by a million records.
            reserve_triangles(tris, (self.declared as u64 - self.records + 1) as usize)?;
        }
        let mut t = [0f32; FLOATS_PER_TRIANGLE];
        // Bytes 0..12 are the stored normal, ignored; the vertices follow.
        for (k, v) in t.iter_mut().enumerate() {
            let o = 12 + 4 * k;
            *v = f32::from_le_bytes([rec[o], rec[o + 1], rec[o + 2], rec[o + 3]]);
        }
        push_triangle(&t, self.records, None, tris, dropped)
    }
}
