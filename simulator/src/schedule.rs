//! A real-shaped NBA regular season: the calendar (opening night on the Tuesday between
//! October 18 and 24, the last day 173 days later on a Sunday in April, no games on
//! Thanksgiving, Christmas Eve or the All-Star break), the 82-game matchups of the NBA's
//! formula, and the games spread over the dates.
//!
//! The matchups: four games against each of the four division rivals (2 home, 2 away), three
//! or four against the ten other teams of the conference, two against each team of the other
//! conference (1 home, 1 away). Inside a conference the three-game opponents of the team in
//! slot `k` of its division are the teams in slots `k ± 1` of the other two divisions; the team
//! whose slot is one lower hosts two of the three, so every team has 41 home games. Slots are
//! shuffled every season, so the three-game opponents rotate.
//!
//! The dates: every team plays on the last day; the rest are placed date by date, greedily,
//! most urgent teams first (remaining games over remaining dates), with a target count per date
//! that follows the real weekday shape (busy Wednesdays and Fridays, light Tuesdays and
//! Thursdays), two games on opening night and five on Christmas. Nobody plays three days in a
//! row or four games in five nights; back-to-backs are allowed but discouraged, which gives the
//! real 11-19 a team a season. The few games the greedy pass cannot place go on any date that
//! keeps those rules.

use anyhow::{bail, Result};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rand::rngs::Xoshiro256PlusPlus;
use rand::RngExt;

use crate::options::FullSlate;
use crate::rng::sub_rng;
use crate::teams::{conference, division, Zone, TEAMS};

const N: usize = 30;

/// The season (its start year) a date belongs to: seasons turn over in August.
pub fn season_year(date: NaiveDate) -> i32 {
    if date.month() >= 8 {
        date.year()
    } else {
        date.year() - 1
    }
}

#[derive(Debug, Clone)]
pub struct Calendar {
    pub year: i32,
    pub opening: NaiveDate,
    pub last: NaiveDate,
    /// All-Star Sunday (no games from the Friday before to the Wednesday after).
    pub all_star: NaiveDate,
    /// Every date games may be played on, in order (the last one is `last`).
    pub dates: Vec<NaiveDate>,
}

fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u8) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, n).expect("a valid nth weekday")
}

/// The regular-season calendar of the season starting in `year`.
pub fn calendar(year: i32) -> Calendar {
    let oct18 = NaiveDate::from_ymd_opt(year, 10, 18).expect("October 18");
    let to_tuesday = (7 + 1 - oct18.weekday().num_days_from_monday() as i64) % 7;
    let opening = oct18 + Duration::days(to_tuesday);
    let last = opening + Duration::days(173);
    let all_star = nth_weekday(year + 1, 2, Weekday::Sun, 3);
    let thanksgiving = nth_weekday(year, 11, Weekday::Thu, 4);
    let christmas_eve = NaiveDate::from_ymd_opt(year, 12, 24).expect("December 24");
    let mut dates = Vec::new();
    let mut d = opening;
    while d <= last {
        let break_days = (d - all_star).num_days();
        if d != thanksgiving && d != christmas_eve && !(-2..=3).contains(&break_days) {
            dates.push(d);
        }
        d += Duration::days(1);
    }
    Calendar {
        year,
        opening,
        last,
        all_star,
        dates,
    }
}

/// One scheduled regular-season game.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Game {
    /// 1..=1230, in date and tip-off order.
    pub seq: u32,
    /// "002YY0NNNN": regular season, the season's two-digit start year, the sequence.
    pub game_id: String,
    pub date: NaiveDate,
    /// Indexes into [`TEAMS`].
    pub home: usize,
    pub away: usize,
    /// Tip-off, minutes after midnight Eastern.
    pub tip_et: u32,
    /// The books post a line for every available player, not only the likely ones.
    pub everyone_lined: bool,
}

