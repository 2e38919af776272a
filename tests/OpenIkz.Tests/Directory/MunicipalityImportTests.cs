using OpenIkz.Directory.Municipalities;

namespace OpenIkz.Tests.Directory;

/// <summary>The validation rules of the CSV import, without a database.</summary>
public class MunicipalityImportRulesTests
{
    private const string Header = "ags;name;type;state;district_ags;population;area_km2";

    private static (List<ImportRow> Rows, List<ImportError> Errors) Parse(params string[] lines) =>
        MunicipalityImport.Parse(new StringReader(string.Join('\n', lines)));

    [Fact]
    public void Parse_WhenRowsAreValid_ReturnsThemWithExactAreas()
    {
        var (rows, errors) = Parse(Header, "15085;Landkreis Harz;Landkreis;ST;;209117;2104,91", "15085135;Halberstadt;Einheitsgemeinde;Sachsen-Anhalt;15085;38682;142.98");
        Assert.Empty(errors);
        Assert.Equal(2, rows.Count);
        Assert.Equal(14298, rows[1].AreaHa);
        Assert.Equal("ST", rows[1].State);
        Assert.Equal(MunicipalityType.Einheitsgemeinde, rows[1].Type);
    }

    [Theory]
    [InlineData("1508513;Halberstadt;Einheitsgemeinde;ST;15085;38682;142,98", "8 Ziffern")]
    [InlineData("0708513X;Halberstadt;Einheitsgemeinde;ST;15085;38682;142,98", "nur Ziffern")]
    [InlineData("07085135;Halberstadt;Einheitsgemeinde;ST;15085;38682;142,98", "Landeskennung 15")]
    [InlineData("15085135;Halberstadt;Dorf;ST;15085;38682;142,98", "Typ 'Dorf' unbekannt")]
    [InlineData("15085135;Halberstadt;Einheitsgemeinde;XX;15085;38682;142,98", "Land 'XX' unbekannt")]
    [InlineData("15085135;Halberstadt;Einheitsgemeinde;ST;15085;viele;142,98", "Einwohnerzahl 'viele'")]
    [InlineData("15085135;Halberstadt;Einheitsgemeinde;ST;15085;-5;142,98", "Einwohnerzahl '-5'")]
    [InlineData("15085135;Halberstadt;Einheitsgemeinde;ST;15085;38682;142,987", "Fläche '142,987'")]
    [InlineData("15085135;Halberstadt;Einheitsgemeinde;ST;15086;38682;142,98", "nicht im Kreis 15086")]
    [InlineData("15085135;Halberstadt;Einheitsgemeinde;ST;;38682;142,98", "braucht einen Kreisschlüssel")]
    [InlineData("15085135;;Einheitsgemeinde;ST;15085;38682;142,98", "Name fehlt")]
    [InlineData("15085135;Halberstadt;Einheitsgemeinde;ST;15085;38682", "6 Spalten statt 7")]
    public void Parse_WhenARowIsBad_ReportsItWithItsLineNumber(string badRow, string expected)
    {
        var (_, errors) = Parse(Header, "15085;Landkreis Harz;Landkreis;ST;;209117;2104,91", badRow);
        var error = Assert.Single(errors);
        Assert.Equal(3, error.Line);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Parse_WhenAKeyRepeats_ReportsTheSecondOccurrence()
    {
        var (_, errors) = Parse(Header, "15085;Landkreis Harz;Landkreis;ST;;209117;2104,91", "15085;Harz;Landkreis;ST;;1;1");
        Assert.Contains("steht schon in Zeile 2", Assert.Single(errors).Message);
    }

    [Fact]
    public void Parse_WhenHeaderIsWrong_RefusesTheFile()
    {
        var (rows, errors) = Parse("ags,name,type", "15085;Landkreis Harz;Landkreis;ST;;209117;2104,91");
        Assert.Empty(rows);
        Assert.Equal(1, Assert.Single(errors).Line);
    }

    [Fact]
    public void Parse_WhenVerbandsgemeindeHasNineDigitKey_AcceptsIt()
    {
        var (_, errors) = Parse(Header, "150855051;Vorharz;Verbandsgemeinde;ST;15085;12026;204,81");
        Assert.Empty(errors);
    }

    [Theory]
    [InlineData("04011000-1234512345-06", true)]  // worked example of the KoSIT Leitweg-ID specification
    [InlineData("992-90009-96", true)]
    [InlineData("04011000-1234512345-07", false)]
    [InlineData("04011000-12345_12345-06", false)]
    [InlineData("4-06", false)]
    public void LeitwegId_IsValid_ChecksSyntaxAndCheckDigits(string id, bool valid) => Assert.Equal(valid, LeitwegId.IsValid(id));

    [Fact]
    public void LeitwegId_Create_ProducesValidIds() => Assert.True(LeitwegId.IsValid(LeitwegId.Create("07318000", "DEMO")));
}
