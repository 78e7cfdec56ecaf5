//! Writing outputs without losing anything.
//!
//! Before any work, [`OutputPlan::check`] checks every output of a command
//! at once: its extension names a format for what it holds, it is not one
//! of the command's inputs, and no two outputs are the same file. Then each
//! output is written to a temporary file beside it and renamed into place
//! ([`write_bytes`], [`write_with`]), so a failure or a kill leaves the old
//! file or none, never half of one.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::error::{Error, Result};

/// What an output file holds, which decides the extensions it may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputKind {
    /// A linkage matrix Z: .csv, .npy or .json.
    Linkage,
    /// A matrix of numbers: .csv or .npy.
    Matrix,
    /// One cluster label per line (.csv), or the labels as JSON (.json).
    Labels,
    /// A JSON document: .json.
    Json,
    /// A picture: .svg or .png.
    Picture,
}

impl OutputKind {
    /// The extensions this kind may be written as (lower case, no dot);
    /// `txt` is accepted wherever `csv` is, as the readers accept it.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            OutputKind::Linkage => &["csv", "npy", "json", "txt"],
            OutputKind::Matrix => &["csv", "npy", "txt"],
            OutputKind::Labels => &["csv", "json", "txt"],
            OutputKind::Json => &["json"],
            OutputKind::Picture => &["svg", "png"],
        }
    }

    /// Whether the content is the same whatever the extension (so a device
    /// or pipe such as `/dev/stdout` may take it).
    fn needs_no_extension(self) -> bool {
        matches!(self, OutputKind::Labels | OutputKind::Json)
    }

    /// What the output holds, for messages.
    fn what(self) -> &'static str {
        match self {
            OutputKind::Linkage => "Z",
            OutputKind::Matrix => "a matrix of numbers",
            OutputKind::Labels => "the cluster labels",
            OutputKind::Json => "a JSON document",
            OutputKind::Picture => "a picture",
        }
    }

    /// The extensions a message offers (`txt` is not advertised).
    fn allowed(self) -> String {
        let shown: Vec<String> = self
            .extensions()
            .iter()
            .filter(|e| **e != "txt")
            .map(|e| format!(".{e}"))
            .collect();
        match shown.split_last() {
            Some((last, [])) => last.clone(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    }
}

/// Checks that `path`'s extension names a format for `kind` (the one rule
/// every command's outputs follow).
///
/// # Errors
/// [`Error::BadOutputExtension`] naming the flag, the path, what it holds
/// and the extensions it may have.
pub fn check_extension(flag: &str, path: &Path, kind: OutputKind) -> Result<()> {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if kind.extensions().contains(&ext.as_str()) {
        Ok(())
    } else {
        Err(Error::BadOutputExtension {
            flag: flag.to_string(),
            path: path.to_path_buf(),
            what: kind.what().to_string(),
            allowed: kind.allowed(),
        })
    }
}

/// The inputs and outputs of one command, checked together before any work.
#[derive(Debug, Clone, Default)]
pub struct OutputPlan {
    inputs: Vec<(String, PathBuf)>,
    outputs: Vec<(String, PathBuf, Option<OutputKind>)>,
    folders: Vec<(String, PathBuf)>,
}

impl OutputPlan {
    /// An empty plan.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an input (nothing when `path` is None), named by its flag or
    /// argument name (`INPUT`, `--data`).
    pub fn input(mut self, flag: &str, path: Option<&Path>) -> Self {
        if let Some(p) = path {
            self.inputs.push((flag.to_string(), p.to_path_buf()));
        }
        self
    }

    /// Adds an output of `kind` (nothing when `path` is None).
    pub fn output(mut self, flag: &str, path: Option<&Path>, kind: OutputKind) -> Self {
        if let Some(p) = path {
            self.outputs
                .push((flag.to_string(), p.to_path_buf(), Some(kind)));
        }
        self
    }

    /// Adds the files `names` that a command writes into the folder `dir`
    /// (their extensions are the command's own, so they are not checked).
    pub fn folder(mut self, flag: &str, dir: &Path, names: &[&str]) -> Self {
        self.folders.push((flag.to_string(), dir.to_path_buf()));
        for name in names {
            self.outputs.push((flag.to_string(), dir.join(name), None));
        }
        self
    }

    /// Checks every output's extension and that each output folder is a
    /// folder (or does not exist yet), then that no output is an existing
    /// folder, one of the inputs, or the same file as another output.
    ///
    /// # Errors
    /// [`Error::BadOutputExtension`], [`Error::InvalidArgument`] for an
    /// output file that is a folder or an output folder that is a file,
    /// [`Error::OutputIsInput`], [`Error::OutputsCollide`].
    pub fn check(&self) -> Result<()> {
        for (flag, path, kind) in &self.outputs {
            if let Some(kind) = kind {
                let device = std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir());
                if !(device && kind.needs_no_extension()) {
                    check_extension(flag, path, *kind)?;
                }
            }
        }
        for (flag, dir) in &self.folders {
            if std::fs::metadata(dir).is_ok_and(|m| !m.is_dir()) {
                return Err(Error::invalid_argument(
                    flag,
                    format!(
                        "{} is a file, not a folder; give a folder to write into",
                        dir.display()
                    ),
                ));
            }
        }
        let inputs: Vec<(&str, &Path, Identity)> = self
            .inputs
            .iter()
            .filter_map(|(f, p)| input_identity(p).map(|id| (f.as_str(), p.as_path(), id)))
            .collect();
        let mut seen: Vec<(&str, &Path, Identity)> = Vec::new();
        for (flag, path, kind) in &self.outputs {
            let Some(id) = output_identity(flag, path, kind.is_some())? else {
                continue;
            };
            if let Some((input_flag, input, _)) = inputs.iter().find(|i| i.2 == id) {
                return Err(Error::OutputIsInput {
                    output_flag: flag.clone(),
                    output: path.clone(),
                    input_flag: input_flag.to_string(),
                    input: input.to_path_buf(),
                });
            }
            if let Some((first_flag, first, _)) = seen.iter().find(|o| o.2 == id) {
                return Err(Error::OutputsCollide {
                    first_flag: first_flag.to_string(),
                    first: first.to_path_buf(),
                    second_flag: flag.clone(),
                    second: path.clone(),
                });
            }
            seen.push((flag, path, id));
        }
        Ok(())
    }
}

