// Each listed row's candidates for its nearest active neighbour in a block
// of rows of the square distance matrix: the columns j != r (or, with
// `above` set, j > r: the generic algorithm's neighbour among the higher
// slots) whose value equals the row's smallest finite value. The CPU
// decides among them with its exact values (the matrix held here may be
// their f32 rounding; rounding is monotone, so the exact nearest is among
// them: src/linkage/rounds.rs, `Candidates`).
//
// One workgroup per row: each thread scans the columns lid, lid + 256, ...
// with a strict `<` from infinity (NaN and infinity never count), a tree
// reduction gives the row's minimum, and a second pass over the row lists
// the columns holding it: the first CANDS of them in `out` (in no
// particular order) and how many there are (0 when the minimum is not
// finite).
//
// `real` is f64; the f32 variant replaces that one alias line.

alias real = f64;

const WG: u32 = 256u;
// "No neighbour": every candidate was NaN or infinite, or none was active.
const NONE: u32 = 0xffffffffu;
// Candidates listed per row; each row's answer is STRIDE words: the count,
// then the slots.
const CANDS: u32 = 8u;
const STRIDE: u32 = 9u;

struct Params {
    // Columns (observations) of the matrix.
    n: u32,
    // First row held by this block.
    row0: u32,
    // Offset of this dispatch's entries in `rows` and `nearest`.
    base: u32,
    // How many rows this dispatch handles.
    count: u32,
    // Workgroups along x (the dispatch is 2-D when count > 65,535).
    groups_x: u32,
    // 1: only the columns above the row; 0: all columns.
    above: u32,
    // +infinity (WGSL has no infinity literal).
    inf: real,
}

@group(0) @binding(0) var<uniform> params: Params;
// Rows [row0, row0 + rows) of the square matrix, n entries each.
@group(0) @binding(1) var<storage, read> dist: array<real>;
// 1 for active columns, 0 for merged-away ones.
@group(0) @binding(2) var<storage, read> is_active: array<u32>;
// The rows to reduce (all inside this block from base to base + count).
@group(0) @binding(3) var<storage, read> rows: array<u32>;
// The answer for rows[t]: STRIDE words from (base + t) * STRIDE.
@group(0) @binding(4) var<storage, read_write> nearest: array<u32>;

var<workgroup> best_d: array<real, WG>;
var<workgroup> best_j: array<u32, WG>;
var<workgroup> found: atomic<u32>;

@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let t = wg.y * params.groups_x + wg.x;
    // Uniform across the workgroup: no barrier is skipped by some threads only.
    if (t >= params.count) {
        return;
    }
    let r = rows[params.base + t];
    let off = (r - params.row0) * params.n;
    var bd = params.inf;
    var bj = NONE;
    let first = select(0u, r + 1u, params.above != 0u);
    for (var j = first + lid; j < params.n; j += WG) {
        if (j != r && is_active[j] != 0u) {
            let v = dist[off + j];
            if (v < bd) {
                bd = v;
                bj = j;
            }
        }
    }
    best_d[lid] = bd;
    best_j[lid] = bj;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
        if (lid < s) {
            let od = best_d[lid + s];
            let oj = best_j[lid + s];
            let md = best_d[lid];
            let mj = best_j[lid];
            if (od < md || (od == md && oj < mj)) {
                best_d[lid] = od;
                best_j[lid] = oj;
            }
        }
        workgroupBarrier();
    }
    if (lid == 0u) {
        atomicStore(&found, 0u);
    }
    workgroupBarrier();
    let m = best_d[0];
    let at = (params.base + t) * STRIDE;
    if (m < params.inf) {
        for (var j = first + lid; j < params.n; j += WG) {
            if (j != r && is_active[j] != 0u && dist[off + j] == m) {
                let k = atomicAdd(&found, 1u);
                if (k < CANDS) {
                    nearest[at + 1u + k] = j;
                }
            }
        }
    }
    workgroupBarrier();
    if (lid == 0u) {
        nearest[at] = atomicLoad(&found);
    }
}
