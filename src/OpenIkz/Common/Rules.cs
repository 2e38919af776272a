namespace OpenIkz.Common;

/// <summary>A business rule refused an action; answered with 409, the rule's name and the German message.</summary>
public class RuleException(string rule, string message) : Exception(message)
{
    public string Rule { get; } = rule;
}

/// <summary>The record does not exist or the caller may not see it (the two are never told apart); answered with 404.</summary>
public class NotFoundException(string message) : Exception(message);
