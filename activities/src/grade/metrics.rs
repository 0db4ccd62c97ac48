//! Grading arithmetic, pure: American odds, the result of a call against the line, the Wilson
//! interval of a hit rate, and a [`Summary`] of many graded predictions (accuracy, betting
//! record, ROI, and the record restricted to edges of at least a threshold).
//!
//! Conventions, the same everywhere (the `prediction_grades` table, the grading workflow's
//! result, the backtest report):
//! - a **void** is a prediction for a player who did not play (no box-score row, or 0
//!   minutes): it has no error and is no bet (the stake would be returned);
//! - a **bet** is an OVER / UNDER call that is not void; it wins, loses, or pushes (the points
//!   equal the line, possible only with whole-number lines);
//! - **hit rate** = wins / (wins + losses): pushes are neither; its Wilson interval uses the
//!   same n;
//! - **profit** in units staked: a win pays [`profit_per_unit`] at the side's American odds
//!   (a missing or invalid price counts as [`DEFAULT_PRICE`]; every bet whose side had no
//!   price is counted in `default_priced`), a loss costs 1, a push 0;
//! - **ROI** = profit / bets (pushes included: their stake was risked and returned).

use std::fmt;

use serde::{Deserialize, Serialize};

/// The price assumed when the sportsbook gave none for the side: the standard -110.
pub const DEFAULT_PRICE: i64 = -110;

/// The z of a two-sided 95% interval, as conventionally rounded.
pub const Z95: f64 = 1.96;

/// Edge thresholds (points) a report shows by default.
pub const EDGE_THRESHOLDS: &[f64] = &[0.5, 1.0, 1.5, 2.0, 3.0, 5.0];

/// Two points within this are equal (edges and lines are stored to two decimals).
const EPS: f64 = 1e-9;

/// Whether `odds` are American odds: at most -100 or at least +100.
pub fn valid_american(odds: i64) -> bool {
    odds >= 100 || odds <= -100
}

/// What a winning one-unit bet at these American odds pays on top of the stake: +150 pays
/// 1.5, -110 pays 100/110 = 0.9091. Odds that are not American odds (between -100 and +100)
/// are priced at [`DEFAULT_PRICE`].
pub fn profit_per_unit(american_odds: i64) -> f64 {
    let odds = if valid_american(american_odds) {
        american_odds
    } else {
        DEFAULT_PRICE
    };
    if odds > 0 {
        odds as f64 / 100.0
    } else {
        100.0 / (-odds) as f64
    }
}

/// The Wilson score interval of `wins` successes in `n` trials at normal quantile `z` (use
/// [`Z95`] for 95%), clamped to [0, 1]. With no trials it is the uninformative (0, 1).
pub fn wilson_interval(wins: u32, n: u32, z: f64) -> (f64, f64) {
    if n == 0 {
        return (0.0, 1.0);
    }
    let n = n as f64;
    let p = wins as f64 / n;
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    ((center - half).max(0.0), (center + half).min(1.0))
}

/// A side of a points line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Side {
    Over,
    Under,
}

impl Side {
    /// The side of a recommendation: OVER, UNDER; PASS (or anything else) is no bet.
    pub fn of_recommendation(recommendation: &str) -> Option<Side> {
        match recommendation {
            "OVER" => Some(Side::Over),
            "UNDER" => Some(Side::Under),
            _ => None,
        }
    }

    /// The side an edge points to (predicted - line): positive OVER, negative UNDER, zero none.
    pub fn of_edge(edge: f64) -> Option<Side> {
        if edge > EPS {
            Some(Side::Over)
        } else if edge < -EPS {
            Some(Side::Under)
        } else {
            None
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Side::Over => "OVER",
            Side::Under => "UNDER",
        }
    }
}

/// How a prediction resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Outcome {
    Win,
    Loss,
    Push,
    /// A PASS: graded for accuracy, no bet.
    NoBet,
    /// He did not play: neither accuracy nor bet.
    Void,
}

impl Outcome {
    /// As stored in `prediction_grades.result`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Win => "WIN",
            Outcome::Loss => "LOSS",
            Outcome::Push => "PUSH",
            Outcome::NoBet => "NO_BET",
            Outcome::Void => "VOID",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Some(match s {
            "WIN" => Outcome::Win,
            "LOSS" => Outcome::Loss,
            "PUSH" => Outcome::Push,
            "NO_BET" => Outcome::NoBet,
            "VOID" => Outcome::Void,
            _ => return None,
        })
    }
}

