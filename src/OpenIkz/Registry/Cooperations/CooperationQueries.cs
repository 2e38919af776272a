using System.Data.Common;
using Dapper;
using OpenIkz.Agreements;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Registry.Cooperations;

/// <summary>Reads the public register: search, one entry, every entry (open data). Always through the views, so linked entries are live.</summary>
public sealed class CooperationQueries(Db db)
{
    public async Task<CooperationPage> SearchAsync(CooperationFilter filter, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        await using var c = await db.OpenAsync(ct);
        await CheckKeysAsync(c, filter, ct);
        var statement = CooperationSearch.Build(filter, db.Kind);
        long total;
        List<ItemRow> rows;
        var ids = statement.IdsSql is null ? null
            : (await c.QueryAsync<long>(new CommandDefinition(statement.IdsSql, statement.Parameters, cancellationToken: ct))).AsList();
        if (ids is not null && ids.Count <= CooperationSearch.SinglePassCap)
        {
            // One pass: every match is in hand, so the total is their number and the page a slice of them.
            total = ids.Count;
            var page = ids.Skip((filter.Page - 1) * filter.PageSize).Take(filter.PageSize).ToArray();
            rows = page.Length == 0 ? []
                : (await c.QueryAsync<ItemRow>(new CommandDefinition(CooperationSearch.RowsSql(db), new { Ids = page }, cancellationToken: ct))).ToList();
        }
        else
        {
            total = await c.ExecuteScalarAsync<long>(new CommandDefinition(statement.CountSql, statement.Parameters, cancellationToken: ct));
            rows = (await c.QueryAsync<ItemRow>(new CommandDefinition(statement.PageSql, statement.Parameters, cancellationToken: ct))).ToList();
        }
        var partners = await PartnersAsync(c, rows.Select(r => r.Id).ToArray(), ct);
        return new CooperationPage(rows.Select(r => r.ToItem(partners[r.Id].ToList())).ToList(), (int)total, filter.Page, filter.PageSize);
    }

