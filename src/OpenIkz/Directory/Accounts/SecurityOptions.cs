namespace OpenIkz.Directory.Accounts;

/// <summary>The "OpenIkz:Security" configuration section.</summary>
public sealed class SecurityOptions
{
    public const string Section = "OpenIkz:Security";

    /// <summary>
    /// Every user must enrol a second factor (TOTP) at the next sign-in before doing anything else. Unset, it is on in
    /// production mode and off in demo mode (<see cref="DirectoryModule.AddDirectory"/> resolves it).
    /// </summary>
    public bool? RequireSecondFactor { get; set; }
}
