//! STL import/export through the public API: formats, detection, chunking, errors.

use swarf::mesh::stl::{
    parse_stl, read_stl, write_ascii_stl, write_binary_stl, StlError, StlFormat, StlOptions,
    StlReader,
};
use swarf::mesh::Mesh;

/// A height-field patch of `2 * n * n` triangles with awkward coordinates (negative,
/// fractional, tiny and large exponents) so float formatting and parsing are exercised.
fn patch(n: usize) -> Mesh {
    let z = |i: usize, j: usize| ((i * 7 + j * 13) % 11) as f32 * 0.37 - 1.5;
    let x = |i: usize| i as f32 * 1.25e-3 - 0.01;
    let y = |j: usize| j as f32 * 3.5e2 + 1.0e5;
    let mut t = Vec::new();
    for i in 0..n {
        for j in 0..n {
            let p = |a: usize, b: usize| [x(a), y(b), z(a, b)];
            let (a, b, c, d) = (p(i, j), p(i + 1, j), p(i + 1, j + 1), p(i, j + 1));
            for tri in [[a, b, c], [a, c, d]] {
                for v in tri {
                    t.extend_from_slice(&v);
                }
            }
        }
    }
    Mesh::from_triangles(t).unwrap()
}

fn binary(m: &Mesh) -> Vec<u8> {
    let mut v = Vec::new();
    write_binary_stl(m, &mut v).unwrap();
    v
}

fn ascii(m: &Mesh) -> Vec<u8> {
    let mut v = Vec::new();
    write_ascii_stl(m, "patch", &mut v).unwrap();
    v
}

fn opts() -> StlOptions {
    StlOptions::default()
}

fn err(bytes: &[u8]) -> String {
    parse_stl(bytes, &opts()).unwrap_err().to_string()
}

/// Feeds `bytes` in pieces of `step` bytes.
fn chunked(bytes: &[u8], step: usize, hint: Option<u64>) -> Result<Mesh, StlError> {
    let mut r = StlReader::new(hint, &opts());
    for c in bytes.chunks(step) {
        r.push(c)?;
    }
    r.finish()
}

/// One raw binary file from explicit triangles (the writer refuses nothing, this can hold
/// NaN and degenerate triangles).
fn raw_binary(header: &[u8], count: u32, tris: &[[f32; 9]]) -> Vec<u8> {
    let mut v = vec![0u8; 80];
    v[..header.len()].copy_from_slice(header);
    v.extend_from_slice(&count.to_le_bytes());
    for t in tris {
        v.extend_from_slice(&[0u8; 12]);
        for f in t {
            v.extend_from_slice(&f.to_le_bytes());
        }
        v.extend_from_slice(&[0u8; 2]);
    }
    v
}

const TRI: [f32; 9] = [0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0];
const FLAT: [f32; 9] = [0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 2.0, 2.0, 2.0];

#[test]
fn binary_round_trip_is_bit_exact() {
    let m = patch(6);
    let bytes = binary(&m);
    let back = parse_stl(&bytes, &opts()).unwrap();
    assert_eq!(back.triangles(), m.triangles());
    assert_eq!(back.dropped_degenerate, 0);
    let back = read_stl(&bytes[..], None, &opts()).unwrap();
    assert_eq!(back.triangles(), m.triangles());
}

#[test]
fn ascii_round_trip_is_bit_exact() {
    let m = patch(6);
    let bytes = ascii(&m);
    let back = parse_stl(&bytes, &opts()).unwrap();
    let bits = |m: &Mesh| {
        m.triangles()
            .iter()
            .map(|f| f.to_bits())
            .collect::<Vec<_>>()
    };
    assert_eq!(bits(&back), bits(&m));
    let back = read_stl(&bytes[..], None, &opts()).unwrap();
    assert_eq!(bits(&back), bits(&m));
}

