//! The pictures: SVG structure against the layout on the scipy tutorial's
//! data, PNG pixels (including text, which proves the embedded font), PCA
//! in the scatter plot, and a 10,000-leaf tree drawn truncated.
//!
//! Set HCLUST_RENDER_DIR to a folder to also write every picture there as
//! PNG, for a person to look at.

mod common;

use std::time::Instant;

use hclust::analysis::suggest::elbow;
use hclust::analysis::{fcluster, Criterion};
use hclust::dendrogram::{
    dendrogram, DendrogramLayout, DendrogramOptions, Orientation, TruncateMode,
};
use hclust::render::{
    auto_truncate, dendrogram_frame, dendrogram_svg, elbow_series, elbow_svg, format_g,
    scatter_svg, svg_size, svg_to_png, truncation_note, write_picture, DendrogramStyle,
};
use hclust::Error;
use ndarray::{Array2, ArrayView2};
use resvg::tiny_skia::Pixmap;

/// The tutorial's 150 points and their Ward linkage (from scipy).
fn tutorial() -> (Array2<f64>, Array2<f64>) {
    let v = common::read_json("linkage/tutorial2.json");
    (
        common::matrix(&v["X"]),
        common::matrix(&v["linkage"]["ward"]),
    )
}

fn layout(z: ArrayView2<f64>, mode: TruncateMode) -> DendrogramLayout {
    let opts = DendrogramOptions {
        truncate_mode: mode,
        show_contracted: true,
        ..DendrogramOptions::default()
    };
    dendrogram(z, &opts).unwrap()
}

/// The value of attribute `name` in the first element of `class`.
fn attr(svg: &str, class: &str, name: &str) -> f64 {
    let start = svg.find(&format!("class=\"{class}\"")).expect(class);
    let el = &svg[start..start + svg[start..].find('>').unwrap()];
    let from = el.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
    el[from..from + el[from..].find('"').unwrap()]
        .parse()
        .unwrap()
}

/// The contents of every `<text class="{class}">`, in document order.
fn texts(svg: &str, class: &str) -> Vec<String> {
    let tag = format!("<text class=\"{class}\"");
    svg.match_indices(&tag)
        .map(|(i, _)| {
            let open = i + svg[i..].find('>').unwrap() + 1;
            let close = open + svg[open..].find("</text>").unwrap();
            svg[open..close].to_string()
        })
        .collect()
}

/// The top y (pixel) of each link path, in order.
fn link_tops(svg: &str) -> Vec<f64> {
    svg.match_indices("<path class=\"link\" d=\"")
        .map(|(i, m)| {
            let d = &svg[i + m.len()..];
            let d = &d[..d.find('"').unwrap()];
            d.split(['M', 'L'])
                .filter(|s| !s.trim().is_empty())
                .map(|p| p.split_whitespace().nth(1).unwrap().parse::<f64>().unwrap())
                .fold(f64::INFINITY, f64::min)
        })
        .collect()
}

#[test]
fn one_link_element_per_drawn_merge() {
    let (_, z) = tutorial();
    for mode in [
        TruncateMode::None,
        TruncateMode::LastP(12),
        TruncateMode::LastP(100),
        TruncateMode::Level(3),
    ] {
        let l = layout(z.view(), mode);
        let svg = dendrogram_svg(&l, &DendrogramStyle::default());
        assert_eq!(
            svg.matches("class=\"link\"").count(),
            l.icoord.len(),
            "{mode:?}"
        );
        assert_eq!(
            texts(&svg, "leaf-label"),
            l.ivl,
            "{mode:?}: leaf labels in ivl order"
        );
        // marks closer than a dot's radius on one leaf are drawn once
        let marks = svg.matches("class=\"contraction-mark\"").count();
        assert!(marks <= l.contraction_marks.len());
        assert_eq!(marks == 0, l.contraction_marks.is_empty(), "{mode:?}");
    }
    let l = layout(z.view(), TruncateMode::LastP(12));
    assert_eq!(l.icoord.len(), 11);
    // 11 contracted clusters and one observation merged late (scipy's ivl)
    let contracted = l.ivl.iter().filter(|s| s.starts_with('(')).count();
    assert_eq!(contracted, 11, "{:?}", l.ivl);
    assert!(!l.contraction_marks.is_empty());
}