/// The 1230 (home, away) pairs of a season.
pub fn matchups(rng: &mut Xoshiro256PlusPlus) -> Vec<(usize, usize)> {
    // slot[t]: the team's place in its division this season.
    let mut slot = [0usize; N];
    for c in 0..2 {
        for d in 0..3 {
            let mut members: Vec<usize> = (0..5).map(|k| c * 15 + d * 5 + k).collect();
            shuffle(&mut members, rng);
            for (k, t) in members.into_iter().enumerate() {
                slot[t] = k;
            }
        }
    }
    let mut games = Vec::with_capacity(1230);
    for a in 0..N {
        for b in a + 1..N {
            let four = [(a, b), (b, a), (a, b), (b, a)];
            let pairs: &[(usize, usize)] = if conference(a) != conference(b) {
                &four[..2]
            } else if division(a) == division(b) {
                &four
            } else {
                match (slot[b] + 5 - slot[a]) % 5 {
                    1 => &[(a, b), (b, a), (a, b)],
                    4 => &[(a, b), (b, a), (b, a)],
                    _ => &four,
                }
            };
            games.extend_from_slice(pairs);
        }
    }
    games
}

fn shuffle<T>(v: &mut [T], rng: &mut Xoshiro256PlusPlus) {
    for i in (1..v.len()).rev() {
        v.swap(i, rng.random_range(0..=i));
    }
}

/// Which days a team plays, by day index from opening night.
struct Played {
    days: Vec<[bool; 200]>,
}

impl Played {
    fn get(&self, t: usize, day: i64) -> bool {
        (0..200).contains(&day) && self.days[t][day as usize]
    }

    /// Whether `t` may play on `day`: free that day, no three days in a row, no four games in
    /// five nights.
    fn fits(&self, t: usize, day: i64) -> bool {
        if self.get(t, day) {
            return false;
        }
        let on = |d: i64| d == day || self.get(t, d);
        for start in day - 2..=day {
            if (start..start + 3).all(on) {
                return false;
            }
        }
        for start in day - 4..=day {
            if (start..start + 5).filter(|d| on(*d)).count() >= 4 {
                return false;
            }
        }
        true
    }

    fn set(&mut self, t: usize, day: i64) {
        self.days[t][day as usize] = true;
    }
}

/// The season's games with dates, tip-offs and ids.
pub fn season_games(seed: u64, year: i32) -> Result<Vec<Game>> {
    season_games_with(seed, year, None)
}

/// [`season_games`], with `slate`'s date (when it falls in this season) made a full slate.
pub fn season_games_with(seed: u64, year: i32, slate: Option<FullSlate>) -> Result<Vec<Game>> {
    let cal = calendar(year);
    let mut rng = sub_rng(seed, "schedule", year as u64);
    let pairs = matchups(&mut rng);
    for attempt in 0..40 {
        if let Some(mut dated) = place(&cal, &pairs, &mut rng) {
            let slate = slate.filter(|s| s.date >= cal.opening && s.date <= cal.last);
            if let Some(slate) = slate {
                make_full_slate(&mut dated, slate)?;
            }
            let mut games = number(&cal, dated, &mut rng);
            for g in &mut games {
                g.everyone_lined = slate.is_some_and(|s| s.date == g.date);
            }
            return Ok(games);
        }
        tracing::debug!(
            year,
            attempt,
            "schedule attempt left games unplaced; retrying"
        );
    }
    bail!("could not place the {year} season's games on its calendar")
}

