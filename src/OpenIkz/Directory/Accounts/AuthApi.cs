using Microsoft.AspNetCore.Http.HttpResults;
using OpenIkz.Infrastructure;
using OpenIkz.Infrastructure.Http;

namespace OpenIkz.Directory.Accounts;

public sealed record TokenRequest(string? Username, string? Password, string? Totp);
public sealed record TokenResponse(string Token, DateTime ExpiresAt);

public static class AuthApi
{
    /// <summary>The same answer for every refused sign-in, with the hint that a second factor belongs to it where switched on:
    /// nobody learns whether the password alone was right.</summary>
    public const string TokenFailureMessage = SignInResult.GenericFailureMessage + " Ist der zweite Faktor eingeschaltet, gehört der aktuelle Code als 'totp' dazu.";

    public static RouteGroupBuilder MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/auth").WithTags("Anmeldung");

        group.MapPost("/token", async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult, EmptyHttpResult>> (
                TokenRequest? request, HttpContext context, UserAccounts users, AccessTokens tokens, SecondFactor secondFactor, SignInThrottle throttle, CancellationToken ct) =>
            {
                var errors = new ValidationErrors();
                if (string.IsNullOrWhiteSpace(request?.Username)) errors.Add("username", "Bitte den Benutzernamen angeben.");
                if (string.IsNullOrEmpty(request?.Password)) errors.Add("password", "Bitte das Passwort angeben.");
                if (errors.Count > 0) return Problems.Validation(errors);
                if (throttle.TryAcquire(request!.Username) is { } wait)
                {
                    await RateLimitPolicies.WriteTooManyRequestsAsync(context, wait);
                    return TypedResults.Empty;
                }

                var result = await users.SignInAsync(request.Username, request.Password, ct);
                if (result.Outcome != SignInOutcome.Success) return Refused();
                if (result.User!.TotpEnabled && !await secondFactor.VerifyAsync(result.User.Id, request.Totp, ct))
                {
                    await users.RecordFailedSignInAsync(result.User.Id, ct);
                    return Refused();
                }
                var issued = await tokens.IssueAsync(result.User.Id, ct);
                return TypedResults.Ok(new TokenResponse(issued.Token, issued.ExpiresAt));
            })
            .AllowAnonymous()
            .RequireRateLimiting(RateLimitPolicies.SignIn)
            .WithName("IssueToken")
            .WithSummary("Exchanges a username and password (and, where the second factor is on, the current TOTP code or a recovery code as 'totp') for a bearer token (default lifetime 8 hours).");

        group.MapDelete("/token", async Task<Results<NoContent, ProblemHttpResult>> (HttpRequest request, AccessTokens tokens, CancellationToken ct) =>
            {
                var header = request.Headers.Authorization.ToString();
                var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : "";
                if (!token.StartsWith(AccessTokens.UserTokenPrefix, StringComparison.Ordinal))
                    return TypedResults.Problem(statusCode: 400, title: "Kein Benutzer-Token", type: Problems.TypeFor(400),
                        detail: "DELETE /api/v1/auth/token widerruft das Benutzer-Token, mit dem es gesendet wird (Authorization: Bearer oikzu_…). API-Clients widerruft die Betriebsführung mit 'api-clients revoke --id N'.");
                await tokens.RevokeAsync(token, ct);
                return TypedResults.NoContent();
            })
            .RequireAuthorization()
            .WithName("RevokeToken")
            .WithSummary("Revokes the bearer token the request is sent with; later requests with it get 401.");

        return group;
    }

    private static ProblemHttpResult Refused() =>
        TypedResults.Problem(statusCode: 401, title: "Anmeldung fehlgeschlagen", detail: TokenFailureMessage, type: Problems.TypeFor(401));
}
