//! The official NBA injury report: a PDF the league publishes several times a day at
//! `ak-static.cms.nba.com/referee/injury/Injury-Report_YYYY-MM-DD_HHAM|PM.pdf`.
//!
//! The PDF is a table (Game Date, Game Time, Matchup, Team, Player Name, Current Status,
//! Reason) drawn word by word: each word is placed on its own and the spaces between words are
//! gaps, not characters. The parser reads the positioned text of every page with `lopdf`,
//! rebuilds lines and cells from the positions (column edges come from the column header), puts
//! the extra lines of a wrapped reason back into their row, and carries the date, time, matchup
//! and team forward to the rows that leave those cells blank.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use lopdf::xref::XrefRecovery;
use lopdf::{content::Content, Dictionary, Document, Encoding, LoadOptions, Object, ObjectId};

use super::{SourceConfig, SourceRequest};

pub const SOURCE: &str = "nbac_injury_report";

/// The report slot as the file name spells it: 12 → "12PM", 0 → "12AM", 17 → "05PM".
/// Hours past 23 wrap around ([`fetch`] refuses them before building a request).
pub fn report_slot(report_hour_et: u32) -> String {
    let h = report_hour_et % 24;
    let half = if h < 12 { "AM" } else { "PM" };
    let h12 = match h % 12 {
        0 => 12,
        n => n,
    };
    format!("{h12:02}{half}")
}

/// The report published on `date` at `report_hour_et` (Eastern time, 0..=23).
pub fn request(config: &SourceConfig, date: NaiveDate, report_hour_et: u32) -> SourceRequest {
    let slot = report_slot(report_hour_et);
    SourceRequest {
        base_url: config.nba_injury_report_url.clone(),
        path: format!(
            "/referee/injury/Injury-Report_{}_{slot}.pdf",
            date.format("%Y-%m-%d")
        ),
        query: vec![],
        request_key: slot,
    }
}

/// A player's status for a game, as the report's "Current Status" column gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InjuryStatus {
    Out,
    Questionable,
    Doubtful,
    Probable,
    Available,
}

impl InjuryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            InjuryStatus::Out => "Out",
            InjuryStatus::Questionable => "Questionable",
            InjuryStatus::Doubtful => "Doubtful",
            InjuryStatus::Probable => "Probable",
            InjuryStatus::Available => "Available",
        }
    }

    /// The status from the report's text (case and spacing ignored); `None` for anything else.
    pub fn from_report(text: &str) -> Option<Self> {
        let t: String = text.split_whitespace().collect::<String>().to_lowercase();
        Some(match t.as_str() {
            "out" => InjuryStatus::Out,
            "questionable" => InjuryStatus::Questionable,
            "doubtful" => InjuryStatus::Doubtful,
            "probable" => InjuryStatus::Probable,
            "available" => InjuryStatus::Available,
            _ => return None,
        })
    }
}

/// One player listed on the report.
#[derive(Debug, Clone, PartialEq)]
pub struct InjuryEntry {
    /// YYYY-MM-DD.
    pub game_date: String,
    /// As printed, e.g. "07:30 (ET)".
    pub game_time_et: String,
    /// As printed, away@home, e.g. "MIL@SAS".
    pub matchup: String,
    /// The full team name as printed, e.g. "San Antonio Spurs".
    pub team: String,
    /// "First Last": the report's "Duke Jr., David" becomes "David Duke Jr.".
    pub player_name: String,
    pub status: InjuryStatus,
    /// The full reason, wrapped lines joined, e.g. "Injury/Illness - Left Acl; Tear".
    pub reason: String,
    /// When the report says it was issued ("Injury Report: 01/04/24 12:30 PM"), Eastern time.
    pub report_time_et: Option<NaiveDateTime>,
}

/// A team the report lists with "NOT YET SUBMITTED" instead of players.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingTeam {
    pub game_date: String,
    pub game_time_et: String,
    pub matchup: String,
    pub team: String,
}

/// Everything the report holds.
#[derive(Debug, Clone, PartialEq)]
pub struct InjuryReport {
    pub report_time_et: Option<NaiveDateTime>,
    pub entries: Vec<InjuryEntry>,
    pub pending_teams: Vec<PendingTeam>,
}

/// Every player entry of the report.
pub fn parse(body: &[u8]) -> Result<Vec<InjuryEntry>, String> {
    parse_report(body).map(|r| r.entries)
}

/// The whole report: its timestamp, the player entries and the teams that have not submitted.
pub fn parse_report(body: &[u8]) -> Result<InjuryReport, String> {
    let body = super::http::decompress_if_gzip(body)?;
    let body: &[u8] = &body;
    check_pdf_bytes(body)?;
    // A damaged PDF must come back as a reason, never as a panic inside the PDF reader.
    let pages = std::panic::catch_unwind(|| extract_pages(body)).map_err(|p| {
        let msg = p
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        format!("PDF reader failed on this body (damaged PDF?): {msg}")
    })??;
    build_report(&pages)
}

/// The last hourly slot the day's Phase 1 takes: the `09AM` report (issued around 9:30 ET) is
/// the latest one published before the 10:00 ET prediction cut-off. The day runs at 06:00 ET,
/// when that slot is not out yet, so [`fetch_for_day`] walks back to the newest slot that is
/// (at 06:00, the `05AM` one); in a backfill every slot exists and it takes `09AM`. Reports
/// published later reach the day through the injury watch, not through Phase 1.
pub const DAY_REPORT_LAST_HOUR_ET: u32 = 9;

