#!/usr/bin/env bash
# CPU against GPU on a machine with a real GPU (issue 13, part 3), as one
# table, within a time budget.
#
#   bash benches/device.sh                 # the defaults below
#   SIZES="10000 20000" DIMS=32 bash benches/device.sh
#
# What it does:
#   1. finds the Vulkan loader and NVIDIA's driver (see "Vulkan" below);
#   2. prints `hclust info` (the adapters wgpu sees);
#   3. for each n in SIZES and d in DIMS (small first), runs
#      `hclust bench --n N -d D --methods METHODS --json ...`: on the same
#      seeded blobs, pdist euclidean and linkage per method, each on the CPU
#      (all cores) and on the GPU (PRECISION), with the GPU's counts
#      (`hclust linkage --stats`: rounds, rows reduced, bytes up and down,
#      dispatches, submissions, host and wait times);
#   4. writes one Markdown table to OUT (and prints it): CPU and GPU
#      seconds per cell, the GPU's speed-up, its counts, and the distance
#      kernel's GFLOP/s (3 d flops per pair) against the card's peak.
#
# Budget: BUDGET seconds in all (default 450, so the whole script stays
# under 8 minutes); each `hclust bench` call gets what is left, and the
# cells that no longer fit are listed as not run.
#
# Environment:
#   HCLUST     the binary (default target/release/hclust; a release binary
#              built on any x86-64 Linux runs on the device machine)
#   SIZES      numbers of observations (default "10000 20000 50000")
#   DIMS       features (default "32 128")
#   METHODS    (default "ward average single centroid")
#   PRECISION  f64 or f32 for the GPU kernels (default f64)
#   PEAK_GFLOPS  the card's peak in that precision, in GFLOP/s (default:
#              from the name nvidia-smi gives, for the cards listed below)
#   BUDGET     seconds (default 450)
#   OUT        the table (default benches/results/device.md)
#
# Vulkan: where `ldconfig -p` lists no libvulkan.so.1, the script unpacks
# the .deb files in VULKAN_DEBS (default benches/vulkan-debs; fetch them on
# any amd64 Debian or Ubuntu machine with
# `apt-get download libvulkan1 libegl1 libglvnd0`) into / and reruns
# ldconfig; it sets VK_DRIVER_FILES to NVIDIA's ICD file when one exists
# and none is set.
set -u

HCLUST=${HCLUST:-target/release/hclust}
SIZES=${SIZES:-"10000 20000 50000"}
DIMS=${DIMS:-"32 128"}
METHODS=${METHODS:-"ward average single centroid"}
PRECISION=${PRECISION:-f64}
BUDGET=${BUDGET:-450}
OUT=${OUT:-benches/results/device.md}
VULKAN_DEBS=${VULKAN_DEBS:-benches/vulkan-debs}

start=$(date +%s)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$work/xdg}
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"

if [ ! -x "$HCLUST" ]; then
    echo "device.sh: no hclust binary at $HCLUST (build it with cargo build --release, or set HCLUST)" >&2
    exit 2
fi

