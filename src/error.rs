//! The one error type of hclust, with messages that say what is wrong, where,
//! and what to do about it.

use std::path::PathBuf;

/// Everything that can go wrong in hclust that a user can cause.
///
/// Each message names the value, row, column, file or flag at fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A value in the input is NaN or infinite.
    #[error(
        "non-finite value {value} at row {row}, column {column} of {what}: \
         remove or impute NaN and infinite values before clustering"
    )]
    NonFinite {
        /// What held the value ("the observation matrix", "the condensed distance matrix", ...).
        what: String,
        /// Row index (0-based).
        row: usize,
        /// Column index (0-based).
        column: usize,
        /// The offending value.
        value: f64,
    },

    /// A distance or a merge height that overflows the floating-point range
    /// although every input value is finite (scipy would refuse the
    /// infinite distance; hclust never writes inf or NaN into Z).
    #[error(
        "{what} overflows {precision} (it came out {value}; the largest {precision} is \
         {max:e}): rescale the data (divide every value by the same constant, such as \
         the largest absolute value) and cluster again: the tree stays the same, and \
         the heights scale by that constant"
    )]
    Overflow {
        /// What overflowed: the distance between observations i and j, or
        /// the height of merge k (and the clusters it joins).
        what: String,
        /// The value that came out (inf or NaN).
        value: f64,
        /// "f64" or "f32".
        precision: &'static str,
        /// The largest finite value of that precision.
        max: f64,
    },

    /// Fewer than two observations: there is nothing to cluster.
    #[error("{what} has {n} observation(s); hierarchical clustering needs at least 2")]
    TooFewObservations {
        /// What held the observations.
        what: String,
        /// How many there were.
        n: usize,
    },

    /// A condensed distance vector whose length is not n(n-1)/2 for any n.
    #[error(
        "a condensed distance matrix of length {len} is not n(n-1)/2 for any n \
         (nearest valid lengths: {below} for n = {n_below}, {above} for n = {n_above}); \
         did you mean to pass observations instead of --condensed?"
    )]
    BadCondensedLength {
        /// The length given.
        len: usize,
        /// The valid length just below.
        below: usize,
        /// n for `below`.
        n_below: usize,
        /// The valid length just above.
        above: usize,
        /// n for `above`.
        n_above: usize,
    },

    /// A negative entry in a distance matrix.
    #[error(
        "negative distance {value} between observations {i} and {j}: \
         distances must be >= 0"
    )]
    NegativeDistance {
        /// First observation.
        i: usize,
        /// Second observation.
        j: usize,
        /// The offending value.
        value: f64,
    },

    /// A method that needs Euclidean geometry was asked for with another metric.
    #[error(
        "method '{method}' requires the euclidean metric on observations, got '{metric}'; \
         use --metric euclidean, pick single/complete/average/weighted, \
         or pass a precomputed condensed matrix if you know what you are doing"
    )]
    MethodNeedsEuclidean {
        /// The method name.
        method: String,
        /// The metric name.
        metric: String,
    },

    /// An unknown linkage method name.
    #[error("unknown linkage method '{given}'; valid methods: {valid}")]
    UnknownMethod {
        /// What was given.
        given: String,
        /// The valid names, comma-separated.
        valid: String,
    },

    /// An unknown metric name.
    #[error("unknown metric '{given}'; valid metrics: {valid}")]
    UnknownMetric {
        /// What was given.
        given: String,
        /// The valid names, comma-separated.
        valid: String,
    },

    /// A metric parameter is missing, malformed or of the wrong size.
    #[error("bad parameter for metric '{metric}': {reason}")]
    BadMetricParameter {
        /// The metric name.
        metric: String,
        /// What is wrong and how to fix it.
        reason: String,
    },

    /// A matrix that is not a valid linkage matrix Z.
    #[error("not a valid linkage matrix: {reason}")]
    InvalidLinkage {
        /// Why not, with the row at fault.
        reason: String,
    },

    /// A square matrix that is not a valid distance matrix for squareform.
    #[error("not a valid square distance matrix: {reason}")]
    InvalidSquareForm {
        /// Why not.
        reason: String,
    },

    /// The computation was stopped through its [`crate::Cancel`] token
    /// (in Python: Ctrl-C).
    #[error("the computation was cancelled before it finished; nothing was computed")]
    Cancelled,

    /// Any other invalid argument.
    #[error("invalid argument {name}: {reason}")]
    InvalidArgument {
        /// The argument or flag.
        name: String,
        /// What is wrong with it.
        reason: String,
    },

    /// The GPU backend was asked for but no GPU adapter is available.
    #[error(
        "no GPU adapter available ({reason}); install a Vulkan driver for your GPU, or on a \
         Linux machine without one Mesa's lavapipe (apt-get install libvulkan1 \
         mesa-vulkan-drivers), or use --backend cpu"
    )]
    NoGpuAdapter {
        /// What wgpu reported.
        reason: String,
    },

    /// The GPU failed while working (device lost, mapping failed, validation).
    #[error("GPU error: {reason}; rerun with --backend cpu to use the CPU")]
    Gpu {
        /// What went wrong.
        reason: String,
    },

    /// A problem too large for the device's memory or limits.
    #[error(
        "the problem needs {needed_bytes} bytes of GPU memory but the device offers {available_bytes}; \
         use --precision f32 (half the memory), --backend cpu, or a larger GPU"
    )]
    TooLargeForGpu {
        /// Bytes the problem needs on the device.
        needed_bytes: u64,
        /// Bytes the device offers.
        available_bytes: u64,
    },

    /// The distance matrix would not fit in the machine's memory.
    #[error(
        "{what} for n = {n} needs {needed} but only {available} of memory are available; \
         ways out: {}single, ward, centroid and median on euclidean observations need \
         no distance matrix (--memory low), a sample of the data, or a machine with more memory",
        halve_hint(*precision)
    )]
    NotEnoughMemory {
        /// What would be allocated.
        what: String,
        /// The number of observations.
        n: usize,
        /// Bytes needed, human-readable.
        needed: String,
        /// Bytes available, human-readable.
        available: String,
        /// The precision the matrix would be stored in.
        precision: crate::Precision,
    },

    /// An output that is the same file as one of the command's inputs:
    /// writing it would destroy the input, so nothing is done.
    #[error(
        "the output {output_flag} {} is the same file as the input {input_flag} {}: \
         writing it would destroy that input; choose another output file",
        output.display(),
        input.display()
    )]
    OutputIsInput {
        /// The output's flag (`-o`, `--json`, ...).
        output_flag: String,
        /// The output as given.
        output: PathBuf,
        /// The input's flag or argument name (`INPUT`, `--data`, ...).
        input_flag: String,
        /// The input as given.
        input: PathBuf,
    },

    /// Two outputs of one command that are the same file: one would
    /// overwrite the other, so nothing is done.
    #[error(
        "the outputs {first_flag} {} and {second_flag} {} are the same file: \
         one would overwrite the other; give each its own file",
        first.display(),
        second.display()
    )]
    OutputsCollide {
        /// The first output's flag.
        first_flag: String,
        /// The first output as given.
        first: PathBuf,
        /// The second output's flag.
        second_flag: String,
        /// The second output as given.
        second: PathBuf,
    },

    /// An output whose extension does not name a format for what it holds.
    #[error(
        "{flag} {}: {what} can be written as {allowed}, chosen by the file's extension; \
         give a file name that ends in one of them",
        path.display()
    )]
    BadOutputExtension {
        /// The output's flag.
        flag: String,
        /// The output as given.
        path: PathBuf,
        /// What the output holds ("Z", "a picture", ...).
        what: String,
        /// The extensions it may have (".csv, .npy or .json").
        allowed: String,
    },

    /// A file could not be parsed.
    #[error("{}{}: {reason}", path.display(), location(*line, *column))]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line, where it applies.
        line: Option<usize>,
        /// 1-based column, where it applies.
        column: Option<usize>,
        /// What is wrong.
        reason: String,
    },

    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
}

