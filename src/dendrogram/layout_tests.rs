//! Unit tests of the dendrogram layout: small trees checked by hand (and
//! against scipy 1.17.1), and a 100,000-merge chain.

use super::*;
use ndarray::{array, Array2};

/// Five observations: 0 and 1 merge at 1, 2 and 3 at 1.5, 4 joins {2, 3}
/// at 2, and everything at 3.
fn five() -> Array2<f64> {
    array![
        [0.0, 1.0, 1.0, 2.0],
        [2.0, 3.0, 1.5, 2.0],
        [4.0, 6.0, 2.0, 3.0],
        [5.0, 7.0, 3.0, 5.0],
    ]
}

fn layout(z: &Array2<f64>, opts: DendrogramOptions) -> DendrogramLayout {
    dendrogram(z.view(), &opts).unwrap()
}

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn full_tree_in_post_order() {
    let d = layout(&five(), DendrogramOptions::default());
    assert_eq!(d.leaves, vec![0, 1, 4, 2, 3]);
    assert_eq!(d.ivl, strs(&["0", "1", "4", "2", "3"]));
    assert_eq!(
        d.icoord,
        vec![
            [5.0, 5.0, 15.0, 15.0],
            [35.0, 35.0, 45.0, 45.0],
            [25.0, 25.0, 40.0, 40.0],
            [10.0, 10.0, 32.5, 32.5],
        ]
    );
    assert_eq!(
        d.dcoord,
        vec![
            [0.0, 1.0, 1.0, 0.0],
            [0.0, 1.5, 1.5, 0.0],
            [0.0, 2.0, 2.0, 1.5],
            [1.0, 3.0, 3.0, 2.0],
        ]
    );
    // Threshold 0.7 * 3 = 2.1: the root is above; the walk passes the root
    // (above) between {0, 1} and {2, 3, 4}, so the second group moves to C2.
    assert_eq!(d.color_list, strs(&["C1", "C2", "C2", "C0"]));
    assert_eq!(d.leaves_color_list, strs(&["C1", "C1", "C2", "C2", "C2"]));
    assert!(d.contraction_marks.is_empty());
    assert_eq!(d.orientation, "top");
}

#[test]
fn colour_threshold() {
    let o = |t: f64| DendrogramOptions {
        color_threshold: Some(t),
        above_threshold_color: "k".into(),
        ..Default::default()
    };
    let d = layout(&five(), o(1.2));
    assert_eq!(d.color_list, strs(&["C1", "k", "k", "k"]));
    assert_eq!(d.leaves_color_list, strs(&["C1", "C1", "k", "k", "k"]));
    for t in [0.0, -1.0] {
        assert_eq!(layout(&five(), o(t)).color_list, strs(&["k"; 4]));
    }
    assert_eq!(
        layout(&five(), o(f64::INFINITY)).color_list,
        strs(&["C1"; 4])
    );
}

#[test]
fn palette_cycles_and_must_not_be_empty_when_used() {
    // Three groups below 2.1: C1, then (after the root) the palette wraps.
    let opts = DendrogramOptions {
        palette: strs(&["red"]),
        ..Default::default()
    };
    let d = layout(&five(), opts);
    assert_eq!(d.color_list, strs(&["red", "red", "red", "C0"]));
    let empty = DendrogramOptions {
        palette: vec![],
        ..Default::default()
    };
    let e = dendrogram(five().view(), &empty).unwrap_err().to_string();
    assert!(e.contains("palette") && e.contains("empty"), "{e}");
    let all_above = DendrogramOptions {
        color_threshold: Some(0.0),
        ..empty
    };
    assert_eq!(layout(&five(), all_above).color_list, strs(&["C0"; 4]));
}

#[test]
fn sorting_children() {
    let descending = DendrogramOptions {
        count_sort: LeafSort::Descending,
        ..Default::default()
    };
    let d = layout(&five(), descending);
    // Ties (1 vs 1) put Z's second child left, as scipy does.
    assert_eq!(d.leaves, vec![3, 2, 4, 1, 0]);
    assert_eq!(
        d.icoord,
        vec![
            [5.0, 5.0, 15.0, 15.0],
            [10.0, 10.0, 25.0, 25.0],
            [35.0, 35.0, 45.0, 45.0],
            [17.5, 17.5, 40.0, 40.0],
        ]
    );
    assert_eq!(d.color_list, strs(&["C1", "C1", "C2", "C0"]));
    assert_eq!(d.leaves_color_list, strs(&["C1", "C1", "C1", "C2", "C2"]));

    let ascending = DendrogramOptions {
        distance_sort: LeafSort::Ascending,
        ..Default::default()
    };
    assert_eq!(layout(&five(), ascending).leaves, vec![0, 1, 4, 2, 3]);

    // count_sort wins over distance_sort.
    let both = DendrogramOptions {
        count_sort: LeafSort::Ascending,
        distance_sort: LeafSort::Descending,
        ..Default::default()
    };
    assert_eq!(layout(&five(), both).leaves, vec![0, 1, 4, 2, 3]);
}

