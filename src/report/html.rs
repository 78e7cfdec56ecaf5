//! The report's HTML page: one file, inline SVG, no scripts, no network.

use ndarray::Array2;

use super::{CutChoice, ReportOptions};
use crate::analysis::suggest::Suggestion;

/// Everything the page shows.
pub(super) struct Page<'a> {
    pub opts: &'a ReportOptions,
    pub n: usize,
    pub m: usize,
    pub z: &'a Array2<f64>,
    pub cophenetic: &'a crate::analysis::CophenetCorrelation,
    pub suggestions: &'a [Suggestion],
    pub cut: &'a CutChoice,
    pub clusters: &'a [usize],
    /// The inconsistency matrix and the rows to show.
    pub inconsistency: (&'a Array2<f64>, &'a [usize]),
    /// Full dendrogram, truncated dendrogram, elbow, scatter.
    pub svgs: [&'a str; 4],
}

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// An SVG document as an inline element (without any XML prologue).
fn inline(svg: &str) -> &str {
    svg.find("<svg").map_or(svg, |i| &svg[i..])
}

fn figure(svg: &str, caption: &str) -> String {
    format!(
        "<figure>{}<figcaption>{}</figcaption></figure>\n",
        inline(svg),
        esc(caption)
    )
}

/// The whole page.
pub(super) fn page(p: &Page) -> String {
    let mut h = String::with_capacity(1 << 20);
    let title = esc(&p.opts.title);
    h.push_str(&format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n\
         <style>body{{font-family:'DejaVu Sans',sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}}\
         table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:.25em .6em;text-align:right}}\
         th{{background:#f4f4f4}}figure{{margin:1.5em 0;overflow-x:auto}}figure svg{{max-width:100%;height:auto}}\
         figcaption{{color:#555;font-size:.9em}}.caveat{{color:#8a4b00}}</style>\n</head>\n<body>\n<h1>{title}</h1>\n"
    ));
    let top: Vec<String> =
        p.z.column(2)
            .iter()
            .rev()
            .take(4)
            .map(|v| format!("{v:.4}"))
            .collect();
    h.push_str(&format!(
        "<p>{} observations with {} features, clustered with <b>{}</b> linkage on the <b>{}</b> metric \
         (results identical to scipy's <code>linkage</code>).</p>\n\
         <table><tr><th>cophenetic correlation</th><td>{}</td></tr>\
         <tr><th>first merge</th><td>{} and {} at {:.4}</td></tr>\
         <tr><th>last four merge heights</th><td>{}</td></tr></table>\n\
         <p>The cophenetic correlation compares the tree's distances with the data's: the closer to 1, \
         the better the dendrogram preserves the original distances.</p>\n",
        p.n,
        p.m,
        p.opts.method,
        esc(p.opts.metric.name()),
        super::cophenetic_text(p.cophenetic, p.z.view(), 4),
        p.z[[0, 0]],
        p.z[[0, 1]],
        p.z[[0, 2]],
        top.join(", ")
    ));
    h.push_str("<h2>Dendrogram</h2>\n");
    h.push_str(&figure(
        p.svgs[0],
        "The full dendrogram (links coloured below 0.7 of the top height, as scipy does).",
    ));
    h.push_str(&figure(
        p.svgs[1],
        "The last 12 merges: leaves in parentheses are contracted clusters with their size; dots mark the heights of the merges hidden inside them; numbers are merge heights.",
    ));

    h.push_str("<h2>Where to cut</h2>\n");
    h.push_str(&figure(p.svgs[2], "The last merge heights and their acceleration (second difference): the elbow is where the acceleration peaks."));
    h.push_str("<table><tr><th>method</th><th>clusters</th><th>cut</th><th>caveat</th></tr>\n");
    for s in p.suggestions {
        h.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"caveat\" style=\"text-align:left\">{}</td></tr>\n",
            s.method,
            s.k,
            esc(&s.describe_cut()),
            esc(s.caveat)
        ));
    }
    h.push_str("</table>\n<p>None of these heuristics is reliable on its own: look at the dendrogram.</p>\n");

    let (r, rows) = p.inconsistency;
    h.push_str("<h3>Inconsistency of the last merges (depth 5)</h3>\n<table><tr><th>row</th><th>height</th><th>mean</th><th>std</th><th>links</th><th>coefficient</th></tr>\n");
    for &i in rows {
        h.push_str(&format!(
            "<tr><td>{i}</td><td>{:.4}</td><td>{:.4}</td><td>{:.4}</td><td>{}</td><td>{:.4}</td></tr>\n",
            p.z[[i, 2]],
            r[[i, 0]],
            r[[i, 1]],
            r[[i, 2]],
            r[[i, 3]]
        ));
    }
    h.push_str("</table>\n");

    let how = match p.cut {
        CutChoice::MaxD(d) => format!("cut at height max_d = {d}"),
        CutChoice::K(k) => format!("cut into at most {k} clusters"),
        CutChoice::Suggested(k) => {
            format!("cut into {k} clusters, as the elbow suggests (give --max-d or --k to choose)")
        }
    };
    let k = p.clusters.iter().copied().max().unwrap_or(0);
    let mut sizes = vec![0usize; k + 1];
    for &c in p.clusters {
        sizes[c] += 1;
    }
    h.push_str(&format!("<h2>Clusters</h2>\n<p>{} : {k} clusters.</p>\n<table><tr><th>cluster</th><th>size</th></tr>\n", esc(&how)));
    for (c, s) in sizes.iter().enumerate().skip(1) {
        h.push_str(&format!("<tr><td>{c}</td><td>{s}</td></tr>\n"));
    }
    h.push_str("</table>\n");
    h.push_str(&figure(p.svgs[3], "The data coloured by cluster (the first two columns, or the first two principal components when there are more)."));
    h.push_str(
        "<h2>Files</h2>\n<p><code>z.csv</code> (the linkage matrix), <code>clusters.csv</code> (index, label, cluster), \
         <code>inconsistency.csv</code>, and each picture as <code>.svg</code> and <code>.png</code>.</p>\n</body>\n</html>\n",
    );
    h
}
