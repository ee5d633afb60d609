//! Deterministic fuzzing of the STL reader: mutated valid files, random garbage and impostor
//! headers must give a mesh or a one-line error, never a panic, and feeding the same bytes in
//! random chunks must give exactly the same outcome as parsing them whole.

use swarf::mesh::stl::{parse_stl, write_ascii_stl, write_binary_stl, StlOptions, StlReader};
use swarf::mesh::Mesh;

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
    fn byte(&mut self) -> u8 {
        self.next() as u8
    }
}

fn sample() -> Mesh {
    let mut t = Vec::new();
    for i in 0..24 {
        let a = i as f32 * 0.7;
        t.extend_from_slice(&[a, 0.0, 1.5, a + 1.0, 0.25, -2.0, a, 3.0e-2, 1.0e3]);
    }
    Mesh::from_triangles(t).unwrap()
}

fn seeds() -> Vec<Vec<u8>> {
    let m = sample();
    let mut bin = Vec::new();
    write_binary_stl(&m, &mut bin).unwrap();
    let mut solid_bin = bin.clone();
    solid_bin[..12].copy_from_slice(b"solid fuzzed");
    let mut asc = Vec::new();
    write_ascii_stl(&m, "fuzz", &mut asc).unwrap();
    let crlf = String::from_utf8(asc.clone())
        .unwrap()
        .replace('\n', "\r\n")
        .to_uppercase()
        .into_bytes();
    vec![bin, solid_bin, asc, crlf]
}

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>]) -> Vec<u8> {
    let mut f = seeds[rng.below(seeds.len())].clone();
    let rounds = 1 + rng.below(3);
    for _ in 0..rounds {
        let len = f.len();
        match rng.below(9) {
            // Bit flips.
            0 => {
                for _ in 0..1 + rng.below(8) {
                    let i = rng.below(len);
                    f[i] ^= 1 << rng.below(8);
                }
            }
            // Truncation.
            1 => f.truncate(rng.below(len + 1)),
            // Splice a piece of another seed in.
            2 => {
                let other = &seeds[rng.below(seeds.len())];
                let a = rng.below(other.len());
                let b = a + rng.below(other.len() - a);
                let at = rng.below(len + 1);
                f.splice(at..at, other[a..b].iter().copied());
            }
            // Overwrite a run with random bytes.
            3 => {
                let a = rng.below(len);
                let b = (a + rng.below(64)).min(len);
                for x in &mut f[a..b] {
                    *x = rng.byte();
                }
            }
            // Huge or random face counts.
            4 if len >= 84 => {
                let n = match rng.below(3) {
                    0 => u32::MAX,
                    1 => rng.next() as u32,
                    _ => 50_000_001,
                };
                f[80..84].copy_from_slice(&n.to_le_bytes());
            }
            // NaN / infinity injection, binary (aligned to a vertex float) or ASCII.
            5 => {
                if f.starts_with(b"solid ") && f.len() > 2 * len / 3 && f.contains(&b'\n') {
                    let bad: &[u8] = [&b"nan"[..], b"-inf", b"1e999", b"NaN"][rng.below(4)];
                    if let Some(p) = find_from(&f, b"vertex ", rng.below(len)) {
                        f.splice(p + 7..p + 7, bad.iter().copied().chain([b' ']));
                    }
                } else if len > 134 {
                    let rec = rng.below((len - 84) / 50);
                    let o = 84 + rec * 50 + 12 + 4 * rng.below(9);
                    let v = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY][rng.below(3)];
                    f[o..o + 4].copy_from_slice(&v.to_le_bytes());
                }
            }
            // Insert or delete a few bytes (shifts everything after).
            6 => {
                let at = rng.below(len + 1);
                for _ in 0..1 + rng.below(4) {
                    f.insert(at, rng.byte());
                }
            }
            7 if len > 0 => {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(16)).min(len);
                f.drain(a..b);
            }
            // Duplicate a tail (extra records / extra facets).
            _ => {
                let a = rng.below(len + 1);
                let tail = f[a..].to_vec();
                f.extend_from_slice(&tail);
            }
        }
    }
    f
}

fn find_from(h: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    h.windows(needle.len())
        .skip(from)
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Parses whole and in random chunks (with and without a size hint) and checks the outcomes.
fn check(rng: &mut Rng, f: &[u8], opts: &StlOptions) {
    let whole = parse_stl(f, opts);
    match &whole {
        Ok(m) => {
            assert!(!m.is_empty());
            assert!(m.triangles().iter().all(|v| v.is_finite()));
        }
        Err(e) => {
            let msg = e.to_string();
            assert!(
                !msg.is_empty() && !msg.contains('\n'),
                "bad message {msg:?}"
            );
        }
    }
    let mut r = StlReader::new(Some(f.len() as u64), opts);
    let mut rest = f;
    let mut pushed = Ok(());
    while !rest.is_empty() && pushed.is_ok() {
        let n = (1 + rng.below(300)).min(rest.len());
        pushed = r.push(&rest[..n]);
        rest = &rest[n..];
    }
    let chunked = pushed.and_then(|_| r.finish());
    match (&whole, &chunked) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.triangles(), b.triangles());
            assert_eq!(a.dropped_degenerate, b.dropped_degenerate);
        }
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("whole {whole:?} vs chunked {chunked:?}"),
    }
    // Without a size hint the outcome may differ (detection and size checks lose their
    // exact input), but it must still be a clean result.
    let mut r = StlReader::new(None, opts);
    let mut res = Ok(());
    for c in f.chunks(1 + rng.below(200)) {
        res = r.push(c);
        if res.is_err() {
            break;
        }
    }
    if let Err(e) = res.and_then(|_| r.finish().map(|_| ())) {
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn mutated_files_never_panic() {
    let seeds = seeds();
    let mut rng = Rng(0x5eed_f00d_cafe_b0ba);
    let default = StlOptions::default();
    let small = StlOptions { max_triangles: 20 };
    // `SWARF_FUZZ_ITERS=1000000` for a longer run; the default keeps debug tests quick.
    let iters: usize = std::env::var("SWARF_FUZZ_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000);
    let mut ok = 0;
    for i in 0..iters {
        let f = mutate(&mut rng, &seeds);
        let opts = if i % 4 == 0 { &small } else { &default };
        if parse_stl(&f, opts).is_ok() {
            ok += 1;
        }
        check(&mut rng, &f, opts);
    }
    // The mutations must leave some files valid, or they test only the first check.
    assert!(
        ok > iters / 50 && ok < iters - iters / 50,
        "{ok} of {iters} parsed"
    );
}

#[test]
fn random_garbage_and_impostors_never_panic() {
    let mut rng = Rng(42);
    let opts = StlOptions::default();
    for i in 0..3000 {
        let len = rng.below(if i % 2 == 0 { 100 } else { 3000 });
        let mut f: Vec<u8> = (0..len).map(|_| rng.byte()).collect();
        if i % 10 == 0 && len > 5 {
            f[..5].copy_from_slice(b"solid");
        }
        check(&mut rng, &f, &opts);
    }
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend((0..5000).map(|_| rng.byte()));
    for cut in [8, 16, 100, 1023, 1024, 1025, png.len()] {
        let e = parse_stl(&png[..cut], &opts).unwrap_err().to_string();
        assert_eq!(e, "this is a PNG image, not an STL file");
        check(&mut rng, &png[..cut], &opts);
    }
}
