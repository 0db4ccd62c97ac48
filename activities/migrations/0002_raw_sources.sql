-- Phase 2: one table per source beyond the first three. Like every processor table: business
-- columns, `row_hash` (blake3 over them) and `written_at`; the primary key starts with the
-- partition date column, and a processor replaces one date's partition in one transaction.
--
-- Snapshot tables (lines, injury reports) keep the snapshot or report time in the key, so a later
-- scrape adds rows instead of overwriting earlier ones: a partition is rebuilt from every kept
-- payload of its date.

-- stats.nba.com season schedule (scheduleleaguev2int): the date's games with status and final
-- scores, for any season (the CDN schedule only knows the current one and has no scores).
CREATE TABLE raw_nbac_schedule_api (
    game_date       TEXT NOT NULL,
    game_id         TEXT NOT NULL,
    season_type     TEXT NOT NULL,      -- game id digit: 1 pre, 2 regular, 3 All-Star, 4 playoffs, 5 play-in, 6 Cup final
    status          INTEGER NOT NULL,   -- 1 scheduled, 2 in progress, 3 final
    status_text     TEXT NOT NULL,
    start_time_utc  TEXT,
    home_team_id    INTEGER NOT NULL,
    home_team       TEXT NOT NULL,
    home_score      INTEGER,            -- NULL until final
    away_team_id    INTEGER NOT NULL,
    away_team       TEXT NOT NULL,
    away_score      INTEGER,
    row_hash        TEXT NOT NULL,
    written_at      TEXT NOT NULL,
    PRIMARY KEY (game_date, game_id)
);

-- stats.nba.com traditional box score (v3 or v2): one row per game and team, the team's totals.
CREATE TABLE raw_nbac_team_boxscores (
    game_date        TEXT NOT NULL,
    game_id          TEXT NOT NULL,
    team_id          INTEGER NOT NULL,
    team             TEXT NOT NULL,
    opponent_team_id INTEGER NOT NULL,
    opponent         TEXT NOT NULL,
    home             INTEGER,           -- 1 / 0; NULL from v2, which does not say
    minutes          REAL NOT NULL,     -- five times the game length
    points           INTEGER NOT NULL,
    fgm INTEGER NOT NULL, fga INTEGER NOT NULL,
    fg3m INTEGER NOT NULL, fg3a INTEGER NOT NULL,
    ftm INTEGER NOT NULL, fta INTEGER NOT NULL,
    oreb INTEGER NOT NULL, dreb INTEGER NOT NULL, reb INTEGER NOT NULL,
    ast INTEGER NOT NULL, stl INTEGER NOT NULL, blk INTEGER NOT NULL,
    tov INTEGER NOT NULL, pf INTEGER NOT NULL,
    plus_minus       REAL,
    players_played   INTEGER NOT NULL,  -- player lines with minutes
    row_hash         TEXT NOT NULL,
    written_at       TEXT NOT NULL,
    PRIMARY KEY (game_date, game_id, team_id)
);

-- cdn.nba.com play-by-play: one row per player and game, shots by zone and free throws.
-- Zones: paint (restricted area and the rest of the paint), mid_range (other 2-pointers),
-- three; `unzoned_*` are 2-pointers the feed does not locate. Team-allowed zone totals are the
-- sums over rows with that opponent_team_id.
CREATE TABLE raw_nbac_play_by_play (
    game_date        TEXT NOT NULL,
    game_id          TEXT NOT NULL,
    player_id        INTEGER NOT NULL,
    player_name      TEXT NOT NULL,     -- the feed's "J. Doe" form
    team_id          INTEGER NOT NULL,
    team             TEXT NOT NULL,
    opponent_team_id INTEGER NOT NULL,
    home             INTEGER NOT NULL,
    paint_fgm INTEGER NOT NULL, paint_fga INTEGER NOT NULL, paint_points INTEGER NOT NULL,
    mid_range_fgm INTEGER NOT NULL, mid_range_fga INTEGER NOT NULL, mid_range_points INTEGER NOT NULL,
    three_fgm INTEGER NOT NULL, three_fga INTEGER NOT NULL, three_points INTEGER NOT NULL,
    unzoned_fgm INTEGER NOT NULL, unzoned_fga INTEGER NOT NULL,
    ftm INTEGER NOT NULL, fta INTEGER NOT NULL,
    points           INTEGER NOT NULL,  -- every made shot and free throw
    row_hash         TEXT NOT NULL,
    written_at       TEXT NOT NULL,
    PRIMARY KEY (game_date, game_id, player_id)
);

