namespace OpenIkz.Appointments;

/// <summary>The "OpenIkz:Appointments" configuration section.</summary>
public sealed class AppointmentOptions
{
    public const string Section = "OpenIkz:Appointments";

    /// <summary>How long a reserved slot is held for the e-mail confirmation (double opt-in) before it is freed.</summary>
    public int HoldMinutes { get; set; } = 15;

    /// <summary>How long a slot freed by a cancellation or a move is kept back before it is offered again (against slot trading).</summary>
    public int HoldBackMinutes { get; set; } = 30;

    /// <summary>How long a slot offered to the waiting list is held for its confirmation.</summary>
    public int WaitlistOfferMinutes { get; set; } = 60;

    /// <summary>Open (reserved or confirmed, not yet past) appointments per e-mail address and service.</summary>
    public int MaxOpenPerEmail { get; set; } = 2;

    /// <summary>How far ahead slots are offered and booked, in days.</summary>
    public int BookingHorizonDays { get; set; } = 56;

    /// <summary>The earliest start from now, in minutes (no booking for the next few minutes).</summary>
    public int MinimumLeadMinutes { get; set; } = 30;

    /// <summary>Whether the booking form and API ask for the proof-of-work challenge (off for load tests and the benchmark).</summary>
    public bool RequireChallenge { get; set; } = true;

    /// <summary>The challenge's leading zero bits: about 2^n hashes to solve it (18: well under a second on a laptop, a few seconds on an old phone).</summary>
    public int ChallengeDifficulty { get; set; } = 18;

    /// <summary>How long a challenge can be used after it was handed out (the time to fill in the form).</summary>
    public int ChallengeMinutes { get; set; } = 30;

    /// <summary>
    /// How long a slot search's answer is kept for the same query, in seconds (0: not kept). A booking or an office change
    /// of this process forgets the answers of its office at once; what it does not see shows after at most this time.
    /// </summary>
    public int SlotCacheSeconds { get; set; } = 5;

    /// <summary>
    /// How long an office's data (hours, services, closures) is kept for searches and for the checks of a booking, in
    /// seconds (0: read every time). A change of this process forgets it at once; another instance's change shows in a
    /// search after at most this time, never in a booking (its hold is placed only at the office version it checked).
    /// </summary>
    public int OfficeCacheSeconds { get; set; } = 5;

    /// <summary>Slot searches computed at once (answers kept are not counted); 0: one per processor core.</summary>
    public int SearchConcurrency { get; set; }

    /// <summary>Slot searches waiting for one of those; a search beyond them is refused at once with 503 and Retry-After.</summary>
    public int SearchQueue { get; set; } = 16;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (HoldMinutes is < 1 or > 240) errors.Add($"{Section}:HoldMinutes must be between 1 and 240.");
        if (HoldBackMinutes is < 0 or > 1440) errors.Add($"{Section}:HoldBackMinutes must be between 0 and 1440.");
        if (WaitlistOfferMinutes is < 5 or > 1440) errors.Add($"{Section}:WaitlistOfferMinutes must be between 5 and 1440.");
        if (MaxOpenPerEmail is < 1 or > 50) errors.Add($"{Section}:MaxOpenPerEmail must be between 1 and 50.");
        if (BookingHorizonDays is < 1 or > 366) errors.Add($"{Section}:BookingHorizonDays must be between 1 and 366.");
        if (MinimumLeadMinutes is < 0 or > 10080) errors.Add($"{Section}:MinimumLeadMinutes must be between 0 and 10080.");
        if (ChallengeDifficulty is < 1 or > 28) errors.Add($"{Section}:ChallengeDifficulty must be between 1 and 28.");
        if (ChallengeMinutes is < 1 or > 1440) errors.Add($"{Section}:ChallengeMinutes must be between 1 and 1440.");
        if (SlotCacheSeconds is < 0 or > 300) errors.Add($"{Section}:SlotCacheSeconds must be between 0 and 300.");
        if (OfficeCacheSeconds is < 0 or > 300) errors.Add($"{Section}:OfficeCacheSeconds must be between 0 and 300.");
        if (SearchConcurrency is < 0 or > 256) errors.Add($"{Section}:SearchConcurrency must be between 0 (one per core) and 256.");
        if (SearchQueue is < 0 or > 10000) errors.Add($"{Section}:SearchQueue must be between 0 and 10000.");
        return errors;
    }
}
