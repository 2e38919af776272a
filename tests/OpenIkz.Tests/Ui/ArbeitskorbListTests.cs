using OpenIkz.Backoffice.Cases;
using OpenIkz.Pages.Arbeitskorb;

namespace OpenIkz.Tests.Ui;

/// <summary>The Arbeitskorb's own list: search by reference or name, filter by service and status, sort by due date or receipt.</summary>
public sealed class ArbeitskorbListTests
{
    private static CaseSummary Case(string reference, string family, string given, string service, string status, int due, int received) =>
        new(reference, reference, "07311000", "Frankenthal (Pfalz)", service, null, status, status, $"{family}, {given}",
            new DateTime(2026, 11, received, 9, 0, 0, DateTimeKind.Utc), new DateOnly(2026, 12, due), false, true, null, null);

    private static readonly IReadOnlyList<CaseSummary> Cases =
    [
        Case("07311000-KFZ-2026-000011", "Müller", "Erika", "kfz-zulassung", "assigned", due: 10, received: 3),
        Case("07311000-KFZ-2026-000012", "Schulz", "Jörg", "kfz-zulassung", "waiting", due: 5, received: 4),
        Case("07311000-EG-2026-000013", "Özdemir", "Ayşe", "elterngeld", "assigned", due: 20, received: 1),
    ];

    [Fact]
    public void Search_FindsAPartOfTheReference_OrTheBeginningOfAName_WithoutRegardToCase()
    {
        Assert.Equal(["07311000-KFZ-2026-000012"], IndexModel.Narrow(Cases, "000012", null, null, null).Select(c => c.Reference));
        Assert.Equal(["07311000-KFZ-2026-000011"], IndexModel.Narrow(Cases, "mül", null, null, null).Select(c => c.Reference));
        Assert.Equal(["07311000-EG-2026-000013"], IndexModel.Narrow(Cases, "ÖZ", null, null, null).Select(c => c.Reference));
        Assert.Equal(["07311000-KFZ-2026-000012"], IndexModel.Narrow(Cases, "jör", null, null, null).Select(c => c.Reference));
        Assert.Empty(IndexModel.Narrow(Cases, "ller", null, null, null)); // the beginning of a name, not any part
    }

    [Fact]
    public void Filters_AndSort_ByDueDateOrReceipt()
    {
        Assert.Equal(["07311000-KFZ-2026-000012", "07311000-KFZ-2026-000011", "07311000-EG-2026-000013"], IndexModel.Narrow(Cases, null, null, null, null).Select(c => c.Reference));
        Assert.Equal(["07311000-EG-2026-000013", "07311000-KFZ-2026-000011", "07311000-KFZ-2026-000012"], IndexModel.Narrow(Cases, null, null, null, "eingang").Select(c => c.Reference));
        Assert.Equal(["07311000-KFZ-2026-000012", "07311000-KFZ-2026-000011"], IndexModel.Narrow(Cases, null, "kfz-zulassung", null, null).Select(c => c.Reference));
        Assert.Equal(["07311000-KFZ-2026-000012"], IndexModel.Narrow(Cases, null, "kfz-zulassung", "waiting", null).Select(c => c.Reference));
    }
}