-- The official NBA injury report (PDF): every entry of every report published on the date.
-- The report time is in the key, so a later report adds rows.
CREATE TABLE raw_nbac_injury_report (
    report_date    TEXT NOT NULL,       -- the date the report was published (the data date)
    report_time    TEXT NOT NULL,       -- Eastern, "YYYY-MM-DDTHH:MM" as the report states it; else "slot:<12PM>"
    report_slot    TEXT NOT NULL,       -- the hourly file it came from ("12PM")
    game_date      TEXT NOT NULL,       -- the game the entry is for
    game_time_et   TEXT NOT NULL,
    matchup        TEXT NOT NULL,       -- away@home tricodes, "MIL@SAS"
    team           TEXT NOT NULL,       -- full team name as printed
    player_name    TEXT NOT NULL,       -- "First Last"
    player_lookup  TEXT NOT NULL,
    status         TEXT NOT NULL,       -- Out / Questionable / Doubtful / Probable / Available
    reason         TEXT NOT NULL,
    row_hash       TEXT NOT NULL,
    written_at     TEXT NOT NULL,
    PRIMARY KEY (report_date, report_time, game_date, team, player_lookup)
);

-- NBA.com player index as of the date.
CREATE TABLE raw_nbac_player_list (
    list_date      TEXT NOT NULL,
    player_id      INTEGER NOT NULL,
    first_name     TEXT NOT NULL,
    last_name      TEXT NOT NULL,
    player_name    TEXT NOT NULL,
    player_lookup  TEXT NOT NULL,
    slug           TEXT,
    team_id        INTEGER,
    team           TEXT,
    jersey         TEXT,
    position       TEXT,
    active         INTEGER NOT NULL,
    from_year      INTEGER,
    to_year        INTEGER,
    row_hash       TEXT NOT NULL,
    written_at     TEXT NOT NULL,
    PRIMARY KEY (list_date, player_id)
);

-- The Odds API spreads and totals: one row per outcome (a spread's team, a total's Over/Under)
-- of one bookmaker's market at one snapshot (the market's last_update). Every snapshot kept.
CREATE TABLE raw_oddsa_game_lines (
    game_date      TEXT NOT NULL,
    event_id       TEXT NOT NULL,
    bookmaker      TEXT NOT NULL,
    market         TEXT NOT NULL,       -- spread / total
    outcome        TEXT NOT NULL,       -- the team (spread) or Over / Under (total)
    snapshot_time  TEXT NOT NULL,       -- UTC
    point          REAL NOT NULL,       -- the team's handicap, or the total
    price_american INTEGER,             -- NULL when the answer gave decimal odds
    price_decimal  REAL NOT NULL,
    commence_time  TEXT NOT NULL,
    home_team      TEXT NOT NULL,
    away_team      TEXT NOT NULL,
    row_hash       TEXT NOT NULL,
    written_at     TEXT NOT NULL,
    PRIMARY KEY (game_date, event_id, bookmaker, market, outcome, snapshot_time)
);

-- BettingPros player-points offers: one row per event, book, player, line and update time
-- (books list alternate lines beside the main one). Every snapshot kept.
CREATE TABLE raw_bp_player_props (
    game_date      TEXT NOT NULL,
    event_id       INTEGER NOT NULL,
    book_id        INTEGER NOT NULL,    -- 0 is BettingPros' consensus
    bp_player_id   TEXT NOT NULL,
    line           REAL NOT NULL,
    snapshot_time  TEXT NOT NULL,       -- the line's `updated`; "" when the book gave none
    player_name    TEXT NOT NULL,
    player_lookup  TEXT NOT NULL,
    team           TEXT,
    over_price     INTEGER,
    under_price    INTEGER,
    main           INTEGER NOT NULL,
    home_team      TEXT,                -- from the date's events answer, when kept
    away_team      TEXT,
    scheduled_utc  TEXT,
    row_hash       TEXT NOT NULL,
    written_at     TEXT NOT NULL,
    PRIMARY KEY (game_date, event_id, book_id, bp_player_id, line, snapshot_time)
);

-- ESPN scoreboard: the date's games with ESPN's ids, status and scores.
CREATE TABLE raw_espn_scoreboard (
    game_date       TEXT NOT NULL,
    espn_game_id    TEXT NOT NULL,
    start_time_utc  TEXT NOT NULL,
    status          TEXT NOT NULL,
    state           TEXT NOT NULL,      -- pre / in / post
    completed       INTEGER NOT NULL,
    status_detail   TEXT,
    home_team_id    TEXT NOT NULL,
    home_team       TEXT NOT NULL,
    home_team_name  TEXT NOT NULL,
    away_team_id    TEXT NOT NULL,
    away_team       TEXT NOT NULL,
    away_team_name  TEXT NOT NULL,
    home_score      INTEGER,
    away_score      INTEGER,
    row_hash        TEXT NOT NULL,
    written_at      TEXT NOT NULL,
    PRIMARY KEY (game_date, espn_game_id)
);

-- ESPN team rosters of the teams playing on the date, with ESPN's injury notes.
CREATE TABLE raw_espn_rosters (
    roster_date        TEXT NOT NULL,
    team_id            TEXT NOT NULL,   -- ESPN's
    athlete_id         TEXT NOT NULL,   -- ESPN's
    team               TEXT NOT NULL,
    player_name        TEXT NOT NULL,
    player_lookup      TEXT NOT NULL,
    position           TEXT,
    jersey             TEXT,
    status             TEXT,
    injury_status      TEXT,
    injury_date        TEXT,
    injury_type        TEXT,
    injury_return_date TEXT,
    injury_comment     TEXT,
    row_hash           TEXT NOT NULL,
    written_at         TEXT NOT NULL,
    PRIMARY KEY (roster_date, team_id, athlete_id)
);

