using System.Buffers;
using System.Buffers.Text;
using System.Runtime.InteropServices;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenIkz.Backoffice.Documents;
using OpenIkz.Directory.Services;
using OpenIkz.Directory.Accounts;

namespace OpenIkz.Backoffice.Intake;

public sealed record Applicant(string GivenName, string FamilyName, DateOnly BirthDate, string? Email, string Street, string PostalCode, string City);

/// <summary>
/// A validated attachment (its SHA-256 comes from the file store's write). A large one is decoded into a pooled buffer
/// (<see cref="Pooled"/>), which <see cref="ValidApplication.ReturnBuffers"/> gives back; its Content is invalid after that.
/// </summary>
public sealed record Attachment(string DocumentType, string FileName, string ContentType, ReadOnlyMemory<byte> Content)
{
    internal byte[]? Pooled { get; init; }
}

public sealed record ValidApplication(ServiceDefinition Service, string? CaseGroup, string Municipality, Applicant Applicant,
    IReadOnlyDictionary<string, object?> Form, IReadOnlyList<Attachment> Attachments)
{
    public bool Complete => Service.RequiredDocumentsFor(CaseGroup).All(d => Attachments.Any(a => a.DocumentType == d));
    public IReadOnlyList<string> MissingDocuments => Service.RequiredDocumentsFor(CaseGroup).Where(d => Attachments.All(a => a.DocumentType != d)).ToList();

    /// <summary>Clears the pooled buffers of the attachments and gives them back (once, when the attachments are stored or refused); their Content is invalid afterwards.</summary>
    public void ReturnBuffers()
    {
        foreach (var a in Attachments)
            if (a.Pooled is { } pooled) PooledBytes.Return(pooled);
    }
}

public sealed class IntakeLimits
{
    public long MaxAttachmentBytes { get; set; } = 20L * 1024 * 1024;
    public long MaxTotalAttachmentBytes { get; set; } = 50L * 1024 * 1024;
    public int MaxAttachments { get; set; } = 20;
}

/// <summary>Thrown for attachments over the size limits: answered with 413.</summary>
public sealed class PayloadTooLargeException(string field, string message) : Exception(message)
{
    public string Field { get; } = field;
}

/// <summary>
/// Validates an application as sent by a portal, field by field, so that every problem is named with
/// its JSON path ("applicant.birthDate", "form.vin", "attachments[0].contentBase64") and a German message.
/// </summary>
public static partial class ApplicationValidator
{
    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex Email();

    [GeneratedRegex("^[0-9]{5}$")]
    private static partial Regex PostalCode();

    public static ValidApplication Validate(JsonElement root, IntakeLimits limits, DateOnly today)
    {
        var errors = new ValidationErrors();
        if (root.ValueKind != JsonValueKind.Object)
            throw new ValidationException(new ValidationErrors { { "$", ["Erwartet wird ein JSON-Objekt."] } });

        var serviceSlug = Text(root, "service", "service", errors, required: true, max: 50);
        var service = ServiceCatalog.Find(serviceSlug);
        if (serviceSlug is not null && service is null)
            errors.Add("service", $"Die Leistung '{serviceSlug}' gibt es nicht (erlaubt: {string.Join(", ", ServiceCatalog.All.Select(s => s.Slug))}).");

        var caseGroup = Text(root, "caseGroup", "caseGroup", errors, required: false, max: 50);
        if (service is not null)
        {
            if (service.CaseGroups.Count > 0 && caseGroup is null)
                errors.Add("caseGroup", $"Bitte eine Fallgruppe angeben ({string.Join(", ", service.CaseGroups.Select(g => g.Slug))}).");
            else if (caseGroup is not null && service.CaseGroups.All(g => g.Slug != caseGroup))
                errors.Add("caseGroup", service.CaseGroups.Count == 0 ? "Diese Leistung hat keine Fallgruppen." : $"Die Fallgruppe '{caseGroup}' gibt es bei dieser Leistung nicht.");
        }

        var municipality = Text(root, "municipality", "municipality", errors, required: true, max: 9);
        if (municipality is not null && (!municipality.All(char.IsAsciiDigit) || municipality.Length is not (5 or 8 or 9)))
            errors.Add("municipality", "Der Schlüssel der zuständigen Kommune hat 8 Ziffern (AGS), 5 (Kreis) oder 9 (Verbandsgemeinde).");

        var applicant = ReadApplicant(root, errors, today);
        var form = service is null ? new Dictionary<string, object?>() : ReadForm(root, service, errors);
        var attachments = ReadAttachments(root, service, limits, errors);

        if (errors.Count > 0) throw new ValidationException(errors);
        return new ValidApplication(service!, caseGroup, municipality!, applicant!, form, attachments);
    }