/// A bet on `side` of `line` settled against the points scored.
pub fn settle(side: Side, line: f64, actual: f64) -> Outcome {
    if (actual - line).abs() < EPS {
        Outcome::Push
    } else if (actual > line) == (side == Side::Over) {
        Outcome::Win
    } else {
        Outcome::Loss
    }
}

/// One prediction and what happened: the input of grading and of [`Summary`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pick {
    pub predicted_points: f64,
    pub line: f64,
    /// predicted - line, as the system reported it.
    pub edge: f64,
    /// The call: `None` for PASS.
    pub side: Option<Side>,
    /// American odds offered for each side of the line; `None` when the book gave none.
    pub over_price: Option<i64>,
    pub under_price: Option<i64>,
    /// The points he scored; `None` when he did not play (void).
    pub actual_points: Option<f64>,
}

/// A pick's bet on one side, settled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bet {
    pub outcome: Outcome,
    /// Units won or lost: `Some` for WIN and LOSS only.
    pub profit: Option<f64>,
    /// The side's price was missing or invalid ([`DEFAULT_PRICE`] pays a win).
    pub default_priced: bool,
}

impl Pick {
    /// The American odds offered for a side (`None` when missing or invalid).
    pub fn price(&self, side: Side) -> Option<i64> {
        match side {
            Side::Over => self.over_price,
            Side::Under => self.under_price,
        }
        .filter(|p| valid_american(*p))
    }

    /// A bet on `side` (or no bet), settled: VOID when he did not play.
    pub fn bet_on(&self, side: Option<Side>) -> Bet {
        let Some(actual) = self.actual_points else {
            return Bet {
                outcome: Outcome::Void,
                profit: None,
                default_priced: false,
            };
        };
        let Some(side) = side else {
            return Bet {
                outcome: Outcome::NoBet,
                profit: None,
                default_priced: false,
            };
        };
        let price = self.price(side);
        let outcome = settle(side, self.line, actual);
        let profit = match outcome {
            Outcome::Win => Some(profit_per_unit(price.unwrap_or(DEFAULT_PRICE))),
            Outcome::Loss => Some(-1.0),
            _ => None,
        };
        Bet {
            outcome,
            profit,
            default_priced: price.is_none(),
        }
    }

    /// The system's own call, settled.
    pub fn grade(&self) -> Bet {
        self.bet_on(self.side)
    }

    /// predicted - actual; `None` when void.
    pub fn error(&self) -> Option<f64> {
        self.actual_points.map(|a| self.predicted_points - a)
    }
}

/// A betting record.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// Settled bets: wins + losses + pushes.
    pub bets: u32,
    pub wins: u32,
    pub losses: u32,
    pub pushes: u32,
    /// Bets on the call's side whose player did not play (refunded, not in `bets`).
    pub voided: u32,
    /// Bets whose side had no (valid) price: a win among them is paid at [`DEFAULT_PRICE`].
    pub default_priced: u32,
    /// Units won (negative: lost).
    pub profit: f64,
    /// wins / (wins + losses); `None` without a decided bet.
    pub hit_rate: Option<f64>,
    /// Wilson 95% interval of the hit rate.
    pub hit_rate_lo: Option<f64>,
    pub hit_rate_hi: Option<f64>,
    /// profit / bets; `None` without a bet.
    pub roi: Option<f64>,
}

impl Record {
    fn add(&mut self, bet: &Bet) {
        match bet.outcome {
            Outcome::Win => self.wins += 1,
            Outcome::Loss => self.losses += 1,
            Outcome::Push => self.pushes += 1,
            Outcome::Void => {
                self.voided += 1;
                return;
            }
            Outcome::NoBet => return,
        }
        self.bets += 1;
        self.profit += bet.profit.unwrap_or(0.0);
        self.default_priced += bet.default_priced as u32;
    }

    fn finish(mut self) -> Self {
        let decided = self.wins + self.losses;
        if decided > 0 {
            let (lo, hi) = wilson_interval(self.wins, decided, Z95);
            self.hit_rate = Some(self.wins as f64 / decided as f64);
            self.hit_rate_lo = Some(lo);
            self.hit_rate_hi = Some(hi);
        }
        if self.bets > 0 {
            self.roi = Some(self.profit / self.bets as f64);
        }
        self
    }

