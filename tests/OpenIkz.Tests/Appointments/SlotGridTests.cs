using OpenIkz.Appointments;

namespace OpenIkz.Tests.Appointments;

/// <summary>The grid of an office's day, without a database: opening periods, slot length, durations per item, counters, closures, holidays, summer time.</summary>
public sealed class SlotGridTests
{
    private static Office Office(int slot = 10, params OpeningHours[] hours) =>
        new(1, "07311000", "Frankenthal (Pfalz)", "Bürgerbüro", "Rathausplatz 2", "67227", "Frankenthal (Pfalz)", null, slot,
            hours.Length == 0 ? [new OpeningHours(2, "08:00", "12:00", 2), new OpeningHours(2, "13:00", "15:00", 1)] : hours,
            [new OfficeService("kfz-zulassung", 20, 10, 5)], []);

    private static readonly DateOnly Tuesday = new(2026, 12, 8);

    [Fact]
    public void Starts_EverySlotLength_WithinEachPeriod_NeverAcrossTheBreak()
    {
        var starts = SlotGrid.Candidates(Office(), 20, Tuesday, closedThatDay: false).ToList();
        var local = starts.Select(c => TimeOnly.FromDateTime(BerlinTime.ToLocal(c.StartUtc))).ToList();
        Assert.Equal(new TimeOnly(8, 0), local[0]);
        Assert.Contains(new TimeOnly(11, 40), local);      // 11:40 + 20 min = 12:00, the end of the period
        Assert.DoesNotContain(new TimeOnly(11, 50), local); // would run into the break
        Assert.DoesNotContain(new TimeOnly(12, 30), local); // the break
        Assert.Contains(new TimeOnly(13, 0), local);
        Assert.Equal(new TimeOnly(14, 40), local[^1]);
        Assert.Equal(23 + 11, starts.Count); // 08:00–11:40 and 13:00–14:40 in steps of 10
        Assert.All(starts, c => Assert.Equal(2, c.CellsUtc.Count));
        Assert.Equal(2, starts[0].Counters);
        Assert.Equal(1, starts[^1].Counters);
    }

    [Theory]
    [InlineData(false, 200, 60, 4, 4)]   // off (the default): the counters
    [InlineData(true, 200, 49, 4, 4)]    // too few ended appointments measured
    [InlineData(true, 200, 60, 4, 5)]    // 4 × 0.2 / 0.8 = 1
    [InlineData(true, 150, 60, 4, 4)]    // 4 × 0.15 / 0.85 = 0.7: rounded down, never more residents expected than counters
    [InlineData(true, 500, 60, 4, 5)]    // the rate counts up to 30 % only: 4 × 0.3 / 0.7 = 1.7
    [InlineData(true, 300, 500, 10, 14)] // 10 × 0.3 / 0.7 = 4.3
    public void Overbooking_AddsCountersByTheMeasuredNoShowRate_OnlyWhenSwitchedOn(bool on, int permille, int samples, int counters, int expected)
    {
        var office = Office(10, new OpeningHours(2, "08:00", "12:00", counters)) with { Overbooking = on, NoShowPermille = permille, NoShowSamples = samples };
        Assert.All(SlotGrid.Candidates(office, 20, Tuesday, false), c => Assert.Equal(expected, c.Counters));
    }

    [Fact]
    public void Duration_GrowsPerItem_AndRoundsUpToWholeCells()
    {
        var service = new OfficeService("kfz-zulassung", 20, 10, 5);
        Assert.Equal(20, service.MinutesFor(1));
        Assert.Equal(50, service.MinutesFor(4));
        var three = SlotGrid.Candidates(Office(slot: 15), service.MinutesFor(2), Tuesday, false).First(); // 30 min = 2 cells of 15
        Assert.Equal(2, three.CellsUtc.Count);
        var odd = SlotGrid.Candidates(Office(slot: 15), 20, Tuesday, false).First(); // 20 min = 2 cells of 15, ends after 20
        Assert.Equal(2, odd.CellsUtc.Count);
        Assert.Equal(TimeSpan.FromMinutes(20), odd.EndUtc - odd.StartUtc);
    }

    [Fact]
    public void NoSlots_OnAnotherWeekday_OnAClosure_OrWhenTooLongForAnyPeriod()
    {
        Assert.Empty(SlotGrid.Candidates(Office(), 20, Tuesday.AddDays(1), false));
        Assert.Empty(SlotGrid.Candidates(Office(), 20, Tuesday, closedThatDay: true));
        Assert.Empty(SlotGrid.Candidates(Office(), 300, Tuesday, false));
    }