    private static Applicant? ReadApplicant(JsonElement root, ValidationErrors errors, DateOnly today)
    {
        if (!root.TryGetProperty("applicant", out var a) || a.ValueKind != JsonValueKind.Object)
        {
            errors.Add("applicant", "Bitte die antragstellende Person angeben (Objekt).");
            return null;
        }
        var given = Text(a, "givenName", "applicant.givenName", errors, true, 100);
        var family = Text(a, "familyName", "applicant.familyName", errors, true, 100);
        var birth = Date(a, "birthDate", "applicant.birthDate", errors, true);
        if (birth is { } b && (b > today || b < new DateOnly(1900, 1, 1))) errors.Add("applicant.birthDate", "Das Geburtsdatum liegt in der Zukunft oder vor 1900.");
        var email = Text(a, "email", "applicant.email", errors, false, 254);
        if (email is not null && !Email().IsMatch(email)) errors.Add("applicant.email", "Die E-Mail-Adresse ist ungültig.");
        string? street = null, postal = null, city = null;
        if (!a.TryGetProperty("address", out var address) || address.ValueKind != JsonValueKind.Object)
            errors.Add("applicant.address", "Bitte die Anschrift angeben (Objekt mit street, postalCode, city).");
        else
        {
            street = Text(address, "street", "applicant.address.street", errors, true, 200);
            postal = Text(address, "postalCode", "applicant.address.postalCode", errors, true, 5);
            if (postal is not null && !PostalCode().IsMatch(postal)) errors.Add("applicant.address.postalCode", "Die Postleitzahl hat fünf Ziffern.");
            city = Text(address, "city", "applicant.address.city", errors, true, 100);
        }
        return given is null || family is null || birth is null || street is null || postal is null || city is null ? null
            : new Applicant(given, family, birth.Value, email, street, postal, city);
    }

    private static Dictionary<string, object?> ReadForm(JsonElement root, ServiceDefinition service, ValidationErrors errors)
    {
        var result = new Dictionary<string, object?>();
        if (!root.TryGetProperty("form", out var form) || form.ValueKind != JsonValueKind.Object)
        {
            if (service.Fields.Any(f => f.Required)) errors.Add("form", "Bitte die Formularangaben der Leistung senden (Objekt).");
            return result;
        }
        foreach (var property in form.EnumerateObject())
            if (service.Fields.All(f => f.Name != property.Name)) errors.Add($"form.{property.Name}", $"Das Feld '{property.Name}' gehört nicht zum Antrag auf {service.Name}.");
        foreach (var field in service.Fields)
        {
            var path = $"form.{field.Name}";
            switch (field.Kind)
            {
                case FieldKind.Text:
                    var text = Text(form, field.Name, path, errors, field.Required, field.MaxLength);
                    if (text is not null && field.Pattern is not null && !Regex.IsMatch(text, field.Pattern))
                        errors.Add(path, $"{field.Label}: Format ungültig.");
                    else if (text is not null) result[field.Name] = text;
                    break;
                case FieldKind.Choice:
                    var choice = Text(form, field.Name, path, errors, field.Required, 50);
                    if (choice is not null && !field.Choices!.Contains(choice)) errors.Add(path, $"{field.Label}: erlaubt sind {string.Join(", ", field.Choices!)}.");
                    else if (choice is not null) result[field.Name] = choice;
                    break;
                case FieldKind.Date:
                    if (Date(form, field.Name, path, errors, field.Required) is { } date) result[field.Name] = date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
                    break;
                case FieldKind.Integer:
                case FieldKind.Decimal:
                    if (!form.TryGetProperty(field.Name, out var n) || n.ValueKind == JsonValueKind.Null)
                    {
                        if (field.Required) errors.Add(path, $"{field.Label} fehlt.");
                    }
                    else if (n.ValueKind != JsonValueKind.Number || !n.TryGetDecimal(out var value) || (field.Kind == FieldKind.Integer && value != decimal.Truncate(value)))
                        errors.Add(path, $"{field.Label}: erwartet wird eine {(field.Kind == FieldKind.Integer ? "ganze " : "")}Zahl.");
                    else if ((field.Min is { } min && value < min) || (field.Max is { } max && value > max))
                        errors.Add(path, $"{field.Label}: erlaubt ist {field.Min} bis {field.Max}.");
                    else if (field.Kind == FieldKind.Decimal && decimal.Round(value, 2) != value)
                        errors.Add(path, $"{field.Label}: höchstens zwei Nachkommastellen.");
                    else result[field.Name] = value;
                    break;
            }
        }
        return result;
    }

