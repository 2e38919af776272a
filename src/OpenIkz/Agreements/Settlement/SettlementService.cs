using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using OpenIkz.Directory.Services;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Agreements.Settlement;

/// <summary>The outcome of a run: a new final settlement (Created), the unchanged stored one, or a provisional preview.</summary>
public sealed record RunResult(SettlementView Settlement, bool Created)
{
    public bool Provisional => Settlement.Provisional;
}

public sealed class SettlementNotFoundException() : NotFoundException("Abrechnung nicht gefunden.");

/// <summary>
/// Runs and reads settlements. A run counts, in the database, the cases decided in the period (within
/// the agreement's validity) by clerks of a staff-contributing member for a case-contributing member,
/// per service and case group, and lets <see cref="SettlementCalculator"/> apply the key. Settlements
/// are final: the same period again gives the stored settlement when nothing changed, and otherwise a
/// correction that references it and replaces its invoices. A period that overlaps another settled period is
/// refused. A period that has not ended yet (its last day is today or later, Europe/Berlin) is only previewed:
/// the result is computed but not stored, and it issues no invoice.
/// </summary>
public sealed class SettlementService(Db db, TimeProvider clock, IEnumerable<ISettlementCountSource> countSources)
{
    public async Task<RunResult> RunAsync(Actor actor, long agreementId, string periodText, CancellationToken ct = default)
    {
        if (!actor.IsUser || !actor.IsCoordinator) throw new RuleException("CoordinatorOnly", "Nur die Koordination einer Mitgliedskommune kann abrechnen.");
        var period = SettlementPeriod.Parse(periodText);
        var today = BerlinTime.Today(clock);
        if (period.Start > today)
            throw new ValidationException(new ValidationErrors { { "period", ["Der Zeitraum hat noch nicht begonnen."] } });

        // The counting reads millions of rows: it runs before the write transaction, so that on SQLite the
        // single writer is not held for its duration. The write transaction re-checks everything it depends on.
        var (agreementForCount, _) = await LoadAgreementAsync(agreementId, actor, ct);
        var countFrom = Max(period.Start, agreementForCount.ValidFrom);
        var countTo = agreementForCount.ValidTo is { } end ? Min(period.End, end.AddDays(1)) : period.End;
        IReadOnlyList<CaseCount> counts = [];
        if (countFrom < countTo)
        {
            await using var reader = await db.OpenAsync(ct);
            var all = (await CountAsync(reader, null, agreementId, BerlinMidnightUtc(countFrom), BerlinMidnightUtc(countTo))).ToList();
            foreach (var source in countSources) all.AddRange(await source.CountAsync(reader, agreementId, BerlinMidnightUtc(countFrom), BerlinMidnightUtc(countTo), ct));
            counts = all;
        }

        return await db.InTransactionAsync(async (c, tx) =>
        {
            if (db.Kind == DatabaseKind.Postgres) await c.ExecuteAsync("SELECT id FROM agreements WHERE id = @Id FOR UPDATE", new { Id = agreementId }, tx);
            var agreement = await c.QuerySingleOrDefaultAsync<AgreementRow>(
                "SELECT id, title, status, valid_from AS ValidFrom, valid_to AS ValidTo, fee_rule AS FeeRule, fee_share_percent AS FeeShare FROM agreements WHERE id = @Id", new { Id = agreementId }, tx);
            var members = (await c.QueryAsync<string>("SELECT municipality_ags FROM agreement_members WHERE agreement_id = @Id ORDER BY municipality_ags", new { Id = agreementId }, tx)).ToList();
            if (agreement is null || !members.Contains(actor.Ags)) throw new AgreementNotFoundException();
            if (agreement.Status is AgreementStatus.Draft or AgreementStatus.Consented or AgreementStatus.Submitted)
                throw new RuleException("NotInForce", "Eine Vereinbarung, die noch nicht wirksam ist, wird nicht abgerechnet.");

            var settled = (await c.QueryAsync<SettledRow>(
                "SELECT id, period, period_start AS Start, period_end AS End FROM settlements WHERE agreement_id = @Id ORDER BY created_at", new { Id = agreementId }, tx)).ToList();
            var overlapping = settled.FirstOrDefault(s => s.Period != period.Text && period.Overlaps(s.Start, s.End));
            if (overlapping is not null)
                throw new RuleException("PeriodOverlaps", $"Der Zeitraum {period.Text} überschneidet sich mit der abgeschlossenen Abrechnung {overlapping.Period}.");

            var rates = (await c.QueryAsync<(string Service, string Group, long Flat, long? Fee, long? Appointment)>(
                "SELECT service_slug, case_group, flat_cents, fee_cents, appointment_cents FROM agreement_rates WHERE agreement_id = @Id", new { Id = agreementId }, tx))
                .Select(r => new AgreementRate(r.Service, r.Group, r.Flat / 100m, r.Fee / 100m, r.Appointment / 100m)).ToList();
            var key = new SettlementKey(rates, agreement.FeeRule, agreement.FeeShare is null ? null : decimal.Parse(agreement.FeeShare, CultureInfo.InvariantCulture));

            if (agreement.ValidFrom != agreementForCount.ValidFrom || agreement.ValidTo != agreementForCount.ValidTo)
                throw new RuleException("AgreementChanged", "Die Vereinbarung wurde während der Abrechnung geändert. Bitte erneut abrechnen.");
            var result = SettlementCalculator.Calculate(counts, key, members);
            if (period.End > today) return new RunResult(await PreviewAsync(c, tx, agreement, period, key, result), Created: false);
            var hash = LinesHash(result, key);

            var previous = settled.Where(s => s.Period == period.Text).Select(s => s.Id).LastOrDefault();
            if (previous is not null)
            {
                var previousHash = await c.QuerySingleAsync<string>("SELECT lines_hash FROM settlements WHERE id = @Id", new { Id = previous }, tx);
                if (previousHash == hash) return new RunResult((await LoadAsync(c, tx, previous))!, Created: false);
            }

            var id = Guid.CreateVersion7().ToString();
            var corrections = settled.Count(s => s.Period == period.Text);
            var number = $"KA-{agreementId}-{period.Text}" + (corrections > 0 ? $"-K{corrections}" : "");
            var previousBalances = previous is null ? new Dictionary<string, long>()
                : (await c.QueryAsync<(string Ags, long Balance)>("SELECT municipality_ags, balance_cents FROM settlement_statements WHERE settlement_id = @Id", new { Id = previous }, tx)).ToDictionary(x => x.Ags, x => x.Balance);
            await c.ExecuteAsync("""
                INSERT INTO settlements (id, number, agreement_id, period, period_start, period_end, corrects_settlement_id, lines_hash, created_at, created_by_user_id)
                VALUES (@Id, @Number, @Agreement, @Period, @Start, @End, @Corrects, @Hash, @Now, @User)
                """, new { Id = id, Number = number, Agreement = agreementId, Period = period.Text, period.Start, period.End, Corrects = previous, Hash = hash,
                    Now = clock.GetUtcNow().UtcDateTime, User = actor.UserId }, tx);
            foreach (var l in result.Lines)
                await c.ExecuteAsync("""
                    INSERT INTO settlement_lines (settlement_id, unit, owner_ags, processor_ags, service_slug, case_group, case_count, flat_cents, fee_cents, amount_cents)
                    VALUES (@Id, @Unit, @OwnerAgs, @ProcessorAgs, @Service, @CaseGroup, @Count, @FlatCents, @FeeCents, @AmountCents)
                    """, new { Id = id, l.Unit, l.OwnerAgs, l.ProcessorAgs, l.Service, l.CaseGroup, l.Count, l.FlatCents, l.FeeCents, l.AmountCents }, tx);
            foreach (var (ags, balance) in result.Balances)
                await c.ExecuteAsync("INSERT INTO settlement_statements (settlement_id, municipality_ags, balance_cents, previous_balance_cents) VALUES (@Id, @Ags, @Balance, @Previous)",
                    new { Id = id, Ags = ags, Balance = balance, Previous = previous is null ? (long?)null : previousBalances.GetValueOrDefault(ags) }, tx);
            foreach (var t in result.Transfers)
                await c.ExecuteAsync("INSERT INTO settlement_transfers (settlement_id, payer_ags, receiver_ags, amount_cents) VALUES (@Id, @PayerAgs, @ReceiverAgs, @AmountCents)",
                    new { Id = id, t.PayerAgs, t.ReceiverAgs, t.AmountCents }, tx);
            var standing = await c.QueryAsync<StandingRow>("""
                SELECT i.invoice_number AS Number, i.payer_ags AS PayerAgs, i.receiver_ags AS ReceiverAgs, i.amount_cents AS AmountCents, i.settlement_id AS SettlementId
                FROM settlement_invoices i JOIN settlements s ON s.id = i.settlement_id
                WHERE s.agreement_id = @Id AND s.period = @Period AND s.id <> @New ORDER BY s.created_at, i.invoice_number
                """, new { Id = agreementId, Period = period.Text, New = id }, tx);
            foreach (var i in SettlementInvoicing.Plan(number, result.Transfers, standing.Select(r => new StandingInvoice(r.Number, r.PayerAgs, r.ReceiverAgs, r.AmountCents, r.SettlementId))))
                await c.ExecuteAsync("""
                    INSERT INTO settlement_invoices (settlement_id, invoice_number, payer_ags, receiver_ags, type_code, amount_cents, replaces_invoice_number, replaces_settlement_id)
                    VALUES (@Id, @Number, @PayerAgs, @ReceiverAgs, @TypeCode, @AmountCents, @ReplacesNumber, @ReplacesSettlementId)
                    """, new { Id = id, i.Number, i.PayerAgs, i.ReceiverAgs, i.TypeCode, i.AmountCents, i.ReplacesNumber, i.ReplacesSettlementId }, tx);
            await c.ExecuteAsync("INSERT INTO agreement_history (agreement_id, at, actor_user_id, actor_name, actor_ags, action, details) VALUES (@A, @Now, @User, @Name, @Ags, @Action, @Details)",
                new { A = agreementId, Now = clock.GetUtcNow().UtcDateTime, User = actor.UserId, Name = actor.DisplayName, actor.Ags,
                    Action = previous is null ? "abgerechnet" : "Abrechnung korrigiert", Details = $"{number} für {period.Text}" }, tx);
            return new RunResult((await LoadAsync(c, tx, id))!, Created: true);
        }, ct);
    }

