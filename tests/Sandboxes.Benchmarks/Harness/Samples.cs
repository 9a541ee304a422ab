namespace Sandboxes.Benchmarks.Harness;

/// <summary>The measured values of one metric, plus every failed attempt.</summary>
public sealed class Samples(string name, string unit, string description)
{
    private readonly List<double> _values = [];

    public string Name { get; } = name;

    public string Unit { get; } = unit;

    public string Description { get; } = description;

    public int Failures { get; private set; }

    public string? LastError { get; private set; }

    public IReadOnlyList<double> Values => _values;

    public void Add(double value) => _values.Add(value);

    public void Fail(Exception error)
    {
        Failures++;
        LastError = error.Message;
    }

    /// <summary>Nearest-rank percentile; never a best run.</summary>
    public double Percentile(double p)
    {
        if (_values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = _values.Order().ToArray();
        var rank = (int)Math.Ceiling(p / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    public double Min => _values.Count == 0 ? double.NaN : _values.Min();

    public double Max => _values.Count == 0 ? double.NaN : _values.Max();
}
