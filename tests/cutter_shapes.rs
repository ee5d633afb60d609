//! Known answers for the drop-cutter contact of all four cutter shapes, worked out by hand
//! (closed forms in the comments). All geometry uses coordinates that `f32` holds exactly.
#![allow(clippy::disallowed_methods)] // references computed with std maths

use swarf::cutter::{Cutter, Shape};

const R: f64 = 3.0;
const TOL: f64 = 1e-9;

fn flat() -> Cutter {
    Cutter::flat(2.0 * R).unwrap()
}
fn ball() -> Cutter {
    Cutter::ball(2.0 * R).unwrap()
}
/// Corner radius 1, so the flat bottom has radius a = 2.
fn bull() -> Cutter {
    Cutter::bull(2.0 * R, 1.0).unwrap()
}
/// Included angle in degrees; the flank rises `k = 1 / tan(angle / 2)` per unit radius.
fn cone(angle: f64) -> Cutter {
    Cutter::cone(2.0 * R, angle).unwrap()
}
fn rise(angle: f64) -> f64 {
    1.0 / (angle.to_radians() / 2.0).tan()
}

type Tri = [f32; 9];

fn tri(a: [f64; 3], b: [f64; 3], c: [f64; 3]) -> Tri {
    [a, b, c]
        .concat()
        .iter()
        .map(|&v| v as f32)
        .collect::<Vec<_>>()
        .try_into()
        .unwrap()
}

/// The edge `a`-`b` on its own: a triangle with a repeated vertex has no facet.
fn edge(a: [f64; 3], b: [f64; 3]) -> Tri {
    tri(a, b, b)
}

/// Drop onto several triangles: the highest contact.
fn drop(cutter: &Cutter, x: f64, y: f64, tris: &[Tri]) -> Option<f64> {
    tris.iter()
        .filter_map(|t| cutter.drop_triangle(x, y, t))
        .reduce(f64::max)
}

fn close(got: Option<f64>, want: f64, what: &str) {
    let got = got.unwrap_or_else(|| panic!("{what}: got None, want {want}"));
    assert!(
        (got - want).abs() <= TOL,
        "{what}: got {got}, want {want} (off by {:e})",
        got - want
    );
}

/// A big triangle around the origin on the plane `z = z0 + s x` (the disk of radius 3
/// around any point within 1 of the origin is inside it).
fn plane(s: f64, z0: f64) -> Tri {
    let z = |x: f64| z0 + s * x;
    tri(
        [-10.0, -10.0, z(-10.0)],
        [10.0, -10.0, z(10.0)],
        [0.0, 10.0, z(0.0)],
    )
}

#[test]
fn horizontal_plane_tip_is_plane_height() {
    let t = plane(0.0, 1.5);
    for c in [flat(), ball(), bull(), cone(30.0), cone(90.0), cone(150.0)] {
        close(
            c.drop_triangle(0.25, -0.5, &t),
            1.5,
            &format!("{:?}", c.shape()),
        );
    }
}

#[test]
fn inclined_plane() {
    // Plane z = z0 + s x, tilt θ with tan θ = s; at the axis x = 0.25 the plane is at zc.
    let (x, y) = (0.25, -0.5);
    for s in [0.5, 0.75, 2.0] {
        let t = plane(s, 1.0);
        let zc = 1.0 + s * x;
        let sec = (1.0 + s * s).sqrt(); // 1 / cos θ
                                        // Flat: touches with the rim, uphill: zc + s R.
        close(flat().drop_triangle(x, y, &t), zc + s * R, "flat");
        // Ball: the centre is R along the normal from the plane: zc + R / cos θ - R.
        close(ball().drop_triangle(x, y, &t), zc + R * sec - R, "ball");
        // Bull (a = R - c): the corner circle's centre ring sits at radius a, and the tube
        // touches like a ball of radius c: zc + s a + c (1 / cos θ - 1).
        close(
            bull().drop_triangle(x, y, &t),
            zc + s * 2.0 + 1.0 * (sec - 1.0),
            "bull",
        );
        // Cone: rim contact if the plane is steeper than the flank (zc + (s - k) R), else
        // the apex (zc).
        for angle in [60.0, 90.0, 120.0] {
            let k = rise(angle);
            let want = if s > k { zc + (s - k) * R } else { zc };
            close(
                cone(angle).drop_triangle(x, y, &t),
                want,
                &format!("cone {angle} slope {s}"),
            );
        }
    }
}