#[test]
fn link_colours_are_matplotlib_s() {
    let (_, z) = tutorial();
    let l = layout(z.view(), TruncateMode::None);
    let svg = dendrogram_svg(&l, &DendrogramStyle::default());
    // Ward on two blobs: the root above the threshold (C0), two clusters below
    assert!(svg.contains("stroke=\"#1f77b4\""));
    assert!(svg.contains("stroke=\"#ff7f0e\""));
    assert!(svg.contains("stroke=\"#2ca02c\""));
    assert!(!svg.contains("stroke=\"C1\""));
}

#[test]
fn the_cut_line_sits_at_max_d() {
    let (_, z) = tutorial();
    let l = layout(z.view(), TruncateMode::LastP(12));
    let style = DendrogramStyle {
        max_d: Some(50.0),
        ..DendrogramStyle::default()
    };
    let svg = dendrogram_svg(&l, &style);
    assert_eq!(svg.matches("class=\"cut-line\"").count(), 1);
    let y = attr(&svg, "cut-line", "y1");
    assert_eq!(y, attr(&svg, "cut-line", "y2"), "horizontal");
    let frame = dendrogram_frame(&l, &style);
    let expected = frame.to_px(0.0, 50.0).1;
    assert!((y - expected).abs() < 0.006, "{y} vs {expected}");
    // the same height through the frame's own numbers
    let (_, top, _, h) = frame.area;
    let by_hand = top + h - 50.0 / frame.distance_span * h;
    assert!((y - by_hand).abs() < 0.006);
    // and against the picture itself: links above 50 reach above the line
    for (top_px, ds) in link_tops(&svg).iter().zip(&l.dcoord) {
        assert_eq!(*top_px < y, ds[1] > 50.0, "link at height {}", ds[1]);
    }
    // no max_d, no line
    let plain = dendrogram_svg(&l, &DendrogramStyle::default());
    assert!(!plain.contains("cut-line"));
}

#[test]
fn a_vertical_dendrogram_cuts_vertically() {
    let (_, z) = tutorial();
    let opts = DendrogramOptions {
        truncate_mode: TruncateMode::LastP(12),
        orientation: Orientation::Left,
        ..DendrogramOptions::default()
    };
    let l = dendrogram(z.view(), &opts).unwrap();
    let style = DendrogramStyle {
        max_d: Some(50.0),
        ..DendrogramStyle::default()
    };
    let svg = dendrogram_svg(&l, &style);
    let x = attr(&svg, "cut-line", "x1");
    assert_eq!(x, attr(&svg, "cut-line", "x2"));
    assert!((x - dendrogram_frame(&l, &style).to_px(0.0, 50.0).0).abs() < 0.006);
}

#[test]
fn heights_are_written_only_above_the_threshold() {
    let (_, z) = tutorial();
    let l = layout(z.view(), TruncateMode::LastP(12));
    let style = DendrogramStyle {
        annotate_above: Some(10.0),
        ..DendrogramStyle::default()
    };
    let svg = dendrogram_svg(&l, &style);
    let expected: Vec<String> = l
        .dcoord
        .iter()
        .map(|d| d[1])
        .filter(|&h| h > 10.0)
        .map(|h| format_g(h, 3))
        .collect();
    assert!(!expected.is_empty() && expected.len() < l.dcoord.len());
    assert_eq!(texts(&svg, "annotation"), expected);
    assert_eq!(
        svg.matches("class=\"annotation-dot\"").count(),
        expected.len()
    );
    assert!(
        expected.contains(&"180".to_string()),
        "the root, 180.27, as %.3g"
    );
    let none = dendrogram_svg(&l, &DendrogramStyle::default());
    assert!(texts(&none, "annotation").is_empty());
}

