//! The spatial index: a bounding-volume hierarchy with no triangle-id list.
//!
//! At build time the triangle buffer itself is reordered along a Morton (Z-order) curve of
//! the triangles' XY centroids. Consecutive triangles are then spatially close, so a leaf is
//! just a contiguous run of [`LEAF_SIZE`] triangles and needs no id list. Nodes sit in
//! depth-first order: the left child of node `i` is `i + 1` and, for a node covering leaves
//! `lo..hi` split at `mid`, the right child is `i + 2 * (mid - lo)` (a left subtree over `m`
//! leaves has `2m - 1` nodes). So a node is only its box: six `f32`, 24 bytes, and there are
//! about `2 n / LEAF_SIZE` nodes: about 6 bytes per triangle for leaves of 8.
//!
//! Drop-cutter queries are branch-and-bound: a triangle can raise the cutter at most to its
//! own top (the cutter profile is never below the tip), so a node whose top is at or below
//! the best contact found so far is skipped, and the child with the higher top goes first.

use crate::cutter::Cutter;
use crate::mesh::{Mesh, FLOATS_PER_TRIANGLE};

/// Triangles per leaf.
pub const LEAF_SIZE: usize = 8;

/// A node box: min x, min y, min z, max x, max y, max z.
type NodeBox = [f32; 6];

/// The hierarchy over a mesh whose buffer it has reordered.
#[derive(Clone, Debug, Default)]
pub struct Index {
    nodes: Vec<NodeBox>,
    leaves: usize,
    triangles: usize,
}

/// Spreads the low 16 bits of `v` to the even bit positions.
fn spread16(v: u32) -> u32 {
    let mut x = v & 0xffff;
    x = (x | (x << 8)) & 0x00ff_00ff;
    x = (x | (x << 4)) & 0x0f0f_0f0f;
    x = (x | (x << 2)) & 0x3333_3333;
    x = (x | (x << 1)) & 0x5555_5555;
    x
}

fn tri_box(t: &[f32]) -> NodeBox {
    let mut b = [
        f32::INFINITY,
        f32::INFINITY,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NEG_INFINITY,
        f32::NEG_INFINITY,
    ];
    for v in t.chunks_exact(3) {
        for k in 0..3 {
            b[k] = b[k].min(v[k]);
            b[k + 3] = b[k + 3].max(v[k]);
        }
    }
    b
}

/// Sorts `tris` by `keys` (moved together), in place: an MSD radix sort on the key's byte
/// at `shift` and below (American flag sort: count a byte's buckets, then swap every
/// element into its bucket, then each bucket on the next byte), with an insertion sort for
/// short runs. Unstable but deterministic: the same input gives the same order natively
/// and in wasm. Recursion depth is at most four.
fn radix_sort(tris: &mut [[f32; FLOATS_PER_TRIANGLE]], keys: &mut [u32], shift: u32) {
    let n = keys.len();
    if n <= 32 {
        for i in 1..n {
            let mut j = i;
            while j > 0 && keys[j - 1] > keys[j] {
                keys.swap(j - 1, j);
                tris.swap(j - 1, j);
                j -= 1;
            }
        }
        return;
    }
    let digit = |k: u32| ((k >> shift) & 0xff) as usize;
    let mut count = [0usize; 256];
    for &k in keys.iter() {
        count[digit(k)] += 1;
    }
    let mut end = [0usize; 256];
    let mut next = [0usize; 256];
    let mut at = 0;
    for b in 0..256 {
        next[b] = at;
        at += count[b];
        end[b] = at;
    }
    let start = next;
    for b in 0..256 {
        while next[b] < end[b] {
            let i = next[b];
            let d = digit(keys[i]);
            if d == b {
                next[b] += 1;
            } else {
                let j = next[d];
                keys.swap(i, j);
                tris.swap(i, j);
                next[d] += 1;
            }
        }
    }
    if shift == 0 {
        return;
    }
    for b in 0..256 {
        if count[b] > 1 {
            let (lo, hi) = (start[b], end[b]);
            radix_sort(&mut tris[lo..hi], &mut keys[lo..hi], shift - 8);
        }
    }
}

fn union(a: &NodeBox, b: &NodeBox) -> NodeBox {
    [
        a[0].min(b[0]),
        a[1].min(b[1]),
        a[2].min(b[2]),
        a[3].max(b[3]),
        a[4].max(b[4]),
        a[5].max(b[5]),
    ]
}

