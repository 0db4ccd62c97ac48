//! `raw_injury_updates`: every injury update signalled to a date's day workflow (source
//! `injury_update`), one row per player, report time and source. Read beside the official
//! report by the upcoming contexts (`analytics::upcoming_player_game_context::injuries_for`):
//! the latest word before a player's tip-off wins, whoever said it.
//!
//! Every payload kept for the date is read (`Keep::Every`): updates accumulate through the day.
//! An update signalled twice is one payload, hence one unchanged row: the rerun stops there.

use nbaprops_proto::{ProcessorRequest, ProcessorResult};

use super::Keep;
use crate::error::Result;
use crate::sources::injury_update::{self, KeptUpdate};
use crate::storage::warehouse::WriteMeta;
use crate::Deps;

pub const NAME: &str = "raw_injury_updates";

crate::warehouse_table! {
    pub struct InjuryUpdateRow in "raw_injury_updates" {
        partition: game_date,
        key: [player_id, report_time, source],
        entities: [(player_id, Player)],
        mode: Replace,
    } {
        game_date: String,
        player_id: i64,
        player_lookup: String,
        player_name: String,
        team: String,
        status: String,
        source: String,
        report_time: String,
        reason: String,
    }
}

pub fn transform(updates: Vec<KeptUpdate>, date: &str) -> (Vec<InjuryUpdateRow>, Vec<String>) {
    let mut warnings = Vec::new();
    let rows = updates
        .into_iter()
        .filter(|u| {
            let ok = u.game_date == date;
            if !ok {
                warnings.push(format!(
                    "update for {} kept under {date} names the date {}: skipped",
                    u.player_name, u.game_date
                ));
            }
            ok
        })
        .map(|u| InjuryUpdateRow {
            game_date: date.to_string(),
            player_id: u.player_id,
            player_lookup: u.player_lookup,
            player_name: u.player_name,
            team: u.team,
            status: u.status,
            source: u.source,
            report_time: u.report_time,
            reason: u.reason,
        })
        .collect();
    (rows, warnings)
}

pub async fn run(
    deps: &Deps,
    req: &ProcessorRequest,
    date: &str,
    meta: &WriteMeta,
) -> Result<ProcessorResult> {
    let src = super::RawSource {
        processor: NAME,
        source: injury_update::SOURCE,
        keep: Keep::Every,
        newest_only: false,
        skip: super::skip_none,
        parse: injury_update::parse,
    };
    super::run_source(deps, req, date, meta, src, transform).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn updates_of_another_date_are_skipped_with_a_warning() {
        let u = |date: &str| KeptUpdate {
            game_date: date.into(),
            player_id: 1,
            player_lookup: "a".into(),
            player_name: "A".into(),
            team: "BOS".into(),
            status: "Out".into(),
            source: "manual".into(),
            report_time: "2025-11-28T22:30:00Z".into(),
            reason: String::new(),
            player_as_given: "a".into(),
        };
        let (rows, warnings) = transform(vec![u("2025-11-28"), u("2025-11-27")], "2025-11-28");
        assert_eq!(rows.len(), 1);
        assert_eq!(warnings.len(), 1);
    }
}
