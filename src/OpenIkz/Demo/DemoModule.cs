namespace OpenIkz.Demo;

public static class DemoModule
{
    /// <summary>The demo data and the start-up tasks (migrate, load the demo, refuse demo passwords in production). Sits on top of every module.</summary>
    public static IServiceCollection AddDemo(this IServiceCollection services)
    {
        services.AddSingleton<DemoData>();
        services.AddSingleton<DemoBackoffice>();
        services.AddSingleton<DemoCooperations>();
        services.AddSingleton<DemoPartnerSearches>();
        services.AddSingleton<DemoRegions>();
        services.AddSingleton<DemoAssessments>();
        services.AddSingleton<DemoAppointments>();
        return services;
    }
}
