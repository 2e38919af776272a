using System.Text.Json.Serialization;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Registry.Regions;

/// <summary>One step of the learning cycle: status (offen, in-arbeit, abgeschlossen), review date (null: none), note (null: none).</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record LearningCycleStepInput(string? Status, DateOnly? ReviewOn, string? Note);

/// <summary>
/// Records where a Handlungsfeld stands in its learning cycle (Analyse, Ideen, Planung, Umsetzung, Reflexion): seeds/003
/// asks to check "immer wieder systematisch", whether the goals are still the right ones; the review date says when.
/// </summary>
public sealed class UpdateLearningCycle(Db db, TimeProvider clock)
{
    public const int MaxNoteLength = 4000;

    public Task UpdateStepAsync(Actor actor, long regionId, long fieldId, string step, LearningCycleStepInput input, CancellationToken ct = default) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            await RegionAccess.RequireFieldCoordinatorAsync(db, c, tx, regionId, fieldId, actor);
            if (LearningCycle.Step(step) is null)
                throw new RegionPartNotFoundException($"Diesen Schritt des Lernzyklus gibt es nicht ({string.Join(", ", LearningCycle.Steps.Select(s => s.Slug))}).");
            var errors = new ValidationErrors();
            if (LearningCycle.StatusLabel(input.Status) is null)
                errors.Add("status", $"Bitte den Stand wählen: {string.Join(", ", LearningCycle.Statuses.Select(s => $"{s.Slug} ({s.Label})"))}.");
            InputDates.Check(errors, "reviewOn", input.ReviewOn);
            var note = RegionText.Optional(errors, "note", input.Note, "Die Notiz", MaxNoteLength);
            if (errors.Count > 0) throw new ValidationException(errors);
            await RegionRows.SetStepAsync(c, tx, fieldId, step, input.Status!, input.ReviewOn, note, clock.GetUtcNow().UtcDateTime);
        }, ct);
}
