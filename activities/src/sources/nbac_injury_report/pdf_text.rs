//! The positioned text of a PDF's pages: a check that the bytes are a whole PDF, and a small
//! interpreter of the text operators of each page's content stream.

use std::collections::HashMap;

use lopdf::xref::XrefRecovery;
use lopdf::{content::Content, Dictionary, Document, Encoding, LoadOptions, Object, ObjectId};

pub(super) fn check_pdf_bytes(body: &[u8]) -> Result<(), String> {
    let start = body
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .ok_or("empty body")?;
    let body = &body[start..];
    if body.starts_with(b"<") {
        return Err("expected a PDF, got an HTML page".to_string());
    }
    if !body.starts_with(b"%PDF-") {
        return Err(format!(
            "expected a PDF, got {:?}",
            String::from_utf8_lossy(&body[..body.len().min(40)])
        ));
    }
    // Every complete PDF ends with %%EOF (readers look for it in the last kilobyte).
    let tail = &body[body.len().saturating_sub(1024)..];
    if !tail.windows(5).any(|w| w == b"%%EOF") {
        return Err("PDF is truncated: no %%EOF marker at the end".to_string());
    }
    Ok(())
}

/// Decompressed page content beyond this is refused (a defence against decompression bombs).
const MAX_PAGE_CONTENT: usize = 16 << 20;

/// One string shown on a page, in PDF user space (y grows upwards).
#[derive(Debug, Clone)]
pub(super) struct Fragment {
    pub(super) x0: f64,
    pub(super) x1: f64,
    /// The baseline.
    pub(super) y: f64,
    /// The font size as rendered.
    pub(super) size: f64,
    pub(super) text: String,
}

pub(super) fn extract_pages(body: &[u8]) -> Result<Vec<Vec<Fragment>>, String> {
    let options = LoadOptions {
        max_decompressed_size: Some(MAX_PAGE_CONTENT),
        ..LoadOptions::default()
    };
    let doc = Document::load_mem_with_options(body, options)
        .map_err(|e| format!("PDF does not load (truncated or damaged?): {e}"))?;
    // The reader rebuilds a broken cross-reference table by scanning for objects; a report
    // read that way may have lost pages or rows, so it is not taken.
    if matches!(doc.xref_recovery, Some(XrefRecovery::Reconstructed)) {
        return Err(
            "PDF is truncated or damaged: its cross-reference table does not read".to_string(),
        );
    }
    if doc.is_encrypted() {
        return Err("PDF is encrypted".to_string());
    }
    let pages = doc.get_pages();
    if pages.is_empty() {
        return Err("PDF has no pages".to_string());
    }
    pages
        .iter()
        .map(|(n, id)| page_fragments(&doc, *id).map_err(|e| format!("page {n}: {e}")))
        .collect()
}

/// What a font needs for text extraction: how its bytes decode and how wide its glyphs are.
struct FontInfo<'a> {
    encoding: Option<Encoding<'a>>,
    /// Type0 (composite) fonts use two-byte codes.
    two_byte: bool,
    widths: HashMap<u32, f64>,
    default_width: f64,
}

impl<'a> FontInfo<'a> {
    fn new(doc: &'a Document, font: &'a Dictionary) -> Self {
        let num = |o: &Object| o.as_float().ok().map(f64::from);
        let deref = |o: &'a Object| doc.dereference(o).map(|(_, o)| o).ok();
        let encoding = font
            .get_font_encoding_with_limit(doc, MAX_PAGE_CONTENT)
            .ok();
        let two_byte = font
            .get(b"Subtype")
            .and_then(Object::as_name)
            .map(|s| s == b"Type0")
            .unwrap_or(false);
        let mut widths = HashMap::new();
        let mut default_width = 500.0;
        if two_byte {
            let descendant = font
                .get(b"DescendantFonts")
                .ok()
                .and_then(deref)
                .and_then(|o| o.as_array().ok())
                .and_then(|a| a.first())
                .and_then(deref)
                .and_then(|o| o.as_dict().ok());
            if let Some(cid) = descendant {
                default_width = cid.get(b"DW").ok().and_then(num).unwrap_or(1000.0);
                let w = cid
                    .get(b"W")
                    .ok()
                    .and_then(deref)
                    .and_then(|o| o.as_array().ok());
                // [c [w1 w2 ...]] or [c_first c_last w] groups.
                let mut items = w.map(|a| a.iter()).into_iter().flatten().peekable();
                while let Some(first) = items.next().and_then(|o| o.as_i64().ok()) {
                    match items.next().and_then(deref) {
                        Some(Object::Array(ws)) => {
                            for (i, w) in ws.iter().enumerate() {
                                if let Some(w) = num(w) {
                                    widths.insert(first as u32 + i as u32, w);
                                }
                            }
                        }
                        Some(last) => {
                            let (Ok(last), Some(w)) = (last.as_i64(), items.next().and_then(num))
                            else {
                                break;
                            };
                            for c in first..=last.min(first + 0xFFFF) {
                                widths.insert(c as u32, w);
                            }
                        }
                        None => break,
                    }
                }
            }
        } else {
            let first = font
                .get(b"FirstChar")
                .ok()
                .and_then(|o| o.as_i64().ok())
                .unwrap_or(0);
            if let Some(ws) = font
                .get(b"Widths")
                .ok()
                .and_then(deref)
                .and_then(|o| o.as_array().ok())
            {
                for (i, w) in ws.iter().enumerate() {
                    if let Some(w) = deref(w).and_then(num) {
                        widths.insert((first + i as i64) as u32, w);
                    }
                }
            }
            if let Some(missing) = font
                .get(b"FontDescriptor")
                .ok()
                .and_then(deref)
                .and_then(|o| o.as_dict().ok())
                .and_then(|d| d.get(b"MissingWidth").ok())
                .and_then(num)
            {
                default_width = missing;
            }
        }
        FontInfo {
            encoding,
            two_byte,
            widths,
            default_width,
        }
    }

