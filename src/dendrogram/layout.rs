//! scipy's `dendrogram(Z, no_plot=True)`: where each U-shaped link goes,
//! the leaf order and labels, and the link colours.
//!
//! The walk is the one scipy makes (left subtree, colour decision, right
//! subtree, then the link itself), done with an explicit stack so that a
//! chain of 100,000 merges needs no recursion; every node is visited once,
//! so time and memory are O(n).
//!
//! ```text
//! leaves sit at x = 5, 15, 25, ... (10 apart), at height 0
//! a link over children a (left) and b (right), merged at height h:
//!     icoord = [xa, xa, xb, xb]     dcoord = [ha, h, h, hb]
//! where x is a subtree's centre (the mean of its children's centres) and
//! h its merge height (0 for a leaf, contracted or not)
//! links are listed in post-order (a link after both its subtrees)
//! ```

use ndarray::ArrayView2;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::linkage::check_linkage;

pub use super::options::{DendrogramOptions, LeafSort, Orientation, TruncateMode};

/// scipy's `dendrogram(Z, no_plot=True)` result; serialises to JSON with
/// scipy's key names, plus `contraction_marks` and `orientation`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DendrogramLayout {
    /// The x coordinates of each link's four points, one link per merge drawn,
    /// in post-order.
    pub icoord: Vec<[f64; 4]>,
    /// The heights of each link's four points.
    pub dcoord: Vec<[f64; 4]>,
    /// The leaf labels, left to right: the observation's label or index,
    /// or "(count)" / "" for a contracted leaf.
    pub ivl: Vec<String>,
    /// The node id of each leaf, left to right; ids >= n are contracted
    /// clusters.
    pub leaves: Vec<usize>,
    /// The colour of each link.
    pub color_list: Vec<String>,
    /// The colour of each leaf: that of the link it hangs from. When no link
    /// is drawn (the root itself contracted), where scipy gives `None`, this
    /// is `above_threshold_color`.
    pub leaves_color_list: Vec<String>,
    /// `[x, height]` of each merge hidden inside a contracted leaf, when
    /// `show_contracted` (else empty).
    pub contraction_marks: Vec<[f64; 2]>,
    /// `top`, `bottom`, `left` or `right`.
    pub orientation: String,
    /// The cluster id (n + row of Z) of each link, in `icoord`'s order,
    /// for a colour chosen per link (scipy's `link_color_func`). Not in
    /// the JSON.
    #[serde(skip)]
    pub link_nodes: Vec<usize>,
}

/// The layout of the dendrogram of Z, identical to scipy 1.17.1's
/// `dendrogram(Z, no_plot=True, ...)` with the same options.
///
/// # Errors
/// [`Error::InvalidLinkage`] when Z is not a valid linkage matrix;
/// [`Error::InvalidArgument`] when `labels` does not have n entries, or when
/// a link below the colour threshold needs a colour and `palette` is empty.
///
/// # Example
/// ```
/// use hclust::dendrogram::layout::{dendrogram, DendrogramOptions};
/// use ndarray::array;
///
/// let z = array![[0.0, 1.0, 1.0, 2.0], [2.0, 3.0, 2.0, 3.0]];
/// let d = dendrogram(z.view(), &DendrogramOptions::default()).unwrap();
/// assert_eq!(d.leaves, vec![2, 0, 1]);
/// assert_eq!(d.icoord, vec![[15.0, 15.0, 25.0, 25.0], [5.0, 5.0, 20.0, 20.0]]);
/// assert_eq!(d.dcoord, vec![[0.0, 1.0, 1.0, 0.0], [0.0, 2.0, 2.0, 1.0]]);
/// assert_eq!(d.color_list, vec!["C1", "C0"]);
/// ```
pub fn dendrogram(z: ArrayView2<f64>, opts: &DendrogramOptions) -> Result<DendrogramLayout> {
    check_linkage(z)?;
    let n = z.nrows() + 1;
    if let Some(labels) = &opts.labels {
        if labels.len() != n {
            return Err(Error::invalid_argument(
                "labels",
                format!(
                    "expected {n} labels (one per observation of Z), got {}",
                    labels.len()
                ),
            ));
        }
    }
    let threshold = opts
        .color_threshold
        .unwrap_or_else(|| 0.7 * z.column(2).fold(f64::NEG_INFINITY, |m, &h| m.max(h)));
    let mut walk = Walk {
        z,
        n,
        opts,
        threshold,
        colour: 0,
        below: false,
        out: DendrogramLayout {
            icoord: Vec::with_capacity(n - 1),
            dcoord: Vec::with_capacity(n - 1),
            ivl: Vec::with_capacity(n),
            leaves: Vec::with_capacity(n),
            color_list: Vec::with_capacity(n - 1),
            leaves_color_list: Vec::new(),
            contraction_marks: Vec::new(),
            orientation: opts.orientation.name().to_string(),
            link_nodes: Vec::with_capacity(n - 1),
        },
    };
    walk.run()?;
    let mut out = walk.out;
    out.leaves_color_list = leaves_color_list(&out, &opts.above_threshold_color);
    Ok(out)
}

