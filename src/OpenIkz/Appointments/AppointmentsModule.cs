using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OpenIkz.Agreements;
using OpenIkz.Infrastructure;
using OpenIkz.Infrastructure.Http;
using OpenIkz.Infrastructure.Jobs;

namespace OpenIkz.Appointments;

public static class AppointmentPolicies
{
    /// <summary>The staff of an office's day: the clerks (Sachbearbeitung) and the Administration of its municipality.</summary>
    public const string OfficeStaff = "OfficeStaff";
}

public static class AppointmentsModule
{
    /// <summary>Offices, slot search, bookings and the hold sweep.</summary>
    public static IServiceCollection AddAppointments(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AppointmentOptions>().Bind(configuration.GetSection(AppointmentOptions.Section))
            .Validate(o => o.Validate().Count == 0, "Invalid OpenIkz:Appointments configuration.").ValidateOnStart();
        services.AddSingleton<SlotCache>();
        services.AddSingleton<Offices>();
        services.AddSingleton<SlotFinder>();
        services.AddSingleton<Bookings>();
        services.AddSingleton<BookingChallenge>();
        services.AddSingleton<OpenIkz.Agreements.Settlement.ISettlementCountSource, AppointmentSettlementCounts>();
        services.AddSingleton<CallBoard>();
        services.AddSingleton<OfficeDay>();
        services.AddPeriodicJob<HoldSweeper>();
        services.AddPeriodicJob<NoShowRateRefresher>();
        services.AddAuthorizationBuilder().AddPolicy(AppointmentPolicies.OfficeStaff,
            p => p.RequireClaim(OpenIkzClaims.UserId).RequireRole(Roles.Sachbearbeitung, Roles.Administration));
        return services;
    }
}