/// What makes two paths the same file: the device and inode of a file that
/// exists (so hard links and symbolic links count), else the canonical path
/// that a new file would get.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Identity {
    Existing(FileId),
    New(PathBuf),
}

#[cfg(unix)]
type FileId = (u64, u64);
#[cfg(not(unix))]
type FileId = PathBuf;

#[cfg(unix)]
fn file_id(_path: &Path, meta: &std::fs::Metadata) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn file_id(path: &Path, _meta: &std::fs::Metadata) -> Option<FileId> {
    std::fs::canonicalize(path).ok()
}

/// An input's identity: only regular files can be destroyed by writing
/// over them (a missing input fails when it is read).
fn input_identity(path: &Path) -> Option<Identity> {
    let meta = std::fs::metadata(path).ok()?;
    meta.is_file()
        .then(|| file_id(path, &meta).map(Identity::Existing))
        .flatten()
}

/// An output's identity; None for a device or pipe (`/dev/null`), which is
/// written directly and cannot be an input's file. `in_place` outputs are
/// written into a folder that must exist (a report's folder is created).
///
/// # Errors
/// [`Error::InvalidArgument`] when the output is an existing folder, or
/// its folder does not exist.
fn output_identity(flag: &str, path: &Path, in_place: bool) -> Result<Option<Identity>> {
    match std::fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Err(Error::invalid_argument(
            flag,
            format!("{} is a folder; give a file name", path.display()),
        )),
        Ok(meta) if meta.is_file() => Ok(file_id(path, &meta).map(Identity::Existing)),
        Ok(_) => Ok(None),
        Err(_) => match new_file_path(path) {
            Some(p) => Ok(Some(Identity::New(p))),
            None if in_place => Err(Error::invalid_argument(
                flag,
                format!(
                    "{}: the folder {} does not exist",
                    path.display(),
                    path.parent().unwrap_or(Path::new(".")).display()
                ),
            )),
            None => Ok(Some(Identity::New(
                std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
            ))),
        },
    }
}

/// The canonical path a file that does not exist yet would have: its
/// folder's canonical path and its name; None when the folder does not
/// exist.
fn new_file_path(path: &Path) -> Option<PathBuf> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name().unwrap_or(path.as_os_str());
    std::fs::canonicalize(parent).ok().map(|dir| dir.join(name))
}

/// Writes `bytes` to `path` through a temporary file beside it, renamed
/// into place.
///
/// # Errors
/// [`Error::Io`] naming `path`.
pub fn write_bytes(path: &Path, bytes: &[u8]) -> Result<()> {
    write_with(path, |tmp| {
        std::fs::write(tmp, bytes).map_err(|source| Error::Io {
            path: tmp.to_path_buf(),
            source,
        })
    })
}

/// Runs `write` on a temporary path in `path`'s folder (with `path`'s
/// extension, so writers that choose the format by it choose the same),
/// then renames the file into place; on failure the temporary file is
/// removed and `path` is as it was. An existing file keeps its
/// permissions; a symbolic link is written through (its target is
/// replaced); a device or pipe (`/dev/stdout`) is written directly.
///
/// # Errors
/// Those of `write`, and [`Error::Io`] when the file cannot be renamed;
/// errors that name the temporary path name `path` instead.
pub fn write_with(path: &Path, write: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let existing = std::fs::metadata(path).ok();
    if existing
        .as_ref()
        .is_some_and(|m| !m.is_file() && !m.is_dir())
    {
        return write(path);
    }
    // Replace a link's target, not the link.
    let dest = match &existing {
        Some(_) => std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf()),
        None => path.to_path_buf(),
    };
    let tmp = temp_path(&dest);
    let io_err = |source| Error::Io {
        path: path.to_path_buf(),
        source,
    };
    let result = write(&tmp)
        .map_err(|e| rename_in_error(e, &tmp, path))
        .and_then(|()| {
            if let Some(meta) = &existing {
                std::fs::set_permissions(&tmp, meta.permissions()).map_err(io_err)?;
            }
            std::fs::File::open(&tmp)
                .and_then(|f| f.sync_all())
                .map_err(io_err)?;
            std::fs::rename(&tmp, &dest).map_err(io_err)
        });
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A name no other writer uses, hidden, in `dest`'s folder and with its
/// extension: `.name.tmp-<pid>-<counter>.ext`.
fn temp_path(dest: &Path) -> PathBuf {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let k = COUNTER.fetch_add(1, Ordering::Relaxed);
    let pid = std::process::id();
    let stem = dest
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = match dest.extension() {
        Some(ext) => format!(".{stem}.tmp-{pid}-{k}.{}", ext.to_string_lossy()),
        None => format!(".{stem}.tmp-{pid}-{k}"),
    };
    dest.with_file_name(name)
}