/// Phase 1 of a day: the newest report of `date` among the slots up to
/// [`DAY_REPORT_LAST_HOUR_ET`] (a slot not published yet answers 403/404 and is skipped).
/// No report at all is a warning, not a failure: the league publishes none on most days
/// without games, and early in the morning of a game day none may be out yet.
pub async fn fetch_for_day(
    deps: &crate::Deps,
    date: &str,
) -> crate::Result<nbaprops_proto::ScrapeResult> {
    if let Some((scraped, _)) = fetch_newest(deps, date, DAY_REPORT_LAST_HOUR_ET).await? {
        return Ok(scraped);
    }
    let games = super::scheduled_games(deps, date).await?;
    let listed = match games {
        Some(n) => format!("the schedule lists {n} games"),
        None => "no kept schedule covers the date".to_string(),
    };
    Ok(nbaprops_proto::ScrapeResult {
        source: SOURCE.to_string(),
        payloads: vec![],
        records_seen: 0,
        warnings: vec![format!(
            "no injury report of {date} is published up to the {} slot ({listed})",
            report_slot(DAY_REPORT_LAST_HOUR_ET)
        )],
    })
}

/// The newest report of `date` published in the slots up to `last_hour_et` (a slot not
/// published yet answers 403/404 and is skipped), kept in the raw store: what was kept, and the
/// report read back. None when no slot is published yet.
pub async fn fetch_newest(
    deps: &crate::Deps,
    date: &str,
    last_hour_et: u32,
) -> crate::Result<Option<(nbaprops_proto::ScrapeResult, InjuryReport)>> {
    let day = super::parse_date(date)?;
    for hour in (0..=last_hour_et.min(23)).rev() {
        let req = request(&deps.sources.config, day, hour);
        if let Some(body) = deps.sources.get_if_published(SOURCE, date, &req).await? {
            let scraped = keep(deps, date, &req, body.clone()).await?;
            // It parsed as it was kept: a failure here is a parser bug.
            let report = parse_report(&body).map_err(|reason| {
                crate::PipelineError::Internal(format!("{SOURCE} for {date}: {reason}"))
            })?;
            return Ok(Some((scraped, report)));
        }
    }
    Ok(None)
}

async fn keep(
    deps: &crate::Deps,
    date: &str,
    req: &SourceRequest,
    body: bytes::Bytes,
) -> crate::Result<nbaprops_proto::ScrapeResult> {
    let (payload, entries) =
        super::http::keep_payload(&deps.raw, &deps.warehouse, SOURCE, date, req, body, |b| {
            parse(b).map(|entries| entries.len())
        })
        .await?;
    Ok(nbaprops_proto::ScrapeResult {
        source: SOURCE.to_string(),
        payloads: vec![payload],
        records_seen: entries as u32,
        warnings: vec![],
    })
}

/// Phase 1: fetch one injury report (one date, one hourly slot).
pub async fn fetch(
    deps: &crate::Deps,
    date: &str,
    report_hour_et: u32,
) -> crate::Result<nbaprops_proto::ScrapeResult> {
    if report_hour_et > 23 {
        return Err(crate::PipelineError::InvalidRequest(format!(
            "report hour {report_hour_et} is not an hour of the day (0..=23, Eastern time)"
        )));
    }
    let req = request(
        &deps.sources.config,
        super::parse_date(date)?,
        report_hour_et,
    );
    let body = deps.sources.get(SOURCE, date, &req).await?;
    keep(deps, date, &req, body).await
}

// ---------------------------------------------------------------------------------------------
// Drawing a report (the simulator writes its reports with this; the parser reads them back).

/// One row to draw: a player's entry, or a team that has `NOT YET SUBMITTED` (`entry: None`).
#[derive(Debug, Clone, PartialEq)]
pub struct DrawRow {
    pub game_date: NaiveDate,
    /// "07:30 (ET)".
    pub game_time_et: String,
    /// away@home tricodes, "MIL@SAS".
    pub matchup: String,
    /// The full team name.
    pub team: String,
    /// ("Last, First" as the report prints names, status, reason).
    pub entry: Option<(String, InjuryStatus, String)>,
}