/// Dates the games; `None` when some could not be placed.
fn place(
    cal: &Calendar,
    pairs: &[(usize, usize)],
    rng: &mut Xoshiro256PlusPlus,
) -> Option<Vec<(NaiveDate, usize, usize)>> {
    let day_of = |d: NaiveDate| (d - cal.opening).num_days();
    let mut pool: Vec<(usize, usize)> = pairs.to_vec();
    shuffle(&mut pool, rng);
    let mut played = Played {
        days: vec![[false; 200]; N],
    };
    let mut out = Vec::with_capacity(pool.len());

    // The last day: every team plays (a perfect matching taken from the pool).
    let last_day = day_of(cal.last);
    let finale = (0..100).find_map(|_| {
        let mut order: Vec<usize> = (0..N).collect();
        shuffle(&mut order, rng);
        let mut taken = [false; N];
        let mut picks = Vec::new();
        for &a in &order {
            if taken[a] {
                continue;
            }
            let options: Vec<usize> = (0..pool.len())
                .filter(|&i| {
                    let (h, w) = pool[i];
                    (h == a && !taken[w]) || (w == a && !taken[h])
                })
                .filter(|i| !picks.contains(i))
                .collect();
            if options.is_empty() {
                return None;
            }
            let i = options[rng.random_range(0..options.len())];
            taken[pool[i].0] = true;
            taken[pool[i].1] = true;
            picks.push(i);
        }
        Some(picks)
    })?;
    let mut finale = finale;
    finale.sort_unstable_by(|a, b| b.cmp(a));
    for i in finale {
        let (h, a) = pool.remove(i);
        played.set(h, last_day);
        played.set(a, last_day);
        out.push((cal.last, h, a));
    }

    // Targets per date, shaped by weekday, summing to what is left.
    let weekday_weight = [1.0, 0.7, 1.35, 0.6, 1.25, 0.9, 0.95];
    let dates = &cal.dates[..cal.dates.len() - 1];
    let christmas = NaiveDate::from_ymd_opt(cal.year, 12, 25).expect("Christmas");
    let mut weights: Vec<f64> = dates
        .iter()
        .map(|d| {
            weekday_weight[d.weekday().num_days_from_monday() as usize]
                * rng.random_range(0.55..1.45)
        })
        .collect();
    let fixed: Vec<(usize, f64)> = dates
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            if i == 0 {
                Some((i, 2.0))
            } else if *d == christmas {
                Some((i, 5.0))
            } else {
                None
            }
        })
        .collect();
    let is_fixed = |i: usize| fixed.iter().any(|(f, _)| *f == i);
    for (i, _) in &fixed {
        weights[*i] = 0.0;
    }
    let fixed_total: f64 = fixed.iter().map(|(_, n)| n).sum();
    let scale = (pool.len() as f64 - fixed_total) / weights.iter().sum::<f64>();
    let mut target: Vec<f64> = weights.iter().map(|w| w * scale).collect();
    for &(i, n) in &fixed {
        target[i] = n;
    }

    let mut remaining = [0usize; N];
    for &(h, a) in &pool {
        remaining[h] += 1;
        remaining[a] += 1;
    }
    let mut carry = 0.0f64;
    for (i, &date) in dates.iter().enumerate() {
        let day = day_of(date);
        let left = (dates.len() - i) as f64;
        let urgency: Vec<f64> = remaining.iter().map(|&r| r as f64 / left).collect();
        // Opening night and Christmas get exactly their games; the others absorb the rest.
        let want = if is_fixed(i) {
            target[i]
        } else {
            target[i] + carry
        };
        let mut scored: Vec<(f64, usize)> = pool
            .iter()
            .enumerate()
            .filter(|(_, &(h, a))| played.fits(h, day) && played.fits(a, day))
            .map(|(gi, &(h, a))| {
                let mut s = urgency[h] + urgency[a] + rng.random_range(0.0..0.6);
                for t in [h, a] {
                    if played.get(t, day - 1) {
                        s -= 0.12;
                    }
                }
                (s, gi)
            })
            .collect();
        scored.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
        let mut busy = [false; N];
        let mut picked = Vec::new();
        for (_, gi) in scored {
            let (h, a) = pool[gi];
            if busy[h] || busy[a] {
                continue;
            }
            let must = !is_fixed(i) && (urgency[h] >= 0.95 || urgency[a] >= 0.95);
            if picked.len() as f64 >= want.round() && !must {
                continue;
            }
            busy[h] = true;
            busy[a] = true;
            picked.push(gi);
        }
        if !is_fixed(i) {
            carry = (want - picked.len() as f64).clamp(-3.0, 3.0);
        }
        picked.sort_unstable_by(|a, b| b.cmp(a));
        for gi in picked {
            let (h, a) = pool.remove(gi);
            remaining[h] -= 1;
            remaining[a] -= 1;
            played.set(h, day);
            played.set(a, day);
            out.push((date, h, a));
        }
    }

    // Whatever is left goes on any date that keeps the rest rules.
    for (h, a) in pool {
        let options: Vec<NaiveDate> = dates
            .iter()
            .enumerate()
            .filter(|(i, d)| {
                !is_fixed(*i) && played.fits(h, day_of(**d)) && played.fits(a, day_of(**d))
            })
            .map(|(_, d)| *d)
            .collect();
        let date = if options.is_empty() {
            return None;
        } else if rng.random_bool(0.5) {
            options[options.len() - 1]
        } else {
            options[rng.random_range(0..options.len())]
        };
        played.set(h, day_of(date));
        played.set(a, day_of(date));
        out.push((date, h, a));
    }
    Some(out)
}

