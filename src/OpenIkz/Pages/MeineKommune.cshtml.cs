using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using OpenIkz.Directory.Accounts;
using OpenIkz.Directory.Municipalities;

namespace OpenIkz.Pages;

public sealed class MeineKommuneModel(UserAccounts users, MunicipalityQueries municipalities) : PageModel
{
    public UserAccount Account { get; private set; } = null!;
    public Municipality? Municipality { get; private set; }
    public Municipality? District { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var account = User.UserId() is { } id ? await users.FindAsync(id, ct) : null;
        if (account is null) return Forbid();
        Account = account;
        Municipality = await municipalities.FindAsync(account.MunicipalityAgs, ct);
        if (Municipality?.DistrictAgs is { } districtAgs) District = await municipalities.FindAsync(districtAgs, ct);
        return Page();
    }
}
