using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OpenIkz.Directory.Accounts;
using OpenIkz.Tests.Backoffice;
using OpenIkz.Tests.Backup;
using OpenIkz.Tests.Infrastructure;
using OpenIkz.Tests.Ui;

namespace OpenIkz.Tests.Security;

/// <summary>
/// Every endpoint of the app's route table (API and pages) against every kind of caller, with the answer each must get.
/// The rows are written down below; an endpoint the app serves without a row, or a row the app no longer serves,
/// fails the test, so a new endpoint cannot go live without someone deciding who may call it.
/// Runs on SQLite and on PostgreSQL.
/// </summary>
public abstract class AuthorizationMatrixTests
{
    private readonly OpenIkzApp fixture;

    protected AuthorizationMatrixTests(OpenIkzApp fixture)
    {
        this.fixture = fixture;
        // The backup receiver's endpoints exist only in receiver mode: it is on here, so that they have rows.
        fixture.EnableReceiver();
    }

    private OpenIkzApp app => fixture.Require();

    /// <summary>The callers: anonymous, one demo account per role (Frankenthal, a member of the demo agreements), an intake API
    /// client of Frankenthal, and a person of a non-member municipality (Halberstadt) who holds every role and service, so that
    /// only the record-level rule can stop them.</summary>
    private static readonly string[] Callers = ["anonymous", "clerk", "teamlead", "coordinator", "admin", "intake", "nonmember"];

