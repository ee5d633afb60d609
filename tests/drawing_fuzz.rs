//! Deterministic fuzzing of the SVG and DXF readers: mutated editor-style files and random
//! garbage must give a drawing or a one-line error, never a panic or a hang.

use swarf::drawing::{import, ImportOptions};

/// xorshift64*: tiny, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn seeds(ext: &str) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = std::fs::read_dir("tests/fixtures/drawing")
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    v.sort();
    v
}

/// Tokens that break readers in interesting ways: numbers out of range, units, structure.
const SVG_BITS: &[&str] = &[
    "1e308",
    "-1e308",
    "NaN",
    "inf",
    "0",
    "-0",
    "1e-300",
    " A 5 5 0 1 0 ",
    " a1e9 1e-9 45 1 1 3 4",
    "<g transform=\"scale(0)\">",
    "<g transform=\"matrix(1e30 0 0 1e30 0 0)\">",
    "</g>",
    "<use xlink:href=\"#dot\"/>",
    "<circle r=\"-1\"/>",
    "fill-rule=\"evenodd\"",
    "width=\"0\"",
    "viewBox=\"0 0 0 0\"",
    "mm",
    "in",
    "%",
    "<path d=\"M0 0 C 1 1 1 1 0 0 Z\"/>",
    "<!--",
    "]]>",
    "&#0;",
    "\"",
];
const DXF_BITS: &[&str] = &[
    "  0\r\nINSERT\r\n  2\r\nHOLE\r\n 41\r\n1e300\r\n",
    "  0\r\nSPLINE\r\n 71\r\n99\r\n",
    " 42\r\n1e308\r\n",
    " 40\r\n-1\r\n",
    " 40\r\nnan\r\n",
    " 70\r\n70000\r\n",
    " 90\r\n2147483647\r\n",
    "  0\r\nEOF\r\n",
    "  0\r\nENDSEC\r\n",
    "  0\r\nSECTION\r\n  2\r\nBLOCKS\r\n",
    " 50\r\n1e20\r\n",
    "999\r\n",
    "\r\n",
    "  0\r\nELLIPSE\r\n 40\r\n0\r\n",
    "  0\r\nINSERT\r\n  2\r\nHOLE\r\n 70\r\n30000\r\n 71\r\n30000\r\n",
];

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], bits: &[&str]) -> Vec<u8> {
    let mut f = seeds[rng.below(seeds.len())].clone();
    for _ in 0..1 + rng.below(3) {
        let len = f.len();
        match rng.below(6) {
            0 if len > 0 => {
                for _ in 0..1 + rng.below(4) {
                    let i = rng.below(len);
                    f[i] ^= 1 << rng.below(8);
                }
            }
            1 => f.truncate(rng.below(len + 1)),
            2 => {
                let at = rng.below(len + 1);
                let b = bits[rng.below(bits.len())].as_bytes();
                f.splice(at..at, b.iter().copied());
            }
            3 if len > 0 => {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(32)).min(len);
                f.drain(a..b);
            }
            4 => {
                // Replace a number with a bit: digits are what these formats are made of.
                if let Some(p) = (rng.below(len.max(1))..len).find(|&i| f[i].is_ascii_digit()) {
                    let e = (p..len)
                        .find(|&i| !f[i].is_ascii_digit() && f[i] != b'.')
                        .unwrap_or(len);
                    let b = bits[rng.below(bits.len())].as_bytes();
                    f.splice(p..e, b.iter().copied());
                }
            }
            _ => {
                let a = rng.below(len + 1);
                let tail = f[a..].to_vec();
                f.extend_from_slice(&tail[..tail.len().min(4096)]);
            }
        }
    }
    f
}

fn check(f: &[u8], opts: &ImportOptions) -> bool {
    match import(f, opts) {
        Ok(d) => {
            assert!(d.paths().all(|p| p
                .vertices
                .iter()
                .all(|v| v.p.is_finite() && v.bulge.is_finite())));
            assert!(!d.shapes.is_empty() || !d.open.is_empty());
            true
        }
        Err(e) => {
            let m = e.to_string();
            assert!(!m.is_empty() && !m.contains('\n'), "bad message {m:?}");
            false
        }
    }
}

fn iters() -> usize {
    // `SWARF_FUZZ_ITERS=100000` for a longer run; the default keeps CI quick.
    std::env::var("SWARF_FUZZ_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1500)
}

fn run(ext: &str, bits: &[&str], seed: u64) {
    let seeds = seeds(ext);
    assert!(!seeds.is_empty());
    let mut rng = Rng(seed);
    let opts = ImportOptions::default();
    let n = iters();
    let mut ok = 0;
    for _ in 0..n {
        let f = mutate(&mut rng, &seeds, bits);
        ok += check(&f, &opts) as usize;
    }
    // Some mutants must still read, or only the error paths are exercised.
    assert!(ok > n / 50 && ok < n, "{ok} of {n} {ext} files read");
}

#[test]
fn mutated_svg_never_panics() {
    run("svg", SVG_BITS, 0x5eed_5c6a_0001);
}

#[test]
fn mutated_dxf_never_panics() {
    run("dxf", DXF_BITS, 0x5eed_d8f0_0002);
}

#[test]
fn random_garbage_never_panics() {
    let mut rng = Rng(7);
    let opts = ImportOptions::default();
    for i in 0..1000 {
        let len = rng.below(2000);
        let mut f: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let head: &[u8] = match i % 3 {
            0 => b"<svg xmlns='http://www.w3.org/2000/svg'>",
            1 => b"  0\r\nSECTION\r\n",
            _ => b"",
        };
        f.splice(0..0, head.iter().copied());
        check(&f, &opts);
    }
}
