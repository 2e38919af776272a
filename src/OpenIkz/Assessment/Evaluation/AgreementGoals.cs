using System.Globalization;
using Dapper;
using OpenIkz.Agreements;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Assessment.Evaluation;

/// <summary>A goal as entered: a KPI of <see cref="KpiCatalogue"/>, optionally the comparison (le/ge; default the KPI's), the target and its evaluation date.</summary>
public sealed record GoalInput(string? Kpi, string? Comparison, decimal? Target, DateOnly? DueDate, string? Note);

public sealed record GoalsInput(IReadOnlyList<GoalInput>? Goals);

public sealed record GoalView(int Position, string Kpi, string KpiLabel, string Unit, string Comparison, string ComparisonSymbol, decimal Target, DateOnly DueDate, string? Note);

/// <summary>A valid goal, ready to store (no I/O).</summary>
public sealed record Goal(string Kpi, string Comparison, decimal Target, DateOnly DueDate, string? Note);

/// <summary>Checks goals as entered; every error names its field as in the API (<c>goals[0].target</c>).</summary>
public static class GoalValidator
{
    public const int MaxGoals = 20;

    public static IReadOnlyList<Goal> Validate(GoalsInput? input)
    {
        var errors = new ValidationErrors();
        var goals = new List<Goal>();
        var list = input?.Goals;
        if (list is null) throw ValidationException.For("goals", "Bitte die Ziele als Liste angeben (eine leere Liste löscht alle Ziele).");
        if (list.Count > MaxGoals) throw ValidationException.For("goals", $"Höchstens {MaxGoals} Ziele je Vereinbarung.");
        for (var i = 0; i < list.Count; i++)
        {
            var g = list[i];
            var at = $"goals[{i}]";
            if (g is null) { errors.Add(at, "Das Ziel fehlt."); continue; }
            var kpi = KpiCatalogue.Find(g.Kpi?.Trim());
            if (kpi is null) errors.Add($"{at}.kpi", $"Unbekannte Kennzahl. Möglich sind: {string.Join(", ", KpiCatalogue.All.Select(k => k.Slug))}.");
            var comparison = string.IsNullOrWhiteSpace(g.Comparison) ? kpi?.Comparison : g.Comparison.Trim();
            if (comparison is not (Comparisons.AtMost or Comparisons.AtLeast)) errors.Add($"{at}.comparison", "Der Vergleich ist „le“ (höchstens) oder „ge“ (mindestens).");
            if (g.Target is not { } target) errors.Add($"{at}.target", "Bitte einen Zielwert angeben.");
            else if (target < 0) errors.Add($"{at}.target", "Der Zielwert darf nicht negativ sein.");
            else if (decimal.Round(target, 2) != target) errors.Add($"{at}.target", "Der Zielwert hat höchstens zwei Nachkommastellen.");
            else if (kpi is { IsPercent: true } && target > 100) errors.Add($"{at}.target", "Ein Anteil liegt zwischen 0 und 100 %.");
            else if (target > 1_000_000) errors.Add($"{at}.target", "Der Zielwert ist zu groß (höchstens 1.000.000).");
            if (g.DueDate is null) errors.Add($"{at}.dueDate", "Bitte das Datum angeben, zu dem das Ziel bewertet wird.");
            else InputDates.Check(errors, $"{at}.dueDate", g.DueDate);
            var note = TextInput.Field(errors, $"{at}.note", g.Note, TextKind.Paragraphs, "Die Erläuterung");
            if (note is { Length: > 1000 }) errors.Add($"{at}.note", "Die Erläuterung darf höchstens 1.000 Zeichen lang sein.");
            if (kpi is not null && comparison is not null && g.Target is { } t && g.DueDate is { } due)
                goals.Add(new Goal(kpi.Slug, comparison, t, due, note));
        }
        if (errors.Count > 0) throw new ValidationException(errors);
        return goals;
    }
}