    /// <summary>
    /// Expected answer per caller, in the order of <see cref="Callers"/>: a status code, or "ok" (passed every check:
    /// any answer below 500 that is not 401, 403 or 404; e.g. 200, 201, 204, 400, 409 or 422 from the business rules),
    /// "login" (a page redirects to the login page), "denied" (a page redirects to the access-denied page).
    /// </summary>
    private static readonly Dictionary<string, string> Matrix = new()
    {
        // ---- public
        ["GET /openapi/{documentName}.json"] = "ok ok ok ok ok ok ok",
        ["GET /health"] = "ok ok ok ok ok ok ok",
        ["GET /api/v1/services/"] = "ok ok ok ok ok ok ok",
        ["GET /api/v1/services/{slug}"] = "ok ok ok ok ok ok ok",
        ["GET /api/v1/municipalities/"] = "ok ok ok ok ok ok ok",
        ["GET /api/v1/municipalities/{ags}"] = "ok ok ok ok ok ok ok",
        ["POST /api/v1/auth/token"] = "400 400 400 400 400 400 400",
        // revokes the user token it is sent with (an API client's secret is not one: 400); tried last, it ends the callers' tokens
        ["DELETE /api/v1/auth/token"] = "401 ok ok ok ok 400 ok",
        // ---- people (not API clients)
        ["GET /api/v1/me"] = "401 ok ok ok ok 403 ok",
        ["POST /api/v1/me/password"] = "401 ok ok ok ok 403 ok",
        ["POST /api/v1/me/totp"] = "401 ok ok ok ok 403 ok",
        ["POST /api/v1/me/totp/confirm"] = "401 ok ok ok ok 403 ok",
        ["GET /api/v1/users/"] = "401 403 403 403 ok 403 ok",
        ["POST /api/v1/users/"] = "401 403 403 403 ok 403 ok",
        // a user of another municipality does not exist for an administrator (404)
        ["PUT /api/v1/users/{id:long}/roles"] = "401 403 403 403 ok 403 404",
        ["POST /api/v1/users/{id:long}/password-reset"] = "401 403 403 403 ok 403 404",
        // invoicing data: people of the municipality read it, its Administration changes it; another municipality's is 404
        ["GET /api/v1/municipalities/{ags}/invoicing/"] = "401 ok ok ok ok 403 404",
        ["PUT /api/v1/municipalities/{ags}/invoicing/"] = "401 403 403 403 ok 403 404",
        ["GET /api/v1/audit/verify"] = "401 403 403 403 ok 403 ok",
        ["GET /api/v1/audit"] = "401 403 403 403 ok 403 ok",
        // ---- appointments: public booking (no login); a manage token is the only key to an appointment
        ["GET /api/v1/appointments/offices"] = "ok ok ok ok ok ok ok",
        ["GET /api/v1/appointments/slots"] = "ok ok ok ok ok ok ok",
        ["GET /api/v1/appointments/challenge"] = "ok ok ok ok ok ok ok",
        ["POST /api/v1/appointments/"] = "ok ok ok ok ok ok ok",
        ["POST /api/v1/appointments/confirm"] = "ok ok ok ok ok ok ok",
        ["GET /api/v1/appointments/{manageToken}"] = "404 404 404 404 404 404 404",
        ["GET /api/v1/appointments/offices/{id:long}/calls"] = "404 404 404 404 404 404 404",
        ["POST /api/v1/appointments/waitlist"] = "ok ok ok ok ok ok ok",
        ["DELETE /api/v1/appointments/waitlist/{manageToken}"] = "404 404 404 404 404 404 404",
        ["POST /api/v1/appointments/{manageToken}/move"] = "ok ok ok ok ok ok ok",
        ["POST /api/v1/appointments/{manageToken}/cancel"] = "404 404 404 404 404 404 404",
        // offices: the Administration of their municipality
        ["POST /api/v1/appointments/offices/"] = "401 403 403 403 ok 403 ok",
        ["PUT /api/v1/appointments/offices/{id:long}"] = "401 403 403 403 ok 403 ok",
        ["POST /api/v1/appointments/offices/{id:long}/closures"] = "401 403 403 403 ok 403 ok",
        // reopening the matrix's closure day of Frankenthal's office; another municipality's office is 404
        ["DELETE /api/v1/appointments/offices/{id:long}/closures/{day}"] = "401 403 403 403 ok 403 404",
        // the office's day: its municipality's clerks and Administration (as the page Heute); the empty bodies are 400s,
        // the no-show of the matrix's appointment (started just now) a 409 TooEarly
        ["GET /api/v1/appointments/offices/{id:long}/day"] = "401 ok ok 403 ok 403 404",
        ["POST /api/v1/appointments/offices/{id:long}/day/check-in"] = "401 ok ok 403 ok 403 404",
        ["POST /api/v1/appointments/offices/{id:long}/day/{appointmentId}/call"] = "401 ok ok 403 ok 403 404",
        ["POST /api/v1/appointments/offices/{id:long}/day/{appointmentId}/no-show"] = "401 ok ok 403 ok 403 404",
        // which services of an agreement are shared for appointments: its members' Koordination
        ["PUT /api/v1/agreements/{id:long}/appointment-services"] = "401 403 403 ok 403 403 404",
        // ---- intake: API clients with scope intake only
        ["POST /api/v1/applications"] = "401 403 403 403 403 ok 403",
        // ---- back office: clerks (team leads hold the clerk role too); a case of Frankenthal is 404 for Halberstadt
        ["POST /api/v1/work/claim"] = "401 ok ok 403 403 403 ok",
        ["GET /api/v1/work/mine"] = "401 ok ok 403 403 403 ok",
        ["GET /api/v1/cases/{id}"] = "401 ok ok 403 403 403 404",
        ["GET /api/v1/cases/{id}/history"] = "401 ok ok 403 403 403 404",
        ["GET /api/v1/cases/{id}/documents/{documentId}"] = "401 ok ok 403 403 403 404",
        ["POST /api/v1/cases/{id}/documents"] = "401 ok ok 403 403 403 404",
        ["POST /api/v1/cases/{id}/release"] = "401 ok ok 403 403 403 404",
        ["POST /api/v1/cases/{id}/document-request"] = "401 ok ok 403 403 403 404",
        ["POST /api/v1/cases/{id}/resume"] = "401 ok ok 403 403 403 404",
        ["POST /api/v1/cases/{id}/notes"] = "401 ok ok 403 403 403 404",
        ["POST /api/v1/cases/{id}/decision"] = "401 ok ok 403 403 403 404",
        ["GET /api/v1/archive"] = "401 ok ok 403 403 403 ok",
        // ---- team leads; a clerk of another municipality is not theirs (400 naming userId)
        ["POST /api/v1/cases/{id}/assignment"] = "401 403 ok 403 403 403 404",
        ["POST /api/v1/absences"] = "401 403 ok 403 403 403 400",
        ["GET /api/v1/pool"] = "401 403 ok 403 403 403 ok",
        ["GET /api/v1/team/figures"] = "401 403 ok 403 403 403 ok",
        ["GET /api/v1/absences"] = "401 403 ok 403 403 403 ok",
        // an absence of Frankenthal: another municipality's team lead does not find it
        ["PUT /api/v1/absences/{id:long}"] = "401 403 ok 403 403 403 404",
        ["DELETE /api/v1/absences/{id:long}"] = "401 403 ok 403 403 403 404",
        // ---- agreements and settlements: coordinators of a member; a non-member's coordinator gets 404
        ["GET /api/v1/agreements/"] = "401 403 403 ok 403 403 ok",
        ["POST /api/v1/agreements/"] = "401 403 403 ok 403 403 ok",
        ["GET /api/v1/agreements/{id:long}"] = "401 403 403 ok 403 403 404",
        ["PUT /api/v1/agreements/{id:long}"] = "401 403 403 ok 403 403 404",
        ["GET /api/v1/agreements/{id:long}/document.{format}"] = "401 403 403 ok 403 403 404",
        ["POST /api/v1/agreements/{id:long}/consent"] = "401 403 403 ok 403 403 404",
        ["POST /api/v1/agreements/{id:long}/submission"] = "401 403 403 ok 403 403 404",
        ["POST /api/v1/agreements/{id:long}/approval"] = "401 403 403 ok 403 403 404",
        ["POST /api/v1/agreements/{id:long}/termination"] = "401 403 403 ok 403 403 404",
        ["POST /api/v1/agreements/{id:long}/amendments"] = "401 403 403 ok 403 403 404",
        ["POST /api/v1/agreements/{id:long}/settlements"] = "401 403 403 ok 403 403 404",
        ["GET /api/v1/agreements/{id:long}/settlements"] = "401 403 403 ok 403 403 404",
        // ---- evaluation: goals are the coordinators' (as the agreement's terms); the evaluation is also the team leads' (of members)
        ["GET /api/v1/agreements/{id:long}/goals"] = "401 403 403 ok 403 403 404",
        ["PUT /api/v1/agreements/{id:long}/goals"] = "401 403 403 ok 403 403 404",
        ["GET /api/v1/agreements/{id:long}/evaluation"] = "401 403 ok ok 403 403 404",
        ["GET /api/v1/agreements/{id:long}/evaluation.pdf"] = "401 403 ok ok 403 403 404",
        ["GET /api/v1/settlements/{settlementId}"] = "401 403 403 ok 403 403 404",
        ["GET /api/v1/settlements/{settlementId}/statements/{ags}.{format}"] = "401 403 403 ok 403 403 404",
        // ---- registry: entries, task fields, open data (reads public; writes by a partner's Koordination)
        ["GET /api/v1/registry/cooperations"] = "ok ok ok ok ok ok ok",
        ["GET /api/v1/registry/cooperations/{cooperationId:long}"] = "ok ok ok ok ok ok ok",
        ["GET /api/v1/registry/cooperations.csv"] = "ok ok ok ok ok ok ok",
        ["GET /api/v1/registry/cooperations.json"] = "ok ok ok ok ok ok ok",
        ["GET /api/v1/registry/task-fields"] = "ok ok ok ok ok ok ok",
        ["POST /api/v1/registry/cooperations/"] = "401 403 403 ok 403 403 ok",
        // the entry (a Vorderpfalz pilot) is public, so a coordinator who is not a partner is refused (403), not told it is missing
        ["PUT /api/v1/registry/cooperations/{cooperationId:long}"] = "401 403 403 ok 403 403 403",

        // ---- registry: statistics (public)
        ["GET /api/v1/registry/statistics"] = "ok ok ok ok ok ok ok",

        // ---- assessment: the queueing calculator (public: numbers in, numbers out, no personal or stored data)
        ["POST /api/v1/assessment/queue"] = "ok ok ok ok ok ok ok",
        // ---- assessment: stored potential analyses; created by a partner's Koordination (the body without partners is a 400 for the
        // non-member), read and simulated by the Koordination and Teamleitung of partners (others 404), the agreement drafted by the Koordination
        ["POST /api/v1/assessments/"] = "401 403 403 ok 403 403 ok",
        ["GET /api/v1/assessments/{assessmentId:long}"] = "401 403 ok ok 403 403 404",
        ["POST /api/v1/assessments/{assessmentId:long}/simulation"] = "401 403 ok ok 403 403 404",
        ["POST /api/v1/assessments/{assessmentId:long}/agreement-draft"] = "401 403 403 ok 403 403 404",

        // ---- registry: partner searches, suggestions, coverage
        // reads are public; interest only in another municipality's search (the matrix's is Falkenstein's), closing only the own (403)
        ["GET /api/v1/registry/partner-searches/"] = "ok ok ok ok ok ok ok",
        ["POST /api/v1/registry/partner-searches/"] = "401 403 403 ok 403 403 ok",
        ["GET /api/v1/registry/partner-searches/{searchId:long}"] = "ok ok ok ok ok ok ok",
        ["GET /api/v1/registry/partner-searches/{searchId:long}/suggestions"] = "ok ok ok ok ok ok ok",
        ["POST /api/v1/registry/partner-searches/{searchId:long}/interest"] = "401 403 403 ok 403 403 ok",
        ["POST /api/v1/registry/partner-searches/{searchId:long}/closure"] = "401 403 403 403 403 403 403",
        ["GET /api/v1/registry/coverage"] = "ok ok ok ok ok ok ok",

        // ---- registry: Kooperationsräume (members see them, others get 404)
        // Every person of a member municipality reads, its Koordination works on the Handlungsfelder; members, name and description
        // are the Koordination of a koordinierend member's. Frankenthal is a plain member of the demo region Speyer coordinates: 403.
        ["GET /api/v1/regions/"] = "401 ok ok ok ok 403 ok",
        ["POST /api/v1/regions/"] = "401 403 403 ok 403 403 ok",
        ["GET /api/v1/regions/overdue-reviews"] = "401 403 403 ok 403 403 ok",
        ["GET /api/v1/regions/{regionId:long}"] = "401 ok ok ok ok 403 404",
        ["PUT /api/v1/regions/{regionId:long}"] = "401 403 403 403 403 403 404",
        ["DELETE /api/v1/regions/{regionId:long}"] = "401 403 403 403 403 403 404",
        ["POST /api/v1/regions/{regionId:long}/members"] = "401 403 403 403 403 403 404",
        ["DELETE /api/v1/regions/{regionId:long}/members/{memberAgs}"] = "401 403 403 403 403 403 404",
        ["POST /api/v1/regions/{regionId:long}/fields"] = "401 403 403 ok 403 403 404",
        ["GET /api/v1/regions/{regionId:long}/fields/{fieldId:long}"] = "401 ok ok ok ok 403 404",
        ["PUT /api/v1/regions/{regionId:long}/fields/{fieldId:long}"] = "401 403 403 ok 403 403 404",
        // deletes a field made for the matrix, not the one the other rows use
        ["DELETE /api/v1/regions/{regionId:long}/fields/{fieldId:long}"] = "401 403 403 ok 403 403 404",
        ["PUT /api/v1/regions/{regionId:long}/fields/{fieldId:long}/goals"] = "401 403 403 ok 403 403 404",
        ["PUT /api/v1/regions/{regionId:long}/fields/{fieldId:long}/options"] = "401 403 403 ok 403 403 404",
        ["POST /api/v1/regions/{regionId:long}/fields/{fieldId:long}/cooperations"] = "401 403 403 ok 403 403 404",
        ["DELETE /api/v1/regions/{regionId:long}/fields/{fieldId:long}/cooperations/{linkedCooperationId:long}"] = "401 403 403 ok 403 403 404",
        ["POST /api/v1/regions/{regionId:long}/fields/{fieldId:long}/agreements"] = "401 403 403 ok 403 403 404",
        ["DELETE /api/v1/regions/{regionId:long}/fields/{fieldId:long}/agreements/{linkedAgreementId:long}"] = "401 403 403 ok 403 403 404",
        ["PUT /api/v1/regions/{regionId:long}/fields/{fieldId:long}/learning-cycle/{cycleStep}"] = "401 403 403 ok 403 403 404",

        // ---- backup receiver (receiver mode): a backup partner's token only (oikzb_…); no user, no API client, no session gets in
        ["PUT /api/v1/backup/receive/objects/{name}"] = "401 401 401 401 401 401 401",
        ["GET /api/v1/backup/receive/objects/{name}"] = "401 401 401 401 401 401 401",
        ["HEAD /api/v1/backup/receive/objects/{name}"] = "401 401 401 401 401 401 401",
        ["POST /api/v1/backup/receive/backups"] = "401 401 401 401 401 401 401",
        ["GET /api/v1/backup/receive/backups"] = "401 401 401 401 401 401 401",
        ["GET /api/v1/backup/receive/backups/{id}"] = "401 401 401 401 401 401 401",

        // ---- pages (GET); an API client has no cookie session, so it is anonymous to the pages
        ["PAGE /"] = "ok ok ok ok ok ok ok",
        ["PAGE /Anmelden"] = "ok ok ok ok ok ok ok",
        ["PAGE /Abmelden"] = "ok ok ok ok ok ok ok",
        // The error page answers with the status it explains (asked for /Fehler/404 here).
        ["PAGE /Fehler/{code:int?}"] = "404 404 404 404 404 404 404",
        ["PAGE /Kommunen"] = "ok ok ok ok ok ok ok",
        ["PAGE /Kommunen/{ags}"] = "ok ok ok ok ok ok ok",
        ["PAGE /MeineKommune"] = "login ok ok ok ok login ok",
        ["PAGE /Konto/Passwort"] = "login ok ok ok ok login ok",
        ["PAGE /Konto/Zweiter-Faktor"] = "login ok ok ok ok login ok",
        ["PAGE /Verwaltung/Benutzer"] = "login denied denied denied ok login ok",
        ["PAGE /Verwaltung/Rechnungsdaten"] = "login denied denied denied ok login ok",
        ["PAGE /Verwaltung/Protokoll"] = "login denied denied denied ok login ok",
        ["PAGE /Verwaltung/Sicherungen"] = "login denied denied denied ok login ok",
        // ---- the legal pages and the user guide: public
        ["PAGE /Impressum"] = "ok ok ok ok ok ok ok",
        ["PAGE /Datenschutz"] = "ok ok ok ok ok ok ok",
        ["PAGE /Barrierefreiheit"] = "ok ok ok ok ok ok ok",
        ["PAGE /Hilfe"] = "ok ok ok ok ok ok ok",
        ["PAGE /Arbeitskorb"] = "login ok ok denied denied login ok",
        ["PAGE /Archiv"] = "login ok ok denied denied login ok",
        ["PAGE /Vorgaenge/{id}"] = "login ok ok denied denied login 404",
        ["PAGE /Vorgaenge/{id}/Dokumente/{documentId}"] = "login ok ok denied denied login 404",
        ["PAGE /Pool"] = "login denied ok denied denied login ok",
        ["PAGE /Vereinbarungen"] = "login denied denied ok denied login ok",
        ["PAGE /Vereinbarungen/{id:long}"] = "login denied denied ok denied login 404",
        ["PAGE /Vereinbarungen/{**target}"] = "login denied denied ok denied login ok",
        // the evaluation report: Koordination and Teamleitung of members; the goals form: Koordination of members
        ["PAGE /Vereinbarungen/{id:long}/Evaluation"] = "login denied ok ok denied login 404",
        ["PAGE /Vereinbarungen/{id:long}/Ziele"] = "login denied denied ok denied login 404",
        ["PAGE /Abrechnungen/{settlementId}"] = "login denied denied ok denied login 404",
        // ---- registry pages
        ["PAGE /Register"] = "ok ok ok ok ok ok ok",
        ["PAGE /Register/{cooperationId:long}"] = "ok ok ok ok ok ok ok",
        ["PAGE /Register/{**target}"] = "login denied denied ok denied login ok",

        // ---- statistics pages
        ["PAGE /Register/Statistik"] = "ok ok ok ok ok ok ok",

        // ---- partner search and coverage pages
        // public; the write handlers send anonymous visitors to the login and other roles to access denied
        ["PAGE /Partnersuche"] = "ok ok ok ok ok ok ok",
        ["PAGE /Partnersuche/{searchId:long}"] = "ok ok ok ok ok ok ok",
        // public booking pages; an unknown manage token is not found
        ["PAGE /Termine"] = "ok ok ok ok ok ok ok",
        ["PAGE /Termine/Buchen"] = "ok ok ok ok ok ok ok",
        ["PAGE /Termine/Bestaetigen"] = "ok ok ok ok ok ok ok",
        ["PAGE /Termine/Warteliste"] = "ok ok ok ok ok ok ok",
        ["PAGE /Termine/Verwalten/{token}"] = "404 404 404 404 404 404 404",
        // the waiting-room display of an office that does not exist (a real one streams without end)
        ["PAGE /Aufruf/{id:long}"] = "404 404 404 404 404 404 404",
        // an office's day: its municipality's clerks and Administration (Frankenthal's office; another municipality: 404)
        ["PAGE /Dienststellen"] = "login ok ok denied ok login ok",
        ["PAGE /Dienststellen/{id:long}/Heute"] = "login ok ok denied ok login 404",
        // managing the offices: the Administration of the municipality
        ["PAGE /Dienststellen/Bearbeiten/{id:long?}"] = "login denied denied denied ok login 404",
        ["PAGE /Dienststellen/{id:long}/Schliessen"] = "login denied denied denied ok login 404",
        ["PAGE /Partnersuche/Abdeckung"] = "ok ok ok ok ok ok ok",

        // ---- Kooperationsraum pages
        ["PAGE /Kooperationsraum"] = "login ok ok ok ok login ok",
        ["PAGE /Kooperationsraum/{regionId:long}"] = "login ok ok ok ok login 404",
        ["PAGE /Kooperationsraum/{regionId:long}/Handlungsfeld/{fieldId:long}"] = "login denied denied ok denied login 404",

        // ---- potential analysis pages: as the API (Koordination and Teamleitung of a partner read, the Koordination creates)
        ["PAGE /Potenzialanalyse"] = "login denied ok ok denied login ok",
        ["PAGE /Potenzialanalyse/Neu"] = "login denied denied ok denied login ok",
        ["PAGE /Potenzialanalyse/{assessmentId:long}"] = "login denied ok ok denied login 404",
        ["PAGE /Potenzialanalyse/{assessmentId:long}/Bericht"] = "login denied ok ok denied login 404",

    };

