//! Colours: scipy's link colour names "C0".."C9" are matplotlib's default
//! colour cycle (tab10); anything else is taken as a CSS colour.

/// matplotlib's default colour cycle, "C0" to "C9".
pub const TAB10: [&str; 10] = [
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    "#bcbd22", "#17becf",
];

/// The CSS colour of a scipy/matplotlib colour name: "C0".."C9" (and
/// "C10", "C11", ..., which cycle as in matplotlib) become tab10 hex
/// codes; matplotlib's one-letter names ("b", "g", "r", "c", "m", "y",
/// "k", "w") their matplotlib colours; anything else passes through.
pub fn css_colour(name: &str) -> String {
    let trimmed = name.trim();
    if let Some(k) = trimmed
        .strip_prefix('C')
        .and_then(|d| d.parse::<usize>().ok())
    {
        return TAB10[k % TAB10.len()].to_string();
    }
    let single = match trimmed {
        "b" => "#0000ff",
        "g" => "#008000",
        "r" => "#ff0000",
        "c" => "#00bfbf",
        "m" => "#bf00bf",
        "y" => "#bfbf00",
        "k" => "#000000",
        "w" => "#ffffff",
        _ => return trimmed.to_string(),
    };
    single.to_string()
}

/// The colour of the `i`-th cluster (0-based), cycling through tab10.
pub fn cluster_colour(i: usize) -> &'static str {
    TAB10[i % TAB10.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_c_names_and_passes_the_rest() {
        assert_eq!(css_colour("C0"), "#1f77b4");
        assert_eq!(css_colour("C9"), "#17becf");
        assert_eq!(css_colour("C12"), "#2ca02c");
        assert_eq!(css_colour("k"), "#000000");
        assert_eq!(css_colour("darkred"), "darkred");
        assert_eq!(css_colour("#123456"), "#123456");
        assert_eq!(cluster_colour(11), "#ff7f0e");
    }
}
