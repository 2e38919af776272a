namespace OpenIkz.Assessment.Potential;

/// <summary>
/// How many working days a year nobody is present for a service (the Vertretung argument of seed 002, section 8:
/// "Ein größerer Personalkörper … ermöglicht … bessere Vertretungsregelungen vor allem bei sehr kleinen Stellenanteilen").
///
/// Assumption: each person is absent on a working day independently of the others with the same probability a (leave,
/// sickness, training). In reality leave is planned against each other and sickness clusters in waves, so the figures
/// are an estimate of the order of magnitude, not a roster.
///
/// With n full-time persons: P(nobody present) = aⁿ, expected days = working days × aⁿ. A staff of x FTE is read as
/// ⌊x⌋ full-time persons plus one part-time person with the remaining fraction f, who works on a share f of the days:
/// that person is present on a day with probability f·(1 − a), so P(nobody) = a^⌊x⌋ · (1 − f·(1 − a)). For whole x this
/// is aˣ again; for x = 0 it is 1 (every day uncovered).
/// </summary>
public static class AbsenceCoverage
{
    /// <summary>Probability that nobody of a staff of <paramref name="staffFte"/> is present on a working day.</summary>
    public static double ProbabilityNobodyPresent(double staffFte, double absenceRate)
    {
        Check(staffFte, absenceRate, 1);
        var whole = Math.Floor(staffFte);
        var fraction = staffFte - whole;
        var p = Math.Pow(absenceRate, whole) * (1 - fraction * (1 - absenceRate));
        return Math.Clamp(p, 0, 1);
    }

    /// <summary>Expected working days a year with nobody present: working days × P(nobody present).</summary>
    public static double DaysWithNobodyPresent(double workingDays, double staffFte, double absenceRate)
    {
        Check(staffFte, absenceRate, workingDays);
        return workingDays * ProbabilityNobodyPresent(staffFte, absenceRate);
    }

    /// <summary>
    /// Expected working days a year on which fewer than <paramref name="needed"/> of <paramref name="persons"/> persons are
    /// present: working days × Σ_{k&lt;needed} C(n,k)(1−a)^k a^(n−k) (exact binomial, same independence assumption).
    /// <c>needed = 1</c> gives working days × aⁿ.
    /// </summary>
    public static double DaysBelow(double workingDays, int persons, double absenceRate, int needed)
    {
        Check(persons, absenceRate, workingDays);
        if (needed < 0) throw ValidationException.For("needed", "Die Mindestbesetzung darf nicht negativ sein.");
        if (needed == 0) return 0;
        if (needed > persons) return workingDays;
        // Terms by the recurrence C(n,k+1)/C(n,k) = (n−k)/(k+1), in logs so that large n neither overflows nor underflows to NaN.
        double sum = 0;
        var present = 1 - absenceRate;
        for (var k = 0; k < needed; k++)
        {
            double term;
            if (absenceRate == 0) term = k == persons ? 1 : 0;
            else if (present == 0) term = k == 0 ? 1 : 0;
            else term = Math.Exp(LogChoose(persons, k) + k * Math.Log(present) + (persons - k) * Math.Log(absenceRate));
            sum += term;
        }
        return workingDays * Math.Clamp(sum, 0, 1);
    }

    private static double LogChoose(int n, int k)
    {
        double s = 0;
        for (var i = 1; i <= k; i++) s += Math.Log(n - k + i) - Math.Log(i);
        return s;
    }

    private static void Check(double staff, double absenceRate, double workingDays)
    {
        var errors = new ValidationErrors();
        if (!double.IsFinite(staff) || staff < 0) errors.Add("staffFte", "Die Stellen (Vollzeitäquivalente) dürfen nicht negativ sein.");
        if (!double.IsFinite(absenceRate) || absenceRate < 0 || absenceRate >= 1) errors.Add("absenceRate", "Die Abwesenheitsquote liegt zwischen 0 und unter 1 (z. B. 0,18).");
        if (!double.IsFinite(workingDays) || workingDays <= 0 || workingDays > 366) errors.Add("workingDaysPerYear", "Die Arbeitstage im Jahr liegen zwischen 1 und 366.");
        if (errors.Count > 0) throw new ValidationException(errors);
    }
}