#[test]
fn info_reports_format_name_and_count() {
    let m = patch(3);
    let mut r = StlReader::new(None, &opts());
    r.push(&binary(&m)).unwrap();
    let (_, info) = r.finish_with_info().unwrap();
    assert_eq!(info.format, StlFormat::Binary);
    assert_eq!(info.name, "swarf");
    assert_eq!(info.declared_triangles, Some(18));

    // Known while parsing goes on, once the sniff window has arrived.
    let bytes = ascii(&m);
    let mut r = StlReader::new(None, &opts());
    r.push(&bytes[..1500]).unwrap();
    assert_eq!(r.info().unwrap().name, "patch");
    assert_eq!(r.info().unwrap().format, StlFormat::Ascii);
    assert!(r.triangles_read() > 0);
    r.push(&bytes[1500..]).unwrap();
    let (mesh, info) = r.finish_with_info().unwrap();
    assert_eq!(info.format, StlFormat::Ascii);
    assert_eq!(info.name, "patch");
    assert_eq!(info.declared_triangles, None);
    assert_eq!(mesh.len(), 18);
}

#[test]
fn binary_with_solid_header_is_binary() {
    let m = patch(5);
    let mut bytes = binary(&m);
    let header = b"solid cube exported by a CAD program that should know better";
    bytes[..header.len()].copy_from_slice(header);
    for hint in [Some(bytes.len() as u64), None] {
        let mut r = StlReader::new(hint, &opts());
        r.push(&bytes).unwrap();
        let (mesh, info) = r.finish_with_info().unwrap();
        assert_eq!(info.format, StlFormat::Binary);
        assert!(info.name.starts_with("solid cube"));
        assert_eq!(mesh.triangles(), m.triangles());
    }
    // Small file (under the sniff window), no hint, header padded with spaces: still binary.
    let mut small = raw_binary(b"solid tiny", 1, &[TRI]);
    small[10..80].fill(b' ');
    let mesh = read_stl(&small[..], None, &opts()).unwrap();
    assert_eq!(mesh.triangles(), &TRI);
}

