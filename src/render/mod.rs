//! Pictures: the dendrogram, the elbow plot and the clusters as a scatter
//! plot, as self-contained SVG (no scripts, no external references, so it
//! can be inlined into an HTML page) and as PNG.
//!
//! Every picture is written as SVG by hand; [`svg_to_png`] rasterises it
//! with resvg and an embedded DejaVu Sans, so a PNG looks the same on a
//! machine with no fonts installed.
//!
//! ```
//! use hclust::dendrogram::{dendrogram, DendrogramOptions};
//! use hclust::render::{dendrogram_svg, svg_to_png, DendrogramStyle};
//! use ndarray::array;
//!
//! let z = array![[0.0, 1.0, 1.0, 2.0], [2.0, 3.0, 2.0, 3.0]];
//! let layout = dendrogram(z.view(), &DendrogramOptions::default()).unwrap();
//! let style = DendrogramStyle { max_d: Some(1.5), ..DendrogramStyle::default() };
//! let svg = dendrogram_svg(&layout, &style);
//! assert_eq!(svg.matches("class=\"link\"").count(), 2);
//! let png = svg_to_png(&svg, 400).unwrap();
//! assert_eq!(&png[1..4], b"PNG");
//! ```
//!
//! For a large tree, [`auto_truncate`] says how far to truncate and
//! [`truncation_note`] what to say about it:
//!
//! ```
//! use hclust::dendrogram::{dendrogram, DendrogramOptions, TruncateMode};
//! use hclust::render::{auto_truncate, dendrogram_svg, truncation_note, DendrogramStyle};
//! use ndarray::Array2;
//!
//! let n = 1000;
//! let mut z = Array2::zeros((n - 1, 4));
//! for i in 0..n - 1 {
//!     let prev = if i == 0 { 0 } else { n + i - 1 };
//!     z.row_mut(i).assign(&ndarray::arr1(&[prev as f64, (i + 1) as f64, (i + 1) as f64, (i + 2) as f64]));
//! }
//! let mut opts = DendrogramOptions::default();
//! let mut style = DendrogramStyle::default();
//! if let Some(p) = auto_truncate(n) {
//!     opts.truncate_mode = TruncateMode::LastP(p);
//!     style.note = Some(truncation_note(p, n));
//! }
//! let svg = dendrogram_svg(&dendrogram(z.view(), &opts).unwrap(), &style);
//! assert_eq!(svg.matches("class=\"leaf-label\"").count(), 100);
//! ```

use std::path::Path;

use crate::error::{Error, Result};

mod axes;
pub mod dendrogram;
pub mod elbow;
pub mod frame;
pub mod palette;
pub mod pca;
pub mod png;
pub mod scatter;
mod svg;

pub use dendrogram::{
    auto_truncate, dendrogram_svg, thousands, truncation_note, DendrogramStyle,
    AUTO_TRUNCATE_ABOVE, AUTO_TRUNCATE_P,
};
pub use elbow::{elbow_series, elbow_svg};
pub use frame::{dendrogram_frame, DendrogramFrame};
pub use palette::css_colour;
pub use pca::{principal_components, Pca};
pub use png::{svg_size, svg_to_png};
pub use scatter::{scatter_svg, scatter_svg_with, ScatterStyle};
pub use svg::{format_g, FONT_FAMILY};

/// The PNG of an SVG at twice the size the SVG declares, so small labels
/// stay legible (what [`write_picture`] and the report write).
///
/// # Errors
/// [`Error::InvalidArgument`] when the SVG cannot be read or rasterised.
pub fn svg_to_png_2x(svg: &str) -> Result<Vec<u8>> {
    let (w, _) = svg_size(svg)?;
    svg_to_png(svg, (2.0 * w).round().clamp(1.0, 8192.0) as u32)
}

/// Writes a picture to `path` as SVG or PNG, by the path's extension
/// (`.svg` or `.png`, any case). A PNG is rasterised at twice the SVG's
/// size, so small labels stay legible.
///
/// # Errors
/// [`Error::InvalidArgument`] naming the path when its extension is neither,
/// or when the SVG cannot be rasterised; [`Error::Io`] when the file cannot
/// be written.
pub fn write_picture(path: &Path, svg: &str) -> Result<()> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let bytes = match ext.as_deref() {
        Some("svg") => svg.as_bytes().to_vec(),
        Some("png") => svg_to_png_2x(svg)?,
        _ => {
            return Err(Error::invalid_argument(
                path.display().to_string(),
                "unknown picture format; the file name must end in .svg or .png",
            ))
        }
    };
    std::fs::write(path, bytes).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}
