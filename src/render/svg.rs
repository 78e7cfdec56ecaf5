//! A small SVG writer: one string, elements appended in drawing order, text
//! escaped, numbers written short. No scripts and no external references,
//! so the result can be inlined into an HTML page.

use std::fmt::Write;

/// The font every picture names; [`super::png`] embeds it.
pub const FONT_FAMILY: &str = "DejaVu Sans";

/// DejaVu Sans's mean advance width, in ems, for the digits, punctuation
/// and lower-case letters of labels: enough to size margins.
const CHAR_WIDTH_EM: f64 = 0.62;

/// The width in pixels that `text` takes at `font_size`, estimated.
pub(crate) fn text_width(text: &str, font_size: f64) -> f64 {
    text.chars().count() as f64 * CHAR_WIDTH_EM * font_size
}

/// Escapes the five characters that XML gives meaning to.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // control characters are not allowed in XML 1.0
            c if (c as u32) < 0x20 && c != '\t' && c != '\n' && c != '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// A coordinate with at most two decimals and no trailing zeros.
pub(crate) fn num(v: f64) -> String {
    let s = format!("{:.2}", v);
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".to_string()
    } else {
        s
    }
}

/// C's `printf("%.*g", sig, v)`, as the scipy tutorial's `"%.3g" % y`.
pub fn format_g(v: f64, sig: usize) -> String {
    let sig = sig.max(1);
    if !v.is_finite() {
        return v.to_string();
    }
    if v == 0.0 {
        return "0".to_string();
    }
    // the exponent after rounding to `sig` significant digits
    let sci = format!("{:.*e}", sig - 1, v);
    let (mantissa, exp) = sci.split_once('e').expect("`{:e}` writes an exponent");
    let exp: i32 = exp.parse().expect("`{:e}` writes an integer exponent");
    if exp < -4 || exp >= sig as i32 {
        let mantissa = trim_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        let decimals = (sig as i32 - 1 - exp).max(0) as usize;
        trim_zeros(&format!("{:.*}", decimals, v)).to_string()
    }
}

fn trim_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// How a text is anchored at its point.
#[derive(Clone, Copy)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

impl Anchor {
    fn name(self) -> &'static str {
        match self {
            Anchor::Start => "start",
            Anchor::Middle => "middle",
            Anchor::End => "end",
        }
    }
}

/// A text to place: where, how big, anchored how, turned how far.
pub(crate) struct Text<'a> {
    pub class: &'a str,
    pub x: f64,
    pub y: f64,
    pub size: f64,
    pub anchor: Anchor,
    /// Degrees counter-clockwise about (x, y), as matplotlib's `rotation`.
    pub rotate: f64,
    /// Baseline shift, in ems, that centres the text vertically on y
    /// (about 0.35) or leaves it on its baseline (0).
    pub dy: f64,
    pub fill: &'a str,
    /// A white outline under the glyphs, to stay legible over lines.
    pub halo: bool,
}

impl<'a> Text<'a> {
    /// A horizontal, black text centred vertically on (x, y).
    pub fn new(class: &'a str, x: f64, y: f64, size: f64, anchor: Anchor) -> Self {
        Text {
            class,
            x,
            y,
            size,
            anchor,
            rotate: 0.0,
            dy: 0.35,
            fill: "#000000",
            halo: false,
        }
    }
}

/// An SVG document being written.
pub(crate) struct Svg {
    buf: String,
}

impl Svg {
    /// Opens a `width` x `height` picture on a white background.
    pub fn new(width: f64, height: f64) -> Svg {
        let mut buf = String::with_capacity(16 * 1024);
        let (w, h) = (num(width), num(height));
        let _ = write!(
            buf,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{w}\" height=\"{h}\" \
             viewBox=\"0 0 {w} {h}\" font-family=\"{FONT_FAMILY}\">\n\
             <rect class=\"background\" x=\"0\" y=\"0\" width=\"{w}\" height=\"{h}\" fill=\"#ffffff\"/>\n"
        );
        Svg { buf }
    }

    /// Appends raw markup (already escaped).
    pub fn raw(&mut self, s: &str) {
        self.buf.push_str(s);
    }

    /// A straight line.
    #[allow(clippy::too_many_arguments)]
    pub fn line(
        &mut self,
        class: &str,
        (x1, y1): (f64, f64),
        (x2, y2): (f64, f64),
        stroke: &str,
        width: f64,
        dash: Option<&str>,
    ) {
        let _ = write!(
            self.buf,
            "<line class=\"{class}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"{stroke}\" \
             stroke-width=\"{}\"",
            num(x1),
            num(y1),
            num(x2),
            num(y2),
            num(width)
        );
        if let Some(dash) = dash {
            let _ = write!(self.buf, " stroke-dasharray=\"{dash}\"");
        }
        self.buf.push_str("/>\n");
    }

