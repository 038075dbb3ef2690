using System.Data.Common;
using OcrForge.Inference;

namespace OcrForge.Tuning;

/// <summary>
/// The SQL both database storages share. The schema: <c>studies</c> (with <c>claimed</c>, the budget counter, and
/// <c>next_number</c>), <c>trials</c> and <c>trial_values</c> (one row per reported step), plus
/// <c>ocrforge_schema</c> holding <see cref="SchemaVersion"/>. Dialects supply connections, the claim transaction
/// and the row-locking clause. Timestamps are Unix milliseconds from the injected clock.
/// </summary>
public abstract class RelationalStudyStorage(TimeProvider? clock) : IStudyStorage
{
    /// <summary>2 added <c>trials.value_se</c> (the standard error of a cross-validated value); 3 added what a
    /// study optimises (<see cref="StudyDefinition"/>: <c>studies.objective</c>, <c>data</c>, <c>space</c>,
    /// <c>epochs</c>, <c>sampler</c>, <c>seed</c>, <c>pruner</c>, <c>folds</c>).</summary>
    public const int SchemaVersion = 3;

    /// <summary>The columns of <see cref="StudyDefinition"/> added by version 3, with their SQL types (the same in
    /// both dialects).</summary>
    protected static readonly (string Name, string Type)[] DefinitionColumns =
    [
        ("objective", "TEXT"), ("data", "TEXT"), ("space", "TEXT"), ("epochs", "INTEGER"), ("sampler", "TEXT"),
        ("seed", "INTEGER"), ("pruner", "TEXT"), ("folds", "INTEGER"),
    ];

    /// <summary>The version-3 definition columns as a DDL fragment for <c>CREATE TABLE studies</c>.</summary>
    protected static string DefinitionDdl => string.Join(", ", DefinitionColumns.Select(c => $"{c.Name} {c.Type}"));

    /// <summary>Brings an older schema up to <see cref="SchemaVersion"/> in the creating transaction; refuses a
    /// newer one (its tables may mean something this version does not know), before anything is written.</summary>
    protected static int Migrate(DbConnection c, DbTransaction t, long version, string realType)
    {
        if (version == SchemaVersion) return 0;
        if (version > SchemaVersion)
            throw new OcrForgeException($"schema version {version} is newer than this ocrforge reads " +
                $"({SchemaVersion}); use a newer ocrforge");
        if (version < 2) Exec(c, t, $"ALTER TABLE trials ADD COLUMN value_se {realType}");
        if (version < 3)
            foreach (var (name, type) in DefinitionColumns)
                Exec(c, t, $"ALTER TABLE studies ADD COLUMN {name} {type}");
        Exec(c, t, "UPDATE ocrforge_schema SET version = @v", ("v", SchemaVersion));
        return 0;
    }

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    public abstract string Name { get; }

    /// <summary>An open connection (pooled by the driver).</summary>
    protected abstract DbConnection Open();

    /// <summary>A transaction that holds the study's write lock from its first statement (claims, reaping).</summary>
    protected abstract DbTransaction BeginWrite(DbConnection connection);

    /// <summary>The clause that locks selected rows and skips rows other claimers hold (empty where locks are
    /// global).</summary>
    protected abstract string SkipLocked { get; }

    /// <summary>The clause that locks a selected row until the transaction ends (empty where locks are global): two
    /// workers completing a study's definition at once take turns.</summary>
    protected virtual string LockRow => "";

    /// <summary>Whether an operation failed only because of contention and may simply be retried.</summary>
    protected abstract bool IsTransient(Exception e);

    protected long Now => _clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Runs <paramref name="body"/> in a write transaction, retrying on contention.</summary>
    protected T InTransaction<T>(Func<DbConnection, DbTransaction, T> body) => WithRetry(() =>
    {
        using var connection = Open();
        using var transaction = BeginWrite(connection);
        var result = body(connection, transaction);
        transaction.Commit();
        return result;
    });

    /// <summary>Runs single statements (each atomic on its own) on a connection, retrying on contention.</summary>
    protected T Retrying<T>(Func<DbConnection, T> body) => WithRetry(() =>
    {
        using var connection = Open();
        return body(connection);
    });

