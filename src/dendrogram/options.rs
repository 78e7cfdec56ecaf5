//! The options of [`super::dendrogram`], named after scipy's keyword
//! arguments: which part of the tree to draw, how to order each node's
//! children, the orientation, labels and colours.

use std::fmt;
use std::str::FromStr;

use crate::error::{Error, Result};

/// Which part of the tree to draw: scipy's `truncate_mode` with its `p`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TruncateMode {
    /// The whole tree (scipy's `None`).
    #[default]
    None,
    /// Only the last p merges: node i is shown as a contracted leaf when
    /// `2n - p > i >= n`, so p leaves remain (scipy's `'lastp'`).
    /// p = 0 or p > n means p = n (no truncation).
    LastP(usize),
    /// No more than p levels below the root: node i > n at depth > p is
    /// shown as a contracted leaf (scipy's `'level'`, alias `'mtica'`).
    /// p = 0 means no truncation. As in scipy, node n (the first merge) is
    /// never contracted.
    Level(usize),
}

impl TruncateMode {
    /// Parses scipy's names (`none`, `lastp`, `level`, `mtica`, case-insensitive)
    /// with the `p` that goes with them (ignored for `none`).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming `truncate_mode` and listing the valid
    /// names when `name` is none of them.
    pub fn from_name(name: &str, p: usize) -> Result<TruncateMode> {
        match name.trim().to_ascii_lowercase().as_str() {
            "none" => Ok(TruncateMode::None),
            "lastp" => Ok(TruncateMode::LastP(p)),
            "level" | "mtica" => Ok(TruncateMode::Level(p)),
            _ => Err(Error::invalid_argument(
                "truncate_mode",
                format!("unknown mode '{name}'; valid modes: none, lastp, level, mtica"),
            )),
        }
    }

    /// scipy's name of the mode: `none`, `lastp` or `level`.
    pub fn name(self) -> &'static str {
        match self {
            TruncateMode::None => "none",
            TruncateMode::LastP(_) => "lastp",
            TruncateMode::Level(_) => "level",
        }
    }
}

/// How to order the two children of a link (scipy's `count_sort` and
/// `distance_sort`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LeafSort {
    /// Z's order: the first column's cluster goes left.
    #[default]
    None,
    /// The child with the smaller key goes left; on a tie, Z's order.
    Ascending,
    /// The child with the larger key goes left; on a tie, the second
    /// column's cluster goes left (scipy's rule).
    Descending,
}

impl LeafSort {
    /// scipy's name: `none`, `ascending` or `descending`.
    pub fn name(self) -> &'static str {
        match self {
            LeafSort::None => "none",
            LeafSort::Ascending => "ascending",
            LeafSort::Descending => "descending",
        }
    }
}

impl FromStr for LeafSort {
    type Err = Error;

    /// Parses `none`, `ascending`, `descending`, and scipy's booleans
    /// (`true` is ascending, `false` none), case-insensitively.
    fn from_str(s: &str) -> Result<LeafSort> {
        match s.trim().to_ascii_lowercase().as_str() {
            "none" | "false" => Ok(LeafSort::None),
            "ascending" | "true" => Ok(LeafSort::Ascending),
            "descending" => Ok(LeafSort::Descending),
            _ => Err(Error::invalid_argument(
                "count_sort/distance_sort",
                format!("unknown order '{s}'; valid orders: none, ascending, descending"),
            )),
        }
    }
}

/// Where the root is drawn. It does not change the layout's coordinates;
/// renderers read it from [`DendrogramLayout::orientation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Orientation {
    /// Root at the top, leaves along the bottom (scipy's default).
    #[default]
    Top,
    /// Root at the bottom.
    Bottom,
    /// Root on the left.
    Left,
    /// Root on the right.
    Right,
}

impl Orientation {
    /// scipy's name: `top`, `bottom`, `left` or `right`.
    pub fn name(self) -> &'static str {
        match self {
            Orientation::Top => "top",
            Orientation::Bottom => "bottom",
            Orientation::Left => "left",
            Orientation::Right => "right",
        }
    }
}

impl fmt::Display for Orientation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Orientation {
    type Err = Error;

    /// Parses `top`, `bottom`, `left` and `right`, case-insensitively.
    fn from_str(s: &str) -> Result<Orientation> {
        match s.trim().to_ascii_lowercase().as_str() {
            "top" => Ok(Orientation::Top),
            "bottom" => Ok(Orientation::Bottom),
            "left" => Ok(Orientation::Left),
            "right" => Ok(Orientation::Right),
            _ => Err(Error::invalid_argument(
                "orientation",
                format!("unknown orientation '{s}'; valid orientations: top, bottom, left, right"),
            )),
        }
    }
}

/// The options of [`dendrogram`], named after scipy's keyword arguments.
/// `Default` gives scipy's defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct DendrogramOptions {
    /// Which part of the tree to draw (default: all of it).
    pub truncate_mode: TruncateMode,
    /// Links merged at this height or above get `above_threshold_color`; those
    /// below get palette colours. `None` means scipy's `0.7 * max(Z[:, 2])`.
    /// A threshold <= 0 colours every link `above_threshold_color`.
    pub color_threshold: Option<f64>,
    /// The colour of links at or above the threshold (default `"C0"`).
    pub above_threshold_color: String,
    /// The colours of the clusters below the threshold, used in turn
    /// (default `"C1"` to `"C9"`, scipy's `set_link_color_palette(None)`).
    pub palette: Vec<String>,
    /// A label for each of the n observations (default: their indices).
    pub labels: Option<Vec<String>>,
    /// Order the children of each link by their number of observations.
    /// Takes precedence over `distance_sort`.
    pub count_sort: LeafSort,
    /// Order the children of each link by their merge height (0 for a
    /// singleton).
    pub distance_sort: LeafSort,
    /// Label a contracted leaf "(count)" rather than "" (default true).
    pub show_leaf_counts: bool,
    /// Record the heights of the merges hidden inside contracted leaves in
    /// [`DendrogramLayout::contraction_marks`] (default false).
    pub show_contracted: bool,
    /// Where the root goes; carried to the layout for renderers.
    pub orientation: Orientation,
}

impl Default for DendrogramOptions {
    fn default() -> Self {
        DendrogramOptions {
            truncate_mode: TruncateMode::None,
            color_threshold: None,
            above_threshold_color: "C0".to_string(),
            palette: (1..=9).map(|k| format!("C{k}")).collect(),
            labels: None,
            count_sort: LeafSort::None,
            distance_sort: LeafSort::None,
            show_leaf_counts: true,
            show_contracted: false,
            orientation: Orientation::Top,
        }
    }
}
