//! A fuzzer on stable Rust, in `cargo test`: a few thousand random and
//! mutated byte strings (valid files with bytes flipped, cut, inserted,
//! duplicated, and numbers swapped for huge ones) through every reader.
//! Each must return an `Err` or a valid value, never panic. The libFuzzer
//! targets in fuzz/ do the same for as long as one likes (`bash .ci/fuzz`).

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use hclust::io::{
    read_condensed, read_condensed_bytes, read_labels_bytes, read_linkage_bytes, read_matrix,
    read_matrix_bytes, Format,
};
use ndarray::{array, Array2};

/// SplitMix64: small, fixed-seed, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in 0..n (n > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// A version 1.0 .npy file.
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

fn f64s(values: &[f64]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

fn csv(m: &Array2<f64>) -> Vec<u8> {
    hclust::io::matrix_csv(m).into_bytes()
}

/// Valid files of every kind, small so that the debug build stays fast,
/// and a few observations from the scipy fixtures.
fn seeds() -> Vec<Vec<u8>> {
    let x = array![[0.5, 1.0], [2.0, -1.5], [3.25, 0.0], [-1e3, 7e-3]];
    let z = array![
        [0.0, 1.0, 0.5, 2.0],
        [2.0, 4.0, 1.25, 3.0],
        [3.0, 5.0, 4.0, 4.0]
    ];
    let y = [1.0, 2.5, 3.0, 0.25, 4.0, 5.0];
    let dir = tempfile::tempdir().unwrap();
    let written = |m: &Array2<f64>| {
        let p = dir.path().join("m.npy");
        hclust::io::write_matrix(&p, m).unwrap();
        std::fs::read(&p).unwrap()
    };
    let f32s: Vec<u8> = y.iter().flat_map(|&v| (v as f32).to_be_bytes()).collect();
    let mut out = vec![
        csv(&x),
        csv(&z),
        b"a,b\n1,2\n3,4\n".to_vec(),
        b"\xEF\xBB\xBF\"x\",\"y\"\r\n\"1.5\", 2\r\n# note\r\n3,4e-2\r\n".to_vec(),
        b"1\n2.5\n3\n0.25\n4\n5\n".to_vec(),
        b"1,2.5,3,0.25,4,5\n".to_vec(),
        written(&x),
        written(&z),
        npy("<f8", false, "(6,)", &f64s(&y)),
        npy(">f4", false, "(6,)", &f32s),
        npy("<f8", true, "(2, 3)", &f64s(&y)),
        npy("<f4", false, "(3, 2)", &y.iter().flat_map(|&v| (v as f32).to_le_bytes()).collect::<Vec<u8>>()),
        br#"{"Z": [[0, 1, 0.5, 2], [2, 4, 1.25, 3], [3, 5, 4, 4]], "method": "single", "metric": "euclidean", "n": 4}"#.to_vec(),
        b"alpha\nbeta\n\ngamma\n".to_vec(),
    ];
    let fixture =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/linkage/n3_scipy_ties.json");
    if let Ok(text) = std::fs::read(&fixture) {
        let doc: serde_json::Value = serde_json::from_slice(&text).unwrap();
        let row = |r: &serde_json::Value| -> Vec<String> {
            r.as_array()
                .unwrap()
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
        };
        if let Some(rows) = doc["X"].as_array() {
            let lines: Vec<String> = rows.iter().map(|r| row(r).join(",")).collect();
            out.push((lines.join("\n") + "\n").into_bytes());
        }
        if let Some(z) = doc["linkage"]["single"].as_array() {
            let z: Vec<String> = z
                .iter()
                .map(|r| format!("[{}]", row(r).join(",")))
                .collect();
            out.push(format!("{{\"Z\": [{}]}}", z.join(",")).into_bytes());
        }
    }
    out
}

/// Bytes that matter to some reader.
const INTERESTING: &[u8] = b"\0\xff\"',\n\r#-+.eE0123456789 ()[]{}:\x93NUMPYTrueFalse<>f84";

/// Numbers that stress the size checks and the parsers.
const NUMBERS: &[&str] = &[
    "0",
    "1",
    "-1",
    "1000000000000",
    "18446744073709551615",
    "18446744073709551616",
    "4294967296",
    "1e308",
    "1e309",
    "-0",
    "nan",
    "inf",
    "0x10",
    "1_0",
    "9999999999999999999999999",
];

/// One mutation of `data`, with `other` for splicing.
fn mutate(rng: &mut Rng, data: &mut Vec<u8>, other: &[u8]) {
    let len = data.len();
    match rng.below(9) {
        0 if len > 0 => {
            let i = rng.below(len);
            data[i] ^= 1 << rng.below(8);
        }
        1 if len > 0 => {
            let i = rng.below(len);
            data[i] = *rng.pick(INTERESTING);
        }
        2 => data.truncate(rng.below(len + 1)),
        3 => {
            let i = rng.below(len + 1);
            let n = 1 + rng.below(8);
            let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
            data.splice(i..i, bytes);
        }
        4 if len > 0 => {
            let a = rng.below(len);
            let b = (a + 1 + rng.below(64)).min(len);
            let piece = data[a..b].to_vec();
            let at = rng.below(len + 1);
            data.splice(at..at, piece);
        }
        5 if len > 0 => {
            let a = rng.below(len);
            let b = (a + 1 + rng.below(16)).min(len);
            data.drain(a..b);
        }
        6 => {
            // Swap a run of digits for a number that stresses a parser or a size.
            let digits: Vec<usize> = (0..len).filter(|&i| data[i].is_ascii_digit()).collect();
            if let Some(&start) = digits.get(rng.below(digits.len().max(1))) {
                let end = (start..len)
                    .find(|&i| !data[i].is_ascii_digit())
                    .unwrap_or(len);
                data.splice(start..end, rng.pick(NUMBERS).bytes());
            }
        }
        7 if !other.is_empty() => {
            let a = rng.below(other.len());
            let b = (a + 1 + rng.below(128)).min(other.len());
            let at = rng.below(len + 1);
            data.splice(at..at, other[a..b].iter().copied());
        }
        _ => {
            // Overwrite four bytes with an extreme little-endian length.
            if len >= 4 {
                let i = rng.below(len - 3);
                let v: u32 = *rng.pick(&[0, 1, 0xFFFF, 0x7FFF_FFFF, 0xFFFF_FFFF]);
                data[i..i + 4].copy_from_slice(&v.to_le_bytes());
            }
        }
    }
}

/// Runs `f` and fails the test, showing the input, when it panics.
fn no_panic<T>(what: &str, input: &[u8], f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(_) => panic!(
            "{what} panicked on {} bytes: {:?}",
            input.len(),
            String::from_utf8_lossy(input)
        ),
    }
}