    private sealed record Records(string CaseId, string DocumentId, long AgreementId, string SettlementId, long ClerkId, long TargetUserId, long CooperationId, RegionRecords Region, long SearchId, long AssessmentId,
        long AbsenceId = 0, long SpareAbsenceId = 0, long OfficeId = 0, string AppointmentId = "", string ClosureDay = "");

    /// <summary>The demo Kooperationsraum Frankenthal is a member of: a field with a linked agreement and register entry, and a spare field to delete.</summary>
    private sealed record RegionRecords(long RegionId, long FieldId, long SpareFieldId, long LinkedCooperationId, long LinkedAgreementId);

    [SkippableFact]
    public async Task EveryEndpoint_ForEveryCaller_AnswersAsTheMatrixSays()
    {
        var endpoints = Endpoints();
        var missing = endpoints.Where(e => !Matrix.ContainsKey(e)).ToList();
        var stale = Matrix.Keys.Where(k => !endpoints.Contains(k)).ToList();
        Assert.True(missing.Count == 0, "Endpoints without a row in the authorization matrix (decide who may call them):\n" + string.Join("\n", missing));
        Assert.True(stale.Count == 0, "Rows for endpoints the app does not serve:\n" + string.Join("\n", stale));

        var records = await RecordsAsync();
        var api = await ApiCallersAsync();
        var browsers = await BrowserCallersAsync();
        var failures = new List<string>();
        var calls = 0;
        // Reads before writes, so that a write (a decision, an amendment) cannot change what a later read is told.
        // Revoking the token last: it ends the token each API caller holds.
        foreach (var row in Matrix.Keys.OrderBy(k => k.StartsWith("GET ", StringComparison.Ordinal) || k.StartsWith("PAGE ", StringComparison.Ordinal) ? 0 : k == "DELETE /api/v1/auth/token" ? 2 : 1)
                     .ThenBy(k => k, StringComparer.Ordinal))
        {
            var expected = Matrix[row].Split(' ');
            Assert.True(expected.Length == Callers.Length, $"Row '{row}' needs {Callers.Length} answers.");
            for (var i = 0; i < Callers.Length; i++)
            {
                var caller = Callers[i];
                using var response = row.StartsWith("PAGE ", StringComparison.Ordinal)
                    ? await browsers[caller].GetAsync(Url(row["PAGE ".Length..], records))
                    : await api[caller].SendAsync(Request(row, records));
                calls++;
                var actual = Describe(response);
                if (!Matches(expected[i], actual))
                    failures.Add($"{row} as {caller}: expected {expected[i]}, got {actual} {Shorten(await response.Content.ReadAsStringAsync())}");
            }
        }
        Assert.True(failures.Count == 0, $"{failures.Count} of {calls} calls answered otherwise than the matrix says:\n" + string.Join("\n", failures));
        Assert.Equal(Matrix.Count * Callers.Length, calls);
    }