/// An error that names the temporary path, made to name `path`.
fn rename_in_error(e: Error, tmp: &Path, path: &Path) -> Error {
    match e {
        Error::Io { path: p, source } if p == tmp => Error::Io {
            path: path.to_path_buf(),
            source,
        },
        Error::Parse {
            path: p,
            line,
            column,
            reason,
        } if p == tmp => Error::Parse {
            path: path.to_path_buf(),
            line,
            column,
            reason,
        },
        Error::InvalidArgument { name, reason } if name == tmp.display().to_string() => {
            Error::InvalidArgument {
                name: path.display().to_string(),
                reason,
            }
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extensions_by_kind() {
        let p = Path::new;
        assert!(check_extension("-o", p("z.CSV"), OutputKind::Linkage).is_ok());
        assert!(check_extension("-o", p("z.txt"), OutputKind::Matrix).is_ok());
        assert!(check_extension("-o", p("f.json"), OutputKind::Labels).is_ok());
        assert!(check_extension("-o", p("d.png"), OutputKind::Picture).is_ok());
        let e = check_extension("-o", p("f.xyz"), OutputKind::Labels).unwrap_err();
        assert_eq!(
            e.to_string(),
            "-o f.xyz: the cluster labels can be written as .csv or .json, chosen by the \
             file's extension; give a file name that ends in one of them"
        );
        let e = check_extension("--json", p("l"), OutputKind::Json).unwrap_err();
        assert!(e.to_string().contains("written as .json,"), "{e}");
        let e = check_extension("-o", p("z.xlsx"), OutputKind::Linkage).unwrap_err();
        assert!(e.to_string().contains(".csv, .npy or .json"), "{e}");
    }

    #[test]
    fn an_output_that_is_an_input_or_another_output_is_refused() {
        let dir = tempfile::TempDir::new().unwrap();
        let x = dir.path().join("x.csv");
        std::fs::write(&x, "1,2\n").unwrap();
        let e = OutputPlan::new()
            .input("INPUT", Some(&x))
            .output(
                "-o",
                Some(&dir.path().join(".").join("x.csv")),
                OutputKind::Linkage,
            )
            .check()
            .unwrap_err();
        assert!(matches!(e, Error::OutputIsInput { .. }), "{e}");
        let new = dir.path().join("new.json");
        let e = OutputPlan::new()
            .output("--json", Some(&new), OutputKind::Json)
            .output(
                "-o",
                Some(&dir.path().join(".").join("new.json")),
                OutputKind::Json,
            )
            .check()
            .unwrap_err();
        assert!(matches!(e, Error::OutputsCollide { .. }), "{e}");
        std::fs::create_dir(dir.path().join("z.csv")).unwrap();
        let e = OutputPlan::new()
            .output("-o", Some(&dir.path().join("z.csv")), OutputKind::Linkage)
            .check();
        assert!(e.unwrap_err().to_string().contains("is a folder"));
        let e = OutputPlan::new()
            .output(
                "-o",
                Some(&dir.path().join("no/z.csv")),
                OutputKind::Linkage,
            )
            .check();
        assert!(e.unwrap_err().to_string().contains("does not exist"));
        #[cfg(unix)]
        assert!(OutputPlan::new()
            .output("--json", Some(Path::new("/dev/null")), OutputKind::Json)
            .check()
            .is_ok());
    }

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::TempDir::new().unwrap();
        let out = dir.path().join("z.csv");
        std::fs::write(&out, "old\n").unwrap();
        let e = write_with(&out, |tmp| {
            std::fs::write(tmp, "half").unwrap();
            Err(Error::Io {
                path: tmp.to_path_buf(),
                source: std::io::Error::other("disk full"),
            })
        })
        .unwrap_err();
        assert!(e.to_string().starts_with(&out.display().to_string()), "{e}");
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "old\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        write_bytes(&out, b"new\n").unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "new\n");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn the_temporary_file_keeps_the_extension() {
        let t = temp_path(Path::new("out/z.npy"));
        assert_eq!(t.parent(), Some(Path::new("out")));
        assert_eq!(t.extension().unwrap(), "npy");
        assert!(t
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(".z.tmp-"));
    }
}
