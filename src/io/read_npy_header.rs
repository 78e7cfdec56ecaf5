//! The header of a .npy file, read and checked before any data is.
//!
//! The layout (numpy's format, versions 1.0 to 3.0):
//!
//! ```text
//! \x93NUMPY  major minor  header_len (u16 LE in 1.x, u32 LE in 2.x and 3.x)
//! {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }  (spaces, '\n')
//! data: prod(shape) values of the dtype, C or Fortran order
//! ```

use std::io::Read;

/// The element type: f64 or f32, in either byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Dtype {
    /// Bytes per value: 8 (f64) or 4 (f32).
    pub size: usize,
    /// Big-endian (`>`) rather than little-endian (`<`).
    pub big_endian: bool,
}

/// What a .npy header says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Header {
    /// The element type.
    pub dtype: Dtype,
    /// Column-major data.
    pub fortran_order: bool,
    /// The array's shape, as claimed.
    pub shape: Vec<u64>,
    /// Bytes before the data: magic, version, length and the dict.
    pub len: u64,
}

impl Header {
    /// The shape as Python prints it: `(3, 4)`, `(6,)`, `()`.
    pub fn shape_text(&self) -> String {
        let items: Vec<String> = self.shape.iter().map(u64::to_string).collect();
        match items.len() {
            1 => format!("({},)", items[0]),
            _ => format!("({})", items.join(", ")),
        }
    }
}

/// The element types hclust reads, by numpy's descr.
fn dtype(descr: &str) -> Option<Dtype> {
    let (size, big_endian) = match descr {
        "<f8" => (8, false),
        ">f8" => (8, true),
        "<f4" => (4, false),
        ">f4" => (4, true),
        _ => return None,
    };
    Some(Dtype { size, big_endian })
}

