using System.Data.Common;
using Dapper;
using OpenIkz.Directory.Municipalities;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Infrastructure.Mail;

namespace OpenIkz.Registry.PartnerSearches;

public sealed record SearchingMunicipality(string Ags, string Name, string State);

/// <summary>A partner search as everyone may see it: no person is named, only the searching municipality.</summary>
public sealed record PartnerSearchSummary(long Id, string TaskField, string TaskFieldLabel, string Title, string Description, DateOnly Until,
    SearchingMunicipality Municipality, DateTime CreatedAt, DateTime? ClosedAt, bool Open, int InterestCount);

/// <summary>An interest as the searching municipality's coordinators see it.</summary>
public sealed record InterestView(string Ags, string Name, string? Message, DateTime CreatedAt);

/// <summary>
/// One search for the caller: <c>own</c> when it is the caller's municipality's; <c>interested</c> when the caller's
/// municipality has expressed interest; <c>interests</c> only for the searching municipality's coordinators (else null).
/// </summary>
public sealed record PartnerSearchDetails(PartnerSearchSummary Search, bool Own, bool Interested, IReadOnlyList<InterestView>? Interests);

public sealed record OpenSearchFilter(string? TaskField = null, string? State = null, int Page = 1, int PageSize = PartnerSearchService.DefaultPageSize);

public sealed record SearchPage(IReadOnlyList<PartnerSearchSummary> Items, int Total);

/// <summary>What an expression of interest did: <c>Created</c> false when the municipality had expressed it before (nothing changed).</summary>
public sealed record InterestResult(long SearchId, string Ags, DateTime CreatedAt, bool Created, bool Mailed);

/// <summary>
/// Partner searches: a municipality's Koordination posts one for a task field; everyone sees the open ones (until the
/// end date, Europe/Berlin, unless closed early); the Koordination of another municipality expresses interest, which
/// tells the searching municipality's coordinators in the app and, where SMTP is configured and the directory has the
/// municipality's e-mail address, by e-mail. A search that is closed or over is seen only by its own municipality.
/// </summary>
public sealed class PartnerSearchService(Db db, TimeProvider clock, IMailSender mail, ILogger<PartnerSearchService> logger)
{
    public const int DefaultPageSize = 20, MaxPageSize = 100;

    private DateOnly Today => BerlinTime.Today(clock);
    private DateTime Now => clock.GetUtcNow().UtcDateTime;

    private static Actor RequireCoordinator(Actor? actor) =>
        actor is { IsUser: true, IsCoordinator: true } ? actor : throw new PartnerSearchForbiddenException("Partnersuchen bearbeitet die Koordination einer Kommune.");