    /// <summary>
    /// The aggregate at the heart of the settlement. It aggregates first — one range scan of the decided cases
    /// over ix_cases_closed (migration 0014; before it ix_cases_decided) — and only then keeps the pairs and services of the agreement: joining the members
    /// first would make SQLite read every case of every member, of all years.
    /// </summary>
    internal static async Task<IEnumerable<CaseCount>> CountAsync(DbConnection c, DbTransaction? tx, long agreementId, DateTime fromUtc, DateTime toUtc) =>
        // Into a settable row, not the positional record: for an empty result SQLite reports no column types that
        // Dapper could match to a constructor (the 500 when no case qualified).
        (await c.QueryAsync<CountRow>(new CommandDefinition("""
            SELECT x.OwnerAgs, x.ProcessorAgs, x.Service, x.CaseGroup, x.Count
            FROM (
                SELECT c.owner_ags AS OwnerAgs, c.processor_ags AS ProcessorAgs, c.service_slug AS Service, COALESCE(c.case_group, '') AS CaseGroup, COUNT(*) AS Count
                FROM cases c
                WHERE c.status = 'closed' AND c.decided_at >= @From AND c.decided_at < @To AND c.owner_ags <> c.processor_ags
                GROUP BY c.owner_ags, c.processor_ags, c.service_slug, COALESCE(c.case_group, '')
            ) x
            JOIN agreement_services s ON s.agreement_id = @Id AND s.service_slug = x.Service
            JOIN agreement_members mo ON mo.agreement_id = @Id AND mo.municipality_ags = x.OwnerAgs AND mo.contributes_cases = TRUE
            JOIN agreement_members mp ON mp.agreement_id = @Id AND mp.municipality_ags = x.ProcessorAgs AND mp.contributes_staff = TRUE
            """, new { Id = agreementId, From = fromUtc, To = toUtc }, tx, commandTimeout: 600)))
        .Select(r => new CaseCount(r.OwnerAgs, r.ProcessorAgs, r.Service, r.CaseGroup, r.Count));