/// Reads as many bytes as `buf` holds, fewer only at the end of the input.
fn read_full<R: Read>(r: &mut R, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Why a header could not be read.
#[derive(Debug)]
pub(super) enum HeaderError {
    /// Not a valid .npy header of a float64 or float32 array: the reason.
    Invalid(String),
    /// The input could not be read.
    Io(std::io::Error),
}

/// Reads and checks the header of a .npy input of `file_len` bytes, leaving
/// `r` at the first data byte.
///
/// # Errors
/// [`HeaderError::Invalid`] for a header that is not a valid .npy header of
/// a float64 or float32 array, [`HeaderError::Io`] for an I/O error.
pub(super) fn read_header<R: Read>(r: &mut R, file_len: u64) -> Result<Header, HeaderError> {
    use HeaderError::{Invalid, Io};
    const MAGIC: &[u8] = b"\x93NUMPY";
    let not_npy = || {
        Invalid(
            "not a .npy file: it does not start with \\x93NUMPY (write it with numpy.save)".into(),
        )
    };
    let mut pre = [0u8; 12];
    let got = read_full(r, &mut pre[..10]).map_err(Io)?;
    if got == 0 {
        return Err(Invalid(
            "the file is empty: a .npy starts with \\x93NUMPY and a header \
                       (write it with numpy.save)"
                .into(),
        ));
    }
    if !pre[..got.min(6)].starts_with(&MAGIC[..got.min(6)]) {
        return Err(not_npy());
    }
    let cut = |what: &str| {
        Invalid(format!(
            "truncated: the file ends inside its .npy {what} (it holds {file_len} bytes)"
        ))
    };
    if got < 10 {
        return Err(cut("preamble"));
    }
    let (major, minor) = (pre[6], pre[7]);
    let (pre_len, header_len) = match major {
        1 => (10u64, u64::from(u16::from_le_bytes([pre[8], pre[9]]))),
        2 | 3 => {
            if read_full(r, &mut pre[10..12]).map_err(Io)? < 2 {
                return Err(cut("preamble"));
            }
            (
                12,
                u64::from(u32::from_le_bytes([pre[8], pre[9], pre[10], pre[11]])),
            )
        }
        _ => {
            return Err(Invalid(format!(
                "unsupported .npy version {major}.{minor}: hclust reads versions 1.0, 2.0 \
                 and 3.0"
            )))
        }
    };
    let len = pre_len + header_len;
    if len > file_len {
        return Err(Invalid(format!(
            "truncated: the .npy header says it is {header_len} bytes long, but the file \
             holds {file_len} bytes in all"
        )));
    }
    let mut dict = vec![0u8; header_len as usize];
    if read_full(r, &mut dict).map_err(Io)? < dict.len() {
        return Err(cut("header"));
    }
    let text = std::str::from_utf8(&dict)
        .map_err(|_| Invalid("the .npy header is not text (not valid UTF-8)".into()))?;
    parse_dict(text, len).map_err(|reason| {
        Invalid(format!(
            "bad .npy header '{}': {reason}",
            super::csv_text::shown(text.trim_end().as_bytes(), 200)
        ))
    })
}

/// The header dict's three fields.
fn parse_dict(text: &str, len: u64) -> Result<Header, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let value = p.value(0)?;
    p.blanks();
    if p.i != p.s.len() {
        return Err(format!("unexpected text at byte {}", p.i));
    }
    let Literal::Dict(items) = value else {
        return Err("it is not a dict".into());
    };
    let field = |name: &str| {
        items
            .iter()
            .find(|(k, _)| matches!(k, Literal::Str(s) if s == name))
            .map(|(_, v)| v)
            .ok_or_else(|| format!("no '{name}' key"))
    };
    let dtype = match field("descr")? {
        Literal::Str(d) => dtype(d).ok_or_else(|| {
            format!(
                "dtype '{}' is not supported: hclust reads float64 and float32 \
                 (in numpy: x.astype(np.float64))",
                super::csv_text::shown(d.as_bytes(), 20)
            )
        })?,
        _ => {
            return Err("a structured dtype is not supported: hclust reads a plain \
                        float64 or float32 array"
                .into())
        }
    };
    let fortran_order = match field("fortran_order")? {
        Literal::Bool(b) => *b,
        _ => return Err("'fortran_order' is not True or False".into()),
    };
    let shape = match field("shape")? {
        Literal::Tuple(dims) | Literal::List(dims) => dims
            .iter()
            .map(|d| match d {
                Literal::Int(n) => Ok(*n),
                _ => Err("'shape' holds something that is not a whole number".to_string()),
            })
            .collect::<Result<Vec<u64>, String>>()?,
        _ => return Err("'shape' is not a tuple".into()),
    };
    Ok(Header {
        dtype,
        fortran_order,
        shape,
        len,
    })
}

/// The Python literals a header holds.
enum Literal {
    Str(String),
    Bool(bool),
    Int(u64),
    None,
    Tuple(Vec<Literal>),
    List(Vec<Literal>),
    Dict(Vec<(Literal, Literal)>),
}

