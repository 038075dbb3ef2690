namespace OcrForge.Tests.Tuning;

/// <summary>A clock the test moves by hand, so heartbeat expiry is tested without waiting.</summary>
public sealed class ManualClock : TimeProvider
{
    public DateTimeOffset Now { get; set; } = DateTimeOffset.UnixEpoch.AddDays(20_000);

    public override DateTimeOffset GetUtcNow() => Now;
}
