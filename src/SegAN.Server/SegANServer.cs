using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace SegAN.Server;

/// <summary>A started server: the URLs it listens on, the images it offers, where uploads go, how many segmentations run at once.</summary>
public sealed record ServerStarted(IReadOnlyList<string> Urls, int Images, int SkippedStudies, string UploadDirectory, int ConcurrentInferences);

/// <summary>
/// <c>segan serve</c>: SegAN.NET models behind MONAI Label's REST protocol on Kestrel, so that 3D Slicer's MONAI Label
/// extension (and any MONAI Label client) can segment with them. Every error is <c>{"error": ...}</c> with a 4xx/5xx
/// status, never a stack trace; one log line per request.
/// </summary>
public static class SegANServer
{
    /// <summary>
    /// The host: loads the models once, discovers the studies, and listens on <see cref="ServeOptions.Host"/>:
    /// <see cref="ServeOptions.Port"/>. Ctrl-C and SIGTERM stop it. <paramref name="log"/> hears one line per request
    /// and must be thread-safe.
    /// </summary>
    public static IHostBuilder CreateHostBuilder(ServeOptions options, Action<string> log)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        options.Validate();
        var address = ParseHost(options.Host);
        var state = new ServerState(options, log);
        return new HostBuilder()
            .ConfigureLogging(logging => logging.ClearProviders())
            .UseConsoleLifetime(lifetime => lifetime.SuppressStatusMessages = true)
            .ConfigureWebHost(web => web
                .UseKestrel(kestrel =>
                {
                    kestrel.AddServerHeader = false;
                    kestrel.Limits.MaxRequestBodySize = options.MaxUploadBytes + (64 * 1024);
                    if (address is null)
                    {
                        kestrel.ListenLocalhost(options.Port);
                    }
                    else
                    {
                        kestrel.Listen(address, options.Port);
                    }
                })
                .ConfigureServices(services =>
                {
                    services.AddRouting();
                    services.AddSingleton(_ => state);
                })
                .Configure(app =>
                {
                    app.Use(next => context => Handle(context, next, state));
                    app.UseRouting();
                    app.UseEndpoints(routes =>
                    {
                        MonaiLabelApi.Map(routes, state);
                        ViewerApi.Map(routes, state);
                        routes.MapFallback(_ => throw new ServerException(404, "no such endpoint"));
                    });
                }));
    }

    /// <summary>
    /// Runs the server until Ctrl-C or SIGTERM (or <paramref name="cancellation"/>); <paramref name="started"/> hears the
    /// URLs it listens on once it accepts connections.
    /// </summary>
    public static void Run(ServeOptions options, Action<string> log, Action<ServerStarted> started, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(started);
        using var host = CreateHostBuilder(options, log).Build();
        try
        {
            host.Start();
        }
        catch (IOException e)
        {
            throw new SegANException($"cannot listen on {options.Host}:{options.Port}: {e.Message}");
        }

        var addresses = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.ToList() ?? [];
        var state = host.Services.GetRequiredService<ServerState>();
        started(new ServerStarted(addresses, state.Store.All().Count, state.Store.SkippedStudies, state.Store.UploadDirectory, state.Inference.Concurrent));
        host.WaitForShutdownAsync(cancellation).GetAwaiter().GetResult();
    }

    private static IPAddress? ParseHost(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ? null
        : IPAddress.TryParse(host, out var address) ? address
        : throw new SegANException($"--host '{host}' is not an IP address or localhost");

    /// <summary>The request log line and the error contract around every request.</summary>
    private static async Task Handle(HttpContext context, RequestDelegate next, ServerState state)
    {
        var watch = Stopwatch.StartNew();
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = state.Options.MaxUploadBytes + (64 * 1024);
        }

        string? error = null;
        try
        {
            await next(context).ConfigureAwait(false);
            if (context.Response.StatusCode >= 400 && !context.Response.HasStarted && context.Response.ContentLength is null)
            {
                // Routing's own answers (405 Method Not Allowed) get the JSON body too.
                error = ReasonPhrases.GetReasonPhrase(context.Response.StatusCode);
                await MonaiLabelApi.Json(context, context.Response.StatusCode, new JsonObject { ["error"] = error }).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            error = "client went away";
        }
        catch (Exception e)
        {
            var (status, message, retry) = e switch
            {
                ServerException s => (s.Status, s.Message, s.RetryAfterSeconds),
                BadHttpRequestException b => (b.StatusCode, $"bad request: {b.Message}", (int?)null),
                _ when ImageStore.IsReaderError(e) => (422, $"cannot segment: {e.Message}", (int?)null),
                _ => (500, $"internal error ({e.GetType().Name}): {e.Message}", (int?)null),
            };
            error = message;
            if (!context.Response.HasStarted)
            {
                context.Response.Clear();
                if (retry is { } seconds)
                {
                    context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                }

                await MonaiLabelApi.Json(context, status, new JsonObject { ["error"] = message }).ConfigureAwait(false);
            }
        }

        state.Log(string.Create(
            CultureInfo.InvariantCulture,
            $"{DateTime.UtcNow:HH:mm:ss} {context.Request.Method} {context.Request.Path}{context.Request.QueryString} {context.Response.StatusCode} {watch.Elapsed.TotalMilliseconds:F0} ms{(error is null ? string.Empty : " " + error)}"));
    }
}
