namespace OpenIkz.Common;

/// <summary>Field errors of a request, keyed by field name, with German messages.</summary>
public sealed class ValidationErrors : Dictionary<string, string[]>
{
    public void Add(string field, string message) =>
        this[field] = TryGetValue(field, out var existing) ? [.. existing, message] : [message];
}

/// <summary>Input that cannot be accepted: answered with 400 and the field errors.</summary>
public sealed class ValidationException(ValidationErrors errors) : Exception("Die Eingaben sind ungültig.")
{
    public ValidationErrors Errors { get; } = errors;

    public static ValidationException For(string field, string message) => new(new ValidationErrors { { field, [message] } });
}
