using Dapper;
using OpenIkz.Infrastructure.Database;

namespace OpenIkz.Demo;

/// <summary>
/// The demo's citizen offices for the Kfz-Zulassung: Ludwigshafen, Frankenthal and the Rhein-Pfalz-Kreis share their
/// appointments under the Kfz agreement (seed 002, section 3: the shared appointment system is the first Kfz milestone);
/// Speyer's office stays on its own, as in the report. Names, addresses and hours are illustrative demo values, marked
/// "(Demo)", not the offices' real data.
/// </summary>
public sealed class DemoAppointments(Db db, TimeProvider clock)
{
    private static readonly (string Ags, string Name, string Street, string Postal, string City, int Counters)[] OfficesToCreate =
    [
        (DemoBackoffice.Ludwigshafen, "Kfz-Zulassungsstelle Ludwigshafen (Demo)", "Musterstraße 1", "67059", "Ludwigshafen am Rhein", 3),
        (DemoBackoffice.Frankenthal, "Bürgerbüro Frankenthal, Kfz-Zulassung (Demo)", "Musterstraße 2", "67227", "Frankenthal (Pfalz)", 2),
        (DemoBackoffice.RheinPfalzKreis, "Zulassungsstelle Rhein-Pfalz-Kreis (Demo)", "Musterstraße 3", "67059", "Ludwigshafen am Rhein", 2),
        (DemoBackoffice.Speyer, "Zulassungsstelle Speyer (Demo)", "Musterstraße 4", "67346", "Speyer", 2),
    ];

    public async Task LoadAsync(CancellationToken ct = default)
    {
        if (await db.QuerySingleAsync<long>("SELECT COUNT(*) FROM appointment_offices", ct: ct) > 0) return;
        var kfz = await db.QuerySingleOrDefaultAsync<long?>("SELECT id FROM agreements WHERE title LIKE 'Zweckvereinbarung gemeinsame Kfz%'", ct: ct);
        await db.InTransactionAsync(async (c, tx) =>
        {
            foreach (var o in OfficesToCreate)
            {
                var id = await c.ExecuteScalarAsync<long>("""
                    INSERT INTO appointment_offices (municipality_ags, name, street, postal_code, city, accessibility, slot_minutes, active, created_at)
                    VALUES (@Ags, @Name, @Street, @Postal, @City, 'Stufenloser Zugang, Aufzug, barrierefreie Toilette (Demo).', 10, TRUE, @Now) RETURNING id
                    """, new { o.Ags, o.Name, o.Street, o.Postal, o.City, Now = clock.GetUtcNow().UtcDateTime }, tx);
                for (var weekday = 1; weekday <= 5; weekday++)
                {
                    await c.ExecuteAsync("INSERT INTO appointment_opening_hours (office_id, weekday, opens, closes, counters) VALUES (@Id, @W, '07:30', '12:30', @N)",
                        new { Id = id, W = weekday, N = o.Counters }, tx);
                    if (weekday == 4) // Donnerstagnachmittag
                        await c.ExecuteAsync("INSERT INTO appointment_opening_hours (office_id, weekday, opens, closes, counters) VALUES (@Id, 4, '14:00', '18:00', @N)",
                            new { Id = id, N = Math.Max(1, o.Counters - 1) }, tx);
                }
                await c.ExecuteAsync("INSERT INTO appointment_office_services (office_id, service_slug, minutes, minutes_per_item, max_items) VALUES (@Id, 'kfz-zulassung', 20, 10, 5)",
                    new { Id = id }, tx);
            }
            if (kfz is { } agreement)
                await c.ExecuteAsync("INSERT INTO appointment_sharing (agreement_id, service_slug) VALUES (@Id, 'kfz-zulassung')", new { Id = agreement }, tx);
        }, ct);
    }
}
