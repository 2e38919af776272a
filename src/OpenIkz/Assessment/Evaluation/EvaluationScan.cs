using System.Runtime.CompilerServices;
using OpenIkz.Agreements.Settlement;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Assessment.Evaluation;

/// <summary>
/// What the evaluation reads from the back office, in one pass over the closed cases and one over the open ones.
///
/// The closed cases come from the covering index <c>ix_cases_closed</c> (migration 0014): decided from the start of the
/// period on, with the Berlin day numbers of receipt, last claim, decision and due date stored in it, so no timestamp is
/// converted per request and nothing is sorted. The application adds the rows up into the histograms the aggregator
/// expects (per owner, service, start weekday and calendar-day gap). One pass replaces the three GROUP BYs the database
/// used to sort (lead time, processing time, the settlement's count): measured on 1,000,000 cases in
/// <c>bench assess-evaluation</c> (docs/BENCHMARKS.md).
///
/// The settlement's count (decided for another member) is computed from the same rows with the same rule as
/// <see cref="SettlementService.CountAsync"/>: owner ≠ processor, owner contributes cases, processor contributes staff,
/// a service of the agreement. EvaluationTests.Scan_InOneOrTwoParts… holds the two equal.
/// </summary>
internal static class EvaluationScan
{
    internal sealed record Result(IReadOnlyList<DecidedRow> Decided, IReadOnlyList<ProcessingRow> Processing, IReadOnlyList<IntakeRow> Intake, IReadOnlyList<CaseCount> Counts);

    /// <summary>
    /// A day that never occurs, for a missing one (no claim, no decision): the scan reads no NULLs, since asking SQLite
    /// for each column's type costs as much as reading it. Texts missing are '' (<see cref="TextIds.Empty"/>).
    /// </summary>
    internal const int NoDay = -1_000_000;

    /// <summary>
    /// The agreement's members' (case-contributing) cases of its services, hidden from SQLite's index choice with the
    /// unary <c>+</c> (a no-op on any value), so its planner keeps to the range scan of the covering index (the period)
    /// instead of ix_cases_owner_service_status, which would read every case of every member of all years at random.
    /// PostgreSQL plans with statistics and has no unary + for text. (The earlier <c>x || ''</c> cost 0.2 s per million rows.)
    /// </summary>
    private static string HiddenScope(bool sqlite) => sqlite ? ScopeOf("+") : Scope;

    private static readonly string Scope = ScopeOf("");

    /// <summary>The agreement's members' (case-contributing) cases of its services; <paramref name="hide"/> before each column.</summary>
    private static string ScopeOf(string hide) => $"""
        {hide}c.service_slug IN (SELECT s.service_slug FROM agreement_services s WHERE s.agreement_id = @Id)
        AND {hide}c.owner_ags IN (SELECT m.municipality_ags FROM agreement_members m WHERE m.agreement_id = @Id AND m.contributes_cases = TRUE)
        """;

    /// <summary>
    /// Closed cases decided from the start of the period on and received by its end: those decided within it give the
    /// durations and counts; those decided later are part of the backlog at its end. Every column is in ix_cases_closed.
    /// </summary>
    internal static string ClosedSql(bool sqlite, bool bounded) => $"""
        SELECT c.owner_ags, COALESCE(c.processor_ags, ''), c.service_slug, COALESCE(c.case_group, ''), c.received_day, COALESCE(c.assigned_day, {NoDay}), c.decided_day, c.due_day
        FROM cases c
        WHERE c.status = 'closed' AND c.decided_at >= @ScanFrom{(bounded ? " AND c.decided_at < @ScanUntil" : "")} AND c.received_day <= @ToDay AND {HiddenScope(sqlite)}
        """;

    /// <summary>Cases not closed, received by the end of the period (ix_cases_owner_service_status: one seek per member, service and status).</summary>
    internal static readonly string OpenSql = $"""
        SELECT c.owner_ags, c.service_slug, c.received_day, COALESCE(c.decided_day, {NoDay}), c.due_day
        FROM cases c
        WHERE c.status IN ('open', 'assigned', 'waiting') AND c.received_at < @To AND {Scope}
        """;

