//! SVG to PNG with resvg and an embedded DejaVu Sans: no system font is
//! looked up, so text renders the same on a machine without fonts.

use std::sync::{Arc, OnceLock};

use resvg::tiny_skia::{Color, Pixmap, Transform};
use resvg::usvg::{fontdb, Options, Tree};

use super::svg::FONT_FAMILY;
use crate::error::{Error, Result};

/// DejaVu Sans 2.37 (licence in assets/fonts/LICENSE-DejaVu).
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// The largest PNG side we make, in pixels.
pub const MAX_PNG_SIDE: u32 = 16_384;

/// The font database with only the embedded font in it, built once.
fn font_db() -> Arc<fontdb::Database> {
    static DB: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_font_source(fontdb::Source::Binary(Arc::new(DEJAVU_SANS)));
        db.set_sans_serif_family(FONT_FAMILY);
        db.set_serif_family(FONT_FAMILY);
        db.set_monospace_family(FONT_FAMILY);
        db.set_cursive_family(FONT_FAMILY);
        db.set_fantasy_family(FONT_FAMILY);
        Arc::new(db)
    })
    .clone()
}

/// Parses an SVG with the embedded font as the only font.
fn parse(svg: &str) -> Result<Tree> {
    let opts = Options {
        font_family: FONT_FAMILY.to_string(),
        fontdb: font_db(),
        ..Options::default()
    };
    Tree::from_str(svg, &opts)
        .map_err(|e| Error::invalid_argument("svg", format!("cannot parse the SVG: {e}")))
}

/// The size in pixels that an SVG declares (its width and height).
///
/// # Errors
/// [`Error::InvalidArgument`] naming `svg` when it does not parse.
pub fn svg_size(svg: &str) -> Result<(f64, f64)> {
    let size = parse(svg)?.size();
    Ok((f64::from(size.width()), f64::from(size.height())))
}

/// Rasterises an SVG to a PNG `width` pixels wide (the height keeps the
/// aspect ratio), on a white background, with text in the embedded DejaVu
/// Sans whatever font the SVG names.
///
/// # Errors
/// [`Error::InvalidArgument`] naming `svg` when it does not parse, or
/// `width` when it is 0 or makes a side larger than [`MAX_PNG_SIDE`].
pub fn svg_to_png(svg: &str, width: u32) -> Result<Vec<u8>> {
    let tree = parse(svg)?;
    let size = tree.size();
    let scale = width as f32 / size.width();
    let height = (size.height() * scale).round() as u32;
    if width == 0 || width > MAX_PNG_SIDE || height == 0 || height > MAX_PNG_SIDE {
        return Err(Error::invalid_argument(
            "width",
            format!(
                "a {width} pixel wide PNG of this {}x{} picture would be {width}x{height}; \
                 each side must be between 1 and {MAX_PNG_SIDE}",
                size.width(),
                size.height()
            ),
        ));
    }
    let mut pixmap = Pixmap::new(width, height).ok_or_else(|| {
        Error::invalid_argument("width", format!("cannot allocate a {width}x{height} image"))
    })?;
    pixmap.fill(Color::WHITE);
    resvg::render(
        &tree,
        Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap
        .encode_png()
        .map_err(|e| Error::invalid_argument("svg", format!("cannot encode the PNG: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_font_is_the_only_font() {
        let db = font_db();
        assert_eq!(db.len(), 1);
        let face = db.faces().next().unwrap();
        assert_eq!(face.families[0].0, FONT_FAMILY);
    }

    #[test]
    fn bad_svg_and_bad_width_are_errors() {
        let err = svg_to_png("<svg", 10).unwrap_err().to_string();
        assert!(err.contains("svg"), "{err}");
        let svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"/>";
        let err = svg_to_png(svg, 0).unwrap_err().to_string();
        assert!(err.contains("width"), "{err}");
        assert_eq!(svg_size(svg).unwrap(), (10.0, 10.0));
    }
}
