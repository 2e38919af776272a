using OpenIkz.Agreements;

namespace OpenIkz.Tests.Agreements;

public sealed class LegalFormsTests
{
    [Fact]
    public void EveryLaw_IsNamedInTheGenitiveAndDative_AsGermanRequires()
    {
        Assert.Equal("des Landesgesetzes über die kommunale Zusammenarbeit (KomZG)", LegalForms.Law("komzg-rp")!.Genitive);
        Assert.Equal("des Gesetzes über kommunale Gemeinschaftsarbeit (GkG NRW)", LegalForms.Law("gkg-nrw")!.Genitive);
        Assert.Equal("dem Landesgesetz über die kommunale Zusammenarbeit (KomZG)", LegalForms.Law("komzg-rp")!.Dative);
        foreach (var law in LegalForms.Laws)
            Assert.Matches("^des (Landes)?[Gg]esetzes ", law.Genitive);
    }
}
