use super::*;

use crate::analytics::player_game_summary::GameSummaryRow;
use crate::precompute::ml_feature_store::{feature_hash, FeatureRow, FEATURE_NAMES};
use crate::raw::test_support::temp_deps;
use crate::storage::warehouse::WriteMeta;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, PutPayload};

/// The feature the synthetic target depends on: `l10_minus_line`.
const K: usize = 7;

/// splitmix64: a small deterministic generator for synthetic data.
struct Rng(u64);
impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
    fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.uniform()).sum::<f64>() - 6.0
    }
}

fn date(day: usize) -> String {
    (chrono::NaiveDate::from_ymd_opt(2024, 10, 22).unwrap() + chrono::Days::new(day as u64))
        .format("%Y-%m-%d")
        .to_string()
}

/// `n` rows, `per_day` players a date: actual = line + 3·feature K + noise (sd 3), other
/// features noise with a tenth missing, the line always present as feature 0.
fn synthetic(n: usize, per_day: usize, seed: u64) -> Vec<TrainingRow> {
    let mut rng = Rng(seed);
    (0..n)
        .map(|i| {
            let line = (8.0 + 22.0 * rng.uniform()).round() + 0.5;
            let signal = 4.0 * rng.uniform() - 2.0;
            let mut features: Vec<Option<f64>> = (0..FEATURE_NAMES.len())
                .map(|_| (rng.uniform() >= 0.1).then(|| rng.normal()))
                .collect();
            features[0] = Some(line);
            features[K] = Some(signal);
            let actual = (line + 3.0 * signal + 3.0 * rng.normal()).round().max(0.0);
            TrainingRow {
                game_date: date(i / per_day),
                player_id: 1000 + (i % per_day) as i64,
                features,
                line,
                actual_points: actual,
            }
        })
        .collect()
}

fn features_with(k_value: f64, line: f64) -> Vec<Option<f64>> {
    let mut f = vec![None; FEATURE_NAMES.len()];
    f[0] = Some(line);
    f[K] = Some(k_value);
    f
}

#[test]
fn gbm_learns_the_correction_and_beats_the_line() {
    let rows = synthetic(3000, 30, 7);
    let model = train(&rows, &date(200)).unwrap();
    assert_eq!(model.training_rows, 3000);
    assert_eq!(model.first_training_date, date(0));
    assert_eq!(model.last_training_date, date(99));
    assert!(model.in_sample_mae < model.line_mae, "{model:?}");

    // The prediction moves with the feature, in the right direction, about 3 points a unit.
    let low = predict(&model, &features_with(-1.5, 20.5), 20.5).unwrap();
    let mid = predict(&model, &features_with(0.0, 20.5), 20.5).unwrap();
    let high = predict(&model, &features_with(1.5, 20.5), 20.5).unwrap();
    assert!(low < mid && mid < high, "{low} {mid} {high}");
    assert!(high - low > 5.0, "{low} {high}");
    assert!((mid - 20.5).abs() < 1.5, "{mid}");

    // Out of sample, the model is closer to what happened than the line.
    let test = synthetic(1000, 30, 99);
    let (mut model_err, mut line_err) = (0.0, 0.0);
    for r in &test {
        let p = predict(&model, &r.features, r.line).unwrap();
        assert!((0.0..=MAX_POINTS).contains(&p));
        model_err += (p - r.actual_points).abs();
        line_err += (r.line - r.actual_points).abs();
    }
    assert!(
        model_err < 0.85 * line_err,
        "model MAE {} vs line MAE {}",
        model_err / 1000.0,
        line_err / 1000.0
    );

    // Clamped to 0..=80, and a wrong vector is refused.
    assert_eq!(
        predict(&model, &features_with(-2.0, 0.5), 0.5).unwrap(),
        0.0
    );
    assert_eq!(
        predict(&model, &features_with(2.0, 95.5), 95.5).unwrap(),
        80.0
    );
    assert!(predict(&model, &[Some(1.0)], 20.5).is_err());
    assert!(predict(&model, &features_with(0.0, 20.5), f64::NAN).is_err());
}

