using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

using OpenIkz.Tests.Infrastructure;

namespace OpenIkz.Tests.Architecture;

/// <summary>
/// Keeps the module map of docs/ARCHITECTURE.md: Common ← Infrastructure ← Directory ← Agreements ← Backoffice, with
/// Demo, Cli and Pages on top. The product's sources are compiled with Roslyn and every name they use is resolved
/// to its symbol, so a dependency is found however it is written (a using, a qualified name, a partial
/// qualification such as <c>Backoffice.Cases.X</c> inside <c>namespace OpenIkz.Agreements</c>).
/// </summary>
public sealed class ModuleDependencyTests
{
    /// <summary>Which modules each module may use (itself always). A folder not listed here fails the test until it is placed.</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Common"] = [],
        ["Infrastructure"] = ["Common"],
        ["Directory"] = ["Common", "Infrastructure"],
        ["Agreements"] = ["Common", "Infrastructure", "Directory"],
        ["Backoffice"] = ["Common", "Infrastructure", "Directory", "Agreements"],
        ["Registry"] = ["Common", "Infrastructure", "Directory", "Agreements"],
        // Assess and evaluate: reads the directory, hands results to agreements, measures the back office.
        ["Assessment"] = ["Common", "Infrastructure", "Directory", "Agreements", "Backoffice"],
        // Shared appointments: the offices of the directory's municipalities, shared under agreements.
        ["Appointments"] = ["Common", "Infrastructure", "Directory", "Agreements"],
        // Partner backups: the whole data of an instance (the back office's audit log and documents, agreements' statements).
        ["Backup"] = ["Common", "Infrastructure", "Directory", "Agreements", "Backoffice"],
        ["Demo"] = ["Common", "Infrastructure", "Directory", "Agreements", "Backoffice", "Registry", "Assessment", "Appointments"],
        // The command line is a second host: it wires the modules through the host's Modules list.
        ["Cli"] = ["Common", "Infrastructure", "Directory", "Agreements", "Backoffice", "Registry", "Assessment", "Appointments", "Backup", "Demo", ""],
        ["Pages"] = ["Common", "Infrastructure", "Directory", "Agreements", "Backoffice", "Registry", "Assessment", "Appointments", "Backup", "Demo"],
        // Program.cs: the host wires every module.
        [""] = ["Common", "Infrastructure", "Directory", "Agreements", "Backoffice", "Registry", "Assessment", "Appointments", "Backup", "Demo", "Cli", "Pages"],
    };

    private static string SourceRoot => Path.Combine(TestEnvironment.RepositoryRoot, "src", "OpenIkz");

    [Fact]
    public void Modules_WhenCompiled_DependOnlyOnTheModulesUpstream()
    {
        var violations = Check(ProductSources());
        Assert.True(violations.Count == 0, "Dependencies that run the wrong way:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void Check_WhenAgreementsUsesTheBackOffice_ReportsIt()
    {
        var sources = ProductSources().ToList();
        sources.Add(("Agreements/Injected.cs", """
            namespace OpenIkz.Agreements;
            internal static class Injected { internal static string Status => Backoffice.Cases.CaseStatus.Open; }
            """));
        sources.Add(("Infrastructure/Injected.cs", """
            using OpenIkz.Directory.Accounts;
            namespace OpenIkz.Infrastructure;
            internal static class InjectedToo { internal static string Prefix => AccessTokens.ClientSecretPrefix; }
            """));
        sources.Add(("Backoffice/Injected.cs", """
            namespace OpenIkz.Backoffice;
            internal static class InjectedPage { internal static System.Type Page => typeof(OpenIkz.Pages.FormPageModel); }
            """));
        var violations = Check(sources);
        Assert.Contains(violations, v => v.StartsWith("Agreements/Injected.cs", StringComparison.Ordinal) && v.Contains("Backoffice"));
        Assert.Contains(violations, v => v.StartsWith("Infrastructure/Injected.cs", StringComparison.Ordinal) && v.Contains("Directory"));
        Assert.Contains(violations, v => v.StartsWith("Backoffice/Injected.cs", StringComparison.Ordinal) && v.Contains("Pages"));
    }

    [Fact]
    public void Check_WhenAFileHidesInAnotherModulesNamespace_ReportsIt()
    {
        var sources = ProductSources().ToList();
        sources.Add(("Agreements/Hidden.cs", "namespace OpenIkz.Backoffice.Cases;\ninternal static class Hidden { }\n"));
        Assert.Contains(Check(sources), v => v.StartsWith("Agreements/Hidden.cs", StringComparison.Ordinal) && v.Contains("namespace"));
    }

    private static IEnumerable<(string Path, string Text)> ProductSources()
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(SourceRoot, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(SourceRoot, file).Replace('\\', '/');
            if (relative.StartsWith("bin/", StringComparison.Ordinal) || relative.StartsWith("obj/", StringComparison.Ordinal)) continue;
            yield return (relative, File.ReadAllText(file));
        }
    }

    private static string ModuleOfPath(string relative) => relative.Contains('/') ? relative[..relative.IndexOf('/')] : "";

    private static string? ModuleOfNamespace(INamespaceSymbol? ns)
    {
        var name = ns?.ToDisplayString() ?? "";
        if (name == "OpenIkz") return "";
        if (!name.StartsWith("OpenIkz.", StringComparison.Ordinal)) return null; // framework and packages
        var rest = name["OpenIkz.".Length..];
        return rest.Contains('.') ? rest[..rest.IndexOf('.')] : rest;
    }

    private static List<string> Check(IEnumerable<(string Path, string Text)> sources)
    {
        var parse = new CSharpParseOptions(LanguageVersion.Preview);
        var trees = sources.Select(s => CSharpSyntaxTree.ParseText(s.Text, parse, path: s.Path)).ToList();
        // The SDK's implicit global usings and the project's own (OpenIkz.Common).
        trees.Add(CSharpSyntaxTree.ParseText(string.Join("\n", new[]
        {
            "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Net.Http.Json", "System.Threading", "System.Threading.Tasks",
            "Microsoft.AspNetCore.Builder", "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Http", "Microsoft.AspNetCore.Routing",
            "Microsoft.Extensions.Configuration", "Microsoft.Extensions.DependencyInjection", "Microsoft.Extensions.Hosting", "Microsoft.Extensions.Logging",
            "OpenIkz.Common",
        }.Select(u => $"global using global::{u};")), parse, path: "GlobalUsings.g.cs"));
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => !Path.GetFileName(p).StartsWith("OpenIkz", StringComparison.Ordinal))
            .Select(p => MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create("ArchitectureCheck", trees, references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        var violations = new List<string>();
        foreach (var tree in trees.Where(t => t.FilePath != "GlobalUsings.g.cs"))
        {
            var module = ModuleOfPath(tree.FilePath);
            if (!Allowed.TryGetValue(module, out var allowed))
            {
                violations.Add($"{tree.FilePath}: module folder '{module}' has no place in the module map (add it to {nameof(ModuleDependencyTests)} and docs/ARCHITECTURE.md)");
                continue;
            }
            var root = tree.GetRoot();
            foreach (var declared in root.DescendantNodes().OfType<BaseNamespaceDeclarationSyntax>())
            {
                var name = declared.Name.ToString();
                var expected = module.Length == 0 ? "OpenIkz" : "OpenIkz." + module;
                if (name != expected && !name.StartsWith(expected + ".", StringComparison.Ordinal))
                    violations.Add($"{tree.FilePath}: declares namespace {name}, outside its folder's {expected}");
            }
            var model = compilation.GetSemanticModel(tree);
            var seen = new HashSet<string>();
            foreach (var node in root.DescendantNodes().OfType<SimpleNameSyntax>())
            {
                var info = model.GetSymbolInfo(node);
                var symbol = info.Symbol ?? info.CandidateSymbols.FirstOrDefault();
                if (symbol is null) continue;
                var ns = symbol is INamespaceSymbol n ? n : (symbol as ITypeSymbol ?? symbol.ContainingType)?.ContainingNamespace ?? symbol.ContainingNamespace;
                if (symbol is INamespaceSymbol && node.Parent is QualifiedNameSyntax q && q.Left == node) continue; // "OpenIkz" in OpenIkz.X.Y
                var target = ModuleOfNamespace(ns);
                if (target is null || target == module || allowed.Contains(target)) continue;
                if (target.Length == 0 && symbol is INamespaceSymbol) continue;
                var line = node.GetLocation().GetLineSpan().StartLinePosition.Line + 1;
                if (seen.Add(target + symbol.Name))
                    violations.Add($"{tree.FilePath}:{line}: {(module.Length == 0 ? "Program" : module)} uses {(target.Length == 0 ? "Program" : target)} ({symbol.ToDisplayString()})");
            }
        }
        return violations;
    }
}
