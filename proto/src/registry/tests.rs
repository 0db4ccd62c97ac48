//! The registry's own checks: unique names, one writer per table, reads from earlier levels,
//! and the derived plans.

use super::*;

use std::collections::{HashMap, HashSet};

#[test]
fn backfill_steps_follow_phases_and_levels_and_cover_every_processor() {
    let steps = backfill_steps(1, 5);
    let described: Vec<String> = steps.iter().map(describe_backfill_step).collect();
    assert_eq!(
        described,
        [
            "phase 1 level 1",
            "phase 1 level 2, phase 2 level 1",
            "phase 2 gate, phase 3 level 1",
            "phase 3 level 2, phase 3 gate, phase 4 levels 1-3, phase 4 gate",
            "phase 5 levels 1-2",
            "phase 5 level 3, phase 5 gate, grading",
        ]
    );
    // Phase by phase, level by level.
    let order: Vec<(u32, u32)> = steps
        .iter()
        .flat_map(|s| s.parts.iter().map(|p| (p.phase, p.level)))
        .collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    assert_eq!(steps.last().unwrap().phase, GRADING_PHASE);
    let mut covered: Vec<String> = steps
        .iter()
        .flat_map(|s| s.parts.iter())
        .flat_map(|p| p.same_day.iter().chain(p.day_before.iter()).cloned())
        .collect();
    covered.sort();
    let mut all: Vec<String> = specs().iter().map(|s| s.name.to_string()).collect();
    all.sort();
    assert_eq!(covered, all, "every processor once");
    // Box scores are the day before's; the summaries of them too.
    let p3 = steps.iter().find(|s| s.phase == 3 && s.level == 1).unwrap();
    assert!(p3.parts[0]
        .day_before
        .contains(&"player_game_summary".to_string()));
    // A level that reads earlier dates of a table starts a step after the one writing it.
    let step_of = |name: &str| {
        steps
            .iter()
            .position(|s| {
                s.parts
                    .iter()
                    .any(|p| p.same_day.iter().chain(&p.day_before).any(|n| n == name))
            })
            .unwrap()
    };
    assert!(step_of("upcoming_player_game_context") > step_of("player_game_summary"));
    assert!(step_of("ensemble") > step_of("gbm"));
    assert!(step_of("nbac_player_boxscore") > step_of("nbac_schedule"));
    assert_eq!(
        step_of("raw_nbac_player_boxscores"),
        step_of("nbac_player_boxscore")
    );
    assert_eq!(step_of("gbm"), step_of("gbm_train"));
    assert_eq!(
        step_of("ml_feature_store"),
        step_of("player_shot_zone_analysis")
    );
    // Each phase 2-5's gate, once, after its phase's last level and before anything of a
    // later phase: Phase 2's (it reads the name registry its step writes on every date)
    // first in the next step, the others in their step.
    let mut gates: Vec<u32> = steps
        .iter()
        .map(|s| s.gate_before)
        .filter(|g| *g != 0)
        .collect();
    assert_eq!(gates, vec![2]);
    for s in steps.iter().filter(|s| s.gate_before != 0) {
        assert!(s.parts.iter().all(|p| p.phase > s.gate_before));
    }
    for s in &steps {
        for (i, p) in s.parts.iter().enumerate().filter(|(_, p)| p.gate_after) {
            gates.push(p.phase);
            assert!(s.parts[..i].iter().all(|q| q.phase <= p.phase));
            assert!(s.parts[i + 1..].iter().all(|q| q.phase > p.phase));
        }
    }
    assert_eq!(gates, vec![2, 3, 4, 5]);
    // Phases 2-4 only: no predictions, no grading, Phase 4's gate in its step.
    let partial = backfill_steps(2, 4);
    assert!(partial.iter().all(|s| (2..=4).contains(&s.phase)));
    let last = partial.last().unwrap();
    assert!(last.parts.last().unwrap().gate_after);
    // Phase 2 alone: its gate, which waits for every date, is a step of its own.
    let phase2 = backfill_steps(2, 2);
    let last = phase2.last().unwrap();
    assert!(last.gate_before == 2 && last.parts.is_empty());
    assert_eq!((last.phase, last.level), (2, GATE_STEP));
    assert_eq!(describe_backfill_step(last), "phase 2 gate");
}

