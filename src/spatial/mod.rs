//! Spatial indexes for the linkage paths that avoid the distance matrix:
//! a kd-tree with per-node marks and the metrics whose distances a box
//! can bound.

pub(crate) mod kdtree;
pub(crate) mod metric;
