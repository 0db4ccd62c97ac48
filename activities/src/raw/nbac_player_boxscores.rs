//! `raw_nbac_player_boxscores`: one row per player-game of a date, and the player registry
//! (NBA id, name, normalized lookup) that later joins sportsbook names to ids.

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use crate::error::Result;
use crate::sources::nbac_player_boxscore::{self, PlayerGameLog};
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "raw_nbac_player_boxscores";

crate::warehouse_table! {
    pub struct BoxScoreRow in "raw_nbac_player_boxscores" {
        partition: game_date,
        key: [game_id, player_id],
        entities: [(player_id, Player), (team, Team), (game_id, Game)],
        mode: Replace,
    } {
        game_date: String,
        game_id: String,
        player_id: i64,
        player_name: String,
        team_id: i64,
        team: String,
        opponent: String,
        home: i64,
        minutes: Option<f64>,
        fgm: Option<i64>,
        fga: Option<i64>,
        fg3m: Option<i64>,
        fg3a: Option<i64>,
        ftm: Option<i64>,
        fta: Option<i64>,
        reb: Option<i64>,
        ast: Option<i64>,
        tov: Option<i64>,
        points: i64,
        plus_minus: Option<i64>,
    }
}

/// Rows of the date; a row dated otherwise is a source error worth a warning, not a crash.
pub fn transform(logs: Vec<PlayerGameLog>, date: &str) -> (Vec<BoxScoreRow>, Vec<String>) {
    let mut warnings = Vec::new();
    let mut rows = Vec::with_capacity(logs.len());
    for l in logs {
        if l.game_date != date {
            warnings.push(format!(
                "{} in game {} is dated {}, not {date}: skipped",
                l.player_name, l.game_id, l.game_date
            ));
            continue;
        }
        rows.push(BoxScoreRow {
            game_date: date.to_string(),
            home: l.is_home() as i64,
            opponent: l.opponent(),
            game_id: l.game_id,
            player_id: l.player_id,
            player_name: l.player_name,
            team_id: l.team_id,
            team: l.team,
            minutes: l.minutes,
            fgm: l.fgm,
            fga: l.fga,
            fg3m: l.fg3m,
            fg3a: l.fg3a,
            ftm: l.ftm,
            fta: l.fta,
            reb: l.reb,
            ast: l.ast,
            tov: l.tov,
            points: l.points,
            plus_minus: l.plus_minus,
        });
    }
    (rows, warnings)
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
        nbac_player_boxscore::SOURCE,
        date,
        super::Keep::NewestPerRequestKey,
    )
    .await?;
    let latest = payloads.last().expect("at least one");
    let body = deps.raw.get(&latest.object_key).await?;
    let logs = super::reparse(nbac_player_boxscore::parse(&body), latest)?;
    let read = logs.len();
    let (rows, warnings) = transform(logs, date);
    let stats = deps
        .warehouse
        .write_partition(date, None, &rows, meta)
        .await?;
    let names: Vec<(i64, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r.player_id,
                r.player_name.as_str(),
                r.team.as_str(),
                r.game_date.as_str(),
            )
        })
        .collect();
    super::upsert_players(deps, &names).await?;
    Ok(crate::result::processor_result(
        NAME,
        date,
        read,
        super::payload_hash(&[latest]),
        stats,
        warnings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_the_recorded_game_log() {
        let body =
            std::fs::read("../../shared/data/samples/nbac_player_boxscore/raw_2ad17718.json")
                .unwrap();
        let logs = nbac_player_boxscore::parse(&body).unwrap();
        let n = logs.len();
        let (rows, warnings) = transform(logs, "2025-03-15");
        assert_eq!(rows.len(), n);
        assert!(warnings.is_empty());
        let mcconnell = rows.iter().find(|r| r.player_id == 204456).unwrap();
        assert_eq!(mcconnell.home, 0);
        assert_eq!(mcconnell.opponent, "MIL");
        assert_eq!(mcconnell.fta, Some(0));
        let (rows, warnings) = transform(nbac_player_boxscore::parse(&body).unwrap(), "2025-03-16");
        assert!(rows.is_empty());
        assert_eq!(warnings.len(), n);
    }
}