#[test]
fn ascii_variants_parse() {
    // CRLF, upper and mixed case keywords, tabs, runs of blanks, scientific notation,
    // signs, a facet without `normal`, a BOM, blank lines and a multi-word name.
    let text = "\u{feff}  SOLID  My Part v2 \r\n\r\n\
        FACET NORMAL 0 0 1\r\n\
        \tOUTER LOOP\r\n\
        \t\tVERTEX 0.0E+00 0 -0\r\n\
        \t\tvertex   1e0\t0.0e-3   0\r\n\
        \t\tVeRtEx +0 1.0 0\r\n\
        \tENDLOOP\r\n\
        ENDFACET\r\n\
        facet outer loop vertex 1 0 0 vertex 1 1 0 vertex 0 1 0 endloop endfacet\n\
        facet normal 0 0 0\n outer loop\n  vertex 2.5e-1 .5 5.\n  vertex 3 3 3\n  vertex 3 3 3\n endloop\n endfacet\n\
        ENDSOLID My Part v2";
    let mut r = StlReader::new(None, &opts());
    r.push(text.as_bytes()).unwrap();
    let (m, info) = r.finish_with_info().unwrap();
    assert_eq!(info.format, StlFormat::Ascii);
    assert_eq!(info.name, "My Part v2");
    assert_eq!(m.len(), 2);
    assert_eq!(m.dropped_degenerate, 1);
    assert_eq!(
        m.triangle(0),
        [[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]
    );
    assert_eq!(m.triangle(1)[2], [0.0, 1.0, 0.0]);
    // Concatenated solids are one model.
    let two = "solid a\nfacet normal 0 0 1 outer loop vertex 0 0 0 vertex 1 0 0 vertex 0 1 0 endloop endfacet\nendsolid a\n\
               solid b\nfacet normal 0 0 1 outer loop vertex 0 0 1 vertex 1 0 1 vertex 0 1 1 endloop endfacet\nendsolid b\n";
    assert_eq!(parse_stl(two.as_bytes(), &opts()).unwrap().len(), 2);
}

#[test]
fn every_split_gives_the_same_mesh() {
    let m = patch(5); // 50 triangles: 2584 binary bytes, past the 1 KiB sniff window
    let bin = binary(&m);
    let mut solid_bin = bin.clone();
    solid_bin[..11].copy_from_slice(b"solid patch");
    let asc = ascii(&m);
    let crlf: Vec<u8> = String::from_utf8(asc.clone())
        .unwrap()
        .replace('\n', "\r\n")
        .into_bytes();
    let mut with_degenerate = raw_binary(b"", 3, &[TRI, FLAT, TRI]);
    with_degenerate.extend_from_slice(&[]);
    for file in [&bin, &solid_bin, &asc, &crlf, &with_degenerate] {
        let whole = parse_stl(file, &opts()).unwrap();
        for step in 1..=97 {
            for hint in [Some(file.len() as u64), None] {
                let got = chunked(file, step, hint).unwrap();
                assert_eq!(got.triangles(), whole.triangles(), "step {step}");
                assert_eq!(got.dropped_degenerate, whole.dropped_degenerate);
            }
        }
    }
}

#[test]
fn errors_are_the_same_at_every_split() {
    let m = patch(4);
    let mut asc = ascii(&m);
    let at = asc.len() - 300;
    asc[at..at + 6].copy_from_slice(b"vortex");
    let whole = parse_stl(&asc, &opts()).unwrap_err();
    assert!(whole.to_string().contains("line "), "{whole}");
    let mut bin = binary(&m);
    bin[84 + 50 * 7 + 20..84 + 50 * 7 + 24].copy_from_slice(&f32::NAN.to_le_bytes());
    let whole_bin = parse_stl(&bin, &opts()).unwrap_err();
    for step in 1..=97 {
        assert_eq!(chunked(&asc, step, None).unwrap_err(), whole);
        assert_eq!(chunked(&bin, step, None).unwrap_err(), whole_bin);
    }
}

#[test]
fn degenerate_triangles_are_dropped_and_counted() {
    let bytes = raw_binary(b"", 4, &[FLAT, TRI, FLAT, TRI]);
    let m = parse_stl(&bytes, &opts()).unwrap();
    assert_eq!(m.len(), 2);
    assert_eq!(m.dropped_degenerate, 2);
    // Same rule as Mesh::from_triangles.
    let mut all = Vec::new();
    for t in [FLAT, TRI, FLAT, TRI] {
        all.extend_from_slice(&t);
    }
    let direct = Mesh::from_triangles(all).unwrap();
    assert_eq!(direct.triangles(), m.triangles());
    assert_eq!(direct.dropped_degenerate, m.dropped_degenerate);
}

#[test]
fn error_empty() {
    assert_eq!(err(b""), "the file is empty");
    assert_eq!(
        read_stl(&b""[..], None, &opts()).unwrap_err(),
        StlError::Empty
    );
}

#[test]
fn error_truncated_binary() {
    let bytes = binary(&patch(3)); // 18 triangles, 984 bytes
    let e = err(&bytes[..500]);
    assert_eq!(
        e,
        "binary STL is truncated: the header declares 18 triangles (984 bytes) but the file has only 500 bytes"
    );
    // Without a size hint the same numbers come from the stream itself.
    let e = read_stl(&bytes[..500], None, &opts())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("declares 18 triangles") && e.contains("only 500 bytes"),
        "{e}"
    );
    let short = raw_binary(b"", 1, &[TRI]);
    assert_eq!(
        err(&short[..40]),
        "the file is only 40 bytes: too short for a binary STL (84-byte header) and not ASCII STL text"
    );
}

#[test]
fn error_count_disagrees_with_size() {
    let mut bytes = binary(&patch(3));
    bytes.extend_from_slice(&[0u8; 100]);
    let e = err(&bytes);
    assert!(e.contains("face count disagrees with the file size"), "{e}");
    assert!(
        e.contains("declares 18 triangles") && e.contains("1084 bytes"),
        "{e}"
    );
    let e = read_stl(&bytes[..], None, &opts()).unwrap_err().to_string();
    assert!(e.contains("1084 bytes"), "{e}");
}