#[test]
fn lastp_contracts_and_marks() {
    let opts = DendrogramOptions {
        truncate_mode: TruncateMode::LastP(2),
        show_contracted: true,
        ..Default::default()
    };
    let d = layout(&five(), opts);
    assert_eq!(d.leaves, vec![5, 7]);
    assert_eq!(d.ivl, strs(&["(2)", "(3)"]));
    assert_eq!(d.icoord, vec![[5.0, 5.0, 15.0, 15.0]]);
    assert_eq!(d.dcoord, vec![[0.0, 3.0, 3.0, 0.0]]);
    assert_eq!(d.color_list, strs(&["C0"]));
    assert_eq!(d.leaves_color_list, strs(&["C0", "C0"]));
    // Node 7 = {4, 6}, 6 = {2, 3} merged at 1.5; node 5 hides no merge.
    assert_eq!(d.contraction_marks, vec![[15.0, 1.5]]);

    // p = 0 and p > n mean no truncation.
    for p in [0, 5, 6, 100] {
        let o = DendrogramOptions {
            truncate_mode: TruncateMode::LastP(p),
            ..Default::default()
        };
        assert_eq!(layout(&five(), o).leaves, vec![0, 1, 4, 2, 3], "p = {p}");
    }
}

#[test]
fn lastp_one_contracts_the_root() {
    let opts = DendrogramOptions {
        truncate_mode: TruncateMode::LastP(1),
        show_leaf_counts: false,
        above_threshold_color: "grey".into(),
        ..Default::default()
    };
    let d = layout(&five(), opts);
    assert_eq!(d.leaves, vec![8]);
    assert_eq!(d.ivl, strs(&[""]));
    assert!(d.icoord.is_empty() && d.color_list.is_empty());
    // scipy gives [None] here.
    assert_eq!(d.leaves_color_list, strs(&["grey"]));
}

#[test]
fn level_truncation() {
    let opts = DendrogramOptions {
        truncate_mode: TruncateMode::Level(1),
        ..Default::default()
    };
    let d = layout(&five(), opts);
    assert_eq!(d.leaves, vec![0, 1, 4, 6]);
    assert_eq!(d.ivl, strs(&["0", "1", "4", "(2)"]));
    assert_eq!(
        d.icoord,
        vec![
            [5.0, 5.0, 15.0, 15.0],
            [25.0, 25.0, 35.0, 35.0],
            [10.0, 10.0, 30.0, 30.0],
        ]
    );
    assert_eq!(d.color_list, strs(&["C1", "C2", "C0"]));

    // Node n (here 4, the first merge) is never contracted, as in scipy,
    // even at level 2 > p.
    let z = array![
        [0.0, 1.0, 1.0, 2.0],
        [2.0, 4.0, 2.0, 3.0],
        [3.0, 5.0, 3.0, 4.0]
    ];
    let o = DendrogramOptions {
        truncate_mode: TruncateMode::Level(1),
        ..Default::default()
    };
    assert_eq!(layout(&z, o).leaves, vec![3, 2, 0, 1]);
}

#[test]
fn labels_and_their_count() {
    let opts = DendrogramOptions {
        labels: Some(strs(&["a", "b", "c", "d", "e"])),
        orientation: Orientation::Left,
        ..Default::default()
    };
    let d = layout(&five(), opts.clone());
    assert_eq!(d.ivl, strs(&["a", "b", "e", "c", "d"]));
    assert_eq!(d.orientation, "left");
    let short = DendrogramOptions {
        labels: Some(strs(&["a", "b"])),
        ..opts
    };
    let e = dendrogram(five().view(), &short).unwrap_err().to_string();
    assert!(
        e.contains("labels") && e.contains("expected 5") && e.contains("got 2"),
        "{e}"
    );
}

#[test]
fn rejects_bad_linkage() {
    let z = array![[0.0, 0.0, 1.0, 2.0]];
    let e = dendrogram(z.view(), &DendrogramOptions::default()).unwrap_err();
    assert!(matches!(e, Error::InvalidLinkage { .. }), "{e}");
}

#[test]
fn leaf_colour_quirk_of_zero_height_links() {
    // Six observations merged at height 0 into ((0 1) ((2 3) (4 5))), whose
    // centre is x = 25, then 6 joins at 1. scipy reads the point (25, 0) of
    // the top link as leaf 2 and paints it C0; we do the same.
    let z = array![
        [0.0, 1.0, 0.0, 2.0],
        [2.0, 3.0, 0.0, 2.0],
        [4.0, 5.0, 0.0, 2.0],
        [8.0, 9.0, 0.0, 4.0],
        [7.0, 10.0, 0.0, 6.0],
        [11.0, 6.0, 1.0, 7.0],
    ];
    let d = layout(&z, DendrogramOptions::default());
    assert_eq!(d.icoord[5], [25.0, 25.0, 65.0, 65.0]);
    assert_eq!(
        d.leaves_color_list,
        strs(&["C1", "C1", "C0", "C1", "C1", "C1", "C0"])
    );
}