/// <summary>
/// The structured goals of an agreement, beside its free-text goals: read and replaced as a whole by the Koordination
/// of a member (others: 404 for a non-member's agreement). A replacement lands in the agreement's history.
/// </summary>
public sealed class AgreementGoals(Db db, AgreementService agreements, TimeProvider clock)
{
    public async Task<IReadOnlyList<GoalView>> GetAsync(Actor actor, long agreementId, CancellationToken ct = default)
    {
        await agreements.GetAsync(actor, agreementId, ct); // 404 for non-members
        return await LoadAsync(agreementId, ct);
    }

    internal async Task<IReadOnlyList<GoalView>> LoadAsync(long agreementId, CancellationToken ct = default) =>
        (await db.QueryAsync<GoalRow>("""
            SELECT position, kpi, comparison, target_hundredths AS TargetHundredths, due_date AS DueDate, note
            FROM agreement_goals WHERE agreement_id = @Id ORDER BY position
            """, new { Id = agreementId }, ct)).Select(View).ToList();

    public async Task<IReadOnlyList<GoalView>> ReplaceAsync(Actor actor, long agreementId, GoalsInput input, CancellationToken ct = default)
    {
        if (!actor.IsUser || !actor.IsCoordinator) throw new RuleException("CoordinatorOnly", "Nur die Koordination einer Mitgliedskommune kann die Ziele festlegen.");
        await agreements.GetAsync(actor, agreementId, ct); // a non-member learns nothing, not even what is wrong with the input: 404
        var goals = GoalValidator.Validate(input);
        await db.InTransactionAsync(async (c, tx) =>
        {
            if (db.Kind == DatabaseKind.Postgres) await c.ExecuteAsync("SELECT id FROM agreements WHERE id = @Id FOR UPDATE", new { Id = agreementId }, tx);
            var member = await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM agreement_members WHERE agreement_id = @Id AND municipality_ags = @Ags", new { Id = agreementId, actor.Ags }, tx);
            if (member == 0) throw new AgreementNotFoundException();
            await c.ExecuteAsync("DELETE FROM agreement_goals WHERE agreement_id = @Id", new { Id = agreementId }, tx);
            for (var i = 0; i < goals.Count; i++)
                await c.ExecuteAsync("""
                    INSERT INTO agreement_goals (agreement_id, position, kpi, comparison, target_hundredths, due_date, note)
                    VALUES (@Id, @Position, @Kpi, @Comparison, @Target, @Due, @Note)
                    """, new { Id = agreementId, Position = i + 1, goals[i].Kpi, goals[i].Comparison, Target = (long)(goals[i].Target * 100), Due = goals[i].DueDate, goals[i].Note }, tx);
            var summary = goals.Count == 0 ? "keine strukturierten Ziele" : string.Join("; ", goals.Select(Describe));
            await c.ExecuteAsync("INSERT INTO agreement_history (agreement_id, at, actor_user_id, actor_name, actor_ags, action, details) VALUES (@Id, @Now, @User, @Name, @Ags, 'Ziele festgelegt', @Details)",
                new { Id = agreementId, Now = clock.GetUtcNow().UtcDateTime, User = actor.UserId, Name = actor.DisplayName, actor.Ags, Details = summary.Length > 4000 ? summary[..4000] : summary }, tx);
        }, ct);
        return await LoadAsync(agreementId, ct);
    }

    private static string Describe(Goal g) =>
        $"{KpiCatalogue.Find(g.Kpi)!.Label} {Comparisons.Symbol(g.Comparison)} {g.Target.ToString("0.##", CultureInfo.GetCultureInfo("de-DE"))} {KpiCatalogue.Find(g.Kpi)!.Unit} bis {g.DueDate:dd.MM.yyyy}";

    private static GoalView View(GoalRow r)
    {
        var kpi = KpiCatalogue.Find(r.Kpi);
        return new GoalView(r.Position, r.Kpi, kpi?.Label ?? r.Kpi, kpi?.Unit ?? "", r.Comparison, Comparisons.Symbol(r.Comparison), r.TargetHundredths / 100m, r.DueDate, r.Note);
    }

    private sealed class GoalRow
    {
        public int Position { get; set; }
        public string Kpi { get; set; } = "";
        public string Comparison { get; set; } = "";
        public long TargetHundredths { get; set; }
        public DateOnly DueDate { get; set; }
        public string? Note { get; set; }
    }
}