#[test]
fn whole_reads_are_exactly_the_reads_of_unpartitioned_tables() {
    let gate_reads = gates().into_iter().flat_map(|g| g.reads.iter().copied());
    let reads: Vec<Read> = specs()
        .iter()
        .flat_map(|s| s.reads.iter().copied())
        .chain(gate_reads)
        .collect();
    for read in reads {
        assert_eq!(
            matches!(read, Read::Whole(_)),
            UNPARTITIONED.contains(&read.table()),
            "{read:?}"
        );
    }
}

#[test]
fn history_reads_are_the_reads_of_other_dates() {
    let history = history_reads();
    let names: Vec<&str> = history.iter().map(|(n, _)| *n).collect();
    assert!(names.contains(&"ensemble") && names.contains(&"nbac_player_boxscore"));
    assert!(!names.contains(&"raw_nbac_schedule"));
    for (name, tables) in &history {
        let spec = get(name).unwrap();
        for t in tables {
            assert!(reads_across_dates(&spec, t), "{name} {t}");
        }
    }
}

#[test]
fn kinds_follow_phases() {
    for s in specs() {
        let expected: &[Kind] = match s.phase {
            1 => &[Kind::Scrape],
            5 => &[Kind::PerDate, Kind::Batched],
            _ => &[Kind::Process],
        };
        assert!(expected.contains(&s.kind), "{} is {:?}", s.name, s.kind);
    }
    assert_eq!(get("gbm_train").unwrap().kind, Kind::PerDate);
    assert!(is_batched(&get("ensemble").unwrap()));
}

#[test]
fn every_gate_reads_tables_some_spec_writes_and_runs_after_a_day_phase() {
    let written: HashSet<&str> = specs()
        .iter()
        .flat_map(|s| s.writes.iter().copied())
        .collect();
    for g in gates() {
        assert!((2..=5).contains(&g.phase), "gate {}", g.phase);
        assert!(!g.checks.is_empty());
        for r in g.reads {
            assert!(
                written.contains(r.table()) || IMPORTED_SOURCES.contains(&r.table()),
                "{r:?}"
            );
        }
    }
}

#[test]
fn dates_of_a_merged_step_keeps_each_level_and_gates_game_dates_only() {
    let plan = crate::BackfillPlan {
        game_dates: vec!["2025-01-06".into()],
        after_game_dates: vec!["2025-01-07".into()],
        steps: backfill_steps(1, 5),
        warnings: vec![],
    };
    let merged = plan.steps.iter().find(|s| s.phase == 2).unwrap();
    let dates = dates_of(&plan, merged);
    assert_eq!(dates.len(), 2);
    let (game, after) = (&dates[0], &dates[1]);
    assert_eq!((game.parts[0].phase, game.parts[1].phase), (1, 2));
    // The day after runs only the day-before fetches and their parsing.
    assert!(after.parts[0]
        .processors
        .contains(&"nbac_player_boxscore".to_string()));
    assert!(!after.parts[0]
        .processors
        .contains(&"oddsa_player_props".to_string()));
    assert!(after.parts[1]
        .processors
        .contains(&"raw_nbac_player_boxscores".to_string()));
    let p3 = plan
        .steps
        .iter()
        .find(|s| s.phase == 3 && s.level == 1)
        .unwrap();
    let dates = dates_of(&plan, p3);
    assert_eq!(dates[0].gate_before, 2);
    assert_eq!(dates[1].gate_before, 0, "gates run on game dates");
}

#[test]
fn an_injury_rerun_runs_only_what_reads_the_updates() {
    let plan = rerun_plan(&["raw_injury_updates"]);
    let names = |phase: u32| -> Vec<String> {
        plan.phases
            .iter()
            .filter(|p| p.phase == phase)
            .flat_map(|p| p.levels.iter().flat_map(|l| l.processors.clone()))
            .collect()
    };
    assert_eq!(names(2), vec!["raw_injury_updates"]);
    let p3 = names(3);
    assert!(p3.contains(&"upcoming_player_game_context".to_string()));
    assert!(p3.contains(&"upcoming_team_game_context".to_string()));
    assert!(!p3.contains(&"player_game_summary".to_string()), "{p3:?}");
    let p4 = names(4);
    assert!(p4.contains(&"ml_feature_store".to_string()), "{p4:?}");
    let p5 = names(5);
    assert!(p5.contains(&"ensemble".to_string()), "{p5:?}");
    assert!(!p5.contains(&"gbm_train".to_string()), "{p5:?}");
    // Levels stay in order and each keeps its registry number.
    for p in &plan.phases {
        let lv: Vec<u32> = p.levels.iter().map(|l| l.level).collect();
        let mut sorted = lv.clone();
        sorted.sort();
        assert_eq!(lv, sorted);
    }
}

