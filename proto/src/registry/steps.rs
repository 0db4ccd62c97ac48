//! A backfill's steps: consecutive levels that can run date by date in one child, each phase's
//! gate placed after them or at the start of the next step, and the dates each step runs on.

use super::gates::gate;
use super::plans::{levels, reads_across_dates};
use super::spec::{ProcessorSpec, GRADING_PHASE, PHASES};
#[cfg(doc)]
use super::{gates::gates, plans::history_reads};

/// The `level` of a backfill's gate step (levels start at 1).
pub const GATE_STEP: u32 = 0;

/// One date of one step: what runs, and which gates.
#[derive(Debug, Clone, PartialEq)]
pub struct DateStep {
    pub date: String,
    /// The step's levels with this date's processors, in order (empty levels left out).
    pub parts: Vec<crate::DatePart>,
    /// The phase whose gate runs first on this date (a game date); 0 for none.
    pub gate_before: u32,
}

/// The dates a step runs on, in date order, with the processors each runs: the step's same-day
/// processors on game dates, its day-before ones on the day after a game date; gates on game
/// dates.
pub fn dates_of(plan: &crate::BackfillPlan, step: &crate::BackfillStep) -> Vec<DateStep> {
    let games: std::collections::BTreeSet<&str> =
        plan.game_dates.iter().map(String::as_str).collect();
    let after: std::collections::BTreeSet<&str> =
        plan.after_game_dates.iter().map(String::as_str).collect();
    let all: std::collections::BTreeSet<&str> = games.union(&after).copied().collect();
    let on = |d: &str, same_day: &[String], day_before: &[String]| -> Vec<String> {
        let mut processors = Vec::new();
        if games.contains(d) {
            processors.extend(same_day.iter().cloned());
        }
        if after.contains(d) {
            processors.extend(day_before.iter().cloned());
        }
        processors
    };
    all.iter()
        .filter_map(|d| {
            let parts: Vec<crate::DatePart> = step
                .parts
                .iter()
                .map(|p| crate::DatePart {
                    phase: p.phase,
                    level: p.level,
                    processors: on(d, &p.same_day, &p.day_before),
                    gate_after: p.gate_after && games.contains(d),
                })
                .filter(|p| !p.processors.is_empty() || p.gate_after)
                .collect();
            let gate_before = if games.contains(d) {
                step.gate_before
            } else {
                0
            };
            (!parts.is_empty() || gate_before != 0).then(|| DateStep {
                date: d.to_string(),
                parts,
                gate_before,
            })
        })
        .collect()
}

/// A backfill step being built: its levels and what they write (table, date offset).
struct StepBuilder {
    parts: Vec<crate::StepPart>,
    written: Vec<(&'static str, i32)>,
    gate_before: u32,
}

impl StepBuilder {
    /// Whether `level` can run right after this step's levels in the same date's child: no
    /// processor of it reads a table they write across dates, or at another date's partition.
    fn takes(&self, level: &[ProcessorSpec]) -> bool {
        level.iter().all(|spec| {
            spec.reads.iter().all(|table| {
                self.written.iter().all(|(written, offset)| {
                    *written != table.table()
                        || (*offset == spec.date_offset_days
                            && !reads_across_dates(spec, table.table()))
                })
            })
        })
    }

    /// Whether the gate of `phase` can run in this step's child right after its last level:
    /// it reads nothing the step writes but that date's own partition. A gate whose reads are
    /// not listed waits for every date, the safe way.
    fn fits_gate(&self, phase: u32) -> bool {
        let Some(gate) = gate(phase) else {
            return false;
        };
        gate.reads.iter().all(|read| {
            self.written.iter().all(|(written, offset)| {
                *written != read.table() || read.offset_days() == Some(*offset)
            })
        })
    }

    fn add(&mut self, level: &[ProcessorSpec]) {
        let names = |offset: i32| -> Vec<String> {
            level
                .iter()
                .filter(|s| s.date_offset_days == offset)
                .map(|s| s.name.to_string())
                .collect()
        };
        self.parts.push(crate::StepPart {
            phase: level[0].phase,
            level: level[0].level,
            same_day: names(0),
            day_before: names(-1),
            gate_after: false,
        });
        for spec in level {
            self.written
                .extend(spec.writes.iter().map(|t| (*t, spec.date_offset_days)));
        }
    }

