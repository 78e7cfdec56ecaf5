//! numpy .npy files: read here (the header checked against the input's
//! length before anything is allocated), written through ndarray-npy.

use std::io::Read;
use std::path::Path;

use ndarray::{Array2, ShapeBuilder};
use ndarray_npy::write_npy;

use super::read_npy_header::{read_header, Header, HeaderError};
use crate::error::{Error, Result};

fn parse_err(path: &Path, reason: String) -> Error {
    Error::Parse {
        path: path.to_path_buf(),
        line: None,
        column: None,
        reason,
    }
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

/// Reads the header and the data of a .npy input of `len` bytes whose array
/// has `ndim` dimensions: the values in the file's order, and the header.
fn read_array<R: Read>(mut r: R, len: u64, ndim: usize, path: &Path) -> Result<(Vec<f64>, Header)> {
    let header = read_header(&mut r, len).map_err(|e| match e {
        HeaderError::Invalid(reason) => parse_err(path, reason),
        HeaderError::Io(source) => Error::Io {
            path: path.to_path_buf(),
            source,
        },
    })?;
    let shape = header.shape_text();
    let size = header.dtype.size as u64;
    let data_len = len - header.len;
    let count = header
        .shape
        .iter()
        .try_fold(1u64, |acc, &d| acc.checked_mul(d))
        .filter(|c| c.checked_mul(size).is_some());
    let Some(count) = count else {
        return Err(parse_err(
            path,
            format!(
                "truncated: the header says shape {shape}, more than 2^64 bytes of values, \
                 but the file holds {len} bytes; the header is damaged (write the file \
                 again with numpy.save)"
            ),
        ));
    };
    let bytes = count * size;
    let holds = format!(
        "the file holds {len} bytes, {data_len} of them after its {}-byte header",
        header.len
    );
    if bytes > data_len {
        return Err(parse_err(
            path,
            format!(
                "truncated: the header says {count} values (shape {shape}, {size} bytes \
                 each: {bytes} bytes), but {holds}; the file was cut short (write it again \
                 with numpy.save)"
            ),
        ));
    }
    if bytes < data_len {
        return Err(parse_err(
            path,
            format!(
                "the header says {count} values (shape {shape}, {size} bytes each: \
                 {bytes} bytes), but {holds}: {} bytes too many; the file is damaged \
                 (write it again with numpy.save)",
                data_len - bytes
            ),
        ));
    }
    if header.shape.len() != ndim {
        let want = match ndim {
            1 => "a 1-D array (a condensed distance vector)",
            _ => "a 2-D array (n rows of m values)",
        };
        return Err(parse_err(
            path,
            format!(
                "the array has shape {shape} ({}-D) where {want} is expected",
                header.shape.len()
            ),
        ));
    }
    let count = usize::try_from(count)
        .map_err(|_| parse_err(path, format!("{count} values do not fit in memory")))?;
    let mut values = Vec::new();
    values.try_reserve_exact(count).map_err(|_| {
        parse_err(
            path,
            format!("not enough memory to read its {count} values (shape {shape})"),
        )
    })?;
    // A condensed matrix read here is what the merge loops update in
    // place, down its columns: huge pages before the first write.
    crate::memory::advise_huge_pages(values.spare_capacity_mut());
    let mut chunk = vec![0u8; 1 << 16];
    let per_chunk = chunk.len() / header.dtype.size;
    let mut left = count;
    while left > 0 {
        let k = left.min(per_chunk);
        let buf = &mut chunk[..k * header.dtype.size];
        r.read_exact(buf).map_err(|source| match source.kind() {
            std::io::ErrorKind::UnexpectedEof => parse_err(
                path,
                format!("truncated: the file ended while its {count} values were read"),
            ),
            _ => Error::Io {
                path: path.to_path_buf(),
                source,
            },
        })?;
        decode(buf, header.dtype.size, header.dtype.big_endian, &mut values);
        left -= k;
    }
    Ok((values, header))
}

/// Appends the values in `buf` (f64 or f32, either byte order) to `out`.
fn decode(buf: &[u8], size: usize, big_endian: bool, out: &mut Vec<f64>) {
    for b in buf.chunks_exact(size) {
        out.push(match (size, big_endian) {
            (8, false) => f64::from_le_bytes(b.try_into().expect("8 bytes")),
            (8, true) => f64::from_be_bytes(b.try_into().expect("8 bytes")),
            (_, false) => f64::from(f32::from_le_bytes(b.try_into().expect("4 bytes"))),
            (_, true) => f64::from(f32::from_be_bytes(b.try_into().expect("4 bytes"))),
        });
    }
}

/// Reads a 2-D array of f64 or f32 (C or Fortran order) from a .npy input
/// of `len` bytes.
pub(super) fn read_matrix<R: Read>(r: R, len: u64, path: &Path) -> Result<Array2<f64>> {
    let (values, header) = read_array(r, len, 2, path)?;
    let (rows, cols) = (header.shape[0] as usize, header.shape[1] as usize);
    let m = if header.fortran_order {
        Array2::from_shape_vec((rows, cols).f(), values)
            .expect("count checked")
            .as_standard_layout()
            .into_owned()
    } else {
        Array2::from_shape_vec((rows, cols), values).expect("count checked")
    };
    check_finite(path, &m)?;
    Ok(m)
}

/// Reads a 1-D array of f64 or f32 from a .npy input of `len` bytes.
pub(super) fn read_vector<R: Read>(r: R, len: u64, path: &Path) -> Result<Vec<f64>> {
    let (values, _) = read_array(r, len, 1, path)?;
    if let Some((i, v)) = values.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(parse_err(
            path,
            format!("value {v} at row {i}, column 0 (0-based) is not finite: remove or impute NaN and infinite values"),
        ));
    }
    Ok(values)
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