/// An error's message holds no raw control characters (they are escaped).
fn printable<T>(r: &hclust::Result<T>) {
    if let Err(e) = r {
        let m = e.to_string();
        assert!(!m.chars().any(char::is_control), "{m:?}");
    }
}

/// Every reader on `input`: an `Err` with a printable message or a valid
/// value.
fn check_all(input: &[u8]) {
    let p = Path::new("fuzz.in");
    for format in [Format::Csv, Format::Npy, Format::Json] {
        let r = no_panic("read_matrix_bytes", input, || {
            read_matrix_bytes(input, format, p)
        });
        printable(&r);
        if let Ok(m) = r {
            assert!(m.iter().all(|v| v.is_finite()), "{m:?}");
            assert!(m.is_standard_layout());
        }
        let r = no_panic("read_condensed_bytes", input, || {
            read_condensed_bytes(input, format, p)
        });
        printable(&r);
        if let Ok(v) = r {
            assert!(v.iter().all(|v| v.is_finite()), "{v:?}");
        }
        let r = no_panic("read_linkage_bytes", input, || {
            read_linkage_bytes(input, format, p)
        });
        printable(&r);
        if let Ok(z) = r {
            assert_eq!(z.ncols(), 4);
            assert!(z.nrows() >= 1 && z.iter().all(|v| v.is_finite()), "{z:?}");
        }
    }
    let r = no_panic("read_labels_bytes", input, || read_labels_bytes(input, p));
    printable(&r);
    if let Ok(labels) = r {
        assert!(labels.iter().all(|l| l.trim() == l));
        assert!(labels.last().is_none_or(|l| !l.is_empty()));
    }
}

