// One step of Prim's algorithm for single linkage on observations, part 1:
// for every point i not yet in the tree, lower best[i] to the euclidean
// distance from the current point (the one added last), and reduce the
// workgroup's points to its candidate for the next point: the smallest
// best[i], ties to the lowest i (the CPU scan's strict `<` in ascending
// order). prim_select.wgsl then reduces the candidates.
//
// The distance sums (cur[k] - x[i][k])^2 over the features in order, then
// takes the square root: the CPU's (and scipy's pdist's) arithmetic, so in
// f64 the values agree to the bit where the device rounds correctly.
//
// The observations are stored feature-major (x[k * n + i]), so that the
// threads of a workgroup read consecutive addresses.
//
// `real` is f64; the f32 variant replaces that one alias line.

alias real = f64;

const WG: u32 = 256u;
const NONE: u32 = 0xffffffffu;

struct Params {
    // Observations.
    n: u32,
    // Features.
    m: u32,
    // Workgroups along x (the dispatch is 2-D when there are more than
    // the device allows in one dimension).
    groups_x: u32,
    // Workgroups in all (= entries of the candidate arrays).
    groups: u32,
    // +infinity (WGSL has no infinity literal).
    inf: real,
}

struct State {
    // The point added to the tree last.
    cur: u32,
    // How many edges are recorded.
    step: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// The observations, feature-major: x[k * n + i].
@group(0) @binding(1) var<storage, read> x: array<real>;
// 1 for the points already in the tree.
@group(0) @binding(2) var<storage, read> done: array<u32>;
@group(0) @binding(3) var<storage, read> state: State;
// Each point's smallest distance to the tree so far.
@group(0) @binding(4) var<storage, read_write> best: array<real>;
// Each workgroup's candidate: its distance and point.
@group(0) @binding(5) var<storage, read_write> cand_d: array<real>;
@group(0) @binding(6) var<storage, read_write> cand_i: array<u32>;

var<workgroup> wd: array<real, WG>;
var<workgroup> wi: array<u32, WG>;

@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let g = wg.y * params.groups_x + wg.x;
    // Uniform across the workgroup: no barrier is skipped by some threads only.
    if (g >= params.groups) {
        return;
    }
    let n = params.n;
    let i = g * WG + lid;
    let cur = state.cur;
    var bd = params.inf;
    var bi = NONE;
    if (i < n && done[i] == 0u) {
        var a: real = 0.0;
        for (var k = 0u; k < params.m; k++) {
            let t = x[k * n + cur] - x[k * n + i];
            a = a + t * t;
        }
        let d = sqrt(a);
        var b = best[i];
        if (b > d) {
            b = d;
            best[i] = d;
        }
        if (b < bd) {
            bd = b;
            bi = i;
        }
    }
    wd[lid] = bd;
    wi[lid] = bi;
    workgroupBarrier();
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
        if (lid < s) {
            let od = wd[lid + s];
            let oi = wi[lid + s];
            if (od < wd[lid] || (od == wd[lid] && oi < wi[lid])) {
                wd[lid] = od;
                wi[lid] = oi;
            }
        }
        workgroupBarrier();
    }
    if (lid == 0u) {
        cand_d[g] = wd[0];
        cand_i[g] = wi[0];
    }
}