#[test]
fn ten_thousand_leaves_truncate_and_draw_fast() {
    let n = 10_000;
    let mut z = Array2::zeros((n - 1, 4));
    for i in 0..n - 1 {
        let prev = if i == 0 { 0 } else { n + i - 1 };
        let row = [prev as f64, (i + 1) as f64, (i + 1) as f64, (i + 2) as f64];
        z.row_mut(i).assign(&ndarray::arr1(&row));
    }
    let start = Instant::now();
    let p = auto_truncate(n).expect("10,000 leaves are too many to draw");
    let l = layout(z.view(), TruncateMode::LastP(p));
    let style = DendrogramStyle {
        note: Some(truncation_note(p, n)),
        ..DendrogramStyle::default()
    };
    let svg = dendrogram_svg(&l, &style);
    let elapsed = start.elapsed();
    eprintln!("10,000 leaves, truncated: layout and SVG in {elapsed:?}");
    assert!(elapsed.as_secs_f64() < 1.0, "took {elapsed:?}");
    assert_eq!(svg.matches("class=\"link\"").count(), p - 1);
    assert_eq!(svg.matches("class=\"leaf-label\"").count(), p);
    assert_eq!(
        texts(&svg, "note"),
        vec!["truncated to the last 100 merged clusters (10,000 leaves)"]
    );
    assert!(svg.len() < 100_000, "{} bytes", svg.len());
    assert_eq!(auto_truncate(150), None);
}

/// Decodes a PNG and counts its distinct colours and the pixels near `rgb`.
fn inspect(png: &[u8], rgb: [u8; 3]) -> (Pixmap, usize, usize) {
    let pixmap = Pixmap::decode_png(png).unwrap();
    let mut colours = std::collections::HashSet::new();
    let mut near = 0;
    for p in pixmap.pixels() {
        let c = p.demultiply();
        colours.insert((c.red(), c.green(), c.blue()));
        let d: i32 = [c.red(), c.green(), c.blue()]
            .iter()
            .zip(rgb)
            .map(|(&a, b)| (a as i32 - b as i32).abs())
            .sum();
        if d < 40 {
            near += 1;
        }
    }
    (pixmap, colours.len(), near)
}

#[test]
fn the_png_has_the_picture_s_size_and_colours() {
    let (_, z) = tutorial();
    let l = layout(z.view(), TruncateMode::LastP(30));
    let svg = dendrogram_svg(&l, &DendrogramStyle::default());
    let (w, h) = svg_size(&svg).unwrap();
    let png = svg_to_png(&svg, 1200).unwrap();
    let (pixmap, colours, orange) = inspect(&png, [0xff, 0x7f, 0x0e]);
    assert_eq!(pixmap.width(), 1200);
    assert_eq!(pixmap.height(), (h * 1200.0 / w).round() as u32);
    assert!(colours > 50, "{colours} colours");
    assert!(orange > 200, "{orange} pixels of C1");
    let (_, _, blue) = inspect(&png, [0x1f, 0x77, 0xb4]);
    assert!(blue > 100, "{blue} pixels of C0");
}

#[test]
fn text_renders_with_the_embedded_font() {
    for family in ["DejaVu Sans", "sans-serif", "Arial"] {
        let svg = format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"200\" height=\"60\">\
             <text x=\"10\" y=\"45\" font-family=\"{family}\" font-size=\"40\">Ward</text></svg>"
        );
        let png = svg_to_png(&svg, 200).unwrap();
        let (_, colours, dark) = inspect(&png, [0, 0, 0]);
        assert!(dark > 300, "{family}: {dark} dark pixels");
        assert!(colours > 10, "{family}: anti-aliased glyph edges");
    }
}

