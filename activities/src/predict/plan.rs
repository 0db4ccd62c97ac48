//! Which players get a prediction for a date: everyone with a points line whose sportsbook
//! name resolves to exactly one NBA player id. Names that resolve to none or to several are
//! reported, never guessed, as `"{reason}: {name}"` (the backtest's coverage groups by reason).

use std::collections::BTreeMap;

use nbaprops_proto::PredictionPlan;

use crate::error::Result;
use crate::lines::current_lines;
use crate::Deps;

/// Resolves each line's player lookup to an id. Returns (player ids, warnings).
pub fn resolve(
    lookups: impl IntoIterator<Item = (String, String)>,
    registry: &[(i64, String)],
) -> (Vec<i64>, Vec<String>) {
    let mut ids_by_lookup: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for (id, lookup) in registry {
        ids_by_lookup.entry(lookup.as_str()).or_default().push(*id);
    }
    let mut players = Vec::new();
    let mut warnings = Vec::new();
    for (lookup, name) in lookups {
        match ids_by_lookup.get(lookup.as_str()).map(Vec::as_slice) {
            Some([id]) => players.push(*id),
            Some(ids) => warnings.push(format!(
                "name matches several players: {name} (ids {ids:?})"
            )),
            None => warnings.push(format!("name matches no known player: {name}")),
        }
    }
    players.sort_unstable();
    players.dedup();
    (players, warnings)
}

/// The players of `date` with a line at or before `lines_as_of` (the run's cut-off; `None`:
/// any snapshot before his tip-off).
pub async fn plan(deps: &Deps, date: &str, lines_as_of: Option<&str>) -> Result<PredictionPlan> {
    let props = crate::analytics::inputs::points_lines(deps, date).await?;
    let lines = current_lines(&props, lines_as_of);
    let registry: Vec<(i64, String)> = crate::storage::queries::players::all(&deps.warehouse)
        .await?
        .into_iter()
        .map(|(id, lookup, _)| (id, lookup))
        .collect();
    let (players, warnings) = resolve(
        lines
            .into_values()
            .map(|l| (l.player_lookup, l.player_name)),
        &registry,
    );
    Ok(PredictionPlan {
        game_date: date.to_string(),
        players: players.iter().map(i64::to_string).collect(),
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unmatched_and_ambiguous_names_are_reported() {
        let registry = vec![
            (1, "nikolajokic".to_string()),
            (2, "jalenwilliams".to_string()),
            (3, "jalenwilliams".to_string()),
        ];
        let (ids, warnings) = resolve(
            [
                ("nikolajokic".to_string(), "Nikola Jokic".to_string()),
                ("jalenwilliams".to_string(), "Jalen Williams".to_string()),
                ("nobody".to_string(), "No Body".to_string()),
            ],
            &registry,
        );
        assert_eq!(ids, vec![1]);
        assert_eq!(warnings.len(), 2);
        assert!(warnings[0].contains("several"));
        assert!(warnings[1].contains("No Body"));
    }
}
