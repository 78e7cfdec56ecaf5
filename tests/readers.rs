//! The readers on files that lie about their size, truncated files, CSV
//! headers that are half data, unterminated quotes, control characters and
//! byte-order marks (issue 10, item 3). Each test failed before the fix.

use std::path::{Path, PathBuf};

use hclust::io::{read_condensed, read_labels, read_linkage, read_matrix};
use ndarray::array;

/// A folder that lives as long as the test, and a file written in it.
struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }

    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.0.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

/// A version 1.0 .npy file with the given header fields and data bytes.
fn npy(descr: &str, fortran: bool, shape: &str, data: &[u8]) -> Vec<u8> {
    let order = if fortran { "True" } else { "False" };
    let mut dict = format!("{{'descr': '{descr}', 'fortran_order': {order}, 'shape': {shape}, }}");
    while (10 + dict.len() + 1) % 64 != 0 {
        dict.push(' ');
    }
    dict.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend_from_slice(&(dict.len() as u16).to_le_bytes());
    out.extend_from_slice(dict.as_bytes());
    out.extend_from_slice(data);
    out
}

fn le_f64(values: &[f64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn message<T: std::fmt::Debug>(r: hclust::Result<T>) -> String {
    r.unwrap_err().to_string()
}

fn names(path: &Path, e: &str) -> bool {
    e.contains(&path.display().to_string())
}

#[test]
fn npy_shape_larger_than_the_file_is_refused_before_allocating() {
    let d = Dir::new();
    // 10^12 x 3 f64 claimed; one value present.
    let p = d.file(
        "huge.npy",
        &npy("<f8", false, "(1000000000000, 3)", &le_f64(&[1.0])),
    );
    let e = message(read_matrix(&p));
    assert!(names(&p, &e), "{e}");
    assert!(e.contains("truncated"), "{e}");
    assert!(e.contains("3000000000000 values"), "{e}");
    let len = std::fs::metadata(&p).unwrap().len();
    assert!(e.contains(&format!("holds {len} bytes")), "{e}");
}

#[test]
fn npy_vector_larger_than_the_file_is_refused_before_allocating() {
    let d = Dir::new();
    let p = d.file(
        "huge.npy",
        &npy("<f8", false, "(1000000000000,)", &le_f64(&[1.0])),
    );
    let e = message(read_condensed(&p));
    assert!(
        e.contains("truncated") && e.contains("1000000000000 values"),
        "{e}"
    );
    // The same through Z's reader.
    let e = message(read_linkage(&p));
    assert!(e.contains("truncated"), "{e}");
}

#[test]
fn npy_shape_whose_product_overflows_is_refused() {
    let d = Dir::new();
    let p = d.file(
        "overflow.npy",
        &npy("<f8", false, "(4294967296, 4294967296, 4294967296)", &[]),
    );
    let e = message(read_matrix(&p));
    assert!(names(&p, &e) && e.contains("truncated"), "{e}");
    let p = d.file(
        "overflow2.npy",
        &npy("<f8", false, "(4611686018427387904, 2)", &[]),
    );
    let e = message(read_matrix(&p));
    assert!(e.contains("truncated"), "{e}");
}

#[test]
fn truncated_and_empty_npy_files_say_so() {
    let d = Dir::new();
    let whole = npy(
        "<f8",
        false,
        "(3, 2)",
        &le_f64(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
    );
    let p = d.file("cut.npy", &whole[..whole.len() - 5]);
    let e = message(read_matrix(&p));
    assert!(names(&p, &e), "{e}");
    assert!(!e.contains("failed to fill whole buffer"), "{e}");
    assert!(e.contains("truncated") && e.contains("6 values"), "{e}");

    let p = d.file("empty.npy", b"");
    let e = message(read_matrix(&p));
    assert!(names(&p, &e) && e.contains("empty"), "{e}");
    let e = message(read_condensed(&p));
    assert!(names(&p, &e) && e.contains("empty"), "{e}");

    let p = d.file("header_cut.npy", &whole[..40]);
    let e = message(read_matrix(&p));
    assert!(names(&p, &e) && e.contains("truncated"), "{e}");
    assert!(!e.contains("failed to fill whole buffer"), "{e}");
}

#[test]
fn npy_dtypes_and_orders_still_read() {
    let d = Dir::new();
    let want = array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]];
    let p = d.file(
        "c.npy",
        &npy(
            "<f8",
            false,
            "(2, 3)",
            &le_f64(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
        ),
    );
    assert_eq!(read_matrix(&p).unwrap(), want);
    let fortran = le_f64(&[1.0, 4.0, 2.0, 5.0, 3.0, 6.0]);
    let p = d.file("f.npy", &npy("<f8", true, "(2, 3)", &fortran));
    assert_eq!(read_matrix(&p).unwrap(), want);
    let be: Vec<u8> = [1.0f64, 2.0, 3.0, 4.0, 5.0, 6.0]
        .iter()
        .flat_map(|v| v.to_be_bytes())
        .collect();
    let p = d.file("be.npy", &npy(">f8", false, "(2, 3)", &be));
    assert_eq!(read_matrix(&p).unwrap(), want);
    let f32s: Vec<u8> = [1.0f32, 2.0, 3.0, 4.0, 5.0, 6.0]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let p = d.file("f32.npy", &npy("<f4", false, "(2, 3)", &f32s));
    assert_eq!(read_matrix(&p).unwrap(), want);
    let p = d.file("v.npy", &npy("<f4", false, "(6,)", &f32s));
    assert_eq!(
        read_condensed(&p).unwrap(),
        vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    );
}

#[test]
fn csv_first_row_with_one_bad_cell_is_an_error_not_a_header() {
    let d = Dir::new();
    let p = d.file("hex.csv", b"0x10,2\n3,4\n5,6\n");
    let e = message(read_matrix(&p));
    assert!(
        e.contains("line 1, column 1") && e.contains("'0x10'"),
        "{e}"
    );
    let p = d.file("typo.csv", b"1,2o\n3,4\n5,6\n");
    let e = message(read_matrix(&p));
    assert!(e.contains("line 1, column 2") && e.contains("'2o'"), "{e}");
    let p = d.file("typo_condensed.csv", b"1,2o,3\n");
    let e = message(read_condensed(&p));
    assert!(e.contains("line 1, column 2"), "{e}");
    // A header of names only is still a header.
    let p = d.file("header.csv", b"x, \"y\"\n1,2\n3,4\n");
    assert_eq!(read_matrix(&p).unwrap(), array![[1.0, 2.0], [3.0, 4.0]]);
}

#[test]
fn csv_comment_lines_are_skipped() {
    let d = Dir::new();
    let p = d.file("comments.csv", b"# made by hand\n1,2\n# between\n3,4\n");
    assert_eq!(read_matrix(&p).unwrap(), array![[1.0, 2.0], [3.0, 4.0]]);
}

#[test]
fn csv_unterminated_quote_says_so_with_its_line() {
    let d = Dir::new();
    let p = d.file("quote.csv", b"\"1,2\n3,4\n");
    let e = message(read_matrix(&p));
    assert!(
        e.contains("unterminated quote") && e.contains("line 1"),
        "{e}"
    );
    let p = d.file("quote_late.csv", b"1,2\n3,\"4\n");
    let e = message(read_matrix(&p));
    assert!(
        e.contains("unterminated quote") && e.contains("line 2"),
        "{e}"
    );
}

#[test]
fn csv_control_characters_are_escaped_in_messages() {
    let d = Dir::new();
    let p = d.file("nul.csv", b"1,2\n3,4\0\n");
    let e = message(read_matrix(&p));
    assert!(!e.contains('\0'), "{e:?}");
    assert!(e.contains("line 2, column 2") && e.contains("4\\0"), "{e}");
    let p = d.file("bell.csv", b"1,2\n\x07,4\n");
    let e = message(read_matrix(&p));
    assert!(!e.contains('\x07') && e.contains("\\u{7}"), "{e:?}");
}

#[test]
fn json_z_with_a_byte_order_mark_is_read() {
    let d = Dir::new();
    let text = "\u{feff}{\"Z\": [[0, 1, 0.5, 2], [2, 3, 1.5, 3]], \"method\": \"single\"}";
    let p = d.file("z.json", text.as_bytes());
    let z = read_linkage(&p).unwrap();
    assert_eq!(z, array![[0.0, 1.0, 0.5, 2.0], [2.0, 3.0, 1.5, 3.0]]);
}

#[test]
fn labels_file_with_a_byte_order_mark_drops_it() {
    let d = Dir::new();
    let p = d.file("labels.txt", "\u{feff}a\nb\n".as_bytes());
    assert_eq!(read_labels(&p).unwrap(), vec!["a", "b"]);
}
