using System.Diagnostics;
using System.Text;

namespace OpenIkz.Tests.Infrastructure;

/// <summary>
/// Reads PDFs with tools from outside the project: pdftotext and pdffonts from Debian's poppler-utils
/// (installed by .ci/run). A test that needs them skips when they are missing, unless
/// OPENIKZ_REQUIRE_ALL_TESTS=1, where it fails.
/// </summary>
public static class Poppler
{
    private const string Install = "apt-get install -y poppler-utils";

    /// <summary>One line of pdffonts' table.</summary>
    public sealed record FontInfo(string Name, string Type, string Encoding, bool Embedded, bool Subset, bool ToUnicode);

    private static readonly Lazy<bool> Available = new(() => Runs("pdftotext") && Runs("pdffonts"));

    public static void Require() => TestEnvironment.SkipUnless(Available.Value, "pdftotext and pdffonts (poppler-utils)", Install);

    /// <summary>The text of the PDF as pdftotext gives it (UTF-8, reading order).</summary>
    public static string Text(byte[] pdf)
    {
        Require();
        return WithFile(pdf, path => Run("pdftotext", "-enc", "UTF-8", path, "-"));
    }

    /// <summary>The fonts pdffonts lists.</summary>
    public static IReadOnlyList<FontInfo> Fonts(byte[] pdf)
    {
        Require();
        var output = WithFile(pdf, path => Run("pdffonts", path));
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        // name type encoding emb sub uni object ID; the type may have two words ("CID TrueType").
        return lines.Skip(2).Select(line =>
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var n = parts.Length;
            return new FontInfo(parts[0], string.Join(' ', parts[1..(n - 6)]), parts[n - 6], parts[n - 5] == "yes", parts[n - 4] == "yes", parts[n - 3] == "yes");
        }).ToList();
    }

    /// <summary>Asserts what issue 7 asks of every generated PDF: the names come back exactly, every font is an embedded subset.</summary>
    public static void AssertReadable(byte[] pdf, params string[] expectedTexts)
    {
        var text = Text(pdf);
        foreach (var expected in expectedTexts) Assert.Contains(expected, text);
        var fonts = Fonts(pdf);
        Assert.NotEmpty(fonts);
        Assert.All(fonts, f =>
        {
            Assert.True(f.Embedded, $"font {f.Name} is not embedded");
            Assert.True(f.Subset, $"font {f.Name} is not a subset");
            Assert.True(f.ToUnicode, $"font {f.Name} has no ToUnicode map");
            Assert.Equal("CID TrueType", f.Type);
            Assert.Equal("Identity-H", f.Encoding);
        });
    }

    private static string WithFile(byte[] pdf, Func<string, string> read)
    {
        var path = Path.Combine(Path.GetTempPath(), $"openikz-{Guid.NewGuid():N}.pdf");
        File.WriteAllBytes(path, pdf);
        try
        {
            return read(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static bool Runs(string program)
    {
        try
        {
            Run(program, "-v");
            return true;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static string Run(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(30_000))
        {
            process.Kill();
            throw new TimeoutException($"{program} did not finish within 30 s.");
        }
        if (process.ExitCode != 0 && !(arguments is ["-v"]))
            throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {stderr.Result}");
        return stdout.Result;
    }
}