    public async Task<long> CreateAsync(Actor? caller, PartnerSearchInput input, CancellationToken ct = default)
    {
        var actor = RequireCoordinator(caller);
        var terms = PartnerSearchRules.Validate(input, Today);
        return await db.InTransactionAsync(async (c, tx) =>
        {
            var open = await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM partner_searches WHERE municipality_ags = @Ags AND closed_at IS NULL AND until_date >= @Today",
                new { actor.Ags, Today }, tx);
            if (open >= PartnerSearchRules.MaxOpenPerMunicipality)
                throw new RuleException("TooManyOpenSearches", $"Ihre Kommune hat schon {PartnerSearchRules.MaxOpenPerMunicipality} offene Partnersuchen. Beenden Sie eine, bevor Sie eine neue beginnen.");
            return await InsertAsync(c, tx, actor.Ags, actor.UserId, terms, Now);
        }, ct);
    }

    /// <summary>Stores a validated search (also used by the demo data).</summary>
    internal static Task<long> InsertAsync(DbConnection c, DbTransaction tx, string ags, long? userId, PartnerSearchTerms terms, DateTime now) =>
        c.ExecuteScalarAsync<long>("""
            INSERT INTO partner_searches (municipality_ags, task_field, title, description, until_date, created_by_user_id, created_at)
            VALUES (@Ags, @TaskField, @Title, @Description, @Until, @UserId, @Now) RETURNING id
            """, new { Ags = ags, terms.TaskField, terms.Title, terms.Description, terms.Until, UserId = userId, Now = now }, tx);

    private const string Select = """
        SELECT s.id, s.task_field AS TaskField, s.title, s.description, s.until_date AS Until, s.created_at AS CreatedAt, s.closed_at AS ClosedAt,
               m.ags AS Ags, m.name AS Name, m.state AS State,
               (SELECT COUNT(*) FROM partner_search_interests i WHERE i.search_id = s.id) AS InterestCount
        FROM partner_searches s JOIN municipalities m ON m.ags = s.municipality_ags
        """;

    private const string IsOpen = "s.closed_at IS NULL AND s.until_date >= @Today";

    /// <summary>The open searches, newest first, optionally of one task field or state; 400 naming a bad filter.</summary>
    public async Task<SearchPage> ListOpenAsync(OpenSearchFilter filter, CancellationToken ct = default)
    {
        var errors = new ValidationErrors();
        string? field = null, state = null;
        if (!string.IsNullOrWhiteSpace(filter.TaskField))
        {
            field = TaskFields.Find(filter.TaskField.Trim())?.Slug;
            if (field is null) errors.Add("taskField", $"Das Aufgabenfeld '{filter.TaskField}' gibt es nicht.");
        }
        if (!string.IsNullOrWhiteSpace(filter.State))
        {
            if (States.TryParse(filter.State, out var code)) state = code;
            else errors.Add("state", $"Das Land '{filter.State}' gibt es nicht (z. B. ST, Sachsen-Anhalt oder 15).");
        }
        if (filter.Page < 1) errors.Add("page", "Die Seite ist eine Zahl ab 1.");
        if (filter.PageSize is < 1 or > MaxPageSize) errors.Add("pageSize", $"Die Seitengröße liegt zwischen 1 und {MaxPageSize}.");
        if (errors.Count > 0) throw new ValidationException(errors);

        var where = $" WHERE {IsOpen} AND (@Field = '' OR s.task_field = @Field) AND (@State = '' OR m.state = @State)";
        var args = new { Today, Field = field ?? "", State = state ?? "", Offset = (filter.Page - 1) * filter.PageSize, filter.PageSize };
        await using var c = await db.OpenAsync(ct);
        var total = await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM partner_searches s JOIN municipalities m ON m.ags = s.municipality_ags" + where, args);
        var rows = await c.QueryAsync<Row>(Select + where + " ORDER BY s.created_at DESC, s.id DESC LIMIT @PageSize OFFSET @Offset", args);
        return new SearchPage(rows.Select(Summary).ToList(), total);
    }

    /// <summary>Every search of a municipality, open ones first (for its own page).</summary>
    public async Task<IReadOnlyList<PartnerSearchSummary>> ListOwnAsync(string ags, CancellationToken ct = default) =>
        (await db.QueryAsync<Row>(Select + $" WHERE s.municipality_ags = @Ags ORDER BY CASE WHEN {IsOpen} THEN 0 ELSE 1 END, s.created_at DESC, s.id DESC",
            new { Ags = ags, Today }, ct)).Select(Summary).ToList();

    /// <summary>One search: any open one; a closed or finished one only for its own municipality (else 404).</summary>
    public async Task<PartnerSearchDetails> GetAsync(Actor? viewer, long id, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var search = await VisibleAsync(c, null, viewer, id);
        var own = viewer?.Ags == search.Municipality.Ags;
        var interested = viewer is not null && !own
            && await c.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM partner_search_interests WHERE search_id = @Id AND municipality_ags = @Ags", new { Id = id, viewer.Ags }) > 0;
        IReadOnlyList<InterestView>? interests = null;
        if (own && viewer is { IsUser: true, IsCoordinator: true })
            interests = (await c.QueryAsync<InterestRow>("""
                SELECT i.municipality_ags AS Ags, m.name, i.message, i.created_at AS CreatedAt
                FROM partner_search_interests i JOIN municipalities m ON m.ags = i.municipality_ags
                WHERE i.search_id = @Id ORDER BY i.created_at, i.municipality_ags
                """, new { Id = id })).Select(i => new InterestView(i.Ags, i.Name, i.Message, i.CreatedAt)).ToList();
        return new PartnerSearchDetails(search, own, interested, interests);
    }

    private async Task<PartnerSearchSummary> VisibleAsync(DbConnection c, DbTransaction? tx, Actor? viewer, long id)
    {
        var row = await c.QuerySingleOrDefaultAsync<Row>(Select + " WHERE s.id = @Id", new { Id = id, Today }, tx);
        var search = row is null ? null : Summary(row);
        if (search is null || (!search.Open && viewer?.Ags != search.Municipality.Ags))
            throw new NotFoundException("Diese Partnersuche gibt es nicht oder sie ist beendet.");
        return search;
    }

    /// <summary>The suggested partners for a search the caller may see (<see cref="GetAsync"/>).</summary>
    public async Task<IReadOnlyList<Suggestion>> SuggestionsAsync(Actor? viewer, long id, int limit = PartnerSuggestions.DefaultLimit, CancellationToken ct = default)
    {
        await using var c = await db.OpenAsync(ct);
        var search = await VisibleAsync(c, null, viewer, id);
        return await PartnerSuggestions.ForAsync(c, search.Municipality.Ags, search.TaskField, Today, limit, ct);
    }

    /// <summary>
    /// The caller's municipality is interested: recorded once per municipality (a repeat changes nothing and says so),
    /// never for the own search (409 OwnSearch), only for an open search (404 otherwise). The searching municipality's
    /// coordinators get an in-app notice in the same transaction and, after it, an e-mail where one can be sent.
    /// </summary>
    public async Task<InterestResult> ExpressInterestAsync(Actor? caller, long id, InterestInput input, CancellationToken ct = default)
    {
        var actor = RequireCoordinator(caller);
        var message = PartnerSearchRules.Message(input.Message);
        var (result, notice) = await db.InTransactionAsync(async (c, tx) =>
        {
            var search = await VisibleAsync(c, tx, actor, id);
            if (search.Municipality.Ags == actor.Ags)
                throw new RuleException("OwnSearch", "Das ist die Partnersuche Ihrer eigenen Kommune; Interesse bekunden andere Kommunen.");
            if (!search.Open) throw new NotFoundException("Diese Partnersuche gibt es nicht oder sie ist beendet.");
            var inserted = await c.ExecuteAsync("""
                INSERT INTO partner_search_interests (search_id, municipality_ags, user_id, message, created_at) VALUES (@Id, @Ags, @UserId, @Message, @Now)
                ON CONFLICT (search_id, municipality_ags) DO NOTHING
                """, new { Id = id, actor.Ags, actor.UserId, Message = message, Now }, tx);
            var at = await c.ExecuteScalarAsync<DateTime>("SELECT created_at FROM partner_search_interests WHERE search_id = @Id AND municipality_ags = @Ags", new { Id = id, actor.Ags }, tx);
            if (inserted == 0) return (new InterestResult(id, actor.Ags, at, false, false), (NoticeMail?)null);
            var interested = await c.ExecuteScalarAsync<string>("SELECT name FROM municipalities WHERE ags = @Ags", new { actor.Ags }, tx) ?? actor.Ags;
            var text = $"{interested} hat Interesse an Ihrer Partnersuche „{search.Title}“ bekundet.";
            var noticeId = await Notifications.AddForMunicipalityAsync(c, tx, search.Municipality.Ags, Roles.Koordination, Notifications.InterestKind, text, $"/Partnersuche/{id}", Now);
            var address = await c.ExecuteScalarAsync<string?>("SELECT email FROM municipalities WHERE ags = @Ags", new { search.Municipality.Ags }, tx);
            return (new InterestResult(id, actor.Ags, at, true, false), new NoticeMail(noticeId, address, search, interested, message));
        }, ct);
        if (notice is null) return result;
        return result with { Mailed = await MailAsync(notice) };
    }

    private sealed record NoticeMail(long NoticeId, string? Address, PartnerSearchSummary Search, string Interested, string? Message);

    /// <summary>
    /// The e-mail copy of an interest notice, to the searching municipality's address in the directory. A failure is
    /// logged with the notice id and the exception type only (never an address or text) and leaves the in-app notice.
    /// </summary>
    private async Task<bool> MailAsync(NoticeMail n)
    {
        if (!mail.IsConfigured || string.IsNullOrWhiteSpace(n.Address)) return false;
        var path = $"/Partnersuche/{n.Search.Id}";
        var body = $"""
            Guten Tag,

            {n.Interested} hat über OpenIKZ Interesse an Ihrer Partnersuche „{n.Search.Title}“ (Aufgabenfeld {n.Search.TaskFieldLabel}) bekundet.
            {(n.Message is null ? "" : $"\nNachricht:\n{n.Message}\n")}
            Die Partnersuche mit allen Interessenbekundungen und Partnervorschlägen: {(mail.AppUrl is { } url ? url + path : $"in OpenIKZ unter Partnersuche ({path})")}

            Diese Nachricht ging an die Adresse Ihrer Kommune im Kommunenverzeichnis von OpenIKZ.
            """;
        try
        {
            // Not the request's token: the interest is stored, and a client that went away should not stop the e-mail.
            await mail.SendAsync(new MailMessage(n.Address, $"Interesse an Ihrer Partnersuche „{n.Search.Title}“", body), CancellationToken.None);
            await db.ExecuteAsync("UPDATE notifications SET mailed_at = @Now WHERE id = @Id", new { Now, Id = n.NoticeId });
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            logger.LogWarning("The e-mail for notice {NoticeId} could not be sent: {ExceptionType}", n.NoticeId, ex.GetType().FullName);
            return false;
        }
    }

    /// <summary>Closes the caller's municipality's own search early; closing it again changes nothing. Another municipality's: 403.</summary>
    public async Task<PartnerSearchSummary> CloseAsync(Actor? caller, long id, CancellationToken ct = default)
    {
        var actor = RequireCoordinator(caller);
        return await db.InTransactionAsync(async (c, tx) =>
        {
            var search = await VisibleAsync(c, tx, actor, id);
            if (search.Municipality.Ags != actor.Ags) throw new PartnerSearchForbiddenException("Eine Partnersuche beendet nur die Kommune, die sucht.");
            await c.ExecuteAsync("UPDATE partner_searches SET closed_at = @Now WHERE id = @Id AND closed_at IS NULL", new { Now, Id = id }, tx);
            return Summary((await c.QuerySingleAsync<Row>(Select + " WHERE s.id = @Id", new { Id = id, Today }, tx))!);
        }, ct);
    }

    private PartnerSearchSummary Summary(Row r) =>
        new(r.Id, r.TaskField, TaskFields.Find(r.TaskField)?.Label ?? r.TaskField, r.Title, r.Description, r.Until,
            new SearchingMunicipality(r.Ags, r.Name, r.State), r.CreatedAt, r.ClosedAt, r.ClosedAt is null && r.Until >= Today, (int)r.InterestCount);

    private sealed class Row
    {
        public long Id { get; init; }
        public string TaskField { get; init; } = "";
        public string Title { get; init; } = "";
        public string Description { get; init; } = "";
        public DateOnly Until { get; init; }
        public DateTime CreatedAt { get; init; }
        public DateTime? ClosedAt { get; init; }
        public string Ags { get; init; } = "";
        public string Name { get; init; } = "";
        public string State { get; init; } = "";
        public long InterestCount { get; init; }
    }

    private sealed class InterestRow
    {
        public string Ags { get; init; } = "";
        public string Name { get; init; } = "";
        public string? Message { get; init; }
        public DateTime CreatedAt { get; init; }
    }
}