#[test]
fn mutated_files_give_an_error_or_a_valid_value() {
    let seeds = seeds();
    for s in &seeds {
        check_all(s);
    }
    let mut rng = Rng(0x5EED_0010);
    for _ in 0..4000 {
        let mut data = rng.pick(&seeds).clone();
        let other = rng.pick(&seeds).clone();
        for _ in 0..1 + rng.below(3) {
            mutate(&mut rng, &mut data, &other);
        }
        check_all(&data);
    }
}

#[test]
fn random_bytes_and_tokens_give_an_error_or_a_valid_value() {
    let mut rng = Rng(0xB17E5);
    const TOKENS: &[&str] = &[
        "1", "-2.5e3", "0", "nan", "inf", "x", "\"", "\"\"", ",", "\n", "\r\n", "#", " ", "\t",
        "\0", "\u{feff}", "é", "{", "}", "[", "]", "\"Z\":", ":",
    ];
    for k in 0..1500 {
        let data: Vec<u8> = if k % 2 == 0 {
            (0..rng.below(200)).map(|_| rng.next() as u8).collect()
        } else {
            (0..rng.below(40))
                .flat_map(|_| rng.pick(TOKENS).bytes())
                .collect()
        };
        check_all(&data);
    }
}

#[test]
fn npy_headers_with_random_shapes_give_an_error_or_a_valid_value() {
    let mut rng = Rng(0x4E50);
    let dims = [
        "0",
        "1",
        "2",
        "3",
        "7",
        "4294967296",
        "1000000000000",
        "18446744073709551615",
    ];
    let descrs = [
        "<f8", ">f8", "<f4", ">f4", "<i8", "|u1", "<f2", "<f8\0", "\u{7}",
    ];
    for _ in 0..1500 {
        let nd = rng.below(4);
        let shape: Vec<&str> = (0..nd).map(|_| *rng.pick(&dims)).collect();
        let shape = match nd {
            1 => format!("({},)", shape[0]),
            _ => format!("({})", shape.join(", ")),
        };
        let data: Vec<u8> = (0..rng.below(80)).map(|_| rng.next() as u8).collect();
        let descr = *rng.pick(&descrs);
        let file = npy(descr, rng.below(2) == 0, &shape, &data);
        check_all(&file);
    }
}

#[test]
fn the_path_readers_agree_with_the_byte_readers() {
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng(7);
    let seeds = seeds();
    for k in 0..200 {
        let mut data = rng.pick(&seeds).clone();
        mutate(&mut rng, &mut data, &[]);
        let (ext, format) = if k % 2 == 0 {
            ("csv", Format::Csv)
        } else {
            ("npy", Format::Npy)
        };
        let p = dir.path().join(format!("f.{ext}"));
        std::fs::write(&p, &data).unwrap();
        let by_path = read_matrix(&p).map_err(|e| e.to_string());
        let by_bytes = read_matrix_bytes(&data, format, &p).map_err(|e| e.to_string());
        assert_eq!(by_path, by_bytes);
        let by_path = read_condensed(&p).map_err(|e| e.to_string());
        let by_bytes = read_condensed_bytes(&data, format, &p).map_err(|e| e.to_string());
        assert_eq!(by_path, by_bytes);
    }
}
