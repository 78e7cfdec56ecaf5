//! Reading observations and distance matrices, writing and reading Z:
//! CSV, .npy and JSON, chosen by the file's extension.

mod csv_text;
mod npy;
mod output;
mod read_npy_header;

use std::io::Read;
use std::path::Path;

use ndarray::Array2;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

pub use csv_text::{format_f64, read_csv_matrix};
pub use output::{check_extension, write_bytes, write_with, OutputKind, OutputPlan};

/// The file formats hclust reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma-separated numbers, one row per line.
    Csv,
    /// numpy's .npy (f64; f32 accepted on input).
    Npy,
    /// JSON (for Z: `{"Z": [[...]], "method": ..., "metric": ..., "n": ...}`).
    Json,
}

impl Format {
    /// The format for a path's extension (case-insensitive).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming the path when the extension is not
    /// .csv, .npy or .json.
    pub fn from_path(path: &Path) -> Result<Format> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        match ext.as_str() {
            "csv" | "txt" => Ok(Format::Csv),
            "npy" => Ok(Format::Npy),
            "json" => Ok(Format::Json),
            _ => Err(Error::invalid_argument(
                path.display().to_string(),
                "unknown file extension: use .csv, .npy or .json",
            )),
        }
    }
}

/// Opens a file for reading: a buffered reader and the file's length.
///
/// Anything but a regular file (a pipe, a device) is read to its end first,
/// so that the length is known.
fn open(path: &Path) -> Result<(Box<dyn std::io::BufRead>, u64)> {
    let io_err = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io_err)?;
    let meta = file.metadata().map_err(io_err)?;
    if meta.is_file() {
        Ok((Box::new(std::io::BufReader::new(file)), meta.len()))
    } else {
        let mut bytes = Vec::new();
        std::io::BufReader::new(file)
            .read_to_end(&mut bytes)
            .map_err(io_err)?;
        let len = bytes.len() as u64;
        Ok((Box::new(std::io::Cursor::new(bytes)), len))
    }
}