    /// <summary>A district or municipality filter must name one the directory has: a 400 on the parameter otherwise.</summary>
    private static async Task CheckKeysAsync(DbConnection c, CooperationFilter filter, CancellationToken ct)
    {
        if (filter.District is { } district
            && await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM municipalities WHERE ags = @Ags AND type = 'landkreis'", new { Ags = district }, cancellationToken: ct)) == 0)
            throw ValidationException.For("district", $"Einen Kreis mit dem Schlüssel '{district}' gibt es im Verzeichnis nicht.");
        if (filter.Municipality is { } ags
            && await c.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM municipalities WHERE ags = @Ags", new { Ags = ags }, cancellationToken: ct)) == 0)
            throw ValidationException.For("municipality", $"Eine Kommune mit dem Schlüssel '{ags}' gibt es im Verzeichnis nicht.");
    }

    /// <summary>The districts (Landkreise) of the directory for the district filter, by name.</summary>
    public async Task<IReadOnlyList<(string Ags, string Name)>> DistrictsAsync(CancellationToken ct = default) =>
        (await db.QueryAsync<(string Ags, string Name)>("SELECT ags, name FROM municipalities WHERE type = 'landkreis'", ct: ct))
            .OrderBy(d => d.Name, StringComparer.Create(System.Globalization.CultureInfo.GetCultureInfo("de-DE"), System.Globalization.CompareOptions.None)).ToList();

    public async Task<CooperationDetails> GetAsync(long id, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        return await LoadAsync(c, null, id, ct) ?? throw new CooperationNotFoundException();
    }

    internal async Task<CooperationDetails?> LoadAsync(DbConnection c, DbTransaction? tx, long id, CancellationToken ct)
    {
        var row = await c.QuerySingleOrDefaultAsync<DetailRow>(new CommandDefinition(DetailSelect + " WHERE e.id = @Id", new { Id = id }, tx, cancellationToken: ct));
        if (row is null) return null;
        var partners = await PartnersAsync(c, [id], ct, tx);
        var factors = await FactorsAsync(c, [id], ct, tx);
        return row.ToDetails(partners[id].ToList(), factors[id].ToList());
    }

    /// <summary>Every entry with everything, newest first: the open data export.</summary>
    public async Task<IReadOnlyList<CooperationDetails>> AllAsync(CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var rows = (await c.QueryAsync<DetailRow>(new CommandDefinition(DetailSelect + " ORDER BY e.id DESC", cancellationToken: ct))).ToList();
        var partners = (await c.QueryAsync<PartnerRow>(new CommandDefinition(AllPartnersSql, cancellationToken: ct))).ToLookup(p => p.CooperationId);
        var factors = (await c.QueryAsync<FactorRow>(new CommandDefinition("SELECT cooperation_id AS CooperationId, kind, slug FROM registry_factors ORDER BY cooperation_id, kind, slug", cancellationToken: ct)))
            .ToLookup(f => f.CooperationId);
        return rows.Select(r => r.ToDetails(partners[r.Id].ToList(), factors[r.Id].ToList())).ToList();
    }

    private const string AllPartnersSql = """
        SELECT p.cooperation_id AS CooperationId, p.ags, p.role, m.name, m.state, m.district_ags AS DistrictAgs
        FROM registry_entry_partners p JOIN municipalities m ON m.ags = p.ags
        ORDER BY p.cooperation_id, CASE WHEN p.role = 'federfuehrend' THEN 0 ELSE 1 END, m.name
        """;

    private async Task<ILookup<long, PartnerRow>> PartnersAsync(DbConnection c, long[] ids, CancellationToken ct, DbTransaction? tx = null) =>
        ids.Length == 0 ? Array.Empty<PartnerRow>().ToLookup(p => p.CooperationId)
            : (await c.QueryAsync<PartnerRow>(new CommandDefinition(CooperationSearch.PartnersSql(db), new { Ids = ids }, tx, cancellationToken: ct))).ToLookup(p => p.CooperationId);

    private async Task<ILookup<long, FactorRow>> FactorsAsync(DbConnection c, long[] ids, CancellationToken ct, DbTransaction? tx = null) =>
        (await c.QueryAsync<FactorRow>(new CommandDefinition(
            $"SELECT cooperation_id AS CooperationId, kind, slug FROM registry_factors WHERE {db.InList("cooperation_id", "Ids")} ORDER BY kind, slug",
            new { Ids = ids }, tx, cancellationToken: ct))).ToLookup(f => f.CooperationId);

    private const string DetailSelect = """
        SELECT e.id, e.title, e.description, e.task_field AS TaskField, e.state_law AS StateLaw, e.legal_form AS LegalForm, e.status, e.since_year AS Since,
               e.rollback_reason AS RollbackReason, e.rollback_year AS RollbackYear, e.one_off_cost_cents AS OneOffCostCents,
               e.yearly_cost_before_cents AS YearlyCostBeforeCents, e.yearly_cost_after_cents AS YearlyCostAfterCents,
               e.fte_before_hundredths AS FteBeforeHundredths, e.fte_after_hundredths AS FteAfterHundredths, e.contact_mailbox AS ContactMailbox,
               e.sources, e.agreement_id AS AgreementId, e.created_by_ags AS CreatedByAgs, e.created_at AS CreatedAt, e.updated_at AS UpdatedAt, e.version
        FROM registry_entries e
        """;

    internal static PartnerView View(PartnerRow p) => new(p.Ags, p.Name, p.Role, PartnerRoles.Label(p.Role) ?? p.Role, p.State, p.DistrictAgs);

    internal static string LawLabel(string slug) => LegalForms.Law(slug)?.Label ?? slug;

    internal static string FormLabel(string law, string form) => RegistryLegalForms.Label(law, form) ?? form;

    /// <summary>Hundredths as a decimal with exactly two places (scale 2), so JSON shows 1250.00 and not 1250.</summary>
    internal static decimal? Decimal2(long? hundredths) => hundredths is { } h ? h / 100m + 0.00m : null;

    internal sealed class PartnerRow
    {
        public long CooperationId { get; set; }
        public string Ags { get; set; } = "";
        public string Role { get; set; } = "";
        public string Name { get; set; } = "";
        public string State { get; set; } = "";
        public string? DistrictAgs { get; set; }
    }

    internal sealed class FactorRow
    {
        public long CooperationId { get; set; }
        public string Kind { get; set; } = "";
        public string Slug { get; set; } = "";
    }

    private class ItemRow
    {
        public long Id { get; set; }
        public string Title { get; set; } = "";
        public string TaskField { get; set; } = "";
        public string StateLaw { get; set; } = "";
        public string LegalForm { get; set; } = "";
        public string Status { get; set; } = "";
        public int? Since { get; set; }
        public long? AgreementId { get; set; }

        public CooperationItem ToItem(List<PartnerRow> partners) =>
            new(Id, Title, TaskField, TaskFields.Find(TaskField)?.Label ?? TaskField, StateLaw, LawLabel(StateLaw), LegalForm, FormLabel(StateLaw, LegalForm),
                Status, RegistryStatus.Label(Status) ?? Status, Since, partners.Select(View).ToList(), AgreementId);
    }

    private sealed class DetailRow : ItemRow
    {
        public string Description { get; set; } = "";
        public string? RollbackReason { get; set; }
        public int? RollbackYear { get; set; }
        public long? OneOffCostCents { get; set; }
        public long? YearlyCostBeforeCents { get; set; }
        public long? YearlyCostAfterCents { get; set; }
        public long? FteBeforeHundredths { get; set; }
        public long? FteAfterHundredths { get; set; }
        public string? ContactMailbox { get; set; }
        public string Sources { get; set; } = "";
        public string? CreatedByAgs { get; set; }
        public DateTime CreatedAt { get; set; }
        public DateTime UpdatedAt { get; set; }
        public int Version { get; set; }

        public CooperationDetails ToDetails(List<PartnerRow> partners, List<FactorRow> factors)
        {
            IReadOnlyList<FactorView> Of(string kind) => factors.Where(f => f.Kind == kind)
                .Select(f => new FactorView(f.Slug, Factors.Of(kind).FirstOrDefault(c => c.Slug == f.Slug)?.Label ?? f.Slug)).ToList();
            return new CooperationDetails(Id, Title, Description, TaskField, TaskFields.Find(TaskField)?.Label ?? TaskField, StateLaw, LawLabel(StateLaw),
                LegalForm, FormLabel(StateLaw, LegalForm), Status, RegistryStatus.Label(Status) ?? Status, Since, RollbackReason, RollbackReasons.Label(RollbackReason),
                RollbackYear, partners.Select(View).ToList(), Of(Factors.Goal), Of(Factors.SuccessFactor), Of(Factors.Obstacle),
                Decimal2(OneOffCostCents), Decimal2(YearlyCostBeforeCents), Decimal2(YearlyCostAfterCents), Decimal2(FteBeforeHundredths), Decimal2(FteAfterHundredths),
                ContactMailbox, Sources.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), AgreementId, AgreementId is not null,
                CreatedByAgs, CreatedAt, UpdatedAt, Version);
        }
    }
}