#[test]
fn serialises_with_scipy_keys() {
    let d = layout(&five(), DendrogramOptions::default());
    let v = serde_json::to_value(&d).unwrap();
    for key in [
        "icoord",
        "dcoord",
        "ivl",
        "leaves",
        "color_list",
        "leaves_color_list",
        "contraction_marks",
        "orientation",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["icoord"][3], serde_json::json!([10.0, 10.0, 32.5, 32.5]));
}

#[test]
fn parses_names() {
    assert_eq!(
        TruncateMode::from_name("LastP", 4).unwrap(),
        TruncateMode::LastP(4)
    );
    assert_eq!(
        TruncateMode::from_name("mtica", 2).unwrap(),
        TruncateMode::Level(2)
    );
    assert_eq!(
        TruncateMode::from_name("none", 2).unwrap(),
        TruncateMode::None
    );
    let e = TruncateMode::from_name("last", 2).unwrap_err().to_string();
    assert!(e.contains("'last'") && e.contains("lastp, level"), "{e}");
    assert_eq!(
        "descending".parse::<LeafSort>().unwrap(),
        LeafSort::Descending
    );
    assert_eq!("true".parse::<LeafSort>().unwrap(), LeafSort::Ascending);
    assert!("up".parse::<LeafSort>().is_err());
    assert_eq!("Right".parse::<Orientation>().unwrap(), Orientation::Right);
    let e = "north".parse::<Orientation>().unwrap_err().to_string();
    assert!(e.contains("top, bottom, left, right"), "{e}");
}

/// Single linkage of points on a line with growing gaps: observation k + 1
/// joins the cluster of 0..=k at height k + 1, a caterpillar of depth n - 1.
fn caterpillar(merges: usize) -> Array2<f64> {
    let n = merges + 1;
    let mut z = Array2::zeros((merges, 4));
    z.row_mut(0).assign(&array![0.0, 1.0, 1.0, 2.0]);
    for k in 1..merges {
        let row = [
            (k + 1) as f64,
            (n + k - 1) as f64,
            (k + 1) as f64,
            (k + 2) as f64,
        ];
        z.row_mut(k).assign(&ndarray::ArrayView1::from(&row));
    }
    z
}

#[test]
fn chain_of_100000_merges_without_recursion() {
    let merges = 100_000;
    let n = merges + 1;
    let z = caterpillar(merges);
    for (sort, truncate, show_contracted) in [
        (LeafSort::None, TruncateMode::None, false),
        (LeafSort::Ascending, TruncateMode::None, false),
        (LeafSort::Descending, TruncateMode::Level(50_000), true),
        (LeafSort::None, TruncateMode::LastP(10), true),
    ] {
        let opts = DendrogramOptions {
            count_sort: sort,
            truncate_mode: truncate,
            show_contracted,
            ..Default::default()
        };
        let start = std::time::Instant::now();
        let d = layout(&z, opts);
        let took = start.elapsed();
        eprintln!("{merges}-merge chain, {sort:?}, {truncate:?}: {took:?}");
        let links = d.icoord.len();
        let leaves = d.leaves.len();
        assert_eq!(leaves, links + 1);
        assert_eq!((d.dcoord.len(), d.color_list.len()), (links, links));
        assert_eq!(d.leaves_color_list.len(), leaves);
        let mut seen = vec![false; 2 * n - 1];
        for &leaf in &d.leaves {
            assert!(!std::mem::replace(&mut seen[leaf], true));
        }
        match truncate {
            TruncateMode::None => {
                assert_eq!(links, merges);
                // The leaves are a permutation of the observations.
                assert!(seen[..n].iter().all(|&s| s));
                assert!(d.contraction_marks.is_empty());
            }
            TruncateMode::LastP(p) => {
                assert_eq!(leaves, p);
                // The contracted cluster holds n - p + 1 observations and
                // n - p merges, of which all but its own are marks.
                assert_eq!(d.contraction_marks.len(), n - p - 1);
            }
            TruncateMode::Level(_) => {
                assert_eq!(leaves, 50_002);
                assert_eq!(d.contraction_marks.len(), n - 50_002 - 1);
            }
        }
    }
    // Under descending count sort the chain goes left: the root's link is last and
    // sits over the chain's centre and the last observation.
    let d = layout(
        &z,
        DendrogramOptions {
            count_sort: LeafSort::Descending,
            ..Default::default()
        },
    );
    assert_eq!(*d.leaves.last().unwrap(), merges);
    assert_eq!(d.icoord.last().unwrap()[2], 5.0 + 10.0 * merges as f64);
}
