using System.Text.Json.Serialization;
using Dapper;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Registry.Regions;

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record CooperationLinkInput(long? CooperationId);

[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AgreementLinkInput(long? AgreementId);

/// <summary>
/// Links a Handlungsfeld to register entries and to agreements. Register entries are public: any entry that exists may be
/// linked. An agreement is private to its members (its coordinators alone read it, everyone else gets 404), so a
/// coordinator links only an agreement of their own municipality; the region's members then see its title and status,
/// nothing more. Whether the agreement does not exist or belongs to others is not told apart.
/// </summary>
public sealed class FieldLinks(Db db, TimeProvider clock)
{
    public const int MaxLinksPerField = 100;

    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    public Task LinkCooperationAsync(Actor actor, long regionId, long fieldId, CooperationLinkInput input, CancellationToken ct = default) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            await RegionAccess.RequireFieldCoordinatorAsync(db, c, tx, regionId, fieldId, actor);
            if (input.CooperationId is not { } id)
                throw ValidationException.For("cooperationId", "Bitte geben Sie die Nummer des Registereintrags an.");
            if (await c.ExecuteScalarAsync<long?>("SELECT id FROM registry_cooperations WHERE id = @Id", new { Id = id }, tx) is null)
                throw ValidationException.For("cooperationId", $"Einen Registereintrag Nr. {id} gibt es im IKZ-Register nicht.");
            await RequireRoomAsync(c, tx, "field_of_action_cooperations", fieldId);
            await RegionRows.LinkCooperationAsync(c, tx, fieldId, id, actor.Ags, Now);
        }, ct);

    public Task LinkAgreementAsync(Actor actor, long regionId, long fieldId, AgreementLinkInput input, CancellationToken ct = default) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            await RegionAccess.RequireFieldCoordinatorAsync(db, c, tx, regionId, fieldId, actor);
            if (input.AgreementId is not { } id)
                throw ValidationException.For("agreementId", "Bitte wählen Sie eine Vereinbarung.");
            var member = await c.ExecuteScalarAsync<long?>("SELECT agreement_id FROM agreement_members WHERE agreement_id = @Id AND municipality_ags = @Ags", new { Id = id, actor.Ags }, tx);
            if (member is null)
                throw ValidationException.For("agreementId",
                    $"Eine Vereinbarung Nr. {id} Ihrer Kommune gibt es nicht. Verknüpfen können Sie nur Vereinbarungen, an denen Ihre Kommune beteiligt ist.");
            await RequireRoomAsync(c, tx, "field_of_action_agreements", fieldId);
            await RegionRows.LinkAgreementAsync(c, tx, fieldId, id, actor.Ags, Now);
        }, ct);

    public Task UnlinkCooperationAsync(Actor actor, long regionId, long fieldId, long cooperationId, CancellationToken ct = default) =>
        UnlinkAsync(actor, regionId, fieldId, "DELETE FROM field_of_action_cooperations WHERE field_id = @Field AND cooperation_id = @Id", cooperationId,
            "Dieser Registereintrag ist mit dem Handlungsfeld nicht verknüpft.", ct);

    /// <summary>Any member's Koordination may remove a link (taking shared information away tells nobody anything).</summary>
    public Task UnlinkAgreementAsync(Actor actor, long regionId, long fieldId, long agreementId, CancellationToken ct = default) =>
        // The field shows an amended agreement as its current version: the link may still name an earlier one of its chain.
        UnlinkAsync(actor, regionId, fieldId, """
            DELETE FROM field_of_action_agreements WHERE field_id = @Field AND agreement_id IN (
                WITH RECURSIVE versions (id) AS (
                    SELECT a.id FROM agreements a WHERE a.id = @Id
                    UNION ALL
                    SELECT a.supersedes_id FROM versions JOIN agreements a ON a.id = versions.id WHERE a.supersedes_id IS NOT NULL
                )
                SELECT id FROM versions)
            """, agreementId,
            "Diese Vereinbarung ist mit dem Handlungsfeld nicht verknüpft.", ct);

    private Task UnlinkAsync(Actor actor, long regionId, long fieldId, string delete, long id, string notLinked, CancellationToken ct) =>
        db.InTransactionAsync(async (c, tx) =>
        {
            await RegionAccess.RequireFieldCoordinatorAsync(db, c, tx, regionId, fieldId, actor);
            if (await c.ExecuteAsync(delete, new { Field = fieldId, Id = id }, tx) == 0) throw new RegionPartNotFoundException(notLinked);
        }, ct);

    private static async Task RequireRoomAsync(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction tx, string table, long fieldId)
    {
        if (await c.ExecuteScalarAsync<long>($"SELECT COUNT(*) FROM {table} WHERE field_id = @Field", new { Field = fieldId }, tx) >= MaxLinksPerField)
            throw new RuleException("TooManyLinks", $"Ein Handlungsfeld verknüpft höchstens {MaxLinksPerField} Registereinträge und {MaxLinksPerField} Vereinbarungen.");
    }
}