#[test]
fn horizontal_edge_at_distance() {
    // Edge along y at x = d, height 2: tip = 2 - h(d) for every shape.
    for d in [0.0, 0.5, 1.5, 2.0, 2.5, 2.96875] {
        let e = edge([d, -10.0, 2.0], [d, 10.0, 2.0]);
        close(flat().drop_triangle(0.0, 0.0, &e), 2.0, "flat");
        close(
            ball().drop_triangle(0.0, 0.0, &e),
            2.0 + (R * R - d * d).sqrt() - R,
            "ball",
        );
        let bull_h = if d <= 2.0 {
            0.0
        } else {
            1.0 - (1.0 - (d - 2.0) * (d - 2.0)).sqrt()
        };
        close(bull().drop_triangle(0.0, 0.0, &e), 2.0 - bull_h, "bull");
        for angle in [60.0, 90.0] {
            close(
                cone(angle).drop_triangle(0.0, 0.0, &e),
                2.0 - d * rise(angle),
                "cone",
            );
        }
    }
}

#[test]
fn inclined_edge_at_distance() {
    // Edge at x = d rising along y with slope m: z = 1 + m y, foot point height 1.
    let d = 1.25;
    for m in [0.25, 0.5, 0.75] {
        let e = edge([d, -8.0, 1.0 - 8.0 * m], [d, 8.0, 1.0 + 8.0 * m]);
        // Ball: the circle of radius w = sqrt(R² - d²) touching a line of slope m:
        // 1 + w sqrt(1 + m²) - R.
        let w = (R * R - d * d).sqrt();
        close(
            ball().drop_triangle(0.0, 0.0, &e),
            1.0 + w * (1.0 + m * m).sqrt() - R,
            "ball",
        );
        // Cone with |m| < k: τ* = d m / sqrt(k² - m²), tip 1 - d sqrt(k² - m²).
        for angle in [60.0, 90.0] {
            let k = rise(angle);
            close(
                cone(angle).drop_triangle(0.0, 0.0, &e),
                1.0 - d * (k * k - m * m).sqrt(),
                "cone",
            );
        }
        // Flat: highest point in reach, at the chord end y = w.
        close(flat().drop_triangle(0.0, 0.0, &e), 1.0 + m * w, "flat");
    }
    // Cone steeper edge than flank (m ≥ k): the chord end wins: 1 + m w - k R.
    let k = rise(120.0);
    let m = 1.0;
    let e = edge([d, -8.0, 1.0 - 8.0], [d, 8.0, 1.0 + 8.0]);
    let w = (R * R - d * d).sqrt();
    close(
        cone(120.0).drop_triangle(0.0, 0.0, &e),
        1.0 + m * w - k * R,
        "cone steep edge",
    );
}

#[test]
fn bull_inclined_edge_through_axis() {
    // With the edge line over the axis (d = 0) the torus section is the corner circle
    // itself: the contact is where the profile slope equals m, s = c m / sqrt(1 + m²),
    // ρ = a + s; tip = z(ρ) - h(ρ) = 1 + m (a + s) - c + sqrt(c² - s²).
    for m in [0.125, 0.5, 1.0, 3.0] {
        let e = edge([0.0, -8.0, 1.0 - 8.0 * m], [0.0, 8.0, 1.0 + 8.0 * m]);
        let s = m / (1.0 + m * m).sqrt();
        close(
            bull().drop_triangle(0.0, 0.0, &e),
            1.0 + m * (2.0 + s) - 1.0 + (1.0 - s * s).sqrt(),
            &format!("bull m {m}"),
        );
    }
}

