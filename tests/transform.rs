//! Mesh transforms: known results, orientation kept, errors leave the mesh untouched.

use swarf::mesh::transform::{Axis, Placement, TransformError};
use swarf::mesh::Mesh;
use swarf::post::Units;

/// An axis-aligned box from `lo` to `hi`, 12 triangles wound counter-clockwise seen from
/// outside.
fn cuboid(lo: [f32; 3], hi: [f32; 3]) -> Mesh {
    let c = |i: usize| {
        [
            if i & 1 == 0 { lo[0] } else { hi[0] },
            if i & 2 == 0 { lo[1] } else { hi[1] },
            if i & 4 == 0 { lo[2] } else { hi[2] },
        ]
    };
    // Quads as corner indices, counter-clockwise from outside.
    let quads = [
        [0, 2, 3, 1], // z = lo
        [4, 5, 7, 6], // z = hi
        [0, 1, 5, 4], // y = lo
        [2, 6, 7, 3], // y = hi
        [0, 4, 6, 2], // x = lo
        [1, 3, 7, 5], // x = hi
    ];
    let mut t = Vec::new();
    for q in quads {
        for tri in [[q[0], q[1], q[2]], [q[0], q[2], q[3]]] {
            for i in tri {
                t.extend_from_slice(&c(i));
            }
        }
    }
    Mesh::from_triangles(t).unwrap()
}

/// Six times the signed volume: positive when every triangle faces outward.
fn signed_volume(m: &Mesh) -> f64 {
    (0..m.len())
        .map(|i| {
            let [a, b, c] = m.triangle(i).map(|v| v.map(f64::from));
            a[0] * (b[1] * c[2] - b[2] * c[1]) - a[1] * (b[0] * c[2] - b[2] * c[0])
                + a[2] * (b[0] * c[1] - b[1] * c[0])
        })
        .sum()
}

fn close(a: [f32; 3], b: [f32; 3]) -> bool {
    a.iter()
        .zip(&b)
        .all(|(x, y)| (x - y).abs() <= 1e-5 * (1.0 + y.abs()))
}

#[test]
fn cuboid_fixture_is_outward() {
    let m = cuboid([0.0; 3], [1.0, 2.0, 3.0]);
    assert!((signed_volume(&m) - 36.0).abs() < 1e-9);
}

#[test]
fn uniform_and_axis_scale() {
    let mut m = cuboid([1.0, 2.0, 3.0], [2.0, 4.0, 6.0]);
    m.scale(2.0).unwrap();
    let b = m.bounds();
    assert_eq!(b.min, [2.0, 4.0, 6.0]);
    assert_eq!(b.max, [4.0, 8.0, 12.0]);
    m.scale_xyz([0.5, 0.25, 1.0]).unwrap();
    assert_eq!(m.bounds().max, [2.0, 2.0, 12.0]);
    assert!(signed_volume(&m) > 0.0);
}

#[test]
fn negative_scale_keeps_orientation() {
    for f in [
        [-1.0, 1.0, 1.0],
        [-1.0, -2.0, 1.0],
        [-1.0, -1.0, -0.5],
        [2.0, 2.0, -3.0],
    ] {
        let mut m = cuboid([0.0; 3], [1.0, 2.0, 3.0]);
        m.scale_xyz(f).unwrap();
        let vol = 6.0 * (f[0] * f[1] * f[2]).abs() as f64;
        assert!((signed_volume(&m) - vol * 6.0).abs() < 1e-6, "{f:?}");
    }
}

#[test]
fn bad_scale_is_refused_and_mesh_unchanged() {
    let mut m = cuboid([0.0; 3], [10.0; 3]);
    let before = m.triangles().to_vec();
    assert_eq!(
        m.scale_xyz([1.0, 0.0, 1.0]),
        Err(TransformError::BadScale {
            axis: Axis::Y,
            factor: 0.0
        })
    );
    assert!(m.scale(f32::NAN).is_err());
    assert!(m.scale(f32::INFINITY).is_err());
    let e = m.scale(0.0).unwrap_err().to_string();
    assert_eq!(e, "scale factor for X must be finite and non-zero, got 0");
    let e = m.scale(1e38).unwrap_err();
    assert_eq!(e, TransformError::Overflow { axis: Axis::X });
    assert!(e.to_string().contains("beyond the range"));
    assert_eq!(m.triangles(), &before[..]);
}