/// Reads a whole file.
fn read_all(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads an n x m matrix of observations from .csv or .npy (2-D, f64 or f32).
///
/// The CSV format is [`read_csv_matrix`]'s: a first row with no number is a
/// header and is skipped, and lines that start with `#` are comments. A
/// .npy's header is checked against the file's length before its values
/// are read. Every value must be finite.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; [`Error::Parse`] with the
/// line and column of a value that is not a number or not finite, or of a
/// row whose length differs from the first row's; a .npy that is truncated,
/// not a .npy, or not a 2-D float64 or float32 array.
pub fn read_matrix(path: &Path) -> Result<Array2<f64>> {
    let format = Format::from_path(path)?;
    let (input, len) = open(path)?;
    matrix_from(input, len, format, path)
}

/// [`read_matrix`] on the bytes of a file; `path` only names the input in
/// messages. The path reader runs the same code, so fuzzing this fuzzes it.
///
/// # Errors
/// As [`read_matrix`], and [`Error::InvalidArgument`] for [`Format::Json`].
pub fn read_matrix_bytes(bytes: &[u8], format: Format, path: &Path) -> Result<Array2<f64>> {
    matrix_from(bytes, bytes.len() as u64, format, path)
}

fn matrix_from<R: std::io::BufRead>(
    input: R,
    len: u64,
    format: Format,
    path: &Path,
) -> Result<Array2<f64>> {
    match format {
        Format::Csv => csv_text::read_csv(input, path),
        Format::Npy => npy::read_matrix(input, len, path),
        Format::Json => Err(Error::invalid_argument(
            path.display().to_string(),
            "observations are read from .csv or .npy, not .json",
        )),
    }
}

/// Reads a condensed distance vector: one CSV column (or one CSV row), or a
/// 1-D .npy.
///
/// # Errors
/// As [`read_matrix`]; also when the CSV has more than one column and more
/// than one row, or the .npy is not 1-D.
pub fn read_condensed(path: &Path) -> Result<Vec<f64>> {
    let format = Format::from_path(path)?;
    let (input, len) = open(path)?;
    condensed_from(input, len, format, path)
}

/// [`read_condensed`] on the bytes of a file; `path` only names the input
/// in messages.
///
/// # Errors
/// As [`read_condensed`], and [`Error::InvalidArgument`] for
/// [`Format::Json`].
pub fn read_condensed_bytes(bytes: &[u8], format: Format, path: &Path) -> Result<Vec<f64>> {
    condensed_from(bytes, bytes.len() as u64, format, path)
}

fn condensed_from<R: std::io::BufRead>(
    input: R,
    len: u64,
    format: Format,
    path: &Path,
) -> Result<Vec<f64>> {
    match format {
        Format::Csv => {
            let m = csv_text::read_csv(input, path)?;
            if m.ncols() == 1 || m.nrows() == 1 {
                Ok(m.iter().copied().collect())
            } else {
                Err(Error::Parse {
                    path: path.to_path_buf(),
                    line: None,
                    column: None,
                    reason: format!(
                        "a condensed distance vector must be one column (or one row), \
                         but this file has {} rows and {} columns; drop --condensed to \
                         read observations",
                        m.nrows(),
                        m.ncols()
                    ),
                })
            }
        }
        Format::Npy => npy::read_vector(input, len, path),
        Format::Json => Err(Error::invalid_argument(
            path.display().to_string(),
            "a condensed matrix is read from .csv or .npy, not .json",
        )),
    }
}

/// The JSON form of Z with what produced it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LinkageJson {
    /// The linkage matrix, (n-1) rows of `[idx1, idx2, dist, count]`.
    #[serde(rename = "Z")]
    pub z: Vec<[f64; 4]>,
    /// The method's name.
    #[serde(default)]
    pub method: Option<String>,
    /// The metric's name ("precomputed" for condensed input).
    #[serde(default)]
    pub metric: Option<String>,
    /// The number of observations.
    #[serde(default)]
    pub n: Option<usize>,
}

/// Reads Z from .csv, .npy or .json (as `hclust linkage` writes them) and
/// checks that it is a valid linkage matrix. A UTF-8 byte-order mark before
/// the JSON is ignored.
///
/// # Errors
/// Those of reading the file; [`Error::InvalidLinkage`] naming the file and
/// what is wrong with the matrix.
pub fn read_linkage(path: &Path) -> Result<Array2<f64>> {
    let format = Format::from_path(path)?;
    let (input, len) = open(path)?;
    linkage_from(input, len, format, path)
}

/// [`read_linkage`] on the bytes of a file; `path` only names the input in
/// messages.
///
/// # Errors
/// As [`read_linkage`].
pub fn read_linkage_bytes(bytes: &[u8], format: Format, path: &Path) -> Result<Array2<f64>> {
    linkage_from(bytes, bytes.len() as u64, format, path)
}

fn linkage_from<R: std::io::BufRead>(
    mut input: R,
    len: u64,
    format: Format,
    path: &Path,
) -> Result<Array2<f64>> {
    let z = match format {
        Format::Csv => csv_text::read_csv(input, path)?,
        Format::Npy => npy::read_matrix(input, len, path)?,
        Format::Json => {
            let mut bytes = Vec::new();
            input.read_to_end(&mut bytes).map_err(|source| Error::Io {
                path: path.to_path_buf(),
                source,
            })?;
            let text = bytes.strip_prefix(BOM).unwrap_or(&bytes);
            let doc: LinkageJson = serde_json::from_slice(text).map_err(|e| Error::Parse {
                path: path.to_path_buf(),
                line: Some(e.line()),
                column: Some(e.column()),
                reason: format!("not a linkage JSON ({{\"Z\": [[...], ...]}}): {e}"),
            })?;
            let rows = doc.z.len();
            Array2::from_shape_vec((rows, 4), doc.z.concat()).expect("rows of 4")
        }
    };
    crate::linkage::check_linkage(z.view()).map_err(|e| match e {
        Error::InvalidLinkage { reason } => Error::InvalidLinkage {
            reason: format!("{}: {reason}", path.display()),
        },
        other => other,
    })?;
    Ok(z)
}

