namespace OpenIkz.Infrastructure.Http;

/// <summary>What a module's exception becomes in the API: status, title, detail and optional field errors or extensions.</summary>
public sealed record ProblemSpec(int Status, string Title, string Detail, IDictionary<string, string[]>? Errors = null, Dictionary<string, object?>? Extensions = null);

/// <summary>One exception type a module maps to a problem document; registered by the module, applied by <see cref="ProblemExceptionHandler"/>.</summary>
public sealed class ProblemMapping(Type exceptionType, Func<Exception, ProblemSpec> map)
{
    public Type ExceptionType { get; } = exceptionType;

    public ProblemSpec Map(Exception exception) => map(exception);
}

public static class ProblemMappingRegistration
{
    public static IServiceCollection AddProblemMapping<TException>(this IServiceCollection services, Func<TException, ProblemSpec> map) where TException : Exception =>
        services.AddSingleton(new ProblemMapping(typeof(TException), e => map((TException)e)));
}
