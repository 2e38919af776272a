using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;
using OpenIkz.Agreements;
using OpenIkz.Agreements.Settlement;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Assessment.Evaluation;

/// <summary>
/// The evaluation of a running agreement against its goals, measured from the back office and the settlement. For
/// members' Koordination and Teamleitung (a non-member's agreement is 404). Only the agreement's members' cases of the
/// agreement's services count, and only within the agreement's validity. <see cref="EvaluationScan"/> reads the cases
/// once from a covering index and adds them up into histograms (counts per member, service, start weekday and
/// calendar-day gap); the aggregator turns those into working days and percentiles, so the work after the scan does not
/// grow with the number of cases. The compensation is the settlement's: the scan counts by the rule of
/// <see cref="SettlementService.CountAsync"/>, priced by <see cref="SettlementCalculator"/>. Each evaluation is audited (it
/// shows figures of the other members' cases).
/// </summary>
public sealed class AgreementEvaluation(Db db, AgreementService agreements, AgreementGoals goals, AuditLog audit, TimeProvider clock, IEnumerable<ISettlementCountSource> countSources)
{
    public async Task<EvaluationReport> EvaluateAsync(Actor actor, long agreementId, string? fromText, string? toText, CancellationToken ct = default)
    {
        var (from, to) = Check(actor, fromText, toText);
        var agreement = await agreements.GetAsync(actor, agreementId, ct); // 404 for non-members
        var (report, entry) = await EvaluateCoreAsync(agreement, from, to, ct);
        await db.InTransactionAsync(async (c, tx) => await audit.AppendAsync(c, tx, actor, entry), ct);
        return report;
    }

    /// <summary>
    /// Several agreements the caller has already loaded (the start page): evaluated one after the other, audited in one
    /// transaction at the end — one entry per agreement as for the API, one commit instead of one per agreement.
    /// </summary>
    public async Task<IReadOnlyList<EvaluationReport>> EvaluateManyAsync(Actor actor, IReadOnlyList<(AgreementDetails Agreement, DateOnly From, DateOnly To)> items, CancellationToken ct = default)
    {
        RequireEvaluator(actor);
        var reports = new List<EvaluationReport>();
        var entries = new List<AuditEntry>();
        foreach (var (agreement, from, to) in items)
        {
            if (agreement.Members.All(m => m.Ags != actor.Ags)) throw new AgreementNotFoundException();
            var (report, entry) = await EvaluateCoreAsync(agreement, from, to, ct);
            reports.Add(report);
            entries.Add(entry);
        }
        if (entries.Count > 0)
            await db.InTransactionAsync(async (c, tx) =>
            {
                foreach (var entry in entries) await audit.AppendAsync(c, tx, actor, entry);
            }, ct);
        return reports;
    }

    private static void RequireEvaluator(Actor actor)
    {
        if (!actor.IsUser || !(actor.IsCoordinator || actor.IsTeamLead))
            throw new RuleException("EvaluatorOnly", "Die Evaluation sehen die Koordination und die Teamleitung einer Mitgliedskommune.");
    }

    private static (DateOnly? From, DateOnly? To) Check(Actor actor, string? fromText, string? toText)
    {
        RequireEvaluator(actor);
        var errors = new ValidationErrors();
        var from = ParseDate(errors, "from", fromText);
        var to = ParseDate(errors, "to", toText);
        if (from is { } f && to is { } t && t < f) errors.Add("to", "Das Ende liegt vor dem Beginn.");
        if (errors.Count > 0) throw new ValidationException(errors);
        return (from, to);
    }

    private async Task<(EvaluationReport Report, AuditEntry Entry)> EvaluateCoreAsync(AgreementDetails agreement, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        var agreementId = agreement.Id;
        var today = BerlinTime.Today(clock);
        var start = from ?? agreement.ValidFrom;
        var end = to ?? (agreement.EvaluationDate is { } e && e <= today ? e : today);
        // Only the agreement's validity counts.
        var countFrom = start < agreement.ValidFrom ? agreement.ValidFrom : start;
        var countTo = agreement.ValidTo is { } validTo && validTo < end ? validTo : end;

        var members = agreement.Members.Select(m => (m.Ags, m.Name)).ToList();
        var services = agreement.Services;
        IReadOnlyList<DecidedRow> decided = [];
        IReadOnlyList<ProcessingRow> processing = [];
        IReadOnlyList<IntakeRow> intake = [];
        IReadOnlyList<AbsenceRow> absences = [];
        IReadOnlyList<CaseCount> counts = [];
        var otherCounts = new List<CaseCount>(); // e.g. served appointments: priced in the Kostenausgleich, not case figures
        if (countFrom <= countTo)
        {
            var p = new
            {
                Id = agreementId,
                From = SettlementService.BerlinMidnightUtc(countFrom),
                To = SettlementService.BerlinMidnightUtc(countTo.AddDays(1)),
            };
            var scan = await EvaluationScan.RunAsync(db, agreementId, countFrom, countTo,
                agreement.Members.Where(m => m.ContributesStaff).Select(m => m.Ags).ToHashSet(StringComparer.Ordinal), ct);
            (decided, processing, intake, counts) = (scan.Decided, scan.Processing, scan.Intake, scan.Counts);
            await using var c = await db.OpenAsync(ct);
            absences = (await c.QueryAsync<AbsenceDbRow>(Command(EvaluationScan.ReturnedByAbsence, p, ct))).Select(r => new AbsenceRow(r.Covered, r.Service, r.Count)).ToList();
            foreach (var source in countSources) otherCounts.AddRange(await source.CountAsync(c, agreementId, p.From, p.To, ct));
        }

        var (partners, total) = EvaluationAggregator.Aggregate(members, services, decided, processing, intake, absences, counts);
        var settlement = SettlementCalculator.Calculate(counts.Concat(otherCounts), new SettlementKey(agreement.Rates, agreement.FeeRule, agreement.FeeSharePercent), members.Select(m => m.Ags));
        var compensation = members.Select(m =>
        {
            var paid = settlement.Lines.Where(l => l.OwnerAgs == m.Ags).Sum(l => l.AmountCents);
            var received = settlement.Lines.Where(l => l.ProcessorAgs == m.Ags).Sum(l => l.AmountCents);
            return new PartnerCompensation(m.Ags, m.Name, paid / 100m, received / 100m, (received - paid) / 100m);
        }).ToList();
        var judged = EvaluationAggregator.Judge(await goals.LoadAsync(agreementId, ct), total, end);
        var prediction = await PredictionAsync(agreementId, members, services, decided, processing, intake, absences, counts, countFrom, countTo, ct);

        var entry = new AuditEntry("agreement.evaluated", null, agreementId, null, $"{start:yyyy-MM-dd}..{end:yyyy-MM-dd}");

        return (new EvaluationReport(agreementId, agreement.Title, start, end, agreement.EvaluationDate, partners, total, compensation, judged,
            EvaluationAggregator.PercentileMethod, EvaluationAggregator.WorkingDayRule, prediction), entry);
    }