# --- Vulkan --------------------------------------------------------------
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then
    if ls "$VULKAN_DEBS"/*.deb >/dev/null 2>&1; then
        echo "device.sh: no Vulkan loader; unpacking $VULKAN_DEBS/*.deb into /" >&2
        for f in "$VULKAN_DEBS"/*.deb; do dpkg -x "$f" / || echo "device.sh: could not unpack $f" >&2; done
        ldconfig || true
    else
        echo "device.sh: no Vulkan loader (libvulkan.so.1) and no .deb files in $VULKAN_DEBS: the GPU may not be found" >&2
    fi
fi
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -z "${VK_ICD_FILENAMES:-}" ]; then
    for icd in /usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json \
        /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json; do
        if [ -f "$icd" ]; then
            export VK_DRIVER_FILES=$icd
            break
        fi
    done
fi

# --- the card ------------------------------------------------------------
card=$(nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader 2>/dev/null | head -1)
card=${card:-"(nvidia-smi not found)"}
if [ -z "${PEAK_GFLOPS:-}" ]; then
    # Published dense peaks (GFLOP/s, without sparsity): f32, f64.
    case "$card" in
        *H200* | *"H100 80GB HBM3"* | *H100*SXM*) peaks="67000 34000" ;;
        *H100*) peaks="51000 26000" ;;
        *A100*) peaks="19500 9700" ;;
        *L40S*) peaks="91600 1400" ;;
        *L4*) peaks="30300 490" ;;
        *4090*) peaks="82600 1300" ;;
        *) peaks="" ;;
    esac
    if [ -n "$peaks" ]; then
        set -- $peaks
        if [ "$PRECISION" = f32 ]; then PEAK_GFLOPS=$1; else PEAK_GFLOPS=$2; fi
    else
        PEAK_GFLOPS=""
    fi
fi

info=$("$HCLUST" info 2>&1)
echo "$info"

# --- the runs ------------------------------------------------------------
skipped=()
for n in $SIZES; do
    for d in $DIMS; do
        left=$((BUDGET - ($(date +%s) - start)))
        if [ "$left" -lt 10 ]; then
            skipped+=("n=$n d=$d")
            continue
        fi
        echo "device.sh: n=$n d=$d ($left s left)" >&2
        # shellcheck disable=SC2086
        timeout "$left" "$HCLUST" bench --n "$n" -d "$d" --methods $METHODS \
            --precision "$PRECISION" --kernel-times --json "$work/bench-$n-$d.json" >&2
        rc=$?
        if [ "$rc" -ne 0 ]; then
            skipped+=("n=$n d=$d (hclust bench exit $rc$([ "$rc" -eq 124 ] && echo ': out of time'))")
        fi
    done
done

# --- the table -----------------------------------------------------------
mkdir -p "$(dirname "$OUT")"
python3 - "$work" "$OUT" "$card" "$PRECISION" "${PEAK_GFLOPS:-}" "$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)" \
    "$(printf '%s\n' "${skipped[@]+"${skipped[@]}"}")" "$info" <<'PY'
import glob, json, os, sys
work, out, card, precision, peak, commit, skipped, info = sys.argv[1:9]
peak = float(peak) if peak else None
rows = []
for f in sorted(glob.glob(os.path.join(work, "bench-*.json"))):
    rows.extend(json.load(open(f)))
cells = {}
for r in rows:
    side = "cpu" if r["backend"] == "cpu" else "gpu"
    cells.setdefault((r["n"], r["d"], r["what"]), {})[side] = r
gpu_names = sorted({r["backend"] for r in rows if r["backend"] != "cpu"})
L = ["# hclust on a real GPU: CPU against GPU", "",
     f"- Card: {card}", f"- Adapter: {', '.join(gpu_names) or 'none found'}",
     f"- GPU kernels in {precision}; peak used for the distance kernel: "
     + (f"{peak:,.0f} GFLOP/s" if peak else "unknown (set PEAK_GFLOPS)"),
     f"- hclust commit {commit}; `bash benches/device.sh`; seeded blobs (`hclust bench`), "
     "each call timed as the library call on the same points, CPU on all cores; the GPU's pdist "
     "includes reading the distances back to the host.",
     "- Counts from the GPU run (`hclust linkage --stats`): rounds, rows reduced, MB up / down, "
     "dispatches, submissions; host: the merge loop's own time on the CPU (Lance-Williams updates); "
     "wait: time blocked on the device; kernels: time in compute passes by the device's clock "
     "(timestamp queries).", "",
     "| n | d | what | CPU s | GPU s | CPU / GPU | GFLOP/s (% of peak) | rounds | rows | MB up | MB down | "
     "dispatches | submissions | host s | wait s | kernels s |",
     "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
for (n, d, what), c in sorted(cells.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2])):
    cpu, gpu = c.get("cpu"), c.get("gpu")
    cs = f"{cpu['seconds']:.3f}" if cpu else ""
    gs = f"{gpu['seconds']:.3f}" if gpu else ""
    sp = f"{cpu['seconds'] / gpu['seconds']:.2g}" if cpu and gpu and gpu["seconds"] > 0 else ""
    flops = ""
    if what.startswith("pdist") and gpu and gpu["seconds"] > 0:
        g = 3.0 * d * n * (n - 1) / 2 / gpu["seconds"] / 1e9
        flops = (f"{g:,.0f}" if g >= 10 else f"{g:.2g}") + (f" ({100 * g / peak:.2g}%)" if peak else "")
    s = (gpu or {}).get("device") or {}
    mb = lambda b: f"{b / 1e6:,.0f}" if b is not None else ""
    L.append(f"| {n:,} | {d} | {what} | {cs} | {gs} | {sp} | {flops} | {s.get('rounds', '')} | "
             f"{s.get('rows', '')} | {mb(s.get('bytes_up'))} | {mb(s.get('bytes_down'))} | "
             f"{s.get('dispatches', '')} | {s.get('submissions', '')} | "
             f"{s['host_merge_seconds']:.2f} | {s['device_wait_seconds']:.2f} | "
             f"{'' if s.get('kernel_seconds') is None else format(s['kernel_seconds'], '.3f')} |" if s else
             f"| {n:,} | {d} | {what} | {cs} | {gs} | {sp} | {flops} | | | | | | | | | |")
if skipped.strip():
    L += ["", "Not run (time budget or failure): " + "; ".join(x for x in skipped.splitlines() if x)]
L += ["", "`hclust info`:", "", "```", info.strip(), "```"]
text = "\n".join(L) + "\n"
open(out, "w").write(text)
print(text)
PY
echo "device.sh: wrote $OUT in $(($(date +%s) - start)) s" >&2
