using System.Data.Common;
using Dapper;
using OpenIkz.Agreements.Settlement;

namespace OpenIkz.Appointments;

/// <summary>
/// The appointments the settlement prices (issue 11): appointments of the period (by start, Europe/Berlin days as the
/// settlement gives them) that an office of a member served — the resident checked in — for a resident of another
/// member, per service the agreement covers and shares for appointments (the sharing that opened the office to them;
/// another agreement covering the same service does not bill the same appointment). The resident's member is their
/// municipality, or its district when only the district is a member (a Landkreis for its Gemeinden); an office serving
/// its own residents, or a district's office its Gemeinden's (open to them without any agreement), is not settled.
/// The place of residence is the one the resident chose at booking; the check-in does not confirm it. The settlement engine applies the agreement's amount per appointment
/// (<see cref="SettlementKey.AppointmentRateFor"/>); without one, the counts are not settled.
/// </summary>
public sealed class AppointmentSettlementCounts : ISettlementCountSource
{
    public async Task<IReadOnlyList<CaseCount>> CountAsync(DbConnection c, long agreementId, DateTime fromUtc, DateTime toUtc, CancellationToken ct) =>
        (await c.QueryAsync<Row>(new CommandDefinition("""
            SELECT COALESCE(mr.municipality_ags, md.municipality_ags) AS OwnerAgs, o.municipality_ags AS ProcessorAgs, a.service_slug AS Service, COUNT(*) AS Count
            FROM appointments a
            JOIN appointment_offices o ON o.id = a.office_id
            JOIN municipalities r ON r.ags = a.resident_ags
            JOIN agreement_services s ON s.agreement_id = @Id AND s.service_slug = a.service_slug
            JOIN appointment_sharing sh ON sh.agreement_id = @Id AND sh.service_slug = a.service_slug
            JOIN agreement_members mp ON mp.agreement_id = @Id AND mp.municipality_ags = o.municipality_ags
            LEFT JOIN agreement_members mr ON mr.agreement_id = @Id AND mr.municipality_ags = a.resident_ags
            LEFT JOIN agreement_members md ON md.agreement_id = @Id AND md.municipality_ags = r.district_ags
            WHERE a.status = 'confirmed' AND a.checked_in_at IS NOT NULL AND a.start_at >= @From AND a.start_at < @To
              AND (mr.municipality_ags IS NOT NULL OR md.municipality_ags IS NOT NULL)
              AND o.municipality_ags <> COALESCE(r.district_ags, '')
            GROUP BY COALESCE(mr.municipality_ags, md.municipality_ags), o.municipality_ags, a.service_slug
            """, new { Id = agreementId, From = fromUtc, To = toUtc }, cancellationToken: ct)))
        .Select(r => new CaseCount(r.OwnerAgs, r.ProcessorAgs, r.Service, "", r.Count, SettlementUnits.Appointment)).ToList();

    // A settable row: for an empty result SQLite reports no column types Dapper could match to a constructor.
    private sealed class Row
    {
        public string OwnerAgs { get; set; } = "";
        public string ProcessorAgs { get; set; } = "";
        public string Service { get; set; } = "";
        public long Count { get; set; }
    }
}
