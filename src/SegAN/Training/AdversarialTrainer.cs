using SegAN.Data;
using SegAN.Distributed;
using SegAN.Losses;
using SegAN.Models;
using SegAN.Persistence;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SegAN.Training;

/// <summary>Losses of one training step; NaN where a variant has no such term.</summary>
/// <param name="Critic">Multi-scale loss at the critic step (before its update); NaN without critic.</param>
/// <param name="Segmentor">The segmentor's main loss: multi-scale L1 (after the critic update) or U-Net cross-entropy.</param>
/// <param name="Dice">Soft Dice loss of the prediction (logged even when its weight is 0).</param>
/// <param name="Finite">False when a loss was NaN or infinite; the step was then not (fully) applied.</param>
public readonly record struct StepLosses(double Critic, double Segmentor, double Dice, bool Finite);

/// <summary>
/// The networks and optimisers of one SegAN run and its training step (paper Sec. 2.3): per batch, one critic step
/// that maximises the multi-scale L1 loss (minimises its negative) followed by clipping every critic weight to
/// [-clip, clip], then one segmentor step that minimises it (plus the optional Dice term). The U-Net variant makes one
/// cross-entropy step. Only scalars leave a step; every tensor it makes is disposed with its scope.
/// </summary>
public sealed class AdversarialTrainer : IDisposable
{
    private readonly RegionSegmentor _segmentor;
    private readonly CriticSet _critics;
    private readonly Critic[] _criticList;
    private readonly optim.Optimizer _segmentorOptimizer;
    private readonly optim.Optimizer? _criticOptimizer;
    private readonly Parameter[] _criticParameters;
    private readonly Parameter[] _segmentorParameters;
    private readonly Device _device;
    private readonly double _clip;
    private readonly double _diceWeight;

    /// <summary>
    /// Builds the networks on <paramref name="device"/> (CPU by default) with weights drawn from torch's default
    /// generator, which is re-seeded with <paramref name="seed"/>; the optimisers are RMSProp or Adam (beta1 0.5).
    /// </summary>
    public AdversarialTrainer(SegANArchitecture architecture, OptimizerKind optimizer, double learningRate, double clip, double diceWeight, int seed, Device? device = null)
    {
        Architecture = architecture.Validated();
        _device = device ?? CPU;
        _clip = clip;
        _diceWeight = diceWeight;
        torch.random.manual_seed(seed);
        _segmentor = new RegionSegmentor(architecture);
        var variant = architecture.Variant;
        _critics = new CriticSet(Enumerable.Range(0, variant.CriticCount())
            .Select(_ => new Critic(variant.CriticInputChannels(architecture.InChannels), architecture.CriticDepth, architecture.BaseWidth)));
        _criticList = [.. _critics.Critics];

        _segmentor.to(_device);
        _critics.to(_device);

        // Like the authors' code and the PyTorch reference, weights are clamped after each critic update, not at start.
        _criticParameters = [.. _critics.parameters()];
        _segmentorParameters = [.. _segmentor.parameters()];

        _segmentorOptimizer = MakeOptimizer(optimizer, _segmentor.parameters(), learningRate);
        _criticOptimizer = _criticParameters.Length > 0 ? MakeOptimizer(optimizer, _criticParameters, learningRate) : null;
    }

    /// <summary>The networks' architecture.</summary>
    public SegANArchitecture Architecture { get; }

    /// <summary>
    /// Hand the networks images and targets stored channels last (NHWC behind the NCHW view), so that libtorch keeps
    /// that layout through the networks (its bilinear resizes and first convolutions run much faster so). On by
    /// default; its measured effect is in bench/README.md.
    /// </summary>
    public bool ChannelsLast { get; set; } = true;

    /// <summary>How the Dice term treats the regions (<see cref="TrainOptions.DiceMode"/>).</summary>
    public DiceReduction DiceReduction { get; init; } = TrainOptions.DefaultDiceMode;

    /// <summary>The segmentor(s): images -> region probabilities (N, 3, H, W).</summary>
    public RegionSegmentor Segmentor => _segmentor;

    /// <summary>
    /// Called between every <c>backward()</c> and <c>optimizer.step()</c>: averages gradients over data-parallel ranks
    /// and agrees on skipping a step with a non-finite loss. Default: <see cref="NoGradientReducer"/> (one process).
    /// </summary>
    public IGradientReducer GradientReducer { get; init; } = NoGradientReducer.Instance;