#[test]
fn write_picture_picks_the_format_by_extension() {
    let dir = tempfile::tempdir().unwrap();
    let svg = elbow_svg(&[1.0, 2.0, 5.0], &[2.0]);
    let svg_path = dir.path().join("elbow.svg");
    write_picture(&svg_path, &svg).unwrap();
    assert_eq!(std::fs::read_to_string(&svg_path).unwrap(), svg);
    let png_path = dir.path().join("elbow.PNG");
    write_picture(&png_path, &svg).unwrap();
    let png = std::fs::read(&png_path).unwrap();
    assert_eq!(Pixmap::decode_png(&png).unwrap().width(), 1440);
    let bad = dir.path().join("elbow.jpg");
    let err = write_picture(&bad, &svg).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { .. }));
    assert!(err.to_string().contains("elbow.jpg"), "{err}");
    let missing = dir.path().join("no/such/folder/e.svg");
    assert!(matches!(
        write_picture(&missing, &svg),
        Err(Error::Io { .. })
    ));
}

#[test]
fn the_elbow_plot_follows_the_tutorial() {
    let (_, z) = tutorial();
    let (last, acc) = elbow_series(z.view(), 10).unwrap();
    assert_eq!(last.len(), 10);
    assert_eq!(acc.len(), 8);
    assert_eq!(last[9], z[[148, 2]]);
    let svg = elbow_svg(&last, &acc);
    assert_eq!(svg.matches("class=\"marker\"").count(), 18);
    assert_eq!(svg.matches("class=\"series ").count(), 2);
    let k = elbow(z.view(), 10).unwrap().unwrap().k;
    assert_eq!(texts(&svg, "elbow-k-label"), vec![format!("k = {k}")]);
    assert_eq!(
        texts(&svg, "legend-label"),
        vec!["merge height", "acceleration"]
    );
    assert!(texts(&svg, "tick-label").len() > 10);
}

#[test]
fn scatter_colours_clusters_and_plots_two_columns() {
    let (x, z) = tutorial();
    let labels = fcluster(z.view(), 2.0, &Criterion::MaxClust).unwrap();
    let svg = scatter_svg(x.view(), &labels, "tutorial").unwrap();
    assert_eq!(svg.matches("class=\"point\"").count(), 150);
    // the two blobs: 100 points then 50 (the fixture's a and b)
    for (rank, colour) in ["#1f77b4", "#ff7f0e"].iter().enumerate() {
        let label = rank + 1;
        let tag = format!("<g class=\"cluster\" data-label=\"{label}\" fill=\"{colour}\"");
        let start = svg.find(&tag).expect(&tag);
        let group = &svg[start..start + svg[start..].find("</g>").unwrap()];
        let count = labels.iter().filter(|&&l| l == label).count();
        assert_eq!(group.matches("class=\"point\"").count(), count);
    }
    assert_eq!(texts(&svg, "axis-label"), vec!["x0", "x1"]);
}

#[test]
fn scatter_of_three_columns_shows_principal_components() {
    // variances 12 and 4/3 along two directions of a rotated frame, none
    // along the third: PC1 holds 90% of the variance, PC2 10%
    // (two orthonormal directions; the third, (0.48, -0.64, 0.6), is empty)
    let u = [0.8, 0.6, 0.0];
    let v = [-0.36, 0.48, 0.8];
    let mut rows = Vec::new();
    for (a, b) in [(3.0, 1.0), (-3.0, 1.0), (3.0, -1.0), (-3.0, -1.0)] {
        for (u, v) in u.iter().zip(&v) {
            rows.push(a * u + b * v + 5.0);
        }
    }
    let x = Array2::from_shape_vec((4, 3), rows).unwrap();
    let svg = scatter_svg(x.view(), &[7, 7, 9, 9], "pca").unwrap();
    assert_eq!(
        texts(&svg, "axis-label"),
        vec!["PC1 (90.0% of variance)", "PC2 (10.0% of variance)"]
    );
    assert!(svg.contains("data-label=\"7\" fill=\"#1f77b4\""));
    assert!(svg.contains("data-label=\"9\" fill=\"#ff7f0e\""));
    assert_eq!(texts(&svg, "legend-label"), vec!["cluster 7", "cluster 9"]);
}

