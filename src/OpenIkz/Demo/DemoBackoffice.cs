using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;
using OpenIkz.Backoffice.Access;
using OpenIkz.Backoffice.Cases;
using OpenIkz.Backoffice.Decisions;
using OpenIkz.Backoffice.Documents;
using OpenIkz.Backoffice.Intake;
using OpenIkz.Directory.Services;
using OpenIkz.Directory.Accounts;
using OpenIkz.Infrastructure.Database;
using OpenIkz.Infrastructure.Pdf;

namespace OpenIkz.Demo;

/// <summary>
/// The demo back office of the Vorderpfalz (seeds/002, IKZ-Modellprojekt Vorderpfalz): an active
/// Kfz-Zulassung pool of Ludwigshafen, Frankenthal and the Rhein-Pfalz-Kreis (Speyer not yet, as in the
/// report), an active Elterngeld pool of all four, a Wohngeld delegation (Speyer's cases processed by
/// Ludwigshafen's staff), a terminated agreement that grants nothing, more clerks in the larger
/// partners, and cases in every state with decisions over the last six months and uneven processing shares.
/// Deterministic: the same data on every first start.
/// </summary>
public sealed class DemoBackoffice(Db db, UserAccounts users, IFileStore documents, TimeProvider clock, global::OpenIkz.Agreements.AgreementDocuments agreementDocuments,
    global::OpenIkz.Agreements.Settlement.SettlementService settlements)
{
    public const string Ludwigshafen = "07314000", Frankenthal = "07311000", Speyer = "07318000", RheinPfalzKreis = "07338";

    internal static readonly (string Ags, string Authority, string Street, string PostalCode, string City)[] Addresses =
    [
        (Speyer, "Stadtverwaltung Speyer", "Maximilianstraße 100", "67346", "Speyer"),
        (Frankenthal, "Stadtverwaltung Frankenthal (Pfalz)", "Rathausplatz 2–7", "67227", "Frankenthal (Pfalz)"),
        (Ludwigshafen, "Stadtverwaltung Ludwigshafen am Rhein", "Postfach 21 12 25", "67012", "Ludwigshafen am Rhein"),
        (RheinPfalzKreis, "Kreisverwaltung Rhein-Pfalz-Kreis", "Europaplatz 5", "67063", "Ludwigshafen am Rhein"),
        ("15085", "Kreisverwaltung Landkreis Harz", "Friedrich-Ebert-Straße 42", "38820", "Halberstadt"),
    ];

    /// <summary>Extra clerks per partner: the larger partners contribute more staff.</summary>
    internal static readonly (string Prefix, string Ags, int Count)[] ExtraClerks =
        [("ludwigshafen", Ludwigshafen, 3), ("rhein-pfalz-kreis", RheinPfalzKreis, 2), ("frankenthal", Frankenthal, 1)];

    private sealed record AgreementSeed(string Title, string Status, DateOnly From, DateOnly? To, string[] Services, (string Ags, bool Cases, bool Staff, int? Share)[] Members,
        (string Service, string Group, long FlatCents, long? FeeCents)[] Rates, string FeeRule = "owner", string? FeeShare = null, string? TerminationReason = null,
        (string Service, long Cents)[]? AppointmentCents = null);

    private const string DataProtection =
        "Die bearbeitenden Kommunen verarbeiten personenbezogene Daten im Auftrag der zuständigen Kommune nach Art. 28 DSGVO. " +
        "Verantwortliche bleibt die zuständige Kommune. Zugriffe auf Vorgänge anderer Kommunen werden protokolliert; die Aufbewahrung richtet sich nach den Fristen der Leistung.";

    private const string Goals = "Vertretung bei Abwesenheit und Fachkräftemangel ausgleichen, Bearbeitungszeiten verkürzen, digitale Massenverfahren ortsunabhängig im gemeinsamen Team bearbeiten (IKZ-Modellprojekt Vorderpfalz).";

    private static AgreementSeed[] Agreements(DateOnly today) =>
    [
        new("Zweckvereinbarung gemeinsame Kfz-Zulassung Vorderpfalz", "active", new DateOnly(2025, 1, 1), null, ["kfz-zulassung"],
            [(Ludwigshafen, true, true, 50), (Frankenthal, true, true, 20), (RheinPfalzKreis, true, true, 30)],
            [("kfz-zulassung", "neuzulassung", 1250, 2790), ("kfz-zulassung", "umschreibung", 1000, 2630), ("kfz-zulassung", "ausserbetriebsetzung", 450, 810)], "share", "30",
            AppointmentCents: [("kfz-zulassung", 800)]),
        new("Zweckvereinbarung gemeinsame Elterngeldstelle Vorderpfalz", "active", new DateOnly(2025, 7, 1), null, ["elterngeld"],
            [(Ludwigshafen, true, true, 40), (Frankenthal, true, true, 15), (Speyer, true, true, 15), (RheinPfalzKreis, true, true, 30)],
            [("elterngeld", "", 3800, null)]),
        new("Zweckvereinbarung Wohngeld Speyer – Ludwigshafen am Rhein", "active", new DateOnly(2026, 1, 1), null, ["wohngeld"],
            [(Speyer, true, false, null), (Ludwigshafen, false, true, 100)],
            [("wohngeld", "mietzuschuss", 4500, null), ("wohngeld", "lastenzuschuss", 5200, null)]),
        new("Arbeitsgemeinschaft Grundsicherung Vorderpfalz (beendet)", "terminated", new DateOnly(2024, 1, 1), today.AddMonths(-3), ["grundsicherung"],
            [(Frankenthal, true, true, 50), (Speyer, true, true, 50)],
            [("grundsicherung", "", 5200, null)], TerminationReason: "personalmangel"),
    ];

    /// <summary>How many cases each owner has per service, and which partners' clerks decide them (weights: uneven shares).</summary>
    private static readonly (string Service, string Owner, int Count, (string Ags, int Weight)[] Deciders)[] Volumes =
    [
        ("kfz-zulassung", Ludwigshafen, 260, [(Ludwigshafen, 60), (RheinPfalzKreis, 30), (Frankenthal, 10)]),
        ("kfz-zulassung", RheinPfalzKreis, 200, [(Ludwigshafen, 45), (RheinPfalzKreis, 45), (Frankenthal, 10)]),
        ("kfz-zulassung", Frankenthal, 140, [(Ludwigshafen, 50), (RheinPfalzKreis, 20), (Frankenthal, 30)]),
        ("kfz-zulassung", Speyer, 60, [(Speyer, 100)]),
        ("elterngeld", Ludwigshafen, 110, [(Ludwigshafen, 50), (RheinPfalzKreis, 30), (Speyer, 10), (Frankenthal, 10)]),
        ("elterngeld", Frankenthal, 60, [(Ludwigshafen, 40), (RheinPfalzKreis, 30), (Frankenthal, 30)]),
        ("elterngeld", Speyer, 70, [(Ludwigshafen, 45), (Speyer, 35), (RheinPfalzKreis, 20)]),
        ("elterngeld", RheinPfalzKreis, 90, [(RheinPfalzKreis, 60), (Ludwigshafen, 40)]),
        ("wohngeld", Speyer, 90, [(Ludwigshafen, 100)]),
        ("wohngeld", Ludwigshafen, 80, [(Ludwigshafen, 100)]),
        ("grundsicherung", Frankenthal, 40, [(Frankenthal, 100)]),
    ];

    private static readonly string[] GivenNames = ["Erika", "Max", "Anna", "Lukas", "Sophie", "Jonas", "Marie", "Leon", "Emma", "Paul", "Mia", "Felix", "Hannah", "Elias", "Lea", "Jörg", "Ayşe", "Mehmet", "Katarzyna", "Dmitri"];
    private static readonly string[] FamilyNames = ["Mustermann", "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz", "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Yılmaz", "Nowak"];
    private static readonly string[] Streets = ["Hauptstraße", "Schillerstraße", "Goethestraße", "Bahnhofstraße", "Ludwigstraße", "Rheinstraße", "Gartenstraße", "Kirchstraße"];
    private static readonly Dictionary<string, (string PostalCode, string City)> Places = new()
    {
        [Ludwigshafen] = ("67059", "Ludwigshafen am Rhein"), [Frankenthal] = ("67227", "Frankenthal (Pfalz)"),
        [Speyer] = ("67346", "Speyer"), [RheinPfalzKreis] = ("67105", "Schifferstadt"),
    };

    /// <summary>A FICTITIOUS BIC for the demo IBANs: location code "X0" marks a test BIC (ISO 9362).</summary>
    public const string DemoBic = "DEMODEX0XXX";

    /// <summary>A FICTITIOUS telephone number: the Bundesnetzagentur keeps +49 30 23125 000–999 unassigned for media and demos.</summary>
    public static string DemoTelephone(int index) => string.Create(CultureInfo.InvariantCulture, $"+49 30 23125 {index % 1000:000}");

    public async Task LoadAsync(string demoPasswordHash, CancellationToken ct = default)
    {
        var today = BerlinTime.Today(clock);
        await db.InTransactionAsync(async (c, tx) =>
        {
            foreach (var a in Addresses)
                await c.ExecuteAsync("UPDATE municipalities SET authority_name = @Authority, address_street = @Street, address_postal_code = @PostalCode, address_city = @City WHERE ags = @Ags",
                    new { a.Ags, a.Authority, a.Street, a.PostalCode, a.City }, tx);
            foreach (var agreement in Agreements(today))
            {
                // Zweckvereinbarungen under the KomZG in which only the processing is shared (the responsibility stays): no approval needed.
                var id = await c.ExecuteScalarAsync<long>("""
                    INSERT INTO agreements (title, status, valid_from, valid_to, created_at, state_law, legal_form, transfers_task, notice_months, data_protection, goals,
                        evaluation_date, fee_rule, fee_share_percent, termination_reason, termination_note, created_by_ags, version)
                    VALUES (@Title, @Status, @From, @To, @Now, 'komzg-rp', @Form, @False, 6, @DataProtection, @Goals, @Evaluation, @FeeRule, @FeeShare, @Reason, @Note, @Creator, 1)
                    RETURNING id
                    """, new { agreement.Title, agreement.Status, agreement.From, agreement.To, Now = clock.GetUtcNow().UtcDateTime,
                        Form = agreement.TerminationReason is null ? "zweckvereinbarung" : "kommunale-arbeitsgemeinschaft", False = false, DataProtection, Goals,
                        Evaluation = agreement.From.AddYears(2), agreement.FeeRule, agreement.FeeShare, Reason = agreement.TerminationReason,
                        Note = agreement.TerminationReason is null ? null : "Personal für die gemeinsame Bearbeitung fehlte nach Fluktuation bei beiden Partnern.",
                        Creator = agreement.Members[0].Ags }, tx);
                foreach (var service in agreement.Services)
                    await c.ExecuteAsync("INSERT INTO agreement_services (agreement_id, service_slug) VALUES (@Id, @Service)", new { Id = id, Service = service }, tx);
                foreach (var m in agreement.Members)
                    await c.ExecuteAsync("INSERT INTO agreement_members (agreement_id, municipality_ags, contributes_cases, contributes_staff, capacity_share_percent, consented_at) VALUES (@Id, @Ags, @Cases, @Staff, @Share, @Consented)",
                        new { Id = id, m.Ags, m.Cases, m.Staff, m.Share, Consented = agreement.From.AddDays(-30).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc) }, tx);
                foreach (var r in agreement.Rates)
                    await c.ExecuteAsync("INSERT INTO agreement_rates (agreement_id, service_slug, case_group, flat_cents, fee_cents) VALUES (@Id, @Service, @Group, @FlatCents, @FeeCents)",
                        new { Id = id, r.Service, r.Group, r.FlatCents, r.FeeCents }, tx);
                // The amount per appointment (issue 11) on the service's row for all case groups: no case flat beyond the groups' own.
                foreach (var (service, cents) in agreement.AppointmentCents ?? [])
                    await c.ExecuteAsync("INSERT INTO agreement_rates (agreement_id, service_slug, case_group, flat_cents, fee_cents, appointment_cents) VALUES (@Id, @Service, '', 0, NULL, @Cents)",
                        new { Id = id, Service = service, Cents = cents }, tx);
                var history = new List<(DateOnly On, string Action, string? Details)>
                {
                    (agreement.From.AddDays(-60), "Entwurf angelegt", agreement.Title),
                    (agreement.From.AddDays(-30), "Zustimmung aller Mitglieder", "Zweckvereinbarung ohne Übertragung der Aufgabe: keine Genehmigung erforderlich."),
                    (agreement.From, "aktiv", $"ab {agreement.From:dd.MM.yyyy}"),
                };
                if (agreement.TerminationReason is not null) history.Add((agreement.To!.Value.AddMonths(-6), "gekündigt", $"zum {agreement.To:dd.MM.yyyy}; Grund: Personalmangel"));
                foreach (var (on, action, details) in history)
                    await c.ExecuteAsync("INSERT INTO agreement_history (agreement_id, at, actor_name, actor_ags, action, details) VALUES (@Id, @At, 'Koordination (Demo)', @Ags, @Action, @Details)",
                        new { Id = id, At = on.ToDateTime(new TimeOnly(9, 0), DateTimeKind.Utc), Ags = agreement.Members[0].Ags, Action = action, Details = details }, tx);
                await agreementDocuments.RenderAsync(c, tx, id, "Endfassung");
            }
            // E-invoicing data of the demo: fictitious, clearly marked (see SOURCES.md).
            // Telephone numbers are from the Bundesnetzagentur's "drama numbers" (Berlin, 030 23125 000–999), which are never assigned;
            // the BIC has location code "X0", the ISO 9362 mark of a test BIC.
            var n = 0;
            foreach (var (ags, prefix) in DemoData.LoginPrefix.OrderBy(p => p.Key, StringComparer.Ordinal))
                await c.ExecuteAsync("UPDATE municipalities SET iban = @Iban, bic = @Bic, email = @Email, telephone = @Telephone WHERE ags = @Ags",
                    new { Iban = global::OpenIkz.Directory.Municipalities.Iban.Demo(ags), Bic = DemoBic, Email = $"kostenausgleich@{prefix}.example",
                        Telephone = DemoTelephone(n++), Ags = ags }, tx);
        }, ct);

        foreach (var (prefix, ags, count) in ExtraClerks)
            for (var i = 2; i <= count + 1; i++)
                await users.InsertAsync(new NewUser(ags, $"{prefix}.sachbearbeitung{i}", $"Sachbearbeitung {i} {Places[ags].City} (Demo)", UserAccounts.DemoPassword,
                    [Roles.Sachbearbeitung], ["kfz-zulassung", "elterngeld", "wohngeld", "grundsicherung"]), demoPasswordHash, passwordIsDemo: true, ct);

        await LoadCasesAsync(today, ct);

        // A settlement of the Kfz pool for the last full quarter, so coordinators find statements to open.
        var coordinator = await db.QuerySingleAsync<long>("SELECT id FROM users WHERE username = 'frankenthal.koordination'", ct: ct);
        var kfz = await db.QuerySingleAsync<long>("SELECT id FROM agreements WHERE title LIKE 'Zweckvereinbarung gemeinsame Kfz%'", ct: ct);
        var quarterStart = new DateOnly(today.Year, (today.Month - 1) / 3 * 3 + 1, 1).AddMonths(-3);
        await settlements.RunAsync(new Actor(coordinator, null, "frankenthal.koordination", "Koordination Frankenthal (Pfalz) (Demo)", Frankenthal, false, [], IsCoordinator: true),
            kfz, $"{quarterStart.Year}-Q{(quarterStart.Month - 1) / 3 + 1}", ct);
    }

    private async Task LoadCasesAsync(DateOnly today, CancellationToken ct)
    {
        var random = new Random(2026);
        var now = clock.GetUtcNow().UtcDateTime;
        var clerks = (await db.QueryAsync<(long Id, string Ags, string Name)>(
            "SELECT u.id, u.municipality_ags, u.display_name FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = 'Sachbearbeitung' ORDER BY u.id",
            ct: ct)).Where(c => Places.ContainsKey(c.Ags)).ToLookup(c => c.Ags);

        // One sample file per document type (identical content is stored once).
        var samples = new Dictionary<string, (string Sha, long Size)>();
        foreach (var service in ServiceCatalog.All)
            foreach (var type in service.DocumentTypes)
            {
                if (samples.ContainsKey(type.Slug)) continue;
                var pdf = new PdfDocumentBuilder(type.Label, "OpenIKZ Demo", new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
                    .Heading(type.Label).Paragraph("Musterdokument der OpenIKZ-Demo. Es enthält keine echten Daten.").ToBytes();
                samples[type.Slug] = (await documents.SaveAsync(pdf, ct), pdf.LongLength);
            }

        var plans = new List<(string Service, string Owner, DateTime Received, (string Ags, int Weight)[] Deciders)>();
        foreach (var (service, owner, count, deciders) in Volumes)
            for (var i = 0; i < count; i++)
                plans.Add((service, owner, now.AddDays(-random.Next(0, 180)).AddMinutes(-random.Next(0, 24 * 60)), deciders));
        plans.Sort((a, b) => a.Received.CompareTo(b.Received));

        await db.InTransactionAsync(async (c, tx) =>
        {
            foreach (var plan in plans)
            {
                var service = ServiceCatalog.Get(plan.Service);
                var group = service.CaseGroups.Count == 0 ? null : service.CaseGroups[random.Next(service.CaseGroups.Count)];
                var receivedDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(plan.Received, BerlinTime.Zone));
                var due = receivedDay.AddDays(service.TargetProcessingDays);
                var age = (now - plan.Received).TotalDays;
                // Older cases are mostly decided; recent ones are spread over the pool, work in progress and waiting.
                var roll = random.NextDouble();
                var status = age > 40 ? (roll < 0.95 ? CaseStatus.Closed : CaseStatus.Open)
                    : roll < 0.45 ? CaseStatus.Closed : roll < 0.70 ? CaseStatus.Open : roll < 0.90 ? CaseStatus.Assigned : CaseStatus.Waiting;
                var required = service.RequiredDocumentsFor(group?.Slug);
                var attached = required.Where(_ => status == CaseStatus.Closed || random.NextDouble() < 0.85).ToList();
                var complete = attached.Count == required.Count;
                if (status == CaseStatus.Closed && !complete) complete = true;

                var deciderAgs = Pick(random, plan.Deciders);
                var pool = clerks[deciderAgs].ToList();
                var clerk = pool[random.Next(pool.Count)];
                var given = GivenNames[random.Next(GivenNames.Length)];
                var family = FamilyNames[random.Next(FamilyNames.Length)];
                var (postal, city) = Places[plan.Owner];
                var number = await SubmitApplication.NextNumberAsync(c, tx, plan.Owner, service.ReferenceCode, receivedDay.Year);
                var id = Guid.CreateVersion7(plan.Received).ToString();
                var decidedAt = status == CaseStatus.Closed ? Min(plan.Received.AddDays(random.Next(1, service.TargetProcessingDays * 2)).AddHours(random.Next(1, 8)), now.AddHours(-1)) : (DateTime?)null;
                var outcome = status == CaseStatus.Closed ? (random.NextDouble() < 0.85 ? Outcomes.Granted : Outcomes.Rejected) : null;
                await c.ExecuteAsync("""
                    INSERT INTO cases (id, reference, owner_ags, service_slug, case_group, status, assigned_user_id, assigned_at, complete,
                        applicant_given_name, applicant_family_name, applicant_birth_date, applicant_email, applicant_street, applicant_postal_code, applicant_city,
                        applicant_search, form_json, received_at, due_date, waiting_until, decided_at, outcome, decision_reason, decided_by_user_id, processor_ags, retention_until, version)
                    VALUES (@Id, @Reference, @Owner, @Service, @Group, @Status, @Assigned, @AssignedAt, @Complete, @Given, @Family, @Birth, @Email, @Street, @Postal, @City,
                        @Search, @Form, @Received, @Due, @WaitingUntil, @DecidedAt, @Outcome, @Reason, @DecidedBy, @Processor, @Retention, 1)
                    """, new
                {
                    Id = id, Reference = $"{plan.Owner}-{service.ReferenceCode}-{receivedDay.Year}-{number:D6}", plan.Owner, Service = service.Slug, Group = group?.Slug, Status = status,
                    Assigned = status is CaseStatus.Assigned or CaseStatus.Waiting ? clerk.Id : (long?)null,
                    AssignedAt = status is CaseStatus.Assigned or CaseStatus.Waiting ? plan.Received.AddHours(2) : (DateTime?)null,
                    Complete = complete, Given = given, Family = family, Birth = new DateOnly(1950 + random.Next(0, 55), random.Next(1, 13), random.Next(1, 29)),
                    Email = $"{SearchTextAscii(given)}.{SearchTextAscii(family)}@example.org", Street = $"{Streets[random.Next(Streets.Length)]} {random.Next(1, 120)}",
                    Postal = postal, City = city, Search = CaseSearch.Key(family, given), Form = JsonSerializer.Serialize(SampleForm(service, random)),
                    Received = plan.Received, Due = due, WaitingUntil = status == CaseStatus.Waiting ? today.AddDays(random.Next(3, 21)) : (DateOnly?)null,
                    DecidedAt = decidedAt, Outcome = outcome,
                    Reason = outcome == Outcomes.Rejected ? "Die Anspruchsvoraussetzungen liegen nach den vorgelegten Unterlagen nicht vor." : null,
                    DecidedBy = decidedAt is null ? (long?)null : clerk.Id, Processor = decidedAt is null ? null : clerk.Ags,
                    Retention = decidedAt is null ? (DateOnly?)null : CaseState.RetentionUntil(DateOnly.FromDateTime(decidedAt.Value), service.RetentionYears),
                });
                foreach (var type in attached)
                    await c.ExecuteAsync("""
                        INSERT INTO case_documents (id, case_id, document_type, file_name, content_type, size_bytes, sha256, source, added_at)
                        VALUES (@DocId, @Id, @Type, @Name, 'application/pdf', @Size, @Sha, 'intake', @Received)
                        """, new { DocId = Guid.CreateVersion7(plan.Received).ToString(), Id = id, Type = type, Name = type + ".pdf", samples[type].Size, samples[type].Sha, Received = plan.Received }, tx);
                var system = new Actor(null, null, "portal", "Online-Antragsportal", plan.Owner, false, []);
                await CaseHistory.AddAsync(c, tx, id, plan.Received, system, "eingegangen", complete ? "Antrag vollständig eingegangen." : "Antrag eingegangen, Unterlagen fehlen.");
                var clerkActor = new Actor(clerk.Id, null, clerk.Name, clerk.Name, clerk.Ags, false, []);
                if (status != CaseStatus.Open)
                    await CaseHistory.AddAsync(c, tx, id, plan.Received.AddHours(2), clerkActor, "übernommen", "Aus dem Pool geholt.");
                if (status == CaseStatus.Waiting)
                    await CaseHistory.AddAsync(c, tx, id, plan.Received.AddHours(3), clerkActor, "Unterlagen angefordert", "Bitte reichen Sie die fehlenden Nachweise nach.");
                if (decidedAt is not null)
                    await CaseHistory.AddAsync(c, tx, id, decidedAt.Value, clerkActor, "entschieden", $"Antrag {Outcomes.Label(outcome)}.");
            }
        }, ct);
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private static string SearchTextAscii(string s) => SearchText.Fold(s).Replace("ı", "i").Replace("ş", "s").Replace(" ", "");

    private static string Pick(Random random, (string Ags, int Weight)[] weighted)
    {
        var roll = random.Next(weighted.Sum(w => w.Weight));
        foreach (var (ags, weight) in weighted)
        {
            if (roll < weight) return ags;
            roll -= weight;
        }
        return weighted[^1].Ags;
    }

    private static Dictionary<string, object> SampleForm(ServiceDefinition service, Random random) => service.Slug switch
    {
        "kfz-zulassung" => new() { ["vin"] = "WVWZZZ1JZ" + random.Next(10_000_000, 99_999_999).ToString(CultureInfo.InvariantCulture) },
        "elterngeld" => new() { ["childGivenName"] = GivenNames[random.Next(GivenNames.Length)], ["childBirthDate"] = "2026-0" + random.Next(1, 9) + "-1" + random.Next(0, 9), ["benefitMonths"] = 12 },
        "wohngeld" => new() { ["householdMembers"] = random.Next(1, 6), ["monthlyCosts"] = Math.Round(400m + random.Next(0, 800), 2) },
        _ => new() { ["reason"] = random.NextDouble() < 0.7 ? "alter" : "erwerbsminderung", ["monthlyIncome"] = Math.Round(300m + random.Next(0, 700), 2) },
    };
}