/// A recursive-descent reader of Python literals, nested at most
/// [`Parser::MAX_DEPTH`] deep.
struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    const MAX_DEPTH: usize = 16;

    fn blanks(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.blanks();
        self.s.get(self.i).copied()
    }

    fn expect(&mut self, b: u8) -> Result<(), String> {
        if self.peek() == Some(b) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("expected '{}' at byte {}", b as char, self.i))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Literal, String> {
        if depth > Self::MAX_DEPTH {
            return Err("nested too deep".into());
        }
        match self.peek() {
            Some(b'{') => {
                let mut items = Vec::new();
                self.i += 1;
                while self.peek() != Some(b'}') {
                    let k = self.value(depth + 1)?;
                    self.expect(b':')?;
                    items.push((k, self.value(depth + 1)?));
                    if self.peek() != Some(b'}') {
                        self.expect(b',')?;
                    }
                }
                self.i += 1;
                Ok(Literal::Dict(items))
            }
            Some(open @ (b'(' | b'[')) => {
                let close = if open == b'(' { b')' } else { b']' };
                let mut items = Vec::new();
                self.i += 1;
                while self.peek() != Some(close) {
                    items.push(self.value(depth + 1)?);
                    if self.peek() != Some(close) {
                        self.expect(b',')?;
                    }
                }
                self.i += 1;
                Ok(if open == b'(' {
                    Literal::Tuple(items)
                } else {
                    Literal::List(items)
                })
            }
            Some(q @ (b'\'' | b'"')) => {
                self.i += 1;
                let mut out = Vec::new();
                loop {
                    match self.s.get(self.i) {
                        None => return Err("a string is not closed".into()),
                        Some(b'\\') if self.i + 1 < self.s.len() => {
                            out.push(self.s[self.i + 1]);
                            self.i += 2;
                        }
                        Some(&b) if b == q => break,
                        Some(&b) => {
                            out.push(b);
                            self.i += 1;
                        }
                    }
                }
                self.i += 1;
                Ok(Literal::Str(String::from_utf8_lossy(&out).into_owned()))
            }
            Some(b'0'..=b'9') => {
                let start = self.i;
                while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
                    self.i += 1;
                }
                let digits = std::str::from_utf8(&self.s[start..self.i]).expect("ASCII digits");
                if self.s.get(self.i) == Some(&b'L') {
                    self.i += 1; // Python 2's long integers
                }
                digits
                    .parse()
                    .map(Literal::Int)
                    .map_err(|_| format!("the number {digits} is too large"))
            }
            Some(b'-') => Err(format!("a negative number at byte {}", self.i)),
            Some(_) => {
                for (word, lit) in [
                    ("True", Literal::Bool(true)),
                    ("False", Literal::Bool(false)),
                    ("None", Literal::None),
                ] {
                    if self.s[self.i..].starts_with(word.as_bytes()) {
                        self.i += word.len();
                        return Ok(lit);
                    }
                }
                Err(format!("unexpected text at byte {}", self.i))
            }
            None => Err("it ends too early".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(dict: &str) -> Result<Header, String> {
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        bytes.extend_from_slice(&(dict.len() as u16).to_le_bytes());
        bytes.extend_from_slice(dict.as_bytes());
        let len = bytes.len() as u64;
        read_header(&mut bytes.as_slice(), len).map_err(|e| match e {
            HeaderError::Invalid(reason) => reason,
            HeaderError::Io(e) => panic!("{e}"),
        })
    }

    #[test]
    fn reads_numpy_headers() {
        let h = header("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }   \n").unwrap();
        assert_eq!(h.shape, vec![3, 4]);
        assert_eq!(
            h.dtype,
            Dtype {
                size: 8,
                big_endian: false
            }
        );
        assert!(!h.fortran_order);
        assert_eq!(h.len, 73);
        assert_eq!(h.shape_text(), "(3, 4)");
        let h = header("{\"shape\": (5L,), \"fortran_order\": True, \"descr\": \">f4\"}").unwrap();
        assert_eq!(h.shape_text(), "(5,)");
        assert!(h.fortran_order && h.dtype.big_endian && h.dtype.size == 4);
        assert_eq!(
            header("{'descr': '<f8', 'fortran_order': False, 'shape': ()}")
                .unwrap()
                .shape_text(),
            "()"
        );
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        let e = header("{'descr': '<i8', 'fortran_order': False, 'shape': (3,)}").unwrap_err();
        assert!(e.contains("'<i8' is not supported"), "{e}");
        let e = header("{'descr': '<f8\0', 'fortran_order': False, 'shape': (3,)}").unwrap_err();
        assert!(
            !e.contains('\0') && e.contains("'<f8\\0' is not supported"),
            "{e}"
        );
        let e =
            header("{'descr': [('a', '<f8')], 'fortran_order': False, 'shape': (3,)}").unwrap_err();
        assert!(e.contains("structured"), "{e}");
        let e = header("{'descr': '<f8', 'shape': (3,)}").unwrap_err();
        assert!(e.contains("no 'fortran_order'"), "{e}");
        let e = header("{'descr': '<f8', 'fortran_order': False, 'shape': (-3,)}").unwrap_err();
        assert!(e.contains("negative"), "{e}");
        let e = header(&format!("{}{}", "(".repeat(1000), ")".repeat(1000))).unwrap_err();
        assert!(e.contains("too deep"), "{e}");
        let e =
            header("{'descr': '<f8', 'fortran_order': False, 'shape': (99999999999999999999,)}")
                .unwrap_err();
        assert!(e.contains("too large"), "{e}");
    }
}