/// Draws a report the way the league lays it out: landscape pages with the title, the column
/// header, one line per row (a cell left blank when it repeats the row above: same date, same
/// game, same team) and "Page n of m". Text is drawn in Helvetica (WinAnsi): characters outside
/// ASCII are transliterated, as the league's report prints names without accents.
pub fn render_report(report_time_et: NaiveDateTime, rows: &[DrawRow]) -> Vec<u8> {
    use lopdf::{content::Operation, dictionary, Stream};
    const XS: [f64; 7] = [20.0, 110.0, 190.0, 250.0, 410.0, 570.0, 670.0];
    const PER_PAGE: usize = 32;
    let ascii = |s: &str| deunicode::deunicode(s);
    let title = format!(
        "Injury Report: {}",
        report_time_et.format("%m/%d/%y %I:%M %p")
    );
    let chunks: Vec<&[DrawRow]> = if rows.is_empty() {
        vec![&[]]
    } else {
        rows.chunks(PER_PAGE).collect()
    };
    let pages = chunks.len();

    let mut doc = Document::with_version("1.5");
    let pages_id = doc.new_object_id();
    let font_id = doc.add_object(dictionary! {
        "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
        "Encoding" => "WinAnsiEncoding",
    });
    let mut kids: Vec<Object> = Vec::new();
    let mut prev: Option<&DrawRow> = None;
    for (n, chunk) in chunks.iter().enumerate() {
        let mut texts: Vec<(f64, f64, i64, String)> = vec![(280.0, 560.0, 14, title.clone())];
        texts.extend(
            XS.iter()
                .zip(COLUMNS)
                .map(|(x, label)| (*x, 520.0, 8, label.to_string())),
        );
        for (r, row) in chunk.iter().enumerate() {
            let new_date = prev.is_none_or(|p| p.game_date != row.game_date);
            let new_game = new_date
                || prev
                    .is_none_or(|p| p.game_time_et != row.game_time_et || p.matchup != row.matchup);
            let new_team = new_game || prev.is_none_or(|p| p.team != row.team);
            let mut cells: [String; 7] = Default::default();
            if new_date {
                cells[DATE] = row.game_date.format("%m/%d/%Y").to_string();
            }
            if new_game {
                cells[TIME] = row.game_time_et.clone();
                cells[MATCHUP] = row.matchup.clone();
            }
            if new_team {
                cells[TEAM] = ascii(&row.team);
            }
            match &row.entry {
                Some((name, status, reason)) => {
                    cells[PLAYER] = ascii(name);
                    cells[STATUS] = status.as_str().to_string();
                    cells[REASON] = ascii(reason);
                }
                None => cells[REASON] = "NOT YET SUBMITTED".to_string(),
            }
            let y = 500.0 - 14.0 * r as f64;
            for (x, text) in XS.iter().zip(cells) {
                if !text.is_empty() {
                    texts.push((x + 1.0, y, 8, text));
                }
            }
            prev = Some(row);
        }
        texts.push((400.0, 30.0, 8, format!("Page {} of {pages}", n + 1)));

        let mut ops = vec![Operation::new("BT", vec![])];
        for (x, y, size, text) in &texts {
            ops.push(Operation::new("Tf", vec!["F1".into(), (*size).into()]));
            ops.push(Operation::new(
                "Tm",
                vec![
                    1.into(),
                    0.into(),
                    0.into(),
                    1.into(),
                    (*x).into(),
                    (*y).into(),
                ],
            ));
            ops.push(Operation::new(
                "Tj",
                vec![Object::string_literal(text.as_str())],
            ));
        }
        ops.push(Operation::new("ET", vec![]));
        let content = Content { operations: ops }
            .encode()
            .expect("text operations encode");
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
            "MediaBox" => vec![0.into(), 0.into(), 842.into(), 595.into()],
        });
        kids.push(page_id.into());
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages", "Count" => kids.len() as i64, "Kids" => kids,
        }),
    );
    let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog_id);
    let mut out = Vec::new();
    doc.save_to(&mut out).expect("a PDF writes to memory");
    out
}

// ---------------------------------------------------------------------------------------------
// Bytes: is this a whole PDF at all?