    private static List<Attachment> ReadAttachments(JsonElement root, ServiceDefinition? service, IntakeLimits limits, ValidationErrors errors)
    {
        var result = new List<Attachment>();
        if (!root.TryGetProperty("attachments", out var list) || list.ValueKind == JsonValueKind.Null) return result;
        if (list.ValueKind != JsonValueKind.Array)
        {
            errors.Add("attachments", "Anlagen werden als Liste gesendet.");
            return result;
        }
        if (list.GetArrayLength() > limits.MaxAttachments) errors.Add("attachments", $"Höchstens {limits.MaxAttachments} Anlagen.");
        long total = 0;
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            var p = $"attachments[{i++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                errors.Add(p, "Eine Anlage ist ein Objekt.");
                continue;
            }
            var type = Text(item, "documentType", $"{p}.documentType", errors, true, 100);
            if (type is not null && service is not null && service.Document(type) is null)
                errors.Add($"{p}.documentType", $"Die Dokumentart '{type}' gibt es bei {service.Name} nicht (erlaubt: {string.Join(", ", service.DocumentTypes.Select(d => d.Slug))}).");
            var rawName = Text(item, "fileName", $"{p}.fileName", errors, true, 500);
            var name = FileTypes.SanitiseFileName(rawName);
            if (rawName is not null && name is null) errors.Add($"{p}.fileName", FileTypes.InvalidFileNameMessage);
            var declared = Text(item, "contentType", $"{p}.contentType", errors, true, 100);
            // The common case, valid base64: decoded from the request's bytes without a string in between. Anything
            // else takes the text path, which gives the field's message.
            var (content, pooled) = DecodeValidBase64(item, $"{p}.contentBase64", limits);
            if (content is null)
            {
                var base64 = Text(item, "contentBase64", $"{p}.contentBase64", errors, true, int.MaxValue);
                if (base64 is null) continue;
                // Size is checked before decoding, from the length of the base64 text.
                var approximate = (long)base64.Length * 3 / 4;
                if (approximate > limits.MaxAttachmentBytes + 3)
                    throw AttachmentTooLarge($"{p}.contentBase64", limits);
                try { content = Convert.FromBase64String(base64); }
                catch (FormatException) { content = null; }
            }
            if (content is null)
            {
                errors.Add($"{p}.contentBase64", "Der Inhalt ist kein gültiges Base64.");
                continue;
            }
            if (content.Value.Length == 0)
            {
                errors.Add($"{p}.contentBase64", "Die Datei ist leer.");
                continue;
            }
            if (content.Value.Length > limits.MaxAttachmentBytes)
                throw AttachmentTooLarge($"{p}.contentBase64", limits);
            total += content.Value.Length;
            if (total > limits.MaxTotalAttachmentBytes)
                throw new PayloadTooLargeException("attachments", $"Alle Anlagen zusammen dürfen höchstens {limits.MaxTotalAttachmentBytes / (1024 * 1024)} MB groß sein.");
            var actual = FileTypes.Sniff(content.Value.Span);
            if (actual is null)
                errors.Add($"{p}.contentBase64", "Der Dateiinhalt ist kein PDF, PNG, JPEG oder XML.");
            else if (declared is not null && FileTypes.Normalise(declared) != actual)
                errors.Add($"{p}.contentType", $"Der angegebene Typ '{declared}' passt nicht zum Inhalt ({actual}).");
            if (type is not null && name is not null && actual is not null && declared is not null && FileTypes.Normalise(declared) == actual)
                result.Add(new Attachment(type, name, actual, content.Value) { Pooled = pooled });
            else if (pooled is not null) PooledBytes.Return(pooled); // refused: the errors go back, the content is not needed
        }
        return result;
    }

    private static readonly SearchValues<byte> Base64Alphabet = SearchValues.Create("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/="u8);

    private static PayloadTooLargeException AttachmentTooLarge(string path, IntakeLimits limits) =>
        new(path, $"Eine Anlage darf höchstens {limits.MaxAttachmentBytes / (1024 * 1024)} MB groß sein.");

    /// <summary>The raw UTF-8 bytes of a JSON string as they stand in the request, without the quotes (no copy).</summary>
    private static ReadOnlySpan<byte> RawString(JsonElement value)
    {
        var raw = JsonMarshal.GetRawUtf8Value(value); // with the quotes
        return raw.Length > 2 ? raw[1..^1] : default;
    }

    /// <summary>
    /// The decoded <c>contentBase64</c> when it is valid base64; null otherwise (the caller's text path then finds the
    /// problem and names it). Plain text (the base64 alphabet only) is decoded straight from the request's UTF-8 bytes,
    /// checked for size first; text with JSON escapes (a serializer that writes + as \u002B) is unescaped and decoded by
    /// System.Text.Json, likewise without a string.
    /// </summary>
    private static (ReadOnlyMemory<byte>? Content, byte[]? Pooled) DecodeValidBase64(JsonElement item, string path, IntakeLimits limits)
    {
        if (!item.TryGetProperty("contentBase64", out var value) || value.ValueKind != JsonValueKind.String) return (null, null);
        var utf8 = RawString(value);
        if (utf8.IsEmpty) return (null, null);
        if (utf8.IndexOf((byte)'\\') < 0)
        {
            if (utf8.ContainsAnyExcept(Base64Alphabet)) return (null, null);
            if ((long)utf8.Length * 3 / 4 > limits.MaxAttachmentBytes + 3)
                throw AttachmentTooLarge(path, limits);
            return DecodeBase64(utf8);
        }
        return value.TryGetBytesFromBase64(out var bytes) && bytes.Length > 0 ? (bytes, null) : (null, null);
    }

    /// <summary>
    /// Decodes into exactly the content's length (a pooled buffer in <see cref="PooledBytes"/>' range, else an array of
    /// its own), or null when it is no valid base64.
    /// </summary>
    private static (ReadOnlyMemory<byte>? Content, byte[]? Pooled) DecodeBase64(ReadOnlySpan<byte> utf8)
    {
        if (utf8.Length % 4 != 0) return (null, null);
        var padding = utf8[^1] == '=' ? utf8[^2] == '=' ? 2 : 1 : 0;
        var length = utf8.Length / 4 * 3 - padding;
        var pooled = PooledBytes.RentFor(length);
        var content = pooled is null ? new byte[length] : pooled.AsMemory(0, length);
        var status = Base64.DecodeFromUtf8(utf8, content.Span, out _, out var written);
        if (status == OperationStatus.Done && written == length) return (content, pooled);
        if (pooled is not null) PooledBytes.Return(pooled);
        return (null, null);
    }

    private static string? Text(JsonElement obj, string name, string path, ValidationErrors errors, bool required, int max)
    {
        if (!obj.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            if (required) errors.Add(path, $"Das Feld '{path}' fehlt.");
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            errors.Add(path, $"Das Feld '{path}' muss Text sein.");
            return null;
        }
        var raw = value.GetString()!;
        // Every intake field is one line: no controls, no direction overrides, no invisible characters (Common/TextInput).
        if (TextInput.Problem(raw, TextKind.Line) is { } problem)
        {
            errors.Add(path, $"Das Feld '{path}' {problem}");
            return null;
        }
        var text = TextInput.Normalise(raw);
        if (text.Length == 0)
        {
            if (required) errors.Add(path, $"Das Feld '{path}' ist leer.");
            return null;
        }
        if (text.Length > max)
        {
            errors.Add(path, $"Das Feld '{path}' ist länger als {max} Zeichen.");
            return null;
        }
        return text;
    }

    private static DateOnly? Date(JsonElement obj, string name, string path, ValidationErrors errors, bool required)
    {
        var text = Text(obj, name, path, errors, required, 10);
        if (text is null) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
        errors.Add(path, $"Das Feld '{path}' ist kein Datum im Format JJJJ-MM-TT.");
        return null;
    }
}