/// Writes every kind of picture as PNG into HCLUST_RENDER_DIR, when set.
#[test]
fn pictures_for_review() {
    let Some(dir) = std::env::var_os("HCLUST_RENDER_DIR") else {
        return;
    };
    let dir = std::path::PathBuf::from(dir);
    let (x, z) = tutorial();
    let save = |name: &str, svg: &str| write_picture(&dir.join(name), svg).unwrap();
    save(
        "tutorial_full.png",
        &dendrogram_svg(
            &layout(z.view(), TruncateMode::None),
            &DendrogramStyle::default(),
        ),
    );
    let fancy = DendrogramStyle {
        annotate_above: Some(10.0),
        max_d: Some(50.0),
        note: Some(truncation_note(12, 150)),
        ..DendrogramStyle::default()
    };
    save(
        "tutorial_fancy.png",
        &dendrogram_svg(&layout(z.view(), TruncateMode::LastP(12)), &fancy),
    );
    for o in [Orientation::Bottom, Orientation::Left, Orientation::Right] {
        let opts = DendrogramOptions {
            truncate_mode: TruncateMode::LastP(20),
            orientation: o,
            ..DendrogramOptions::default()
        };
        let l = dendrogram(z.view(), &opts).unwrap();
        save(&format!("tutorial_{o}.png"), &dendrogram_svg(&l, &fancy));
    }
    let n = 10_000;
    let mut zc = Array2::zeros((n - 1, 4));
    for i in 0..n - 1 {
        let prev = if i == 0 { 0 } else { n + i - 1 };
        let row = [prev as f64, (i + 1) as f64, (i + 1) as f64, (i + 2) as f64];
        zc.row_mut(i).assign(&ndarray::arr1(&row));
    }
    let p = auto_truncate(n).unwrap();
    let style = DendrogramStyle {
        note: Some(truncation_note(p, n)),
        ..DendrogramStyle::default()
    };
    save(
        "caterpillar_10000.png",
        &dendrogram_svg(&layout(zc.view(), TruncateMode::LastP(p)), &style),
    );
    let z3 = ndarray::array![[0.0, 1.0, 1.0, 2.0], [2.0, 3.0, 2.0, 3.0]];
    let small = DendrogramStyle {
        size: Some((400.0, 300.0)),
        max_d: Some(1.5),
        ..DendrogramStyle::default()
    };
    save(
        "three_leaves_400x300.png",
        &dendrogram_svg(&layout(z3.view(), TruncateMode::None), &small),
    );
    save(
        "tutorial_lastp30.png",
        &dendrogram_svg(
            &layout(z.view(), TruncateMode::LastP(30)),
            &DendrogramStyle::default(),
        ),
    );
    let (last, acc) = elbow_series(z.view(), 10).unwrap();
    save("elbow.png", &elbow_svg(&last, &acc));
    let labels = fcluster(z.view(), 2.0, &Criterion::MaxClust).unwrap();
    save(
        "scatter.png",
        &scatter_svg(x.view(), &labels, "tutorial, 2 clusters").unwrap(),
    );
    let x3 = Array2::from_shape_fn((150, 3), |(i, j)| {
        x[[i, j % 2]] * (j as f64 + 1.0) + (i % 7) as f64 * 0.3
    });
    let labels3 = fcluster(z.view(), 4.0, &Criterion::MaxClust).unwrap();
    save(
        "scatter_pca.png",
        &scatter_svg(x3.view(), &labels3, "tutorial, 3 columns").unwrap(),
    );
}