#[test]
fn names_and_activity_ids_are_unique() {
    let mut names = HashSet::new();
    let mut ids = HashSet::new();
    for s in specs() {
        assert!(names.insert(s.name), "duplicate processor name {}", s.name);
        assert!(
            ids.insert(s.activity_id()),
            "duplicate activity id {}",
            s.name
        );
    }
}

#[test]
fn every_table_has_exactly_one_writer() {
    let mut writers: HashMap<&str, &str> = HashMap::new();
    for s in specs() {
        for w in s.writes.iter().filter(|w| !SHARED_TABLES.contains(w)) {
            if let Some(other) = writers.insert(w, s.name) {
                panic!("{w} written by both {other} and {}", s.name);
            }
        }
    }
}

/// Every read is produced strictly earlier: an earlier phase, or an earlier level of the
/// same phase. This is what makes the graph acyclic and the fan-out order valid. (A
/// processor may read its own rows of earlier dates: the ensemble's history.)
#[test]
fn every_read_comes_from_an_earlier_phase_or_level() {
    let all = specs();
    for s in &all {
        for r in s
            .tables_read()
            .into_iter()
            .filter(|r| !IMPORTED_SOURCES.contains(r) && !SIGNALLED_SOURCES.contains(r))
        {
            let r = &r;
            let writer = all
                .iter()
                .filter(|w| w.writes.contains(r) && w.name != s.name)
                .max_by_key(|w| (w.phase, w.level))
                .unwrap_or_else(|| panic!("{} reads {r}, which nothing writes", s.name));
            assert!(
                (writer.phase, writer.level) < (s.phase, s.level),
                "{} (phase {} level {}) reads {r} from {} (phase {} level {})",
                s.name,
                s.phase,
                s.level,
                writer.name,
                writer.phase,
                writer.level
            );
        }
    }
}

#[test]
fn every_phase_has_a_processor_and_sources_read_only_raw_payloads() {
    for p in PHASES {
        assert!(!phase(p).is_empty(), "phase {p} is empty");
    }
    assert!(phase(1)
        .iter()
        .all(|s| s.tables_read().iter().all(|r| r.starts_with("raw:"))));
}

/// Grading runs on its own workflow after the day: never in a day's plan, and its
/// activity id is `grade.prediction_grades`.
#[test]
fn grading_is_phase_6_and_outside_the_day() {
    let spec = get("prediction_grades").unwrap();
    assert_eq!(spec.phase, GRADING_PHASE);
    assert!(!PHASES.contains(&GRADING_PHASE));
    assert_eq!(spec.activity_id(), "grade.prediction_grades");
    assert_eq!(phase(GRADING_PHASE), vec![spec]);
    let plan = day_plan();
    assert_eq!(
        plan.phases.iter().map(|p| p.phase).collect::<Vec<_>>(),
        PHASES.to_vec()
    );
    assert!(plan
        .phases
        .iter()
        .flat_map(|p| p.levels.iter())
        .all(|l| !l.processors.iter().any(|n| n == "prediction_grades")));
    // Every spec's phase is a day phase or grading: nothing else has a prefix.
    assert!(specs()
        .iter()
        .all(|s| PHASES.contains(&s.phase) || s.phase == GRADING_PHASE));
    assert!(specs().iter().all(|s| phase_prefix(s.phase) != "unknown"));
}

#[test]
fn levels_are_ordered() {
    let l = levels(4);
    assert!(l.windows(2).all(|w| w[0][0].level < w[1][0].level));
    assert_eq!(by_activity_id("raw.raw_nbac_schedule").unwrap().phase, 2);
}

/// docs/architecture.md holds the tables `nbaprops registry --markdown` prints, between the
/// markers.
#[test]
fn the_docs_hold_the_generated_registry_tables() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/architecture.md");
    let doc = std::fs::read_to_string(path).unwrap();
    let held = markdown::generated_part(&doc)
        .unwrap_or_else(|| panic!("{path} has no generated registry tables between the markers"));
    assert!(
        held == markdown().trim_matches('\n'),
        "{path} differs from `nbaprops registry --markdown`: paste its output between the markers"
    );
}
