//! CSV matrices of numbers, with errors that give the line and column.
//!
//! The reader is written here rather than taken from the csv crate so that
//! it can tell an unterminated quote from a header, and say where either is.

use std::io::BufRead;
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
/// The format, line by line:
/// - values are separated by commas, rows by `\n` or `\r\n`; spaces and
///   tabs around a value are ignored, and a value may be in double quotes
///   (`"1.5"`; `""` inside quotes is one quote);
/// - empty lines (and lines of empty cells only) are skipped;
/// - a line whose first character is `#` is a comment and is skipped;
/// - a UTF-8 byte-order mark at the start of the file is ignored;
/// - the first row is a header, and is skipped, when none of its cells is a
///   number; a first row that mixes numbers and text is an error.
///
/// # Errors
/// [`Error::Io`]; [`Error::Parse`] with the 1-based line and column of a
/// value that is not a number or is not finite, of a row whose length
/// differs from the first data row's, of an unterminated quote or of text
/// after a closing quote; a file that holds no numbers.
pub fn read_csv_matrix(path: &Path) -> Result<Array2<f64>> {
    let file = std::fs::File::open(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    read_csv(std::io::BufReader::new(file), path)
}

/// [`read_csv_matrix`] on any buffered reader; `path` names the input in
/// messages.
pub(super) fn read_csv<R: BufRead>(input: R, path: &Path) -> Result<Array2<f64>> {
    let parse_err = |line: usize, column: Option<usize>, reason: String| Error::Parse {
        path: path.to_path_buf(),
        line: Some(line),
        column,
        reason,
    };
    let mut records = Records::new(input, path);
    let mut values = Vec::new();
    let mut width: Option<(usize, usize)> = None; // (columns, line of first data row)
    let mut rows = 0usize;
    let mut header: Option<usize> = None; // its line
    let mut first = true;
    while let Some(line) = records.next_record()? {
        let cells = records.cells();
        if cells.iter().all(|c| c.is_empty()) {
            continue;
        }
        let parsed: Vec<Option<f64>> = cells.iter().map(|c| number(c)).collect();
        if std::mem::take(&mut first) {
            let numbers = parsed.iter().filter(|p| p.is_some()).count();
            if numbers == 0 {
                header = Some(line);
                continue;
            }
            if numbers < parsed.len() {
                let c = parsed
                    .iter()
                    .position(|p| p.is_none())
                    .expect("a text cell");
                let reason = match cells[c] {
                    [] => not_a_number(cells[c]),
                    cell => format!(
                        "{}; this first row mixes numbers and text, so it is not a header \
                         either (a header holds no numbers): fix the value, or make every \
                         cell of the header a name",
                        not_a_number(cell)
                    ),
                };
                return Err(parse_err(line, Some(c + 1), reason));
            }
        }
        let cols = cells.len();
        match width {
            None => width = Some((cols, line)),
            Some((w, first_line)) if w != cols => {
                return Err(parse_err(
                    line,
                    None,
                    format!(
                        "this row has {cols} values but line {first_line} has {w}; \
                         every row must have the same number of columns"
                    ),
                ));
            }
            _ => {}
        }
        for (c, p) in parsed.into_iter().enumerate() {
            match p {
                Some(v) if v.is_finite() => values.push(v),
                Some(v) => {
                    return Err(parse_err(
                        line,
                        Some(c + 1),
                        format!(
                            "value {v} is not finite: remove or impute NaN and infinite values"
                        ),
                    ))
                }
                None => return Err(parse_err(line, Some(c + 1), not_a_number(cells[c]))),
            }
        }
        rows += 1;
    }
    if rows == 0 {
        return Err(Error::Parse {
            path: path.to_path_buf(),
            line: header,
            column: None,
            reason: match header {
                Some(_) => "the file holds a header row but no numbers after it".into(),
                None => "the file holds no numbers (it is empty, or only blank and \
                         comment lines)"
                    .into(),
            },
        });
    }
    let cols = width.map_or(0, |w| w.0);
    Ok(Array2::from_shape_vec((rows, cols), values).expect("rows of equal width"))
}

/// The cell as a number, if it is one (Rust's f64 syntax, which includes
/// `inf` and `nan`).
fn number(cell: &[u8]) -> Option<f64> {
    std::str::from_utf8(cell).ok()?.parse().ok()
}

/// Why a cell is not a number, the cell shown with its control characters
/// escaped.
fn not_a_number(cell: &[u8]) -> String {
    if cell.is_empty() {
        "an empty value: every cell of a data row needs a number (a trailing comma \
         makes an empty last column)"
            .into()
    } else {
        format!("'{}' is not a number", shown(cell, 60))
    }
}

/// Bytes for a message: invalid UTF-8 replaced, control and invisible
/// characters escaped as Rust escapes them (`\0`, `\u{7}`), and at most
/// `max` characters.
pub(super) fn shown(cell: &[u8], max: usize) -> String {
    let text = String::from_utf8_lossy(cell);
    let mut out = String::new();
    for (k, ch) in text.chars().enumerate() {
        if k == max {
            out.push_str(&format!("... ({} bytes in all)", cell.len()));
            break;
        }
        match ch {
            '\'' | '"' => out.push(ch),
            _ => out.extend(ch.escape_debug()),
        }
    }
    out
}

/// The records of a CSV input, one at a time, each split into its cells
/// (unquoted and trimmed).
struct Records<'p, R> {
    input: R,
    path: &'p Path,
    /// The record's bytes (more than one line when a quote spans lines).
    buf: Vec<u8>,
    /// The cells' unquoted bytes, end to end.
    text: Vec<u8>,
    /// Where each cell ends in `text`.
    ends: Vec<usize>,
    /// Lines read so far.
    line: usize,
}