    /// <summary>The critics (none for S3-3C-s0 and U-Net).</summary>
    public IReadOnlyList<Critic> Critics => _criticList;

    /// <summary>The segmentor's trainable parameters, then each critic's, in a fixed order (for weight fingerprints).</summary>
    public IEnumerable<TorchSharp.Modules.Parameter> TrainableParameters => _segmentor.parameters().Concat(_criticList.SelectMany(c => c.parameters()));

    /// <summary>One training step on <paramref name="batch"/> at <paramref name="learningRate"/>.</summary>
    public StepLosses Step(SliceBatch batch, double learningRate)
    {
        using var scope = torch.NewDisposeScope();
        var (images, truth) = ToTensors(batch);
        SetLearningRate(learningRate);
        _segmentor.train();
        _critics.train();
        return Architecture.Variant == Variant.UNet ? UNetStep(images, truth) : AdversarialStep(images, truth);
    }

    /// <summary>Copies a batch to (N, C, H, W) and (N, 3, H, W) float32 tensors on the training device.</summary>
    public (Tensor Images, Tensor Truth) ToTensors(SliceBatch batch)
    {
        if (batch.Channels != Architecture.InChannels)
        {
            throw new SegANException($"Batches have {batch.Channels} channels but the networks were built for {Architecture.InChannels} modalities.");
        }

        Architecture.ValidateInputSize(batch.Height, batch.Width);
        long plane = (long)batch.Height * batch.Width;
        if (batch.Images.LongLength != batch.Count * batch.Channels * plane || batch.Targets.LongLength != batch.Count * SliceBatch.RegionCount * plane)
        {
            throw new SegANException("A batch's arrays do not match its declared shape (N, C, H, W).");
        }

        var images = torch.tensor(batch.Images, [batch.Count, batch.Channels, batch.Height, batch.Width]);
        var truth = torch.tensor(batch.Targets, [batch.Count, SliceBatch.RegionCount, batch.Height, batch.Width]);
        if (_device.type != DeviceType.CPU)
        {
            (images, truth) = (images.to(_device), truth.to(_device));
        }

        return ChannelsLast ? (ToChannelsLast(images), ToChannelsLast(truth)) : (images, truth);
    }

    private static Tensor ToChannelsLast(Tensor x) => x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    private StepLosses AdversarialStep(Tensor images, Tensor truth)
    {
        var variant = Architecture.Variant;

        // S(x) once per iteration: the critic step sees it detached, the segmentor step backpropagates through it.
        // This equals the paper's recomputation because S's weights do not change between the two steps; the only
        // difference is that S's batch-norm running statistics are updated once per iteration instead of twice.
        var predicted = _segmentor.forward(images);

        var criticLoss = double.NaN;
        if (_criticOptimizer is not null)
        {
            _criticOptimizer.zero_grad();
            var lossC = MultiScaleL1Loss.Compute(variant, _criticList, images, predicted.detach(), truth);
            criticLoss = lossC.item<float>();
            if (!GradientReducer.AllFinite(double.IsFinite(criticLoss)))
            {
                return new StepLosses(criticLoss, double.NaN, double.NaN, Finite: false);
            }

            lossC.neg().backward();
            GradientReducer.Reduce(_criticParameters);
            _criticOptimizer.step();
            foreach (var critic in _criticList)
            {
                critic.ClampWeights(_clip);
            }
        }

        // The segmentor step: the critics are fixed, so their weights need no gradient (saves the weight-gradient
        // convolutions); the truth-masked features need none at all.
        SetCriticGradients(false);
        try
        {
            _segmentorOptimizer.zero_grad();
            Tensor[][]? real = null;
            if (_critics.Count > 0)
            {
                using var noGrad = torch.no_grad();
                real = MultiScaleL1Loss.RealFeatures(variant, _criticList, images, truth);
            }

            var adversarial = MultiScaleL1Loss.Compute(variant, _criticList, images, predicted, truth, real);
            var (dice, total) = AddDice(adversarial, predicted, truth);
            var segmentorLoss = (double)adversarial.item<float>();
            var diceLoss = (double)dice.item<float>();
            if (!GradientReducer.AllFinite(double.IsFinite(segmentorLoss) && double.IsFinite(diceLoss)))
            {
                return new StepLosses(criticLoss, segmentorLoss, diceLoss, Finite: false);
            }

            total.backward();
            GradientReducer.Reduce(_segmentorParameters);
            _segmentorOptimizer.step();
            return new StepLosses(criticLoss, segmentorLoss, diceLoss, Finite: true);
        }
        finally
        {
            SetCriticGradients(true);
        }
    }