    /// <summary>
    /// The prediction of the potential analysis this agreement (or a version it amends) was drafted from
    /// (<c>assessments.agreement_id</c>), read from the stored result as answered; null when there is none.
    /// </summary>
    private async Task<EvaluationPrediction?> PredictionAsync(long agreementId, IReadOnlyList<(string Ags, string Name)> members, IReadOnlyList<string> services,
        IReadOnlyList<DecidedRow> decided, IReadOnlyList<ProcessingRow> processing, IReadOnlyList<IntakeRow> intake, IReadOnlyList<AbsenceRow> absences,
        IReadOnlyList<CaseCount> counts, DateOnly countFrom, DateOnly countTo, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        AssessmentRow? row = null;
        long? version = agreementId;
        for (var hops = 0; version is { } v && row is null && hops < 100; hops++)
        {
            row = await c.QueryFirstOrDefaultAsync<AssessmentRow>(new CommandDefinition(
                "SELECT id, title, result_json AS ResultJson FROM assessments WHERE agreement_id = @Id ORDER BY id LIMIT 1", new { Id = v }, cancellationToken: ct));
            version = row is null ? await c.ExecuteScalarAsync<long?>(new CommandDefinition("SELECT supersedes_id FROM agreements WHERE id = @Id", new { Id = v }, cancellationToken: ct)) : null;
        }
        if (row is null) return null;
        using var json = JsonDocument.Parse(row.ResultJson);
        var root = json.RootElement;
        static double? Number(JsonElement e, params string[] path)
        {
            foreach (var p in path)
                if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(p, out e)) return null;
            return e.ValueKind == JsonValueKind.Number ? e.GetDouble() : null;
        }
        var predicted = new Dictionary<string, JsonElement>();
        if (root.TryGetProperty("pooled", out var pooled) && pooled.TryGetProperty("services", out var list) && list.ValueKind == JsonValueKind.Array)
            foreach (var s in list.EnumerateArray())
                if (s.TryGetProperty("service", out var slug) && slug.GetString() is { } name) predicted[name] = s;
        var days = countTo.DayNumber - countFrom.DayNumber + 1;
        var perService = services.Select(service =>
        {
            var (_, t) = EvaluationAggregator.Aggregate(members, [service], decided.Where(d => d.Service == service).ToList(), processing.Where(p => p.Service == service).ToList(),
                intake.Where(i => i.Service == service).ToList(), absences.Where(a => a.Service == service).ToList(), counts.Where(x => x.Service == service).ToList());
            predicted.TryGetValue(service, out var p);
            var has = p.ValueKind == JsonValueKind.Object;
            return new ServicePrediction(service, has ? Number(p, "pooled", "casesPerYear") : null, has ? Number(p, "pooled", "throughputWorkingDays") : null,
                has ? Number(p, "pooled", "meanWaitMinutes") : null, t.Received,
                days > 0 ? decimal.Round(t.Received * 365m / days, 0, MidpointRounding.AwayFromZero) : null, t.LeadTime.P50, t.LeadTime.P90);
        }).ToList();
        return new EvaluationPrediction(row.Id, row.Title, Number(root, "saving", "percent"), Number(root, "saving", "eurPerYear"), Number(root, "pooled", "fte"), perService);
    }

    private sealed class AssessmentRow
    {
        public long Id { get; set; }
        public string Title { get; set; } = "";
        public string ResultJson { get; set; } = "";
    }

    private static CommandDefinition Command(string sql, object p, CancellationToken ct) => new(sql, p, commandTimeout: 600, cancellationToken: ct);

    private static DateOnly? ParseDate(ValidationErrors errors, string field, string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (!DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            errors.Add(field, "Bitte ein Datum im Format JJJJ-MM-TT angeben (z. B. 2026-06-30).");
            return null;
        }
        return InputDates.Check(errors, field, date) ? date : null;
    }

    // Settable rows: for an empty result SQLite reports no column types Dapper could match to a constructor.
    private sealed class AbsenceDbRow
    {
        public string Covered { get; set; } = "";
        public string Service { get; set; } = "";
        public long Count { get; set; }
    }
}