impl<'p, R: BufRead> Records<'p, R> {
    fn new(input: R, path: &'p Path) -> Self {
        Records {
            input,
            path,
            buf: Vec::new(),
            text: Vec::new(),
            ends: Vec::new(),
            line: 0,
        }
    }

    /// The cells of the record last read.
    fn cells(&self) -> Vec<&[u8]> {
        let mut start = 0;
        self.ends
            .iter()
            .map(|&end| {
                let cell = &self.text[start..end];
                start = end;
                cell
            })
            .collect()
    }

    /// Appends the next line to `buf`; false at the end of the input.
    fn read_line(&mut self) -> Result<bool> {
        let n = self
            .input
            .read_until(b'\n', &mut self.buf)
            .map_err(|source| Error::Io {
                path: self.path.to_path_buf(),
                source,
            })?;
        if n > 0 {
            self.line += 1;
        }
        Ok(n > 0)
    }

    /// Reads the next record that is not a comment; its first line, or
    /// `None` at the end of the input.
    fn next_record(&mut self) -> Result<Option<usize>> {
        loop {
            self.buf.clear();
            if !self.read_line()? {
                return Ok(None);
            }
            if self.line == 1 && self.buf.starts_with(b"\xEF\xBB\xBF") {
                self.buf.drain(..3);
            }
            if self.buf.first() != Some(&b'#') {
                break;
            }
        }
        let first_line = self.line;
        self.text.clear();
        self.ends.clear();
        let mut i = 0;
        loop {
            // The start of a cell.
            while i < self.buf.len() && is_blank(self.buf[i]) {
                i += 1;
            }
            let cell_start = self.text.len();
            if self.buf.get(i) == Some(&b'"') {
                let quote_line = self.line;
                i += 1;
                loop {
                    while i == self.buf.len() {
                        if !self.read_line()? {
                            return Err(Error::Parse {
                                path: self.path.to_path_buf(),
                                line: Some(quote_line),
                                column: Some(self.ends.len() + 1),
                                reason: "unterminated quote: the file ends inside the quote \
                                         that opens this cell; close it with \" or remove it"
                                    .into(),
                            });
                        }
                    }
                    let b = self.buf[i];
                    i += 1;
                    if b != b'"' {
                        self.text.push(b);
                    } else if self.buf.get(i) == Some(&b'"') {
                        self.text.push(b'"');
                        i += 1;
                    } else {
                        break;
                    }
                }
                while i < self.buf.len() && is_blank(self.buf[i]) {
                    i += 1;
                }
                if !matches!(self.buf.get(i), None | Some(b',' | b'\n')) {
                    let rest = &self.buf[i..];
                    let end = rest.iter().position(|&b| b == b',' || b == b'\n');
                    return Err(Error::Parse {
                        path: self.path.to_path_buf(),
                        line: Some(self.line),
                        column: Some(self.ends.len() + 1),
                        reason: format!(
                            "text after the closing quote ('{}'): a quoted value ends at \
                             its closing quote; put the whole value inside the quotes",
                            shown(&rest[..end.unwrap_or(rest.len())], 20)
                        ),
                    });
                }
            } else {
                while i < self.buf.len() && !matches!(self.buf[i], b',' | b'\n') {
                    self.text.push(self.buf[i]);
                    i += 1;
                }
            }
            // Trim the cell's content (inside quotes too).
            while self.text.len() > cell_start && is_blank(self.text[self.text.len() - 1]) {
                self.text.pop();
            }
            let lead = self.text[cell_start..]
                .iter()
                .take_while(|&&b| is_blank(b))
                .count();
            self.text.drain(cell_start..cell_start + lead);
            self.ends.push(self.text.len());
            match self.buf.get(i) {
                Some(b',') => i += 1,
                _ => return Ok(Some(first_line)),
            }
        }
    }
}

