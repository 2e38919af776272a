using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OpenIkz.Infrastructure;
using OpenIkz.Directory.Accounts;

namespace OpenIkz.Directory.Accounts;

public sealed record UserDto(long Id, string Username, string DisplayName, string Municipality, IReadOnlyList<string> Roles, IReadOnlyList<string> Services, bool Active, bool LockedOut)
{
    public static UserDto From(UserAccount u, DateTime now) => new(u.Id, u.Username, u.DisplayName, u.MunicipalityAgs, u.Roles, u.Services, u.IsActive, u.IsLockedOut(now));
}

public sealed record CreateUserRequest(string? Username, string? DisplayName, string? Password, List<string>? Roles, List<string>? Services);

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

        return group;
    }
}
