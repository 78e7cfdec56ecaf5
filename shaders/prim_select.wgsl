// One step of Prim's algorithm, part 2 (one workgroup): reduce the
// candidates of prim_update.wgsl to the next point (smallest distance,
// ties to the lowest point), record the edge (current, next, distance),
// add the next point to the tree and make it the current one.
//
// When no candidate is below infinity (only with distances that overflow),
// the next point is the lowest one not in the tree, as on the CPU.
//
// `real` is f64; the f32 variant replaces that one alias line.

alias real = f64;

const WG: u32 = 256u;
const NONE: u32 = 0xffffffffu;

struct Params {
    n: u32,
    m: u32,
    groups_x: u32,
    // Entries of the candidate arrays.
    groups: u32,
    inf: real,
}

struct State {
    cur: u32,
    step: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> cand_d: array<real>;
@group(0) @binding(2) var<storage, read> cand_i: array<u32>;
@group(0) @binding(3) var<storage, read_write> done: array<u32>;
@group(0) @binding(4) var<storage, read_write> state: State;
// The edges found so far: edge k joins edge_a[k] and edge_b[k] at edge_d[k].
@group(0) @binding(5) var<storage, read_write> edge_a: array<u32>;
@group(0) @binding(6) var<storage, read_write> edge_b: array<u32>;
@group(0) @binding(7) var<storage, read_write> edge_d: array<real>;

var<workgroup> wd: array<real, WG>;
var<workgroup> wi: array<u32, WG>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
    var bd = params.inf;
    var bi = NONE;
    // Ascending with a strict `<`: the lowest point among equal distances
    // (the candidates' points ascend with their workgroup).
    for (var g = lid; g < params.groups; g += WG) {
        let d = cand_d[g];
        if (d < bd) {
            bd = d;
            bi = cand_i[g];
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
    // Nothing below infinity: the lowest point not in the tree.
    // (workgroupUniformLoad: every thread takes the same branch.)
    if (workgroupUniformLoad(&wi[0]) == NONE) {
        var first = NONE;
        for (var i = lid; i < params.n; i += WG) {
            if (done[i] == 0u) {
                first = i;
                break;
            }
        }
        wi[lid] = first;
        workgroupBarrier();
        for (var s = WG / 2u; s > 0u; s >>= 1u) {
            if (lid < s && wi[lid + s] < wi[lid]) {
                wi[lid] = wi[lid + s];
            }
            workgroupBarrier();
        }
    }
    if (lid == 0u) {
        let next = wi[0];
        let k = state.step;
        edge_a[k] = state.cur;
        edge_b[k] = next;
        edge_d[k] = wd[0];
        done[next] = 1u;
        state.cur = next;
        state.step = k + 1u;
    }
}