    private async Task<(AgreementRow Agreement, List<string> Members)> LoadAgreementAsync(long agreementId, Actor actor, CancellationToken ct)
    {
        await using var c = await db.OpenAsync(ct);
        var agreement = await c.QuerySingleOrDefaultAsync<AgreementRow>(
            "SELECT id, title, status, valid_from AS ValidFrom, valid_to AS ValidTo, fee_rule AS FeeRule, fee_share_percent AS FeeShare FROM agreements WHERE id = @Id", new { Id = agreementId });
        var members = (await c.QueryAsync<string>("SELECT municipality_ags FROM agreement_members WHERE agreement_id = @Id", new { Id = agreementId })).ToList();
        if (agreement is null || !members.Contains(actor.Ags)) throw new AgreementNotFoundException();
        return (agreement, members);
    }

    public static DateTime BerlinMidnightUtc(DateOnly day) =>
        TimeZoneInfo.ConvertTimeToUtc(day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified), BerlinTime.Zone);

    private static DateOnly Max(DateOnly a, DateOnly b) => a > b ? a : b;
    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;

    private static string LinesHash(SettlementResult result, SettlementKey key)
    {
        var text = new StringBuilder();
        // A case line hashes as before appointments were settled, so a period settled then and run again is unchanged.
        foreach (var l in result.Lines)
            text.Append(CultureInfo.InvariantCulture, $"{l.OwnerAgs}|{l.ProcessorAgs}|{l.Service}|{l.CaseGroup}|{l.Count}|{l.AmountCents}{(l.Unit == SettlementUnits.Case ? "" : "|" + l.Unit)}\n");
        foreach (var (ags, balance) in result.Balances.OrderBy(b => b.Key, StringComparer.Ordinal)) text.Append(CultureInfo.InvariantCulture, $"{ags}={balance}\n");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    public async Task<IReadOnlyList<SettlementView>> ListAsync(Actor actor, long agreementId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        if (await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM agreement_members WHERE agreement_id = @Id AND municipality_ags = @Ags", new { Id = agreementId, actor.Ags }) == 0)
            throw new AgreementNotFoundException();
        var ids = await c.QueryAsync<string>("SELECT id FROM settlements WHERE agreement_id = @Id ORDER BY period_start DESC, created_at DESC", new { Id = agreementId });
        var list = new List<SettlementView>();
        foreach (var id in ids) list.Add((await LoadAsync(c, null, id))!);
        return list;
    }

    /// <summary>
    /// The newest settlements with a statement for the caller's municipality (the same rule as <see cref="GetAsync"/>),
    /// with its balance: the coordinator's start page. One query, newest first.
    /// </summary>
    public async Task<IReadOnlyList<LatestSettlement>> LatestAsync(Actor actor, int limit = 5, CancellationToken ct = default) =>
        (await db.QueryAsync<LatestRow>("""
            SELECT s.id, s.number, a.title AS AgreementTitle, s.period, st.balance_cents AS BalanceCents, s.created_at AS CreatedAt
            FROM settlement_statements st JOIN settlements s ON s.id = st.settlement_id JOIN agreements a ON a.id = s.agreement_id
            WHERE st.municipality_ags = @Ags
            ORDER BY s.created_at DESC, s.number DESC
            LIMIT @Limit
            """, new { actor.Ags, Limit = limit }, ct))
        .Select(r => new LatestSettlement(r.Id, r.Number, r.AgreementTitle, r.Period, r.BalanceCents / 100m)).ToList();

    private sealed class LatestRow
    {
        public string Id { get; set; } = "";
        public string Number { get; set; } = "";
        public string AgreementTitle { get; set; } = "";
        public string Period { get; set; } = "";
        public long BalanceCents { get; set; }
        public DateTime CreatedAt { get; set; }
    }

    /// <summary>A settlement, for members of its agreement only.</summary>
    public async Task<SettlementView> GetAsync(Actor actor, string settlementId, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var view = settlementId.Length <= 64 ? await LoadAsync(c, null, settlementId) : null;
        if (view is null || !view.Statements.Any(s => s.MunicipalityAgs == actor.Ags)) throw new SettlementNotFoundException();
        return view;
    }

    internal static async Task<SettlementView?> LoadAsync(DbConnection c, DbTransaction? tx, string id)
    {
        var s = await c.QuerySingleOrDefaultAsync<SettlementRow>("""
            SELECT s.id, s.number, s.agreement_id AS AgreementId, a.title AS AgreementTitle, s.period, s.period_start AS PeriodStart, s.period_end AS PeriodEnd,
                   s.corrects_settlement_id AS CorrectsId, p.number AS CorrectsNumber, s.created_at AS CreatedAt, a.fee_rule AS FeeRule, a.fee_share_percent AS FeeShare
            FROM settlements s JOIN agreements a ON a.id = s.agreement_id LEFT JOIN settlements p ON p.id = s.corrects_settlement_id
            WHERE s.id = @Id
            """, new { Id = id }, tx);
        if (s is null) return null;
        var parties = (await LoadPartiesAsync(c, tx, s.AgreementId)).ToDictionary(p => p.Ags);
        var lines = (await c.QueryAsync<LineRow>("""
            SELECT owner_ags AS OwnerAgs, processor_ags AS ProcessorAgs, service_slug AS Service, case_group AS CaseGroup, case_count AS Count,
                   flat_cents AS FlatCents, fee_cents AS FeeCents, amount_cents AS AmountCents, unit AS Unit
            FROM settlement_lines WHERE settlement_id = @Id ORDER BY CASE WHEN unit = 'case' THEN 0 ELSE 1 END, owner_ags, processor_ags, service_slug, case_group
            """, new { Id = id }, tx))
            .Select(l => ToLineView(l.OwnerAgs, l.ProcessorAgs, l.Service, l.CaseGroup, l.Count, l.FlatCents, l.FeeCents, l.AmountCents, l.Unit)).ToList();
        var statements = (await c.QueryAsync<(string Ags, long Balance, long? Previous)>(
            "SELECT municipality_ags, balance_cents, previous_balance_cents FROM settlement_statements WHERE settlement_id = @Id ORDER BY municipality_ags", new { Id = id }, tx))
            .Select(x => new StatementView(x.Ags, parties.TryGetValue(x.Ags, out var p) ? p.Name : x.Ags, x.Balance / 100m, x.Previous / 100m)).ToList();
        var transfers = (await c.QueryAsync<(string Payer, string Receiver, long Amount)>(
            "SELECT payer_ags, receiver_ags, amount_cents FROM settlement_transfers WHERE settlement_id = @Id ORDER BY amount_cents DESC, payer_ags, receiver_ags", new { Id = id }, tx))
            .Select(t => new TransferView(t.Payer, t.Receiver, t.Amount / 100m)).ToList();
        var invoices = (await c.QueryAsync<InvoiceRow>("""
            SELECT i.invoice_number AS Number, i.payer_ags AS PayerAgs, i.receiver_ags AS ReceiverAgs, i.type_code AS TypeCode, i.amount_cents AS AmountCents,
                   i.replaces_invoice_number AS ReplacesNumber, r.created_at AS ReplacesCreatedAt
            FROM settlement_invoices i LEFT JOIN settlements r ON r.id = i.replaces_settlement_id
            WHERE i.settlement_id = @Id ORDER BY i.amount_cents DESC, i.payer_ags, i.receiver_ags
            """, new { Id = id }, tx))
            .Select(i => new InvoiceView(i.Number, i.PayerAgs, i.ReceiverAgs, i.TypeCode, i.AmountCents / 100m, i.ReplacesNumber,
                i.ReplacesCreatedAt is { } at ? SettlementView.IssueDateOf(at) : null)).ToList();
        var supersededBy = (await c.QueryAsync<(string Id, string Number)>(
            "SELECT id, number FROM settlements WHERE corrects_settlement_id = @Id ORDER BY created_at DESC", new { Id = id }, tx)).Select(x => ((string Id, string Number)?)x).FirstOrDefault();
        return new SettlementView(s.Id, s.Number, s.AgreementId, s.AgreementTitle, s.Period, s.PeriodStart, s.PeriodEnd, s.CorrectsId, s.CorrectsNumber, s.CreatedAt,
            s.FeeRule, s.FeeShare is null ? null : decimal.Parse(s.FeeShare, CultureInfo.InvariantCulture), lines, statements, transfers, parties)
        {
            Invoices = invoices,
            SupersededBySettlementId = supersededBy?.Id,
            SupersededByNumber = supersededBy?.Number,
        };
    }

    /// <summary>A provisional settlement: the computed result as a view, not stored, without id, number or invoices.</summary>
    private async Task<SettlementView> PreviewAsync(DbConnection c, DbTransaction tx, AgreementRow agreement, SettlementPeriod period, SettlementKey key, SettlementResult result)
    {
        var parties = (await LoadPartiesAsync(c, tx, agreement.Id)).ToDictionary(p => p.Ags);
        var lines = result.Lines.Select(l => ToLineView(l.OwnerAgs, l.ProcessorAgs, l.Service, l.CaseGroup, l.Count, l.FlatCents, l.FeeCents, l.AmountCents, l.Unit)).ToList();
        var statements = result.Balances.OrderBy(b => b.Key, StringComparer.Ordinal)
            .Select(b => new StatementView(b.Key, parties.TryGetValue(b.Key, out var p) ? p.Name : b.Key, b.Value / 100m, null)).ToList();
        var transfers = result.Transfers.Select(t => new TransferView(t.PayerAgs, t.ReceiverAgs, t.AmountCents / 100m)).ToList();
        return new SettlementView("", $"Vorschau-{agreement.Id}-{period.Text}", agreement.Id, agreement.Title, period.Text, period.Start, period.End, null, null,
            clock.GetUtcNow().UtcDateTime, key.FeeRule, key.FeeSharePercent, lines, statements, transfers, parties) { Provisional = true };
    }

    private static Task<IEnumerable<Party>> LoadPartiesAsync(DbConnection c, DbTransaction? tx, long agreementId) =>
        c.QueryAsync<Party>("""
            SELECT m.ags, m.name, m.authority_name AS Authority, m.address_street AS Street, m.address_postal_code AS PostalCode, m.address_city AS City,
                   m.leitweg_id AS LeitwegId, m.iban, m.email, m.telephone, m.bic
            FROM municipalities m JOIN agreement_members am ON am.municipality_ags = m.ags WHERE am.agreement_id = @A
            """, new { A = agreementId }, tx);

    private static LineView ToLineView(string owner, string processor, string serviceSlug, string caseGroup, long count, long flatCents, long feeCents, long amountCents, string unit)
    {
        var service = ServiceCatalog.Find(serviceSlug);
        return new LineView(owner, processor, serviceSlug, service?.Name ?? serviceSlug, caseGroup,
            unit == SettlementUnits.Appointment ? "Termine" : caseGroup.Length == 0 ? "alle" : service?.CaseGroups.FirstOrDefault(g => g.Slug == caseGroup)?.Label ?? caseGroup,
            count, flatCents / 100m, feeCents / 100m, amountCents / 100m, unit);
    }

    private sealed class CountRow
    {
        public string OwnerAgs { get; set; } = "";
        public string ProcessorAgs { get; set; } = "";
        public string Service { get; set; } = "";
        public string CaseGroup { get; set; } = "";
        public long Count { get; set; }
    }

    private sealed class StandingRow
    {
        public string Number { get; set; } = "";
        public string PayerAgs { get; set; } = "";
        public string ReceiverAgs { get; set; } = "";
        public long AmountCents { get; set; }
        public string SettlementId { get; set; } = "";
    }

    private sealed class InvoiceRow
    {
        public string Number { get; set; } = "";
        public string PayerAgs { get; set; } = "";
        public string ReceiverAgs { get; set; } = "";
        public string TypeCode { get; set; } = "";
        public long AmountCents { get; set; }
        public string? ReplacesNumber { get; set; }
        public DateTime? ReplacesCreatedAt { get; set; }
    }

    private sealed class SettledRow
    {
        public string Id { get; set; } = "";
        public string Period { get; set; } = "";
        public DateOnly Start { get; set; }
        public DateOnly End { get; set; }
    }

    private sealed class AgreementRow
    {
        public long Id { get; set; }
        public string Title { get; set; } = "";
        public string Status { get; set; } = "";
        public DateOnly ValidFrom { get; set; }
        public DateOnly? ValidTo { get; set; }
        public string FeeRule { get; set; } = "owner";
        public string? FeeShare { get; set; }
    }

    private sealed class SettlementRow
    {
        public string Id { get; set; } = "";
        public string Number { get; set; } = "";
        public long AgreementId { get; set; }
        public string AgreementTitle { get; set; } = "";
        public string Period { get; set; } = "";
        public DateOnly PeriodStart { get; set; }
        public DateOnly PeriodEnd { get; set; }
        public string? CorrectsId { get; set; }
        public string? CorrectsNumber { get; set; }
        public DateTime CreatedAt { get; set; }
        public string FeeRule { get; set; } = "owner";
        public string? FeeShare { get; set; }
    }

    private sealed class LineRow
    {
        public string OwnerAgs { get; set; } = "";
        public string ProcessorAgs { get; set; } = "";
        public string Service { get; set; } = "";
        public string CaseGroup { get; set; } = "";
        public long Count { get; set; }
        public long FlatCents { get; set; }
        public long FeeCents { get; set; }
        public long AmountCents { get; set; }
        public string Unit { get; set; } = SettlementUnits.Case;
    }
}
