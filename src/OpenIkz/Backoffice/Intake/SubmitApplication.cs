using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using OpenIkz.Backoffice.Access;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Backoffice.Documents;
using OpenIkz.Directory.Municipalities;
using OpenIkz.Infrastructure;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Backoffice.Intake;

public sealed record SubmitResult(string CaseId, string Reference, bool Replayed);

public sealed class IdempotencyConflictException() : Exception("Dieser Idempotency-Key wurde schon für einen anderen Antrag verwendet.");

public sealed class ForbiddenMunicipalityException(string ags) : Exception($"Dieser Zugang darf keine Anträge für die Kommune '{ags}' einreichen.");

/// <summary>
/// Takes an online application from a portal (an API client of the responsible municipality) and
/// creates its case in one transaction: idempotency record, gap-free reference, case, documents,
/// history and audit entry. The files are on disk (fsynced) before that transaction commits.
/// </summary>
public sealed class SubmitApplication(Db db, IFileStore documents, AuditLog audit, TimeProvider clock, IntakeLimits limits)
{
    public async Task<SubmitResult> HandleAsync(Actor client, string idempotencyKey, ReadOnlyMemory<byte> body, CancellationToken ct = default)
    {
        if (client.ClientId is null) throw new InvalidOperationException("Only API clients submit applications.");
        var requestHash = Convert.ToHexStringLower(SHA256.HashData(body.Span));

        // A replay is answered before the body is validated again: same key and body, same case.
        if (await FindReplayAsync(client.ClientId.Value, idempotencyKey, requestHash, ct) is { } replay) return replay;

        // Parsed over the body itself (no copy of the document); the validation takes out what it keeps.
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException)
        {
            throw new ValidationException(new ValidationErrors { { "$", ["Der Inhalt ist kein gültiges JSON."] } });
        }
        var today = BerlinTime.Today(clock);
        ValidApplication application;
        using (document) application = ApplicationValidator.Validate(document.RootElement, limits, today);
        var stored = new string[application.Attachments.Count];
        try
        {
            if (application.Municipality != client.Ags) throw new ForbiddenMunicipalityException(application.Municipality);
            // Every refusal comes before the first file is written; what the transaction refuses after that (a concurrent
            // request with the same key and another body) leaves an unreferenced file, which the orphan sweep removes.
            if (await db.QuerySingleAsync<int>("SELECT COUNT(*) FROM municipalities WHERE ags = @Ags", new { Ags = application.Municipality }, ct) == 0)
                throw new ForbiddenMunicipalityException(application.Municipality);

            // Each attachment is hashed once, by the store that writes it.
            for (var i = 0; i < stored.Length; i++) stored[i] = await documents.SaveAsync(application.Attachments[i].Content, ct);
        }
        finally
        {
            application.ReturnBuffers(); // the contents are stored (or refused); only their lengths are used below
        }