impl Index {
    /// Reorders `mesh` in place along the Morton curve and builds the hierarchy.
    ///
    /// The sort works on the buffer itself (no second copy of the triangles): each
    /// triangle's Morton key is computed once into a list beside it (4 bytes per triangle,
    /// freed before the nodes are allocated), and an in-place radix sort moves triangles
    /// and keys together. A comparison sort recomputing keys in each comparison needed no
    /// list but cost about four times as much (10M triangles: 4.9 s against 2.1 s for
    /// `swarf info`, read included). Wasm memory never shrinks and the freed keys are too
    /// small a hole for the nodes, so the page's memory settles at about 46.5 bytes per
    /// triangle (budget 48) instead of 42.4.
    pub fn build(mesh: &mut Mesh) -> Index {
        let n = mesh.len();
        if n == 0 {
            return Index::default();
        }
        let b = mesh.bounds();
        let (x0, y0) = (b.min[0], b.min[1]);
        let span = (b.max[0] - b.min[0]).max(b.max[1] - b.min[1]).max(1e-30);
        let scale = 65535.0 / span;
        let key = |t: &[f32; 9]| -> u32 {
            let cx = (t[0] + t[3] + t[6]) / 3.0;
            let cy = (t[1] + t[4] + t[7]) / 3.0;
            let qx = ((cx - x0) * scale).clamp(0.0, 65535.0) as u32;
            let qy = ((cy - y0) * scale).clamp(0.0, 65535.0) as u32;
            spread16(qx) | (spread16(qy) << 1)
        };
        let (chunks, rest) = mesh.triangles_mut().as_chunks_mut::<FLOATS_PER_TRIANGLE>();
        debug_assert!(rest.is_empty());
        let mut keys: Vec<u32> = chunks.iter().map(key).collect();
        radix_sort(chunks, &mut keys, 24);
        drop(keys);
        Self::build_in_order(mesh)
    }

    /// The hierarchy over `mesh` in its present order, which should already be spatially
    /// coherent: a part of a Morton-ordered model (its triangles in a box, taken in order)
    /// is, and skipping the sort makes indexing it linear.
    pub fn build_in_order(mesh: &Mesh) -> Index {
        let n = mesh.len();
        if n == 0 {
            return Index::default();
        }
        let leaves = n.div_ceil(LEAF_SIZE);
        let mut nodes = vec![[0.0f32; 6]; 2 * leaves - 1];
        let tris = mesh.triangles();
        Self::fill(&mut nodes, 0, 0, leaves, tris);
        Index {
            nodes,
            leaves,
            triangles: n,
        }
    }

    /// Fills node `i` covering leaves `lo..hi`; returns its box. Recursion depth is log2 of
    /// the leaf count (about 23 for 50M triangles).
    fn fill(nodes: &mut [NodeBox], i: usize, lo: usize, hi: usize, tris: &[f32]) -> NodeBox {
        let b = if hi - lo == 1 {
            let start = lo * LEAF_SIZE * FLOATS_PER_TRIANGLE;
            let end = ((lo + 1) * LEAF_SIZE * FLOATS_PER_TRIANGLE).min(tris.len());
            let mut b = tri_box(&tris[start..start + FLOATS_PER_TRIANGLE]);
            for t in tris[start..end].chunks_exact(FLOATS_PER_TRIANGLE).skip(1) {
                b = union(&b, &tri_box(t));
            }
            b
        } else {
            let mid = lo + (hi - lo) / 2;
            let l = Self::fill(nodes, i + 1, lo, mid, tris);
            let r = Self::fill(nodes, i + 2 * (mid - lo), mid, hi, tris);
            union(&l, &r)
        };
        nodes[i] = b;
        b
    }

    /// Bytes the index holds on the heap.
    pub fn heap_bytes(&self) -> usize {
        self.nodes.capacity() * std::mem::size_of::<NodeBox>()
    }

    /// Number of triangles indexed.
    pub fn len(&self) -> usize {
        self.triangles
    }

    /// True when no triangle is indexed.
    pub fn is_empty(&self) -> bool {
        self.triangles == 0
    }

