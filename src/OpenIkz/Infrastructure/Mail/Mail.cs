using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace OpenIkz.Infrastructure.Mail;

/// <summary>
/// The "OpenIkz:Smtp" configuration section. Without a host no e-mail is sent (the in-app notices are the record);
/// with one, notices also go out by e-mail through MailKit.
/// </summary>
public sealed class SmtpOptions
{
    public const string Section = "OpenIkz:Smtp";

    /// <summary>The SMTP server; empty: e-mail is off.</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    /// <summary><c>StartTls</c> (default; refuses a server without STARTTLS), <c>SslOnConnect</c> (port 465), <c>None</c> (a relay on the same machine or a test server).</summary>
    public string Security { get; set; } = "StartTls";

    /// <summary>The sender address, e.g. <c>openikz@kreis.example</c>; required when a host is set.</summary>
    public string? From { get; set; }

    public string FromName { get; set; } = "OpenIKZ";

    /// <summary>Optional credentials for the server (both or neither).</summary>
    public string? Username { get; set; }

    public string? Password { get; set; }

    /// <summary>The public address of this instance (e.g. https://ikz.kreis.example): links in e-mails point there. Without it an e-mail names the page instead of linking it (a link built from a request's Host header could be forged).</summary>
    public string? AppUrl { get; set; }

    public int TimeoutSeconds { get; set; } = 15;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);

    public SecureSocketOptions SocketOptions => Security.ToLowerInvariant() switch
    {
        "none" => SecureSocketOptions.None,
        "sslonconnect" => SecureSocketOptions.SslOnConnect,
        _ => SecureSocketOptions.StartTls,
    };

    /// <summary>One line per problem, empty when the section is usable (or e-mail is off).</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (!IsConfigured) return errors;
        if (Port is < 1 or > 65535) errors.Add("OpenIkz:Smtp:Port must be between 1 and 65535.");
        if (Security.ToLowerInvariant() is not ("none" or "starttls" or "sslonconnect")) errors.Add($"OpenIkz:Smtp:Security must be StartTls, SslOnConnect or None, not '{Security}'.");
        if (string.IsNullOrWhiteSpace(From) || !MailboxAddress.TryParse(From, out _)) errors.Add("OpenIkz:Smtp:From must be the sender's e-mail address.");
        if (string.IsNullOrEmpty(Username) != string.IsNullOrEmpty(Password)) errors.Add("OpenIkz:Smtp:Username and OpenIkz:Smtp:Password go together.");
        if (AppUrl is { Length: > 0 } url && !(Uri.TryCreate(url, UriKind.Absolute, out var u) && u.Scheme is "https" or "http"))
            errors.Add("OpenIkz:Smtp:AppUrl must be an absolute http(s) address.");
        if (TimeoutSeconds is < 1 or > 300) errors.Add("OpenIkz:Smtp:TimeoutSeconds must be between 1 and 300.");
        return errors;
    }
}

/// <summary>A file attached to an e-mail (e.g. the letter as PDF).</summary>
public sealed record MailAttachment(string FileName, string ContentType, byte[] Content);

/// <summary>A plain-text e-mail to one address, with optional attachments.</summary>
public sealed record MailMessage(string To, string Subject, string Body, IReadOnlyList<MailAttachment>? Attachments = null);

/// <summary>
/// Sends e-mail. <see cref="IsConfigured"/> is false when nothing can be delivered: no SMTP server in production. In demo
/// mode without a server the messages are written as .eml files to the data folder's <c>mail</c> directory
/// (<see cref="WritesToFolder"/>), so that a demo shows what would have gone out.
/// </summary>
public interface IMailSender
{
    bool IsConfigured { get; }

    /// <summary>True in demo mode without an SMTP server: messages go to the mail folder, not to anyone.</summary>
    bool WritesToFolder => false;

    /// <summary>The instance's public address for links in e-mails, or null.</summary>
    string? AppUrl { get; }

    /// <summary>Sends the message; throws when the server refuses it or cannot be reached.</summary>
    Task SendAsync(MailMessage message, CancellationToken ct = default);
}

/// <summary>SMTP through MailKit: one connection per message (notices are rare), with the configured timeout; in demo mode without a server, the mail folder.</summary>
public sealed class SmtpMailSender(IOptions<SmtpOptions> options, IOptions<OpenIkzOptions> app) : IMailSender
{
    private SmtpOptions Options => options.Value;

    public bool IsConfigured => Options.IsConfigured || app.Value.IsDemo;

    public bool WritesToFolder => !Options.IsConfigured && app.Value.IsDemo;

    /// <summary>Where demo mode writes its outgoing mail: <c>{DataDirectory}/mail</c>, one .eml file per message.</summary>
    public string Folder => Path.Combine(app.Value.ResolvedDataDirectory, "mail");

    public string? AppUrl => string.IsNullOrWhiteSpace(Options.AppUrl) ? null : Options.AppUrl.TrimEnd('/');

    public async Task SendAsync(MailMessage message, CancellationToken ct = default)
    {
        var o = Options;
        if (!IsConfigured) throw new InvalidOperationException("No SMTP server is configured (OpenIkz:Smtp:Host).");
        var mime = new MimeMessage();
        mime.From.Add(new MailboxAddress(o.FromName, o.From ?? "openikz@demo.invalid"));
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject;
        var body = new BodyBuilder { TextBody = message.Body };
        foreach (var a in message.Attachments ?? []) body.Attachments.Add(a.FileName, a.Content, ContentType.Parse(a.ContentType));
        mime.Body = body.ToMessageBody();
        if (WritesToFolder)
        {
            System.IO.Directory.CreateDirectory(Folder);
            var file = Path.Combine(Folder, $"{DateTime.UtcNow:yyyyMMdd'T'HHmmss'Z'}-{Guid.NewGuid():N}.eml");
            await mime.WriteToAsync(file, ct);
            return;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(o.TimeoutSeconds));
        using var client = new SmtpClient { Timeout = o.TimeoutSeconds * 1000 };
        await client.ConnectAsync(o.Host!, o.Port, o.SocketOptions, timeout.Token);
        if (!string.IsNullOrEmpty(o.Username)) await client.AuthenticateAsync(o.Username, o.Password ?? "", timeout.Token);
        await client.SendAsync(mime, timeout.Token);
        await client.DisconnectAsync(true, timeout.Token);
    }
}

public static class MailRegistration
{
    /// <summary>The SMTP options (checked at start) and the sender. Safe to call from several modules.</summary>
    public static IServiceCollection AddMailSender(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(IMailSender))) return services;
        services.AddOptions<SmtpOptions>().Bind(configuration.GetSection(SmtpOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SmtpOptions>, SmtpOptionsValidation>();
        services.TryAddSingleton<IMailSender, SmtpMailSender>();
        return services;
    }
}

/// <summary>Refuses the start with every problem of the section named (OptionsValidationException, one line for the operator).</summary>
internal sealed class SmtpOptionsValidation : IValidateOptions<SmtpOptions>
{
    public ValidateOptionsResult Validate(string? name, SmtpOptions options) =>
        options.Validate() is { Count: > 0 } errors ? ValidateOptionsResult.Fail(errors) : ValidateOptionsResult.Success;
}
