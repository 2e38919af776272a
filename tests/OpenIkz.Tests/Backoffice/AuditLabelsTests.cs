using System.Text.RegularExpressions;
using OpenIkz.Backoffice.Audit;
using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Backoffice;

public sealed partial class AuditLabelsTests
{
    /// <summary>An audit action as the code writes it: "case.read", "document.read", "agreement.evaluated".</summary>
    [GeneratedRegex("\"((?:case|document)\\.[a-z-]+|agreement\\.evaluated)\"")]
    private static partial Regex ActionLiteral();

    /// <summary>Every action the code writes into the audit log has a German name on the audit log page and in its filter.</summary>
    [Fact]
    public void EveryWrittenAuditAction_HasAGermanLabel()
    {
        var root = Path.Combine(TestEnvironment.RepositoryRoot, "src", "OpenIkz");
        // The modules that write audit entries; the audit page's own list is what is checked against.
        var written = new[] { "Backoffice", "Assessment" }
            .SelectMany(module => System.IO.Directory.EnumerateFiles(Path.Combine(root, module), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.EndsWith("AuditLogQueries.cs", StringComparison.Ordinal))
            .SelectMany(f => ActionLiteral().Matches(File.ReadAllText(f)).Select(m => m.Groups[1].Value))
            .ToHashSet();
        Assert.Contains("case.decided", written);
        Assert.Contains("document.read", written);
        var labelled = AuditLogQueries.Actions.Select(a => a.Action).ToHashSet();
        Assert.Empty(written.Except(labelled));
    }
}
