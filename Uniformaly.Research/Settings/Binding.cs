namespace Uniformaly.Research.Settings;

/// <summary>A property of <see cref="DetectorSettings"/> and the setting it is.</summary>
public abstract record Binding(Setting Setting)
{
    public abstract DetectorSettings With(DetectorSettings settings, object? value);

    public abstract object? Get(DetectorSettings settings);

    public void Check(DetectorSettings settings) => Setting.Check(Get(settings), Setting.Name);
}

/// <inheritdoc/>
public sealed record Binding<T>(Setting<T> Typed, Func<DetectorSettings, T> Read, Func<DetectorSettings, T, DetectorSettings> Write) : Binding(Typed)
{
    public override DetectorSettings With(DetectorSettings settings, object? value) => Write(settings, (T)value!);

    public override object? Get(DetectorSettings settings) => Read(settings);
}
