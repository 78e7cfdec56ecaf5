// The pairs that exact single linkage may need, after Prim's algorithm
// ran in f32 (prim_update.wgsl and prim_select.wgsl with `real` = f32).
//
// The points are numbered by the position at which Prim's tree took them
// (position 0 is the first point), and key[p] is the f32 distance at which
// position p joined. For positions a < b, the largest key of a + 1 ..= b is
// the f32 tree's minimax distance between them (the largest edge on the
// tree path). Every pair (a, b) whose f32 distance is at most
// bound(that maximum) is appended to `pairs`; src/backend/gpu/prim_exact.rs
// proves that these pairs hold every minimum spanning tree of the exact
// f64 distances, and the host runs Prim's algorithm over them in f64.
//
// bound(r) = (r + beta) * rho + beta, with rho and beta from the error
// bound of the f32 distance (computed on the host, rounded up).
//
// One thread per position a keeps its running maximum in runmax[a] across
// the dispatches, each of which covers the columns b0 <= b < b1 (so that
// no dispatch runs long). The points are feature-major (x[k * n + p]): the
// threads of a workgroup read consecutive addresses for their own a, and
// all read the same address for b.
//
// On f64 adapters Prim's own distances are exact, so this kernel is
// written in f32 alone:
// precision: f32 only

const WG: u32 = 256u;

struct Params {
    n: u32,
    m: u32,
    // This dispatch's columns: b0 <= b < b1.
    b0: u32,
    b1: u32,
    // Room in `pairs` (pairs beyond it are only counted).
    cap: u32,
    // Workgroups along x (2-D dispatch beyond the per-dimension limit).
    groups_x: u32,
    rho: f32,
    beta: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
// The points in Prim's order, feature-major.
@group(0) @binding(1) var<storage, read> x: array<f32>;
// key[p]: the f32 distance at which position p joined the tree (key[0] = 0).
@group(0) @binding(2) var<storage, read> key: array<f32>;
// runmax[a]: the largest key of positions a + 1 .. b0 - 1 (0 before any).
@group(0) @binding(3) var<storage, read_write> runmax: array<f32>;
// found[0]: how many pairs were found (may pass cap); found[1]: how many
// pairs were looked at, modulo 2^32 (the host checks that every thread
// ran its columns to the end).
@group(0) @binding(4) var<storage, read_write> found: array<atomic<u32>, 2>;
// The pairs: pairs[2 k] = a, pairs[2 k + 1] = b.
@group(0) @binding(5) var<storage, read_write> pairs: array<u32>;

@compute @workgroup_size(256)
fn main(
    @builtin(workgroup_id) wg: vec3<u32>,
    @builtin(local_invocation_index) lid: u32,
) {
    let n = params.n;
    let a = (wg.y * params.groups_x + wg.x) * WG + lid;
    // No barriers below, so threads may leave early.
    if (a >= n || a + 1u >= params.b1) {
        return;
    }
    var r = runmax[a];
    let first = max(a + 1u, params.b0);
    var b = first;
    for (; b < params.b1; b++) {
        r = max(r, key[b]);
        var s = 0.0f;
        for (var k = 0u; k < params.m; k++) {
            let t = x[k * n + a] - x[k * n + b];
            s = s + t * t;
        }
        if (sqrt(s) <= (r + params.beta) * params.rho + params.beta) {
            let at = atomicAdd(&found[0], 1u);
            if (at < params.cap) {
                pairs[2u * at] = a;
                pairs[2u * at + 1u] = b;
            }
        }
    }
    runmax[a] = r;
    atomicAdd(&found[1], b - first);
}
