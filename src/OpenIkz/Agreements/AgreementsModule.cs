using OpenIkz.Agreements.Settlement;
using OpenIkz.Infrastructure.Jobs;

namespace OpenIkz.Agreements;

public static class AgreementsModule
{
    /// <summary>Agreements, their documents, the settlement, the coordinator policy, the daily activation job and the files it references (for the orphan sweep).</summary>
    public static IServiceCollection AddAgreements(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton<AgreementDocuments>();
        services.AddSingleton<IFileReferences, AgreementDocumentReferences>();
        services.AddSingleton<AgreementService>();
        services.AddSingleton<SettlementService>();
        services.AddPeriodicJob<AgreementActivation>();
        services.AddAuthorizationBuilder()
            .AddPolicy(AgreementsApi.CoordinatorPolicy, p => p.RequireClaim(OpenIkzClaims.UserId).RequireRole(Roles.Koordination));
        return services;
    }
}
