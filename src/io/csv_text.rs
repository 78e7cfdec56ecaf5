//! CSV matrices of numbers, with errors that give the line and column.

use std::path::Path;

use ndarray::Array2;

use crate::error::{Error, Result};

/// Formats an f64 so that it parses back to the same value (Rust's shortest
/// round-trip representation; integers without a fraction).
pub fn format_f64(v: f64) -> String {
    format!("{v}")
}

/// Reads a comma-separated matrix of numbers.
///
/// Spaces around values are ignored, empty lines are skipped, and a first
/// row with a value that is not a number is taken as a header.
///
/// # Errors
/// [`Error::Io`]; [`Error::Parse`] with the 1-based line and column of a
/// value that is not a number or is not finite, or of a row whose length
/// differs from the first data row's; an empty file.
pub fn read_csv_matrix(path: &Path) -> Result<Array2<f64>> {
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let parse_err = |line: Option<usize>, column: Option<usize>, reason: String| Error::Parse {
        path: path.to_path_buf(),
        line,
        column,
        reason,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .trim(csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(file);
    let mut values = Vec::new();
    let mut width: Option<(usize, usize)> = None; // (columns, line of first data row)
    let mut rows = 0usize;
    let mut header_allowed = true;
    for (k, record) in reader.records().enumerate() {
        let record = record.map_err(|e| {
            let line = e.position().map(|p| p.line() as usize);
            parse_err(line, None, format!("not readable as CSV: {e}"))
        })?;
        let line = record.position().map_or(k + 1, |p| p.line() as usize);
        if record.iter().all(|f| f.is_empty()) {
            continue;
        }
        let parsed: Vec<std::result::Result<f64, usize>> = record
            .iter()
            .enumerate()
            .map(|(c, f)| f.parse::<f64>().map_err(|_| c))
            .collect();
        if std::mem::take(&mut header_allowed) && parsed.iter().any(|p| p.is_err()) {
            continue; // the first row is a header
        }
        let cols = record.len();
        match width {
            None => width = Some((cols, line)),
            Some((w, first)) if w != cols => {
                return Err(parse_err(
                    Some(line),
                    None,
                    format!(
                        "this row has {cols} values but line {first} has {w}; \
                         every row must have the same number of columns"
                    ),
                ));
            }
            _ => {}
        }
        for (c, p) in parsed.into_iter().enumerate() {
            match p {
                Ok(v) if v.is_finite() => values.push(v),
                Ok(v) => {
                    return Err(parse_err(
                        Some(line),
                        Some(c + 1),
                        format!(
                            "value {v} is not finite: remove or impute NaN and infinite values"
                        ),
                    ))
                }
                Err(c) => {
                    return Err(parse_err(
                        Some(line),
                        Some(c + 1),
                        format!("'{}' is not a number", &record[c]),
                    ))
                }
            }
        }
        rows += 1;
    }
    let cols = width.map_or(0, |w| w.0);
    if rows == 0 {
        return Err(parse_err(None, None, "the file holds no numbers".into()));
    }
    Ok(Array2::from_shape_vec((rows, cols), values).expect("rows of equal width"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Array2<f64>> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.csv");
        std::fs::write(&p, text).unwrap();
        read_csv_matrix(&p)
    }

    #[test]
    fn reads_numbers_and_skips_header() {
        let m = read("a, b\n1, 2\n\n3,4.5\n").unwrap();
        assert_eq!(m, ndarray::array![[1.0, 2.0], [3.0, 4.5]]);
    }

    #[test]
    fn ragged_row_names_line() {
        let e = read("1,2\n3,4\n5\n").unwrap_err().to_string();
        assert!(
            e.contains("line 3") && e.contains("1 values but line 1 has 2"),
            "{e}"
        );
    }

    #[test]
    fn bad_value_names_line_and_column() {
        let e = read("x,y\n1,2\n3,abc\n").unwrap_err().to_string();
        assert!(e.contains("line 3, column 2") && e.contains("'abc'"), "{e}");
        let e = read("1,2\nnan,4\n").unwrap_err().to_string();
        assert!(
            e.contains("line 2, column 1") && e.contains("not finite"),
            "{e}"
        );
    }

    #[test]
    fn float_format_round_trips() {
        for v in [0.1, 1.0 / 3.0, 52.0, 1e-300, 123_456_789.123_456_78] {
            assert_eq!(format_f64(v).parse::<f64>().unwrap(), v);
        }
        assert_eq!(format_f64(52.0), "52");
    }
}
