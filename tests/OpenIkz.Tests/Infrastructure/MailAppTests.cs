namespace OpenIkz.Tests.Infrastructure;

/// <summary>
/// A test class on one app (SQLite or PostgreSQL) whose e-mails go to a real SMTP server (smtp4dev): the app's SMTP
/// settings point there before its host is built, and <see cref="App"/> skips the test (or fails it under
/// OPENIKZ_REQUIRE_ALL_TESTS) when the server or the database is missing.
/// </summary>
public abstract class MailAppTests
{
    private readonly OpenIkzApp _app;

    protected MailAppTests(OpenIkzApp app, Smtp4dev smtp, string? appUrl = null)
    {
        _app = app;
        Smtp = smtp;
        smtp.ConfigureFor(app, appUrl);
    }

    protected Smtp4dev Smtp { get; }

    protected OpenIkzApp App
    {
        get
        {
            Smtp.Require();
            return _app.Require();
        }
    }
}
