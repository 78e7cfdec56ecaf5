//! What the scipy workflow does with Z: cophenetic distances, inconsistency,
//! flat clusters, tree utilities, leaf ordering, members and cut-off
//! suggestions. Nothing here recurses on the depth of the tree.

mod cophenet;
pub mod cophenet_stream;
mod cut;
mod fcluster;
mod inconsistent;
pub mod leaf_ordering;
mod members;
pub mod suggest;
mod tree;

use ndarray::ArrayView2;

pub use cophenet::{cophenet, cophenet_correlation};
pub use cophenet_stream::{
    cophenet_correlation_auto, cophenet_correlation_sampled, cophenet_correlation_streamed,
    CophenetCorrelation,
};
pub use cut::{cut_tree, leaders, Cut};
pub use fcluster::{fcluster, fclusterdata, is_isomorphic, Criterion};
pub use inconsistent::{inconsistent, max_rstat, maxdists, maxinconsts};
pub use leaf_ordering::optimal_leaf_ordering;
pub use members::{cluster_members, ClusterSummary};
pub use tree::{leaves_list, node_members, to_tree, ClusterNode, Tree};

use crate::distance::CondensedMatrix;
use crate::linkage::is_valid_linkage;

/// Whether Z and the condensed matrix y describe the same number of
/// observations and Z is valid (scipy's `correspond`).
pub fn correspond(z: ArrayView2<f64>, y: &CondensedMatrix) -> bool {
    is_valid_linkage(z) && z.nrows() + 1 == y.n()
}