    /// Drop-cutter at `(x, y)`: the highest tip z at which `cutter` touches any triangle,
    /// or `None` when nothing is within reach. `mesh` must be the mesh this index was built
    /// from (and reordered).
    pub fn drop_cutter(&self, mesh: &Mesh, cutter: &Cutter, x: f64, y: f64) -> Option<f64> {
        self.drop_cutter_above(mesh, cutter, x, y, f64::NEG_INFINITY)
    }

    /// As [`Index::drop_cutter`], but only contacts above `floor` count (`None` if none):
    /// triangles whose top is at or below `floor` are never looked at, which is what makes
    /// a floor cheap.
    pub fn drop_cutter_above(
        &self,
        mesh: &Mesh,
        cutter: &Cutter,
        x: f64,
        y: f64,
        floor: f64,
    ) -> Option<f64> {
        self.drop_cutter_hinted(mesh, cutter, x, y, floor, &mut None)
    }

    /// As [`Index::drop_cutter_above`], with raster coherence: `hint` is the triangle that
    /// decided the previous, nearby query. It is tested first, so the search starts with a
    /// contact close to the answer and prunes most of the tree at once; on return it holds
    /// the triangle that decided this query.
    pub fn drop_cutter_hinted(
        &self,
        mesh: &Mesh,
        cutter: &Cutter,
        x: f64,
        y: f64,
        floor: f64,
        hint: &mut Option<u32>,
    ) -> Option<f64> {
        if self.leaves == 0 {
            return None;
        }
        let tris = mesh.triangles();
        let r = cutter.radius();
        let r2 = r * r;
        // The most a box can raise the cutter is its top minus the cutter's profile at the
        // box's nearest XY distance (the profile only rises outwards); boxes out of reach
        // count for nothing. This bound, not the plain top, is what prunes most of the tree.
        let reach2 = r2 * (1.0 + 1e-9) + 1e-12;
        // Squared XY distance from the axis to a box.
        let dist2 = |b: &NodeBox| -> f64 {
            let dx = (b[0] as f64 - x).max(x - b[3] as f64).max(0.0);
            let dy = (b[1] as f64 - y).max(y - b[4] as f64).max(0.0);
            dx * dx + dy * dy
        };
        // Whether the box can hold the cutter above `best`: its top minus the profile at its
        // nearest distance, without a square root where the shape allows.
        let above = |b: &NodeBox, best: f64| -> bool {
            let d2 = dist2(b);
            d2 <= reach2 && cutter.reaches_above(b[5] as f64, d2, best)
        };
        let mut best = floor;
        let mut found = false;
        let mut decided = None;
        if let Some(h) = *hint {
            let s = h as usize * FLOATS_PER_TRIANGLE;
            if let Some(t) = tris.get(s..s + FLOATS_PER_TRIANGLE) {
                if let Some(z) = cutter.drop_triangle_above(x, y, t, best) {
                    best = z;
                    found = true;
                    decided = Some(h);
                }
            }
        }
        // (node, lo, hi) stack; each level adds at most one pending sibling.
        let mut stack: [(u32, u32, u32); 128] = [(0, 0, 0); 128];
        let mut sp = 0;
        if above(&self.nodes[0], best) {
            stack[0] = (0, 0, self.leaves as u32);
            sp = 1;
        }
        while sp > 0 {
            sp -= 1;
            let (i, lo, hi) = stack[sp];
            // Re-check: `best` may have risen since this node was pushed.
            if !above(&self.nodes[i as usize], best) {
                continue;
            }
            if hi - lo == 1 {
                let start = lo as usize * LEAF_SIZE * FLOATS_PER_TRIANGLE;
                let end = ((lo as usize + 1) * LEAF_SIZE * FLOATS_PER_TRIANGLE).min(tris.len());
                for (k, t) in tris[start..end]
                    .chunks_exact(FLOATS_PER_TRIANGLE)
                    .enumerate()
                {
                    if !above(&tri_box(t), best) {
                        continue;
                    }
                    if let Some(z) = cutter.drop_triangle_above(x, y, t, best) {
                        best = z;
                        found = true;
                        decided = Some((lo as usize * LEAF_SIZE + k) as u32);
                    }
                }
                continue;
            }
            let mid = lo + (hi - lo) / 2;
            let li = i + 1;
            let ri = i + 2 * (mid - lo);
            let (lbox, rbox) = (&self.nodes[li as usize], &self.nodes[ri as usize]);
            let (ld, rd) = (dist2(lbox), dist2(rbox));
            // Visit the more promising child first; the order only steers the search (a
            // good contact early prunes more), so a cheap estimate of the bound will do.
            let lk = cutter.order_key(lbox[5] as f64, ld);
            let rk = cutter.order_key(rbox[5] as f64, rd);
            let lb = ld <= reach2 && cutter.reaches_above(lbox[5] as f64, ld, best);
            let rb = rd <= reach2 && cutter.reaches_above(rbox[5] as f64, rd, best);
            // Push the weaker child first so the more promising one is popped first.
            let (first, second) = if lk >= rk {
                ((li, lo, mid, lb), (ri, mid, hi, rb))
            } else {
                ((ri, mid, hi, rb), (li, lo, mid, lb))
            };
            if second.3 {
                stack[sp] = (second.0, second.1, second.2);
                sp += 1;
            }
            if first.3 {
                stack[sp] = (first.0, first.1, first.2);
                sp += 1;
            }
        }
        *hint = decided.or(*hint);
        if found {
            Some(best)
        } else {
            None
        }
    }