/// What a finished subtree hands to its parent's link.
#[derive(Clone, Copy)]
struct Placed {
    /// Centre x of the subtree.
    x: f64,
    /// Width used (10 per leaf).
    width: f64,
    /// Merge height (0 for a leaf).
    height: f64,
}

/// A link whose subtrees are being laid out.
struct Pending {
    node: usize,
    iv: f64,
    level: usize,
    right: usize,
    height: f64,
    /// The left subtree, once done, and the link's colour decided then.
    left: Option<(Placed, Colour)>,
}

#[derive(Clone, Copy)]
enum Colour {
    Above,
    Palette(usize),
}

/// What entering a node gives: a leaf placed at once, or a link to expand.
enum Entered {
    Leaf(Placed),
    Link(Pending, usize),
}

struct Walk<'a> {
    z: ArrayView2<'a, f64>,
    n: usize,
    opts: &'a DendrogramOptions,
    threshold: f64,
    /// Index into the palette of the current below-threshold colour.
    colour: usize,
    /// Whether the last link coloured was below the threshold.
    below: bool,
    out: DendrogramLayout,
}

impl Walk<'_> {
    /// Lays out the whole tree: scipy's recursion with the call stack made
    /// explicit. Each link is entered, its left subtree walked, its colour
    /// chosen, its right subtree walked, and then it is emitted.
    fn run(&mut self) -> Result<()> {
        let mut stack: Vec<Pending> = Vec::new();
        let mut next = (2 * self.n - 2, 0.0, 0);
        loop {
            let (node, iv, level) = next;
            let mut done = match self.enter(node, iv, level) {
                Entered::Leaf(placed) => placed,
                Entered::Link(link, left) => {
                    next = (left, iv, level + 1);
                    stack.push(link);
                    continue;
                }
            };
            // Hand `done` up the stack until some link still needs its right subtree.
            loop {
                let Some(top) = stack.last_mut() else {
                    return Ok(());
                };
                match top.left {
                    None => {
                        let colour = self.colour_of(top.height, top.node)?;
                        top.left = Some((done, colour));
                        next = (top.right, top.iv + done.width, top.level + 1);
                        break;
                    }
                    Some((left, colour)) => {
                        let (h, node) = (top.height, top.node);
                        stack.pop();
                        self.emit(left, done, h, colour);
                        self.out.link_nodes.push(node);
                        done = Placed {
                            x: (left.x + done.x) / 2.0,
                            width: left.width + done.width,
                            height: h,
                        };
                    }
                }
            }
        }
    }

    fn enter(&mut self, node: usize, iv: f64, level: usize) -> Entered {
        let n = self.n;
        let leaf = Placed {
            x: iv + 5.0,
            width: 10.0,
            height: 0.0,
        };
        if node < n {
            self.out.leaves.push(node);
            self.out.ivl.push(match &self.opts.labels {
                Some(labels) => labels[node].clone(),
                None => node.to_string(),
            });
            return Entered::Leaf(leaf);
        }
        let row = self.z.row(node - n);
        if self.is_contracted(node, level) {
            self.out.leaves.push(node);
            self.out.ivl.push(if self.opts.show_leaf_counts {
                format!("({})", row[3] as i64)
            } else {
                String::new()
            });
            if self.opts.show_contracted {
                self.mark_contracted(node, leaf.x);
            }
            return Entered::Leaf(leaf);
        }
        let (a, b) = (row[0] as usize, row[1] as usize);
        let (left, right) = if self.b_goes_left(a, b) {
            (b, a)
        } else {
            (a, b)
        };
        let link = Pending {
            node,
            iv,
            level,
            right,
            height: row[2],
            left: None,
        };
        Entered::Link(link, left)
    }

    fn is_contracted(&self, node: usize, level: usize) -> bool {
        let n = self.n;
        match self.opts.truncate_mode {
            TruncateMode::None => false,
            TruncateMode::LastP(p) => {
                let p = if p == 0 || p > n { n } else { p };
                node >= n && node < 2 * n - p
            }
            TruncateMode::Level(p) => p > 0 && node > n && level > p,
        }
    }

    /// Whether the second child of a link goes left, under scipy's
    /// count_sort (first) or distance_sort rules.
    fn b_goes_left(&self, a: usize, b: usize) -> bool {
        let key = |id: usize, column: usize, singleton: f64| {
            if id >= self.n {
                self.z[[id - self.n, column]]
            } else {
                singleton
            }
        };
        let (order, ka, kb) = match (self.opts.count_sort, self.opts.distance_sort) {
            (LeafSort::None, LeafSort::None) => return false,
            (LeafSort::None, order) => (order, key(a, 2, 0.0), key(b, 2, 0.0)),
            (order, _) => (order, key(a, 3, 1.0), key(b, 3, 1.0)),
        };
        match order {
            LeafSort::None => false,
            LeafSort::Ascending => ka > kb,
            LeafSort::Descending => ka <= kb,
        }
    }

    /// scipy's colour rule, applied between a link's left and right subtree:
    /// at or above the threshold, the above colour (and the palette moves on
    /// if the previous link coloured was below); below, the current palette
    /// colour.
    fn colour_of(&mut self, height: f64, node: usize) -> Result<Colour> {
        let palette = self.opts.palette.len();
        if height >= self.threshold || self.threshold <= 0.0 {
            if self.below && palette > 0 {
                self.colour = (self.colour + 1) % palette;
            }
            self.below = false;
            Ok(Colour::Above)
        } else if palette == 0 {
            Err(Error::invalid_argument(
                "palette",
                format!(
                    "it is empty, but cluster {node} (height {height}) lies below the colour \
                     threshold {} and needs a colour; give at least one colour",
                    self.threshold
                ),
            ))
        } else {
            self.below = true;
            Ok(Colour::Palette(self.colour))
        }
    }

    fn emit(&mut self, left: Placed, right: Placed, height: f64, colour: Colour) {
        self.out.icoord.push([left.x, left.x, right.x, right.x]);
        self.out
            .dcoord
            .push([left.height, height, height, right.height]);
        self.out.color_list.push(match colour {
            Colour::Above => self.opts.above_threshold_color.clone(),
            Colour::Palette(k) => self.opts.palette[k].clone(),
        });
    }

    /// The merges inside contracted cluster `node`, each at the leaf's x:
    /// a pre-order walk (Z's child order) of its non-singleton descendants.
    fn mark_contracted(&mut self, node: usize, x: f64) {
        let n = self.n;
        let mut todo = vec![node];
        let mut first = true;
        while let Some(id) = todo.pop() {
            let row = self.z.row(id - n);
            if !first {
                self.out.contraction_marks.push([x, row[2]]);
            }
            first = false;
            for child in [row[1] as usize, row[0] as usize] {
                if child >= n {
                    todo.push(child);
                }
            }
        }
    }
}

/// scipy's `_get_leaves_color_list`: each leaf takes the colour of the last
/// link with a point at height 0 on its x (an odd multiple of 5). Like
/// scipy, a link merged at height 0 whose child centre falls on such an x
/// also paints that leaf. Leaves no link reaches get `fallback`.
fn leaves_color_list(out: &DendrogramLayout, fallback: &str) -> Vec<String> {
    let mut colours: Vec<Option<&str>> = vec![None; out.leaves.len()];
    for ((xs, ys), colour) in out.icoord.iter().zip(&out.dcoord).zip(&out.color_list) {
        for (&x, &y) in xs.iter().zip(ys) {
            if y == 0.0 && x % 5.0 == 0.0 && x % 2.0 == 1.0 {
                colours[(x as usize - 5) / 10] = Some(colour);
            }
        }
    }
    colours
        .into_iter()
        .map(|c| c.unwrap_or(fallback).to_string())
        .collect()
}

#[cfg(test)]
#[path = "layout_tests.rs"]
mod tests;