#[test]
fn single_vertex() {
    let d: f64 = 2.5;
    let v = [d * 0.6, d * 0.8, 4.0]; // |v_xy| = 2.5
    let t = tri(v, v, v);
    close(flat().drop_triangle(0.0, 0.0, &t), 4.0, "flat");
    close(
        ball().drop_triangle(0.0, 0.0, &t),
        4.0 - (R - (R * R - d * d).sqrt()),
        "ball",
    );
    close(
        bull().drop_triangle(0.0, 0.0, &t),
        4.0 - (1.0 - (1.0 - 0.25f64).sqrt()),
        "bull",
    );
    close(cone(90.0).drop_triangle(0.0, 0.0, &t), 4.0 - d, "cone");
}

#[test]
fn vertical_wall_tip_is_wall_top() {
    // Wall in the plane x = 2, from z = -5 up to z = 3.
    let wall = [
        tri([2.0, -10.0, -5.0], [2.0, 10.0, -5.0], [2.0, 10.0, 3.0]),
        tri([2.0, -10.0, -5.0], [2.0, 10.0, 3.0], [2.0, -10.0, 3.0]),
    ];
    close(drop(&flat(), 0.0, 0.0, &wall), 3.0, "flat");
    close(
        drop(&ball(), 0.0, 0.0, &wall),
        3.0 - (R - (R * R - 4.0f64).sqrt()),
        "ball",
    );
    close(drop(&bull(), 0.0, 0.0, &wall), 3.0, "bull (d = a)");
    close(drop(&cone(90.0), 0.0, 0.0, &wall), 3.0 - 2.0, "cone");
    // Out of reach beyond R.
    assert_eq!(drop(&ball(), -1.5, 0.0, &wall), None);
}

/// The box [0, 10]² × [0, 5] as triangles: top face and the four walls.
fn cube() -> Vec<Tri> {
    let (l, h) = (10.0, 5.0);
    let p = |x: f64, y: f64, z: f64| [x, y, z];
    let mut v = vec![
        tri(p(0.0, 0.0, h), p(l, 0.0, h), p(l, l, h)),
        tri(p(0.0, 0.0, h), p(l, l, h), p(0.0, l, h)),
    ];
    let corners = [
        p(0.0, 0.0, 0.0),
        p(l, 0.0, 0.0),
        p(l, l, 0.0),
        p(0.0, l, 0.0),
    ];
    for i in 0..4 {
        let (a, b) = (corners[i], corners[(i + 1) % 4]);
        let (at, bt) = ([a[0], a[1], h], [b[0], b[1], h]);
        v.push(tri(a, b, bt));
        v.push(tri(a, bt, at));
    }
    v
}

#[test]
fn cube_edge_and_corner() {
    let c = cube();
    // Beside an edge at distance 1, and diagonally off the corner at distance √2.
    for (x, y, d) in [
        (-1.0, 5.0, 1.0),
        (5.0, 11.0, 1.0),
        (-1.0, -1.0, 2f64.sqrt()),
        (-2.5, 5.0, 2.5),
        (11.5, 11.5, 1.5 * 2f64.sqrt()),
    ] {
        close(drop(&flat(), x, y, &c), 5.0, "flat");
        close(
            drop(&ball(), x, y, &c),
            5.0 - (R - (R * R - d * d).sqrt()),
            "ball",
        );
        let bull_h = if d <= 2.0 {
            0.0
        } else {
            1.0 - (1.0 - (d - 2.0) * (d - 2.0)).sqrt()
        };
        close(drop(&bull(), x, y, &c), 5.0 - bull_h, "bull");
        close(drop(&cone(90.0), x, y, &c), 5.0 - d, "cone");
    }
    // Over the top face.
    for cutter in [flat(), ball(), bull(), cone(90.0)] {
        close(drop(&cutter, 5.0, 5.0, &c), 5.0, "top");
    }
    // Just out of reach of the corner and of an edge.
    let off = R / 2f64.sqrt() + 1e-6;
    assert_eq!(drop(&ball(), -off, -off, &c), None);
    assert_eq!(drop(&cone(90.0), 5.0, -R - 1e-6, &c), None);
    // Just in reach.
    assert!(drop(&ball(), 5.0, -R + 1e-6, &c).is_some());
}