    /// <summary>
    /// Cases an absence returned to the pool (audited with the absent clerk's municipality) that another partner decided
    /// in the period. From the audit entries (ix_audit_returned_absence) to their cases: SQLite keeps the order of a
    /// CROSS JOIN, and joined the other way round it read every closed case of every member (1.5 s on 1,000,000 cases).
    /// </summary>
    internal static readonly string ReturnedByAbsence = $"""
        SELECT a.actor_ags AS Covered, c.service_slug AS Service, COUNT(DISTINCT c.id) AS Count
        FROM audit_log a CROSS JOIN cases c
        WHERE a.action = 'case.returned-absence' AND c.id = a.case_id AND c.status = 'closed' AND c.decided_at >= @From AND c.decided_at < @To
          AND c.processor_ags <> a.actor_ags AND {Scope}
        GROUP BY a.actor_ags, c.service_slug
        """;

    /// <summary>Days since 1970-01-01 (a Thursday) to 0 = Monday … 6 = Sunday.</summary>
    private static int Weekday(int day) => (int)(((long)day + 3) % 7 + 7) % 7;

    /// <summary>
    /// The scan, in up to two parallel parts split by decision date (each its own connection and tally, merged at the end):
    /// an evaluation is a rare, heavy report, and on the two cores of the reference machine the halves take half as long.
    /// </summary>
    public static async Task<Result> RunAsync(Db db, long agreementId, DateOnly from, DateOnly to, IReadOnlySet<string> staffMembers, CancellationToken ct, int maxParts = 2)
    {
        var fromUtc = SettlementService.BerlinMidnightUtc(from);
        var toUtc = SettlementService.BerlinMidnightUtc(to.AddDays(1));
        var parameters = new ScanParameters(agreementId, fromUtc, toUtc, to.DayNumber - Epoch);
        var days = to.DayNumber - from.DayNumber + 1;
        var parts = Math.Clamp(Math.Min(maxParts, Math.Min(days, Environment.ProcessorCount)), 1, 2);
        var split = SettlementService.BerlinMidnightUtc(from.AddDays(days / 2)); // with two parts
        var sqlite = db.Kind == DatabaseKind.Sqlite;
        var tasks = Enumerable.Range(0, parts).Select(part => Task.Run(async () =>
        {
            var texts = new TextIds();
            var tally = new Tally(from.DayNumber - Epoch, to.DayNumber - Epoch, staffMembers, texts);
            var first = part == 0;
            var last = part == parts - 1;
            await using var c = await db.OpenAsync(ct);
            // The last part holds the present: the cases decided from its start on and those still open, read in one
            // transaction (one snapshot), so a case decided during the scan counts once — as open or as decided.
            await using var snapshot = last
                ? await Db.BeginSnapshotAsync(c, ct)
                : null;
            var range = parameters with { ScanFromUtc = first ? fromUtc : split, ScanUntilUtc = last ? null : split };
            await using (var r = await ScanRows.OpenAsync(c, ClosedSql(sqlite, bounded: !last), range, texts, ct))
                if (r.Synchronous) tally.AddAllClosed(r, ct);
                else while (await r.ReadAsync(ct)) tally.AddClosed(r);
            if (last)
                await using (var r = await ScanRows.OpenAsync(c, OpenSql, range, texts, ct))
                    while (await r.ReadAsync(ct)) tally.AddOpen(r);
            return tally.Result();
        }, ct)).ToList();
        return Merge(await Task.WhenAll(tasks));
    }