#[test]
fn gbm_aims_at_the_median_not_the_mean() {
    // The residual is 3·feature K plus small noise, and on one game in five a blow-out +15:
    // at K = 0 its mean is +3 and its median about 0. A squared-loss fit would sit near +3.
    let mut rows = synthetic(3000, 30, 11);
    let mut rng = Rng(5);
    for r in &mut rows {
        let k = r.features[K].unwrap();
        let blowout = if rng.uniform() < 0.2 { 15.0 } else { 0.0 };
        r.actual_points = r.line + 3.0 * k + 0.5 * rng.normal() + blowout;
    }
    let model = train(&rows, &date(200)).unwrap();
    let mid = predict(&model, &features_with(0.0, 20.5), 20.5).unwrap();
    assert!(
        (mid - 20.5).abs() < 1.0,
        "median 20.5, mean 23.5, predicted {mid}"
    );
    let high = predict(&model, &features_with(1.5, 20.5), 20.5).unwrap();
    assert!(high - mid > 2.5, "{mid} {high}");
}

#[test]
fn median_weights_shrink_big_misses_and_average_one() {
    let w = super::model::median_weights(&[0.0, 0.5, 10.0], &[0.0, 0.0, 0.0]);
    // Misses 0 and 0.5 are floored at 1 point: equal weight; a 10-point miss weighs a tenth.
    assert!((w[0] - w[1]).abs() < 1e-12);
    assert!((w[2] / w[0] - 0.1).abs() < 1e-12);
    assert!((w.iter().sum::<f64>() / 3.0 - 1.0).abs() < 1e-12);
}

#[test]
fn gbm_training_is_deterministic_in_any_row_order() {
    let rows = synthetic(600, 20, 3);
    let a = to_bytes(&train(&rows, &date(100)).unwrap()).unwrap();
    let mut shuffled = rows.clone();
    shuffled.reverse();
    let mut rng = Rng(11);
    for i in (1..shuffled.len()).rev() {
        let j = (rng.uniform() * (i + 1) as f64) as usize;
        shuffled.swap(i, j);
    }
    let b = to_bytes(&train(&shuffled, &date(100)).unwrap()).unwrap();
    assert!(a == b, "shuffled rows gave different bytes");
    assert_eq!(content_hash(&a), content_hash(&b));
    // Different data: a different model.
    let c = to_bytes(&train(&rows[1..], &date(100)).unwrap()).unwrap();
    assert_ne!(content_hash(&a), content_hash(&c));
}

#[test]
fn gbm_too_few_rows_and_bad_rows_are_refused() {
    let rows = synthetic(MIN_TRAINING_ROWS - 1, 20, 5);
    let e = train(&rows, &date(100)).unwrap_err().to_string();
    assert!(
        e.contains("199 training rows") && e.contains("200 needed"),
        "{e}"
    );
    assert!(too_few_rows(MIN_TRAINING_ROWS, "2025-01-01").is_none());

    // A row on or after the date it trains for breaks point in time.
    let rows = synthetic(300, 20, 5);
    let e = train(&rows, &date(10)).unwrap_err().to_string();
    assert!(e.contains("point in time"), "{e}");
    let mut rows = synthetic(300, 20, 5);
    rows[3].features.pop();
    assert!(train(&rows, &date(100)).is_err());
}

#[test]
fn gbm_artifact_round_trips() {
    let rows = synthetic(400, 20, 9);
    let model = train(&rows, &date(100)).unwrap();
    let bytes = to_bytes(&model).unwrap();
    let back = from_bytes(&bytes).unwrap();
    assert_eq!(to_bytes(&back).unwrap(), bytes);
    assert_eq!(back.trained_for, date(100));
    assert_eq!(back.feature_version, FEATURE_VERSION);
    assert_eq!(back.feature_names.len(), FEATURE_NAMES.len());
    for r in rows.iter().take(50) {
        assert_eq!(
            predict(&model, &r.features, r.line).unwrap(),
            predict(&back, &r.features, r.line).unwrap()
        );
    }
    let e = from_bytes(b"{\"format\":1}").unwrap_err().to_string();
    assert!(e.contains("bad model artifact"), "{e}");
    let e = from_bytes(&bytes[..bytes.len() / 2])
        .unwrap_err()
        .to_string();
    assert!(e.contains("bad model artifact"), "{e}");
    assert_eq!(model_version("0123456789abcdef"), "gbm-0123456789ab");
    assert_eq!(object_key("ab"), "models/gbm/ab.bin");
}

