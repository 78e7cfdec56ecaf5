//! The CPU side of the GPU distances: which metrics have a kernel, their
//! parameters checked as the CPU `pdist` checks them, and the per-feature
//! and per-row values the kernel needs (seuclidean's default variances,
//! the row norms of cosine, the centred rows of correlation), computed with
//! exactly the arithmetic of src/distance/, so that the GPU distances equal
//! the CPU's.

use crate::distance::shared::{column_variances, pairwise_sum, split_sum};
use crate::distance::Metric;

/// The kernel's metric ids (the `METRIC_*` constants of pdist_tiled.wgsl).
pub(crate) mod id {
    pub const EUCLIDEAN: u32 = 0;
    pub const SQEUCLIDEAN: u32 = 1;
    pub const CITYBLOCK: u32 = 2;
    pub const CHEBYSHEV: u32 = 3;
    pub const SEUCLIDEAN: u32 = 4;
    pub const COSINE: u32 = 5;
    pub const CANBERRA: u32 = 6;
    pub const BRAYCURTIS: u32 = 7;
    pub const HAMMING: u32 = 8;
    pub const JACCARD: u32 = 9;
    pub const ROGERSTANIMOTO: u32 = 10;
    pub const RUSSELLRAO: u32 = 11;
    pub const SOKALSNEATH: u32 = 12;
    pub const YULE: u32 = 13;
    pub const DICE: u32 = 14;
}

/// One run of the distance kernel.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct KernelSpec {
    /// The kernel's metric id.
    pub metric: u32,
    /// Whether `feature` holds minkowski weights.
    pub weighted: bool,
    /// The per-feature parameter (weights or variances), or empty.
    pub feature: Vec<f64>,
    /// The per-row values (norms), or empty.
    pub row_value: Vec<f64>,
    /// Observations to use instead of the input (the centred rows of
    /// correlation), row-major.
    pub data: Option<Vec<f64>>,
}

/// Where a metric is computed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Plan {
    /// On the GPU.
    Gpu(KernelSpec),
    /// On the CPU: no kernel, for the reason given.
    Cpu(String),
    /// A parameter is invalid: the CPU `pdist` reports it (with its own
    /// message, so both backends say the same).
    Invalid,
}

/// Plans `metric` for the row-major observations `x` (n x m, finite).
pub(crate) fn plan(x: &[f64], n: usize, m: usize, metric: &Metric) -> Plan {
    if m == 0 {
        return Plan::Cpu("observations without features".into());
    }
    let simple = |metric| {
        Plan::Gpu(KernelSpec {
            metric,
            weighted: false,
            feature: Vec::new(),
            row_value: Vec::new(),
            data: None,
        })
    };
    match metric {
        Metric::Euclidean => simple(id::EUCLIDEAN),
        Metric::SqEuclidean => simple(id::SQEUCLIDEAN),
        Metric::Cityblock => simple(id::CITYBLOCK),
        Metric::Chebyshev => simple(id::CHEBYSHEV),
        Metric::Minkowski { p, w } => minkowski(*p, w.as_deref(), m),
        Metric::SEuclidean { v } => {
            let var = match v {
                Some(v) if v.len() != m || v.iter().any(|v| !(*v > 0.0 && v.is_finite())) => {
                    return Plan::Invalid
                }
                Some(v) => v.clone(),
                None => {
                    let var = column_variances(x, n, m);
                    if var.contains(&0.0) {
                        return Plan::Invalid;
                    }
                    var
                }
            };
            Plan::Gpu(KernelSpec {
                metric: id::SEUCLIDEAN,
                weighted: false,
                feature: var,
                row_value: Vec::new(),
                data: None,
            })
        }
        Metric::Cosine => Plan::Gpu(KernelSpec {
            metric: id::COSINE,
            weighted: false,
            feature: Vec::new(),
            row_value: row_norms(x, m),
            data: None,
        }),
        Metric::Correlation => {
            let centred = centred_rows(x, m);
            Plan::Gpu(KernelSpec {
                metric: id::COSINE,
                weighted: false,
                feature: Vec::new(),
                row_value: row_norms(&centred, m),
                data: Some(centred),
            })
        }
        Metric::Canberra => simple(id::CANBERRA),
        Metric::BrayCurtis => simple(id::BRAYCURTIS),
        Metric::Hamming => simple(id::HAMMING),
        Metric::Jaccard => simple(id::JACCARD),
        Metric::Dice => simple(id::DICE),
        Metric::RogersTanimoto => simple(id::ROGERSTANIMOTO),
        Metric::RussellRao => simple(id::RUSSELLRAO),
        Metric::SokalSneath => simple(id::SOKALSNEATH),
        Metric::Yule => simple(id::YULE),
        Metric::Mahalanobis { .. } => {
            Plan::Cpu("mahalanobis (a matrix product per pair) has no GPU kernel".into())
        }
        Metric::JensenShannon => {
            Plan::Cpu("jensenshannon needs f64 logarithms, which GPU shaders lack".into())
        }
        Metric::Custom(c) => Plan::Cpu(format!("the custom metric '{}' runs on the CPU", c.name())),
    }
}

