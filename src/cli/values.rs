//! Parsers for the numbers the commands take, and the names of their flags
//! in the library's messages.
//!
//! Every numeric flag accepts a leading minus (clap's `allow_negative_numbers`)
//! so that a negative value reaches these parsers and is judged here, with
//! a reason, instead of being taken for an unknown flag. clap prefixes each
//! message with the value and the flag: "invalid value '-1' for '--depth
//! <DEPTH>': ...".

use crate::error::Error;

/// A whole number >= 0, or a message that says why `s` is not one; `what`
/// names what the number counts.
fn whole(s: &str, what: &str) -> Result<usize, String> {
    let t = s.trim();
    if let Ok(v) = t.parse::<usize>() {
        return Ok(v);
    }
    if t.parse::<i128>().is_ok_and(|v| v < 0) || t.parse::<f64>().is_ok_and(|v| v < 0.0) {
        return Err(format!("{what} cannot be negative"));
    }
    if t.parse::<u128>().is_ok() {
        return Err(format!("{what}: {t} is too large"));
    }
    Err(format!("{what} must be a whole number >= 0"))
}

/// `--depth`: levels below each link (scipy refuses a negative d too).
pub fn levels(s: &str) -> Result<usize, String> {
    whole(s, "the number of levels below each link")
}

/// `-p` of the dendrogram: the leaves kept (lastp) or levels shown (level).
pub fn truncation_p(s: &str) -> Result<usize, String> {
    whole(s, "p (the leaves lastp keeps, the levels level shows)")
}

/// `--window`: how many of the last merges to look at.
pub fn merges(s: &str) -> Result<usize, String> {
    whole(s, "the number of merges to look at")
}

/// `cophenet --sample`: a number of sampled pairs, at least 40 (20
/// batches of two for the standard error).
pub fn pairs(s: &str) -> Result<usize, String> {
    match whole(s, "a number of pairs")? {
        k if k < 40 => Err("sample at least 40 pairs (20 batches give the standard error)".into()),
        k => Ok(k),
    }
}

/// A number of clusters (`-k`, `--n-clusters`): at least 1.
pub fn clusters(s: &str) -> Result<usize, String> {
    match whole(s, "a number of clusters")? {
        0 => Err("a number of clusters must be at least 1".into()),
        k => Ok(k),
    }
}

/// A node id of Z: an observation or a merge.
pub fn node(s: &str) -> Result<usize, String> {
    whole(s, "a node id (an observation below n, a merge from n up)")
}

/// `bench --n`: observations, at least 2.
pub fn observations(s: &str) -> Result<usize, String> {
    match whole(s, "a number of observations")? {
        n if n < 2 => Err("clustering needs at least 2 observations".into()),
        n => Ok(n),
    }
}

/// `bench -d`: dimensions, at least 1.
pub fn dimensions(s: &str) -> Result<usize, String> {
    match whole(s, "a number of dimensions")? {
        0 => Err("the observations need at least 1 dimension".into()),
        d => Ok(d),
    }
}

/// The library names a parameter by its own name (fcluster's `t`); the
/// command line names it by the flag the user typed. `names` maps one to
/// the other for the errors of one command.
pub fn with_flag_names(e: Error, names: &[(&str, &str)]) -> Error {
    match e {
        Error::InvalidArgument { name, reason } => {
            let name = names
                .iter()
                .find(|(lib, _)| *lib == name)
                .map_or(name, |(_, flag)| flag.to_string());
            Error::InvalidArgument { name, reason }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_and_fractional_counts_say_why() {
        assert_eq!(levels("3"), Ok(3));
        assert_eq!(
            levels("-1").unwrap_err(),
            "the number of levels below each link cannot be negative"
        );
        assert_eq!(
            truncation_p("-3").unwrap_err(),
            "p (the leaves lastp keeps, the levels level shows) cannot be negative"
        );
        assert!(levels("1.5").unwrap_err().contains("whole number"));
        assert!(levels("-0.5").unwrap_err().contains("cannot be negative"));
        assert!(levels("99999999999999999999999")
            .unwrap_err()
            .contains("too large"));
        assert_eq!(
            clusters("0").unwrap_err(),
            "a number of clusters must be at least 1"
        );
        assert_eq!(
            observations("1").unwrap_err(),
            "clustering needs at least 2 observations"
        );
    }

    #[test]
    fn library_names_become_flags() {
        let e = with_flag_names(Error::invalid_argument("t", "bad"), &[("t", "-t")]);
        assert_eq!(e.to_string(), "invalid argument -t: bad");
        let e = with_flag_names(Error::invalid_argument("x", "bad"), &[("t", "-t")]);
        assert_eq!(e.to_string(), "invalid argument x: bad");
    }
}
