using CsCheck;
using OpenIkz.Assessment.Potential;

namespace OpenIkz.Tests.Assessment;

/// <summary>
/// Days with nobody present under independent absences: aⁿ for n full-time persons and the binomial distribution
/// (any probability textbook, e.g. Feller, "An Introduction to Probability Theory", vol. 1, ch. VI).
/// </summary>
public class AbsenceCoverageTests
{
    [Fact]
    public void One_person_is_missing_on_a_share_a_of_the_days()
    {
        // 250 × 0.2 = 50 days
        Assert.Equal(50, AbsenceCoverage.DaysWithNobodyPresent(250, 1, 0.2), 12);
    }

    [Fact]
    public void Five_persons_are_all_missing_on_a_to_the_fifth_of_the_days()
    {
        // 0.2⁵ = 0.00032; × 250 = 0.08 days
        Assert.Equal(0.08, AbsenceCoverage.DaysWithNobodyPresent(250, 5, 0.2), 12);
    }

    [Fact]
    public void A_part_time_share_works_on_that_share_of_the_days()
    {
        // 1.5 FTE, a = 0.2: 0.2 × (1 − 0.5 × 0.8) = 0.12; × 250 = 30. 0.5 FTE: 1 − 0.4 = 0.6 → 150 days.
        Assert.Equal(30, AbsenceCoverage.DaysWithNobodyPresent(250, 1.5, 0.2), 12);
        Assert.Equal(150, AbsenceCoverage.DaysWithNobodyPresent(250, 0.5, 0.2), 12);
    }

    [Fact]
    public void Binomial_fewer_than_two_of_five_present()
    {
        // P(0 present) + P(1 present) = 0.2⁵ + 5 × 0.8 × 0.2⁴ = 0.00032 + 0.0064 = 0.00672; × 250 = 1.68 days
        Assert.Equal(1.68, AbsenceCoverage.DaysBelow(250, 5, 0.2, 2), 12);
    }

    [Fact]
    public void Extremes_stay_finite_and_in_range()
    {
        Assert.Equal(0, AbsenceCoverage.DaysWithNobodyPresent(250, 3, 0));
        Assert.Equal(250, AbsenceCoverage.DaysWithNobodyPresent(250, 0, 0.2));
        Assert.Equal(0, AbsenceCoverage.DaysWithNobodyPresent(250, 10_000, 0.5)); // 0.5^10000 underflows to 0, not NaN
        var half = AbsenceCoverage.DaysBelow(250, 1000, 0.5, 500);
        // P(fewer than 500 of 1000 present) = (1 − P(exactly 500)) / 2 = (1 − 0.025225) / 2 = 0.487388 (symmetric binomial)
        Assert.Equal(0.487388 * 250, half, 2);
        Assert.Equal(250, AbsenceCoverage.DaysBelow(250, 3, 0.2, 4));
        Assert.Equal(0, AbsenceCoverage.DaysBelow(250, 3, 0.2, 0));
        Assert.Equal(0, AbsenceCoverage.DaysBelow(250, 3, 0, 3));
    }

    [Theory]
    [InlineData(250, 2, 1.0, "absenceRate")]
    [InlineData(250, 2, 1.5, "absenceRate")]
    [InlineData(250, 2, -0.1, "absenceRate")]
    [InlineData(250, 2, double.NaN, "absenceRate")]
    [InlineData(0, 2, 0.2, "workingDaysPerYear")]
    [InlineData(250, -1, 0.2, "staffFte")]
    [InlineData(250, double.PositiveInfinity, 0.2, "staffFte")]
    public void Bad_input_is_refused_naming_the_field(double days, double staff, double absence, string field)
    {
        var ex = Assert.Throws<ValidationException>(() => AbsenceCoverage.DaysWithNobodyPresent(days, staff, absence));
        Assert.Contains(field, ex.Errors.Keys);
    }

    [Fact]
    public void Negative_minimum_staffing_is_refused() =>
        Assert.Contains("needed", Assert.Throws<ValidationException>(() => AbsenceCoverage.DaysBelow(250, 3, 0.2, -1)).Errors.Keys);

    [Fact]
    public void The_binomial_for_one_needed_equals_a_to_the_n() =>
        Gen.Int[0, 60].Select(Gen.Double[0, 0.99]).Sample((n, a) =>
            Math.Abs(AbsenceCoverage.DaysBelow(250, n, a, 1) - AbsenceCoverage.DaysWithNobodyPresent(250, n, a)) < 1e-9);

    [Fact]
    public void More_staff_never_means_more_uncovered_days() =>
        Gen.Double[0, 40].Select(Gen.Double[0, 0.99]).Sample((x, a) =>
            AbsenceCoverage.DaysWithNobodyPresent(250, x + 0.25, a) <= AbsenceCoverage.DaysWithNobodyPresent(250, x, a) + 1e-12);
}
