// Pairwise distances (scipy's pdist) for one block of rows, tiled.
//
// Each workgroup computes a 16 x 16 tile of pairs (i, j): rows i of the block
// against rows j of all observations, and writes the pairs with i < j to the
// block's part of the condensed matrix. It stages 16 features of its 16 + 16
// rows in workgroup memory at a time; each thread owns one pair and sums over
// the features in their natural order, with the same operations as the CPU
// code in src/distance/ (sequential sums, or the even/odd split sums of
// scipy's vectorised C loops), so the results agree to the bit where the
// arithmetic is correctly rounded.
//
// The metric is a pipeline-overridable constant: each metric gets its own
// pipeline and the driver folds the branches away.
//
// `real` is f64; the f32 variant of this file is made by replacing that one
// alias line when the device has no SHADER_F64 (see src/backend/gpu/context.rs).

alias real = f64;

// Which metric (the METRIC_* constants below).
override METRIC: u32 = 0u;
// Whether `feature` holds minkowski weights (euclidean, cityblock, chebyshev).
override WEIGHTED: bool = false;

const METRIC_EUCLIDEAN: u32 = 0u;
const METRIC_SQEUCLIDEAN: u32 = 1u;
const METRIC_CITYBLOCK: u32 = 2u;
const METRIC_CHEBYSHEV: u32 = 3u;
const METRIC_SEUCLIDEAN: u32 = 4u;
const METRIC_COSINE: u32 = 5u;
const METRIC_CANBERRA: u32 = 6u;
const METRIC_BRAYCURTIS: u32 = 7u;
const METRIC_HAMMING: u32 = 8u;
const METRIC_JACCARD: u32 = 9u;
const METRIC_ROGERSTANIMOTO: u32 = 10u;
const METRIC_RUSSELLRAO: u32 = 11u;
const METRIC_SOKALSNEATH: u32 = 12u;
const METRIC_YULE: u32 = 13u;
const METRIC_DICE: u32 = 14u;

// Pairs per tile side, and features staged per step (both 16).
const TILE: u32 = 16u;

