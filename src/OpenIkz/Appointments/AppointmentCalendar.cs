using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;

namespace OpenIkz.Appointments;

/// <summary>
/// The calendar file of an appointment (RFC 5545, written by Ical.Net): a UID that never changes (the appointment's
/// random id, not a date), DTSTAMP in UTC, the times in Europe/Berlin with its VTIMEZONE, LOCATION with the office's
/// address, STATUS, and SEQUENCE raised by every move and the cancellation. METHOD (RFC 5546) is REQUEST in the
/// confirmation and after a move, CANCEL after a cancellation, PUBLISH for the download from the manage page.
/// </summary>
public static class AppointmentCalendar
{
    public const string TimeZone = "Europe/Berlin";

    public static string Write(AppointmentView a, string method, string? appUrl, string organizer, DateTime stampUtc)
    {
        var calendar = new Calendar { Method = method };
        // The zone with its STANDARD and DAYLIGHT rules from the start of the appointment's year (RFC 5545 § 3.6.5).
        calendar.AddTimeZone(VTimeZone.FromDateTimeZone(TimeZone, new DateTime(BerlinTime.ToLocal(a.Start).Year, 1, 1), includeHistoricalData: false));
        var e = new CalendarEvent
        {
            Uid = $"{a.Id}@openikz",
            DtStamp = new CalDateTime(DateTime.SpecifyKind(stampUtc, DateTimeKind.Utc)),
            DtStart = new CalDateTime(DateTime.SpecifyKind(BerlinTime.ToLocal(a.Start), DateTimeKind.Unspecified), TimeZone),
            DtEnd = new CalDateTime(DateTime.SpecifyKind(BerlinTime.ToLocal(a.End), DateTimeKind.Unspecified), TimeZone),
            Summary = $"{a.ServiceName} – {a.OfficeName}",
            Location = $"{a.OfficeName}, {a.OfficeAddress}",
            Description = $"Termin für {a.ServiceName} bei {a.OfficeName} ({a.Municipality}). Verschieben oder absagen: mit dem Link aus Ihrer Bestätigung.",
            Status = method == "CANCEL" || a.Status == "cancelled" ? EventStatus.Cancelled : a.Status == "confirmed" ? EventStatus.Confirmed : EventStatus.Tentative,
            Sequence = a.Sequence,
            Organizer = new Organizer("mailto:" + organizer) { CommonName = a.Municipality },
        };
        if (a.Email is { Length: > 0 } email && method is "REQUEST" or "CANCEL") // iTIP (RFC 5546): the invitee of a request or a cancellation
            e.Attendees.Add(new Attendee("mailto:" + email) { CommonName = a.Name, Rsvp = false, ParticipationStatus = "ACCEPTED" });
        if (appUrl is { Length: > 0 } && Uri.TryCreate(appUrl, UriKind.Absolute, out var url)) e.Url = url;
        calendar.Events.Add(e);
        return new CalendarSerializer().SerializeToString(calendar)!;
    }
}
