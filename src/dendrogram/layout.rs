//! Dendrogram layout (being written).