    private StepLosses UNetStep(Tensor images, Tensor truth)
    {
        _segmentorOptimizer.zero_grad();
        var logits = _segmentor.ClassLogits(images);
        var crossEntropy = ClassCrossEntropyLoss.Compute(logits, truth);
        var (dice, total) = AddDice(crossEntropy, RegionSegmentor.RegionsFromClassLogits(logits), truth);
        var ce = (double)crossEntropy.item<float>();
        var d = (double)dice.item<float>();
        if (!GradientReducer.AllFinite(double.IsFinite(ce) && double.IsFinite(d)))
        {
            return new StepLosses(double.NaN, ce, d, Finite: false);
        }

        total.backward();
        GradientReducer.Reduce(_segmentorParameters);
        _segmentorOptimizer.step();
        return new StepLosses(double.NaN, ce, d, Finite: true);
    }

    // Dice with gradient only when it is part of the objective; otherwise it is only logged.
    private (Tensor Dice, Tensor Total) AddDice(Tensor main, Tensor predicted, Tensor truth)
    {
        if (_diceWeight > 0)
        {
            var dice = DiceLoss.Compute(predicted, truth, DiceReduction);
            return (dice, main + (_diceWeight * dice));
        }

        using var noGrad = torch.no_grad();
        return (DiceLoss.Compute(predicted.detach(), truth, DiceReduction), main);
    }

    private void SetCriticGradients(bool on)
    {
        foreach (var p in _criticParameters)
        {
            p.requires_grad = on;
        }
    }

    private void SetLearningRate(double learningRate)
    {
        foreach (var group in _segmentorOptimizer.ParamGroups)
        {
            group.LearningRate = learningRate;
        }

        if (_criticOptimizer is not null)
        {
            foreach (var group in _criticOptimizer.ParamGroups)
            {
                group.LearningRate = learningRate;
            }
        }
    }

    /// <summary>Writes weights (with batch-norm statistics) and optimiser states, in a fixed order.</summary>
    public void SaveState(BinaryWriter writer)
    {
        SegANContainer.WriteBlob(writer, s => _segmentor.save(s));
        SegANContainer.WriteBlob(writer, s => _critics.save(s));
        SegANContainer.WriteBlob(writer, s => SaveOptimizer(_segmentorOptimizer, s));
        SegANContainer.WriteBlob(writer, s =>
        {
            if (_criticOptimizer is not null)
            {
                SaveOptimizer(_criticOptimizer, s);
            }
        });
    }

    /// <summary>Restores what <see cref="SaveState"/> wrote, for networks of the same architecture.</summary>
    public void LoadState(BinaryReader reader)
    {
        using (var s = SegANContainer.ReadBlob(reader))
        {
            _segmentor.load(s, strict: true);
        }

        using (var s = SegANContainer.ReadBlob(reader))
        {
            _critics.load(s, strict: true);
        }

        using (var s = SegANContainer.ReadBlob(reader))
        {
            LoadOptimizer(_segmentorOptimizer, s);
        }

        using (var s = SegANContainer.ReadBlob(reader))
        {
            if (_criticOptimizer is not null)
            {
                LoadOptimizer(_criticOptimizer, s);
            }
        }
    }

    /// <summary>Frees the networks and optimisers.</summary>
    public void Dispose()
    {
        _segmentorOptimizer.Dispose();
        _criticOptimizer?.Dispose();
        _segmentor.Dispose();
        _critics.Dispose();
    }

    private static optim.Optimizer MakeOptimizer(OptimizerKind kind, IEnumerable<Parameter> parameters, double learningRate) => kind switch
    {
        OptimizerKind.Adam => optim.Adam(parameters, learningRate, beta1: 0.5, beta2: 0.999),
        _ => optim.RMSProp(parameters, learningRate),
    };

    private static void SaveOptimizer(optim.Optimizer optimizer, Stream stream)
    {
        using var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        ((OptimizerHelper)optimizer).save_state_dict(writer);
    }

    private static void LoadOptimizer(optim.Optimizer optimizer, Stream stream)
    {
        using var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        ((OptimizerHelper)optimizer).load_state_dict(reader);
    }
}