    private static Result Merge(IReadOnlyList<Result> parts) => parts.Count == 1 ? parts[0] : new Result(
        parts.SelectMany(p => p.Decided).GroupBy(d => d with { Count = 0 }).Select(g => g.Key with { Count = g.Sum(d => d.Count) }).ToList(),
        parts.SelectMany(p => p.Processing).GroupBy(d => d with { Count = 0 }).Select(g => g.Key with { Count = g.Sum(d => d.Count) }).ToList(),
        parts.SelectMany(p => p.Intake).GroupBy(i => (i.Owner, i.Service))
            .Select(g => new IntakeRow(g.Key.Owner, g.Key.Service, g.Sum(i => i.Received), g.Sum(i => i.Backlog), g.Sum(i => i.BacklogOverdue))).ToList(),
        parts.SelectMany(p => p.Counts).GroupBy(c => c with { Count = 0 }).Select(g => g.Key with { Count = g.Sum(c => c.Count) }).ToList());

    /// <summary>
    /// The histograms and counts, added up row by row. Keys are packed into 64 bits (texts as the scan's small ids) and
    /// counted in <see cref="CountMap"/>; the hot methods are compiled optimised at once. Both matter for the first
    /// evaluation after a start: with tiered compilation the generic dictionaries and record keys ran unoptimised for
    /// most of the first million rows (measured: 2.1 s for the first request, 0.9 s for the next).
    /// </summary>
    private sealed class Tally(int fromDay, int toDay, IReadOnlySet<string> staffMembers, TextIds texts)
    {
        private const int IdBits = 16;
        private const long IdMask = (1L << IdBits) - 1;
        private readonly CountMap _decided = new();
        private readonly CountMap _processing = new();
        private readonly CountMap _counts = new();
        private readonly CountMap _received = new();
        private readonly CountMap _backlog = new();
        private readonly CountMap _backlogOverdue = new();
        private readonly CountMap _staff = new(); // processor id → 1 (staff) or 2 (not staff)

        private static long Id(int id) => id <= IdMask ? id : throw new InvalidOperationException("More than 65,535 distinct texts in one evaluation.");

        /// <summary>A gap in days in 24 bits (±8 million days); anything beyond is not a date OpenIKZ stores.</summary>
        private static long Gap(int days) => days is > -(1 << 23) and < 1 << 23 ? days & 0xFFFFFF : throw new InvalidOperationException($"A case lasted {days} days.");

        private static int UnGap(long bits) => (int)(bits << 40 >> 40);

        // owner 16 | service 16 | weekday 3 | own 1 | late 1 | gap 24
        private static long DecidedKey(int owner, int service, int weekday, bool own, bool late, int gap) =>
            Id(owner) << 48 | Id(service) << 32 | (long)weekday << 29 | (own ? 1L : 0) << 28 | (late ? 1L : 0) << 27 | Gap(gap);

        // processor 16 | service 16 | weekday 3 | gap 24
        private static long ProcessingKey(int processor, int service, int weekday, int gap) => Id(processor) << 48 | Id(service) << 32 | (long)weekday << 29 | Gap(gap);

        private static long CountKey(int owner, int processor, int service, int group) => Id(owner) << 48 | Id(processor) << 32 | Id(service) << 16 | Id(group);