        var now = clock.GetUtcNow().UtcDateTime;
        return await db.InTransactionAsync(async (c, tx) =>
        {
            var caseId = Guid.CreateVersion7().ToString();
            var claimed = await c.ExecuteAsync("""
                INSERT INTO api_client_requests (client_id, idem_key, request_hash, case_id, created_at) VALUES (@Client, @Key, @Hash, @CaseId, @Now)
                ON CONFLICT (client_id, idem_key) DO NOTHING
                """, new { Client = client.ClientId, Key = idempotencyKey, Hash = requestHash, CaseId = caseId, Now = now }, tx);
            if (claimed == 0)
            {
                // Another request with this key committed first (on PostgreSQL the insert waited for it).
                var existing = await c.QuerySingleAsync<(string RequestHash, string CaseId)>(
                    "SELECT request_hash, case_id FROM api_client_requests WHERE client_id = @Client AND idem_key = @Key", new { Client = client.ClientId, Key = idempotencyKey }, tx);
                if (existing.RequestHash != requestHash) throw new IdempotencyConflictException();
                var existingReference = await c.QuerySingleAsync<string>("SELECT reference FROM cases WHERE id = @Id", new { Id = existing.CaseId }, tx);
                return new SubmitResult(existing.CaseId, existingReference, Replayed: true);
            }

            if (await c.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM municipalities WHERE ags = @Ags", new { Ags = application.Municipality }, tx) == 0)
                throw new ForbiddenMunicipalityException(application.Municipality);
            var number = await NextNumberAsync(c, tx, application.Municipality, application.Service.ReferenceCode, today.Year);
            var reference = $"{application.Municipality}-{application.Service.ReferenceCode}-{today.Year}-{number:D6}";
            var a = application.Applicant;
            await c.ExecuteAsync("""
                INSERT INTO cases (id, reference, owner_ags, service_slug, case_group, status, complete,
                    applicant_given_name, applicant_family_name, applicant_birth_date, applicant_email, applicant_street, applicant_postal_code, applicant_city,
                    applicant_search, form_json, received_at, due_date, api_client_id, version)
                VALUES (@Id, @Reference, @Owner, @Service, @CaseGroup, 'open', @Complete,
                    @Given, @Family, @Birth, @Email, @Street, @Postal, @City, @Search, @Form, @Now, @Due, @Client, 1)
                """, new
            {
                Id = caseId, Reference = reference, Owner = application.Municipality, Service = application.Service.Slug, application.CaseGroup,
                application.Complete, Given = a.GivenName, Family = a.FamilyName, Birth = a.BirthDate, a.Email, a.Street, Postal = a.PostalCode, a.City,
                Search = CaseSearch.Key(a.FamilyName, a.GivenName), Form = JsonSerializer.Serialize(application.Form), Now = now,
                Due = today.AddDays(application.Service.TargetProcessingDays), Client = client.ClientId,
            }, tx);
            for (var i = 0; i < stored.Length; i++)
            {
                var attachment = application.Attachments[i];
                await c.ExecuteAsync("""
                    INSERT INTO case_documents (id, case_id, document_type, file_name, content_type, size_bytes, sha256, source, added_at)
                    VALUES (@Id, @CaseId, @Type, @Name, @ContentType, @Size, @Sha, 'intake', @Now)
                    """, new { Id = Guid.CreateVersion7().ToString(), CaseId = caseId, Type = attachment.DocumentType, Name = attachment.FileName,
                        attachment.ContentType, Size = (long)attachment.Content.Length, Sha = stored[i], Now = now }, tx);
            }
            var missing = application.MissingDocuments;
            await CaseHistory.AddAsync(c, tx, caseId, now, client, "eingegangen",
                missing.Count == 0 ? "Antrag vollständig eingegangen." : $"Antrag eingegangen, es fehlen: {string.Join(", ", missing.Select(m => application.Service.Document(m)?.Label ?? m))}.");
            await audit.AppendAsync(c, tx, client, new AuditEntry("case.received", application.Municipality, null, caseId));
            return new SubmitResult(caseId, reference, Replayed: false);
        }, ct);
    }

    private async Task<SubmitResult?> FindReplayAsync(long clientId, string key, string requestHash, CancellationToken ct)
    {
        var existing = await db.QuerySingleOrDefaultAsync<(string RequestHash, string CaseId, string Reference)?>("""
            SELECT r.request_hash, r.case_id, c.reference FROM api_client_requests r JOIN cases c ON c.id = r.case_id
            WHERE r.client_id = @Client AND r.idem_key = @Key
            """, new { Client = clientId, Key = key }, ct);
        if (existing is null) return null;
        if (existing.Value.RequestHash != requestHash) throw new IdempotencyConflictException();
        return new SubmitResult(existing.Value.CaseId, existing.Value.Reference, Replayed: true);
    }

    /// <summary>
    /// The next number of an owner's series for a year, in the transaction that creates the case: the
    /// counter row is locked until commit, and a rollback takes the number back, so there are no gaps
    /// and no duplicates.
    /// </summary>
    internal static async Task<long> NextNumberAsync(DbConnection c, DbTransaction tx, string owner, string code, int year) =>
        await c.QuerySingleAsync<long>("""
            INSERT INTO reference_counters (owner_ags, code, year, last_value) VALUES (@Owner, @Code, @Year, 1)
            ON CONFLICT (owner_ags, code, year) DO UPDATE SET last_value = reference_counters.last_value + 1
            RETURNING last_value
            """, new { Owner = owner, Code = code, Year = year }, tx);
}

public static class CaseSearch
{
    /// <summary>"Müller, Jörg" → "mueller joerg": the folded key the archive search matches by prefix.</summary>
    public static string Key(string familyName, string givenName) => SearchText.Fold(familyName) + " " + SearchText.Fold(givenName);
}

public static class CaseHistory
{
    public static Task AddAsync(DbConnection c, DbTransaction tx, string caseId, DateTime at, Actor actor, string action, string? details) =>
        c.ExecuteAsync("""
            INSERT INTO case_history (case_id, at, actor_user_id, actor_name, actor_ags, action, details)
            VALUES (@CaseId, @At, @UserId, @Name, @Ags, @Action, @Details)
            """, new { CaseId = caseId, At = at, actor.UserId, Name = actor.DisplayName, actor.Ags, Action = action, Details = details }, tx);
}