#[test]
fn error_malformed_ascii_names_line_and_expectation() {
    let text = "solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0\nvertex 0 1 0\nendloop\nendfacet\nendsolid x\n";
    assert_eq!(
        err(text.as_bytes()),
        "malformed ASCII STL at line 6: expected a number (vertex coordinate), found `vertex`"
    );
    let text = "solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nvertex 0 1 0\nendloop\nendfacet\n";
    assert_eq!(
        err(text.as_bytes()),
        "malformed ASCII STL at line 9: expected `facet` or `endsolid`, found end of file"
    );
    let text = "solid x\nfacet normal 0 0 1\nouter lop\n";
    assert!(err(text.as_bytes()).contains("line 3: expected `loop` (after `outer`), found `lop`"));
    let text = "solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 1,5\n";
    assert!(
        err(text.as_bytes()).contains("line 4: expected a number (vertex coordinate), found `1,5`")
    );
}

#[test]
fn error_non_finite_coordinates() {
    let mut nan = TRI;
    nan[4] = f32::NAN;
    let bytes = raw_binary(b"", 3, &[TRI, TRI, nan]);
    assert_eq!(err(&bytes), "triangle 3 has a NaN or infinite coordinate");
    let mut inf = TRI;
    inf[0] = f32::INFINITY;
    assert!(err(&raw_binary(b"", 1, &[inf])).contains("triangle 1 has a NaN"));
    let text = "solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex nan 0 0\nvertex 0 1 0\nendloop\nendfacet\nendsolid\n";
    assert_eq!(
        err(text.as_bytes()),
        "triangle 1 (line 8) has a NaN or infinite coordinate"
    );
    let text = text.replace("nan", "1e999");
    assert!(err(text.as_bytes()).contains("NaN or infinite"));
}

#[test]
fn error_impostors_are_named() {
    let pad = |magic: &[u8]| {
        let mut v = magic.to_vec();
        v.resize(2000, 0x5a);
        v
    };
    let cases: &[(&[u8], &str)] = &[
        (
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR",
            "this is a PNG image, not an STL file",
        ),
        (
            b"\xff\xd8\xff\xe0\0\x10JFIF",
            "this is a JPEG image, not an STL file",
        ),
        (b"GIF89a", "this is a GIF image, not an STL file"),
        (b"%PDF-1.7\n", "this is a PDF document, not an STL file"),
        (
            b"PK\x03\x04\x14\0\0\0\0\0",
            "this is a ZIP archive, not an STL file",
        ),
        (
            b"PK\x03\x04\x14\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x10\0\0\x003D/3dmodel.model",
            "3MF project",
        ),
        (b"\x1f\x8b\x08\0", "gzip-compressed"),
        (b"glTF\x02\0\0\0", "binary glTF"),
    ];
    for (magic, msg) in cases {
        let e = err(&pad(magic));
        assert!(e.contains(msg), "{e}");
        // Also when the file is shorter than the sniff window.
        let e = err(magic);
        assert!(e.contains(msg), "{e}");
    }
    let obj = "# Blender v2.9 OBJ File\nmtllib cube.mtl\no Cube\nv 1.0 1.0 -1.0\nv 1.0 -1.0 -1.0\nf 1 2 3\n";
    assert_eq!(
        err(obj.as_bytes()),
        "this is a Wavefront OBJ model, not an STL file"
    );
    assert!(err(b"ply\nformat ascii 1.0\n").contains("PLY model"));
    assert!(err(b"<?xml version=\"1.0\"?>\n<amf unit=\"mm\">").contains("AMF model"));
    assert!(err(b"G21\nG90\nG0 X0 Y0\n").contains("G-code"));
    assert!(err(b"hello world, this is some text").contains("text file without the `solid`"));
}

#[test]
fn error_too_many_triangles() {
    let m = patch(4); // 32 triangles
    let small = StlOptions { max_triangles: 10 };
    let e = parse_stl(&binary(&m), &small).unwrap_err().to_string();
    assert_eq!(
        e,
        "the file declares 32 triangles, more than the limit of 10 (0.0 GB in the engine at \
         42 bytes a triangle; the page's engine, WebAssembly, stops at 4 GB)"
    );
    let e = parse_stl(&ascii(&m), &small).unwrap_err().to_string();
    assert_eq!(
        e,
        "the file has at least 11 triangles, more than the limit of 10"
    );
    // A huge declared count with no size hint is refused before anything is allocated.
    let mut bytes = binary(&m);
    bytes[80..84].copy_from_slice(&u32::MAX.to_le_bytes());
    let e = read_stl(&bytes[..], None, &opts()).unwrap_err().to_string();
    assert!(e.contains("declares 4294967295 triangles, more than the limit of 50000000"));
    // It says what the file would need: 4.3 billion triangles at 42 bytes.
    assert!(e.contains("(180.4 GB in the engine"), "{e}");
    // With the size known, the disagreement is the better diagnosis.
    assert!(err(&bytes).contains("truncated: the header declares 4294967295 triangles"));
}