    fn of(bets: impl IntoIterator<Item = Bet>) -> Self {
        let mut r = Record::default();
        for b in bets {
            r.add(&b);
        }
        r.finish()
    }
}

/// The record of betting every pick whose |edge| is at least `threshold` on the side of its
/// edge, whatever the system recommended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EdgeRecord {
    pub threshold: f64,
    #[serde(flatten)]
    pub record: Record,
}

/// Accuracy and betting record of a set of graded predictions.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Predictions summarised, voids included.
    pub count: u32,
    /// Predictions whose player played (graded for accuracy).
    pub graded: u32,
    pub voids: u32,
    /// Mean |predicted - actual| over the graded; `None` when none were.
    pub mae: Option<f64>,
    /// Mean (predicted - actual): positive means predicting too high.
    pub bias: Option<f64>,
    /// Mean |line - actual|: the line's own accuracy, to compare `mae` with.
    pub line_mae: Option<f64>,
    /// Share of the graded within 3 and within 5 points of the actual.
    pub within_3: Option<f64>,
    pub within_5: Option<f64>,
    /// The system's own calls (OVER / UNDER; PASS is no bet).
    #[serde(flatten)]
    pub record: Record,
    /// The record at each edge threshold asked for (see [`EdgeRecord`]).
    pub by_edge: Vec<EdgeRecord>,
}

impl Summary {
    /// Summarises `picks`, with the record at each of `edge_thresholds` (may be empty).
    pub fn of(picks: &[Pick], edge_thresholds: &[f64]) -> Summary {
        let errors: Vec<(f64, f64)> = picks
            .iter()
            .filter_map(|p| {
                p.actual_points
                    .map(|a| (p.predicted_points - a, p.line - a))
            })
            .collect();
        let n = errors.len();
        let mean = |f: &dyn Fn(&(f64, f64)) -> f64| {
            (n > 0).then(|| errors.iter().map(f).sum::<f64>() / n as f64)
        };
        let share = |limit: f64| mean(&|e: &(f64, f64)| (e.0.abs() <= limit + EPS) as u8 as f64);
        Summary {
            count: picks.len() as u32,
            graded: n as u32,
            voids: (picks.len() - n) as u32,
            mae: mean(&|e| e.0.abs()),
            bias: mean(&|e| e.0),
            line_mae: mean(&|e| e.1.abs()),
            within_3: share(3.0),
            within_5: share(5.0),
            record: Record::of(picks.iter().map(Pick::grade)),
            by_edge: by_edge(picks, edge_thresholds),
        }
    }
}

/// The record of betting the side of the edge on every pick with |edge| >= t, for each t.
pub fn by_edge(picks: &[Pick], thresholds: &[f64]) -> Vec<EdgeRecord> {
    thresholds
        .iter()
        .map(|&t| EdgeRecord {
            threshold: t,
            record: Record::of(
                picks
                    .iter()
                    .filter(|p| p.edge.abs() + EPS >= t)
                    .filter_map(|p| Side::of_edge(p.edge).map(|side| p.bet_on(Some(side)))),
            ),
        })
        .collect()
}

/// A rate for a table: `-` when there is none.
pub fn opt(x: Option<f64>, scale: f64, decimals: usize) -> String {
    x.map_or_else(
        || "-".to_string(),
        |v| format!("{:.*}", decimals, v * scale),
    )
}

