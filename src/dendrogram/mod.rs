//! The dendrogram: scipy's `dendrogram(Z, no_plot=True)` layout.

pub mod layout;
mod options;

pub use layout::{
    dendrogram, DendrogramLayout, DendrogramOptions, LeafSort, Orientation, TruncateMode,
};
