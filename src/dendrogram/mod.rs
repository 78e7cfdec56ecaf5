//! The dendrogram: scipy's `dendrogram(Z, no_plot=True)` layout.

pub mod layout;
