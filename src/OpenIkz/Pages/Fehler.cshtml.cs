using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace OpenIkz.Pages;

/// <summary>The German error page. Reached by re-execution of an empty error response (see StatusCodePages),
/// by the access-denied redirect (/Fehler/403) or directly.</summary>
[IgnoreAntiforgeryToken]
public sealed class FehlerModel : PageModel
{
    public int Code { get; private set; }
    public string Heading { get; private set; } = "";
    public string Message { get; private set; } = "";
    public bool ShowLogin { get; private set; }

    public void OnGet(int? code)
    {
        Code = code is >= 400 and <= 599 ? code.Value : 500;
        // The page answers with the status it describes, also when reached by redirect (403 after access denied).
        Response.StatusCode = Code;
        var signedIn = User.Identity?.IsAuthenticated == true;
        (Heading, Message) = Code switch
        {
            400 => ("Ungültige Anfrage", "Die Anfrage konnte nicht verarbeitet werden. Wenn Sie ein Formular abgeschickt haben, laden Sie die Seite bitte neu und versuchen Sie es noch einmal."),
            401 => ("Anmeldung erforderlich", "Für diese Seite müssen Sie angemeldet sein."),
            403 => ("Keine Berechtigung", "Ihre Rolle erlaubt es nicht, diese Seite aufzurufen. Wenden Sie sich an die Administration Ihrer Kommune, wenn Sie Zugriff brauchen."),
            404 => ("Nicht gefunden", "Die Seite oder der Eintrag wurde nicht gefunden. Entweder gibt es ihn nicht, oder er ist für Sie nicht sichtbar."),
            405 => ("Aktion nicht möglich", "Diese Aktion kann nicht über einen Link aufgerufen werden. Bitte nutzen Sie die Schaltfläche auf der Seite."),
            413 => ("Anfrage zu groß", "Die gesendeten Daten sind zu groß."),
            429 => ("Zu viele Anfragen", "Sie haben in kurzer Zeit zu viele Anfragen gestellt. Bitte warten Sie einen Moment und versuchen Sie es dann erneut."),
            503 => (OpenIkz.Infrastructure.Http.Admission.BusyTitle, OpenIkz.Infrastructure.Http.Admission.BusyText),
            >= 500 => ("Technischer Fehler", "Auf dem Server ist ein Fehler aufgetreten. Bitte versuchen Sie es später noch einmal. Wenn der Fehler bleibt, wenden Sie sich an Ihren IT-Betrieb."),
            _ => ("Fehler", "Die Anfrage konnte nicht ausgeführt werden."),
        };
        ShowLogin = !signedIn && (Code is 401 or 403);
    }
}
