//! The dendrogram: scipy's `dendrogram(Z, no_plot=True)` layout.

pub mod layout;

pub use layout::{
    dendrogram, DendrogramLayout, DendrogramOptions, LeafSort, Orientation, TruncateMode,
};
