//! Plans derived from the specs: a phase's levels, the day's plan, an incremental rerun's
//! plan, and which reads cross dates.

use super::spec::{Kind, ProcessorSpec, PHASES};
use super::specs::specs;
use super::tables::UNPARTITIONED;

/// The specs of one phase.
pub fn phase(phase: u32) -> Vec<ProcessorSpec> {
    specs().into_iter().filter(|s| s.phase == phase).collect()
}

/// The processors of a phase grouped by level, levels ascending, empty levels skipped.
pub fn levels(phase_no: u32) -> Vec<Vec<ProcessorSpec>> {
    let mut specs = phase(phase_no);
    specs.sort_by_key(|s| s.level);
    let mut out: Vec<Vec<ProcessorSpec>> = Vec::new();
    for s in specs {
        match out.last_mut() {
            Some(level) if level[0].level == s.level => level.push(s),
            _ => out.push(vec![s]),
        }
    }
    out
}

/// The registry as a day's plan: every phase's levels, in order.
pub fn day_plan() -> crate::DayPlan {
    crate::DayPlan {
        phases: PHASES
            .iter()
            .map(|p| crate::PhasePlan {
                phase: *p,
                levels: levels(*p)
                    .into_iter()
                    .map(|l| crate::ProcessorLevel {
                        level: l[0].level,
                        processors: l.iter().map(|s| s.name.to_string()).collect(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Tables each processor reads at dates other than its own partition's: rolling windows over
/// earlier games, the history a system learns from, the season's kept schedule. A backfill
/// step may run a level right after the level before it, date by date in one child, only when
/// no processor of the level reads across dates a table that level wrote (see
/// [`backfill_steps`](super::backfill_steps)). Processors that read their own date only are
/// left out.
pub fn history_reads() -> Vec<(&'static str, Vec<&'static str>)> {
    specs()
        .iter()
        .filter_map(|spec| {
            let tables: Vec<&'static str> = spec
                .reads
                .iter()
                .filter(|r| r.offset_days().is_none() && !UNPARTITIONED.contains(&r.table()))
                .map(|r| r.table())
                .collect();
            (!tables.is_empty()).then_some((spec.name, tables))
        })
        .collect()
}

/// Whether `spec` reads `table` at dates other than its own. Tables that are not partitioned
/// by date (`players`) always count as read across dates.
pub fn reads_across_dates(spec: &ProcessorSpec, table: &str) -> bool {
    UNPARTITIONED.contains(&table)
        || spec
            .reads
            .iter()
            .any(|r| r.table() == table && r.offset_days() != Some(0))
}

/// The plan of an incremental rerun after `changed` processors wrote new rows: those
/// processors, then phase by phase every processor that reads a table written by one already
/// in the plan. Once-per-date steps ([`Kind::PerDate`]: training on the history before the
/// date) are left out: a change on the date itself cannot reach them. Phases without a processor are
/// left out too.
pub fn rerun_plan(changed: &[&str]) -> crate::DayPlan {
    let mut written: std::collections::BTreeSet<&str> = std::collections::BTreeSet::new();
    let mut phases = Vec::new();
    for phase in PHASES.iter().copied().filter(|p| *p >= 2) {
        let mut levels_out = Vec::new();
        for level in levels(phase) {
            let picked: Vec<ProcessorSpec> = level
                .into_iter()
                .filter(|s| {
                    changed.contains(&s.name)
                        || (s.kind != Kind::PerDate
                            && s.reads.iter().any(|r| written.contains(r.table())))
                })
                .collect();
            if picked.is_empty() {
                continue;
            }
            written.extend(picked.iter().flat_map(|s| s.writes.iter().copied()));
            levels_out.push(crate::ProcessorLevel {
                level: picked[0].level,
                processors: picked.iter().map(|s| s.name.to_string()).collect(),
            });
        }
        if !levels_out.is_empty() {
            phases.push(crate::PhasePlan {
                phase,
                levels: levels_out,
            });
        }
    }
    crate::DayPlan { phases }
}

/// Looks a processor up by name.
pub fn get(name: &str) -> Option<ProcessorSpec> {
    specs().into_iter().find(|s| s.name == name)
}

/// Finds a processor by its activity id (`raw.raw_nbac_schedule`).
pub fn by_activity_id(activity_id: &str) -> Option<ProcessorSpec> {
    specs().into_iter().find(|s| s.activity_id() == activity_id)
}