#[test]
fn quarter_turns() {
    let p = |m: &Mesh| m.bounds();
    // Z: +X goes to +Y.
    let mut m = cuboid([1.0, 0.0, 0.0], [2.0, 0.5, 0.25]);
    m.rotate_quarter_turns(Axis::Z, 1);
    assert_eq!(p(&m).min, [-0.5, 1.0, 0.0]);
    assert_eq!(p(&m).max, [0.0, 2.0, 0.25]);
    // X: +Y goes to +Z.
    let mut m = cuboid([0.0, 1.0, 0.0], [0.5, 2.0, 0.25]);
    m.rotate_quarter_turns(Axis::X, 1);
    assert_eq!(p(&m).min, [0.0, -0.25, 1.0]);
    assert_eq!(p(&m).max, [0.5, 0.0, 2.0]);
    // Y: +Z goes to +X.
    let mut m = cuboid([0.0, 0.0, 1.0], [0.5, 0.25, 2.0]);
    m.rotate_quarter_turns(Axis::Y, 1);
    assert_eq!(p(&m).min, [1.0, 0.0, -0.5]);
    assert_eq!(p(&m).max, [2.0, 0.25, 0.0]);
    // Four turns, or -1 then +1, is the identity, bit for bit; orientation is kept.
    for axis in [Axis::X, Axis::Y, Axis::Z] {
        let orig = cuboid([0.3, -1.7, 2.9], [1.1, 0.2, 3.3]);
        let mut m = orig.clone();
        m.rotate_quarter_turns(axis, 3);
        assert!(signed_volume(&m) > 0.0);
        m.rotate_quarter_turns(axis, 5);
        assert_eq!(m.triangles(), orig.triangles());
        m.rotate_quarter_turns(axis, -2);
        m.rotate_quarter_turns(axis, 2);
        assert_eq!(m.triangles(), orig.triangles());
    }
}

#[test]
fn mirror_flips_winding() {
    for axis in [Axis::X, Axis::Y, Axis::Z] {
        let orig = cuboid([1.0, 2.0, 3.0], [2.0, 3.0, 5.0]);
        let mut m = orig.clone();
        m.mirror(axis);
        let k = axis as usize;
        assert_eq!(m.bounds().min[k], -orig.bounds().max[k]);
        assert_eq!(m.bounds().max[k], -orig.bounds().min[k]);
        assert!(
            signed_volume(&m) > 0.0,
            "{axis:?} turned the model inside out"
        );
        // Each triangle's own normal is the mirror image of the original one.
        let n = |t: [[f32; 3]; 3]| {
            let e1 = [t[1][0] - t[0][0], t[1][1] - t[0][1], t[1][2] - t[0][2]];
            let e2 = [t[2][0] - t[0][0], t[2][1] - t[0][1], t[2][2] - t[0][2]];
            [
                e1[1] * e2[2] - e1[2] * e2[1],
                e1[2] * e2[0] - e1[0] * e2[2],
                e1[0] * e2[1] - e1[1] * e2[0],
            ]
        };
        for i in 0..m.len() {
            let mut want = n(orig.triangle(i));
            want[k] = -want[k];
            assert!(close(n(m.triangle(i)), want));
        }
        m.mirror(axis);
        assert_eq!(m.triangles(), orig.triangles());
    }
}

#[test]
fn translate_and_bad_offsets() {
    let mut m = cuboid([0.0; 3], [1.0; 3]);
    m.translate([10.0, -5.0, 0.5]).unwrap();
    assert_eq!(m.bounds().min, [10.0, -5.0, 0.5]);
    assert_eq!(m.bounds().max, [11.0, -4.0, 1.5]);
    let e = m.translate([0.0, 0.0, f32::NAN]).unwrap_err();
    assert_eq!(e.to_string(), "translation along Z must be finite, got NaN");
    let mut far = cuboid([0.0; 3], [1.0e38; 3]);
    far.translate([f32::MAX, 0.0, 0.0]).unwrap_err();
    assert_eq!(far.bounds().max, [1.0e38; 3]);
    assert_eq!(m.bounds().min, [10.0, -5.0, 0.5]);
}

#[test]
fn place_on_bed() {
    let mut m = cuboid([10.0, 20.0, -3.0], [14.0, 30.0, 7.0]);
    m.place_on_bed(Placement::Center).unwrap();
    assert_eq!(m.bounds().min, [-2.0, -5.0, 0.0]);
    assert_eq!(m.bounds().max, [2.0, 5.0, 10.0]);
    m.place_on_bed(Placement::Origin).unwrap();
    assert_eq!(m.bounds().min, [0.0, 0.0, 0.0]);
    assert_eq!(m.bounds().max, [4.0, 10.0, 10.0]);
    // Empty mesh: nothing to do, no error.
    let mut empty = Mesh::default();
    empty.place_on_bed(Placement::Center).unwrap();
    // Huge coordinates do not overflow while finding the centre.
    let mut big = cuboid([3.0e38, 3.0e38, 0.0], [3.2e38, 3.2e38, 1.0]);
    big.place_on_bed(Placement::Center).unwrap();
    assert!(close(big.bounds().max, [1.0e37, 1.0e37, 1.0]));
}

#[test]
fn unit_conversion() {
    let mut m = cuboid([0.0; 3], [1.0, 2.0, 0.5]);
    m.convert_units(Units::Inch, Units::Mm).unwrap();
    assert_eq!(m.bounds().max, [25.4, 50.8, 12.7]);
    m.convert_units(Units::Mm, Units::Inch).unwrap();
    assert_eq!(m.bounds().max, [1.0, 2.0, 0.5]);
    m.convert_units(Units::Mm, Units::Mm).unwrap();
    assert_eq!(m.bounds().max, [1.0, 2.0, 0.5]);
    assert!(signed_volume(&m) > 0.0);
    let mut huge = cuboid([0.0; 3], [1.0e38; 3]);
    assert!(huge.convert_units(Units::Inch, Units::Mm).is_err());
}