struct Params {
    // Observations.
    n: u32,
    // Features.
    m: u32,
    // First row of this block.
    row0: u32,
    // One past the last row of this block.
    row1: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// The observations, n x m, row-major.
@group(0) @binding(1) var<storage, read> x: array<real>;
// A per-feature parameter: minkowski weights w, or seuclidean variances V.
@group(0) @binding(2) var<storage, read> feature: array<real>;
// A per-row value: the row norms of cosine and correlation.
@group(0) @binding(3) var<storage, read> row_value: array<real>;
// The condensed distances of rows [row0, row1): pair (i, j), i < j, at
// r (2 (n - row0) - r - 1) / 2 + (j - i - 1) with r = i - row0.
@group(0) @binding(4) var<storage, read_write> out: array<real>;

// rows_i[r * TILE + k]: feature k0 + k of row i_base + r; rows_j likewise.
var<workgroup> rows_i: array<real, 256>;
var<workgroup> rows_j: array<real, 256>;
// feature[k0 + k].
var<workgroup> feat: array<real, 16>;

fn uses_feature() -> bool {
    return WEIGHTED || METRIC == METRIC_SEUCLIDEAN;
}

// Metrics summed as scipy's vectorised C loops sum them: even and odd
// features apart, then together, then the last feature when m is odd.
fn is_split() -> bool {
    return METRIC == METRIC_SEUCLIDEAN || METRIC == METRIC_COSINE;
}

// The split-sum term of one feature.
fn split_term(u: real, v: real, w: real) -> real {
    if (METRIC == METRIC_SEUCLIDEAN) {
        return ((u - v) * (u - v)) / w;
    }
    return u * v;
}

@compute @workgroup_size(16, 16)
fn main(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(local_invocation_id) lid: vec3<u32>,
) {
    let n = params.n;
    let m = params.m;
    let i_base = params.row0 + wg.y * TILE;
    let j_base = wg.x * TILE;
    // The whole tile lies on or below the diagonal: nothing to do (uniform
    // across the workgroup, so no barrier is skipped by only some threads).
    if (j_base + TILE - 1u <= i_base) {
        return;
    }
    let i = i_base + lid.y;
    let j = j_base + lid.x;

    // Running sums: a (and b for braycurtis and dice), the split sums, and
    // the boolean counts.
    var a: real = 0.0;
    var b: real = 0.0;
    var even: real = 0.0;
    var odd: real = 0.0;
    var last: real = 0.0;
    var ntt = 0u;
    var ntf = 0u;
    var nft = 0u;
    let split_end = m - (m % 2u);

    for (var k0 = 0u; k0 < m; k0 += TILE) {
        let k = k0 + lid.x;
        let ri = i_base + lid.y;
        let rj = j_base + lid.y;
        var vi: real = 0.0;
        var vj: real = 0.0;
        if (k < m && ri < params.row1) {
            vi = x[ri * m + k];
        }
        if (k < m && rj < n) {
            vj = x[rj * m + k];
        }
        rows_i[lid.y * TILE + lid.x] = vi;
        rows_j[lid.y * TILE + lid.x] = vj;
        if (uses_feature() && lid.y == 0u) {
            var w: real = 1.0;
            if (k < m) {
                w = feature[k];
            }
            feat[lid.x] = w;
        }
        workgroupBarrier();

        let kn = min(TILE, m - k0);
        for (var kk = 0u; kk < kn; kk++) {
            let u = rows_i[lid.y * TILE + kk];
            let v = rows_j[lid.x * TILE + kk];
            if (is_split()) {
                var w: real = 1.0;
                if (METRIC == METRIC_SEUCLIDEAN) {
                    w = feat[kk];
                }
                let t = split_term(u, v, w);
                let kg = k0 + kk;
                if (kg >= split_end) {
                    last = t;
                } else if ((kg & 1u) == 0u) {
                    even = even + t;
                } else {
                    odd = odd + t;
                }
            } else if (METRIC == METRIC_EUCLIDEAN || METRIC == METRIC_SQEUCLIDEAN) {
                let sq = (u - v) * (u - v);
                if (WEIGHTED) {
                    a = a + feat[kk] * sq;
                } else {
                    a = a + sq;
                }
            } else if (METRIC == METRIC_CITYBLOCK) {
                if (WEIGHTED) {
                    a = a + feat[kk] * abs(u - v);
                } else {
                    a = a + abs(u - v);
                }
            } else if (METRIC == METRIC_CHEBYSHEV) {
                let d = abs(u - v);
                var w: real = 1.0;
                if (WEIGHTED) {
                    w = feat[kk];
                }
                if (w > 0.0 && a < d) {
                    a = d;
                }
            } else if (METRIC == METRIC_CANBERRA) {
                let denom = abs(u) + abs(v);
                var guard: real = 0.0;
                if (denom == 0.0) {
                    guard = 1.0;
                }
                a = a + abs(u - v) / (denom + guard);
            } else if (METRIC == METRIC_BRAYCURTIS) {
                a = a + abs(u - v);
                b = b + abs(u + v);
            } else if (METRIC == METRIC_DICE) {
                a = a + (u * (1.0 - v) + v * (1.0 - u));
                b = b + u * v;
            } else if (METRIC == METRIC_HAMMING) {
                if (u != v) {
                    ntf += 1u;
                }
            } else {
                let tu = u != 0.0;
                let tv = v != 0.0;
                if (tu && tv) {
                    ntt += 1u;
                } else if (tu) {
                    ntf += 1u;
                } else if (tv) {
                    nft += 1u;
                }
            }
        }
        workgroupBarrier();
    }

    if (i >= params.row1 || j >= n || j <= i) {
        return;
    }

    var d: real = 0.0;
    let mf = real(m);
    let ttf = real(ntt);
    let tff = real(ntf);
    let fft = real(nft);
    let ndiff = tff + fft;
    switch METRIC {
        case METRIC_EUCLIDEAN: {
            d = sqrt(a);
        }
        case METRIC_SEUCLIDEAN: {
            var s = even + odd;
            if ((m % 2u) == 1u) {
                s = s + last;
            }
            d = sqrt(s);
        }
        case METRIC_COSINE: {
            var s = even + odd;
            if ((m % 2u) == 1u) {
                s = s + last;
            }
            var c = s / (row_value[i] * row_value[j]);
            if (abs(c) > 1.0) {
                c = sign(c);
            }
            d = 1.0 - c;
        }
        case METRIC_BRAYCURTIS: {
            d = a / b;
        }
        case METRIC_DICE: {
            d = a / (2.0 * b + a);
        }
        case METRIC_HAMMING: {
            d = tff / mf;
        }
        case METRIC_JACCARD: {
            let denom = ttf + ndiff;
            if (denom != 0.0) {
                d = ndiff / denom;
            }
        }
        case METRIC_ROGERSTANIMOTO: {
            d = (2.0 * ndiff) / (mf + ndiff);
        }
        case METRIC_RUSSELLRAO: {
            d = (mf - ttf) / mf;
        }
        case METRIC_SOKALSNEATH: {
            d = (2.0 * ndiff) / (2.0 * ndiff + ttf);
        }
        case METRIC_YULE: {
            let nff = mf - ttf - tff - fft;
            let half_r = tff * fft;
            var guard: real = 0.0;
            if (half_r == 0.0) {
                guard = 1.0;
            }
            d = (2.0 * half_r) / (ttf * nff + half_r + guard);
        }
        default: {
            // sqeuclidean, cityblock, chebyshev, canberra: the sum itself.
            d = a;
        }
    }
    let r = i - params.row0;
    out[(r * (2u * (n - params.row0) - r - 1u)) / 2u + (j - i - 1u)] = d;
}
