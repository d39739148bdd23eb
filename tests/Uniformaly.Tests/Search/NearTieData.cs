namespace Uniformaly.Tests.Search;

/// <summary>A bank [Rows, Dim] and queries [Queries, Dim] as row-major float32 arrays.</summary>
public sealed record KnnData(float[] Bank, float[] Queries, int Dim)
{
    public int Rows => Bank.Length / Dim;

    public int QueryCount => Queries.Length / Dim;

    /// <summary>|q − b|² in float64 from the float32 values.</summary>
    public double Distance(int query, long row)
    {
        double sum = 0;
        for (var i = 0; i < Dim; i++)
        {
            var d = (double)Queries[query * Dim + i] - Bank[row * Dim + i];
            sum += d * d;
        }
        return sum;
    }

    /// <summary>|q|² + |b|²: the magnitude the float32 search's |q|² − 2q·b + |b|² cancels down from.</summary>
    public double Scale(int query, long row)
    {
        double sum = 0;
        for (var i = 0; i < Dim; i++)
            sum += (double)Queries[query * Dim + i] * Queries[query * Dim + i] + (double)Bank[row * Dim + i] * Bank[row * Dim + i];
        return sum;
    }
}

/// <summary>
/// Data built to defeat a bfloat16 ranking: every bank row sits in a group of near-identical rows
/// that a nearby query must tell apart. Seeded, generated on the host so that each row's bits are
/// exactly as intended.
/// </summary>
public static class NearTieData
{
    /// <summary>Standard-normal bank and queries: no structure, for the certified path itself.</summary>
    public static KnnData Gaussian(int rows, int queries, int dim, int seed)
    {
        var random = new Random(seed);
        return new KnnData(Normal(random, rows * dim, 1), Normal(random, queries * dim, 1), dim);
    }

    /// <summary>
    /// Groups of <paramref name="copies"/> rows around a bfloat16-representable centre, each copy
    /// moved by less than half a bfloat16 step per coordinate (so all copies round to the same
    /// bfloat16 row: exact ties for the ranking) yet by far more than a float32 step. Queries lie
    /// 0.5σ from a centre. Groups are interleaved with chunk-sized strides, so copies straddle chunks.
    /// </summary>
    public static KnnData BFloat16Ties(int groups, int copies, int queries, int dim, int seed)
    {
        var random = new Random(seed);
        var centres = Normal(random, groups * dim, 1).Select(RoundToBFloat16).ToArray();
        var bank = new float[groups * copies * dim];
        for (var c = 0; c < copies; c++)
            for (var g = 0; g < groups; g++)
                for (var i = 0; i < dim; i++)
                {
                    var x = centres[g * dim + i];
                    bank[((c * groups) + g) * dim + i] = x + x * (float)(random.NextDouble() * 2 - 1) / 1024;
                }
        return new KnnData(bank, Near(random, centres, queries, dim, 0.5), dim);
    }

    /// <summary>Random rows of which the first <paramref name="duplicated"/> appear <paramref name="copies"/>
    /// times (the copies spread over the bank); queries are perturbed duplicated rows.</summary>
    public static KnnData Duplicates(int rows, int duplicated, int copies, int queries, int dim, int seed)
    {
        var random = new Random(seed);
        var unique = Normal(random, rows * dim, 1);
        var bank = new float[(rows + duplicated * (copies - 1)) * dim];
        unique.CopyTo(bank, 0);
        for (var c = 1; c < copies; c++)
            Array.Copy(unique, 0, bank, (rows + (c - 1) * duplicated) * dim, duplicated * dim);
        return new KnnData(bank, Near(random, unique.AsSpan(0, duplicated * dim).ToArray(), queries, dim, 0.3), dim);
    }

    /// <summary>Pairs of rows that differ in the last bit of one coordinate (the pair's second row
    /// half a bank later), and queries that are exactly the first rows of some pairs or near them.</summary>
    public static KnnData LastBit(int pairs, int queries, int dim, int seed)
    {
        var random = new Random(seed);
        var first = Normal(random, pairs * dim, 1);
        var second = (float[])first.Clone();
        for (var p = 0; p < pairs; p++)
        {
            var i = p * dim + random.Next(dim);
            second[i] = MathF.BitIncrement(second[i]);
        }
        var exact = first.AsSpan(0, queries / 2 * dim).ToArray();
        var near = Near(random, first, queries - queries / 2, dim, 0.05);
        return new KnnData([.. first, .. second], [.. exact, .. near], dim);
    }

    /// <summary>
    /// Exact bfloat16 ties that only the rounding terms of the bound can expose. Around each of
    /// <paramref name="centres"/> bfloat16-representable centres c the bank holds the 2D points
    /// c ± r·e_i (r = 4; all representable), so every one of them has the same bfloat16 ranking value
    /// for a query that rounds to c, far more of them than the candidates. Their float32 distances
    /// differ only through what rounding hides: <paramref name="perturbQueries"/> moves each query off
    /// c by less than half a bfloat16 step per coordinate (so |q − q̃| decides the nearest point);
    /// <paramref name="perturbBank"/> moves each bank point likewise and puts the queries exactly on
    /// the centres (so max |b − b̃| decides).
    /// </summary>
    public static KnnData RoundingTies(int centres, int dim, bool perturbQueries, bool perturbBank, int seed)
    {
        const float radius = 4;
        var random = new Random(seed);
        var centre = Normal(random, centres * dim, 1).Select(x => RoundToBFloat16(MathF.Round(x * 4) / 4)).ToArray();
        var bank = new float[centres * 2 * dim * dim];
        for (var c = 0; c < centres; c++)
            for (var p = 0; p < 2 * dim; p++)
            {
                var row = (p * centres + c) * dim; // the points of one centre spread over the bank
                for (var i = 0; i < dim; i++)
                {
                    var x = centre[c * dim + i] + (i == p / 2 ? (p % 2 == 0 ? radius : -radius) : 0);
                    bank[row + i] = perturbBank ? Nudge(random, x) : x;
                }
            }
        var queries = centre.Select(x => perturbQueries ? Nudge(random, x) : x).ToArray();
        return new KnnData(bank, queries, dim);
    }

    /// <summary>x (bfloat16-representable) moved by up to 0.45 of the smaller bfloat16 spacing next
    /// to it, so that it still rounds to x; 0 stays 0.</summary>
    private static float Nudge(Random random, float x)
    {
        if (x == 0) return 0;
        var exponent = (int)((BitConverter.SingleToUInt32Bits(x) >> 23) & 0xFF) - 127;
        var spacing = Math.ScaleB(1.0, exponent - 8);
        return (float)(x + spacing * 0.45 * (random.NextDouble() * 2 - 1));
    }

    private static float[] Near(Random random, float[] rows, int queries, int dim, double sigma)
    {
        var result = Normal(random, queries * dim, sigma);
        for (var q = 0; q < queries; q++)
        {
            var row = random.Next(rows.Length / dim);
            for (var i = 0; i < dim; i++) result[q * dim + i] += rows[row * dim + i];
        }
        return result;
    }

    private static float[] Normal(Random random, int count, double sigma)
    {
        var values = new float[count];
        for (var i = 0; i < count; i++)
            values[i] = (float)(sigma * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        return values;
    }

    /// <summary>Round to nearest even at bfloat16's 8 significant bits.</summary>
    private static float RoundToBFloat16(float x)
    {
        var bits = BitConverter.SingleToUInt32Bits(x);
        bits += 0x7FFF + ((bits >> 16) & 1);
        return BitConverter.UInt32BitsToSingle(bits & 0xFFFF0000);
    }
}