/// Whitespace around a value (not the line feed that ends a row).
fn is_blank(b: u8) -> bool {
    b != b'\n' && b.is_ascii_whitespace()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Array2<f64>> {
        read_csv(text.as_bytes(), Path::new("x.csv"))
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
    fn quotes_crlf_bom_and_blank_cells() {
        let m = read("\u{feff}\"a\",\"b \"\"c\"\"\"\r\n\" 1\", 2 \r\n,\r\n3,\"4\"\r\n").unwrap();
        assert_eq!(m, ndarray::array![[1.0, 2.0], [3.0, 4.0]]);
        // A quoted header cell may span lines; data lines count from there.
        let e = read("\"a\nb\",c\n1,2\n3,x\n").unwrap_err().to_string();
        assert!(e.contains("line 4, column 2"), "{e}");
        let e = read("1,\"2\"x\n").unwrap_err().to_string();
        assert!(
            e.contains("line 1, column 2") && e.contains("closing quote"),
            "{e}"
        );
        let e = read("1,2,\n3,4,\n").unwrap_err().to_string();
        assert!(
            e.contains("line 1, column 3") && e.contains("empty value"),
            "{e}"
        );
    }

    #[test]
    fn no_numbers_says_what_the_file_holds() {
        let e = read("").unwrap_err().to_string();
        assert!(e.contains("holds no numbers"), "{e}");
        let e = read("# only\n\n").unwrap_err().to_string();
        assert!(e.contains("holds no numbers"), "{e}");
        let e = read("a,b\n").unwrap_err().to_string();
        assert!(
            e.contains("line 1") && e.contains("header row but no numbers"),
            "{e}"
        );
    }

    #[test]
    fn long_and_invisible_cells_are_shown_escaped_and_cut() {
        assert_eq!(shown(b"a\0b\x1b'", 60), "a\\0b\\u{1b}'");
        assert_eq!(shown(b"\xff1", 60), "\u{fffd}1");
        let long = shown(&[b'x'; 100], 60);
        assert!(long.starts_with(&"x".repeat(60)) && long.ends_with("(100 bytes in all)"));
    }

    #[test]
    fn float_format_round_trips() {
        for v in [0.1, 1.0 / 3.0, 52.0, 1e-300, 123_456_789.123_456_78] {
            assert_eq!(format_f64(v).parse::<f64>().unwrap(), v);
        }
        assert_eq!(format_f64(52.0), "52");
    }
}
