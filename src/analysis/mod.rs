//! What the scipy workflow does with Z: cophenetic distances, inconsistency,
//! flat clusters, tree utilities, leaf ordering, members and cut-off
//! suggestions. Nothing here recurses on the depth of the tree.

pub mod leaf_ordering;

pub use leaf_ordering::optimal_leaf_ordering;
