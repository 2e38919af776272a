namespace OpenIkz.Assessment.Simulation;

/// <summary>
/// The sort key of an open case in the pull queue: due date (as a day number), time of receipt (as ticks of any
/// monotone clock) and a tie-breaker. The units only have to be consistent within one queue: the back office uses
/// <see cref="DateOnly.DayNumber"/> and <see cref="DateTime.Ticks"/>, the simulation its working-day index and the
/// arrival sequence number.
/// </summary>
public readonly record struct ClaimKey(long DueDay, long ReceivedAt, long Sequence) : IComparable<ClaimKey>
{
    public int CompareTo(ClaimKey other) => ClaimOrder.CompareKeys(in this, in other);

    /// <summary>Overdue on <paramref name="today"/> (same unit as <see cref="DueDay"/>): the due day has passed.</summary>
    public bool IsOverdueOn(long today) => DueDay < today;
}

/// <summary>
/// The app's claim order — the order in which <c>POST /api/v1/work/claim</c> (<c>ClaimNextCase.PickSql</c>,
/// <c>ORDER BY c.due_date, c.received_at</c>) hands out the cases of a pool: overdue cases first, then the earliest
/// due date, then the oldest. "Overdue first" needs no key of its own: a case is overdue exactly when its due date lies
/// before today, so every overdue case has an earlier due date than every case that is not, whatever day today is
/// (tested in <c>ClaimOrderTests</c>, which also checks this comparer against the real claim SQL on SQLite and
/// PostgreSQL). The SQL has no further key; <see cref="ClaimKey.Sequence"/> only makes the order total (the simulation
/// uses the arrival number, so equal keys never occur).
/// </summary>
public sealed class ClaimOrder : IComparer<ClaimKey>
{
    public static ClaimOrder Instance { get; } = new();

    /// <summary>The key of a back-office case: its due date and its time of receipt.</summary>
    public static ClaimKey Key(DateOnly dueDate, DateTime receivedAt, long sequence = 0) => new(dueDate.DayNumber, receivedAt.Ticks, sequence);

    public int Compare(ClaimKey x, ClaimKey y) => CompareKeys(in x, in y);

    public static int CompareKeys(in ClaimKey x, in ClaimKey y)
    {
        var c = x.DueDay.CompareTo(y.DueDay);
        if (c != 0) return c;
        c = x.ReceivedAt.CompareTo(y.ReceivedAt);
        return c != 0 ? c : x.Sequence.CompareTo(y.Sequence);
    }
}
