using Microsoft.AspNetCore.Http.HttpResults;
using OpenIkz.Infrastructure;

namespace OpenIkz.Directory.Accounts;

public sealed record TokenRequest(string? Username, string? Password);
public sealed record TokenResponse(string Token, DateTime ExpiresAt);

public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/auth").WithTags("Anmeldung").AllowAnonymous();

        group.MapPost("/token", async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> (TokenRequest? request, UserAccounts users, AccessTokens tokens, CancellationToken ct) =>
            {
                var errors = new ValidationErrors();
                if (string.IsNullOrWhiteSpace(request?.Username)) errors.Add("username", "Bitte den Benutzernamen angeben.");
                if (string.IsNullOrEmpty(request?.Password)) errors.Add("password", "Bitte das Passwort angeben.");
                if (errors.Count > 0) return Problems.Validation(errors);

                var result = await users.SignInAsync(request!.Username, request.Password, ct);
                if (result.Outcome != SignInOutcome.Success)
                    return TypedResults.Problem(statusCode: 401, title: "Anmeldung fehlgeschlagen", detail: SignInResult.GenericFailureMessage, type: Problems.TypeFor(401));
                var issued = await tokens.IssueAsync(result.User!.Id, ct);
                return TypedResults.Ok(new TokenResponse(issued.Token, issued.ExpiresAt));
            })
            .WithName("IssueToken")
            .WithSummary("Exchanges a username and password for a bearer token (default lifetime 8 hours).");

        return group;
    }
}
