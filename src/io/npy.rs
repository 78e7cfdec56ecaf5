//! numpy .npy files through ndarray-npy.

use std::path::Path;

use ndarray::{Array1, Array2};
use ndarray_npy::{read_npy, write_npy, ReadNpyError};

use crate::error::{Error, Result};

fn parse_err(path: &Path, reason: String) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        line: None,
        column: None,
        reason,
    }
}

fn describe(e: ReadNpyError) -> String {
    format!("not a readable .npy of the expected shape and type (f64 or f32): {e}")
}

/// Checks finiteness, naming the row and column of the first bad value.
fn check_finite(path: &Path, m: &Array2<f64>) -> Result<()> {
    if let Some(((r, c), v)) = m.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(parse_err(
            path,
            format!("value {v} at row {r}, column {c} (0-based) is not finite: remove or impute NaN and infinite values"),
        ));
    }
    Ok(())
}

/// Reads a 2-D array of f64 or f32.
pub(super) fn read_matrix(path: &Path) -> Result<Array2<f64>> {
    let m: Array2<f64> = match read_npy::<_, Array2<f64>>(path) {
        Ok(m) => m,
        Err(ReadNpyError::Io(source)) => {
            return Err(Error::Io {
                path: path.to_path_buf(),
                source,
            })
        }
        Err(first) => match read_npy::<_, Array2<f32>>(path) {
            Ok(m) => m.mapv(f64::from),
            Err(_) => return Err(parse_err(path, describe(first))),
        },
    };
    check_finite(path, &m)?;
    Ok(m)
}

/// Reads a 1-D array of f64 or f32.
pub(super) fn read_vector(path: &Path) -> Result<Vec<f64>> {
    let v: Array1<f64> = match read_npy::<_, Array1<f64>>(path) {
        Ok(v) => v,
        Err(ReadNpyError::Io(source)) => {
            return Err(Error::Io {
                path: path.to_path_buf(),
                source,
            })
        }
        Err(first) => match read_npy::<_, Array1<f32>>(path) {
            Ok(v) => v.mapv(f64::from),
            Err(_) => return Err(parse_err(path, describe(first))),
        },
    };
    let len = v.len();
    let m = v.into_shape_with_order((len, 1)).expect("column");
    check_finite(path, &m)?;
    Ok(m.into_iter().collect())
}

/// Writes a 2-D f64 array.
pub(super) fn write_matrix(path: &Path, m: &Array2<f64>) -> Result<()> {
    write_npy(path, m).map_err(|e| match e {
        ndarray_npy::WriteNpyError::Io(source) => Error::Io {
            path: path.to_path_buf(),
            source,
        },
        other => parse_err(path, format!("cannot write .npy: {other}")),
    })
}