    /// An open polyline through `points`, as one `<path>`.
    pub fn path(&mut self, class: &str, points: &[(f64, f64)], stroke: &str, width: f64) {
        self.buf.push_str("<path class=\"");
        self.buf.push_str(class);
        self.buf.push_str("\" d=\"");
        for (i, &(x, y)) in points.iter().enumerate() {
            let _ = write!(
                self.buf,
                "{}{} {}",
                if i == 0 { "M" } else { " L" },
                num(x),
                num(y)
            );
        }
        let _ = writeln!(
            self.buf,
            "\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\" stroke-linejoin=\"round\"/>",
            escape(stroke),
            num(width)
        );
    }

    /// A filled circle; `fill` None leaves it to the enclosing group.
    pub fn circle(&mut self, class: &str, (cx, cy): (f64, f64), r: f64, fill: Option<&str>) {
        let _ = write!(
            self.buf,
            "<circle class=\"{class}\" cx=\"{}\" cy=\"{}\" r=\"{}\"",
            num(cx),
            num(cy),
            num(r)
        );
        if let Some(fill) = fill {
            let _ = write!(self.buf, " fill=\"{}\"", escape(fill));
        }
        self.buf.push_str("/>\n");
    }

    /// A rectangle.
    pub fn rect(&mut self, class: &str, (x, y): (f64, f64), (w, h): (f64, f64), attrs: &str) {
        let _ = writeln!(
            self.buf,
            "<rect class=\"{class}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" {attrs}/>",
            num(x),
            num(y),
            num(w),
            num(h)
        );
    }

    /// A text, escaped.
    pub fn text(&mut self, t: &Text, content: &str) {
        let (x, y) = (num(t.x), num(t.y));
        let _ = write!(
            self.buf,
            "<text class=\"{}\" x=\"{x}\" y=\"{y}\" font-size=\"{}\" text-anchor=\"{}\" fill=\"{}\"",
            t.class,
            num(t.size),
            t.anchor.name(),
            t.fill
        );
        if t.dy != 0.0 {
            let _ = write!(self.buf, " dy=\"{}em\"", num(t.dy));
        }
        if t.halo {
            self.buf.push_str(
                " stroke=\"#ffffff\" stroke-width=\"3\" stroke-linejoin=\"round\" paint-order=\"stroke\"",
            );
        }
        if t.rotate != 0.0 {
            let _ = write!(
                self.buf,
                " transform=\"rotate({} {x} {y})\"",
                num(-t.rotate)
            );
        }
        let _ = writeln!(self.buf, ">{}</text>", escape(content));
    }

    /// Closes the document.
    pub fn finish(mut self) -> String {
        self.buf.push_str("</svg>\n");
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape("a<b & \"c\" 'd'>"),
            "a&lt;b &amp; &quot;c&quot; &apos;d&apos;&gt;"
        );
    }

    #[test]
    fn numbers_are_short() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(1.5), "1.5");
        assert_eq!(num(1.234), "1.23");
        assert_eq!(num(-0.001), "0");
        assert_eq!(num(100.0), "100");
    }

    #[test]
    fn format_g_matches_printf() {
        // values checked against Python's "%.3g" % v
        assert_eq!(format_g(180.27043, 3), "180");
        assert_eq!(format_g(23.456, 3), "23.5");
        assert_eq!(format_g(0.5, 3), "0.5");
        assert_eq!(format_g(1234.5, 3), "1.23e+03");
        assert_eq!(format_g(0.00012345, 3), "0.000123");
        assert_eq!(format_g(0.000012345, 3), "1.23e-05");
        assert_eq!(format_g(999.6, 3), "1e+03");
        assert_eq!(format_g(-2.0, 3), "-2");
        assert_eq!(format_g(0.0, 3), "0");
    }

    #[test]
    fn text_is_escaped_and_rotated() {
        let mut svg = Svg::new(10.0, 10.0);
        let mut t = Text::new("t", 1.0, 2.0, 8.0, Anchor::End);
        t.rotate = 90.0;
        svg.text(&t, "<a>");
        let s = svg.finish();
        assert!(s.contains(">&lt;a&gt;</text>"), "{s}");
        assert!(s.contains("rotate(-90 1 2)"), "{s}");
    }
}