fn meta() -> WriteMeta {
    WriteMeta {
        correlation_id: "test".into(),
        now: "2025-01-01T00:00:00Z".into(),
    }
}

/// Writes the synthetic rows into `ml_feature_store` and `player_game_summary`, a date at a
/// time. Player 1000 of each date did not play (0 minutes) and player 1001 has no game.
async fn seed(deps: &Deps, rows: &[TrainingRow]) {
    let mut dates: Vec<&str> = rows.iter().map(|r| r.game_date.as_str()).collect();
    dates.dedup();
    for d in dates {
        let day: Vec<&TrainingRow> = rows.iter().filter(|r| r.game_date == d).collect();
        let features: Vec<FeatureRow> = day
            .iter()
            .map(|r| FeatureRow {
                game_date: d.to_string(),
                player_id: r.player_id,
                player_name: format!("p{}", r.player_id),
                team: "BOS".into(),
                opponent: Some("NYK".into()),
                feature_version: FEATURE_VERSION,
                feature_count: r.features.len() as i64,
                features: serde_json::to_string(&r.features).unwrap(),
                missing_count: r.features.iter().filter(|v| v.is_none()).count() as i64,
                feature_hash: feature_hash(&r.features),
            })
            .collect();
        let games: Vec<GameSummaryRow> = day
            .iter()
            .filter(|r| r.player_id != 1001)
            .map(|r| {
                let minutes = if r.player_id == 1000 { 0.0 } else { 30.0 };
                GameSummaryRow::sample(d, r.player_id, r.actual_points as i64, minutes)
            })
            .collect();
        deps.warehouse
            .write_partition(d, None, &features, &meta())
            .await
            .unwrap();
        deps.warehouse
            .write_partition(d, None, &games, &meta())
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn gbm_loads_point_in_time_rows_of_players_who_played() {
    let (_dir, deps) = temp_deps().await;
    let rows = synthetic(20 * 12, 12, 21);
    seed(&deps, &rows).await;
    let got = load_training_rows(&deps, &date(10)).await.unwrap();
    // 10 dates before, 12 players a date, less the one who did not play and the one
    // without a game.
    assert_eq!(got.len(), 10 * 10);
    assert!(got.iter().all(|r| r.game_date < date(10)));
    assert!(got
        .iter()
        .all(|r| r.player_id != 1000 && r.player_id != 1001));
    let expected: Vec<&TrainingRow> = rows
        .iter()
        .filter(|r| r.game_date < date(10) && r.player_id > 1001)
        .collect();
    assert_eq!(got.iter().collect::<Vec<_>>(), expected);
    assert!(load_training_rows(&deps, "not a date").await.is_err());
}

#[tokio::test]
async fn gbm_train_for_date_is_idempotent_point_in_time_and_checked() {
    let (_dir, deps) = temp_deps().await;
    let per_day = 25;
    let rows = synthetic(40 * per_day, per_day, 42);
    seed(&deps, &rows[..30 * per_day]).await;
    let d = date(30);

    // Too few rows before an early date: no model, and a reason.
    let early = train_for_date(&deps, &date(5), "2025-01-02T00:00:00Z", Cadence::Daily)
        .await
        .unwrap();
    match &early {
        TrainOutcome::Skipped {
            training_rows,
            reason,
        } => {
            assert_eq!(*training_rows, 5 * (per_day - 2));
            assert!(reason.contains("200 needed"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert!(early.artifact().is_none());
    assert!(load_for_date(&deps, &date(5)).await.unwrap().is_none());

    let first = train_for_date(&deps, &d, "2025-01-02T00:00:00Z", Cadence::Daily)
        .await
        .unwrap();
    let first = first.artifact().unwrap().clone();
    assert!(first.created);
    assert_eq!(first.training_rows, 30 * (per_day - 2) as i64);
    assert_eq!(
        first.model_version,
        format!("gbm-{}", &first.content_hash[..12])
    );
    assert_eq!(first.object_key, object_key(&first.content_hash));

    // Another warehouse with the same data: the same artifact and the same row hash.
    let (_dir2, other) = temp_deps().await;
    seed(&other, &rows[..30 * per_day]).await;
    let twin = train_for_date(&other, &d, "2025-02-01T00:00:00Z", Cadence::Daily)
        .await
        .unwrap();
    assert_eq!(twin.artifact().unwrap().content_hash, first.content_hash);
    let row_hash = |deps: Deps| async move {
        crate::storage::queries::testing::scalar::<String>(
            &deps.warehouse,
            crate::storage::sql::Sql::new("SELECT row_hash FROM model_artifacts"),
        )
        .await
        .unwrap()
    };
    assert_eq!(row_hash(other).await, row_hash(deps.clone()).await);

    // Again on the same data: the same artifact, nothing new written.
    let again = train_for_date(&deps, &d, "2025-01-03T00:00:00Z", Cadence::Daily)
        .await
        .unwrap();
    let again = again.artifact().unwrap().clone();
    assert!(!again.created);
    assert_eq!(again.content_hash, first.content_hash);
    let created_at: String = crate::storage::queries::testing::scalar(
        &deps.warehouse,
        crate::storage::sql::Sql::new(
            "SELECT created_at FROM model_artifacts WHERE system = 'gbm' AND trained_for = ?",
        )
        .bind(&d),
    )
    .await
    .unwrap();
    assert_eq!(created_at, "2025-01-02T00:00:00Z");

    // Point in time: rows on and after the date change nothing.
    seed(&deps, &rows[30 * per_day..]).await;
    let later = train_for_date(&deps, &d, "2025-01-04T00:00:00Z", Cadence::Daily)
        .await
        .unwrap();
    assert_eq!(later.artifact().unwrap().content_hash, first.content_hash);
    assert!(!later.artifact().unwrap().created);

    // The recorded model loads, checked, and predicts.
    let (artifact, model) = load_for_date(&deps, &d).await.unwrap().unwrap();
    assert_eq!(artifact.content_hash, first.content_hash);
    assert_eq!(artifact.model_version, first.model_version);
    assert!(!artifact.created);
    assert_eq!(model.trained_for, d);
    assert_eq!(model.last_training_date, date(29));
    let p = predict(&model, &rows[0].features, rows[0].line).unwrap();
    assert!((0.0..=MAX_POINTS).contains(&p));

    // Changed data before the date: a new model replaces the date's row; the old artifact
    // stays in the store.
    let mut changed = rows[..per_day].to_vec();
    for r in &mut changed {
        r.actual_points += 5.0;
    }
    seed(&deps, &changed).await;
    let retrained = train_for_date(&deps, &d, "2025-01-05T00:00:00Z", Cadence::Daily)
        .await
        .unwrap();
    let retrained = retrained.artifact().unwrap().clone();
    assert!(retrained.created);
    assert_ne!(retrained.content_hash, first.content_hash);
    let count: i64 = crate::storage::queries::testing::scalar(
        &deps.warehouse,
        crate::storage::sql::Sql::new("SELECT COUNT(*) FROM model_artifacts"),
    )
    .await
    .unwrap();
    assert_eq!(count, 1);
    let store = deps.raw.object_store();
    for key in [&first.object_key, &retrained.object_key] {
        store.head(&ObjectPath::from(key.as_str())).await.unwrap();
    }
    let (loaded, _) = load_for_date(&deps, &d).await.unwrap().unwrap();
    assert_eq!(loaded.content_hash, retrained.content_hash);

    // Tampered bytes: a clear error naming the date and the key.
    let path = ObjectPath::from(retrained.object_key.as_str());
    let mut bytes = store
        .get(&path)
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let at = bytes.len() / 2;
    bytes[at] = if bytes[at] == b'1' { b'2' } else { b'1' };
    store.put(&path, PutPayload::from(bytes)).await.unwrap();
    let e = load_for_date(&deps, &d).await.unwrap_err().to_string();
    assert!(e.contains("bad model artifact"), "{e}");
    assert!(e.contains(&d) && e.contains(&retrained.object_key), "{e}");

    // Training again repairs the damaged object.
    let repaired = train_for_date(&deps, &d, "2025-01-06T00:00:00Z", Cadence::Daily)
        .await
        .unwrap();
    assert!(!repaired.artifact().unwrap().created);
    assert!(load_for_date(&deps, &d).await.unwrap().is_some());

    // A missing object is an error too.
    store.delete(&path).await.unwrap();
    let e = load_for_date(&deps, &d).await.unwrap_err().to_string();
    assert!(
        e.contains("bad model artifact") && e.contains("missing"),
        "{e}"
    );
}

#[tokio::test]
async fn gbm_weekly_cadence_shares_the_monday_model_across_the_week() {
    let (_dir, deps) = temp_deps().await;
    let per_day = 25;
    let rows = synthetic(31 * per_day, per_day, 42);
    seed(&deps, &rows).await;
    // date(0) is Tuesday 2024-10-22: date(27) is Monday 2024-11-18, date(30) its Thursday.
    let monday = date(27);
    assert_eq!(training_date(&date(30), Cadence::Weekly).unwrap(), monday);
    assert_eq!(training_date(&monday, Cadence::Weekly).unwrap(), monday);
    assert_eq!(training_date(&date(30), Cadence::Daily).unwrap(), date(30));

    let now = "2025-01-02T00:00:00Z";
    let live_monday = train_for_date(&deps, &monday, now, Cadence::Daily)
        .await
        .unwrap();
    let live_monday = live_monday.artifact().unwrap().clone();
    for day in [28, 30] {
        let weekly = train_for_date(&deps, &date(day), now, Cadence::Weekly)
            .await
            .unwrap();
        let weekly = weekly.artifact().unwrap().clone();
        // The week's dates get the bytes the live Monday got, recorded as their own.
        assert_eq!(weekly.content_hash, live_monday.content_hash);
        assert_eq!(weekly.trained_for, date(day));
        assert!(weekly.created);
        let (artifact, model) = load_for_date(&deps, &date(day)).await.unwrap().unwrap();
        assert_eq!(artifact.content_hash, live_monday.content_hash);
        assert_eq!(model.trained_for, monday);
        assert_eq!(model.last_training_date, date(26));
    }
    // The daily model of a weekday is a different one, trained on the days since Monday too.
    let daily = train_for_date(&deps, &date(30), now, Cadence::Daily)
        .await
        .unwrap();
    assert_ne!(
        daily.artifact().unwrap().content_hash,
        live_monday.content_hash
    );
    // Too little history before the week's Monday: no model, the reason names the week.
    let early = train_for_date(&deps, &date(8), now, Cadence::Weekly)
        .await
        .unwrap();
    match early {
        TrainOutcome::Skipped { reason, .. } => {
            assert!(reason.contains("week"), "{reason}")
        }
        other => panic!("{other:?}"),
    }
}

/// Training time on 2,000 and 20,000 rows: `cargo test -p nbaprops-activities
/// gbm_training_time -- --ignored --nocapture`. The artifact hashes printed must not depend
/// on the machine or on `RAYON_NUM_THREADS`.
#[test]
#[ignore]
fn gbm_training_time() {
    for n in [2_000, 20_000] {
        let rows = synthetic(n, 100, 1);
        let start = std::time::Instant::now();
        let model = train(&rows, &date(1000)).unwrap();
        let elapsed = start.elapsed();
        let test = synthetic(2_000, 100, 2);
        let out_of_sample = test
            .iter()
            .map(|r| (predict(&model, &r.features, r.line).unwrap() - r.actual_points).abs())
            .sum::<f64>()
            / test.len() as f64;
        let line = test
            .iter()
            .map(|r| (r.line - r.actual_points).abs())
            .sum::<f64>()
            / test.len() as f64;
        println!(
            "{n} rows: trained in {elapsed:.2?}; MAE in sample {:.3} (line {:.3}), \
             out of sample {out_of_sample:.3} (line {line:.3}); artifact {}",
            model.in_sample_mae,
            model.line_mae,
            content_hash(&to_bytes(&model).unwrap())
        );
    }
}
