import GRDB

/// The tables of one interview's SQLite file. Version 3; a later version
/// adds tables or columns and never changes what these mean, so a reader
/// opens older files as they are (read-only: nothing is migrated) and
/// checks for what they lack.
enum InterviewSchema {
    /// 2 added `agent_session`, `seq_high_water` and `page_heard_ms`: what a
    /// restarted agent needs to continue the interview. 3 added
    /// `start_states`: in version 2 the states at the start were `plugin_states`
    /// rows of seq 0, until a newer state of the plugin replaced them.
    static let version = 3

    static func create(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS interview (
                id TEXT PRIMARY KEY NOT NULL,
                title TEXT,
                guidelines TEXT,          -- JSON object, or NULL when none was given
                session TEXT NOT NULL,    -- the paired session that started it
                started_ms INTEGER NOT NULL,
                first_seq INTEGER NOT NULL,
                ended_ms INTEGER,
                end_reason TEXT,
                last_seq INTEGER,
                -- The agent_session of the seq numbering the file's seqs belong to.
                agent_session TEXT,
                -- No seq at or above this was handed out while the file was last
                -- written: where a restarted agent continues the numbering.
                seq_high_water INTEGER,
                -- When a page of `session` was last heard from, as of the last write.
                page_heard_ms INTEGER
            );
            CREATE TABLE IF NOT EXISTS events (
                seq INTEGER PRIMARY KEY NOT NULL,
                ts_ms INTEGER NOT NULL,
                topic TEXT NOT NULL,
                plugin TEXT NOT NULL,
                data TEXT NOT NULL
            );
            -- Seqs published during the interview that never reached the file:
            -- the store fell behind (its bus queue dropped them), a write failed,
            -- or the agent stopped before writing them (killed, crashed).
            CREATE TABLE IF NOT EXISTS gaps (
                first_missing INTEGER NOT NULL,
                last_missing INTEGER NOT NULL,
                cause TEXT NOT NULL,
                noticed_ms INTEGER NOT NULL
            );
            -- The newest plugin.state of each plugin, as its event's data.
            CREATE TABLE IF NOT EXISTS plugin_states (
                plugin TEXT PRIMARY KEY NOT NULL,
                seq INTEGER NOT NULL,
                data TEXT NOT NULL
            );
            -- The state in force when the interview began, written at its start
            -- and never changed: each plugin's state (topic plugin.state, seq 0,
            -- `key` the plugin it describes) and the newest screen.monitors event
            -- (its own seq and ts, `key` its publisher).
            CREATE TABLE IF NOT EXISTS start_states (
                topic TEXT NOT NULL,
                key TEXT NOT NULL,
                seq INTEGER NOT NULL,
                ts_ms INTEGER NOT NULL,
                plugin TEXT NOT NULL,
                data TEXT NOT NULL,
                PRIMARY KEY (topic, key)
            );
            PRAGMA user_version = \(version);
            """)
    }
}