-- Ball Don't Lie box scores: one row per player line of the date (Ball Don't Lie's own ids).
CREATE TABLE raw_bdl_box_scores (
    game_date        TEXT NOT NULL,
    bdl_player_id    INTEGER NOT NULL,
    bdl_game_id      INTEGER,
    season           INTEGER NOT NULL,
    postseason       INTEGER NOT NULL,
    game_status      TEXT NOT NULL,
    bdl_team_id      INTEGER NOT NULL,
    team             TEXT NOT NULL,
    opponent_team_id INTEGER NOT NULL,
    home             INTEGER NOT NULL,
    player_name      TEXT NOT NULL,
    player_lookup    TEXT NOT NULL,
    position         TEXT,
    minutes          REAL,
    fgm INTEGER, fga INTEGER, fg3m INTEGER, fg3a INTEGER, ftm INTEGER, fta INTEGER,
    oreb INTEGER, dreb INTEGER, reb INTEGER, ast INTEGER, stl INTEGER, blk INTEGER,
    tov INTEGER, pf INTEGER,
    points           INTEGER,
    plus_minus       INTEGER,
    row_hash         TEXT NOT NULL,
    written_at       TEXT NOT NULL,
    PRIMARY KEY (game_date, bdl_player_id)
);

-- Ball Don't Lie injury list as it stood on the date.
CREATE TABLE raw_bdl_injuries (
    report_date    TEXT NOT NULL,
    bdl_player_id  INTEGER NOT NULL,
    player_name    TEXT NOT NULL,
    player_lookup  TEXT NOT NULL,
    position       TEXT,
    bdl_team_id    INTEGER,
    status         TEXT NOT NULL,
    return_date    TEXT,
    description    TEXT,
    row_hash       TEXT NOT NULL,
    written_at     TEXT NOT NULL,
    PRIMARY KEY (report_date, bdl_player_id)
);

-- Historical import: NBA.com LeagueGameFinder team rows (one per game and team).
CREATE TABLE raw_historical_team_games (
    game_date      TEXT NOT NULL,
    game_id        TEXT NOT NULL,
    team_id        INTEGER NOT NULL,
    season_id      TEXT NOT NULL,
    team           TEXT NOT NULL,
    opponent       TEXT NOT NULL,       -- from MATCHUP
    home           INTEGER NOT NULL,    -- "vs." home, "@" away
    matchup        TEXT NOT NULL,
    wl             TEXT,
    minutes        REAL NOT NULL,
    points         INTEGER NOT NULL,
    fgm INTEGER NOT NULL, fga INTEGER NOT NULL, fg3m INTEGER NOT NULL, fg3a INTEGER NOT NULL,
    ftm INTEGER NOT NULL, fta INTEGER NOT NULL,
    reb INTEGER NOT NULL, ast INTEGER NOT NULL, tov INTEGER NOT NULL,
    plus_minus     REAL NOT NULL,
    row_hash       TEXT NOT NULL,
    written_at     TEXT NOT NULL,
    PRIMARY KEY (game_date, game_id, team_id)
);

-- Historical import: player game logs (one per player and date).
CREATE TABLE raw_historical_player_game_logs (
    game_date      TEXT NOT NULL,
    player_id      INTEGER NOT NULL,
    player_name    TEXT NOT NULL,
    player_lookup  TEXT NOT NULL,
    matchup        TEXT NOT NULL,
    opponent       TEXT NOT NULL,
    home           INTEGER NOT NULL,
    minutes        REAL NOT NULL,
    fgm INTEGER NOT NULL, fga INTEGER NOT NULL, fg3m INTEGER NOT NULL, fg3a INTEGER NOT NULL,
    ftm INTEGER NOT NULL, fta INTEGER NOT NULL,
    reb INTEGER NOT NULL, ast INTEGER NOT NULL, tov INTEGER NOT NULL,
    points         INTEGER NOT NULL,
    row_hash       TEXT NOT NULL,
    written_at     TEXT NOT NULL,
    PRIMARY KEY (game_date, player_id)
);

-- Historical import: sportsbook player_points lines, every snapshot kept.
CREATE TABLE raw_historical_points_lines (
    game_date      TEXT NOT NULL,       -- the Eastern game date
    event_id       TEXT NOT NULL,
    bookmaker      TEXT NOT NULL,
    player_lookup  TEXT NOT NULL,
    snapshot_time  TEXT NOT NULL,       -- UTC
    player_name    TEXT NOT NULL,       -- the sportsbook's spelling
    commence_time  TEXT NOT NULL,
    game           TEXT NOT NULL,       -- "Away Team @ Home Team"
    market         TEXT NOT NULL,
    line           REAL NOT NULL,
    over_price     INTEGER,
    under_price    INTEGER,
    row_hash       TEXT NOT NULL,
    written_at     TEXT NOT NULL,
    PRIMARY KEY (game_date, event_id, bookmaker, player_lookup, snapshot_time)
);
