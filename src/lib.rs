//! # hclust
//!
//! Hierarchical agglomerative clustering with results identical to scipy's
//! `scipy.cluster.hierarchy.linkage`.
#![deny(missing_docs)]

pub mod analysis;
pub mod backend;
pub mod cancel;
#[cfg(feature = "cli")]
pub mod cli;
pub mod datasets;
pub mod dendrogram;
pub mod distance;
pub mod error;
pub mod io;
pub mod linkage;
pub mod memory;
pub mod precision;
pub mod render;
pub mod report;
mod spatial;
#[cfg(test)]
mod test_rng;

pub use backend::DeviceStats;
pub use cancel::Cancel;
pub use distance::{pdist, pdist_f32, CondensedMatrix, CustomMetric, Metric};
pub use error::{Error, Result};
pub use linkage::{
    linkage, linkage_condensed, linkage_f32, linkage_with, Algorithm, LinkageOptions,
    LinkageReport, LinkageResult, Method,
};
pub use precision::Precision;
