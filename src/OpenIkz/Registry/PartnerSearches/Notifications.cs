using System.Data.Common;
using Dapper;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Registry.PartnerSearches;

/// <summary>An in-app notice (e.g. "Interesse bekundet") as the recipient sees it.</summary>
public sealed record Notice(long Id, string Kind, string Text, string? Link, DateTime CreatedAt, DateTime? ReadAt)
{
    public bool Unread => ReadAt is null;
}

/// <summary>
/// The in-app notices (table <c>notifications</c>): addressed to one user, or to the people of a municipality who hold a
/// role (the interest in a partner search goes to the searching municipality's Koordination). A notice to a
/// municipality is read for all of its recipients once one of them has read it. Only the partner search writes
/// notices today; the table is general, so that another part can address its own.
/// </summary>
public sealed class Notifications(Db db, TimeProvider clock)
{
    public const string InterestKind = "partner-search-interest";

    /// <summary>Adds a notice for the people of <paramref name="ags"/> holding <paramref name="role"/> (all of them when null), in the caller's transaction.</summary>
    public static Task<long> AddForMunicipalityAsync(DbConnection c, DbTransaction tx, string ags, string? role, string kind, string text, string? link, DateTime now) =>
        c.ExecuteScalarAsync<long>("""
            INSERT INTO notifications (recipient_ags, recipient_role, kind, text, link, created_at) VALUES (@Ags, @Role, @Kind, @Text, @Link, @Now) RETURNING id
            """, new { Ags = ags, Role = role, Kind = kind, Text = text, Link = link, Now = now }, tx);

    /// <summary>The notices the actor receives: addressed to them, or to their municipality for a role they hold (or for all).</summary>
    private static string Recipient(Db db) => $"""
        (n.recipient_user_id = @UserId OR (n.recipient_ags = @Ags AND (n.recipient_role IS NULL OR {db.InList("n.recipient_role", "Roles")})))
        """;

    private static object Parameters(Actor actor) => new { actor.UserId, actor.Ags, Roles = RolesOf(actor) };

    private static string[] RolesOf(Actor actor) =>
    [
        .. actor.IsCoordinator ? new[] { Roles.Koordination } : [],
        .. actor.IsClerk ? new[] { Roles.Sachbearbeitung } : [],
        .. actor.IsTeamLead ? new[] { Roles.Teamleitung } : [],
        .. actor.IsAdministrator ? new[] { Roles.Administration } : [],
    ];

    /// <summary>The newest notices first: every unread one, then read ones up to <paramref name="limit"/> in all.</summary>
    public async Task<IReadOnlyList<Notice>> ForAsync(Actor actor, int limit = 20, CancellationToken ct = default)
    {
        if (!actor.IsUser) return [];
        var rows = await db.QueryAsync<NoticeRow>($"""
            SELECT n.id, n.kind, n.text, n.link, n.created_at AS CreatedAt, n.read_at AS ReadAt FROM notifications n
            WHERE {Recipient(db)}
            ORDER BY CASE WHEN n.read_at IS NULL THEN 0 ELSE 1 END, n.created_at DESC, n.id DESC
            """, Parameters(actor), ct);
        var unread = rows.Count(r => r.ReadAt is null);
        return rows.Take(Math.Max(limit, unread)).Select(r => new Notice(r.Id, r.Kind, r.Text, r.Link, r.CreatedAt, r.ReadAt)).ToList();
    }

    public async Task<int> UnreadCountAsync(Actor actor, CancellationToken ct = default) => !actor.IsUser ? 0
        : await db.QuerySingleAsync<int>($"SELECT COUNT(*) FROM notifications n WHERE n.read_at IS NULL AND {Recipient(db)}", Parameters(actor), ct);

    /// <summary>Marks the actor's unread notices read: all of them, or those linking to <paramref name="link"/>. Returns how many.</summary>
    public Task<int> MarkReadAsync(Actor actor, string? link = null, CancellationToken ct = default)
    {
        if (!actor.IsUser) return Task.FromResult(0);
        return db.InTransactionAsync(async (c, tx) => await c.ExecuteAsync($"""
            UPDATE notifications SET read_at = @Now WHERE id IN (
                SELECT n.id FROM notifications n WHERE n.read_at IS NULL AND {Recipient(db)} AND (@Link = '' OR n.link = @Link))
            """, new { actor.UserId, actor.Ags, Roles = RolesOf(actor), Link = link ?? "", Now = clock.GetUtcNow().UtcDateTime }, tx), ct);
    }

    private sealed class NoticeRow
    {
        public long Id { get; init; }
        public string Kind { get; init; } = "";
        public string Text { get; init; } = "";
        public string? Link { get; init; }
        public DateTime CreatedAt { get; init; }
        public DateTime? ReadAt { get; init; }
    }
}
