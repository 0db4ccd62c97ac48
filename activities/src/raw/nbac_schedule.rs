//! `raw_nbac_schedule`: the date's games from the season schedule.

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use crate::error::Result;
use crate::sources::nbac_schedule::{self, ScheduledGame};
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "raw_nbac_schedule";

crate::warehouse_table! {
    pub struct ScheduleRow in "raw_nbac_schedule" {
        partition: game_date,
        key: [game_id],
        entities: [(game_id, Game)],
        mode: Replace,
    } {
        game_date: String,
        game_id: String,
        home_team_id: i64,
        home_team: String,
        away_team_id: i64,
        away_team: String,
        start_time_utc: String,
        game_status: i64,
    }
}

/// The date's games as rows.
pub fn transform(games: Vec<ScheduledGame>, date: &str) -> Vec<ScheduleRow> {
    nbac_schedule::games_on(games, date)
        .into_iter()
        .map(|g| ScheduleRow {
            game_date: date.to_string(),
            game_id: g.game_id,
            home_team_id: g.home_team.team_id,
            home_team: g.home_team.team_tricode,
            away_team_id: g.away_team.team_id,
            away_team: g.away_team.team_tricode,
            start_time_utc: g.game_date_time_utc,
            game_status: g.game_status,
        })
        .collect()
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let payloads = super::payloads_for(
        deps,
        req,
        nbac_schedule::SOURCE,
        date,
        super::Keep::NewestPerRequestKey,
    )
    .await?;
    // The newest payload of the day is the schedule as it stands.
    let latest = payloads.last().expect("payloads_for returns at least one");
    let body = deps.raw.get(&latest.object_key).await?;
    let games = super::reparse(nbac_schedule::parse(&body), latest)?;
    let read = games.len();
    let rows = transform(games, date);
    let stats = deps
        .warehouse
        .write_partition(date, None, &rows, meta)
        .await?;
    Ok(crate::result::processor_result(
        NAME,
        date,
        read,
        super::payload_hash(&[latest]),
        stats,
        vec![],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_the_dates_games() {
        let body =
            std::fs::read("../../shared/data/samples/nbac_schedule_cdn/raw_68953816.json").unwrap();
        let games = nbac_schedule::parse(&body).unwrap();
        let rows = transform(games, "2025-10-02");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].game_id, "0012500008");
        assert_eq!(rows[0].home_team, "NYK");
        assert_eq!(rows[0].start_time_utc, "2025-10-02T16:00:00Z");
    }
}
