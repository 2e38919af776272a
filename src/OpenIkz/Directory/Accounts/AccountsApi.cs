using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenIkz.Infrastructure;
using OpenIkz.Directory.Accounts;

namespace OpenIkz.Directory.Accounts;

public sealed record UserDto(long Id, string Username, string DisplayName, string Municipality, IReadOnlyList<string> Roles, IReadOnlyList<string> Services, bool Active, bool LockedOut,
    bool PasswordMustChange, bool SecondFactor)
{
    public static UserDto From(UserAccount u, DateTime now) => new(u.Id, u.Username, u.DisplayName, u.MunicipalityAgs, u.Roles, u.Services, u.IsActive, u.IsLockedOut(now),
        u.PasswordMustChange, u.TotpEnabled);
}

public sealed record CreateUserRequest(string? Username, string? DisplayName, string? Password, List<string>? Roles, List<string>? Services);
public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);
public sealed record ResetPasswordRequest(string? Password);
public sealed record SetRolesRequest(List<string>? Roles, List<string>? Services);
public sealed record TotpConfirmRequest(string? Code);
public sealed record TotpConfirmResponse(IReadOnlyList<string> RecoveryCodes);

public static class AccountsApi
{
    public static RouteGroupBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        // People only: an API client has no user account (403).
        var group = app.MapGroup("/api/v1").WithTags("Benutzer").RequireAuthorization(DirectoryPolicies.User);

        group.MapGet("/me", async Task<Results<Ok<UserDto>, ProblemHttpResult>> (ClaimsPrincipal principal, UserAccounts users, TimeProvider clock, CancellationToken ct) =>
                principal.UserId() is { } id && await users.FindAsync(id, ct) is { } user
                    ? TypedResults.Ok(UserDto.From(user, clock.GetUtcNow().UtcDateTime))
                    : Problems.NotFound("Diese Anmeldung gehört zu keinem Benutzer (API-Client?)."))
            .WithName("GetCurrentUser").WithSummary("The signed-in user with municipality, roles and services.");

        group.MapPost("/me/password", async Task<NoContent> (ChangePasswordRequest request, ClaimsPrincipal principal, UserAccounts users, CancellationToken ct) =>
            {
                await users.ChangePasswordAsync(principal.UserId() ?? throw new NotFoundException("Diese Anmeldung gehört zu keinem Benutzer."),
                    request.CurrentPassword, request.NewPassword, ct);
                return TypedResults.NoContent();
            })
            .WithName("ChangeOwnPassword").WithSummary("Changes the caller's own password. Ends every session and token of the user, this one included.")
            .ProducesValidationProblem();

        group.MapPost("/me/totp", async Task<Ok<TotpEnrolment>> (ClaimsPrincipal principal, SecondFactor secondFactor, CancellationToken ct) =>
                TypedResults.Ok(await secondFactor.BeginAsync(principal.UserId() ?? throw new NotFoundException("Diese Anmeldung gehört zu keinem Benutzer."), ct)))
            .WithName("BeginTotpEnrolment").WithSummary("Creates a new TOTP secret (not yet on): {secret, otpauthUri}. 409 while the second factor is on.");

        group.MapPost("/me/totp/confirm", async Task<Ok<TotpConfirmResponse>> (TotpConfirmRequest request, ClaimsPrincipal principal, SecondFactor secondFactor, CancellationToken ct) =>
                TypedResults.Ok(new TotpConfirmResponse(await secondFactor.ConfirmAsync(
                    principal.UserId() ?? throw new NotFoundException("Diese Anmeldung gehört zu keinem Benutzer."), request.Code, ct))))
            .WithName("ConfirmTotpEnrolment").WithSummary("Switches the second factor on with a current code from the app; answers the ten one-time recovery codes, shown once.")
            .ProducesValidationProblem();

        // Administrators manage the users of their own municipality only; the municipality comes from the caller, never from the request.
        var admin = group.MapGroup("/users").RequireAuthorization(DirectoryPolicies.Administration);

        admin.MapGet("/", async Task<Ok<List<UserDto>>> (ClaimsPrincipal principal, UserAccounts users, TimeProvider clock, CancellationToken ct) =>
            {
                var now = clock.GetUtcNow().UtcDateTime;
                return TypedResults.Ok((await users.ListAsync(principal.MunicipalityAgs()!, ct)).Select(u => UserDto.From(u, now)).ToList());
            })
            .WithName("ListUsers").WithSummary("Users of the administrator's own municipality.");

        admin.MapPost("/", async Task<Created<UserDto>> (CreateUserRequest request, ClaimsPrincipal principal, UserAccounts users, TimeProvider clock, CancellationToken ct) =>
            {
                var id = await users.CreateAsync(new NewUser(principal.MunicipalityAgs()!, request.Username?.Trim() ?? "", request.DisplayName?.Trim() ?? "",
                    request.Password ?? "", request.Roles ?? [], request.Services ?? []), ct);
                var user = await users.FindAsync(id, ct);
                return TypedResults.Created($"/api/v1/users/{id}", UserDto.From(user!, clock.GetUtcNow().UtcDateTime));
            })
            .WithName("CreateUser").WithSummary("Creates a user in the administrator's own municipality. Field errors are a 400 problem.")
            .ProducesValidationProblem();

        admin.MapPut("/{id:long}/roles", async Task<Results<Ok<UserDto>, ProblemHttpResult>> (long id, SetRolesRequest request, ClaimsPrincipal principal, UserAccounts users, TimeProvider clock, CancellationToken ct) =>
                await users.SetRolesAsync(principal.MunicipalityAgs()!, id, request.Roles ?? [], request.Services ?? [], ct) && await users.FindAsync(id, ct) is { } user
                    ? TypedResults.Ok(UserDto.From(user, clock.GetUtcNow().UtcDateTime))
                    : Problems.NotFound($"Den Benutzer {id} gibt es in Ihrer Kommune nicht."))
            .WithName("SetUserRoles").WithSummary("Replaces the roles and services of a user of the own municipality; ends every session and token of that user.")
            .ProducesValidationProblem();

        admin.MapPost("/{id:long}/password-reset", async Task<Results<NoContent, ProblemHttpResult>> (long id, ResetPasswordRequest request, ClaimsPrincipal principal, UserAccounts users, CancellationToken ct) =>
                await users.ResetPasswordAsync(principal.MunicipalityAgs()!, id, request.Password, ct)
                    ? TypedResults.NoContent()
                    : Problems.NotFound($"Den Benutzer {id} gibt es in Ihrer Kommune nicht."))
            .WithName("ResetUserPassword").WithSummary("Sets a one-time password; the user must choose a new one at the next sign-in. Ends every session and token of that user.")
            .ProducesValidationProblem();

        return group;
    }
}
