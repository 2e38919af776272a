using OpenIkz.Assessment.Assessments;
using OpenIkz.Pages.Register;

namespace OpenIkz.Pages.Potenzialanalyse;

/// <summary>A chart of the report and the table with its figures (model of _ReportChart).</summary>
public sealed record ChartWithTable(ReportChart Chart, ReportTable Table)
{
    /// <summary>The chart in the format of statistik.js (the same as the charts of /Register/Statistik).</summary>
    public string Json => StatistikModel.Chart(Chart.Labels, Chart.Series.Select(s => new StatistikModel.ChartSeries(s.Label, s.Values)).ToList(), horizontal: false, percent: Chart.Percent);
}