    [Fact]
    public void FreeCounter_IsTheLowestWithAllCellsFree()
    {
        var first = SlotGrid.Candidates(Office(), 20, Tuesday, false).First();
        var occupied = new HashSet<(int, DateTime)>();
        Assert.Equal(1, SlotGrid.FreeCounter(first, occupied));
        occupied.Add((1, first.CellsUtc[1])); // the second half taken on counter 1
        Assert.Equal(2, SlotGrid.FreeCounter(first, occupied));
        occupied.Add((2, first.CellsUtc[0]));
        Assert.Null(SlotGrid.FreeCounter(first, occupied));
    }

    [Theory]
    [InlineData("RP", "2026-06-04", true)]   // Fronleichnam in Rheinland-Pfalz
    [InlineData("ST", "2026-06-04", false)]  // not in Sachsen-Anhalt
    [InlineData("ST", "2026-01-06", true)]   // Heilige Drei Könige in Sachsen-Anhalt
    [InlineData("RP", "2026-01-06", false)]
    [InlineData("NW", "2026-10-03", true)]   // Tag der Deutschen Einheit everywhere
    [InlineData("RP", "2026-12-25", true)]
    [InlineData("RP", "2026-12-08", false)]
    public void PublicHolidays_FollowTheState(string state, string day, bool holiday) =>
        Assert.Equal(holiday, SlotGrid.IsPublicHoliday(state, DateOnly.Parse(day, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void SummerTime_StartsAreLocalTimes_ConvertedWithTheOffsetOfTheirDay()
    {
        var office = Office(10, new OpeningHours(1, "08:00", "09:00", 1), new OpeningHours(7, "01:00", "04:00", 1));
        var summer = SlotGrid.Candidates(office, 10, new DateOnly(2026, 3, 30), false).First(); // the Monday after the change (29 March 2026)
        Assert.Equal(new DateTime(2026, 3, 30, 6, 0, 0, DateTimeKind.Utc), summer.StartUtc);     // 08:00 CEST = 06:00 UTC
        var before = SlotGrid.Candidates(office, 10, new DateOnly(2026, 3, 23), false).First();
        Assert.Equal(new DateTime(2026, 3, 23, 7, 0, 0, DateTimeKind.Utc), before.StartUtc);     // 08:00 CET = 07:00 UTC
        // On the night of the change the hour from 02:00 to 03:00 does not exist: no start in it.
        var night = SlotGrid.Candidates(office, 10, new DateOnly(2026, 3, 29), false).Select(c => BerlinTime.ToLocal(c.StartUtc).Hour).ToList();
        Assert.DoesNotContain(2, night);
        Assert.Contains(3, night);
    }

    [Theory]
    [InlineData("01:00", "04:00")] // across the change
    [InlineData("01:00", "02:30")] // ends in the hour that does not exist in March, or twice in October
    [InlineData("02:10", "02:50")] // within it
    [InlineData("02:30", "05:00")]
    [InlineData("08:00", "12:30")] // far from it
    public void OnTheNightsOfTheChange_EveryStartIsItsLocalTimeConvertedByItself(string opens, string closes)
    {
        var office = Office(10, new OpeningHours(7, opens, closes, 1));
        foreach (var sunday in new[] { new DateOnly(2026, 3, 29), new DateOnly(2026, 10, 25), new DateOnly(2026, 11, 1) })
            foreach (var c in SlotGrid.Candidates(office, 20, sunday, false))
            {
                var local = BerlinTime.ToLocal(c.StartUtc);
                Assert.Equal(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), BerlinTime.Zone), c.StartUtc);
                Assert.Equal(sunday, DateOnly.FromDateTime(local));
                Assert.InRange(TimeOnly.FromDateTime(local), TimeOnly.Parse(opens, System.Globalization.CultureInfo.InvariantCulture),
                    TimeOnly.Parse(closes, System.Globalization.CultureInfo.InvariantCulture).AddMinutes(-20)); // within the period, as its clock shows
            }
        Assert.DoesNotContain(SlotGrid.Candidates(office, 20, new DateOnly(2026, 3, 29), false), c => BerlinTime.ToLocal(c.StartUtc).Hour == 2);
    }
}

/// <summary>A manage token in a logged path is replaced: the log never holds a key to an appointment.</summary>
public sealed class LoggedPathTests
{
    [Theory]
    [InlineData("/Termine/Verwalten/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abc", "/Termine/Verwalten/…")]
    [InlineData("/api/v1/appointments/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abc/move", "/api/v1/appointments/…/move")]
    [InlineData("/api/v1/appointments/slots", "/api/v1/appointments/slots")]
    [InlineData("/Vorgaenge/abc", "/Vorgaenge/abc")]
    public void ManageTokens_AreRedacted(string path, string logged) => Assert.Equal(logged, OpenIkz.Infrastructure.ProblemExceptionHandler.LoggedPath(path));
}
