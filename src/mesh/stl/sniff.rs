//! Content sniffing: text or binary, and what a file that is not an STL actually is.

use super::SNIFF_BYTES;

pub(super) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

/// Text as far as sniffing is concerned: printable ASCII, whitespace, and bytes >= 0x80
/// (UTF-8 in solid names). Control bytes, NUL above all, mean binary.
pub(super) fn is_text(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .all(|&b| (b >= 0x20 && b != 0x7f) || matches!(b, b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
}

pub(super) fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix(b"\xef\xbb\xbf").unwrap_or(b)
}

pub(super) fn trim_start(b: &[u8]) -> &[u8] {
    let n = b.iter().take_while(|&&c| is_space(c)).count();
    &b[n..]
}

/// `text` starts with `kw` (any case) followed by whitespace or the end.
pub(super) fn starts_with_keyword(text: &[u8], kw: &[u8]) -> bool {
    text.len() >= kw.len()
        && text[..kw.len()].eq_ignore_ascii_case(kw)
        && text.get(kw.len()).is_none_or(|&b| is_space(b))
}

pub(super) fn header_text(header: &[u8]) -> String {
    let s: String = header
        .iter()
        .map(|&b| {
            if (0x20..0x7f).contains(&b) {
                b as char
            } else {
                ' '
            }
        })
        .collect();
    s.trim().to_string()
}

/// Names files that are clearly not STL, by magic bytes or (for text) by their first line.
pub(super) fn impostor(w: &[u8]) -> Option<&'static str> {
    const MAGIC: &[(&[u8], &str)] = &[
        (b"\x89PNG\r\n\x1a\n", "a PNG image"),
        (b"\xff\xd8\xff", "a JPEG image"),
        (b"GIF87a", "a GIF image"),
        (b"GIF89a", "a GIF image"),
        (b"II*\0", "a TIFF image"),
        (b"MM\0*", "a TIFF image"),
        (b"%PDF-", "a PDF document"),
        (b"%!PS", "a PostScript document"),
        (b"{\\rtf", "an RTF document"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
            "an old Microsoft Office document",
        ),
        (b"\x1f\x8b", "a gzip-compressed file (decompress it first)"),
        (b"BZh", "a bzip2-compressed file (decompress it first)"),
        (b"\xfd7zXZ\0", "an xz-compressed file (decompress it first)"),
        (
            b"\x28\xb5\x2f\xfd",
            "a zstd-compressed file (decompress it first)",
        ),
        (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
        (b"Rar!\x1a\x07", "a RAR archive"),
        (b"glTF", "a binary glTF (GLB) model"),
        (b"Kaydara FBX Binary", "an FBX model"),
        (b"BLENDER", "a Blender file"),
        (b"SQLite format 3\0", "an SQLite database"),
        (b"\x7fELF", "a program (ELF executable)"),
        (b"\xff\xfe", "UTF-16 text (save it as UTF-8 or ASCII)"),
        (b"\xfe\xff", "UTF-16 text (save it as UTF-8 or ASCII)"),
    ];
    if w.starts_with(b"PK\x03\x04") || w.starts_with(b"PK\x05\x06") {
        return Some(if contains(w, b"3D/") || contains(w, b".model") {
            "a 3MF project (a ZIP archive; export the model as STL)"
        } else {
            "a ZIP archive"
        });
    }
    if w.starts_with(b"RIFF") && w.get(8..12) == Some(b"WEBP") {
        return Some("a WebP image");
    }
    if w.get(4..8) == Some(b"ftyp") {
        return Some("a video or HEIF/AVIF image (ISO media file)");
    }
    if let Some((_, what)) = MAGIC.iter().find(|(m, _)| w.starts_with(m)) {
        return Some(what);
    }
    let text = strip_bom(w);
    if !is_text(text) {
        return None;
    }
    let t = trim_start(text);
    let lower = |n: usize| t[..t.len().min(n)].to_ascii_lowercase();
    let head = lower(200);
    if starts_with_keyword(t, b"ply") {
        return Some("a PLY model");
    }
    if t.starts_with(b"OFF") {
        return Some("an OFF model");
    }
    if t.starts_with(b"ISO-10303-21") {
        return Some("a STEP model");
    }
    if head.starts_with(b"<") {
        return Some(if contains(&head, b"<amf") {
            "an AMF model"
        } else if contains(&head, b"<svg") {
            "an SVG image"
        } else if contains(&head, b"<html") || contains(&head, b"<!doctype html") {
            "a web page (HTML)"
        } else {
            "an XML document"
        });
    }
    if t.starts_with(b"{") {
        return Some(if contains(&lower(SNIFF_BYTES), b"\"asset\"") {
            "a glTF model"
        } else {
            "a JSON document"
        });
    }
    if t.starts_with(b"0") && contains(&head, b"section") {
        return Some("a DXF drawing");
    }
    // OBJ: the first non-comment line is a vertex, face, group or material statement.
    let first = text
        .split(|&b| b == b'\n')
        .map(trim_start)
        .find(|l| !l.is_empty() && !l.starts_with(b"#"))
        .unwrap_or(b"");
    let obj = [
        &b"v"[..],
        b"vn",
        b"vt",
        b"f",
        b"o",
        b"g",
        b"s",
        b"mtllib",
        b"usemtl",
    ];
    if obj.iter().any(|k| starts_with_keyword(first, k)) {
        return Some("a Wavefront OBJ model");
    }
    let gcode =
        (first.len() > 1 && first[0].eq_ignore_ascii_case(&b'g') && first[1].is_ascii_digit())
            || first == b"%"
            || first.starts_with(b";")
            || first.starts_with(b"(");
    if gcode {
        return Some("G-code");
    }
    Some("a text file without the `solid` keyword ASCII STL starts with")
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