    /// The step, named by its last phase and that phase's first level in it.
    fn finish(self) -> crate::BackfillStep {
        let last = self.parts.last().map_or(0, |p| p.phase);
        let level = self
            .parts
            .iter()
            .find(|p| p.phase == last)
            .map_or(0, |p| p.level);
        crate::BackfillStep {
            phase: last,
            level,
            parts: self.parts,
            gate_before: self.gate_before,
        }
    }
}

/// The steps of a backfill of phases `first..=last`. Each step runs over all its dates before
/// the next starts, so a processor that reads earlier dates of an earlier level (rolling
/// windows: a date's context reads every summary before it; the ensemble reads the systems'
/// earlier predictions) finds them complete.
///
/// A step is one child per date, and most of a long backfill's cost is the Temporal server
/// handling those children, so a step takes as many consecutive levels as it safely can: a
/// level joins the step before it when none of its processors reads across dates
/// ([`history_reads`]) a table the step writes (Phase 1's fetches and Phase 2's parsing of
/// them; Phase 4's levels; `gbm_train` and the systems). Each phase 2-5 ends with its quality
/// gate ([`gates`]). A gate that reads only its date's partitions of what its step wrote
/// runs in the step's child right after the phase's last level (`gate_after`), and the step
/// can go on into the next phase. One that reads more (Phase 2's resolves lines through the
/// name registry, which every date of its step writes) waits until the phase is complete for
/// every date: it runs first in the next step's children (`gate_before`), or as a step of its
/// own after the range's last phase. Either way what a gate measures is the same however the
/// dates were interleaved, so a rerun passes or fails the same dates. Phase 1 has none
/// (Phase 2's checks what it kept); Phase 5 is followed by grading, which checks itself.
pub fn backfill_steps(first: u32, last: u32) -> Vec<crate::BackfillStep> {
    let mut phases: Vec<u32> = PHASES
        .iter()
        .copied()
        .filter(|p| (first..=last).contains(p))
        .collect();
    if phases.contains(&5) {
        phases.push(GRADING_PHASE);
    }
    let mut out = Vec::new();
    let mut current: Option<StepBuilder> = None;
    let mut pending_gate = 0;
    for phase in phases {
        for level in levels(phase) {
            let joins = pending_gate == 0 && current.as_ref().is_some_and(|c| c.takes(&level));
            if !joins {
                out.extend(current.take().map(StepBuilder::finish));
                current = Some(StepBuilder {
                    parts: vec![],
                    written: vec![],
                    gate_before: std::mem::take(&mut pending_gate),
                });
            }
            current.as_mut().expect("set above").add(&level);
        }
        if crate::Phase::from_number(phase).is_some_and(crate::Phase::has_gate) {
            match current.as_mut() {
                Some(step) if step.fits_gate(phase) => {
                    if let Some(last) = step.parts.last_mut() {
                        last.gate_after = true;
                    }
                }
                _ => {
                    out.extend(current.take().map(StepBuilder::finish));
                    pending_gate = phase;
                }
            }
        }
    }
    out.extend(current.take().map(StepBuilder::finish));
    if pending_gate != 0 {
        out.push(crate::BackfillStep {
            phase: pending_gate,
            level: GATE_STEP,
            gate_before: pending_gate,
            parts: vec![],
        });
    }
    out
}

/// What a backfill step runs, for progress lines: `phase 3 gate, phase 4 levels 1-3`.
pub fn describe_backfill_step(step: &crate::BackfillStep) -> String {
    let mut out: Vec<String> = Vec::new();
    if step.gate_before != 0 {
        out.push(format!("phase {} gate", step.gate_before));
    }
    let mut i = 0;
    while i < step.parts.len() {
        let phase = step.parts[i].phase;
        let levels: Vec<u32> = step.parts[i..]
            .iter()
            .take_while(|p| p.phase == phase)
            .map(|p| p.level)
            .collect();
        let gated = step.parts[i + levels.len() - 1].gate_after;
        i += levels.len();
        out.push(match (phase, levels.as_slice()) {
            (GRADING_PHASE, _) => "grading".to_string(),
            (_, [one]) => format!("phase {phase} level {one}"),
            (_, many) => format!("phase {phase} levels {}-{}", many[0], many[many.len() - 1]),
        });
        if gated {
            out.push(format!("phase {phase} gate"));
        }
    }
    out.join(", ")
}