public static class AppointmentsApi
{
    public static void MapAppointmentsApi(this IEndpointRouteBuilder app)
    {
        var open = app.MapGroup("/api/v1/appointments").WithTags("Termine").AllowAnonymous();

        open.MapGet("/offices", async (string? service, string? municipality, Offices offices, CancellationToken ct) =>
                TypedResults.Ok((await offices.ListAsync(Blank(service), Blank(municipality), ct)).Select(OfficeJson)))
            .WithName("ListOffices").WithSummary("Offices offering the service; with municipality, every office open to that municipality's residents under the agreements.");

        open.MapGet("/slots", async (string? service, string? municipality, string? office, string? from, string? to, string? items, SlotFinder finder, CancellationToken ct) =>
            {
                var errors = new ValidationErrors();
                long? officeId = null;
                if (Blank(office) is { } o)
                {
                    if (long.TryParse(o, NumberStyles.None, CultureInfo.InvariantCulture, out var id)) officeId = id;
                    else errors.Add("office", "Die Dienststelle ist eine Nummer.");
                }
                var fromDay = Day(errors, "from", from);
                var toDay = Day(errors, "to", to);
                var count = 1;
                if (Blank(items) is { } i && !int.TryParse(i, NumberStyles.None, CultureInfo.InvariantCulture, out count)) errors.Add("items", "Die Anzahl ist eine ganze Zahl.");
                if (errors.Count > 0) throw new ValidationException(errors);
                var slots = await finder.SearchAsync(new SlotFinder.Query(Blank(service), Blank(municipality), officeId, fromDay, toDay, count), ct);
                return TypedResults.Ok(slots.Select(s => new { officeId = s.OfficeId, officeName = s.OfficeName, municipality = s.Municipality, start = s.Start, end = s.End }));
            })
            .AddEndpointFilter(async (context, next) =>
            {
                try { return await next(context); }
                catch (SlotSearchBusyException busy)
                {
                    // Refused at once rather than queued until it times out: a rush degrades into quick 503s, not into no answers.
                    context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(busy.RetryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                    return TypedResults.Problem(statusCode: 503, title: "Überlastet", detail: busy.Message, type: Problems.TypeFor(503));
                }
            })
            .WithName("FreeSlots").WithSummary("Free slots, earliest first: of one office, or of every office open to the municipality's residents for the service. 503 with Retry-After when too many searches are under way.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(503);

        open.MapGet("/challenge", (BookingChallenge challenge) =>
            {
                var c = challenge.Issue();
                return TypedResults.Ok(new { challenge = c.Token, algorithm = c.Algorithm, difficulty = c.Difficulty, expiresAt = c.ExpiresAt, required = challenge.Required });
            })
            .WithName("BookingChallenge")
            .WithSummary("A proof-of-work challenge for a booking or a waiting-list entry: find a decimal nonce such that SHA-256 of \"challenge:nonce\" begins with difficulty zero bits, and send \"challenge:nonce\" as the field challenge. Each challenge is spent once.");

        open.MapPost("/", async Task<Created<BookingResult>> (BookingRequest request, Bookings bookings, BookingChallenge challenge, CancellationToken ct) =>
            {
                await challenge.VerifyAsync(request.Challenge, ct);
                var result = await bookings.BookAsync(request, ct);
                return TypedResults.Created($"/api/v1/appointments/{result.ManageToken}", result);
            })
            .RequireRateLimiting(RateLimitPolicies.Booking)
            .WithName("BookAppointment").WithSummary("Holds the slot for a few minutes and sends an e-mail asking to confirm it (double opt-in). 409 when the slot was taken or the address has too many open appointments.")
            .ProducesProblem(400).ProducesProblem(409).ProducesProblem(429);

        open.MapPost("/confirm", async (ConfirmRequest request, Bookings bookings, CancellationToken ct) => TypedResults.Ok(await bookings.ConfirmAsync(request.Token, ct)))
            .RequireRateLimiting(RateLimitPolicies.Booking)
            .WithName("ConfirmAppointment").WithSummary("Confirms a held appointment with the code from the e-mail; the confirmation e-mail carries the calendar file.")
            .ProducesProblem(404).ProducesProblem(409);

        open.MapGet("/{manageToken}", async (string manageToken, Bookings bookings, CancellationToken ct) =>
            {
                if (manageToken.EndsWith(".ics", StringComparison.Ordinal))
                    return Results.Text(await bookings.CalendarAsync(manageToken[..^4], ct), "text/calendar; charset=utf-8");
                return Results.Ok(await bookings.GetAsync(manageToken, ct));
            })
            .WithName("GetAppointment").WithSummary("The appointment of a manage token; with .ics appended, its calendar file.").ProducesProblem(404);

        open.MapPost("/{manageToken}/move", async (string manageToken, MoveRequest request, Bookings bookings, CancellationToken ct) =>
                TypedResults.Ok(await bookings.MoveAsync(manageToken, request, ct)))
            .RequireRateLimiting(RateLimitPolicies.Booking)
            .WithName("MoveAppointment").WithSummary("Takes the new slot and frees the old one in one transaction, or changes nothing (409).").ProducesProblem(404).ProducesProblem(409);

        open.MapPost("/{manageToken}/cancel", async (string manageToken, Bookings bookings, CancellationToken ct) =>
                TypedResults.Ok(await bookings.CancelAsync(manageToken, ct)))
            .RequireRateLimiting(RateLimitPolicies.Booking)
            .WithName("CancelAppointment").WithSummary("Cancels the appointment; its slot is held back for a while before it is offered again.").ProducesProblem(404);

        // The waiting-room display: the calls of an office as server-sent events (one event per call, no polling).
        open.MapGet("/offices/{id:long}/calls", async (long id, HttpContext context, OfficeDay day, CallBoard board, CancellationToken ct) =>
            {
                await day.DisplayAsync(id, ct); // 404 for an unknown office
                context.Response.Headers.ContentType = "text/event-stream";
                context.Response.Headers.CacheControl = "no-cache";
                context.Response.Headers["X-Accel-Buffering"] = "no";
                await context.Response.WriteAsync(": Aufrufanzeige\n\n", ct);
                await context.Response.Body.FlushAsync(ct);
                await foreach (var call in board.ListenAsync(id, ct))
                {
                    var json = System.Text.Json.JsonSerializer.Serialize(new { code = call.Code, counter = call.Counter, at = call.At });
                    await context.Response.WriteAsync($"event: call\ndata: {json}\n\n", ct);
                    await context.Response.Body.FlushAsync(ct);
                }
            })
            .WithMetadata(new OpenIkz.Infrastructure.Http.AdmissionExemptAttribute()) // a display keeps its stream open all day
            .WithName("OfficeCalls").WithSummary("Server-sent events for the waiting-room display: one event 'call' {code, counter, at} per call of the office.").ProducesProblem(404);

        open.MapPost("/waitlist", async Task<Created<WaitlistResult>> (WaitlistRequest request, Bookings bookings, BookingChallenge challenge, CancellationToken ct) =>
            {
                await challenge.VerifyAsync(request.Challenge, ct);
                var result = await bookings.JoinWaitlistAsync(request, ct);
                return TypedResults.Created("/api/v1/appointments/waitlist", result);
            })
            .RequireRateLimiting(RateLimitPolicies.Booking)
            .WithName("JoinWaitlist").WithSummary("The waiting list per service and place of residence: a freed slot up to the given day is offered by e-mail, first come first served.")
            .ProducesProblem(400);

        open.MapDelete("/waitlist/{manageToken}", async (string manageToken, Bookings bookings, CancellationToken ct) =>
            {
                await bookings.LeaveWaitlistAsync(manageToken, ct);
                return TypedResults.NoContent();
            })
            .RequireRateLimiting(RateLimitPolicies.Booking)
            .WithName("LeaveWaitlist").WithSummary("Leaves the waiting list.").ProducesProblem(404);

        var admin = app.MapGroup("/api/v1/appointments/offices").WithTags("Termine (Verwaltung)").RequireAuthorization(Directory.DirectoryPolicies.Administration);

        admin.MapPost("/", async (OfficeInput input, ClaimsPrincipal p, Offices offices, CancellationToken ct) =>
            {
                var id = await offices.CreateAsync(Actor.From(p)!, input, ct);
                return TypedResults.Created($"/api/v1/appointments/offices/{id}", OfficeJson(await offices.GetAsync(id, ct)));
            }).WithName("CreateOffice").WithSummary("Creates an office of the administrator's municipality with its opening hours and services.");

        admin.MapPut("/{id:long}", async (long id, OfficeInput input, ClaimsPrincipal p, Offices offices, CancellationToken ct) =>
            {
                await offices.UpdateAsync(Actor.From(p)!, id, input, ct);
                return TypedResults.Ok(OfficeJson(await offices.GetAsync(id, ct)));
            }).WithName("UpdateOffice").WithSummary("Replaces an office's details, opening hours and services (another municipality's office: 404).").ProducesProblem(404);

        admin.MapPost("/{id:long}/closures", async (long id, ClosureInput input, ClaimsPrincipal p, Bookings bookings, CancellationToken ct) =>
                TypedResults.Ok(new { cancelled = await bookings.CloseDayAsync(Actor.From(p)!, id, input, ct) }))
            .WithName("AddClosure")
            .WithSummary("Closes an office on a day: no slot is offered then. A day with appointments needs cancelAppointments=true: they are cancelled and everyone affected is told by e-mail, with the next free slots (409 AppointmentsOnDay otherwise).")
            .ProducesProblem(404).ProducesProblem(409);

        admin.MapDelete("/{id:long}/closures/{day}", async (long id, string day, ClaimsPrincipal p, Offices offices, CancellationToken ct) =>
            {
                await offices.RemoveClosureAsync(Actor.From(p)!, id, RequiredDay("day", day), ct);
                return TypedResults.NoContent();
            })
            .WithName("RemoveClosure")
            .WithSummary("Opens a closed day again (a day from today on): its free slots are offered again; appointments cancelled for the closure stay cancelled. 404 when the day is not closed.")
            .ProducesProblem(400).ProducesProblem(404);

        // The office's day for its staff (clerks and Administration of the office's municipality): the same service
        // calls as the page /Dienststellen/{id}/Heute. Check-in, call and no-show act on today's appointments.
        var staff = app.MapGroup("/api/v1/appointments/offices").WithTags("Termine (Dienststelle)").RequireAuthorization(AppointmentPolicies.OfficeStaff);

        staff.MapGet("/{id:long}/day", async (long id, string? date, ClaimsPrincipal p, OfficeDay day, CancellationToken ct) =>
            {
                var errors = new ValidationErrors();
                var chosen = Day(errors, "date", date);
                if (errors.Count > 0) throw new ValidationException(errors);
                return TypedResults.Ok((await day.DayAsync(Actor.From(p)!, id, chosen, ct)).Select(DayJson));
            })
            .WithName("OfficeDay").WithSummary("The appointments of an own office on a day (date as JJJJ-MM-TT, default today in Europe/Berlin), by start, with their state.")
            .ProducesProblem(400).ProducesProblem(404);

        staff.MapPost("/{id:long}/day/check-in", async (long id, CheckInRequest request, ClaimsPrincipal p, OfficeDay day, CancellationToken ct) =>
                TypedResults.Ok(DayJson(await day.CheckInAsync(Actor.From(p)!, id, request.Code, ct))))
            .WithName("CheckIn").WithSummary("Checks in today's confirmed appointment with the code from the confirmation (with or without the dash, any case). 400 on code when there is none.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);

        staff.MapPost("/{id:long}/day/{appointmentId}/call", async (long id, string appointmentId, CallRequest request, ClaimsPrincipal p, OfficeDay day, CancellationToken ct) =>
            {
                var call = await day.CallAsync(Actor.From(p)!, id, appointmentId, request.Counter ?? 0, ct);
                return TypedResults.Ok(new { appointmentId, code = call.Code, counter = call.Counter, at = call.At });
            })
            .WithName("CallToCounter").WithSummary("Calls a checked-in resident to a counter; the waiting-room display shows the code at once. 409 NotCheckedIn before the check-in.")
            .ProducesProblem(400).ProducesProblem(404).ProducesProblem(409);

        staff.MapPost("/{id:long}/day/{appointmentId}/no-show", async (long id, string appointmentId, ClaimsPrincipal p, OfficeDay day, CancellationToken ct) =>
            {
                await day.NoShowAsync(Actor.From(p)!, id, appointmentId, ct);
                return TypedResults.NoContent();
            })
            .WithName("MarkNoShow").WithSummary($"Marks today's appointment as a no-show, from {OfficeDay.NoShowAfterMinutes} minutes after its start (409 TooEarly before, 409 CheckedIn for someone who came).")
            .ProducesProblem(404).ProducesProblem(409);

        app.MapPut("/api/v1/agreements/{id:long}/appointment-services", async (long id, SharingRequest request, ClaimsPrincipal p, Offices offices, AgreementService agreements, CancellationToken ct) =>
            {
                await offices.ShareAsync(Actor.From(p)!, agreements, id, request.Services, ct);
                return TypedResults.NoContent();
            })
            .RequireAuthorization(AgreementsApi.CoordinatorPolicy).WithTags("Vereinbarungen").WithName("ShareForAppointments")
            .WithSummary("The agreement's services whose appointments every member's residents may book at every member's offices.").ProducesProblem(404);
    }

    public sealed record SharingRequest(IReadOnlyList<string>? Services);

    public sealed record CheckInRequest(string? Code);

    public sealed record CallRequest(int? Counter);

    private static object DayJson(DayAppointment a) => new
    {
        id = a.Id, start = a.Start, end = a.End, service = a.Service, serviceName = a.ServiceName, name = a.Name, items = a.Items, status = a.Status,
        stateLabel = a.StateLabel, checkedInAt = a.CheckedInAt, calledAt = a.CalledAt, calledCounter = a.CalledCounter, noShowAt = a.NoShowAt,
    };

    private static object OfficeJson(Office o) => new
    {
        id = o.Id, municipalityAgs = o.MunicipalityAgs, municipality = o.MunicipalityName, name = o.Name, address = o.Address, accessibility = o.Accessibility,
        slotMinutes = o.SlotMinutes, hours = o.Hours, services = o.Services, closures = o.Closures,
        overbooking = o.Overbooking, noShowPercent = o.NoShowPermille / 10m, noShowSamples = o.NoShowSamples,
    };

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s.Trim();

    private const string DateFormatMessage = "Das Datum hat die Form JJJJ-MM-TT.";

    private static DateOnly? Day(ValidationErrors errors, string field, string? text)
    {
        if (Blank(text) is not { } t) return null;
        if (DateOnly.TryParseExact(t, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d)) return d;
        errors.Add(field, DateFormatMessage);
        return null;
    }

    private static DateOnly RequiredDay(string field, string? text)
    {
        var errors = new ValidationErrors();
        return Day(errors, field, text) ?? throw ValidationException.For(field, DateFormatMessage);
    }
}
