//! The graph the registry derives, pinned: the backfill steps of every phase range, the rerun
//! plan after each processor, which reads cross dates and which processors fan out over
//! batches. `tests/graph_pinned.txt` holds the rendering; a change to it is a change of what
//! the pipeline runs, and shows up in review as a diff of that file.

use nbaprops_proto::registry::{
    backfill_steps, day_plan, describe_backfill_step, reads_across_dates, rerun_plan, specs,
};
use nbaprops_proto::{BackfillStep, DayPlan};

fn render_step(step: &BackfillStep) -> String {
    let mut out = format!(
        "step phase {} level {} gate_before {}: {}\n",
        step.phase,
        step.level,
        step.gate_before,
        describe_backfill_step(step)
    );
    for p in &step.parts {
        out.push_str(&format!(
            "  part phase {} level {} same_day {:?} day_before {:?} gate_after {}\n",
            p.phase, p.level, p.same_day, p.day_before, p.gate_after
        ));
    }
    out
}

fn render_plan(plan: &DayPlan) -> String {
    let mut out = String::new();
    for phase in &plan.phases {
        for level in &phase.levels {
            out.push_str(&format!(
                "  phase {} level {}: {:?}\n",
                phase.phase, level.level, level.processors
            ));
        }
    }
    out
}

fn render_graph() -> String {
    let mut out = String::new();
    for first in 1..=5 {
        for last in first..=5 {
            out.push_str(&format!("backfill_steps({first}, {last})\n"));
            for step in backfill_steps(first, last) {
                out.push_str(&render_step(&step));
            }
        }
    }
    out.push_str("day_plan\n");
    out.push_str(&render_plan(&day_plan()));
    for spec in specs() {
        out.push_str(&format!("rerun_plan([{}])\n", spec.name));
        out.push_str(&render_plan(&rerun_plan(&[spec.name])));
    }
    out.push_str("rerun_plan([raw_injury_updates, raw_oddsa_player_props])\n");
    out.push_str(&render_plan(&rerun_plan(&[
        "raw_injury_updates",
        "raw_oddsa_player_props",
    ])));
    for spec in specs() {
        let across: Vec<&str> = spec
            .tables_read()
            .into_iter()
            .filter(|t| reads_across_dates(&spec, t))
            .collect();
        out.push_str(&format!(
            "{} phase {} level {} offset {} batched {} reads across dates {:?}\n",
            spec.name,
            spec.phase,
            spec.level,
            spec.date_offset_days,
            nbaprops_proto::registry::is_batched(&spec),
            across
        ));
    }
    out
}

#[test]
fn the_derived_graph_is_unchanged() {
    let pinned = include_str!("graph_pinned.txt");
    let now = render_graph();
    if now != pinned {
        let path = std::env::temp_dir().join("graph_pinned.txt");
        std::fs::write(&path, &now).unwrap();
        panic!(
            "the derived graph changed; the new rendering is in {}",
            path.display()
        );
    }
}
