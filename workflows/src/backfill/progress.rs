//! A backfill's progress, from the state the workflow carries: per phase, overall, rate and
//! time left. Pure, for the `progress` query and the result.

use nbaprops_proto::registry;
use nbaprops_proto::{BackfillProgress, BackfillState, PhaseProgress};

/// The progress of a backfill from its state: per phase, overall, rate and time left.
pub fn progress_of(from: &str, to: &str, state: &BackfillState, current: &str) -> BackfillProgress {
    let mut phases: Vec<PhaseProgress> = Vec::new();
    for s in &state.steps {
        let p = match phases.iter_mut().find(|p| p.phase == s.phase) {
            Some(p) => p,
            None => {
                phases.push(PhaseProgress {
                    phase: s.phase,
                    ..Default::default()
                });
                phases.last_mut().expect("just pushed")
            }
        };
        p.total += s.total;
        p.done += s.done;
        p.failed += s.failed;
        p.skipped += s.skipped;
    }
    for p in &mut phases {
        p.remaining = p.total.saturating_sub(p.done + p.failed + p.skipped);
    }
    let steps_total: u32 = phases.iter().map(|p| p.total).sum();
    let steps_done: u32 = phases.iter().map(|p| p.done + p.failed + p.skipped).sum();
    let elapsed = (state.updated_at - state.started_at).max(0.0);
    let rate = if elapsed > 0.0 {
        steps_done as f64 / elapsed * 60.0
    } else {
        0.0
    };
    let remaining = steps_total.saturating_sub(steps_done);
    BackfillProgress {
        from: from.to_string(),
        to: to.to_string(),
        phases,
        steps_done,
        steps_total,
        elapsed_seconds: elapsed,
        rate_per_minute: rate,
        eta_seconds: (rate > 0.0).then(|| remaining as f64 / rate * 60.0),
        paused: state.paused,
        runs: state.runs,
        current: current.to_string(),
        failed: state.failed.clone(),
        game_dates: state.plan.as_ref().map_or(0, |p| p.game_dates.len() as u32),
        rows_written: state.rows_written,
        rows_unchanged: state.rows_unchanged,
        activities: state.activities,
    }
}

/// "phase 3 level 2", what the progress calls a step.
pub(crate) fn describe_step(state: &BackfillState) -> String {
    let Some(plan) = &state.plan else {
        return "planning".to_string();
    };
    match plan.steps.get(state.step as usize) {
        Some(s) => registry::describe_backfill_step(s),
        None => "done".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use nbaprops_proto::StepProgress;

    #[test]
    fn progress_adds_up_per_phase_with_rate_and_eta() {
        let mut state = BackfillState {
            steps: vec![
                StepProgress {
                    phase: 2,
                    level: 1,
                    total: 10,
                    done: 8,
                    failed: 1,
                    skipped: 0,
                },
                StepProgress {
                    phase: 3,
                    level: 1,
                    total: 10,
                    done: 0,
                    failed: 0,
                    skipped: 1,
                },
            ],
            started_at: 100.0,
            updated_at: 160.0,
            ..Default::default()
        };
        let p = progress_of("a", "b", &state, "phase 3 level 1");
        assert_eq!(p.phases.len(), 2);
        assert_eq!((p.phases[0].done, p.phases[0].remaining), (8, 1));
        assert_eq!(p.phases[1].remaining, 9);
        assert_eq!((p.steps_done, p.steps_total), (10, 20));
        assert!((p.rate_per_minute - 10.0).abs() < 1e-9);
        assert!((p.eta_seconds.unwrap() - 60.0).abs() < 1e-9);
        state.updated_at = state.started_at;
        assert!(progress_of("a", "b", &state, "").eta_seconds.is_none());
    }
}