fn check_pdf_bytes(body: &[u8]) -> Result<(), String> {
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

// ---------------------------------------------------------------------------------------------
// Positioned text: a small interpreter of the text operators of each page's content stream.

/// Decompressed page content beyond this is refused (a defence against decompression bombs).
const MAX_PAGE_CONTENT: usize = 16 << 20;

/// One string shown on a page, in PDF user space (y grows upwards).
#[derive(Debug, Clone)]
struct Fragment {
    x0: f64,
    x1: f64,
    /// The baseline.
    y: f64,
    /// The font size as rendered.
    size: f64,
    text: String,
}

fn extract_pages(body: &[u8]) -> Result<Vec<Vec<Fragment>>, String> {
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

// ---------------------------------------------------------------------------------------------
// Layout: fragments → lines → cells.

/// Fragments on one baseline, left to right.
#[derive(Debug)]
struct Line {
    y: f64,
    fragments: Vec<Fragment>,
}

fn group_lines(mut fragments: Vec<Fragment>) -> Vec<Line> {
    fragments.sort_by(|a, b| b.y.total_cmp(&a.y).then(a.x0.total_cmp(&b.x0)));
    let mut lines: Vec<Line> = Vec::new();
    for f in fragments {
        match lines.last_mut() {
            Some(line) if (line.y - f.y).abs() <= 0.3 * f.size.max(1.0) => line.fragments.push(f),
            _ => lines.push(Line {
                y: f.y,
                fragments: vec![f],
            }),
        }
    }
    for line in &mut lines {
        line.fragments.sort_by(|a, b| a.x0.total_cmp(&b.x0));
    }
    lines
}

/// Joins fragments left to right, with a space wherever the gap between two is wider than a
/// tenth of the font size (the report draws words apart instead of writing spaces; pieces of
/// one word, like "Two-" and "Way", touch).
fn join(fragments: &[&Fragment]) -> String {
    let mut s = String::new();
    let mut prev_x1: Option<f64> = None;
    for f in fragments {
        if let Some(x1) = prev_x1 {
            if f.x0 - x1 > 0.1 * f.size {
                s.push(' ');
            }
        }
        s.push_str(&f.text);
        prev_x1 = Some(f.x1);
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text without any whitespace, for matching labels however the words were spaced.
fn squash(s: &str) -> String {
    s.split_whitespace().collect::<String>().to_lowercase()
}

// ---------------------------------------------------------------------------------------------
// The table.

const COLUMNS: [&str; 7] = [
    "Game Date",
    "Game Time",
    "Matchup",
    "Team",
    "Player Name",
    "Current Status",
    "Reason",
];
const DATE: usize = 0;
const TIME: usize = 1;
const MATCHUP: usize = 2;
const TEAM: usize = 3;
const PLAYER: usize = 4;
const STATUS: usize = 5;
const REASON: usize = 6;

/// If this line is the column header, the x where each column starts.
fn header_columns(line: &Line) -> Option<[f64; 7]> {
    // Header labels are a font size or more apart; words inside a label are closer.
    let mut phrases: Vec<Vec<&Fragment>> = Vec::new();
    for f in &line.fragments {
        match phrases.last_mut() {
            Some(p) if f.x0 - p.last().map(|l| l.x1).unwrap_or(f.x0) < f.size => p.push(f),
            _ => phrases.push(vec![f]),
        }
    }
    if phrases.len() != COLUMNS.len() {
        return None;
    }
    let mut starts = [0.0; 7];
    for (i, (phrase, label)) in phrases.iter().zip(COLUMNS).enumerate() {
        if squash(&join(phrase)) != squash(label) {
            return None;
        }
        starts[i] = phrase[0].x0;
    }
    Some(starts)
}

/// "Injury Report: 01/04/24 12:30 PM" → its time; `None` if the line is not the title.
fn title_time(text: &str) -> Option<Option<NaiveDateTime>> {
    let rest = squash(text).strip_prefix("injuryreport:")?.to_string();
    // Squashed, the time reads "01/04/2412:30pm": date, then hh:mm, then am/pm.
    let time = ["%m/%d/%y%I:%M%p", "%m/%d/%Y%I:%M%p"]
        .iter()
        .find_map(|fmt| NaiveDateTime::parse_from_str(&rest, fmt).ok());
    Some(time)
}

/// "Page 1 of 3" → (1, 3).
fn footer_page(text: &str) -> Option<(u32, u32)> {
    let s = squash(text);
    let (n, m) = s.strip_prefix("page")?.split_once("of")?;
    Some((n.parse().ok()?, m.parse().ok()?))
}

/// One table row: the text of each column (wrapped lines joined).
#[derive(Debug, Default)]
struct Row {
    page: usize,
    cells: [String; 7],
}

impl Row {
    fn cell(&self, col: usize) -> Option<&str> {
        Some(self.cells[col].as_str()).filter(|s| !s.is_empty())
    }

    fn describe(&self) -> String {
        let text: Vec<&str> = self.cells.iter().map(String::as_str).collect();
        format!("page {}, row {:?}", self.page, text.join(" | "))
    }
}

/// Splits a line's fragments into the columns that start at `starts`.
fn cells_of<'a>(line: &'a Line, starts: &[f64; 7]) -> [Vec<&'a Fragment>; 7] {
    let mut cells: [Vec<&Fragment>; 7] = Default::default();
    for f in &line.fragments {
        // Text sits a little right of where its column's header label starts.
        let col = starts
            .iter()
            .rposition(|s| f.x0 >= s - 0.5 * f.size)
            .unwrap_or(0);
        cells[col].push(f);
    }
    cells
}

fn build_report(pages: &[Vec<Fragment>]) -> Result<InjuryReport, String> {
    let mut starts: Option<[f64; 7]> = None;
    let mut report_time: Option<NaiveDateTime> = None;
    let mut rows: Vec<Row> = Vec::new();
    let mut last_page_said: Option<(u32, u32)> = None;

    for (page_index, fragments) in pages.iter().enumerate() {
        let page = page_index + 1;
        // The lines of this page's table, as cells, with their baselines.
        let mut table: Vec<(f64, [String; 7], bool)> = Vec::new();
        for line in group_lines(fragments.clone()) {
            let text = join(&line.fragments.iter().collect::<Vec<_>>());
            if let Some(time) = title_time(&text) {
                report_time = report_time.or(time);
                continue;
            }
            if let Some(said) = footer_page(&text) {
                last_page_said = Some(said);
                continue;
            }
            if let Some(found) = header_columns(&line) {
                starts = Some(found);
                continue;
            }
            // Anything above the first column header is page heading, not table.
            let Some(starts) = starts.as_ref() else {
                continue;
            };
            let cells = cells_of(&line, starts).map(|c| join(c.as_slice()));
            let has = |c: usize| !cells[c].is_empty();
            // A line opens a row when it names a player or a status, or is a team's row
            // ("NOT YET SUBMITTED"); a line with only a reason is the wrap of a longer reason.
            let opens_row = has(PLAYER)
                || has(STATUS)
                || (has(REASON) && (has(DATE) || has(TIME) || has(MATCHUP) || has(TEAM)));
            table.push((line.y, cells, opens_row));
        }

        // Wrapped lines go to the row whose opening line is nearest (the report centres a
        // row's cells vertically, so a reason's extra lines sit just above and below it).
        let openers: Vec<usize> = (0..table.len()).filter(|i| table[*i].2).collect();
        let mut page_rows: Vec<Row> = openers
            .iter()
            .map(|_| Row {
                page,
                ..Row::default()
            })
            .collect();
        let mut parts: Vec<Vec<usize>> = vec![Vec::new(); openers.len()];
        for (i, (y, _, _)) in table.iter().enumerate() {
            let nearest = openers
                .iter()
                .enumerate()
                .min_by(|(_, a), (_, b)| {
                    (table[**a].0 - y)
                        .abs()
                        .total_cmp(&(table[**b].0 - y).abs())
                })
                .map(|(k, _)| k);
            match nearest {
                Some(k) => parts[k].push(i),
                None => {
                    // A page of nothing but wrapped lines continues the previous page's row.
                    let Some(prev) = rows.last_mut() else {
                        return Err(format!(
                            "schema mismatch: page {page}: text {:?} belongs to no row",
                            table[i].1.join(" ")
                        ));
                    };
                    append_cells(prev, &table[i].1);
                }
            }
        }
        for (row, lines) in page_rows.iter_mut().zip(&parts) {
            for i in lines {
                append_cells(row, &table[*i].1);
            }
        }
        rows.extend(page_rows);
    }

    let Some(_) = starts else {
        return Err(format!(
            "schema mismatch: no column header ({}) found",
            COLUMNS.join(", ")
        ));
    };
    if let Some((_, of)) = last_page_said {
        if of as usize != pages.len() {
            return Err(format!(
                "schema mismatch: the report says it has {of} pages but the PDF holds {}",
                pages.len()
            ));
        }
    }
    rows_to_report(rows, report_time)
}

/// Adds a line's cells to a row, each column's text after what it already holds.
fn append_cells(row: &mut Row, cells: &[String; 7]) {
    for (have, more) in row.cells.iter_mut().zip(cells) {
        if more.is_empty() {
            continue;
        }
        if have.is_empty() {
            have.push_str(more);
        } else {
            // A line broken after a hyphen inside a word ("Two-" / "Way") joins without a space.
            let glued = have.ends_with('-')
                && have
                    .chars()
                    .rev()
                    .nth(1)
                    .is_some_and(|c| c.is_alphanumeric());
            if !glued {
                have.push(' ');
            }
            have.push_str(more);
        }
    }
}

fn rows_to_report(
    rows: Vec<Row>,
    report_time: Option<NaiveDateTime>,
) -> Result<InjuryReport, String> {
    let mut entries = Vec::new();
    let mut pending_teams = Vec::new();
    let (mut date, mut time, mut matchup, mut team): (
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    ) = (None, None, None, None);

    for row in &rows {
        // A blank cell repeats the row above; a new value resets everything under it.
        if let Some(d) = row.cell(DATE) {
            let parsed = NaiveDate::parse_from_str(d, "%m/%d/%Y").map_err(|_| {
                format!(
                    "schema mismatch: {}: game date {d:?} is not MM/DD/YYYY",
                    row.describe()
                )
            })?;
            date = Some(parsed.format("%Y-%m-%d").to_string());
            (time, matchup, team) = (None, None, None);
        }
        if let Some(t) = row.cell(TIME) {
            time = Some(t.to_string());
            (matchup, team) = (None, None);
        }
        if let Some(m) = row.cell(MATCHUP) {
            matchup = Some(m.to_string());
            team = None;
        }
        if let Some(t) = row.cell(TEAM) {
            team = Some(t.to_string());
        }
        let missing = |what: &str| format!("schema mismatch: {}: no {what}", row.describe());
        let game_date = date.clone().ok_or_else(|| missing("game date"))?;
        let game_time_et = time.clone().ok_or_else(|| missing("game time"))?;
        let game = matchup.clone().ok_or_else(|| missing("matchup"))?;
        let team_name = team.clone().ok_or_else(|| missing("team"))?;

        let Some(player) = row.cell(PLAYER) else {
            let reason = row.cells[REASON].as_str();
            if squash(reason) == "notyetsubmitted" && row.cell(STATUS).is_none() {
                pending_teams.push(PendingTeam {
                    game_date,
                    game_time_et,
                    matchup: game,
                    team: team_name,
                });
                continue;
            }
            return Err(missing("player name"));
        };
        let status_text = row.cell(STATUS).ok_or_else(|| missing("status"))?;
        let status = InjuryStatus::from_report(status_text).ok_or_else(|| {
            format!(
                "schema mismatch: {}: unknown status {status_text:?}",
                row.describe()
            )
        })?;
        entries.push(InjuryEntry {
            game_date,
            game_time_et,
            matchup: game,
            team: team_name,
            player_name: first_last(player),
            status,
            reason: row.cells[REASON].clone(),
            report_time_et: report_time,
        });
    }

    if entries.is_empty() && pending_teams.is_empty() {
        return Err(
            "schema mismatch: the report has its column header but no rows (no players and no \
             \"NOT YET SUBMITTED\" teams)"
                .to_string(),
        );
    }
    Ok(InjuryReport {
        report_time_et: report_time,
        entries,
        pending_teams,
    })
}

/// "Last, First" → "First Last". Suffixes stay with the last name: "Duke Jr., David" →
/// "David Duke Jr.", "Payton II, Gary" → "Gary Payton II", "Jones, Jr., Derrick" →
/// "Derrick Jones Jr.". A name without a comma is kept as printed.
pub fn first_last(name: &str) -> String {
    let parts: Vec<&str> = name
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    match parts.split_last() {
        Some((first, last)) if !last.is_empty() => {
            let mut out = first.to_string();
            for p in last {
                out.push(' ');
                out.push_str(p);
            }
            out
        }
        _ => parts.join(" "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "../../shared/data/samples/nbac_injury_report/raw_f4391904.pdf";

    fn sample() -> Vec<u8> {
        std::fs::read(SAMPLE).expect("tests read ../shared/data beside the project")
    }

    fn entry<'a>(entries: &'a [InjuryEntry], name: &str) -> &'a InjuryEntry {
        entries
            .iter()
            .find(|e| e.player_name == name)
            .unwrap_or_else(|| panic!("{name} not among {entries:#?}"))
    }

    #[test]
    fn requests_name_the_report_slot() {
        let config = SourceConfig::replay("http://127.0.0.1:9/");
        let date = NaiveDate::from_ymd_opt(2024, 1, 4).unwrap();
        let r = request(&config, date, 12);
        assert_eq!(
            r.url(),
            "http://127.0.0.1:9/referee/injury/Injury-Report_2024-01-04_12PM.pdf"
        );
        assert_eq!(r.request_key, "12PM");
        assert_eq!(request(&config, date, 17).request_key, "05PM");
        assert_eq!(request(&config, date, 0).request_key, "12AM");
        assert_eq!(request(&config, date, 9).request_key, "09AM");
    }

    #[test]
    fn the_sample_report_has_its_14_entries() {
        let report = parse_report(&sample()).unwrap();
        assert_eq!(report.entries.len(), 14, "{:#?}", report.entries);
        assert_eq!(parse(&sample()).unwrap(), report.entries);
        let names: Vec<&str> = report
            .entries
            .iter()
            .map(|e| e.player_name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "Dominick Barlow",
                "Charles Bassey",
                "Malaki Branham",
                "Sidy Cissoko",
                "Zach Collins",
                "Mamadi Diakite",
                "David Duke Jr.",
                "Doug McDermott",
                "Vlatko Cancar",
                "Reggie Jackson",
                "Jalen Pickett",
                "Hunter Tyson",
                "Draymond Green",
                "Gary Payton II",
            ]
        );
        let when = NaiveDate::from_ymd_opt(2024, 1, 4)
            .unwrap()
            .and_hms_opt(12, 30, 0)
            .unwrap();
        assert_eq!(report.report_time_et, Some(when));
        assert!(report
            .entries
            .iter()
            .all(|e| e.report_time_et == Some(when) && e.game_date == "2024-01-04"));
    }

    #[test]
    fn sample_entries_read_as_the_pdf_shows_them() {
        let entries = parse(&sample()).unwrap();

        // The first row of the report: date, time and matchup printed on the Bucks' row above.
        let barlow = entry(&entries, "Dominick Barlow");
        assert_eq!(barlow.game_date, "2024-01-04");
        assert_eq!(barlow.game_time_et, "07:30 (ET)");
        assert_eq!(barlow.matchup, "MIL@SAS");
        assert_eq!(barlow.team, "San Antonio Spurs");
        assert_eq!(barlow.status, InjuryStatus::Questionable);
        assert_eq!(barlow.reason, "G League - Two-Way");

        let bassey = entry(&entries, "Charles Bassey");
        assert_eq!(bassey.team, "San Antonio Spurs");
        assert_eq!(bassey.status, InjuryStatus::Out);
        assert_eq!(bassey.reason, "Injury/Illness - Left Acl; Tear");

        let branham = entry(&entries, "Malaki Branham");
        assert_eq!(branham.status, InjuryStatus::Doubtful);
        assert_eq!(branham.reason, "Injury/Illness - Right Ankle; Sprain");

        // A suffix in the last name, and a team carried over from six rows above.
        let duke = entry(&entries, "David Duke Jr.");
        assert_eq!(duke.team, "San Antonio Spurs");
        assert_eq!(duke.matchup, "MIL@SAS");
        assert_eq!(duke.status, InjuryStatus::Out);

        // A reason wrapped over two lines, one above and one below the name.
        let mcdermott = entry(&entries, "Doug McDermott");
        assert_eq!(mcdermott.team, "San Antonio Spurs");
        assert_eq!(mcdermott.status, InjuryStatus::Out);
        assert_eq!(
            mcdermott.reason,
            "Injury/Illness - Right Forearm; Contusion"
        );

        // A new game: the date is blank and carries over, time and matchup are new.
        let cancar = entry(&entries, "Vlatko Cancar");
        assert_eq!(cancar.game_date, "2024-01-04");
        assert_eq!(cancar.game_time_et, "10:00 (ET)");
        assert_eq!(cancar.matchup, "DEN@GSW");
        assert_eq!(cancar.team, "Denver Nuggets");
        assert_eq!(cancar.reason, "Injury/Illness - Left Knee; Surgery");

        let jackson = entry(&entries, "Reggie Jackson");
        assert_eq!(jackson.team, "Denver Nuggets");
        assert_eq!(jackson.status, InjuryStatus::Probable);
        assert_eq!(jackson.reason, "Injury/Illness - Left Calf; Tightness");

        let pickett = entry(&entries, "Jalen Pickett");
        assert_eq!(pickett.reason, "G League - On Assignment");

        // The second team of the same game.
        let green = entry(&entries, "Draymond Green");
        assert_eq!(green.team, "Golden State Warriors");
        assert_eq!(green.matchup, "DEN@GSW");
        assert_eq!(green.status, InjuryStatus::Out);
        assert_eq!(green.reason, "League Suspension");

        let payton = entry(&entries, "Gary Payton II");
        assert_eq!(payton.team, "Golden State Warriors");
        assert_eq!(payton.reason, "Injury/Illness - Left Hamstring; Strain");
    }

    #[test]
    fn sample_status_counts() {
        let entries = parse(&sample()).unwrap();
        let count = |s: InjuryStatus| entries.iter().filter(|e| e.status == s).count();
        assert_eq!(count(InjuryStatus::Out), 10);
        assert_eq!(count(InjuryStatus::Questionable), 2);
        assert_eq!(count(InjuryStatus::Doubtful), 1);
        assert_eq!(count(InjuryStatus::Probable), 1);
        assert_eq!(count(InjuryStatus::Available), 0);
        assert!(entries.iter().all(|e| !e.reason.is_empty()));
    }

    #[test]
    fn teams_not_yet_submitted_are_listed_apart() {
        let report = parse_report(&sample()).unwrap();
        // 16 games; all teams but the Spurs, Nuggets and Warriors say NOT YET SUBMITTED.
        assert_eq!(
            report.pending_teams.len(),
            29,
            "{:#?}",
            report.pending_teams
        );
        assert_eq!(
            report.pending_teams[0],
            PendingTeam {
                game_date: "2024-01-04".into(),
                game_time_et: "07:30 (ET)".into(),
                matchup: "MIL@SAS".into(),
                team: "Milwaukee Bucks".into(),
            }
        );
        // Page 2 starts mid-game: its first rows carry the date and time from page 1.
        let jazz = report
            .pending_teams
            .iter()
            .find(|t| t.team == "Utah Jazz")
            .unwrap();
        assert_eq!(jazz.game_date, "2024-01-05");
        assert_eq!(jazz.game_time_et, "07:00 (ET)");
        assert_eq!(jazz.matchup, "UTA@BOS");
        // Page 3 starts with the home team of page 2's last game.
        let nuggets = report
            .pending_teams
            .iter()
            .find(|t| t.team == "Denver Nuggets")
            .unwrap();
        assert_eq!(nuggets.matchup, "ORL@DEN");
        assert_eq!(nuggets.game_time_et, "09:00 (ET)");
        let last = report.pending_teams.last().unwrap();
        assert_eq!(last.team, "Sacramento Kings");
        assert_eq!(last.matchup, "TOR@SAC");
        assert_eq!(last.game_time_et, "10:00 (ET)");
    }

    #[test]
    fn an_html_page_is_named() {
        let err = parse(b"\n<!DOCTYPE html><html><body>Access Denied</body></html>").unwrap_err();
        assert!(err.contains("HTML"), "{err}");
    }

    #[test]
    fn a_truncated_pdf_is_refused() {
        let body = sample();
        let err = parse(&body[..body.len() / 2]).unwrap_err();
        assert!(err.contains("truncated"), "{err}");
    }

    #[test]
    fn garbage_is_refused() {
        let err = parse(b"\x00\x01garbage bytes that are not a document").unwrap_err();
        assert!(err.contains("expected a PDF"), "{err}");
        assert_eq!(parse(b"").unwrap_err(), "empty body");
        // A PDF header and an end marker around nothing readable.
        let err = parse(b"%PDF-1.4\nnot really a pdf\n%%EOF\n").unwrap_err();
        assert!(err.contains("PDF"), "{err}");
    }

    #[test]
    fn a_truncated_pdf_that_still_ends_in_eof_is_refused() {
        let body = sample();
        let mut cut = body[..body.len() / 2].to_vec();
        cut.extend_from_slice(b"\n%%EOF\n");
        let err = parse(&cut).unwrap_err();
        assert!(err.contains("truncated"), "{err}");
    }

    #[test]
    fn a_recorded_pdf_with_missing_bytes_is_refused() {
        // A recorded game book whose body stops short of the offset its own trailer names.
        let path = "../../shared/data/samples/nbac_gamebook_pdf/raw_0173bcd1.pdf";
        let body = std::fs::read(path).expect("tests read ../shared/data beside the project");
        let err = parse(&body).unwrap_err();
        assert!(err.contains("truncated"), "{err}");
    }

    /// A one-page PDF (Helvetica, y up) with each `(x, y, size, text)` drawn as one string;
    /// every other one with TJ instead of Tj.
    fn pdf_with_text(texts: &[(f64, f64, i64, &str)]) -> Vec<u8> {
        use lopdf::{content::Operation, dictionary, Stream};
        let mut ops = vec![Operation::new("BT", vec![])];
        for (i, (x, y, size, text)) in texts.iter().enumerate() {
            ops.push(Operation::new("Tf", vec!["F1".into(), (*size).into()]));
            ops.push(Operation::new(
                "Tm",
                vec![
                    1.into(),
                    0.into(),
                    0.into(),
                    1.into(),
                    (*x).into(),
                    (*y).into(),
                ],
            ));
            let s = Object::string_literal(*text);
            if i % 2 == 0 {
                ops.push(Operation::new("TJ", vec![Object::Array(vec![s])]));
            } else {
                ops.push(Operation::new("Tj", vec![s]));
            }
        }
        ops.push(Operation::new("ET", vec![]));

        let mut doc = Document::with_version("1.5");
        let pages_id = doc.new_object_id();
        let font_id = doc.add_object(dictionary! {
            "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica",
            "Encoding" => "WinAnsiEncoding",
        });
        let content = Content { operations: ops }.encode().unwrap();
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page", "Parent" => pages_id, "Contents" => content_id,
            "Resources" => dictionary! { "Font" => dictionary! { "F1" => font_id } },
            "MediaBox" => vec![0.into(), 0.into(), 842.into(), 595.into()],
        });
        doc.objects.insert(
            pages_id,
            Object::Dictionary(dictionary! {
                "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1,
            }),
        );
        let catalog_id = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
        doc.trailer.set("Root", catalog_id);
        let mut out = Vec::new();
        doc.save_to(&mut out).unwrap();
        out
    }

    /// A report with the title, the column header, one line of cells per row and the footer.
    fn synthetic_report(rows: &[[&str; 7]]) -> Vec<u8> {
        let xs = [20.0, 110.0, 190.0, 250.0, 410.0, 570.0, 670.0];
        let mut texts = vec![(280.0, 560.0, 18, "Injury Report: 03/15/25 05:30 PM")];
        texts.extend(
            xs.iter()
                .zip(COLUMNS)
                .map(|(x, label)| (*x, 520.0, 8, label)),
        );
        for (r, row) in rows.iter().enumerate() {
            for (x, text) in xs.iter().zip(row) {
                if !text.is_empty() {
                    texts.push((x + 1.0, 500.0 - 20.0 * r as f64, 8, *text));
                }
            }
        }
        texts.push((400.0, 30.0, 8, "Page 1 of 1"));
        pdf_with_text(&texts)
    }

    #[test]
    fn a_pdf_without_the_report_table_is_a_schema_mismatch() {
        let body = pdf_with_text(&[
            (50.0, 500.0, 12, "Official Scorer's Report"),
            (50.0, 480.0, 10, "Tatum, Jayson  32 pts"),
        ]);
        let err = parse(&body).unwrap_err();
        assert!(err.contains("schema mismatch: no column header"), "{err}");
    }

    #[test]
    fn a_plainly_drawn_report_parses_too() {
        let body = synthetic_report(&[
            [
                "03/15/2025",
                "07:00 (ET)",
                "BOS@NYK",
                "Boston Celtics",
                "Tatum, Jayson",
                "Available",
                "Injury/Illness - Right Ankle; Sprain",
            ],
            [
                "",
                "",
                "",
                "",
                "Holiday, Jrue",
                "Out",
                "Injury/Illness - Left Hamstring; Strain",
            ],
            ["", "", "", "New York Knicks", "", "", "NOT YET SUBMITTED"],
        ]);
        let report = parse_report(&body).unwrap();
        assert_eq!(report.entries.len(), 2, "{report:#?}");
        let holiday = &report.entries[1];
        assert_eq!(holiday.player_name, "Jrue Holiday");
        assert_eq!(holiday.team, "Boston Celtics");
        assert_eq!(holiday.matchup, "BOS@NYK");
        assert_eq!(holiday.game_date, "2025-03-15");
        assert_eq!(holiday.status, InjuryStatus::Out);
        assert_eq!(report.entries[0].status, InjuryStatus::Available);
        assert_eq!(report.pending_teams.len(), 1);
        assert_eq!(report.pending_teams[0].team, "New York Knicks");
        let when = NaiveDate::from_ymd_opt(2025, 3, 15)
            .unwrap()
            .and_hms_opt(17, 30, 0)
            .unwrap();
        assert_eq!(report.report_time_et, Some(when));
    }

    #[test]
    fn no_entries_only_when_the_report_says_so() {
        // Every team "NOT YET SUBMITTED": the report says it has no players yet.
        let body = synthetic_report(&[
            [
                "03/15/2025",
                "07:00 (ET)",
                "BOS@NYK",
                "Boston Celtics",
                "",
                "",
                "NOT YET SUBMITTED",
            ],
            ["", "", "", "New York Knicks", "", "", "NOT YET SUBMITTED"],
        ]);
        assert_eq!(parse(&body).unwrap(), vec![]);
        // A header and nothing under it says nothing: that is not an empty report.
        let err = parse(&synthetic_report(&[])).unwrap_err();
        assert!(err.contains("schema mismatch"), "{err}");
    }

    #[test]
    fn unknown_statuses_and_missing_teams_are_schema_drift() {
        let err = parse(&synthetic_report(&[[
            "03/15/2025",
            "07:00 (ET)",
            "BOS@NYK",
            "Boston Celtics",
            "Tatum, Jayson",
            "Day-To-Day",
            "Rest",
        ]]))
        .unwrap_err();
        assert!(err.contains("unknown status \"Day-To-Day\""), "{err}");
        let err = parse(&synthetic_report(&[[
            "03/15/2025",
            "07:00 (ET)",
            "BOS@NYK",
            "",
            "Tatum, Jayson",
            "Out",
            "Rest",
        ]]))
        .unwrap_err();
        assert!(err.contains("no team"), "{err}");
    }

    #[test]
    fn names_turn_to_first_last() {
        assert_eq!(first_last("Barlow, Dominick"), "Dominick Barlow");
        assert_eq!(first_last("Duke Jr., David"), "David Duke Jr.");
        assert_eq!(first_last("Payton II, Gary"), "Gary Payton II");
        assert_eq!(first_last("Jones, Jr., Derrick"), "Derrick Jones Jr.");
        assert_eq!(first_last("Nene"), "Nene");
    }

    #[test]
    fn statuses_read_case_blind() {
        assert_eq!(InjuryStatus::from_report("Out"), Some(InjuryStatus::Out));
        assert_eq!(
            InjuryStatus::from_report(" questionable "),
            Some(InjuryStatus::Questionable)
        );
        assert_eq!(
            InjuryStatus::from_report("AVAILABLE"),
            Some(InjuryStatus::Available)
        );
        assert_eq!(InjuryStatus::from_report("Day-To-Day"), None);
    }
}
