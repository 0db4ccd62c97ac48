//! What one source or processor is: its phase and level, how it runs, the date it works on,
//! what it reads (and at which dates) and what it writes.

/// A phase of the day. Phase 1 fetches, 2 parses, 3 summarises games, 4 precomputes
/// per-player state, 5 predicts.
pub const PHASES: [u32; 5] = [1, 2, 3, 4, 5];

/// Grading: after the day, on its own workflow (`GradingWorkflow`, id `grade-{date}`), once
/// the date's box scores are in. Not one of the day's `PHASES`: no day plan includes it.
pub const GRADING_PHASE: u32 = 6;

/// Players per prediction batch in Phase 5 (the workflow's batches and the in-process runner's).
pub const PREDICTION_BATCH_SIZE: usize = 25;

/// How a spec runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Phase 1: fetches over HTTP and keeps the payloads in the raw store (activity `scrape`).
    Scrape,
    /// Reads the warehouse (or the raw store) and replaces its partition of the date, once per
    /// date (activity `process`).
    Process,
    /// Phase 5, once per date for every player together: training a model on the history
    /// before the date. An incremental rerun leaves it out: a change on the date itself cannot
    /// reach it.
    PerDate,
    /// Phase 5, once per batch of players with a line ([`PREDICTION_BATCH_SIZE`]).
    Batched,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Scrape => "scrape",
            Kind::Process => "process",
            Kind::PerDate => "per-date",
            Kind::Batched => "batched",
        }
    }
}

/// The dates a history read covers, all before the reader's own date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Window {
    /// The `n` days before the date.
    Days(u32),
    /// From the start of the date's season (1 August) to the day before the date.
    SeasonToDate,
    /// From the start of the season before the date's to the day before the date.
    LastSeasonToDate,
}

/// One table (or `raw:{source}` raw-store prefix) a spec or a quality gate reads, with the
/// dates it reads it at. Dates are relative to the reader's own date: a processor's data date
/// (`date_offset_days` from the game date), a gate's game date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Read {
    /// The partition of the reader's date.
    ThisDate(&'static str),
    /// The partition of the day before the reader's date (box scores of yesterday's games).
    DayBefore(&'static str),
    /// Partitions of earlier dates: a rolling window, a training history.
    History { table: &'static str, window: Window },
    /// The newest copy kept for the date's season, whatever date kept it (the season
    /// schedules, fetched daily and kept once per season).
    Season(&'static str),
    /// A table without date partitions (the name registry): whatever every date wrote.
    Whole(&'static str),
}

impl Read {
    pub fn table(&self) -> &'static str {
        match *self {
            Read::ThisDate(t)
            | Read::DayBefore(t)
            | Read::Season(t)
            | Read::Whole(t)
            | Read::History { table: t, .. } => t,
        }
    }

    /// The one partition read, as days from the reader's date; `None` for a read across dates.
    pub fn offset_days(&self) -> Option<i32> {
        match self {
            Read::ThisDate(_) => Some(0),
            Read::DayBefore(_) => Some(-1),
            Read::History { .. } | Read::Season(_) | Read::Whole(_) => None,
        }
    }

    /// The read as the docs print it: `player_game_summary (200 days)`.
    pub fn describe(&self) -> String {
        match self {
            Read::ThisDate(t) => t.to_string(),
            Read::DayBefore(t) => format!("{t} (day before)"),
            Read::History {
                table,
                window: Window::Days(n),
            } => format!("{table} ({n} days)"),
            Read::History {
                table,
                window: Window::SeasonToDate,
            } => format!("{table} (season to date)"),
            Read::History {
                table,
                window: Window::LastSeasonToDate,
            } => format!("{table} (last season to date)"),
            Read::Season(t) => format!("{t} (season)"),
            Read::Whole(t) => format!("{t} (whole)"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProcessorSpec {
    /// Unique name. The workflows run it as the activity id `{phase_prefix}.{name}`.
    pub name: &'static str,
    pub phase: u32,
    /// Order inside a phase: every processor of level N runs after all of level N-1.
    pub level: u32,
    pub kind: Kind,
    /// The date whose partition it writes, relative to the game date (box scores are D-1).
    pub date_offset_days: i32,
    /// What it reads, at which dates relative to its own.
    pub reads: &'static [Read],
    /// Tables (or `raw:{source}` prefixes) it writes, at its own date.
    pub writes: &'static [&'static str],
    pub description: &'static str,
}

impl ProcessorSpec {
    /// The activity id (and Web UI summary) the workflows give this processor's activity:
    /// `raw.raw_nbac_schedule`. The activity *type* is per kind (`scrape`, `process`).
    pub fn activity_id(&self) -> String {
        format!("{}.{}", phase_prefix(self.phase), self.name)
    }

    /// Its data date relative to the game date D, as the docs print it: `D`, `D-1`.
    pub fn data_date_label(&self) -> String {
        match self.date_offset_days {
            0 => "D".to_string(),
            n => format!("D{n:+}"),
        }
    }

    /// The tables it reads, in declaration order, each once.
    pub fn tables_read(&self) -> Vec<&'static str> {
        let mut out: Vec<&'static str> = Vec::new();
        for read in self.reads {
            if !out.contains(&read.table()) {
                out.push(read.table());
            }
        }
        out
    }

    pub fn reads_table(&self, table: &str) -> bool {
        self.reads.iter().any(|r| r.table() == table)
    }
}

/// The activity-type prefix of a phase.
pub fn phase_prefix(phase: u32) -> &'static str {
    crate::Phase::from_number(phase).map_or("unknown", crate::Phase::prefix)
}

/// Whether a Phase 5 processor fans out over batches of players.
pub fn is_batched(spec: &ProcessorSpec) -> bool {
    spec.kind == Kind::Batched
}