        private static long IntakeKey(int owner, int service) => Id(owner) << 16 | Id(service);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void AddAllClosed(ScanRows r, CancellationToken ct)
        {
            while (r.Read(ct)) AddClosed(r);
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void AddClosed(ScanRows r)
        {
            var owner = r.TextId(0);
            var processor = r.TextId(1);
            var service = r.TextId(2);
            var received = r.Int(4);
            var decided = r.Int(6);
            var intake = IntakeKey(owner, service);
            if (received >= fromDay) _received.Add(intake);
            if (decided > toDay)
            {
                // Decided after the period: still open at its end.
                _backlog.Add(intake);
                if (r.Int(7) <= toDay) _backlogOverdue.Add(intake);
                return;
            }
            var own = processor == owner;
            _decided.Add(DecidedKey(owner, service, Weekday(received), own, decided > r.Int(7), decided - received));
            if (processor == TextIds.Empty) return;
            var assigned = r.Int(5);
            if (assigned != NoDay) _processing.Add(ProcessingKey(processor, service, Weekday(assigned), decided - assigned));
            if (!own && IsStaff(processor)) _counts.Add(CountKey(owner, processor, service, r.TextId(3)));
        }

        private bool IsStaff(int processor)
        {
            var known = _staff.Get(processor);
            if (known == 0) _staff.Add(processor, known = staffMembers.Contains(texts[processor]) ? 1 : 2);
            return known == 1;
        }

        public void AddOpen(ScanRows r)
        {
            var intake = IntakeKey(r.TextId(0), r.TextId(1));
            if (r.Int(2) >= fromDay) _received.Add(intake);
            if (r.Int(3) == NoDay || r.Int(3) > toDay)
            {
                _backlog.Add(intake);
                if (r.Int(4) <= toDay) _backlogOverdue.Add(intake);
            }
        }

        public Result Result()
        {
            string T(long id) => texts[(int)(id & IdMask)];
            var intakeKeys = _received.Keys().Concat(_backlog.Keys()).Distinct();
            return new Result(
                _decided.Entries().Select(e => new DecidedRow(T(e.Key >> 48), (e.Key >> 28 & 1) == 1, T(e.Key >> 32), (int)(e.Key >> 29 & 7), UnGap(e.Key), (e.Key >> 27 & 1) == 1, e.Count)).ToList(),
                _processing.Entries().Select(e => new ProcessingRow(T(e.Key >> 48), T(e.Key >> 32), (int)(e.Key >> 29 & 7), UnGap(e.Key), e.Count)).ToList(),
                intakeKeys.Select(k => new IntakeRow(T(k >> 16), T(k), _received.Get(k), _backlog.Get(k), _backlogOverdue.Get(k))).ToList(),
                _counts.Entries().Select(e => new CaseCount(T(e.Key >> 48), T(e.Key >> 32), T(e.Key >> 16), T(e.Key), e.Count)).ToList());
        }
    }

    /// <summary>Counts per 64-bit key: open addressing with linear probing, no generic code (see <see cref="Tally"/>).</summary>
    private sealed class CountMap
    {
        private long[] _keys = new long[1024];
        private long[] _counts = new long[1024];
        private bool[] _used = new bool[1024];
        private int _count;
        private int _shift = 64 - 10; // the top log2(capacity) bits of the product: every bit of the key reaches them

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Add(long key, long by = 1)
        {
            var mask = _keys.Length - 1;
            var i = Slot(key);
            while (_used[i])
            {
                if (_keys[i] == key)
                {
                    _counts[i] += by;
                    return;
                }
                i = (i + 1) & mask;
            }
            _used[i] = true;
            _keys[i] = key;
            _counts[i] = by;
            if (++_count * 2 > _keys.Length) Grow();
        }

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public long Get(long key)
        {
            var mask = _keys.Length - 1;
            for (var i = Slot(key); _used[i]; i = (i + 1) & mask)
                if (_keys[i] == key) return _counts[i];
            return 0;
        }

        public IEnumerable<long> Keys() => Entries().Select(e => e.Key);

        public IEnumerable<(long Key, long Count)> Entries()
        {
            for (var i = 0; i < _keys.Length; i++)
                if (_used[i]) yield return (_keys[i], _counts[i]);
        }

        // Fibonacci hashing: the top bits of key × 2^64/φ, which depend on every bit of the key (the packed keys differ in
        // their low bits, the gap, and their high bits, the texts).
        private int Slot(long key) => (int)((ulong)(key * -7046029254386353131L) >> _shift);

        private void Grow()
        {
            var (keys, counts, used) = (_keys, _counts, _used);
            _keys = new long[keys.Length * 2];
            _counts = new long[keys.Length * 2];
            _used = new bool[keys.Length * 2];
            _shift--;
            _count = 0;
            for (var i = 0; i < keys.Length; i++)
                if (used[i]) Add(keys[i], counts[i]);
        }
    }

    private static readonly int Epoch = new DateOnly(1970, 1, 1).DayNumber;
}