#[test]
fn error_zero_triangles() {
    let bytes = raw_binary(b"empty", 0, &[]);
    assert_eq!(err(&bytes), "the file contains zero triangles");
    assert_eq!(
        err(b"solid x\nendsolid x\n"),
        "the file contains zero triangles"
    );
    let bytes = raw_binary(b"", 2, &[FLAT, FLAT]);
    assert_eq!(
        err(&bytes),
        "the file contains zero usable triangles: all 2 have zero area"
    );
}

#[test]
fn errors_are_one_line_and_implement_error() {
    let e: Box<dyn std::error::Error> = Box::new(StlError::Empty);
    assert!(!e.to_string().is_empty());
    let e = err(b"solid x\nfacet normal 0 0 1\nouter lo\xffop\n");
    assert!(!e.contains('\n') && e.contains("`lo\\xffop`"), "{e}");
}

#[test]
fn reader_repeats_its_error() {
    let mut r = StlReader::new(None, &opts());
    let png = b"\x89PNG\r\n\x1a\n".repeat(200);
    let e = r.push(&png).unwrap_err();
    assert_eq!(r.push(b"more").unwrap_err(), e);
    assert_eq!(r.finish().unwrap_err(), e);
}

/// A reader that hands out at most 7 bytes per call, and is interrupted now and then.
struct Trickle<'a>(&'a [u8], u32);

impl std::io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.1 += 1;
        if self.1.is_multiple_of(5) {
            return Err(std::io::ErrorKind::Interrupted.into());
        }
        let n = buf.len().min(7).min(self.0.len());
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

#[test]
fn read_stl_handles_short_reads_and_io_errors() {
    let m = patch(4);
    let bytes = ascii(&m);
    let got = read_stl(Trickle(&bytes, 0), None, &opts()).unwrap();
    assert_eq!(got.len(), m.len());

    struct Broken;
    impl std::io::Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk on fire"))
        }
    }
    assert_eq!(
        read_stl(Broken, None, &opts()).unwrap_err().to_string(),
        "read error: disk on fire"
    );
}

#[test]
fn binary_buffer_is_reserved_exactly() {
    let m = patch(10);
    let got = parse_stl(&binary(&m), &opts()).unwrap();
    assert_eq!(got.heap_bytes(), m.len() * 36);
    let got = parse_stl(&ascii(&m), &opts()).unwrap();
    assert!(
        got.heap_bytes() <= m.len() * 36 * 17 / 16,
        "{}",
        got.heap_bytes()
    );
}

/// Parse speed; run with `cargo test --release --test stl -- --ignored --nocapture`.
#[test]
#[ignore]
fn parse_speed() {
    let m = patch(708); // ~1M triangles
    let path = std::env::temp_dir().join("swarf-speed.stl");
    let path_a = std::env::temp_dir().join("swarf-speed-ascii.stl");
    write_binary_stl(
        &m,
        std::io::BufWriter::new(std::fs::File::create(&path).unwrap()),
    )
    .unwrap();
    write_ascii_stl(
        &m,
        "speed",
        std::io::BufWriter::new(std::fs::File::create(&path_a).unwrap()),
    )
    .unwrap();
    for p in [&path, &path_a] {
        let size = std::fs::metadata(p).unwrap().len();
        let t = std::time::Instant::now();
        let got = read_stl(std::fs::File::open(p).unwrap(), Some(size), &opts()).unwrap();
        let s = t.elapsed().as_secs_f64();
        assert_eq!(got.len(), m.len());
        println!(
            "{}: {} triangles, {:.1} MB in {:.3} s = {:.0} MB/s",
            p.display(),
            got.len(),
            size as f64 / 1e6,
            s,
            size as f64 / 1e6 / s
        );
    }
}