    // Jittered back-off, so that workers that collided do not collide again in lock step; bounded, so that a
    // database locked for good ends in an error rather than a hang.
    private T WithRetry<T>(Func<T> body)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return body();
            }
            catch (Exception e) when (IsTransient(e) && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(Random.Shared.Next(5, 20 + 10 * Math.Min(attempt, 20)));
            }
        }
    }

    public StudyInfo CreateStudy(string name, StudyDirection direction, StudyDefinition? definition = null)
        => InTransaction((c, t) =>
    {
        var existing = FindStudy(c, t, name, LockRow);
        if (existing is null)
        {
            long id = Scalar<long>(c, t,
                $"INSERT INTO studies (name, direction, created_ms, {DefinitionNames}) VALUES (@n, @d, @now, " +
                    $"{DefinitionParameters}) RETURNING id",
                [("n", name), ("d", direction.ToString().ToLowerInvariant()), ("now", Now),
                    .. DefinitionValues(definition ?? new())]);
            return new StudyInfo(id, name, direction, DateTimeOffset.FromUnixTimeMilliseconds(Now))
            {
                Definition = definition ?? new(),
            };
        }
        if (existing.Direction != direction)
            throw new OcrForgeException($"study {name}: exists to " +
                $"{existing.Direction.ToString().ToLowerInvariant()}, not {direction.ToString().ToLowerInvariant()}");
        if (definition is null) return existing;
        if (existing.Definition.Difference(definition) is { } difference)
            throw StudyDefinition.Refused(name, difference);
        var completed = existing.Definition.Complete(definition);
        if (completed == existing.Definition) return existing;
        string assignments = string.Join(", ", DefinitionColumns.Select(col => $"{col.Name} = @{col.Name}"));
        Exec(c, t, $"UPDATE studies SET {assignments} WHERE id = @id", [("id", existing.Id),
            .. DefinitionValues(completed)]);
        return existing with { Definition = completed };
    });

    private static string DefinitionNames => string.Join(", ", DefinitionColumns.Select(c => c.Name));

    private static string DefinitionParameters => string.Join(", ", DefinitionColumns.Select(c => "@" + c.Name));

    private static (string, object?)[] DefinitionValues(StudyDefinition d) =>
    [
        ("objective", d.Objective), ("data", d.Data), ("space", d.Space), ("epochs", d.Epochs), ("sampler", d.Sampler),
        ("seed", d.Seed), ("pruner", d.Pruner), ("folds", d.Folds),
    ];

    public StudyInfo? FindStudy(string name) => Retrying(c => FindStudy(c, null, name));

    public IReadOnlyList<StudyInfo> Studies() => Retrying(c =>
    {
        using var cmd = Command(c, null, $"SELECT {StudyColumns} FROM studies ORDER BY id");
        using var r = cmd.ExecuteReader();
        var list = new List<StudyInfo>();
        while (r.Read()) list.Add(ReadStudy(r));
        return list;
    });

    private static string StudyColumns => $"id, name, direction, created_ms, {DefinitionNames}";

    private static StudyInfo? FindStudy(DbConnection c, DbTransaction? t, string name, string lockRow = "")
    {
        using var cmd = Command(c, t, $"SELECT {StudyColumns} FROM studies WHERE name = @n{lockRow}", ("n", name));
        using var r = cmd.ExecuteReader();
        return r.Read() ? ReadStudy(r) : null;
    }

    private static StudyInfo ReadStudy(DbDataReader r) => new(r.GetInt64(0), r.GetString(1),
        Enum.Parse<StudyDirection>(r.GetString(2), ignoreCase: true),
        DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3)))
    {
        Definition = new StudyDefinition
        {
            Objective = r.IsDBNull(4) ? null : r.GetString(4),
            Data = r.IsDBNull(5) ? null : r.GetString(5),
            Space = r.IsDBNull(6) ? null : r.GetString(6),
            Epochs = r.IsDBNull(7) ? null : r.GetInt32(7),
            Sampler = r.IsDBNull(8) ? null : r.GetString(8),
            Seed = r.IsDBNull(9) ? null : r.GetInt32(9),
            Pruner = r.IsDBNull(10) ? null : r.GetString(10),
            Folds = r.IsDBNull(11) ? null : r.GetInt32(11),
        },
    };

    public Trial Enqueue(long studyId, IReadOnlyDictionary<string, object> values) => InTransaction((c, t) =>
    {
        long id = InsertTrial(c, t, studyId, TrialState.Waiting, ParameterValues.ToJson(values), 0, null);
        return ReadTrial(c, t, id);
    });

    public Trial? Claim(long studyId, ClaimRequest request) => InTransaction((c, t) =>
    {
        Reap(c, t, studyId, request);
        // The budget is a compare-and-set on the study row: its row lock makes concurrent claims take turns here.
        if (Exec(c, t, "UPDATE studies SET claimed = claimed + 1 WHERE id = @s AND claimed < @b",
                ("s", studyId), ("b", request.Budget)) == 0)
            return null;
        long? waiting = Scalar<long?>(c, t,
            $"SELECT id FROM trials WHERE study_id = @s AND state = 'waiting' ORDER BY number LIMIT 1{SkipLocked}",
                ("s", studyId));
        long id;
        if (waiting is { } w)
        {
            Exec(c, t, "UPDATE trials SET state = 'running', worker = @w, threads = @th, started_ms = @now, " +
                "heartbeat_ms = @now WHERE id = @id",
                ("w", request.Worker), ("th", request.Threads), ("now", Now), ("id", w));
            id = w;
        }
        else
            id = InsertTrial(c, t, studyId, TrialState.Running, "{}", 0, request);
        return ReadTrial(c, t, id);
    });

    /// <summary>Fails trials whose worker stopped heartbeating and re-queues their parameters while retries
    /// remain.</summary>
    private void Reap(DbConnection c, DbTransaction t, long studyId, ClaimRequest request)
    {
        var expired = new List<(long Id, string Params, int Retries, string? Worker)>();
        using (var cmd = Command(c, t,
            $"SELECT id, params, retries, worker FROM trials WHERE study_id = @s AND state = 'running' AND " +
                $"heartbeat_ms < @cutoff{SkipLocked}",
            ("s", studyId), ("cutoff", Now - (long)request.HeartbeatTimeout.TotalMilliseconds)))
        using (var r = cmd.ExecuteReader())
            while (r.Read()) expired.Add((r.GetInt64(0), r.GetString(1), r.GetInt32(2), r.IsDBNull(3) ? null
                : r.GetString(3)));
        foreach (var (id, parameters, retries, worker) in expired)
        {
            bool retry = retries < request.MaxRetries;
            string reason = $"worker {worker} stopped heartbeating for {request.HeartbeatTimeout.TotalSeconds:0.#} s"
                + (retry ? "; re-queued" : $"; not re-queued ({request.MaxRetries} retries used)");
            if (!FailRunning(c, t, id, reason)) continue;
            if (retry) Requeue(c, t, studyId, parameters, retries + 1);
        }
    }

    private bool FailRunning(DbConnection c, DbTransaction t, long id, string reason) =>
        Exec(c, t, "UPDATE trials SET state = 'failed', failure = @f, finished_ms = @now WHERE id = @id AND state = " +
            "'running'",
            ("f", reason), ("now", Now), ("id", id)) == 1;

    private void Requeue(DbConnection c, DbTransaction t, long studyId, string parameters, int retries)
    {
        InsertTrial(c, t, studyId, TrialState.Waiting, parameters, retries, null);
        Exec(c, t, "UPDATE studies SET claimed = claimed - 1 WHERE id = @s", ("s", studyId));
    }

    private long InsertTrial(DbConnection c, DbTransaction t, long studyId, TrialState state, string parameters,
        int retries, ClaimRequest? worker)
    {
        int number = (int)Scalar<long>(c, t,
            "UPDATE studies SET next_number = next_number + 1 WHERE id = @s RETURNING next_number - 1", ("s", studyId));
        long? now = worker is null ? null : Now;
        return Scalar<long>(c, t,
            "INSERT INTO trials (study_id, number, state, params, retries, worker, threads, started_ms, " +
                "heartbeat_ms) " +
            "VALUES (@s, @n, @st, @p, @r, @w, @th, @now, @now) RETURNING id",
            ("s", studyId), ("n", number), ("st", StateName(state)), ("p", parameters), ("r", retries),
            ("w", worker?.Worker), ("th", worker?.Threads), ("now", now));
    }

    public bool SetParams(long trialId, IReadOnlyDictionary<string, object> values) => Retrying(c =>
        Exec(c, null, "UPDATE trials SET params = @p, heartbeat_ms = @now WHERE id = @id AND state = 'running'",
            ("p", ParameterValues.ToJson(values)), ("now", Now), ("id", trialId)) == 1);

    // One statement, so one commit per epoch: the value is written only while the trial runs (compare-and-set), and
    // a step reported twice keeps the last value. The heartbeat timer, not this, keeps the trial alive.
    public bool Report(long trialId, int step, double value) => Retrying(c =>
        Exec(c, null, "INSERT INTO trial_values (trial_id, step, value) SELECT @id, @step, @v " +
            "WHERE EXISTS (SELECT 1 FROM trials WHERE id = @id AND state = 'running') " +
            "ON CONFLICT (trial_id, step) DO UPDATE SET value = excluded.value",
            ("id", trialId), ("step", step), ("v", value)) == 1);

    public bool Heartbeat(long trialId) => Retrying(c =>
        Exec(c, null, "UPDATE trials SET heartbeat_ms = @now WHERE id = @id AND state = 'running'", ("now", Now), ("id",
            trialId)) == 1);

    public bool Finish(long trialId, TrialState state, double? value, string? failure = null,
        double? standardError = null)
    {
        if (state is not (TrialState.Complete or TrialState.Pruned or TrialState.Failed))
            throw new ArgumentException($"a trial cannot finish as {state}", nameof(state));
        return Retrying(c => Exec(c, null,
            "UPDATE trials SET state = @st, value = @v, value_se = @se, failure = @f, finished_ms = @now " +
                "WHERE id = @id AND state = 'running'",
            ("st", StateName(state)), ("v", value), ("se", standardError), ("f", failure), ("now", Now),
            ("id", trialId)) == 1);
    }

    public bool Abandon(long trialId, string reason) => InTransaction((c, t) =>
    {
        long? studyId = Scalar<long?>(c, t, "SELECT study_id FROM trials WHERE id = @id", ("id", trialId));
        string? parameters = Scalar<string?>(c, t, "SELECT params FROM trials WHERE id = @id", ("id", trialId));
        if (studyId is null || !FailRunning(c, t, trialId, reason)) return false;
        int retries = (int)Scalar<long>(c, t, "SELECT retries FROM trials WHERE id = @id", ("id", trialId));
        Requeue(c, t, studyId.Value, parameters ?? "{}", retries);
        return true;
    });

    public IReadOnlyList<Trial> Trials(long studyId) => Retrying(c => ReadTrials(c, null, "t.study_id = @s", ("s",
        studyId)));

    private static Trial ReadTrial(DbConnection c, DbTransaction t, long id) => ReadTrials(c, t, "t.id = @id", ("id",
        id)).Single();

    private static List<Trial> ReadTrials(DbConnection c, DbTransaction? t, string where, params (string,
        object?)[] args)
    {
        var values = new Dictionary<long, SortedDictionary<int, double>>();
        using (var cmd = Command(c, t,
            $"SELECT v.trial_id, v.step, v.value FROM trial_values v JOIN trials t ON t.id = v.trial_id WHERE {where}",
            args))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
            {
                if (!values.TryGetValue(r.GetInt64(0), out var steps)) values[r.GetInt64(0)] = steps = [];
                steps[r.GetInt32(1)] = r.GetDouble(2);
            }
        var trials = new List<Trial>();
        using (var cmd = Command(c, t,
            "SELECT t.id, t.number, t.state, t.params, t.value, t.started_ms, t.finished_ms, t.heartbeat_ms, " +
                "t.worker, t.threads, " +
            $"t.failure, t.retries, t.value_se FROM trials t WHERE {where} ORDER BY t.number", args))
        using (var r = cmd.ExecuteReader())
            while (r.Read())
                trials.Add(new Trial
                {
                    Id = r.GetInt64(0),
                    Number = r.GetInt32(1),
                    State = Enum.Parse<TrialState>(r.GetString(2), ignoreCase: true),
                    Params = ParameterValues.FromJson(r.GetString(3)),
                    Value = r.IsDBNull(4) ? null : r.GetDouble(4),
                    Started = Time(r, 5),
                    Finished = Time(r, 6),
                    Heartbeat = Time(r, 7),
                    Worker = r.IsDBNull(8) ? null : r.GetString(8),
                    Threads = r.IsDBNull(9) ? null : r.GetInt32(9),
                    Failure = r.IsDBNull(10) ? null : r.GetString(10),
                    Retries = r.GetInt32(11),
                    ValueStandardError = r.IsDBNull(12) ? null : r.GetDouble(12),
                    Intermediate = values.TryGetValue(r.GetInt64(0), out var steps) ? steps : new SortedDictionary<int,
                        double>(),
                });
        return trials;
    }

    private static DateTimeOffset? Time(DbDataReader r, int i) => r.IsDBNull(i) ? null
        : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(i));

    private static string StateName(TrialState state) => state.ToString().ToLowerInvariant();

    protected static DbCommand Command(DbConnection c, DbTransaction? t, string sql, params (string Name,
        object? Value)[] args)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = t;
        foreach (var (name, value) in args)
        {
            var p = cmd.CreateParameter();
            p.ParameterName = name;
            p.Value = value ?? DBNull.Value;
            cmd.Parameters.Add(p);
        }
        return cmd;
    }

    protected static int Exec(DbConnection c, DbTransaction? t, string sql, params (string, object?)[] args)
    {
        using var cmd = Command(c, t, sql, args);
        return cmd.ExecuteNonQuery();
    }

    protected static T Scalar<T>(DbConnection c, DbTransaction? t, string sql, params (string, object?)[] args)
    {
        using var cmd = Command(c, t, sql, args);
        var v = cmd.ExecuteScalar();
        if (v is null or DBNull) return default!;
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)Convert.ChangeType(v, type, System.Globalization.CultureInfo.InvariantCulture);
    }

    public virtual void Dispose() => GC.SuppressFinalize(this);
}
