namespace SegAN.Export;

/// <summary>
/// A square convolution as the exported graph runs it: weights (Cout, Cin, k, k) row-major and one bias per output
/// map, with an inference-mode batch normalisation that followed it already folded in.
/// </summary>
internal sealed record FoldedConv(float[] Weight, float[] Bias, int OutChannels, int InChannels, int Kernel)
{
    /// <summary>
    /// Folds <c>y = gamma (conv(x) + b - mean) / sqrt(var + eps) + beta</c> into one convolution:
    /// <c>w' = w s</c> and <c>b' = beta + (b - mean) s</c> with <c>s = gamma / sqrt(var + eps)</c> per output map.
    /// Without a norm the convolution is returned as is (a missing bias becomes zeros).
    /// </summary>
    public static FoldedConv Fold(float[] weight, float[]? bias, int outChannels, int inChannels, int kernel, BatchNormParameters? norm)
    {
        var perOutput = inChannels * kernel * kernel;
        if (weight.Length != outChannels * perOutput)
        {
            throw new ArgumentException($"{weight.Length} weights do not make a ({outChannels}, {inChannels}, {kernel}, {kernel}) kernel.", nameof(weight));
        }

        if (bias is not null && bias.Length != outChannels)
        {
            throw new ArgumentException($"{bias.Length} biases for {outChannels} output maps.", nameof(bias));
        }

        if (norm is null)
        {
            return new FoldedConv((float[])weight.Clone(), bias is null ? new float[outChannels] : (float[])bias.Clone(), outChannels, inChannels, kernel);
        }

        norm.CheckLength(outChannels);
        var w = new float[weight.Length];
        var b = new float[outChannels];
        for (var o = 0; o < outChannels; o++)
        {
            // Double precision so the folded weights round once, not twice.
            var s = norm.Gamma[o] / Math.Sqrt(norm.RunningVar[o] + norm.Eps);
            for (var i = 0; i < perOutput; i++)
            {
                w[(o * perOutput) + i] = (float)(weight[(o * perOutput) + i] * s);
            }

            b[o] = (float)(norm.Beta[o] + (((bias?[o] ?? 0.0) - norm.RunningMean[o]) * s));
        }

        return new FoldedConv(w, b, outChannels, inChannels, kernel);
    }
}

/// <summary>An inference-mode batch normalisation: affine weight and bias, running statistics and epsilon.</summary>
internal sealed record BatchNormParameters(float[] Gamma, float[] Beta, float[] RunningMean, float[] RunningVar, double Eps)
{
    public void CheckLength(int channels)
    {
        if (Gamma.Length != channels || Beta.Length != channels || RunningMean.Length != channels || RunningVar.Length != channels)
        {
            throw new ArgumentException($"Batch norm parameters do not all have {channels} channels.");
        }
    }
}
