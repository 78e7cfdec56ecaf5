// Writes the new distances of the clusters merged in one round into the
// columns of one block of rows of the square distance matrix: for each
// changed slot s (the t-th of `slots`) and each row r of the block,
// d(r, s) = staged[t * n + r]. (The rows of the changed slots are copied
// whole with buffer copies; this kernel does the columns, which are strided.)
//
// `real` is f64; the f32 variant replaces that one alias line.

alias real = f64;

struct Params {
    // Columns (observations) of the matrix.
    n: u32,
    // First row held by this block.
    row0: u32,
    // Rows held by this block.
    rows: u32,
    // Changed slots in `slots` and rows in `staged`.
    count: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
// Rows [row0, row0 + rows) of the square matrix, n entries each.
@group(0) @binding(1) var<storage, read_write> dist: array<real>;
// The new rows of the changed slots, n entries each.
@group(0) @binding(2) var<storage, read> staged: array<real>;
// The changed slots.
@group(0) @binding(3) var<storage, read> slots: array<u32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
    let r = gid.x;
    let t = gid.y;
    if (r >= params.rows || t >= params.count) {
        return;
    }
    dist[r * params.n + slots[t]] = staged[t * params.n + params.row0 + r];
}