impl fmt::Display for Record {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} bets {}-{}-{} (W-L-P), hit {}% [{}, {}], profit {:+.2}u, ROI {}%",
            self.bets,
            self.wins,
            self.losses,
            self.pushes,
            opt(self.hit_rate, 100.0, 1),
            opt(self.hit_rate_lo, 100.0, 1),
            opt(self.hit_rate_hi, 100.0, 1),
            self.profit,
            opt(self.roi, 100.0, 1),
        )?;
        if self.default_priced > 0 {
            write!(
                f,
                " ({} without a price: {DEFAULT_PRICE} assumed)",
                self.default_priced
            )?;
        }
        Ok(())
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} predictions, {} graded, {} void; MAE {} (line {}), bias {}, within 3 {}%, within 5 {}%",
            self.count,
            self.graded,
            self.voids,
            opt(self.mae, 1.0, 2),
            opt(self.line_mae, 1.0, 2),
            opt(self.bias, 1.0, 2),
            opt(self.within_3, 100.0, 1),
            opt(self.within_5, 100.0, 1),
        )?;
        writeln!(f, "calls: {}", self.record)?;
        for e in &self.by_edge {
            writeln!(f, "|edge| >= {:<4}: {}", e.threshold, e.record)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-4
    }

    fn pick(predicted: f64, line: f64, call: &str, actual: Option<f64>) -> Pick {
        Pick {
            predicted_points: predicted,
            line,
            edge: ((predicted - line) * 100.0).round() / 100.0,
            side: Side::of_recommendation(call),
            over_price: Some(-110),
            under_price: Some(-110),
            actual_points: actual,
        }
    }

    #[test]
    fn american_odds_pay_by_hand() {
        assert!(close(profit_per_unit(150), 1.5));
        assert!(close(profit_per_unit(-110), 0.9091));
        assert!(close(profit_per_unit(-200), 0.5));
        assert!(close(profit_per_unit(100), 1.0));
        assert!(close(profit_per_unit(-100), 1.0));
        assert!(close(profit_per_unit(250), 2.5));
        // Not American odds: priced at the default.
        assert!(close(profit_per_unit(0), 0.9091));
        assert!(close(profit_per_unit(50), 0.9091));
    }

    #[test]
    fn wilson_matches_known_values() {
        let (lo, hi) = wilson_interval(5, 10, Z95);
        assert!(close(lo, 0.2366) && close(hi, 0.7634), "{lo} {hi}");
        let (lo, hi) = wilson_interval(55, 100, Z95);
        assert!(close(lo, 0.4524) && close(hi, 0.6439), "{lo} {hi}");
        let (lo, hi) = wilson_interval(0, 10, Z95);
        assert!(lo == 0.0 && close(hi, 0.2775), "{lo} {hi}");
        let (lo, hi) = wilson_interval(10, 10, Z95);
        assert!(close(lo, 0.7225) && hi == 1.0, "{lo} {hi}");
        assert_eq!(wilson_interval(0, 0, Z95), (0.0, 1.0));
        // A wider z widens the interval.
        let (lo99, hi99) = wilson_interval(5, 10, 2.576);
        assert!(lo99 < 0.2366 && hi99 > 0.7634);
    }

    #[test]
    fn settling_over_under_and_push() {
        assert_eq!(settle(Side::Over, 20.5, 21.0), Outcome::Win);
        assert_eq!(settle(Side::Over, 20.5, 20.0), Outcome::Loss);
        assert_eq!(settle(Side::Under, 20.5, 20.0), Outcome::Win);
        assert_eq!(settle(Side::Under, 20.5, 21.0), Outcome::Loss);
        assert_eq!(settle(Side::Over, 20.0, 20.0), Outcome::Push);
        assert_eq!(settle(Side::Under, 20.0, 20.0), Outcome::Push);
    }

    #[test]
    fn a_pick_is_graded_at_its_sides_price() {
        let mut p = pick(25.0, 22.5, "OVER", Some(24.0));
        p.over_price = Some(150);
        p.under_price = Some(-180);
        let b = p.grade();
        assert_eq!(b.outcome, Outcome::Win);
        assert!(close(b.profit.unwrap(), 1.5));
        assert!(!b.default_priced);
        // The same pick on the under loses one unit.
        assert_eq!(p.bet_on(Some(Side::Under)).profit, Some(-1.0));
        // No price for the over: -110, and it says so.
        p.over_price = None;
        let b = p.grade();
        assert!(close(b.profit.unwrap(), 0.9091) && b.default_priced);
        // PASS is no bet; no box score is void, whatever the call.
        assert_eq!(
            pick(20.0, 20.5, "PASS", Some(30.0)).grade().outcome,
            Outcome::NoBet
        );
        let void = pick(25.0, 20.5, "OVER", None).grade();
        assert_eq!((void.outcome, void.profit), (Outcome::Void, None));
        let push = pick(23.0, 20.0, "OVER", Some(20.0)).grade();
        assert_eq!((push.outcome, push.profit), (Outcome::Push, None));
    }

    #[test]
    fn summary_by_hand() {
        let picks = vec![
            // OVER 22.5, scored 26: win at -110, error -1.
            pick(25.0, 22.5, "OVER", Some(26.0)),
            // UNDER 20.5, scored 24: loss, error -6.
            pick(18.0, 20.5, "UNDER", Some(24.0)),
            // OVER 20, scored 20: push, error +3.
            pick(23.0, 20.0, "OVER", Some(20.0)),
            // PASS, scored 10: no bet, error +10.
            pick(20.0, 19.5, "PASS", Some(10.0)),
            // OVER, did not play: void.
            pick(30.0, 25.5, "OVER", None),
        ];
        let s = Summary::of(&picks, &[]);
        assert_eq!((s.count, s.graded, s.voids), (5, 4, 1));
        // |-1| + |-6| + |3| + |10| = 20 over 4.
        assert!(close(s.mae.unwrap(), 5.0));
        // -1 - 6 + 3 + 10 = 6 over 4.
        assert!(close(s.bias.unwrap(), 1.5));
        // |22.5-26| + |20.5-24| + |20-20| + |19.5-10| = 3.5 + 3.5 + 0 + 9.5 = 16.5 over 4.
        assert!(close(s.line_mae.unwrap(), 4.125));
        // within 3: -1 and +3 (the bound is inclusive); within 5: the same two.
        assert!(close(s.within_3.unwrap(), 0.5));
        assert!(close(s.within_5.unwrap(), 0.5));
        let r = &s.record;
        assert_eq!(
            (r.bets, r.wins, r.losses, r.pushes, r.voided),
            (3, 1, 1, 1, 1)
        );
        assert!(close(r.profit, 0.9091 - 1.0));
        assert!(close(r.hit_rate.unwrap(), 0.5));
        let (lo, hi) = wilson_interval(1, 2, Z95);
        assert_eq!((r.hit_rate_lo, r.hit_rate_hi), (Some(lo), Some(hi)));
        // ROI over the three bets, the push included.
        assert!(close(r.roi.unwrap(), (0.9091 - 1.0) / 3.0));
        assert_eq!(r.default_priced, 0);
    }

    #[test]
    fn edge_thresholds_bet_the_side_of_the_edge() {
        let mut picks = vec![
            // edge +2.5, called OVER, scored 26 over 22.5: win.
            pick(25.0, 22.5, "OVER", Some(26.0)),
            // edge +1.0, PASS, scored 21 over 20: at t <= 1 the over is bet, and wins.
            pick(21.0, 20.0, "PASS", Some(21.5)),
            // edge -3.0, called OVER (against its edge): bet UNDER at the thresholds; scored
            // 15 under 18: win at +120 (the under's price).
            pick(15.0, 18.0, "OVER", Some(15.0)),
            // edge +4.0, did not play: void at every threshold it reaches.
            pick(24.0, 20.0, "OVER", None),
        ];
        picks[2].under_price = Some(120);
        let e = by_edge(&picks, &[1.0, 2.5, 3.5, 10.0]);
        let r1 = &e[0].record;
        assert_eq!((r1.bets, r1.wins, r1.losses, r1.voided), (3, 3, 0, 1));
        assert!(close(r1.profit, 0.9091 * 2.0 + 1.2));
        let r25 = &e[1].record;
        assert_eq!((r25.bets, r25.wins, r25.voided), (2, 2, 1));
        assert!(close(r25.profit, 0.9091 + 1.2));
        assert!(close(r25.roi.unwrap(), (0.9091 + 1.2) / 2.0));
        let r35 = &e[2].record;
        assert_eq!(
            (r35.bets, r35.voided, r35.hit_rate, r35.roi),
            (0, 1, None, None)
        );
        assert_eq!(e[3].record, Record::default());
        // The system's own calls: pick 3 bet the over and lost.
        let s = Summary::of(&picks, &[1.0]);
        assert_eq!((s.record.wins, s.record.losses), (1, 1));
        assert_eq!(s.by_edge, e[..1].to_vec());
    }

    #[test]
    fn an_empty_summary_has_no_rates_and_serializes() {
        let s = Summary::of(&[], EDGE_THRESHOLDS);
        assert_eq!((s.count, s.mae, s.record.hit_rate), (0, None, None));
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["mae"], serde_json::Value::Null);
        assert_eq!(json["bets"], 0, "the record is flattened: {json}");
        assert_eq!(
            json["by_edge"].as_array().unwrap().len(),
            EDGE_THRESHOLDS.len()
        );
        assert_eq!(json["by_edge"][0]["threshold"], 0.5);
        let text = s.to_string();
        assert!(text.contains("0 predictions"), "{text}");
    }
}