/// scipy's minkowski: p = 1, 2 and infinity are the (weighted) cityblock,
/// euclidean and chebyshev kernels; other p need f64 powers, which GPU
/// shaders lack.
fn minkowski(p: f64, w: Option<&[f64]>, m: usize) -> Plan {
    if p.is_nan() || p <= 0.0 {
        return Plan::Invalid;
    }
    if let Some(w) = w {
        if w.len() != m || w.iter().any(|v| !(*v >= 0.0 && v.is_finite())) {
            return Plan::Invalid;
        }
    }
    let metric = if p == 1.0 {
        id::CITYBLOCK
    } else if p == 2.0 {
        id::EUCLIDEAN
    } else if p.is_infinite() {
        id::CHEBYSHEV
    } else {
        return Plan::Cpu(format!(
            "minkowski with p = {p} needs f64 powers, which GPU shaders lack"
        ));
    };
    Plan::Gpu(KernelSpec {
        metric,
        weighted: w.is_some(),
        feature: w.map(<[f64]>::to_vec).unwrap_or_default(),
        row_value: Vec::new(),
        data: None,
    })
}

/// Each row's euclidean norm, as the CPU cosine computes it.
pub(crate) fn row_norms(x: &[f64], m: usize) -> Vec<f64> {
    x.chunks_exact(m)
        .map(|row| split_sum(m, |k| row[k] * row[k]).sqrt())
        .collect()
}

/// The rows minus their means (numpy's pairwise sum over m), as the CPU
/// correlation computes them.
pub(crate) fn centred_rows(x: &[f64], m: usize) -> Vec<f64> {
    x.chunks_exact(m)
        .flat_map(|row| {
            let mean = pairwise_sum(row) / m as f64;
            row.iter().map(move |v| v - mean)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minkowski_maps_to_the_cpu_special_cases() {
        let x = [0.0, 1.0, 2.0, 3.0];
        let k = |p: f64, w: Option<Vec<f64>>| plan(&x, 2, 2, &Metric::Minkowski { p, w });
        assert!(matches!(k(1.0, None), Plan::Gpu(s) if s.metric == id::CITYBLOCK && !s.weighted));
        assert!(
            matches!(k(2.0, Some(vec![1.0, 2.0])), Plan::Gpu(s) if s.metric == id::EUCLIDEAN && s.weighted)
        );
        assert!(matches!(k(f64::INFINITY, None), Plan::Gpu(s) if s.metric == id::CHEBYSHEV));
        assert!(matches!(k(3.0, None), Plan::Cpu(_)));
        assert_eq!(k(0.0, None), Plan::Invalid);
        assert_eq!(k(2.0, Some(vec![1.0])), Plan::Invalid);
        assert_eq!(k(2.0, Some(vec![1.0, -1.0])), Plan::Invalid);
    }

    #[test]
    fn seuclidean_checks_its_variances() {
        let x = [0.0, 1.0, 0.0, 3.0];
        // Column 0 is constant: variance 0.
        assert_eq!(
            plan(&x, 2, 2, &Metric::SEuclidean { v: None }),
            Plan::Invalid
        );
        let v = Some(vec![1.0, 0.0]);
        assert_eq!(plan(&x, 2, 2, &Metric::SEuclidean { v }), Plan::Invalid);
        let x = [0.0, 1.0, 2.0, 3.0, 5.0, 4.0];
        match plan(&x, 3, 2, &Metric::SEuclidean { v: None }) {
            Plan::Gpu(s) => assert_eq!(s.feature, vec![6.333333333333334, 2.333333333333333]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn pairwise_sum_matches_a_plain_sum_on_integers() {
        let a: Vec<f64> = (0..1000).map(f64::from).collect();
        assert_eq!(pairwise_sum(&a), 499_500.0);
        assert_eq!(pairwise_sum(&a[..5]), 10.0);
    }
}