    /// Calls `f` with every triangle whose box meets the XY box `lo..hi` and whose top is
    /// above `zmin` (the candidates for a push-cutter along a fiber).
    pub fn for_each_in_box(
        &self,
        mesh: &Mesh,
        lo: [f64; 2],
        hi: [f64; 2],
        zmin: f64,
        f: &mut dyn FnMut(&[f32]),
    ) {
        if self.leaves == 0 {
            return;
        }
        let tris = mesh.triangles();
        let (x0, y0, x1, y1) = (lo[0] as f32, lo[1] as f32, hi[0] as f32, hi[1] as f32);
        let outside =
            |b: &NodeBox| b[0] > x1 || b[3] < x0 || b[1] > y1 || b[4] < y0 || (b[5] as f64) <= zmin;
        let mut stack: [(u32, u32, u32); 128] = [(0, 0, 0); 128];
        let mut sp = 1;
        stack[0] = (0, 0, self.leaves as u32);
        while sp > 0 {
            sp -= 1;
            let (i, lo, hi) = stack[sp];
            if outside(&self.nodes[i as usize]) {
                continue;
            }
            if hi - lo == 1 {
                let start = lo as usize * LEAF_SIZE * FLOATS_PER_TRIANGLE;
                let end = ((lo as usize + 1) * LEAF_SIZE * FLOATS_PER_TRIANGLE).min(tris.len());
                for t in tris[start..end].chunks_exact(FLOATS_PER_TRIANGLE) {
                    if !outside(&tri_box(t)) {
                        f(t);
                    }
                }
                continue;
            }
            let mid = lo + (hi - lo) / 2;
            stack[sp] = (i + 1, lo, mid);
            stack[sp + 1] = (i + 2 * (mid - lo), mid, hi);
            sp += 2;
        }
    }

    /// Reference drop-cutter: every triangle, no index. For tests and benchmarks.
    pub fn drop_cutter_brute_force(mesh: &Mesh, cutter: &Cutter, x: f64, y: f64) -> Option<f64> {
        let mut best: Option<f64> = None;
        for t in mesh.triangles().chunks_exact(FLOATS_PER_TRIANGLE) {
            if let Some(z) = cutter.drop_triangle(x, y, t) {
                best = Some(best.map_or(z, |b: f64| b.max(z)));
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The radix sort orders keys as a comparison sort does, keeps each triangle with its
    /// key, and copes with runs of equal keys and every byte pattern.
    #[test]
    fn radix_sort_orders_and_keeps_pairs() {
        let mut s = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for n in [0usize, 1, 2, 31, 33, 1000, 70_000] {
            let mut keys: Vec<u32> = (0..n)
                .map(|i| match i % 4 {
                    0 => next() as u32,
                    1 => (next() as u32) & 0x0000_ffff,
                    2 => 0x1234_5678,
                    _ => (next() as u32) | 0xff00_0000,
                })
                .collect();
            let mut tris: Vec<[f32; 9]> = keys.iter().map(|&k| [f32::from_bits(k); 9]).collect();
            let mut want = keys.clone();
            want.sort_unstable();
            radix_sort(&mut tris, &mut keys, 24);
            assert_eq!(keys, want, "n {n}");
            assert!(tris.iter().zip(&keys).all(|(t, &k)| t[0].to_bits() == k));
        }
    }
}
