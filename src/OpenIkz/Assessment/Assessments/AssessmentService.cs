using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Extensions.Options;
using OpenIkz.Agreements;
using OpenIkz.Assessment.Potential;
using OpenIkz.Assessment.Simulation;
using OpenIkz.Infrastructure.Database;
using HttpJsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;

namespace OpenIkz.Assessment.Assessments;

/// <summary>The caller may not create an assessment for these partners: answered with 403 naming <c>partners</c>.</summary>
public sealed class AssessmentForbiddenException(string message) : Exception(message);

/// <summary>
/// Stored potential analyses: computed once on creation (with <see cref="ErlangCStaffingModel.Instance"/>) and stored as
/// computed, so that a read returns exactly what the creation answered. Visible to the Koordination and the Teamleitung
/// of the partner municipalities; to everyone else they do not exist (404).
/// </summary>
public sealed class AssessmentService(Db db, AgreementService agreements, TimeProvider clock, IOptions<HttpJsonOptions> json)
{
    private JsonSerializerOptions Json => json.Value.SerializerOptions;

    /// <summary>Checks, computes and stores; returns the answer (the stored result with <c>agreementId: null</c>).</summary>
    public Task<(long Id, JsonObject Answer)> CreateAsync(Actor actor, AssessmentRequest request, CancellationToken ct = default) =>
        CreateAsync(actor, request, null, ct);

