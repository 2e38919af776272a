using System.Text.Json;
using OpenIkz.Backoffice.Cases;
using OpenIkz.Backoffice.Documents;
using OpenIkz.Backoffice.Intake;
using OpenIkz.Directory.Accounts;

namespace OpenIkz.Tests.Backoffice;

/// <summary>Business rules of a case and of intake, without a database.</summary>
public class CaseRulesTests
{
    private static CaseState Assigned(bool complete = true) => new("c1", CaseStatus.Assigned, 7, complete, "wohngeld", "15085330");

    [Fact]
    public void Decide_WhenFileIsIncomplete_RefusesAGrant_ButAllowsAReasonedRejection()
    {
        var error = Assert.Throws<RuleException>(() => Assigned(complete: false).Decide(7, Outcomes.Granted, null));
        Assert.Equal("IncompleteFile", error.Rule);
        Assigned(complete: false).Decide(7, Outcomes.Rejected, "Fehlende Mitwirkung (§ 66 SGB I).");
    }

    [Fact]
    public void Decide_WhenRejectedWithoutReason_IsRefused() =>
        Assert.Equal("ReasonRequired", Assert.Throws<RuleException>(() => Assigned().Decide(7, Outcomes.Rejected, " ")).Rule);

    [Fact]
    public void Decide_WhenAssignedToSomeoneElse_IsRefused() =>
        Assert.Equal("CaseNotAssignedToYou", Assert.Throws<RuleException>(() => Assigned().Decide(8, Outcomes.Granted, null)).Rule);

    [Fact]
    public void Decide_WhenWaitingOrClosed_IsRefused()
    {
        Assert.Equal("CaseIsWaiting", Assert.Throws<RuleException>(() => (Assigned() with { Status = CaseStatus.Waiting }).Decide(7, Outcomes.Granted, null)).Rule);
        Assert.Equal("CaseIsClosed", Assert.Throws<RuleException>(() => (Assigned() with { Status = CaseStatus.Closed }).Decide(7, Outcomes.Granted, null)).Rule);
    }

    [Fact]
    public void RequestDocuments_WhenDateNotInFuture_IsRefused()
    {
        var today = new DateOnly(2026, 11, 22);
        Assert.Equal("DueDateInPast", Assert.Throws<RuleException>(() => Assigned().RequestDocuments(7, today, today)).Rule);
        Assigned().RequestDocuments(7, today.AddDays(1), today);
    }

    [Fact]
    public void RetentionUntil_CountsFromTheEndOfTheYearOfTheDecision() =>
        Assert.Equal(new DateOnly(2036, 12, 31), CaseState.RetentionUntil(new DateOnly(2026, 3, 5), 10));
}

public class FileTypesTests
{
    [Theory]
    [InlineData(new byte[] { 0x25, 0x50, 0x44, 0x46, 0x2D, 0x31 }, FileTypes.Pdf)]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0 }, FileTypes.Png)]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0 }, FileTypes.Jpeg)]
    [InlineData(new byte[] { 0x3C, 0x3F, 0x78, 0x6D, 0x6C, 0x20 }, FileTypes.Xml)]
    [InlineData(new byte[] { 0x4D, 0x5A, 0x90, 0x00 }, null)] // MZ: a Windows executable
    [InlineData(new byte[] { 0x3C, 0x3F, 0x78, 0x6D, 0x6C, 0x00, 0x01 }, null)] // binary behind an XML header
    public void Sniff_RecognisesTypesByContent(byte[] content, string? expected) => Assert.Equal(expected, FileTypes.Sniff(content));

    [Theory]
    [InlineData("zb2.pdf", "zb2.pdf")]
    [InlineData("  Antrag Müller.pdf ", "Antrag Müller.pdf")]
    [InlineData("../etc/passwd", null)]
    [InlineData("..\\boot.ini", null)]
    [InlineData("C:\\x.pdf", null)]
    [InlineData(".htaccess", null)]
    [InlineData("a\u0000b.pdf", null)]
    [InlineData("", null)]
    public void SanitiseFileName_RefusesNamesThatLeaveTheirFolder(string name, string? expected) => Assert.Equal(expected, FileTypes.SanitiseFileName(name));
}

public class ApplicationValidatorTests
{
    private static readonly DateOnly Today = new(2026, 11, 22);

    private static ValidationException Refuse(string json) =>
        Assert.Throws<ValidationException>(() => ApplicationValidator.Validate(JsonDocument.Parse(json).RootElement, new IntakeLimits(), Today));

    [Fact]
    public void Validate_ReportsEveryProblemWithItsJsonPath()
    {
        var error = Refuse("""{"service":"elterngeld","municipality":"0731","applicant":{"givenName":5,"birthDate":"2030-01-01","email":"x","address":{"street":"a","postalCode":"1","city":"b"}},"form":{"childBirthDate":"gestern","benefitMonths":1.5,"hobby":"x"}}""");
        foreach (var field in new[] { "municipality", "applicant.givenName", "applicant.familyName", "applicant.birthDate", "applicant.email", "applicant.address.postalCode", "form.childGivenName", "form.childBirthDate", "form.benefitMonths", "form.hobby" })
            Assert.True(error.Errors.ContainsKey(field), $"no error for {field}: {string.Join(", ", error.Errors.Keys)}");
    }

    [Fact]
    public void Validate_RefusesControlCharactersButKeepsHtmlAsText()
    {
        Assert.True(Refuse("""{"service":"wohngeld","caseGroup":"mietzuschuss","municipality":"15085330","applicant":{"givenName":"a\u0007","familyName":"b","birthDate":"1980-01-01","address":{"street":"a","postalCode":"12345","city":"b"}},"form":{"householdMembers":1,"monthlyCosts":1}}""")
            .Errors.ContainsKey("applicant.givenName"));
        var ok = ApplicationValidator.Validate(JsonDocument.Parse("""{"service":"wohngeld","caseGroup":"mietzuschuss","municipality":"15085330","applicant":{"givenName":"<b>Jörg</b>","familyName":"<script>x</script>","birthDate":"1980-01-01","address":{"street":"a","postalCode":"12345","city":"b"}},"form":{"householdMembers":1,"monthlyCosts":1}}""").RootElement, new IntakeLimits(), Today);
        Assert.Equal("<script>x</script>", ok.Applicant.FamilyName);
        Assert.False(ok.Complete);
    }
}
