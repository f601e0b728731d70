using Google.Protobuf;
using SegAN.Export.Onnx;

namespace SegAN.Export;

/// <summary>
/// Appends nodes and initializers to an ONNX <see cref="GraphProto"/> in topological order, giving every
/// value a unique name. Float weights are stored as little-endian <c>raw_data</c>, as the specification asks.
/// </summary>
internal sealed class OnnxGraphBuilder
{
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public OnnxGraphBuilder(string name)
    {
        Graph = new GraphProto { Name = name };
    }

    public GraphProto Graph { get; }

    /// <summary>Adds a float tensor of shape <paramref name="dims"/> as a graph initializer.</summary>
    public string Initializer(string name, ReadOnlySpan<float> data, params long[] dims)
    {
        long count = 1;
        foreach (var d in dims)
        {
            count *= d;
        }

        if (count != data.Length)
        {
            throw new ArgumentException($"initializer {name}: {data.Length} values for shape [{string.Join(", ", dims)}]", nameof(data));
        }

        var bytes = new byte[data.Length * sizeof(float)];
        for (var i = 0; i < data.Length; i++)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), data[i]);
        }

        var tensor = new TensorProto
        {
            Name = Claim(name),
            DataType = (int)TensorProto.Types.DataType.Float,
            RawData = ByteString.CopyFrom(bytes),
        };
        tensor.Dims.AddRange(dims);
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    /// <summary>Adds one node with a single output named <paramref name="output"/>; returns that name.</summary>
    public string Node(string opType, string output, IEnumerable<string> inputs, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = output };
        node.Input.AddRange(inputs);
        node.Output.Add(Claim(output));
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return output;
    }

    /// <summary>Declares a float graph input or output; a null dimension is dynamic, named by <paramref name="dimNames"/>.</summary>
    public static ValueInfoProto FloatValue(string name, long?[] dims, string[] dimNames)
    {
        var shape = new TensorShapeProto();
        for (var i = 0; i < dims.Length; i++)
        {
            shape.Dim.Add(dims[i] is { } v
                ? new TensorShapeProto.Types.Dimension { DimValue = v }
                : new TensorShapeProto.Types.Dimension { DimParam = dimNames[i] });
        }

        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto
            {
                TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape },
            },
        };
    }

    public static AttributeProto Int(string name, long value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value) =>
        new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Ints(string name, params long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    private string Claim(string name)
    {
        if (!_names.Add(name))
        {
            throw new InvalidOperationException($"ONNX value name {name} is used twice");
        }

        return name;
    }
}
