using OpenIkz.Backoffice.Audit;
using OpenIkz.Backoffice.Cases;
using OpenIkz.Backoffice.Decisions;
using OpenIkz.Backoffice.Intake;
using OpenIkz.Backoffice.Work;
using OpenIkz.Infrastructure;
using OpenIkz.Infrastructure.Http;
using OpenIkz.Infrastructure.Jobs;
using OpenIkz.Infrastructure.Mail;

namespace OpenIkz.Backoffice;

public static class BackofficeModule
{
    /// <summary>Intake, case work, decisions, audit (and its sealer), absences; the clerk, team-lead and intake policies; the absence sweep; the intake problems; the files it references (for the orphan sweep).</summary>
    public static IServiceCollection AddBackoffice(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSingleton(configuration.GetSection("OpenIkz:Intake").Get<IntakeLimits>() ?? new IntakeLimits());
        services.AddSingleton<AuditLog>();
        services.AddSingleton(configuration.GetSection(AuditOptions.Section).Get<AuditOptions>() ?? new AuditOptions());
        services.AddHostedService<AuditSealer>(); // chains the appended entries, on one instance at a time
        services.AddSingleton<AuditLogQueries>();
        services.AddMailSender(configuration); // the document request's e-mail to the applicant
        services.AddSingleton<SubmitApplication>();
        services.AddSingleton<BescheidWriter>();
        services.AddSingleton<CaseQueries>();
        foreach (var useCase in new[] { typeof(GetCase), typeof(GetCaseHistory), typeof(ClaimNextCase), typeof(ReleaseCase), typeof(RequestDocuments),
                     typeof(ResumeCase), typeof(AddNote), typeof(AddDocument), typeof(DecideCase), typeof(ReassignCase), typeof(OpenDocument),
                     typeof(MyCases), typeof(SearchArchive), typeof(PoolOverview), typeof(PoolCases) })
            services.AddSingleton(useCase);
        services.AddSingleton<Absences>();
        services.AddSingleton<TeamFigures>();
        services.AddSingleton<IFileReferences, Documents.CaseDocumentReferences>();
        services.AddPeriodicJob<AbsenceSweeper>();
        services.AddAuthorizationBuilder().AddBackofficePolicies();
        services.AddProblemMapping<IdempotencyConflictException>(e => new ProblemSpec(409, "Idempotency-Key schon verwendet", e.Message));
        services.AddProblemMapping<ForbiddenMunicipalityException>(e =>
            new ProblemSpec(403, "Keine Berechtigung", e.Message, new Dictionary<string, string[]> { ["municipality"] = [e.Message] }));
        services.AddProblemMapping<PayloadTooLargeException>(e =>
            new ProblemSpec(413, Problems.TitleFor(413), e.Message, new Dictionary<string, string[]> { [e.Field] = [e.Message] }));
        return services;
    }
}
