using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenIkz.Directory;

namespace OpenIkz.Registry.Regions;

/// <summary>
/// /api/v1/regions: Kooperationsräume. Every person of a member municipality reads (policy User); the Koordination of a
/// member writes (policy RegistryCoordinator); a non-member gets 404 for everything under a region's id.
/// </summary>
public static class RegionsApi
{
    public static IEndpointRouteBuilder Map(IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/regions").WithTags("Kooperationsraum");
        var readers = group.MapGroup("/").RequireAuthorization(DirectoryPolicies.User);
        var writers = group.MapGroup("/").RequireAuthorization(RegistryPolicies.Coordinator);

        readers.MapGet("/", async (ClaimsPrincipal p, RegionQueries regions, CancellationToken ct) => TypedResults.Ok(await regions.ListAsync(Actor.From(p)!, ct)))
            .WithName("ListRegions").WithSummary("The Kooperationsräume the caller's municipality is a member of, with counts and the number of overdue reviews.");

        writers.MapPost("/", async Task<Created<RegionDetails>> (RegionInput input, ClaimsPrincipal p, ManageRegion manage, RegionQueries regions, CancellationToken ct) =>
            {
                var actor = Actor.From(p)!;
                var id = await manage.CreateAsync(actor, input, ct);
                return TypedResults.Created($"/api/v1/regions/{id}", await regions.GetAsync(actor, id, ct));
            })
            .WithName("CreateRegion").WithSummary("Creates a Kooperationsraum; the caller's municipality is its first, coordinating member.").ProducesValidationProblem();

        writers.MapGet("/overdue-reviews", async (ClaimsPrincipal p, RegionQueries regions, CancellationToken ct) => TypedResults.Ok(await regions.OverdueAsync(Actor.From(p)!, ct)))
            .WithName("ListOverdueReviews")
            .WithSummary("Learning-cycle steps of the caller's regions whose review date lies before today (Europe/Berlin) and that are not abgeschlossen, the longest overdue first.");

        readers.MapGet("/{regionId:long}", async (long regionId, ClaimsPrincipal p, RegionQueries regions, CancellationToken ct) =>
                TypedResults.Ok(await regions.GetAsync(Actor.From(p)!, regionId, ct)))
            .WithName("GetRegion").WithSummary("Members, Handlungsfelder with goals, options, linked register entries and agreements (title and status), learning cycle; 404 for non-members.")
            .ProducesProblem(404);

        writers.MapPut("/{regionId:long}", (long regionId, RegionInput input, ClaimsPrincipal p, ManageRegion manage, RegionQueries regions, CancellationToken ct) =>
                Region(p, regionId, regions, a => manage.UpdateAsync(a, regionId, input, ct), ct))
            .WithName("UpdateRegion").WithSummary("Name and description (Koordination of a coordinating member, else 403); a stale version is 409 VersionConflict.")
            .ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        writers.MapDelete("/{regionId:long}", async Task<NoContent> (long regionId, ClaimsPrincipal p, ManageRegion manage, CancellationToken ct) =>
            {
                await manage.DeleteAsync(Actor.From(p)!, regionId, ct);
                return TypedResults.NoContent();
            })
            .WithName("DeleteRegion").WithSummary("Deletes the region with its fields, goals, options, links and learning cycle (Koordination of a coordinating member, else 403; 404 for non-members). Linked register entries and agreements stay.")
            .ProducesProblem(403).ProducesProblem(404);

        writers.MapPost("/{regionId:long}/members", (long regionId, RegionMemberInput input, ClaimsPrincipal p, ManageRegion manage, RegionQueries regions, CancellationToken ct) =>
                Region(p, regionId, regions, a => manage.SetMemberAsync(a, regionId, input, ct), ct))
            .WithName("SetRegionMember").WithSummary("Adds a municipality of the directory or changes a member's role (coordinating members only); the last coordinating member stays (409).")
            .ProducesValidationProblem().ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        writers.MapDelete("/{regionId:long}/members/{memberAgs}", async Task<NoContent> (long regionId, string memberAgs, ClaimsPrincipal p, ManageRegion manage, CancellationToken ct) =>
            {
                await manage.RemoveMemberAsync(Actor.From(p)!, regionId, memberAgs, ct);
                return TypedResults.NoContent();
            })
            .WithName("RemoveRegionMember").WithSummary("Removes a member (coordinating members only); the last coordinating member stays (409).")
            .ProducesProblem(403).ProducesProblem(404).ProducesProblem(409);

        writers.MapPost("/{regionId:long}/fields", async Task<Created<FieldOfActionView>> (long regionId, FieldOfActionInput input, ClaimsPrincipal p, ManageFields fields,
                RegionQueries regions, CancellationToken ct) =>
            {
                var actor = Actor.From(p)!;
                var id = await fields.CreateAsync(actor, regionId, input, ct);
                return TypedResults.Created($"/api/v1/regions/{regionId}/fields/{id}", await regions.GetFieldAsync(actor, regionId, id, ct));
            })
            .WithName("CreateFieldOfAction").WithSummary("Adds a Handlungsfeld; its learning cycle starts with the five steps open.").ProducesValidationProblem().ProducesProblem(404);

        readers.MapGet("/{regionId:long}/fields/{fieldId:long}", async (long regionId, long fieldId, ClaimsPrincipal p, RegionQueries regions, CancellationToken ct) =>
                TypedResults.Ok(await regions.GetFieldAsync(Actor.From(p)!, regionId, fieldId, ct)))
            .WithName("GetFieldOfAction").ProducesProblem(404);

        writers.MapPut("/{regionId:long}/fields/{fieldId:long}", (long regionId, long fieldId, FieldOfActionInput input, ClaimsPrincipal p, ManageFields fields, RegionQueries regions,
                CancellationToken ct) => Field(p, regionId, fieldId, regions, a => fields.UpdateAsync(a, regionId, fieldId, input, ct), ct))
            .WithName("UpdateFieldOfAction").ProducesValidationProblem().ProducesProblem(404);

        writers.MapDelete("/{regionId:long}/fields/{fieldId:long}", async Task<NoContent> (long regionId, long fieldId, ClaimsPrincipal p, ManageFields fields, CancellationToken ct) =>
            {
                await fields.DeleteAsync(Actor.From(p)!, regionId, fieldId, ct);
                return TypedResults.NoContent();
            })
            .WithName("DeleteFieldOfAction").WithSummary("Deletes a Handlungsfeld with its goals, options, links and learning cycle.").ProducesProblem(404);

        writers.MapPut("/{regionId:long}/fields/{fieldId:long}/goals", (long regionId, long fieldId, FieldItemsInput input, ClaimsPrincipal p, ManageFields fields, RegionQueries regions,
                CancellationToken ct) => Field(p, regionId, fieldId, regions, a => fields.SaveItemsAsync(a, regionId, fieldId, FieldItems.Goal, input, ct), ct))
            .WithName("SaveFieldGoals").WithSummary("Replaces the development goals: {\"items\":[{\"text\",\"status\"}]} in order; status optional: offen, in-arbeit, erreicht, verworfen.")
            .ProducesValidationProblem().ProducesProblem(404);

        writers.MapPut("/{regionId:long}/fields/{fieldId:long}/options", (long regionId, long fieldId, FieldItemsInput input, ClaimsPrincipal p, ManageFields fields, RegionQueries regions,
                CancellationToken ct) => Field(p, regionId, fieldId, regions, a => fields.SaveItemsAsync(a, regionId, fieldId, FieldItems.Option, input, ct), ct))
            .WithName("SaveFieldOptions").WithSummary("Replaces the options for action: {\"items\":[{\"text\",\"status\"}]} in order; status optional: idee, in-pruefung, beschlossen, umgesetzt, verworfen.")
            .ProducesValidationProblem().ProducesProblem(404);

        writers.MapPost("/{regionId:long}/fields/{fieldId:long}/cooperations", (long regionId, long fieldId, CooperationLinkInput input, ClaimsPrincipal p, FieldLinks links,
                RegionQueries regions, CancellationToken ct) => Field(p, regionId, fieldId, regions, a => links.LinkCooperationAsync(a, regionId, fieldId, input, ct), ct))
            .WithName("LinkFieldCooperation").WithSummary("Links a register entry {\"cooperationId\"}; an id without entry is 400 naming cooperationId.")
            .ProducesValidationProblem().ProducesProblem(404);

        writers.MapDelete("/{regionId:long}/fields/{fieldId:long}/cooperations/{linkedCooperationId:long}", async Task<NoContent> (long regionId, long fieldId, long linkedCooperationId,
                ClaimsPrincipal p, FieldLinks links, CancellationToken ct) =>
            {
                await links.UnlinkCooperationAsync(Actor.From(p)!, regionId, fieldId, linkedCooperationId, ct);
                return TypedResults.NoContent();
            })
            .WithName("UnlinkFieldCooperation").ProducesProblem(404);

        writers.MapPost("/{regionId:long}/fields/{fieldId:long}/agreements", (long regionId, long fieldId, AgreementLinkInput input, ClaimsPrincipal p, FieldLinks links,
                RegionQueries regions, CancellationToken ct) => Field(p, regionId, fieldId, regions, a => links.LinkAgreementAsync(a, regionId, fieldId, input, ct), ct))
            .WithName("LinkFieldAgreement")
            .WithSummary("Links an agreement {\"agreementId\"} of which the caller's municipality is a member; any other id (none, or another's) is 400 naming agreementId.")
            .ProducesValidationProblem().ProducesProblem(404);

        writers.MapDelete("/{regionId:long}/fields/{fieldId:long}/agreements/{linkedAgreementId:long}", async Task<NoContent> (long regionId, long fieldId, long linkedAgreementId,
                ClaimsPrincipal p, FieldLinks links, CancellationToken ct) =>
            {
                await links.UnlinkAgreementAsync(Actor.From(p)!, regionId, fieldId, linkedAgreementId, ct);
                return TypedResults.NoContent();
            })
            .WithName("UnlinkFieldAgreement").ProducesProblem(404);

        writers.MapPut("/{regionId:long}/fields/{fieldId:long}/learning-cycle/{cycleStep}", (long regionId, long fieldId, string cycleStep, LearningCycleStepInput input,
                ClaimsPrincipal p, UpdateLearningCycle cycle, RegionQueries regions, CancellationToken ct) =>
                Field(p, regionId, fieldId, regions, a => cycle.UpdateStepAsync(a, regionId, fieldId, cycleStep, input, ct), ct))
            .WithName("UpdateLearningCycleStep")
            .WithSummary("One step (analyse, ideen, planung, umsetzung, reflexion): {\"status\":\"offen|in-arbeit|abgeschlossen\",\"reviewOn\":\"JJJJ-MM-TT\"|null,\"note\"}.")
            .ProducesValidationProblem().ProducesProblem(404);

        return app;
    }

    private static async Task<Ok<RegionDetails>> Region(ClaimsPrincipal p, long regionId, RegionQueries regions, Func<Actor, Task> change, CancellationToken ct)
    {
        var actor = Actor.From(p)!;
        await change(actor);
        return TypedResults.Ok(await regions.GetAsync(actor, regionId, ct));
    }

    private static async Task<Ok<FieldOfActionView>> Field(ClaimsPrincipal p, long regionId, long fieldId, RegionQueries regions, Func<Actor, Task> change, CancellationToken ct)
    {
        var actor = Actor.From(p)!;
        await change(actor);
        return TypedResults.Ok(await regions.GetFieldAsync(actor, regionId, fieldId, ct));
    }
}
