namespace OcrForge.Tests.Tuning;

/// <summary>
/// The study schemas earlier versions of OcrForge wrote, kept verbatim so that migration is tested against what is
/// really on disk, each with one study holding a complete trial (with per-epoch values), a failed one and a waiting
/// one. Version 1: the first release; version 2 added <c>trials.value_se</c>.
/// </summary>
public static class LegacySchemas
{
    public const string StudyName = "old";

    public static string Ddl(string dialect, int version)
    {
        bool pg = dialect == "postgres";
        string key = pg ? "BIGSERIAL PRIMARY KEY" : "INTEGER PRIMARY KEY AUTOINCREMENT";
        string reference = pg ? "BIGINT" : "INTEGER";
        string time = pg ? "BIGINT" : "INTEGER";
        string real = pg ? "DOUBLE PRECISION" : "REAL";
        string valueSe = version >= 2 ? $", value_se {real}" : "";
        return $$"""
            CREATE TABLE ocrforge_schema (version INTEGER NOT NULL);
            INSERT INTO ocrforge_schema (version) VALUES ({{version}});
            CREATE TABLE studies (
                id {{key}}, name TEXT NOT NULL UNIQUE, direction TEXT NOT NULL,
                claimed INTEGER NOT NULL DEFAULT 0, next_number INTEGER NOT NULL DEFAULT 0, created_ms {{time}} NOT NULL);
            CREATE TABLE trials (
                id {{key}}, study_id {{reference}} NOT NULL REFERENCES studies(id),
                number INTEGER NOT NULL, state TEXT NOT NULL, params TEXT NOT NULL DEFAULT '{}', value {{real}},
                started_ms {{time}}, finished_ms {{time}}, heartbeat_ms {{time}}, worker TEXT, threads INTEGER,
                failure TEXT, retries INTEGER NOT NULL DEFAULT 0{{valueSe}}, UNIQUE (study_id, number));
            CREATE INDEX trials_by_state ON trials (study_id, state, number);
            CREATE TABLE trial_values (
                trial_id {{reference}} NOT NULL REFERENCES trials(id), step INTEGER NOT NULL, value {{real}} NOT NULL,
                PRIMARY KEY (trial_id, step));
            INSERT INTO studies (name, direction, claimed, next_number, created_ms)
                VALUES ('{{StudyName}}', 'minimize', 2, 3, 1000);
            INSERT INTO trials (study_id, number, state, params, value, started_ms, finished_ms, heartbeat_ms, worker,
                threads)
                VALUES (1, 0, 'complete', '{"x":1.5,"opt":"sgd"}', 0.5, 1000, 3000, 3000, 'h:1:0', 2);
            INSERT INTO trials (study_id, number, state, params, failure, retries)
                VALUES (1, 1, 'failed', '{"x":2.5}', 'NaN loss', 1);
            INSERT INTO trials (study_id, number, state, params) VALUES (1, 2, 'waiting', '{"x":3.5}');
            INSERT INTO trial_values (trial_id, step, value) VALUES (1, 1, 0.75);
            INSERT INTO trial_values (trial_id, step, value) VALUES (1, 2, 0.5);
            """;
    }
}