/// Two flanks z = s |x| meeting in a groove along y.
fn groove(s: f64) -> Vec<Tri> {
    let l = 8.0;
    vec![
        tri([-l, -l, s * l], [0.0, -l, 0.0], [0.0, l, 0.0]),
        tri([-l, -l, s * l], [0.0, l, 0.0], [-l, l, s * l]),
        tri([0.0, -l, 0.0], [l, -l, s * l], [l, l, s * l]),
        tri([0.0, -l, 0.0], [l, l, s * l], [0.0, l, 0.0]),
    ]
}

#[test]
fn v_groove() {
    let s = 1.0; // a 90° groove
    let g = groove(s);
    let sec = (1.0 + s * s).sqrt();
    // A cone matching the groove (90°) fits it exactly: tip on the bottom line.
    close(drop(&cone(90.0), 0.0, 0.0, &g), 0.0, "cone 90");
    // Sharper cone: the apex reaches the bottom.
    close(drop(&cone(60.0), 0.0, 0.0, &g), 0.0, "cone 60");
    // Blunter cone: rests on the flanks with its rim, (s - k) R above the bottom.
    close(
        drop(&cone(120.0), 0.0, 0.0, &g),
        (s - rise(120.0)) * R,
        "cone 120",
    );
    // Ball on both flanks: its centre is R from each plane, R sec θ above the bottom.
    close(drop(&ball(), 0.0, 0.0, &g), R * sec - R, "ball");
    // Bull: the tube touches both flanks: s a + c (sec θ - 1).
    close(drop(&bull(), 0.0, 0.0, &g), s * 2.0 + (sec - 1.0), "bull");
    // Flat: on the two rims.
    close(drop(&flat(), 0.0, 0.0, &g), s * R, "flat");
    // Off-centre (x = 0.5) the ball is lifted by the flank it moved towards: that flank's
    // tangent point x + R sin θ ≈ 2.62 lies on it, and the tip is its plane formula,
    // s x + R sec θ - R; the other flank's would be 2 s x lower.
    close(
        drop(&ball(), 0.5, 0.0, &g),
        s * 0.5 + R * sec - R,
        "ball off-centre",
    );
}

#[test]
fn just_outside_reach_is_none() {
    for cutter in [flat(), ball(), bull(), cone(90.0)] {
        let v = [R + 1e-6, 0.0, 1.0];
        assert_eq!(cutter.drop_triangle(0.0, 0.0, &tri(v, v, v)), None);
        let e = edge([R + 1e-6, -5.0, 1.0], [R + 1e-6, 5.0, 3.0]);
        assert_eq!(cutter.drop_triangle(0.0, 0.0, &e), None);
        // A triangle whose XY box overlaps the disk's square but not the disk.
        let t = tri([2.5, 2.5, 0.0], [5.0, 2.5, 0.0], [2.5, 5.0, 0.0]);
        assert_eq!(cutter.drop_triangle(0.0, 0.0, &t), None);
        // A vertex just inside reach.
        let v = [R - 1e-6, 0.0, 1.0];
        assert!(cutter.drop_triangle(0.0, 0.0, &tri(v, v, v)).is_some());
    }
}