/// The UTF-8 byte-order mark some editors put at the start of a text file.
const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Reads one label per line (a labels file, UTF-8); spaces around a label
/// and a byte-order mark at the start are dropped, blank lines are kept as
/// empty labels only inside the file, trailing ones are dropped.
///
/// # Errors
/// [`Error::Io`] when the file cannot be read; [`Error::Parse`] naming the
/// first line that is not UTF-8.
pub fn read_labels(path: &Path) -> Result<Vec<String>> {
    read_labels_bytes(&read_all(path)?, path)
}

/// [`read_labels`] on the bytes of a file; `path` only names the input in
/// messages.
///
/// # Errors
/// As [`read_labels`].
pub fn read_labels_bytes(bytes: &[u8], path: &Path) -> Result<Vec<String>> {
    let bytes = bytes.strip_prefix(BOM).unwrap_or(bytes);
    let mut labels = Vec::new();
    for (k, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let text = std::str::from_utf8(line).map_err(|e| Error::Parse {
            path: path.to_path_buf(),
            line: Some(k + 1),
            column: None,
            reason: format!(
                "not UTF-8 (byte {} of the line, in '{}'): save the labels file as UTF-8",
                e.valid_up_to() + 1,
                csv_text::shown(line, 60)
            ),
        })?;
        labels.push(text.trim().to_string());
    }
    while labels.last().is_some_and(|l| l.is_empty()) {
        labels.pop();
    }
    Ok(labels)
}

/// Writes a matrix of numbers as CSV (round-trip floats), or as .npy.
///
/// # Errors
/// [`Error::Io`]; [`Error::InvalidArgument`] for .json or another extension.
pub fn write_matrix(path: &Path, m: &Array2<f64>) -> Result<()> {
    match Format::from_path(path)? {
        Format::Csv => std::fs::write(path, matrix_csv(m)).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        }),
        Format::Npy => npy::write_matrix(path, m),
        Format::Json => Err(Error::invalid_argument(
            path.display().to_string(),
            "write this matrix as .csv or .npy",
        )),
    }
}

/// Writes Z to `path` in the format its extension names.
///
/// # Errors
/// [`Error::Io`] when the file cannot be written; [`Error::InvalidArgument`]
/// for an unknown extension.
pub fn write_linkage(path: &Path, z: &Array2<f64>, method: &str, metric: &str) -> Result<()> {
    let io_err = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    match Format::from_path(path)? {
        Format::Csv => std::fs::write(path, linkage_csv(z)).map_err(io_err),
        Format::Npy => npy::write_matrix(path, z),
        Format::Json => {
            let doc = LinkageJson {
                z: z.rows()
                    .into_iter()
                    .map(|r| [r[0], r[1], r[2], r[3]])
                    .collect(),
                method: Some(method.to_string()),
                metric: Some(metric.to_string()),
                n: Some(z.nrows() + 1),
            };
            let text = serde_json::to_string(&doc).expect("Z serialises");
            std::fs::write(path, text + "\n").map_err(io_err)
        }
    }
}

/// Z as CSV text: one row per line, four numbers printed so that they parse
/// back to the same f64.
pub fn linkage_csv(z: &Array2<f64>) -> String {
    matrix_csv(z)
}

/// Any matrix as CSV text, floats printed so that they parse back exactly.
pub fn matrix_csv(z: &Array2<f64>) -> String {
    let mut out = String::with_capacity(z.nrows() * 40);
    for r in z.rows() {
        let cells: Vec<String> = r.iter().map(|&v| format_f64(v)).collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}