    fn decode(&self, bytes: &[u8]) -> String {
        match &self.encoding {
            Some(enc) => enc.bytes_to_string(bytes).unwrap_or_else(|_| latin1(bytes)),
            None => latin1(bytes),
        }
    }

    /// The codes of a string with their widths in thousandths of the font size.
    fn codes(&self, bytes: &[u8]) -> Vec<(u32, f64)> {
        let code_of = |c: &[u8]| c.iter().fold(0u32, |acc, b| acc * 256 + u32::from(*b));
        let chunk = if self.two_byte { 2 } else { 1 };
        bytes
            .chunks(chunk)
            .map(code_of)
            .map(|c| (c, *self.widths.get(&c).unwrap_or(&self.default_width)))
            .collect()
    }
}

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|b| char::from(*b)).collect()
}

/// A 2D affine matrix [a b c d e f] as PDF writes it (row vector convention).
#[derive(Debug, Clone, Copy)]
struct Matrix([f64; 6]);

impl Matrix {
    const IDENTITY: Matrix = Matrix([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    fn translate(tx: f64, ty: f64) -> Matrix {
        Matrix([1.0, 0.0, 0.0, 1.0, tx, ty])
    }

    /// `self` applied first, then `other`.
    fn then(self, other: Matrix) -> Matrix {
        let [a1, b1, c1, d1, e1, f1] = self.0;
        let [a2, b2, c2, d2, e2, f2] = other.0;
        Matrix([
            a1 * a2 + b1 * c2,
            a1 * b2 + b1 * d2,
            c1 * a2 + d1 * c2,
            c1 * b2 + d1 * d2,
            e1 * a2 + f1 * c2 + e2,
            e1 * b2 + f1 * d2 + f2,
        ])
    }

    fn apply(self, x: f64, y: f64) -> (f64, f64) {
        let [a, b, c, d, e, f] = self.0;
        (a * x + c * y + e, b * x + d * y + f)
    }
}

/// The parts of the graphics state that text extraction needs (saved by q, restored by Q).
#[derive(Clone)]
struct GState {
    ctm: Matrix,
    font: Option<Vec<u8>>,
    font_size: f64,
    char_spacing: f64,
    word_spacing: f64,
    h_scale: f64,
    leading: f64,
    rise: f64,
}

fn page_fragments(doc: &Document, page_id: ObjectId) -> Result<Vec<Fragment>, String> {
    let fonts: HashMap<Vec<u8>, FontInfo> = doc
        .get_page_fonts(page_id)
        .map_err(|e| format!("fonts unreadable: {e}"))?
        .into_iter()
        .map(|(name, dict)| (name, FontInfo::new(doc, dict)))
        .collect();
    let data = doc
        .get_page_content_with_limit(page_id, MAX_PAGE_CONTENT)
        .map_err(|e| format!("content unreadable: {e}"))?;
    let content =
        Content::decode(&data).map_err(|e| format!("content stream does not parse: {e}"))?;

    let mut gs = GState {
        ctm: Matrix::IDENTITY,
        font: None,
        font_size: 0.0,
        char_spacing: 0.0,
        word_spacing: 0.0,
        h_scale: 1.0,
        leading: 0.0,
        rise: 0.0,
    };
    let mut stack: Vec<GState> = Vec::new();
    let mut tm = Matrix::IDENTITY;
    let mut tlm = Matrix::IDENTITY;
    let mut out = Vec::new();

    for op in &content.operations {
        let n = |i: usize| {
            op.operands
                .get(i)
                .and_then(|o| o.as_float().ok())
                .map(f64::from)
                .unwrap_or(0.0)
        };
        match op.operator.as_str() {
            "q" => stack.push(gs.clone()),
            "Q" => {
                if let Some(saved) = stack.pop() {
                    gs = saved;
                }
            }
            "cm" => gs.ctm = Matrix([n(0), n(1), n(2), n(3), n(4), n(5)]).then(gs.ctm),
            "BT" => {
                tm = Matrix::IDENTITY;
                tlm = Matrix::IDENTITY;
            }
            "Tf" => {
                gs.font = op
                    .operands
                    .first()
                    .and_then(|o| o.as_name().ok())
                    .map(<[u8]>::to_vec);
                gs.font_size = n(1);
            }
            "Tc" => gs.char_spacing = n(0),
            "Tw" => gs.word_spacing = n(0),
            "Tz" => gs.h_scale = n(0) / 100.0,
            "TL" => gs.leading = n(0),
            "Ts" => gs.rise = n(0),
            "Td" => {
                tlm = Matrix::translate(n(0), n(1)).then(tlm);
                tm = tlm;
            }
            "TD" => {
                gs.leading = -n(1);
                tlm = Matrix::translate(n(0), n(1)).then(tlm);
                tm = tlm;
            }
            "Tm" => {
                tlm = Matrix([n(0), n(1), n(2), n(3), n(4), n(5)]);
                tm = tlm;
            }
            "T*" => {
                tlm = Matrix::translate(0.0, -gs.leading).then(tlm);
                tm = tlm;
            }
            "Tj" | "'" | "\"" => {
                if op.operator == "\"" {
                    gs.word_spacing = n(0);
                    gs.char_spacing = n(1);
                }
                if op.operator != "Tj" {
                    tlm = Matrix::translate(0.0, -gs.leading).then(tlm);
                    tm = tlm;
                }
                if let Some(bytes) = op.operands.last().and_then(|o| o.as_str().ok()) {
                    show(bytes, &gs, &fonts, &mut tm, &mut out);
                }
            }
            "TJ" => {
                let items = op
                    .operands
                    .first()
                    .and_then(|o| o.as_array().ok())
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                for item in items {
                    match item {
                        Object::String(bytes, _) => show(bytes, &gs, &fonts, &mut tm, &mut out),
                        other => {
                            if let Ok(adjust) = other.as_float() {
                                let tx = -f64::from(adjust) / 1000.0 * gs.font_size * gs.h_scale;
                                tm = Matrix::translate(tx, 0.0).then(tm);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

/// Shows one string: records it as a fragment and advances the text matrix past it.
fn show(
    bytes: &[u8],
    gs: &GState,
    fonts: &HashMap<Vec<u8>, FontInfo>,
    tm: &mut Matrix,
    out: &mut Vec<Fragment>,
) {
    let font = gs.font.as_ref().and_then(|f| fonts.get(f));
    let (text, codes) = match font {
        Some(f) => (f.decode(bytes), f.codes(bytes)),
        None => (
            latin1(bytes),
            bytes.iter().map(|b| (u32::from(*b), 500.0)).collect(),
        ),
    };
    let two_byte = font.map(|f| f.two_byte).unwrap_or(false);
    let advance: f64 = codes
        .iter()
        .map(|(code, w)| {
            let word = if !two_byte && *code == 32 {
                gs.word_spacing
            } else {
                0.0
            };
            (w / 1000.0 * gs.font_size + gs.char_spacing + word) * gs.h_scale
        })
        .sum();
    let start = tm.then(gs.ctm);
    *tm = Matrix::translate(advance, 0.0).then(*tm);
    let end = tm.then(gs.ctm);
    let (x_start, y) = start.apply(0.0, gs.rise);
    let (x_end, _) = end.apply(0.0, gs.rise);
    let [_, _, c, d, _, _] = start.0;
    let size = gs.font_size.abs() * (c * c + d * d).sqrt();
    if !text.trim().is_empty() {
        out.push(Fragment {
            x0: x_start.min(x_end),
            x1: x_start.max(x_end),
            y,
            size,
            text,
        });
    }
}