fn location(line: Option<usize>, column: Option<usize>) -> String {
    match (line, column) {
        (Some(l), Some(c)) => format!(", line {l}, column {c}"),
        (Some(l), None) => format!(", line {l}"),
        _ => String::new(),
    }
}

/// The first way out of a matrix too large: f32 storage, unless the matrix
/// is in f32 already.
fn halve_hint(precision: crate::Precision) -> &'static str {
    match precision {
        crate::Precision::F64 => "f32 storage halves it (--precision f32), ",
        crate::Precision::F32 => "",
    }
}

/// The result type of hclust.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// The error for `what` overflowing `precision` ("f64" or "f32").
    pub fn overflow(what: impl Into<String>, value: f64, precision: &'static str) -> Error {
        let max = if precision == "f32" {
            f32::MAX as f64
        } else {
            f64::MAX
        };
        Error::Overflow {
            what: what.into(),
            value,
            precision,
            max,
        }
    }

    /// Shorthand for [`Error::InvalidArgument`].
    pub fn invalid_argument(name: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidArgument {
            name: name.into(),
            reason: reason.into(),
        }
    }

    /// Shorthand for [`Error::InvalidLinkage`].
    pub fn invalid_linkage(reason: impl Into<String>) -> Self {
        Error::InvalidLinkage {
            reason: reason.into(),
        }
    }
}