#[test]
fn profile_values() {
    let r = 1.8f64;
    assert_eq!(flat().profile(r), 0.0);
    assert!((ball().profile(r) - (R - (R * R - r * r).sqrt())).abs() < 1e-15);
    assert_eq!(bull().profile(r), 0.0); // on the flat bottom, r ≤ a = 2
    let r = 2.6f64;
    assert!((bull().profile(r) - (1.0 - (1.0 - 0.36f64).sqrt())).abs() < 1e-15);
    assert!((cone(90.0).profile(r) - r).abs() < 1e-15);
    assert!((cone(60.0).profile(r) - r * 3f64.sqrt()).abs() < 1e-12);
    // Clamped to the radius.
    assert_eq!(ball().profile(10.0), R);
    assert!((cone(90.0).profile(10.0) - R).abs() < 1e-12);
    // The bull profile is C¹ at the junction: slope ~0 just beyond a.
    let eps = 1e-6;
    assert!(bull().profile(2.0 + eps) < 1e-11);
}

#[test]
fn constructors_validate() {
    assert!(Cutter::ball(0.0).is_err());
    assert!(Cutter::bull(6.0, 3.0).is_err());
    assert!(Cutter::cone(6.0, 180.0).is_err());
    assert!(Cutter::new(Shape::Flat, 6.0, f64::NAN).is_err());
    assert_eq!(ball().shape(), Shape::Ball);
}

#[test]
fn nearly_vertical_wall_straddling_the_rim() {
    // A wall leaning away from the axis, rising 10 over an XY width of 2^-12 (slope 40960),
    // whose footprint straddles the rim at x = R. The contact is inside the facet, close
    // to the rim, far above what its edges give: skipping steep facets would be wrong.
    let h = 2f64.powi(-13);
    let (xb, xt) = (R - h, R + h);
    let wall = [
        tri([xb, -10.0, 0.0], [xb, 10.0, 0.0], [xt, 10.0, 10.0]),
        tri([xb, -10.0, 0.0], [xt, 10.0, 10.0], [xt, -10.0, 10.0]),
    ];
    let s = 10.0 / (xt - xb);
    let z_axis = -s * xb; // the plane's height over the axis
    let sec = (1.0 + s * s).sqrt();
    let y = 2.5;
    close(drop(&flat(), 0.0, y, &wall), 5.0, "flat");
    close(drop(&ball(), 0.0, y, &wall), z_axis + R * sec - R, "ball");
    close(
        drop(&bull(), 0.0, y, &wall),
        z_axis + s * 2.0 + (sec - 1.0),
        "bull",
    );
    let k = rise(90.0);
    close(drop(&cone(90.0), 0.0, y, &wall), 5.0 - k * R, "cone");
}

#[test]
fn far_from_origin_same_as_near() {
    // Coordinates on a 1/1024 grid translate exactly in f32, so the answers must agree to
    // rounding: the contact maths works relative to the axis.
    let (ox, oy) = (4096.0, -2048.0);
    let mut seed = 12345u64;
    let mut next = || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        ((seed % 8192) as f64 - 4096.0) / 1024.0
    };
    for cutter in [flat(), ball(), bull(), cone(60.0)] {
        for _ in 0..500 {
            let p: Vec<[f64; 3]> = (0..3).map(|_| [next(), next(), next()]).collect();
            let near = tri(p[0], p[1], p[2]);
            let moved = |v: [f64; 3]| [v[0] + ox, v[1] + oy, v[2]];
            let far = tri(moved(p[0]), moved(p[1]), moved(p[2]));
            let (x, y) = (next() / 4.0, next() / 4.0);
            let a = cutter.drop_triangle(x, y, &near);
            let b = cutter.drop_triangle(x + ox, y + oy, &far);
            match (a, b) {
                (Some(a), Some(b)) => assert!((a - b).abs() < 1e-9, "{a} vs {b}"),
                (None, None) => {}
                _ => panic!("reach differs: {a:?} vs {b:?}"),
            }
        }
    }
}