    private HashSet<string> Endpoints()
    {
        var result = new HashSet<string>();
        foreach (var endpoint in app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            if (endpoint.Metadata.GetMetadata<PageActionDescriptor>() is not null || endpoint.Metadata.OfType<Microsoft.AspNetCore.Mvc.ApplicationModels.PageRouteMetadata>().Any())
            {
                // Razor Pages register "/X/Index" and "/X" for the same page; the matrix names the route a link uses.
                if (pattern.EndsWith("/Index", StringComparison.Ordinal)) continue;
                result.Add("PAGE " + (pattern == "/Index" ? "/" : pattern));
                continue;
            }
            // An endpoint for every method (the health check) is listed and tried as GET.
            foreach (var method in endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                result.Add($"{method} {pattern}");
        }
        return result;
    }

    private static string Url(string pattern, Records r) => pattern
        .Replace("/objects/{name}", "/objects/matrix-object")
        .Replace("/offices/{id:long}/calls", "/offices/999999/calls")
        .Replace("/Aufruf/{id:long}", "/Aufruf/999999")
        .Replace("/offices/{id:long}/day", "/offices/" + r.OfficeId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/day")
        .Replace("/offices/{id:long}/closures/{day}", "/offices/" + r.OfficeId.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/closures/" + r.ClosureDay)
        .Replace("{appointmentId}", r.AppointmentId)
        .Replace("/Dienststellen/{id:long}", "/Dienststellen/" + r.OfficeId.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Replace("/Dienststellen/Bearbeiten/{id:long?}", "/Dienststellen/Bearbeiten/" + r.OfficeId.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Replace("/absences/{id:long}", "/absences/" + r.AbsenceId.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Replace("/users/{id:long}", "/users/" + r.TargetUserId.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Replace("{cooperationId:long}", r.CooperationId.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Replace("{**target}", "neu")
        .Replace("{code:int?}", "404")
        .Replace("{documentName}", "v1")
        .Replace("{slug}", "kfz-zulassung")
        .Replace("{ags}.{format}", BackofficeFixture.Frankenthal + ".pdf")
        .Replace("document.{format}", "document.pdf")
        .Replace("{ags}", BackofficeFixture.Frankenthal)
        .Replace("{searchId:long}", r.SearchId.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Replace("{id:long}", r.AgreementId.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Replace("{documentId}", r.DocumentId)
        .Replace("{settlementId}", r.SettlementId)
        .Replace("{id}", r.CaseId)
        .Replace("{regionId:long}", r.Region.RegionId.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Replace("{fieldId:long}", r.Region.FieldId.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Replace("{memberAgs}", BackofficeFixture.Ludwigshafen)
        .Replace("{linkedCooperationId:long}", r.Region.LinkedCooperationId.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Replace("{linkedAgreementId:long}", r.Region.LinkedAgreementId.ToString(System.Globalization.CultureInfo.InvariantCulture))
        .Replace("{cycleStep}", "planung")
        .Replace("{assessmentId:long}", r.AssessmentId.ToString(System.Globalization.CultureInfo.InvariantCulture))
        + (pattern == "/api/v1/archive" ? "?q=Mustermann" : "");

    private static HttpRequestMessage Request(string row, Records r)
    {
        var method = row[..row.IndexOf(' ')];
        var pattern = row[(row.IndexOf(' ') + 1)..];
        if (row == "DELETE /api/v1/regions/{regionId:long}/fields/{fieldId:long}") r = r with { Region = r.Region with { FieldId = r.Region.SpareFieldId } };
        if (row == "DELETE /api/v1/absences/{id:long}") r = r with { AbsenceId = r.SpareAbsenceId };
        var request = new HttpRequestMessage(new HttpMethod(method), Url(pattern, r));
        object? body = pattern switch
        {
            "/api/v1/auth/token" => new { },
            "/api/v1/users/" => new { username = "matrix.neu", displayName = "Matrix", password = "kurz", roles = new[] { "Sachbearbeitung" } },
            "/api/v1/applications" => BackofficeFixture.KfzApplication(familyName: "Matrixantrag"),
            "/api/v1/work/claim" => new { service = "wohngeld" },
            "/api/v1/cases/{id}/documents" => new { documentType = "fahrzeugbrief", fileName = "zb2.pdf", contentBase64 = Convert.ToBase64String(BackofficeFixture.Pdf()) },
            "/api/v1/cases/{id}/document-request" => new { until = OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(14), message = "Bitte Nachweis senden." },
            "/api/v1/cases/{id}/notes" => new { text = "Matrix-Vermerk" },
            "/api/v1/cases/{id}/decision" => new { outcome = "granted" },
            "/api/v1/cases/{id}/assignment" => new { userId = r.ClerkId },
            "/api/v1/absences/{id:long}" => new { from = OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(400), to = OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(402) },
            "/api/v1/absences" => new { userId = r.ClerkId, from = OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(300), to = OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(301) },
            "/api/v1/agreements/" => new { },
            "/api/v1/municipalities/{ags}/invoicing/" => new { },
            "/api/v1/users/{id:long}/roles" => new { roles = new[] { "Sachbearbeitung" }, services = new[] { "kfz-zulassung" } },
            "/api/v1/users/{id:long}/password-reset" => new { password = "Einmal-Passwort-2026!" },
            "/api/v1/agreements/{id:long}" => new { title = "Matrix" },
            "/api/v1/agreements/{id:long}/approval" => new { approvedOn = "2026-01-01", reference = "Az. 1" },
            "/api/v1/agreements/{id:long}/termination" => new { endDate = "2020-01-01", reason = "personalmangel" },
            "/api/v1/agreements/{id:long}/settlements" => new { period = "2020-01" },
            "/api/v1/agreements/{id:long}/goals" => new { goals = Array.Empty<object>() },
            _ when method is "POST" or "PUT" => new { },
            _ => null,
        };
        if (body is not null) request.Content = JsonContent.Create(body);
        if (pattern == "/api/v1/applications") request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        return request;
    }

    private static string Describe(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (status is 302 or 303 && response.Headers.Location is { } location)
        {
            var target = location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString;
            if (target.StartsWith("/Anmelden", StringComparison.OrdinalIgnoreCase)) return "login";
            if (target.StartsWith("/Fehler/403", StringComparison.OrdinalIgnoreCase)) return "denied";
        }
        return status.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static bool Matches(string expected, string actual) => expected == "ok"
        ? int.TryParse(actual, out var status) && status < 500 && status is not (401 or 403 or 404) || actual is "302" or "303"
        : expected == actual;

    private static string Shorten(string text) => text.Length <= 160 ? text : text[..160] + "…";

    private async Task<Records> RecordsAsync()
    {
        var portal = await app.PortalAsync(BackofficeFixture.Frankenthal);
        var caseId = await portal.SubmitOkAsync(BackofficeFixture.KfzApplication(familyName: "Mustermann"));
        var documentId = await app.Db.QuerySingleAsync<string>("SELECT id FROM case_documents WHERE case_id = @Id ORDER BY id LIMIT 1", new { Id = caseId });
        var agreementId = await app.Db.QuerySingleAsync<long>("""
            SELECT a.id FROM agreements a JOIN agreement_members m ON m.agreement_id = a.id AND m.municipality_ags = @Ags
            WHERE a.status = 'active' ORDER BY a.id LIMIT 1
            """, new { Ags = BackofficeFixture.Frankenthal });
        var settlementId = await app.Db.QuerySingleAsync<string>("""
            SELECT s.id FROM settlements s JOIN settlement_statements st ON st.settlement_id = s.id AND st.municipality_ags = @Ags ORDER BY s.created_at LIMIT 1
            """, new { Ags = BackofficeFixture.Frankenthal });
        var clerkId = await app.Db.QuerySingleAsync<long>("SELECT id FROM users WHERE username = 'frankenthal.sachbearbeitung'");
        // An account of Frankenthal for the administrator's calls (a password reset ends its sessions, not a caller's).
        var target = await app.Db.QuerySingleOrDefaultAsync<long?>("SELECT id FROM users WHERE username = 'frankenthal.matrix-ziel'")
            ?? await app.Services.GetRequiredService<UserAccounts>().CreateAsync(new NewUser(BackofficeFixture.Frankenthal, "frankenthal.matrix-ziel", "Matrix Ziel",
                NonMemberPassword, [Roles.Sachbearbeitung], ["kfz-zulassung"]));
        // A register entry Frankenthal is a partner of (a Vorderpfalz pilot linked to a demo agreement).
        var cooperationId = await app.Db.QuerySingleAsync<long>("SELECT MIN(cooperation_id) FROM registry_entry_partners WHERE ags = @Ags", new { Ags = BackofficeFixture.Frankenthal });
        // A demo partner search of a third municipality (Falkenstein/Harz): neither the coordinator's nor the non-member's own.
        var searchId = await app.Db.QuerySingleAsync<long>("SELECT id FROM partner_searches WHERE municipality_ags = '15085110' ORDER BY id LIMIT 1");
        // A potential analysis of Frankenthal and Ludwigshafen (small loads: the matrix simulates it for a year).
        var assessment = await (await app.ApiAsAsync("frankenthal.koordination")).PostAsJsonAsync("/api/v1/assessments", new
        {
            title = "Matrix-Potenzialanalyse",
            partners = new[] { BackofficeFixture.Frankenthal, BackofficeFixture.Ludwigshafen },
            loads = new[]
            {
                new { partnerAgs = BackofficeFixture.Frankenthal, service = "wohngeld", staffFte = 1.0, caseGroups = new[] { new { caseGroup = "", casesPerYear = 800.0, minutesPerCase = 60.0 } } },
                new { partnerAgs = BackofficeFixture.Ludwigshafen, service = "wohngeld", staffFte = 1.0, caseGroups = new[] { new { caseGroup = "", casesPerYear = 900.0, minutesPerCase = 60.0 } } },
            },
        });
        Assert.Equal(System.Net.HttpStatusCode.Created, assessment.StatusCode);
        var assessmentId = (await assessment.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetInt64();
        // Two absences of Frankenthal's clerk far ahead: one to change (PUT), one to cancel (DELETE).
        async Task<long> AbsenceAsync(int days) => await app.Db.QuerySingleAsync<long>("""
            INSERT INTO absences (user_id, from_date, to_date, created_by_user_id, created_at) VALUES (@U, @D, @D, @U, @Now) RETURNING id
            """, new { U = clerkId, D = OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(days), Now = DateTime.UtcNow });
        // Frankenthal's office with a confirmed appointment starting now (its day's actions) and a closure day far ahead (to reopen).
        var officeId = await app.Db.QuerySingleAsync<long>("SELECT id FROM appointment_offices WHERE municipality_ags = @A ORDER BY id LIMIT 1", new { A = BackofficeFixture.Frankenthal });
        var appointmentId = Guid.NewGuid().ToString("N");
        await app.Db.ExecuteAsync("""
            INSERT INTO appointments (id, office_id, service_slug, resident_ags, start_at, end_at, items, counter, name, email, email_key, status,
                                      manage_token_hash, confirm_token_hash, sequence, created_at, confirmed_at, checkin_code)
            VALUES (@Id, @Office, 'kfz-zulassung', @Ags, @Start, @End, 1, 1, 'Matrix Termin', 'matrix@example.org', 'matrix@example.org', 'confirmed', @M, @C, 0, @Start, @Start, 'MATR-IX22')
            """, new { Id = appointmentId, Office = officeId, Ags = BackofficeFixture.Frankenthal, Start = DateTime.UtcNow, End = DateTime.UtcNow.AddMinutes(20), M = "m" + appointmentId, C = "c" + appointmentId });
        var closureDay = OpenIkz.Common.BerlinTime.Today(TimeProvider.System).AddDays(300);
        await app.Db.ExecuteAsync("INSERT INTO appointment_closures (office_id, day, reason) VALUES (@Office, @Day, 'Matrix')", new { Office = officeId, Day = closureDay });
        return new Records(caseId, documentId, agreementId, settlementId, clerkId, target, cooperationId, await RegionRecordsAsync(), searchId, assessmentId,
            await AbsenceAsync(400), await AbsenceAsync(410), officeId, appointmentId, closureDay.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
    }

    private async Task<RegionRecords> RegionRecordsAsync()
    {
        var (regionId, fieldId, agreementId) = await app.Db.QuerySingleAsync<(long, long, long)>("""
            SELECT f.region_id, f.id, l.agreement_id FROM fields_of_action f
            JOIN field_of_action_agreements l ON l.field_id = f.id
            JOIN region_members m ON m.region_id = f.region_id AND m.ags = @Ags
            ORDER BY f.region_id, f.position, l.agreement_id LIMIT 1
            """, new { Ags = BackofficeFixture.Frankenthal });
        var speyer = await app.ApiAsAsync("speyer.koordination");
        var spare = await speyer.PostAsJsonAsync($"/api/v1/regions/{regionId}/fields", new { name = "Matrix " + Guid.NewGuid().ToString("N")[..8] });
        Assert.Equal(HttpStatusCode.Created, spare.StatusCode);
        var spareId = (await spare.ReadJsonAsync()).GetProperty("id").GetInt64();
        var cooperationId = await OpenIkz.Tests.Registry.RegionFixture.InsertRegisterEntryAsync(app, "Matrix-Eintrag");
        (await speyer.PostAsJsonAsync($"/api/v1/regions/{regionId}/fields/{fieldId}/cooperations", new { cooperationId })).EnsureSuccessStatusCode();
        return new RegionRecords(regionId, fieldId, spareId, cooperationId, agreementId);
    }

    private const string NonMemberUser = "halberstadt.matrix", NonMemberPassword = "Matrix-Passwort-2026!";

    private async Task EnsureNonMemberAsync()
    {
        var users = app.Services.GetRequiredService<UserAccounts>();
        if (await app.Db.QuerySingleAsync<long>("SELECT COUNT(*) FROM users WHERE username = @U", new { U = NonMemberUser }) > 0) return;
        await users.CreateAsync(new NewUser(OpenIkz.Tests.Backoffice.Agreements.Halberstadt, NonMemberUser, "Matrix Halberstadt", NonMemberPassword,
            Roles.All, ["kfz-zulassung", "elterngeld", "wohngeld", "grundsicherung"]));
    }

    private async Task<Dictionary<string, HttpClient>> ApiCallersAsync()
    {
        await EnsureNonMemberAsync();
        return new Dictionary<string, HttpClient>
        {
            ["anonymous"] = app.Api(),
            ["clerk"] = await app.ApiAsAsync("frankenthal.sachbearbeitung"),
            ["teamlead"] = await app.ApiAsAsync("frankenthal.teamleitung"),
            ["coordinator"] = await app.ApiAsAsync("frankenthal.koordination"),
            ["admin"] = await app.ApiAsAsync("frankenthal.admin"),
            ["intake"] = await app.PortalAsync(BackofficeFixture.Frankenthal),
            ["nonmember"] = await app.ApiAsAsync(NonMemberUser, NonMemberPassword),
        };
    }

    private async Task<Dictionary<string, HttpClient>> BrowserCallersAsync()
    {
        await EnsureNonMemberAsync();
        async Task<HttpClient> SignedIn(string username, string password = UserAccounts.DemoPassword)
        {
            var browser = app.Browser();
            var login = await PagesTests.LoginAsync(browser, username, password);
            Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
            return browser;
        }
        return new Dictionary<string, HttpClient>
        {
            ["anonymous"] = app.Browser(),
            ["clerk"] = await SignedIn("frankenthal.sachbearbeitung"),
            ["teamlead"] = await SignedIn("frankenthal.teamleitung"),
            ["coordinator"] = await SignedIn("frankenthal.koordination"),
            ["admin"] = await SignedIn("frankenthal.admin"),
            ["intake"] = app.Browser(),
            ["nonmember"] = await SignedIn(NonMemberUser, NonMemberPassword),
        };
    }
}

public sealed class AuthorizationMatrixTestsSqlite(SqliteApp app) : AuthorizationMatrixTests(app), IClassFixture<SqliteApp>;
public sealed class AuthorizationMatrixTestsPostgres(PostgresApp app) : AuthorizationMatrixTests(app), IClassFixture<PostgresApp>;