/// Gives `slate.date` exactly `slate.games` games: teams without a game that date are paired in
/// index order, and games past the count are dropped.
fn make_full_slate(dated: &mut Vec<(NaiveDate, usize, usize)>, slate: FullSlate) -> Result<()> {
    anyhow::ensure!(
        (1..=TEAMS.len() / 2).contains(&slate.games),
        "a slate has 1 to {} games, not {}",
        TEAMS.len() / 2,
        slate.games
    );
    let mut on_date: Vec<(usize, usize)> = dated
        .iter()
        .filter(|(d, ..)| *d == slate.date)
        .map(|&(_, h, a)| (h, a))
        .collect();
    on_date.truncate(slate.games);
    let busy: Vec<usize> = on_date.iter().flat_map(|&(h, a)| [h, a]).collect();
    let free: Vec<usize> = (0..TEAMS.len()).filter(|t| !busy.contains(t)).collect();
    for pair in free.chunks_exact(2) {
        if on_date.len() == slate.games {
            break;
        }
        on_date.push((pair[0], pair[1]));
    }
    dated.retain(|(d, ..)| *d != slate.date);
    dated.extend(on_date.into_iter().map(|(h, a)| (slate.date, h, a)));
    Ok(())
}

/// Tip-off times by where the home team plays, then ids in date and tip-off order.
fn number(
    cal: &Calendar,
    mut dated: Vec<(NaiveDate, usize, usize)>,
    rng: &mut Xoshiro256PlusPlus,
) -> Vec<Game> {
    dated.sort();
    let christmas = NaiveDate::from_ymd_opt(cal.year, 12, 25).expect("Christmas");
    let mut games: Vec<Game> = Vec::with_capacity(dated.len());
    let mut christmas_slot = 0;
    for (date, home, away) in dated {
        let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
        let pick = |rng: &mut Xoshiro256PlusPlus, options: &[u32]| {
            options[rng.random_range(0..options.len())]
        };
        let tip = if date == christmas {
            christmas_slot += 1;
            [12 * 60, 14 * 60 + 30, 17 * 60, 20 * 60, 22 * 60 + 30][(christmas_slot - 1) % 5]
        } else if weekend && rng.random_bool(0.2) {
            pick(rng, &[13 * 60, 15 * 60 + 30, 17 * 60, 18 * 60])
        } else {
            match TEAMS[home].zone {
                Zone::Eastern => pick(rng, &[19 * 60, 19 * 60, 19 * 60 + 30]),
                Zone::Central => pick(rng, &[19 * 60 + 30, 20 * 60, 20 * 60, 20 * 60 + 30]),
                Zone::Mountain => pick(rng, &[21 * 60, 21 * 60, 22 * 60]),
                Zone::Pacific => pick(rng, &[22 * 60, 22 * 60, 22 * 60 + 30]),
            }
        };
        games.push(Game {
            seq: 0,
            game_id: String::new(),
            date,
            home,
            away,
            tip_et: tip,
            everyone_lined: false,
        });
    }
    games.sort_by_key(|g| (g.date, g.tip_et, g.home));
    for (i, g) in games.iter_mut().enumerate() {
        g.seq = i as u32 + 1;
        g.game_id = format!("002{:02}{:05}", cal.year.rem_euclid(100), g.seq);
    }
    games
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{BTreeMap, BTreeSet};

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn calendars_match_the_real_seasons() {
        // Opening nights and last days of 2021-22 through 2025-26, checked against NBA.com.
        for (year, open, last) in [
            (2021, "2021-10-19", "2022-04-10"),
            (2022, "2022-10-18", "2023-04-09"),
            (2023, "2023-10-24", "2024-04-14"),
            (2024, "2024-10-22", "2025-04-13"),
            (2025, "2025-10-21", "2026-04-12"),
        ] {
            let c = calendar(year);
            assert_eq!((c.opening, c.last), (d(open), d(last)), "{year}");
            assert_eq!(c.dates.first(), Some(&c.opening));
            assert_eq!(c.dates.last(), Some(&c.last));
        }
        let c = calendar(2024);
        assert_eq!(c.all_star, d("2025-02-16"));
        assert!(!c.dates.contains(&d("2024-11-28")), "Thanksgiving");
        assert!(!c.dates.contains(&d("2024-12-24")), "Christmas Eve");
        assert!(c.dates.contains(&d("2024-12-25")));
        assert!(c.dates.contains(&d("2025-02-13")) && c.dates.contains(&d("2025-02-20")));
        assert!(!(14..=19).any(|day| c.dates.contains(&d(&format!("2025-02-{day}")))));
        assert_eq!(season_year(d("2025-06-22")), 2024);
        assert_eq!(season_year(d("2025-08-01")), 2025);
    }

    #[test]
    fn matchups_follow_the_82_game_formula() {
        let mut rng = sub_rng(1, "schedule", 2024);
        let games = matchups(&mut rng);
        assert_eq!(games.len(), 1230);
        let mut per_pair: BTreeMap<(usize, usize), usize> = BTreeMap::new();
        for &(h, a) in &games {
            *per_pair.entry((h.min(a), h.max(a))).or_default() += 1;
        }
        for (t, team) in TEAMS.iter().enumerate() {
            let home = games.iter().filter(|g| g.0 == t).count();
            let away = games.iter().filter(|g| g.1 == t).count();
            assert_eq!((home, away), (41, 41), "{}", team.tricode);
            let threes = per_pair
                .iter()
                .filter(|((a, b), n)| (*a == t || *b == t) && **n == 3)
                .count();
            assert_eq!(threes, 4, "{}", team.tricode);
        }
        for ((a, b), n) in per_pair {
            let expect: &[usize] = if conference(a) != conference(b) {
                &[2]
            } else if division(a) == division(b) {
                &[4]
            } else {
                &[3, 4]
            };
            assert!(expect.contains(&n), "{a} v {b}: {n}");
        }
    }

    /// A full simulated regular season, checked by counting.
    #[test]
    fn a_full_season_has_a_real_shape() {
        for (seed, year) in [(7, 2024), (8, 2021), (7, 2022), (99, 2023)] {
            let cal = calendar(year);
            let games = season_games(seed, year).unwrap();
            assert_eq!(games.len(), 1230);
            let mut by_team: Vec<Vec<NaiveDate>> = vec![Vec::new(); N];
            let mut home = [0; N];
            let mut by_date: BTreeMap<NaiveDate, Vec<&Game>> = BTreeMap::new();
            for g in &games {
                by_team[g.home].push(g.date);
                by_team[g.away].push(g.date);
                home[g.home] += 1;
                by_date.entry(g.date).or_default().push(g);
                assert!(cal.dates.contains(&g.date), "{} on an off day", g.game_id);
            }
            for (t, dates) in by_team.iter_mut().enumerate() {
                dates.sort();
                assert_eq!(dates.len(), 82, "{} games", TEAMS[t].tricode);
                assert_eq!(home[t], 41);
                let distinct: BTreeSet<_> = dates.iter().collect();
                assert_eq!(distinct.len(), 82, "{} twice on a date", TEAMS[t].tricode);
                let b2b = dates.windows(2).filter(|w| (w[1] - w[0]).num_days() == 1);
                let b2b = b2b.count();
                assert!(
                    (8..=22).contains(&b2b),
                    "{}: {b2b} back-to-backs",
                    TEAMS[t].tricode
                );
                assert!(
                    dates.windows(3).all(|w| (w[2] - w[0]).num_days() > 2),
                    "three in a row"
                );
                assert!(
                    dates.windows(4).all(|w| (w[3] - w[0]).num_days() > 4),
                    "four in five"
                );
            }
            // Ids are 002YY0NNNN, in date order.
            for (i, g) in games.iter().enumerate() {
                assert_eq!(g.game_id, format!("002{:02}{:05}", year % 100, i + 1));
            }
            assert!(games.windows(2).all(|w| w[0].date <= w[1].date));
            let counts: Vec<usize> = by_date.values().map(|v| v.len()).collect();
            assert!(counts.iter().all(|&n| (1..=15).contains(&n)));
            assert_eq!(by_date[&cal.opening].len(), 2, "opening night");
            assert_eq!(by_date[&cal.last].len(), 15, "everyone plays the last day");
            assert!(counts.iter().filter(|&&n| n >= 10).count() >= 20);
            assert!(counts.iter().filter(|&&n| n <= 4).count() >= 5);
            assert!(
                (150..=166).contains(&by_date.len()),
                "{} dates",
                by_date.len()
            );
            // The All-Star gap: a week without games around the third Sunday of February.
            let gap: Vec<_> = by_date
                .keys()
                .filter(|d| (-2..=3).contains(&(**d - cal.all_star).num_days()))
                .collect();
            assert!(gap.is_empty(), "{gap:?}");
        }
    }

    #[test]
    fn a_full_slate_has_every_team_once_and_lines_everyone() {
        let date = NaiveDate::from_ymd_opt(2024, 11, 12).unwrap();
        let plain = season_games(3, 2024).unwrap();
        let games = season_games_with(3, 2024, Some(FullSlate { date, games: 15 })).unwrap();
        let slate: Vec<&Game> = games.iter().filter(|g| g.date == date).collect();
        assert_eq!(slate.len(), 15);
        let teams: BTreeSet<usize> = slate.iter().flat_map(|g| [g.home, g.away]).collect();
        assert_eq!(teams.len(), 30);
        assert!(games.iter().all(|g| g.everyone_lined == (g.date == date)));
        // Other dates keep their games; ids stay in date order.
        let others = |gs: &[Game]| gs.iter().filter(|g| g.date != date).count();
        assert_eq!(others(&games), others(&plain));
        for (i, g) in games.iter().enumerate() {
            assert_eq!(g.seq as usize, i + 1);
        }
        let five = season_games_with(3, 2024, Some(FullSlate { date, games: 5 })).unwrap();
        assert_eq!(five.iter().filter(|g| g.date == date).count(), 5);
        assert!(season_games_with(3, 2024, Some(FullSlate { date, games: 16 })).is_err());
    }

    #[test]
    fn same_seed_same_schedule() {
        assert_eq!(
            season_games(3, 2023).unwrap(),
            season_games(3, 2023).unwrap()
        );
        assert_ne!(
            season_games(3, 2023).unwrap(),
            season_games(4, 2023).unwrap()
        );
    }
}