    /// <summary>As <see cref="CreateAsync(Actor, AssessmentRequest, CancellationToken)"/>, with the German lines naming where the figures come from (pages, demo).</summary>
    public async Task<(long Id, JsonObject Answer)> CreateAsync(Actor actor, AssessmentRequest request, IReadOnlyList<string>? sources, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (request is null) throw ValidationException.For("$", "Die Angaben zur Potenzialanalyse fehlen.");
        if (!actor.IsUser || !actor.IsCoordinator) throw new AssessmentForbiddenException("Nur die Koordination einer Partnerkommune kann eine Potenzialanalyse anlegen.");
        var partnerList = AssessmentRequestValidator.Partners(request);
        if (request.Partners is not null && !partnerList.Contains(actor.Ags, StringComparer.Ordinal))
            throw new AssessmentForbiddenException($"Ihre Kommune ({actor.Ags}) muss zu den Partnern (\"partners\") der Potenzialanalyse gehören.");

        var errors = new ValidationErrors();
        var input = AssessmentRequestValidator.ToInput(request, errors, out var title, out var partners);
        var known = await KnownMunicipalitiesAsync(partners, ct);
        for (var i = 0; i < partners.Count; i++)
            if (partners[i].Length > 0 && !known.ContainsKey(partners[i]))
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"partners[{i}]"), $"Die Kommune '{partners[i]}' gibt es im Verzeichnis nicht.");

        PotentialResult? result = null;
        FairSplitResult? split = null;
        try
        {
            result = PotentialCalculator.Calculate(input, ErlangCStaffingModel.Instance);
            split = PotentialCalculator.FairSplit(input, ErlangCStaffingModel.Instance);
        }
        catch (ValidationException e) { AssessmentRequestValidator.Merge(errors, e); }
        if (errors.Count > 0) throw new ValidationException(errors);

        var now = clock.GetUtcNow().UtcDateTime;
        now = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
        var inputJson = JsonSerializer.Serialize(request, Json);
        return await db.InTransactionAsync(async (c, tx) =>
        {
            var id = await c.ExecuteScalarAsync<long>("""
                INSERT INTO assessments (title, created_by_user_id, created_by_ags, created_at, partners, input_json, result_json, version, sources)
                VALUES (@Title, @UserId, @Ags, @Now, @Partners, @Input, '', 1, @Sources) RETURNING id
                """, new { Title = title, actor.UserId, actor.Ags, Now = now, Partners = string.Join(',', partners), Input = inputJson,
                    Sources = sources is { Count: > 0 } ? string.Join('\n', sources) : null }, tx);
            var stored = JsonSerializer.Serialize(AssessmentResult.From(id, title, now, actor.Ags, input, result!, split!), Json);
            await c.ExecuteAsync("UPDATE assessments SET result_json = @Result WHERE id = @Id", new { Result = stored, Id = id }, tx);
            return (id, Answer(stored, null));
        }, ct);
    }

    /// <summary>The stored analyses the caller may see (Koordination or Teamleitung of a partner), newest first.</summary>
    public async Task<IReadOnlyList<AssessmentSummary>> ListAsync(Actor actor, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (!actor.IsUser || !(actor.IsCoordinator || actor.IsTeamLead)) return [];
        return await db.QueryAsync<AssessmentSummary>("""
            SELECT id AS Id, title AS Title, created_at AS CreatedAt, created_by_ags AS CreatedByAgs, partners AS Partners, agreement_id AS AgreementId
            FROM assessments WHERE (',' || partners || ',') LIKE @Pattern ORDER BY created_at DESC, id DESC
            """, new { Pattern = "%," + actor.Ags + ",%" }, ct);
    }

    /// <summary>The stored analysis as typed figures for the pages and the PDF; 404 as <see cref="GetAsync"/>.</summary>
    public async Task<AssessmentView> ReadAsync(Actor actor, long id, CancellationToken ct = default)
    {
        var row = await VisibleAsync(actor, id, ct);
        var result = JsonSerializer.Deserialize<AssessmentResult>(row.ResultJson, Json)!;
        var stored = JsonSerializer.Deserialize<AssessmentRequest>(row.InputJson, Json)!;
        var input = AssessmentRequestValidator.ToInput(stored, new ValidationErrors(), out _, out _);
        var sources = string.IsNullOrEmpty(row.Sources) ? [] : row.Sources.Split('\n');
        return new AssessmentView(result, input, row.AgreementId, sources);
    }

    /// <summary>The stored answer; 404 unless the caller is Koordination or Teamleitung of a partner.</summary>
    public async Task<JsonObject> GetAsync(Actor actor, long id, CancellationToken ct = default)
    {
        var row = await VisibleAsync(actor, id, ct);
        return Answer(row.ResultJson, row.AgreementId);
    }

    /// <summary>A simulated year (or <paramref name="days"/>) of the stored input, alone and pooled; seed default: the id.</summary>
    public async Task<SimulationResult> SimulateAsync(Actor actor, long id, AssessmentSimulationRequest? request, CancellationToken ct = default)
    {
        var row = await VisibleAsync(actor, id, ct);
        var days = request?.Days ?? 365;
        if (days is < 1 or > SimulationInput.MaxDays)
            throw ValidationException.For("days", $"Die Dauer muss zwischen 1 und {SimulationInput.MaxDays} Tagen liegen.");
        var seed = request?.Seed ?? DefaultSeed(id);
        var stored = JsonSerializer.Deserialize<AssessmentRequest>(row.InputJson, Json)!;
        var input = AssessmentRequestValidator.ToInput(stored, new ValidationErrors(), out _, out var partners);
        return await Task.Run(() => YearSimulation.Run(ToSimulation(input, partners), days, seed), ct);
    }

    /// <summary>The default seed of an assessment's simulation: its id (folded into an int).</summary>
    public static int DefaultSeed(long id) => (int)(id % int.MaxValue);

    /// <summary>
    /// The stored loads as a simulation: per partner its services with the cases of all case groups, the case-weighted
    /// mean minutes (the plain mean when there are no cases), its staff and absence rate, and the target rounded up to
    /// whole working days.
    /// </summary>
    public static SimulationInput ToSimulation(PotentialInput input, IReadOnlyList<string> partners)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(partners);
        var a = input.Assumptions ?? new PotentialAssumptions();
        var target = input.Target ?? new ServiceTarget();
        var targetDays = (int)Math.Ceiling(target.WorkingDays - 1e-9);
        var result = new List<SimulationPartner>();
        foreach (var partner in partners)
        {
            var services = input.Loads.Where(l => l.PartnerAgs == partner).Select(l =>
            {
                var cases = l.CaseGroups.Sum(g => g.CasesPerYear);
                var minutes = cases > 0 ? l.CaseGroups.Sum(g => g.CasesPerYear * g.MinutesPerCase) / cases : l.CaseGroups.Average(g => g.MinutesPerCase);
                return new SimulationService(l.Service, cases, minutes, l.StaffFte, l.AbsenceRate ?? a.AbsenceRate, Math.Max(targetDays, 0));
            }).ToList();
            if (services.Count > 0) result.Add(new SimulationPartner(partner, services));
        }
        return new SimulationInput(result) { HoursPerDay = a.HoursPerDay };
    }

    /// <summary>
    /// Drafts the agreement the assessment suggests, through <see cref="AgreementService.CreateDraftAsync"/>: the partners as
    /// members, the assessed services, the suggested rate per service and case group, the law of the partners' state with its
    /// contractual form (Zweckvereinbarung, öffentlich-rechtliche Vereinbarung). A second draft is a 409.
    /// </summary>
    public async Task<long> DraftAgreementAsync(Actor actor, long id, CancellationToken ct = default)
    {
        var row = await VisibleAsync(actor, id, ct);
        if (!actor.IsCoordinator) throw new AssessmentForbiddenException("Nur die Koordination einer Partnerkommune kann aus der Potenzialanalyse eine Vereinbarung entwerfen.");
        if (row.AgreementId is { } existing)
            throw new RuleException("AgreementAlreadyDrafted", $"Aus dieser Potenzialanalyse wurde bereits die Vereinbarung {existing} entworfen.");
        var stored = JsonSerializer.Deserialize<AssessmentRequest>(row.InputJson, Json)!;
        var input = AssessmentRequestValidator.ToInput(stored, new ValidationErrors(), out var title, out var partners);
        var result = JsonNode.Parse(row.ResultJson)!;
        var suggested = result["suggestedRates"].Deserialize<List<CaseGroupRate>>(Json)!;
        var saving = result["saving"].Deserialize<SavingView>(Json)!;

        var states = await KnownMunicipalitiesAsync(partners, ct);
        var distinct = partners.Select(p => states.GetValueOrDefault(p, "")).Distinct().ToList();
        if (distinct.Count != 1)
            throw new RuleException("PartnersInSeveralStates", "Die Partner liegen in verschiedenen Ländern; eine Vereinbarung folgt dem Recht eines Landes. Bitte die Vereinbarung von Hand anlegen.");
        var law = LegalForms.Laws.FirstOrDefault(l => l.State == distinct[0])
            ?? throw new RuleException("NoStateLaw", $"Für das Land {distinct[0]} ist noch kein Landesrecht der kommunalen Zusammenarbeit hinterlegt.");
        var form = law.Forms.FirstOrDefault(f => f.CanTransferTask && !f.AlwaysNeedsApproval) ?? law.Forms[0];

        var members = partners.Select(p =>
        {
            var loads = input.Loads.Where(l => l.PartnerAgs == p).ToList();
            var cases = loads.Any(l => l.CaseGroups.Any(g => g.CasesPerYear > 0));
            var staff = loads.Any(l => l.StaffFte > 0);
            return new MemberInput(p, cases || !staff, staff, null);
        }).ToList();
        var rates = suggested.Where(r => r.CasesPerYear > 0)
            .Select(r => new RateInput(r.Service, r.CaseGroup, JsonSerializer.SerializeToElement(Math.Round((decimal)r.CostPerCaseEuro, 2, MidpointRounding.AwayFromZero)), null))
            .ToList();
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var validFrom = new DateOnly(today.Year, today.Month, 1).AddMonths(1);
        var goals = string.Create(CultureInfo.GetCultureInfo("de-DE"),
            $"Entwurf aus der Potenzialanalyse {id} „{title}“: erwartete Einsparung {saving.EurPerYear:N0} € im Jahr ({saving.Percent:N1} %), {saving.Fte:N2} Vollzeitäquivalente.");
        var agreementInput = new AgreementInput(title, input.Loads.Select(l => l.Service).Distinct().ToList(), members, law.Slug, form.Slug, false,
            validFrom, null, null,
            "Die Partner verarbeiten personenbezogene Daten nur im Rahmen der übertragenen Aufgabe und nach der DSGVO; Einzelheiten (Auftragsverarbeitung nach Art. 28 DSGVO, technische und organisatorische Maßnahmen) sind vor der Zustimmung zu ergänzen.",
            goals, null, rates, "owner", null);
        // The link is written in the draft's own transaction: of two calls at once, the second finds agreement_id set (on
        // PostgreSQL after waiting for the first's row lock; SQLite's writers are serialised) and rolls its draft back.
        return await agreements.CreateDraftAsync(actor, agreementInput, ct, async (c, tx, agreementId) =>
        {
            var updated = await c.ExecuteAsync("UPDATE assessments SET agreement_id = @Agreement WHERE id = @Id AND agreement_id IS NULL", new { Agreement = agreementId, Id = id }, tx);
            if (updated == 0) throw new RuleException("AgreementAlreadyDrafted", "Aus dieser Potenzialanalyse wurde gleichzeitig bereits eine Vereinbarung entworfen.");
        });
    }

    /// <summary>The stored result with the agreement id drafted from it (null until then).</summary>
    private static JsonObject Answer(string resultJson, long? agreementId)
    {
        var node = JsonNode.Parse(resultJson)!.AsObject();
        node["agreementId"] = agreementId;
        return node;
    }

    private async Task<Row> VisibleAsync(Actor actor, long id, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var row = await db.QuerySingleOrDefaultAsync<Row>(
            "SELECT id, partners, input_json AS InputJson, result_json AS ResultJson, agreement_id AS AgreementId, sources AS Sources FROM assessments WHERE id = @Id", new { Id = id }, ct);
        if (row is null || !actor.IsUser || !(actor.IsCoordinator || actor.IsTeamLead) || !row.Partners.Split(',').Contains(actor.Ags, StringComparer.Ordinal))
            throw new NotFoundException("Diese Potenzialanalyse gibt es nicht.");
        return row;
    }

    private async Task<Dictionary<string, string>> KnownMunicipalitiesAsync(IReadOnlyList<string> ags, CancellationToken ct)
    {
        var list = ags.Where(a => a.Length > 0).Distinct().ToArray();
        if (list.Length == 0) return [];
        return (await db.QueryAsync<(string Ags, string State)>($"SELECT ags, state FROM municipalities WHERE {db.InList("ags", "List")}", new { List = list }, ct))
            .ToDictionary(x => x.Ags, x => x.State, StringComparer.Ordinal);
    }

    private sealed class Row
    {
        public long Id { get; set; }
        public string Partners { get; set; } = "";
        public string InputJson { get; set; } = "";
        public string ResultJson { get; set; } = "";
        public long? AgreementId { get; set; }
        public string? Sources { get; set; }
    }
}

/// <summary>A stored analysis in the list: partners as stored (AGS separated by commas).</summary>
public sealed class AssessmentSummary
{
    public long Id { get; set; }
    public string Title { get; set; } = "";
    public DateTime CreatedAt { get; set; }
    public string CreatedByAgs { get; set; } = "";
    public string Partners { get; set; } = "";
    public long? AgreementId { get; set; }

    public IReadOnlyList<string> PartnerList => Partners.Split(',', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>A stored analysis for the pages and the PDF: the stored result, the input it was computed from, the drafted agreement and the named sources.</summary>
public sealed record AssessmentView(AssessmentResult Result, PotentialInput Input, long? AgreementId, IReadOnlyList<string> Sources);
